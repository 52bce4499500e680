//! API tokens: `tg_` and 43 characters of base64url (32 random bytes), shown once; the server
//! keeps only the SHA-256 of a token, its role, identity and expiry. The id (the first 12 hex
//! digits of the hash) names a token in listings and revocation without revealing it.

use crate::access::Role;
use crate::db::{Db, TokenRow, open_data};
use crate::error::ServerError;
use base64::Engine;
use std::path::Path;
use time::OffsetDateTime;

pub const PREFIX: &str = "tg_";

/// A token just made: the secret (print once) and its stored row.
#[derive(Debug)]
pub struct Created {
    pub token: String,
    pub row: TokenRow,
}

/// SHA-256 of a token, hex.
pub fn hash(token: &str) -> String {
    tollgate_model::sha256(token.as_bytes()).hex()
}

/// `30d`, `12h`, `90m`, `3600s` in seconds.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let bad = || format!("duration {s:?}: expected a number and s, m, h or d (e.g. 30d)");
    let (num, unit) = s.split_at(s.len().saturating_sub(1));
    let n: i64 = num.parse().map_err(|_| bad())?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    if n <= 0 {
        return Err(bad());
    }
    n.checked_mul(mult).ok_or_else(bad)
}

fn usage(e: impl std::fmt::Display) -> ServerError {
    ServerError::Usage(e.to_string())
}

/// Makes a token in `db`.
pub fn create_in(
    db: &mut Db,
    role: Role,
    identity: &str,
    expires_in: i64,
) -> Result<Created, ServerError> {
    if identity.trim().is_empty() || identity.chars().any(char::is_control) {
        return Err(usage("--identity must be a non-empty name"));
    }
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| usage("no randomness available"))?;
    let token = format!(
        "{PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let h = hash(&token);
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let row = TokenRow {
        id: h[..12].to_string(),
        hash: h,
        role: role.as_str().to_string(),
        identity: identity.to_string(),
        created: now,
        expires: now.saturating_add(expires_in),
        revoked: false,
    };
    db.insert_token(&row).map_err(|e| usage(e.to_string()))?;
    Ok(Created { token, row })
}

/// `tollgate serve token create`: opens (or creates) the data folder's database.
pub fn create(
    data: &Path,
    role: Role,
    identity: &str,
    expires: &str,
) -> Result<Created, ServerError> {
    let secs = parse_duration(expires).map_err(usage)?;
    let mut db = open_data(data)?;
    create_in(&mut db, role, identity, secs)
}

pub fn list(data: &Path) -> Result<Vec<TokenRow>, ServerError> {
    open_data(data)?.tokens().map_err(usage)
}

pub fn revoke(data: &Path, id: &str) -> Result<bool, ServerError> {
    open_data(data)?.revoke_token(id).map_err(usage)
}

/// Who a request is from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub identity: String,
    pub role: Role,
}

/// Why a token was refused (for the 401 body and the denied-request record).
pub fn check(db: &Db, token: &str, now: i64) -> Result<Caller, &'static str> {
    if !token.starts_with(PREFIX) {
        return Err("malformed token");
    }
    let row = db
        .token_by_hash(&hash(token))
        .map_err(|_| "token store unavailable")?
        .ok_or("unknown token")?;
    if row.revoked {
        return Err("token revoked");
    }
    if row.expires <= now {
        return Err("token expired");
    }
    let role = row.role.parse().map_err(|_| "token has an unknown role")?;
    Ok(Caller {
        identity: row.identity,
        role,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30d"), Ok(30 * 86_400));
        assert_eq!(parse_duration("90m"), Ok(5400));
        for bad in ["", "d", "30", "-1d", "0h", "1w", "99999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn stored_hashed_checked_revoked_expired() {
        let dir = tempfile::tempdir().unwrap();
        let c = create(dir.path(), Role::Releaser, "ci", "1d").unwrap();
        assert!(c.token.starts_with("tg_") && c.token.len() == 46);
        let raw = std::fs::read(dir.path().join(crate::db::SERVER_DB)).unwrap();
        let needle = &c.token.as_bytes()[3..];
        assert!(
            !raw.windows(needle.len()).any(|w| w == needle),
            "token stored in clear"
        );
        let db = open_data(dir.path()).unwrap();
        let now = OffsetDateTime::now_utc().unix_timestamp();
        assert_eq!(
            check(&db, &c.token, now),
            Ok(Caller {
                identity: "ci".into(),
                role: Role::Releaser
            })
        );
        assert_eq!(check(&db, &c.token, now + 86_401), Err("token expired"));
        assert_eq!(check(&db, "tg_nope", now), Err("unknown token"));
        assert_eq!(check(&db, "Bearer", now), Err("malformed token"));
        assert!(revoke(dir.path(), &c.row.id).unwrap());
        let db = open_data(dir.path()).unwrap();
        assert_eq!(check(&db, &c.token, now), Err("token revoked"));
        assert_eq!(list(dir.path()).unwrap().len(), 1);
    }
}
