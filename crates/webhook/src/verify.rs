//! Signature verification over the exact raw body, before anything else looks at it.

use aws_lc_rs::{constant_time, hmac, signature};
use base64::Engine as _;
use time::OffsetDateTime;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// How far a Standard Webhooks timestamp may be from the server's clock (either way).
pub const DEFAULT_TOLERANCE: time::Duration = time::Duration::minutes(5);
/// Signatures looked at in one `webhook-signature` header (rotation needs a few, not many).
const MAX_SIGNATURES: usize = 16;

/// The signing scheme of a configured source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`.
    GitHub,
    /// `X-Gitlab-Token: <secret token>`, or Standard Webhooks headers when GitLab signs.
    GitLab,
    /// Standard Webhooks 1.0.
    Standard,
}

/// A configured webhook source: its scheme and every secret currently valid (several during a
/// rotation). Standard Webhooks secrets are `whsec_<base64>` (HMAC) or `whpk_<base64>`
/// (Ed25519 public key); GitHub secrets and GitLab tokens are used as given.
#[derive(Clone)]
pub struct Source {
    pub name: String,
    pub scheme: Scheme,
    pub secrets: Vec<String>,
    pub tolerance: time::Duration,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Secrets are never printed.
        f.debug_struct("Source")
            .field("name", &self.name)
            .field("scheme", &self.scheme)
            .field(
                "secrets",
                &format_args!("[{} redacted]", self.secrets.len()),
            )
            .finish()
    }
}

/// Why a delivery was refused (answered 401 or 400; logged without its body).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("missing header {0}")]
    MissingHeader(&'static str),
    #[error("malformed header {0}: {1}")]
    Malformed(&'static str, String),
    #[error("no configured secret verifies the signature")]
    BadSignature,
    #[error("timestamp {0} is outside the tolerance of {1} seconds")]
    Stale(i64, i64),
    #[error("source {0} has no usable secret configured")]
    NoSecret(String),
}

/// What a verified delivery says about itself (from its headers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The delivery id (deduplication key): `X-GitHub-Delivery`, `X-Gitlab-Event-UUID`,
    /// `webhook-id`.
    pub id: String,
    /// The event name (`push`, `Pipeline Hook`, …) when the scheme names it.
    pub event: Option<String>,
    /// The signed timestamp (Standard Webhooks).
    pub timestamp: Option<i64>,
}

/// Verifies a delivery of `source`. `header` looks up a request header case-insensitively;
/// `body` is the exact raw body. `now` is the server's clock.
pub fn verify(
    source: &Source,
    header: &dyn Fn(&str) -> Option<String>,
    body: &[u8],
    now: OffsetDateTime,
) -> Result<Verified, Rejection> {
    if source.secrets.iter().all(|s| s.is_empty()) {
        return Err(Rejection::NoSecret(source.name.clone()));
    }
    match source.scheme {
        Scheme::GitHub => github(source, header, body),
        Scheme::GitLab if header("webhook-signature").is_some() => {
            standard(source, header, body, now)
        }
        Scheme::GitLab => gitlab(source, header),
        Scheme::Standard => standard(source, header, body, now),
    }
}

fn github(
    source: &Source,
    header: &dyn Fn(&str) -> Option<String>,
    body: &[u8],
) -> Result<Verified, Rejection> {
    const H: &str = "x-hub-signature-256";
    let sig = header(H).ok_or(Rejection::MissingHeader(H))?;
    let hex_sig = sig
        .trim()
        .strip_prefix("sha256=")
        .ok_or_else(|| Rejection::Malformed(H, "expected sha256=<hex>".into()))?;
    let given = hex::decode(hex_sig).map_err(|e| Rejection::Malformed(H, e.to_string()))?;
    let ok = source.secrets.iter().filter(|s| !s.is_empty()).any(|s| {
        let key = hmac::Key::new(hmac::HMAC_SHA256, s.as_bytes());
        hmac::verify(&key, body, &given).is_ok()
    });
    if !ok {
        return Err(Rejection::BadSignature);
    }
    Ok(Verified {
        id: header("x-github-delivery").unwrap_or_default(),
        event: header("x-github-event"),
        timestamp: None,
    })
}

fn gitlab(source: &Source, header: &dyn Fn(&str) -> Option<String>) -> Result<Verified, Rejection> {
    const H: &str = "x-gitlab-token";
    let token = header(H).ok_or(Rejection::MissingHeader(H))?;
    let ok = source.secrets.iter().filter(|s| !s.is_empty()).any(|s| {
        // Equal lengths first (the length of a secret token is not the secret); then the
        // bytes in constant time.
        s.len() == token.len()
            && constant_time::verify_slices_are_equal(s.as_bytes(), token.as_bytes()).is_ok()
    });
    if !ok {
        return Err(Rejection::BadSignature);
    }
    Ok(Verified {
        id: header("x-gitlab-event-uuid")
            .or_else(|| header("x-gitlab-webhook-uuid"))
            .unwrap_or_default(),
        event: header("x-gitlab-event"),
        timestamp: None,
    })
}

/// A Standard Webhooks secret: the HMAC key bytes or an Ed25519 public key.
enum Key {
    Hmac(Box<hmac::Key>),
    Ed25519(Vec<u8>),
}

fn parse_key(s: &str) -> Option<Key> {
    if let Some(b) = s.strip_prefix("whsec_") {
        return B64
            .decode(b)
            .ok()
            .map(|k| Key::Hmac(Box::new(hmac::Key::new(hmac::HMAC_SHA256, &k))));
    }
    if let Some(b) = s.strip_prefix("whpk_") {
        return B64
            .decode(b)
            .ok()
            .filter(|k| k.len() == 32)
            .map(Key::Ed25519);
    }
    None
}

fn standard(
    source: &Source,
    header: &dyn Fn(&str) -> Option<String>,
    body: &[u8],
    now: OffsetDateTime,
) -> Result<Verified, Rejection> {
    let id = header("webhook-id").ok_or(Rejection::MissingHeader("webhook-id"))?;
    let ts_text =
        header("webhook-timestamp").ok_or(Rejection::MissingHeader("webhook-timestamp"))?;
    let sigs = header("webhook-signature").ok_or(Rejection::MissingHeader("webhook-signature"))?;
    let ts: i64 = ts_text
        .trim()
        .parse()
        .map_err(|_| Rejection::Malformed("webhook-timestamp", "not an integer".into()))?;
    let tolerance = source.tolerance.whole_seconds();
    if (now.unix_timestamp() - ts).abs() > tolerance {
        return Err(Rejection::Stale(ts, tolerance));
    }
    if id.contains('.') {
        // The id is part of the signed content `id.timestamp.body`: a dot would make two
        // different (id, timestamp) pairs sign the same bytes.
        return Err(Rejection::Malformed("webhook-id", "contains '.'".into()));
    }
    let mut content = Vec::with_capacity(id.len() + ts_text.len() + body.len() + 2);
    content.extend_from_slice(id.as_bytes());
    content.push(b'.');
    content.extend_from_slice(ts_text.trim().as_bytes());
    content.push(b'.');
    content.extend_from_slice(body);
    let keys: Vec<Key> = source.secrets.iter().filter_map(|s| parse_key(s)).collect();
    if keys.is_empty() {
        return Err(Rejection::NoSecret(source.name.clone()));
    }
    for entry in sigs.split_whitespace().take(MAX_SIGNATURES) {
        let Some((version, sig)) = entry.split_once(',') else {
            continue;
        };
        let Ok(sig) = B64.decode(sig) else { continue };
        for k in &keys {
            let ok = match (version, k) {
                ("v1", Key::Hmac(key)) => hmac::verify(key, &content, &sig).is_ok(),
                ("v1a", Key::Ed25519(pk)) => {
                    signature::UnparsedPublicKey::new(&signature::ED25519, pk)
                        .verify(&content, &sig)
                        .is_ok()
                }
                _ => false,
            };
            if ok {
                return Ok(Verified {
                    id,
                    event: None,
                    timestamp: Some(ts),
                });
            }
        }
    }
    Err(Rejection::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let owned: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
            .collect();
        move |name: &str| {
            owned
                .iter()
                .find(|(k, _)| *k == name.to_ascii_lowercase())
                .map(|(_, v)| v.clone())
        }
    }

    fn source(scheme: Scheme, secrets: &[&str]) -> Source {
        Source {
            name: "s".into(),
            scheme,
            secrets: secrets.iter().map(|s| s.to_string()).collect(),
            tolerance: DEFAULT_TOLERANCE,
        }
    }

    #[test]
    fn github_documentation_vector() {
        // docs.github.com, "Validating webhook deliveries": secret "It's a Secret to Everybody",
        // payload "Hello, World!".
        let sig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        let h = headers(&[("X-Hub-Signature-256", sig), ("X-GitHub-Delivery", "d-1")]);
        let now = OffsetDateTime::now_utc();
        let s = source(
            Scheme::GitHub,
            &["old-secret", "It's a Secret to Everybody"],
        );
        let v = verify(&s, &h, b"Hello, World!", now).unwrap();
        assert_eq!(v.id, "d-1");
        assert_eq!(
            verify(&s, &h, b"Hello, World?", now),
            Err(Rejection::BadSignature)
        );
        let wrong = source(Scheme::GitHub, &["It's a secret to everybody"]);
        assert_eq!(
            verify(&wrong, &h, b"Hello, World!", now),
            Err(Rejection::BadSignature)
        );
        assert_eq!(
            verify(&s, &headers(&[]), b"Hello, World!", now),
            Err(Rejection::MissingHeader("x-hub-signature-256"))
        );
    }

    #[test]
    fn standard_webhooks_specification_vector() {
        // The example of the Standard Webhooks specification.
        let s = source(
            Scheme::Standard,
            &["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
        );
        let body = br#"{"test": 2432232314}"#;
        let h = headers(&[
            ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
            ("webhook-timestamp", "1614265330"),
            (
                "webhook-signature",
                "v1,bm9ub3RhdmFsaWRzaWduYXR1cmU= v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            ),
        ]);
        let at = OffsetDateTime::from_unix_timestamp(1614265330).unwrap();
        let v = verify(&s, &h, body, at).unwrap();
        assert_eq!(v.id, "msg_p5jXN8AQM9LWM0D4loKWxJek");
        // Six minutes later: stale. One byte changed: refused.
        assert!(matches!(
            verify(&s, &h, body, at + time::Duration::minutes(6)),
            Err(Rejection::Stale(..))
        ));
        assert_eq!(
            verify(&s, &h, br#"{"test": 2432232315}"#, at),
            Err(Rejection::BadSignature)
        );
    }

    #[test]
    fn standard_webhooks_ed25519() {
        use aws_lc_rs::signature::KeyPair;
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let pkcs8 = signature::Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        let pair = signature::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let pk = format!("whpk_{}", B64.encode(pair.public_key().as_ref()));
        let now = OffsetDateTime::now_utc();
        let ts = now.unix_timestamp().to_string();
        let body = b"{\"type\":\"pipeline\"}";
        let sig = pair.sign(
            format!("msg_1.{ts}.")
                .as_bytes()
                .iter()
                .chain(body)
                .copied()
                .collect::<Vec<u8>>()
                .as_slice(),
        );
        let header_value = format!("v1a,{}", B64.encode(sig.as_ref()));
        let h = headers(&[
            ("webhook-id", "msg_1"),
            ("webhook-timestamp", &ts),
            ("webhook-signature", &header_value),
        ]);
        let s = source(Scheme::Standard, &[&pk]);
        assert!(verify(&s, &h, body, now).is_ok());
        // A v1a signature is never checked as a v1 HMAC, nor the other way round.
        let hm = source(
            Scheme::Standard,
            &["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
        );
        assert_eq!(verify(&hm, &h, body, now), Err(Rejection::BadSignature));
    }

    #[test]
    fn gitlab_token_and_missing_secret() {
        let now = OffsetDateTime::now_utc();
        let s = source(Scheme::GitLab, &["tok-123"]);
        let h = headers(&[
            ("X-Gitlab-Token", "tok-123"),
            ("X-Gitlab-Event", "Push Hook"),
        ]);
        assert_eq!(
            verify(&s, &h, b"{}", now).unwrap().event.as_deref(),
            Some("Push Hook")
        );
        let bad = headers(&[("X-Gitlab-Token", "tok-124")]);
        assert_eq!(verify(&s, &bad, b"{}", now), Err(Rejection::BadSignature));
        let none = source(Scheme::GitLab, &[""]);
        assert!(matches!(
            verify(&none, &h, b"{}", now),
            Err(Rejection::NoSecret(_))
        ));
        // Debug output never shows a secret.
        assert!(!format!("{s:?}").contains("tok-123"));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_headers_never_panic(sig in ".{0,200}", ts in ".{0,30}", id in ".{0,40}", body in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let h = headers(&[("webhook-id", &id), ("webhook-timestamp", &ts), ("webhook-signature", &sig), ("x-hub-signature-256", &sig)]);
            let now = OffsetDateTime::now_utc();
            for scheme in [Scheme::GitHub, Scheme::GitLab, Scheme::Standard] {
                let _ = verify(&source(scheme, &["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]), &h, &body, now);
            }
        }
    }
}
