//! Transparency-log entries inside bundles (`verificationMaterial.tlogEntries[]`).
//!
//! A signature or attestation is logged as the Rekor v1 *canonicalized body* of the bundle's
//! content, exactly what Sigstore verifiers recompute the Merkle leaf from
//! (`leaf = SHA-256(0x00 || canonicalizedBody)`) and compare with the bundle:
//!
//! | bundle content | body kind / apiVersion | what the verifiers compare |
//! |---|---|---|
//! | `messageSignature` | `hashedrekord` `0.0.1` | artifact SHA-256 (hex), signature, signer public key (PEM) |
//! | `dsseEnvelope` | `dsse` `0.0.1` | payload SHA-256 (hex), the one signature, verifier public key (PEM) |
//!
//! Bodies are RFC 8785 canonical JSON (Rekor v1 canonicalizes the same way). The log (crate
//! `tollgate-ledger`) appends the body as a leaf and returns the entry with its inclusion proof,
//! signed checkpoint and signed entry timestamp; [`Bundle::tlog_entries`] carries it.
//!
//! [`EntrySummary`] reads back what a verifier needs to report (origin, tree size) and
//! cross-checks the fields Rekor v1 duplicates outside the signed checkpoint.

use crate::bundle::{Bundle, BundleError, Content};
use crate::keys::PublicKey;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

/// `hashedrekord` v0.0.1: a message signature over an artifact digest.
pub const HASHEDREKORD: (&str, &str) = ("hashedrekord", "0.0.1");
/// `dsse` v0.0.1: a DSSE envelope.
pub const DSSE: (&str, &str) = ("dsse", "0.0.1");

/// A Rekor v1 canonicalized body, ready to be logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogBody {
    pub kind: &'static str,
    pub version: &'static str,
    /// RFC 8785 canonical JSON: the Merkle leaf's content.
    pub canonical: Vec<u8>,
}

fn hex_sha256(bytes: &[u8]) -> String {
    tollgate_model::sha256(bytes).hex()
}

fn canonical(v: &Value) -> Vec<u8> {
    // Values built here are objects of strings and arrays; canonicalization cannot fail.
    serde_json_canonicalizer::to_vec(v).unwrap_or_default()
}

/// The body that logs `bundle`'s signature made with `key`.
pub fn log_body(bundle: &Bundle, key: &PublicKey) -> Result<LogBody, BundleError> {
    let pem = STANDARD.encode(key.to_pem());
    match &bundle.content {
        Content::MessageSignature { digest, signature } => {
            let digest = digest.ok_or(BundleError::Field("messageSignature.messageDigest"))?;
            let v = json!({
                "apiVersion": HASHEDREKORD.1,
                "kind": HASHEDREKORD.0,
                "spec": {
                    "data": {"hash": {"algorithm": "sha256", "value": digest.hex()}},
                    "signature": {"content": STANDARD.encode(signature), "publicKey": {"content": pem}},
                },
            });
            Ok(LogBody {
                kind: HASHEDREKORD.0,
                version: HASHEDREKORD.1,
                canonical: canonical(&v),
            })
        }
        Content::Dsse(env) => {
            let [sig] = env.signatures.as_slice() else {
                return Err(BundleError::Field("dsseEnvelope.signatures (exactly one)"));
            };
            let v = json!({
                "apiVersion": DSSE.1,
                "kind": DSSE.0,
                "spec": {
                    "envelopeHash": {"algorithm": "sha256", "value": hex_sha256(&canonical(&env.to_value()))},
                    "payloadHash": {"algorithm": "sha256", "value": hex_sha256(&env.payload)},
                    "signatures": [{"signature": STANDARD.encode(&sig.sig), "verifier": pem}],
                },
            });
            Ok(LogBody {
                kind: DSSE.0,
                version: DSSE.1,
                canonical: canonical(&v),
            })
        }
    }
}

/// What one `tlogEntries[]` element says, read without verifying anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrySummary {
    pub log_index: u64,
    /// `kindVersion` as `kind/version`.
    pub kind_version: String,
    /// The signed checkpoint's origin line (the log's name) and tree size, when the entry
    /// carries an inclusion proof.
    pub checkpoint: Option<(String, u64)>,
    /// `integratedTime` (Unix seconds) when present.
    pub integrated_time: Option<i64>,
    /// Whether a signed entry timestamp (`inclusionPromise`) is present.
    pub promise: bool,
}

fn int_field(v: &Value, field: &'static str) -> Result<u64, String> {
    match v.get(field) {
        Some(Value::String(s)) => s.parse().map_err(|_| format!("{field} is not an integer")),
        Some(Value::Number(n)) => n
            .as_u64()
            .ok_or_else(|| format!("{field} is not an integer")),
        _ => Err(format!("{field} is missing")),
    }
}

impl EntrySummary {
    /// Reads an entry. For Rekor v1 entries (all tollgate writes) it also checks that the
    /// fields duplicated outside the signed checkpoint agree with it (`inclusionProof.treeSize`
    /// and `rootHash` = the checkpoint's): some verifiers take one, some the other, so a
    /// disagreement is tampering. Rekor v2 declares them unauthenticated.
    pub fn read(entry: &Value) -> Result<EntrySummary, String> {
        let log_index = int_field(entry, "logIndex")?;
        let kind = entry
            .pointer("/kindVersion/kind")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let version = entry
            .pointer("/kindVersion/version")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let rekor_v2 = version == "0.0.2" && kind != "intoto";
        let integrated_time = match entry.get("integratedTime") {
            None => None,
            Some(_) => Some(int_field(entry, "integratedTime")? as i64),
        };
        let mut summary = EntrySummary {
            log_index,
            kind_version: format!("{kind}/{version}"),
            checkpoint: None,
            integrated_time,
            promise: entry.get("inclusionPromise").is_some(),
        };
        let Some(proof) = entry.get("inclusionProof") else {
            return Ok(summary);
        };
        let envelope = proof
            .pointer("/checkpoint/envelope")
            .and_then(Value::as_str)
            .ok_or("inclusionProof.checkpoint.envelope is missing")?;
        let mut lines = envelope.lines();
        let origin = lines.next().unwrap_or_default().to_string();
        let tree_size: u64 = lines
            .next()
            .and_then(|l| l.parse().ok())
            .ok_or("checkpoint has no tree size line")?;
        let root = lines
            .next()
            .and_then(|l| STANDARD.decode(l).ok())
            .ok_or("checkpoint has no root hash line")?;
        if !rekor_v2 {
            // `logIndex` may differ from `inclusionProof.logIndex`: Rekor v1 numbers entries
            // across its shards, the proof within the shard's tree.
            int_field(proof, "logIndex")?;
            if int_field(proof, "treeSize")? != tree_size {
                return Err(format!(
                    "inclusionProof.treeSize differs from the checkpoint's size {tree_size}"
                ));
            }
            let proof_root = proof
                .get("rootHash")
                .and_then(Value::as_str)
                .and_then(|s| STANDARD.decode(s).ok())
                .ok_or("inclusionProof.rootHash is missing or not base64")?;
            if proof_root != root {
                return Err("inclusionProof.rootHash differs from the checkpoint's root".into());
            }
        }
        summary.checkpoint = Some((origin, tree_size));
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{KeyAlgorithm, PrivateKey};
    use crate::statement::{Statement, Subject, TEST_RESULT_V01};

    #[test]
    fn bodies_are_canonical_rekor_v1() {
        let k = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let d = tollgate_model::sha256(b"artifact");
        let b = Bundle::sign_message(&k, &d, None).unwrap();
        let body = log_body(&b, k.public_key()).unwrap();
        let text = String::from_utf8(body.canonical.clone()).unwrap();
        assert!(
            text.starts_with(r#"{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{"data":{"hash":{"algorithm":"sha256","value":""#),
            "{text}"
        );
        assert!(text.contains(&d.hex()));
        let v: Value = serde_json::from_str(&text).unwrap();
        let pem = STANDARD
            .decode(
                v["spec"]["signature"]["publicKey"]["content"]
                    .as_str()
                    .unwrap(),
            )
            .unwrap();
        assert_eq!(String::from_utf8(pem).unwrap(), k.public_key().to_pem());

        let att = crate::attest_statement(
            &k,
            Statement::new(
                vec![Subject::sha256("a", &d)],
                TEST_RESULT_V01,
                json!({"result": "PASSED"}),
            ),
        )
        .unwrap();
        let body = log_body(&att, k.public_key()).unwrap();
        assert_eq!((body.kind, body.version), DSSE);
        let v: Value = serde_json::from_slice(&body.canonical).unwrap();
        assert_eq!(
            v["spec"]["payloadHash"]["value"],
            hex_sha256(&att.envelope().unwrap().payload)
        );
        assert_eq!(canonical(&v), body.canonical);
    }

    #[test]
    fn summary_cross_checks_duplicated_fields() {
        let root = STANDARD.encode([7u8; 32]);
        let entry = json!({
            "logIndex": "3",
            "integratedTime": "1700000000",
            "inclusionPromise": {"signedEntryTimestamp": "AA=="},
            "inclusionProof": {"logIndex": "3", "treeSize": "5", "rootHash": root,
                "hashes": [], "checkpoint": {"envelope": format!("log.example\n5\n{root}\n\n— log.example AAAA\n")}},
        });
        let s = EntrySummary::read(&entry).unwrap();
        assert_eq!(s.log_index, 3);
        assert_eq!(s.checkpoint, Some(("log.example".to_string(), 5)));
        assert_eq!(s.integrated_time, Some(1_700_000_000));
        for (ptr, bad) in [
            ("/inclusionProof/treeSize", json!("6")),
            (
                "/inclusionProof/rootHash",
                json!(STANDARD.encode([8u8; 32])),
            ),
            ("/inclusionProof/checkpoint/envelope", json!("x")),
            ("/logIndex", json!("minus one")),
        ] {
            let mut e = entry.clone();
            *e.pointer_mut(ptr).unwrap() = bad;
            assert!(EntrySummary::read(&e).is_err(), "{ptr}");
        }
    }
}
