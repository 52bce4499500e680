//! Validators and filters applied to a candidate secret after its regex matched.

/// Shannon entropy of `s` in bits per byte.
pub fn shannon_entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// How many of the classes lower, upper, digit, other occur in `s`.
pub fn char_classes(s: &[u8]) -> u8 {
    let mut m = 0u8;
    for &b in s {
        m |= if b.is_ascii_lowercase() {
            1
        } else if b.is_ascii_uppercase() {
            2
        } else if b.is_ascii_digit() {
            4
        } else {
            8
        };
    }
    m.count_ones() as u8
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `n` in base62 (digits, upper, lower), left-padded with `0` to `width`.
/// Written by hand: it is eight lines and no crate does exactly this padding.
pub fn base62(mut n: u64, width: usize) -> String {
    let mut out = Vec::new();
    while n > 0 {
        out.push(BASE62[(n % 62) as usize]);
        n /= 62;
    }
    while out.len() < width {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// GitHub token checksum: `<prefix>_<30 random base62><6 base62 CRC32 of the random part>`.
/// Returns `None` when the token does not have that shape (for example fine-grained PATs).
pub fn github_checksum_valid(token: &[u8]) -> Option<bool> {
    let us = token.iter().rposition(|&b| b == b'_')?;
    let body = &token[us + 1..];
    if body.len() != 36 || !body.iter().all(u8::is_ascii_alphanumeric) {
        return None;
    }
    let (random, check) = body.split_at(30);
    let crc = crc32fast::hash(random);
    Some(base62(u64::from(crc), 6).as_bytes() == check)
}

/// CRC-16/XMODEM (polynomial 0x1021, initial value 0), the checksum NATS nkeys carry.
fn crc16_xmodem(data: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &b in data {
        crc ^= u16::from(b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// RFC 4648 base32 (upper-case alphabet, no padding) to bytes; `None` on any other byte.
fn base32_decode(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 5 / 8);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in s {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        acc = (acc << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// NATS nkey checksum: the key is base32 of `prefix bytes ‖ 32-byte key ‖ CRC-16/XMODEM of
/// everything before it, little-endian`. Seeds (58 characters, `S` + type letter) carry two
/// prefix bytes, public keys (56 characters) one. `None` when `key` is not base32 of a
/// plausible length.
pub fn nkey_checksum_valid(key: &[u8]) -> Option<bool> {
    let raw = base32_decode(key)?;
    if raw.len() < 35 {
        return None;
    }
    let (body, crc) = raw.split_at(raw.len() - 2);
    Some(crc16_xmodem(body) == u16::from_le_bytes([crc[0], crc[1]]))
}

/// True when `v` reads as a documented example or a made-up test value rather than key
/// material: it says `EXAMPLE`/`SAMPLE`/`DUMMY`/`FAKE`, or a quarter of it or more is runs
/// of sequential (`abcdef`, `123456`) or repeated characters. Provider tokens like these
/// (AWS's `AKIAIOSFODNN7EXAMPLE`) are still reported, with low confidence.
pub fn looks_like_example_value(v: &[u8]) -> bool {
    let lc = v.to_ascii_lowercase();
    let s = String::from_utf8_lossy(&lc);
    if [
        "example", "sample", "dummy", "fake", "notreal", "xxxxxx", "000000",
    ]
    .iter()
    .any(|w| s.contains(w))
    {
        return true;
    }
    // Length of runs (≥ 4) of ascending-by-one or identical characters.
    let mut in_runs = 0usize;
    let mut run = 1usize;
    for w in lc.windows(2) {
        if w[1] == w[0].wrapping_add(1) || w[1] == w[0] {
            run += 1;
        } else {
            if run >= 4 {
                in_runs += run;
            }
            run = 1;
        }
    }
    if run >= 4 {
        in_runs += run;
    }
    if v.len() >= 8 && in_runs * 4 >= v.len() {
        return true;
    }
    // The same chunk over and over (`gPFEGk7CF4wS901w7ppYclt7gPFEGk7CF4wS901w…`).
    (4..=v.len() / 2).any(|p| v.len() >= 2 * p && v[p..].iter().zip(v).all(|(a, b)| a == b))
}

/// Values that are words a program compares against, not secrets: test and check statuses
/// (`TEST_CASE_RESULT_STATUS_VALUE_PASS: "pass"`), switches, HTTP verbs.
const STATUS_WORDS: &[&str] = &[
    "pass", "passed", "fail", "failed", "failure", "success", "skip", "skipped", "pending",
    "enabled", "disabled", "required", "optional", "hidden", "visible", "default", "unknown",
    "none", "empty", "public", "private", "basic", "bearer", "digest", "oauth", "post", "get",
    "put", "delete", "patch",
];

/// An identifier or an identifier path used as a value: words of letters only, two or more,
/// joined by `_ . - /` or camel-case humps, each word pronounceable (`_leadingTriviaChars`,
/// `auth/invalid-app-credential`, `INVALID_APP_CREDENTIAL`). Random letter strings (few
/// vowels, or case switching on most characters) are not identifiers.
pub fn is_identifier_words(v: &str) -> bool {
    let v = v.trim_start_matches('_');
    // Letters and separators; up to two digits inside words (`SslCertificateS3Path`).
    if v.is_empty()
        || v.bytes().filter(u8::is_ascii_digit).count() > 2
        || !v
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'/'))
        || v.starts_with(|c: char| c.is_ascii_digit())
    {
        return false;
    }
    // The shape of a UUID (8-4-4-4-12) is an id or a key, whatever its letters.
    let lens: Vec<usize> = v.split('-').map(str::len).collect();
    if lens == [8, 4, 4, 4, 12] {
        return false;
    }
    let has_sep = v.contains(['_', '.', '-', '/']);
    let mut words: Vec<&str> = Vec::new();
    for part in v.split(['_', '.', '-', '/']).filter(|p| !p.is_empty()) {
        // Camel-case humps: a new word starts at an upper-case letter after a lower-case
        // letter or a digit.
        let pb = part.as_bytes();
        let mut start = 0;
        for i in 1..pb.len() {
            if pb[i].is_ascii_uppercase()
                && (pb[i - 1].is_ascii_lowercase() || pb[i - 1].is_ascii_digit())
            {
                words.push(&part[start..i]);
                start = i;
            }
        }
        words.push(&part[start..]);
    }
    // Each word has vowels (`y` counts) in a fifth of its letters or more (`Chars`), and the
    // whole reads like words: random letters have fewer than a quarter overall.
    let vowels = |w: &str| {
        w.bytes()
            .filter(|b| {
                matches!(
                    b.to_ascii_lowercase(),
                    b'a' | b'e' | b'i' | b'o' | b'u' | b'y'
                )
            })
            .count()
    };
    let letters: usize = words.iter().map(|w| w.len()).sum();
    let all_vowels: usize = words.iter().map(|w| vowels(w)).sum();
    // Random mixed case splits into many one- and two-letter "words"; camel case alone needs
    // three humps (`getAccessToken`): two (`cjiryZcac`) are as likely a random value.
    let short = words.iter().filter(|w| w.len() <= 2).count();
    words.len() >= if has_sep { 2 } else { 3 }
        && letters >= 3 * words.len()
        && short <= 1
        && words
            .iter()
            .all(|w| w.len() <= 20 && (w.len() <= 3 || vowels(w) * 5 >= w.len()))
        && all_vowels * 4 >= letters
}

/// `provider:api-key`, `anthropic:api_key`: a name in a secret store (two identifier words
/// around one colon), not the key.
fn is_store_reference(lc: &str) -> bool {
    let mut parts = lc.splitn(2, ':');
    let (Some(a), Some(b)) = (parts.next(), parts.next()) else {
        return false;
    };
    let ident = |s: &str| {
        !s.is_empty()
            && s.len() <= 40
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.bytes()
                .all(|c| c.is_ascii_lowercase() || matches!(c, b'-' | b'_' | b'.'))
    };
    ident(a)
        && ident(b)
        && (b.contains("key")
            || b.contains("token")
            || b.contains("secret")
            || b.contains("password"))
}

/// One capitalised or lower-case word (`Configuration`, `anonymous`): a name or a setting,
/// not a random token (which has digits, humps or case switches).
pub fn is_single_word(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() >= 4
        && b.len() <= 20
        && (b[0].is_ascii_alphabetic())
        && b[1..].iter().all(u8::is_ascii_lowercase)
        && word_like(v)
}

/// Base64 (standard or URL-safe, padded or not) of printable text without a colon
/// (`YW5vdGhlclRva2VuIQ==` is `anotherToken!`; OpenSSL's `Salted__` header starts
/// `U2FsdGVkX1`): an encoded word or an encrypted blob's header, not a credential.
/// `user:password` pairs keep their colon and are left to the Basic-auth rule.
fn is_base64_of_text(v: &[u8]) -> bool {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    if v.len() < 12 || v.starts_with(b"U2FsdGVkX1") {
        return v.starts_with(b"U2FsdGVkX1");
    }
    let raw = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(v).ok());
    let Some(raw) = raw else { return false };
    raw.len() >= 8
        && !raw.contains(&b':')
        && raw.iter().all(|b| (0x20..0x7f).contains(b))
        && raw.iter().filter(|b| b.is_ascii_alphabetic()).count() * 10 >= raw.len() * 8
}

/// `2016-09-08T21:47:36Z`, `2024-01-31`: a date, not a password.
fn is_date(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

/// Code, not a value: comparisons and boolean operators (`d===t?a:b`).
fn is_code_expression(v: &str) -> bool {
    ["===", "!=", "&&", "||", "=>", "?."]
        .iter()
        .any(|op| v.contains(op))
        || v.trim_end_matches('=').contains("==")
}

/// Words that mark a value as a placeholder, an example or a test value.
const PLACEHOLDER_WORDS: &[&str] = &[
    "example",
    "changeme",
    "change_me",
    "change-me",
    "placeholder",
    "your",
    "xxxx",
    "****",
    "dummy",
    "sample",
    "redacted",
    "replace",
    "insert",
    "fixme",
    "todo",
    "secret_here",
    "notreal",
    "not_real",
    "fake",
    "foobar",
    "lorem",
    "<",
    ">",
    "${",
    "{{",
    "}}",
    "%(",
    "%s",
    "$(",
    "process.env",
    "os.environ",
    "getenv",
    "env[",
    "env.",
    "config.",
    "settings.",
    "params[",
    "request.",
    "args.",
    "self.",
    "this.",
    "null",
    "none",
    "undefined",
    "true",
    "false",
    "password",
    "passwd",
    "secret",
    "token",
    "string",
    "value",
    "test",
    "mock",
    "pass123",
    "123456",
    "qwerty",
    "abcdef",
    "letmein",
    "admin",
];

/// True when a generic rule's value looks like a placeholder, a code reference or a
/// well-known test value rather than a real credential.
pub fn looks_like_placeholder(value: &[u8]) -> bool {
    // Credentials are ASCII; UI strings in other scripts are not.
    if !value.iter().all(|b| (0x21..0x7f).contains(b)) {
        return true;
    }
    let Ok(v) = std::str::from_utf8(value) else {
        return true;
    };
    // Short numbers: error codes, ports, counts.
    if v.len() <= 6 && v.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    if is_version(v) || is_constant_name(v) {
        return true;
    }
    let lc = v.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.iter().any(|w| lc.contains(w)) {
        return true;
    }
    // A single repeated character, or a run of 4+ identical characters.
    let bytes = lc.as_bytes();
    if bytes.windows(4).any(|w| w.iter().all(|&b| b == w[0])) {
        return true;
    }
    // Identifiers and dotted/called expressions: `some_var`, `cfg.key`, `getKey()`.
    if is_code_reference(v) || is_identifier_words(v) {
        return true;
    }
    // References to a secret store, not the secret (`op://vault/item/field`,
    // `vault:secret/data/app#password`, `anthropic:api-key`), URLs without credentials (OAuth
    // scopes, endpoints) and C constants (`0x115`).
    if [
        "op://",
        "vault:",
        "arn:aws:secretsmanager",
        "secretsmanager:",
        "keyvault:",
        "gcpsm:",
    ]
    .iter()
    .any(|p| lc.starts_with(p))
        || ((lc.starts_with("http://") || lc.starts_with("https://")) && !lc.contains('@'))
        || (lc.starts_with("0x")
            && lc.len() <= 18
            && lc[2..].bytes().all(|b| b.is_ascii_hexdigit()))
        || is_store_reference(&lc)
    {
        return true;
    }
    if STATUS_WORDS.iter().any(|w| lc == *w)
        || is_date(v)
        || is_code_expression(v)
        || is_base64_of_text(value)
    {
        return true;
    }
    false
}

/// `snake_case_name`, `camelCaseName`, `a.b.c`, `fn(...)`, `$VAR`, `%VAR%`, `@var`.
fn is_code_reference(v: &str) -> bool {
    if v.starts_with(['$', '%', '@', '&', '*', '!', '#', '[', '(', '{', '.', '/']) {
        return true;
    }
    if v.contains("()") || v.ends_with(')') || v.contains("::") || v.contains("->") {
        return true;
    }
    let letters_and_seps = v
        .bytes()
        .all(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'.' || b == b'-');
    if !letters_and_seps {
        return false;
    }
    // Only letters and separators. A name has separators between words (`db_password`,
    // `settings.secret`) or camel-case humps (`getPassword`); a random letter string has
    // neither, or has many upper/lower switches.
    let has_sep = v.contains(['_', '.', '-']);
    let bytes = v.as_bytes();
    let humps = bytes
        .windows(2)
        .filter(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
        .count();
    let switches = bytes
        .windows(2)
        .filter(|w| w[0].is_ascii_uppercase() != w[1].is_ascii_uppercase())
        .count();
    let random_case = switches * 3 > v.len() && v.len() >= 12;
    if random_case {
        return false;
    }
    if has_sep {
        // SCREAMING_SNAKE or snake_case words: a name unless the parts look random.
        return v
            .split(['_', '.', '-'])
            .filter(|p| !p.is_empty())
            .all(|p| p.len() <= 12 && (p.len() <= 3 || word_like(p)));
    }
    humps >= 1 && humps * 4 <= v.len() && word_like(v)
}

/// Vowels make up at least a quarter of an identifier's letters; random letter strings
/// (`tcfkongh`) have fewer.
fn word_like(p: &str) -> bool {
    let letters = p.bytes().filter(u8::is_ascii_alphabetic).count();
    let vowels = p
        .bytes()
        .filter(|b| matches!(b.to_ascii_lowercase(), b'a' | b'e' | b'i' | b'o' | b'u'))
        .count();
    letters > 0 && vowels * 4 >= letters
}

/// `1.2.3`, `~1.3.0`, `^2.0`, `>=1.0`, `v1.2`.
fn is_version(v: &str) -> bool {
    let t = v.trim_start_matches(['~', '^', '>', '<', '=', 'v']);
    let mut parts = t.split('.');
    let n = t.split('.').count();
    n >= 2
        && parts.all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_digit() || b == b'x' || b == b'*')
        })
}

/// `PKCS8_PRIVATE_KEY_BLOB`, `GCM_AUTHORITY`: a constant's name, not a value.
fn is_constant_name(v: &str) -> bool {
    v.contains('_')
        && v.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && v.split('_')
            .filter(|p| !p.is_empty())
            .all(|p| p.len() <= 12 && p.bytes().any(|b| b.is_ascii_uppercase()))
}

/// Words anywhere in the name a value is assigned to that mark it as something other than a
/// secret: UI text (`LABEL_PASSWORD`), mocks and expected values in tests, hashes.
const KEY_STOP_WORDS: &[&str] = &[
    "label",
    "title",
    "message",
    "msg",
    "text",
    "tooltip",
    "placeholder",
    "error",
    "prompt",
    "description",
    "mock",
    "expected",
    "hash",
    "example",
    "sample",
    "dummy",
    "fake",
    "validator",
    "strength",
    // `pass` that is not a password: clippy lint names in Cargo.toml
    // (`needless_pass_by_value = "warn"`), filters, control flow.
    "pass_by",
    "passed",
    "passing",
    "bypass",
    "lowpass",
    "highpass",
    "bandpass",
    "allpass",
    "passthrough",
    "compass",
    // A public key (token) is not a secret: `publicKeyToken="6595b64144ccf1df"` in .NET
    // manifests, `public_key = "…"`.
    "publickey",
    "public_key",
    // Tokens that are ids: pagination cursors, idempotency and change tokens
    // (`"nextToken"`, `"ChangeToken"`, `"LifecycleActionToken"`). Not `ClientToken`:
    // Akamai's EdgeGrid client token is a credential.
    "nexttoken",
    "next_token",
    "pagetoken",
    "page_token",
    "paginationtoken",
    "continuationtoken",
    "continuation_token",
    "changetoken",
    "change_token",
    "idempotency",
    "actiontoken",
    "cursor",
    "marker",
    // Hashes named as hashes, and other digests that are not secrets.
    "sha1",
    "sha256",
    "sha512",
    "md5",
    "digest",
    "checksum",
    "integrity",
    "fingerprint",
    "etag",
    "commit",
    "revision",
];

/// Endings of a name that say the value is an attribute of the secret, not the secret:
/// `password_algorithm`, `token_type`, `client_id`, `secret_name`, `key_file`.
const KEY_STOP_ENDINGS: &[&str] = &[
    "id",
    "ids",
    "name",
    "user",
    "username",
    "email",
    "url",
    "uri",
    "path",
    "file",
    "dir",
    "type",
    "mode",
    "kind",
    "version",
    "prefix",
    "suffix",
    "length",
    "len",
    "algorithm",
    "method",
    "format",
    "pattern",
    "regex",
    "policy",
    "field",
    "header",
    "param",
    "class",
    "hint",
    "size",
    "count",
    "ttl",
    "expiry",
    "expires",
    // Times and dates: `PasswordLastUsed`, `token_created`, `secret_updated_at`.
    "used",
    "date",
    "time",
    "timestamp",
    "created",
    "updated",
    "changed",
    "created_at",
    "updated_at",
];

/// True when the key a generic rule's value is assigned to (the identifier just before the
/// operator on `before`, the line up to the value) names something that is not a secret.
pub fn key_name_rejected(before: &[u8]) -> bool {
    let t = String::from_utf8_lossy(before);
    // `scheme://user:` before a URL password: the user name is not a key name.
    if let Some(p) = t.rfind("://")
        && !t[p..].contains(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`'))
        && t.ends_with(':')
    {
        return false;
    }
    let t = t.trim_end_matches(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '"' | '\'' | '`' | '=' | ':' | '>' | '-' | '@' | '(' | ','
            )
    });
    // Python-style string prefixes (r"...", b'...') belong to the value.
    let t = t
        .strip_suffix(['r', 'b', 'u', 'f'])
        .filter(|x| x.ends_with(|c: char| c.is_whitespace() || matches!(c, '=' | ':' | '(')))
        .map(|x| x.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '=' | ':' | '(')))
        .unwrap_or(t);
    let t = t.trim_end_matches(['"', '\'', '`']);
    let start = t
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
        .map(|p| p + 1)
        .unwrap_or(0);
    let ident = &t[start..];
    let last = ident
        .rsplit('.')
        .next()
        .unwrap_or(ident)
        .to_ascii_lowercase();
    if last.is_empty() {
        return false;
    }
    KEY_STOP_WORDS.iter().any(|w| last.contains(w))
        || KEY_STOP_ENDINGS.iter().any(|w| last.ends_with(w))
}

/// True when `s` is base64 of printable ASCII `user:password` (HTTP Basic credentials).
pub fn basic_auth_valid(s: &[u8]) -> bool {
    use base64::Engine as _;
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(s) else {
        return false;
    };
    let Some(colon) = raw.iter().position(|&b| b == b':') else {
        return false;
    };
    colon > 0
        && raw.len() > colon + 1
        && raw.iter().all(|b| (0x20..0x7f).contains(b))
        && shannon_entropy(&raw[colon + 1..]) >= 1.5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy() {
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
        assert_eq!(shannon_entropy(b""), 0.0);
    }

    #[test]
    fn classes() {
        assert_eq!(char_classes(b"abc"), 1);
        assert_eq!(char_classes(b"aB3"), 3);
        assert_eq!(char_classes(b"aB3!"), 4);
    }

    #[test]
    fn base62_padding() {
        assert_eq!(base62(0, 6), "000000");
        assert_eq!(base62(61, 1), "z");
        assert_eq!(base62(62, 2), "10");
        assert_eq!(base62(u64::from(u32::MAX), 6), "4gfFC3");
    }

    #[test]
    fn github_checksum() {
        let random = "abcdefghijklmnopqrstuvwxyz0123";
        let check = base62(u64::from(crc32fast::hash(random.as_bytes())), 6);
        let good = format!("ghp_{random}{check}");
        assert_eq!(github_checksum_valid(good.as_bytes()), Some(true));
        let bad = format!("ghp_{random}000000");
        assert_eq!(github_checksum_valid(bad.as_bytes()), Some(false));
        assert_eq!(github_checksum_valid(b"ghp_short"), None);
    }

    #[test]
    fn key_names() {
        for k in [
            "\"LABEL_PASSWORD\": \"",
            "suite.configuration.File.Password.Algorithm = \"",
            "private const string MOCK_ACCESS_TOKEN = \"",
            "OAuth2ClientId = '",
            "user.HashedPassword = ",
            "\"ChangeToken\": \"",
            "\"LifecycleActionToken\": \"",
            "\"NextToken\": \"",
        ] {
            assert!(key_name_rejected(k.as_bytes()), "{k}");
        }
        for k in [
            "password: '",
            "scope.passwordMock.newPassword = '",
            "db_password = r\"",
            "config.APIPassword = \"",
            "login(user, password=\"",
            "DB_USER_PASSWORD=",
            "userPassword: '",
        ] {
            assert!(!key_name_rejected(k.as_bytes()), "{k}");
        }
    }

    #[test]
    fn versions_and_constants() {
        assert!(looks_like_placeholder(b"~1.3.0"));
        assert!(looks_like_placeholder(b"PKCS8_PRIVATE_KEY_BLOB"));
        assert!(!looks_like_placeholder(b"cfu-2404"));
    }

    #[test]
    fn nkey_checksum() {
        let seed = b"SUAPONICQW6ASKHJ7Q6QIDXBZ2XCLW5R75PD2HKWO62VWR3EINMDV3ZF7I";
        assert_eq!(nkey_checksum_valid(seed), Some(true));
        // One character of the checksum changed (the last one holds only padding bits).
        let bad = b"SUAPONICQW6ASKHJ7Q6QIDXBZ2XCLW5R75PD2HKWO62VWR3EINMDV3ZG7I";
        assert_eq!(nkey_checksum_valid(bad), Some(false));
        assert_eq!(nkey_checksum_valid(b"SUA1"), None);
        assert_eq!(crc16_xmodem(b"123456789"), 0x31c3);
    }

    #[test]
    fn identifiers_and_statuses_are_not_secrets() {
        for v in [
            "_leadingTriviaChars",
            "auth/invalid-app-credential",
            "INVALID_APP_CREDENTIAL",
            "pass",
            "PASS",
            "failed",
            "getAccessTokenSilently",
            "_setCallerSdkType",
            "logGroupArnList",
            "_getReauthenticationResolver",
            "SslCertificateS3Path",
            "YW5vdGhlclRva2VuIQ==",
            "U2FsdGVkX18vvPlOqb7RDrWRWVFBJI46MOIAb",
            "2016-09-08T21:47:36Z",
            "d===t?a:b",
            "op://prod/db/password",
            "vault:secret/data/app#token",
            "anthropic:api-key",
            "https://www.googleapis.com/auth/cloud-platform",
            "0x115",
        ] {
            assert!(looks_like_placeholder(v.as_bytes()), "{v}");
        }
        for real in [
            "ojqopnydscvxzhcaubcrunov",
            "UsjayVZoQpJPDPmkqTr",
            "Zq8vN2pL0xYw",
            "avy_tcfkongh",
            "cjiryZcac",
            "jccoawgz-cpuy-tjro-jtyc-kpeijujyqnkv",
        ] {
            assert!(!looks_like_placeholder(real.as_bytes()), "{real}");
        }
    }

    #[test]
    fn example_values() {
        for v in [
            "AKIAIOSFODNN7EXAMPLE",
            "abcdefghijklmnopqrstuvwxyz012345",
            "0123456789abcdef0123456789abcdef",
            "aaaaaaaaBBBBBBBB",
            "gPFEGk7CF4wS901w7ppYclt7gPFEGk7CF4wS901w7ppYclt7",
        ] {
            assert!(looks_like_example_value(v.as_bytes()), "{v}");
        }
        for real in [
            "5909874d3bb2ad8e1a4fe3a0c6e1d42b",
            "Ha1ZTgfhQ9E5XgFfIeBRwThx3CRbMFoK9BycQWCi",
        ] {
            assert!(!looks_like_example_value(real.as_bytes()), "{real}");
        }
    }

    #[test]
    fn single_words() {
        assert!(is_single_word("Configuration"));
        assert!(is_single_word("porkchop"));
        assert!(!is_single_word("Zq8vN2pL0xYw"));
        assert!(!is_single_word("tcfkonghqzx"));
    }

    #[test]
    fn url_user_is_not_a_key_name() {
        assert!(!key_name_rejected(b"url = \"nats://user:"));
        assert!(key_name_rejected(b"user: "));
    }

    #[test]
    fn basic_auth() {
        assert!(basic_auth_valid(b"QWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
        assert!(!basic_auth_valid(b"dXNlcm5hbWU="));
        assert!(!basic_auth_valid(b"not base64!"));
    }

    #[test]
    fn placeholders() {
        for p in [
            "changeme",
            "your-api-key",
            "${DB_PASSWORD}",
            "os.environ['X']",
            "xxxxxxxx",
            "<password>",
            "db_password",
            "getPassword()",
            "settings.SECRET",
            "CONFIRM_CURRENT_PASSWORD",
        ] {
            assert!(looks_like_placeholder(p.as_bytes()), "{p}");
        }
        for real in [
            "hX9#kq2!Lm",
            "Zq8vN2pL0xYw",
            "s3cr3tV@lue9",
            "lmccazlmkq",
            "iE1dFxOdIFGKfIVuhA==",
        ] {
            assert!(!looks_like_placeholder(real.as_bytes()), "{real}");
        }
    }
}
