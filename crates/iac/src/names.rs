//! Heuristics shared by the Dockerfile and Kubernetes checks: secret-like variable names and
//! container image references.

/// Whether an environment/build variable name says it holds a credential: a segment
/// (`_`/`-`/`.` separated, case-insensitive) such as `PASSWORD`, `SECRET`, `TOKEN`, or a pair
/// such as `API_KEY`, `PRIVATE_KEY`, `ACCESS_KEY`. Names of a place or a reference to the
/// credential (`*_FILE`, `*_PATH`, `*_URL`, `*_ID`, `*_NAME`) and public key material
/// (`GPG_KEY`, `PUBLIC_KEY`) are not.
pub fn secret_like_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let segs: Vec<&str> = upper
        .split(['_', '-', '.'])
        .filter(|s| !s.is_empty())
        .collect();
    let Some(last) = segs.last() else {
        return false;
    };
    const NOT_LAST: &[&str] = &[
        "FILE",
        "PATH",
        "DIR",
        "URL",
        "URI",
        "ID",
        "NAME",
        "HEADER",
        "TYPE",
        "LENGTH",
        "SIZE",
        "ENABLED",
        "ENABLE",
        "MODE",
        "REF",
        "KEYRING",
        "FINGERPRINT",
        "ENDPOINT",
        "HOST",
        "PORT",
        "USER",
        "USERNAME",
        "EXPIRY",
        "TTL",
        "VERSION",
    ];
    if NOT_LAST.contains(last) {
        return false;
    }
    if segs
        .iter()
        .any(|s| matches!(*s, "PUBLIC" | "PUB" | "GPG" | "PGP"))
    {
        return false;
    }
    const WORDS: &[&str] = &[
        "PASSWORD",
        "PASSWD",
        "PASSPHRASE",
        "SECRET",
        "SECRETS",
        "TOKEN",
        "APIKEY",
        "CREDENTIAL",
        "CREDENTIALS",
        "PRIVATEKEY",
        "ACCESSKEY",
        "SECRETKEY",
    ];
    if segs.iter().any(|s| WORDS.contains(s)) || upper == "KEY" || upper == "PWD_HASH" {
        return true;
    }
    const BEFORE_KEY: &[&str] = &[
        "API",
        "PRIVATE",
        "ACCESS",
        "SECRET",
        "AUTH",
        "ENCRYPTION",
        "SIGNING",
        "MASTER",
        "LICENSE",
        "CLIENT",
        "APP",
        "SERVICE",
        "ACCOUNT",
        "STORAGE",
        "SSH",
    ];
    segs.windows(2)
        .any(|w| w[1] == "KEY" && BEFORE_KEY.contains(&w[0]))
}

/// A literal value worth reporting under a secret-like name: not empty, not a reference to
/// another variable (`$X`, `${X}`), not an obvious placeholder.
pub fn literal_secret_value(v: &str) -> bool {
    let v = v.trim().trim_matches(['"', '\'']);
    if v.is_empty() || v.starts_with('$') || v.contains("${") || v.contains("{{") {
        return false;
    }
    let lower = v.to_ascii_lowercase();
    let placeholder = lower.starts_with('<') && lower.ends_with('>');
    let trivial = matches!(
        lower.as_str(),
        "true" | "false" | "none" | "null" | "~" | "0" | "1" | "yes" | "no" | "-"
    );
    !placeholder && !trivial
}

/// A container image reference split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    pub name: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

/// Splits `registry:port/path/name:tag@sha256:…`.
pub fn image_ref(s: &str) -> ImageRef<'_> {
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (s, None),
    };
    let slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
    match rest[slash..].rfind(':') {
        Some(i) => ImageRef {
            name: &rest[..slash + i],
            tag: Some(&rest[slash + i + 1..]),
            digest,
        },
        None => ImageRef {
            name: rest,
            tag: None,
            digest,
        },
    }
}

/// How an image reference is pinned, for the unpinned-image rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pin {
    /// `@sha256:…`: content-addressed.
    Digest,
    /// A tag other than `latest`: mutable.
    Tag,
    /// `:latest`.
    Latest,
    /// No tag at all (means `latest`).
    None,
}

impl Pin {
    pub fn of(r: &ImageRef<'_>) -> Pin {
        if r.digest
            .is_some_and(|d| d.starts_with("sha256:") || d.starts_with("sha512:"))
        {
            Pin::Digest
        } else {
            match r.tag {
                None => Pin::None,
                Some(t) if t.eq_ignore_ascii_case("latest") => Pin::Latest,
                Some(_) => Pin::Tag,
            }
        }
    }

    /// A phrase for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Pin::Digest => "pinned by digest",
            Pin::Tag => "a mutable tag without a digest",
            Pin::Latest => "the `latest` tag",
            Pin::None => "no tag (implicitly `latest`)",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Pin::Digest => "digest",
            Pin::Tag => "tag",
            Pin::Latest => "latest",
            Pin::None => "none",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for n in [
            "DB_PASSWORD",
            "password",
            "GITHUB_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "API_KEY",
            "stripe-api-key",
            "PRIVATE_KEY",
            "CLIENT_SECRET",
            "NPM_TOKEN",
        ] {
            assert!(secret_like_name(n), "{n}");
        }
        for n in [
            "GPG_KEY",
            "PASSWORD_FILE",
            "TOKEN_URL",
            "KEY_ID",
            "PATH",
            "MONKEY",
            "KEYBOARD",
            "PUBLIC_KEY",
            "SECRET_NAME",
            "NODE_VERSION",
            "PASSTHROUGH",
        ] {
            assert!(!secret_like_name(n), "{n}");
        }
        assert!(literal_secret_value("hunter2"));
        for v in ["", "$X", "${X}", "\"\"", "<password>", "true"] {
            assert!(!literal_secret_value(v), "{v}");
        }
    }

    #[test]
    fn image_refs() {
        let r = image_ref("registry:5000/a/b:1.2@sha256:abc");
        assert_eq!(r.name, "registry:5000/a/b");
        assert_eq!(r.tag, Some("1.2"));
        assert_eq!(Pin::of(&r), Pin::Digest);
        let r = image_ref("registry:5000/a/b");
        assert_eq!((r.name, r.tag), ("registry:5000/a/b", None));
        assert_eq!(Pin::of(&r), Pin::None);
        assert_eq!(Pin::of(&image_ref("nginx:latest")), Pin::Latest);
        assert_eq!(Pin::of(&image_ref("nginx:1.27")), Pin::Tag);
    }
}
