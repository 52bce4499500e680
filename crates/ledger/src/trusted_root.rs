//! A Sigstore `trusted_root.json`-style document naming the log's key, so Sigstore bundle
//! verifiers (and the attest crate) can trust entries and checkpoints from this log.

use crate::note::Verifier;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};

pub const MEDIA_TYPE: &str = "application/vnd.dev.sigstore.trustedroot+json;version=0.1";

/// DER SubjectPublicKeyInfo of an Ed25519 key (RFC 8410): a fixed 12-byte prefix and the key.
pub fn ed25519_spki(public: &[u8; 32]) -> Vec<u8> {
    let mut der = vec![
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    der.extend_from_slice(public);
    der
}

/// The trusted root listing this log (`base_url` is where its tiles are served; empty =
/// `https://<origin>`).
///
/// `logId.keyId` (and `checkpointKeyId.keyId`) is the C2SP signed-note key hash
/// `SHA-256(origin || 0x0A || 0x01 || key)`, not Rekor v1's `SHA-256(SPKI)`: both Sigstore
/// verifiers match a checkpoint signature by its 4-byte key hint against the first four bytes
/// of the log id, and a C2SP note's hint is the prefix of that hash, so one signature line
/// satisfies C2SP note verifiers, `@sigstore/verify` and `sigstore-verify` alike. Bundle
/// entries carry the same `logId`, which also selects the key for the signed entry timestamp.
/// `@sigstore/verify` further requires `baseUrl` to match the checkpoint signer's name, hence
/// the default.
pub fn trusted_root(v: &Verifier, base_url: &str, valid_from: &str) -> Value {
    let spki = ed25519_spki(&v.public);
    let key_id = v.key_hash();
    let base_url = if base_url.is_empty() {
        format!("https://{}", v.name)
    } else {
        base_url.to_string()
    };
    json!({
        "mediaType": MEDIA_TYPE,
        "tlogs": [{
            "baseUrl": base_url,
            "hashAlgorithm": "SHA2_256",
            "publicKey": {
                "rawBytes": B64.encode(&spki),
                "keyDetails": "PKIX_ED25519",
                "validFor": { "start": valid_from }
            },
            "logId": { "keyId": B64.encode(key_id) },
            "checkpointKeyId": { "keyId": B64.encode(key_id) },
        }],
        "certificateAuthorities": [],
        "ctlogs": [],
        "timestampAuthorities": []
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};

    #[test]
    fn spki_matches_aws_lc_encoding() {
        let kp = Ed25519KeyPair::generate().unwrap();
        let mut public = [0u8; 32];
        public.copy_from_slice(kp.public_key().as_ref());
        let der = kp.public_key().as_der().unwrap();
        assert_eq!(ed25519_spki(&public), der.as_ref());
        let v = Verifier::new("log.example", crate::note::ALG_ED25519, public).unwrap();
        let root = trusted_root(&v, "https://log.example", "2026-01-01T00:00:00Z");
        assert_eq!(root["tlogs"][0]["publicKey"]["keyDetails"], "PKIX_ED25519");
        assert_eq!(root["mediaType"], MEDIA_TYPE);
    }
}
