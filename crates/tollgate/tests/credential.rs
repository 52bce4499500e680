//! `tollgate credential exchange` against a running `tollgate serve`: a CI token becomes a
//! deploy credential (written 0600, never printed to stderr) while the latest gate decision is
//! ALLOW; after a DENY the same request exits 1 with the server's reason.

use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use base64::Engine as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};

const B64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;
const CI_ISS: &str = "https://ci.example";

fn bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("tollgate")
}

/// An ES256 CI token signed by `pair`, minted by hand (header.payload.signature).
fn ci_token(pair: &EcdsaKeyPair) -> String {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let header = B64URL.encode(br#"{"alg":"ES256","kid":"ci-1","typ":"JWT"}"#);
    let mut jti = [0u8; 8];
    aws_lc_rs::rand::fill(&mut jti).unwrap();
    let claims = serde_json::json!({"iss": CI_ISS, "aud": "tollgate", "sub": "repo:acme/app",
        "iat": now - 5, "exp": now + 300, "jti": B64URL.encode(jti),
        "repository_id": "42", "ref": "refs/heads/main"});
    let input = format!("{header}.{}", B64URL.encode(claims.to_string()));
    let sig = pair
        .sign(&aws_lc_rs::rand::SystemRandom::new(), input.as_bytes())
        .unwrap();
    format!("{input}.{}", B64URL.encode(sig.as_ref()))
}

fn admin_append(addr: &str, token: &str, event: &serde_json::Value) {
    let body = event.to_string();
    let req = format!(
        "POST /v1/log/entries HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(req.as_bytes()).unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    assert!(resp.starts_with("HTTP/1.1 201"), "{resp}");
}

fn start(dir: &Path) -> (Child, String) {
    let mut child = std::process::Command::new(bin())
        .args([
            "serve",
            "--config",
            "server.toml",
            "--listen",
            "127.0.0.1:0",
        ])
        .current_dir(dir)
        .env_remove("TOLLGATE_KEY_PASSWORD")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_string();
    (child, addr)
}

#[test]
fn a_deploy_job_gets_a_credential_only_while_the_gate_allows() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let doc = EcdsaKeyPair::generate_pkcs8(
        &ECDSA_P256_SHA256_FIXED_SIGNING,
        &aws_lc_rs::rand::SystemRandom::new(),
    )
    .unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, doc.as_ref()).unwrap();
    let p = pair.public_key().as_ref();
    let jwks = serde_json::json!({"keys": [{"kty": "EC", "crv": "P-256", "kid": "ci-1",
        "x": B64URL.encode(&p[1..33]), "y": B64URL.encode(&p[33..65])}]});
    std::fs::write(dir.join("ci-jwks.json"), jwks.to_string()).unwrap();
    std::fs::write(dir.join("trust.toml"), "").unwrap();
    std::fs::write(
        dir.join("server.toml"),
        format!(
            "data = \"data\"\n[trust]\nfile = \"trust.toml\"\n\n[credential]\nissuer-url = \"https://tollgate.test\"\n\n[[credential.oidc]]\nurl = \"{CI_ISS}\"\naudiences = [\"tollgate\"]\njwks = \"ci-jwks.json\"\n\n[[credential.policy]]\nenvironment = \"prod\"\nissuer = \"{CI_ISS}\"\naudience = \"deploy.test\"\nlifetime = 300\n[credential.policy.claims]\nrepository_id = \"42\"\nref = \"refs/heads/main\"\n"
        ),
    )
    .unwrap();
    let out = std::process::Command::new(bin())
        .args([
            "serve",
            "token",
            "create",
            "--config",
            "server.toml",
            "--role",
            "admin",
            "--identity",
            "gate",
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let admin = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let (mut server, addr) = start(dir);
    std::fs::write(dir.join("app.tar"), b"the artifact").unwrap();
    let digest = format!("sha256:{}", {
        let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, b"the artifact");
        d.as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    });
    // The decision is bound to the policy in force (the built-in one: the trust file sets none).
    let policy = tollgate_policy::Policy::builtin().digest().to_string();
    let exchange = |out: &str| {
        std::fs::write(dir.join("ci.jwt"), ci_token(&pair)).unwrap();
        std::process::Command::new(bin())
            .args([
                "credential",
                "exchange",
                "--server",
                &format!("http://{addr}"),
                "--artifact",
                "app.tar",
                "--env",
                "prod",
                "--token-file",
                "ci.jwt",
                "--output",
                out,
            ])
            .current_dir(dir)
            .output()
            .unwrap()
    };
    // No decision yet: refused, exit 1, the reason on stderr.
    let r = exchange("cred.jwt");
    assert_eq!(
        r.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert!(String::from_utf8_lossy(&r.stderr).contains("no gate decision"));
    // The gate allowed it: a credential, written 0600 and never shown on stderr.
    admin_append(
        &addr,
        &admin,
        &serde_json::json!({"type": "gate-decision", "actor": "ci",
        "subject": digest, "environment": "prod", "payload": {"allow": true, "policy_digest": policy}}),
    );
    let r = exchange("cred.jwt");
    let err = String::from_utf8_lossy(&r.stderr).to_string();
    assert_eq!(r.status.code(), Some(0), "{err}");
    let cred = std::fs::read_to_string(dir.join("cred.jwt")).unwrap();
    assert_eq!(cred.split('.').count(), 3);
    assert!(!err.contains(&cred) && err.contains("valid 300 s"), "{err}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("cred.jwt"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A later DENY: refused again.
    admin_append(
        &addr,
        &admin,
        &serde_json::json!({"type": "gate-decision", "actor": "ci",
        "subject": digest, "environment": "prod", "payload": {"allow": false, "policy_digest": policy}}),
    );
    let r = exchange("cred2.jwt");
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("DENY"));
    assert!(!dir.join("cred2.jwt").exists());
    let _ = server.kill();
    let _ = server.wait();
}
