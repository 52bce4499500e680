//! Our encrypted PKCS#8 keys are readable by `openssl pkey`, and OpenSSL's PBES2 keys by us.

mod common;

use std::process::Command;
use tollgate_attest::keys::{self, KeyAlgorithm, PrivateKey, PublicKey};

fn have_openssl() -> bool {
    common::require("openssl", Command::new("openssl").arg("version"))
}

#[test]
fn openssl_reads_our_encrypted_keys() {
    if !have_openssl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for alg in [KeyAlgorithm::EcdsaP256, KeyAlgorithm::Ed25519] {
        let k = PrivateKey::generate(alg).unwrap();
        let pem = keys::write_private_pem(&k, Some(b"correct horse")).unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        let path = dir.path().join(format!("{alg}.key"));
        std::fs::write(&path, &pem).unwrap();
        let out = Command::new("openssl")
            .args(["pkey", "-pubout", "-passin", "pass:correct horse", "-in"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let public = PublicKey::from_pem(&String::from_utf8(out.stdout).unwrap()).unwrap();
        assert_eq!(&public, k.public_key(), "{alg}");
        // The structure is PBES2 / PBKDF2-HMAC-SHA256 / AES-256-CBC.
        let out = Command::new("openssl")
            .args(["asn1parse", "-in"])
            .arg(&path)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("PBES2") && text.contains("PBKDF2"), "{text}");
        assert!(
            text.contains("hmacWithSHA256") && text.contains("aes-256-cbc"),
            "{text}"
        );
        // Wrong password: openssl refuses.
        let out = Command::new("openssl")
            .args(["pkey", "-pubout", "-passin", "pass:wrong", "-in"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(!out.status.success());
    }
}

#[test]
fn we_read_openssl_pbes2_keys() {
    if !have_openssl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.pem");
    let enc = dir.path().join("enc.pem");
    let ok = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
        ])
        .arg(&plain)
        .status()
        .unwrap();
    assert!(ok.success());
    let ok = Command::new("openssl")
        .args([
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-128-cbc",
            "-v2prf",
            "hmacWithSHA512",
            "-passout",
            "pass:pw",
            "-in",
        ])
        .arg(&plain)
        .arg("-out")
        .arg(&enc)
        .status()
        .unwrap();
    assert!(ok.success());
    let text = std::fs::read_to_string(&enc).unwrap();
    let k: PrivateKey = keys::read_private_pem(&text, Some(b"pw")).unwrap();
    assert_eq!(k.algorithm(), KeyAlgorithm::EcdsaP256);
    let plain_key: PrivateKey =
        keys::read_private_pem(&std::fs::read_to_string(&plain).unwrap(), None).unwrap();
    assert_eq!(plain_key.public_key(), k.public_key());
}
