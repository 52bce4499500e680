//! Sigstore bundle v0.3 JSON (`application/vnd.dev.sigstore.bundle.v0.3+json`), the subset a
//! key-based signer writes: a public-key hint and either a `messageSignature` or a
//! `dsseEnvelope`. Transparency-log entries and timestamps are carried through untouched.
//!
//! Keyless bundles (certificates, Rekor entries) are verified by `sigstore-verify`
//! (see [`crate::keyless`]); this module only needs to read enough to route them.

use crate::dsse::{DsseError, Envelope, b64_decode};
use crate::keys::{KeyError, Signer};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use tollgate_model::Digest;

/// Media type tollgate writes.
pub const MEDIA_TYPE_V03: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
/// Media types tollgate reads.
pub const KNOWN_MEDIA_TYPES: &[&str] = &[
    MEDIA_TYPE_V03,
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
    "application/vnd.dev.sigstore.bundle+json;version=0.2",
    "application/vnd.dev.sigstore.bundle+json;version=0.1",
];

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("bundle is not JSON: {0}")]
    Json(String),
    #[error("bundle field {0} is missing or has the wrong type")]
    Field(&'static str),
    #[error("unknown bundle media type {0:?}")]
    MediaType(String),
    #[error("bundle has both or neither of messageSignature and dsseEnvelope")]
    Content,
    #[error("bundle field {0} is not valid base64")]
    Base64(&'static str),
    #[error("unsupported message digest algorithm {0:?} (only SHA2_256)")]
    DigestAlgorithm(String),
    #[error(
        "verificationMaterial has {0}: a bundle carries exactly one of publicKey, certificate, x509CertificateChain"
    )]
    Material(String),
    #[error(
        "messageSignature has no messageDigest: tollgate requires the digest of the artifact a message signature is over"
    )]
    MissingDigest,
    #[error(
        "the DSSE envelope has {0} signatures: the envelope of a Sigstore bundle carries exactly one"
    )]
    DsseSignatures(usize),
    #[error(transparent)]
    Dsse(#[from] DsseError),
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// How the bundle proves who signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Material {
    /// `verificationMaterial.publicKey.hint` (key-based; tollgate puts the key id here).
    PublicKeyHint(String),
    /// A Fulcio certificate or chain (keyless): verified by sigstore-verify.
    Certificate,
}

/// What was signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    MessageSignature {
        /// `messageDigest` (SHA2_256): always present in a parsed bundle
        /// ([`BundleError::MissingDigest`]).
        digest: Option<Digest>,
        signature: Vec<u8>,
    },
    Dsse(Envelope),
}

/// A parsed bundle.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    pub media_type: String,
    pub material: Material,
    pub content: Content,
    /// `verificationMaterial.tlogEntries`, untouched (empty for offline key-based bundles).
    pub tlog_entries: Vec<Value>,
    /// `verificationMaterial.timestampVerificationData`, untouched.
    pub timestamp_data: Option<Value>,
}

impl Bundle {
    /// A message-signature bundle over an artifact known by its digest. ECDSA keys sign the
    /// digest directly; Ed25519 keys need the artifact bytes (`message`).
    pub fn sign_message(
        signer: &dyn Signer,
        digest: &Digest,
        message: Option<&[u8]>,
    ) -> Result<Bundle, BundleError> {
        let signature = match signer.sign_digest(digest) {
            Ok(s) => s,
            Err(KeyError::Unsupported(_)) => match message {
                Some(m) => signer.sign(m)?,
                None => {
                    return Err(BundleError::Key(KeyError::Unsupported(
                        "this key needs the artifact bytes to sign".into(),
                    )));
                }
            },
            Err(e) => return Err(e.into()),
        };
        // Only the low-S form of an ECDSA signature is written (crate::ecdsa).
        let signature = if signer.public_key().algorithm() == crate::keys::KeyAlgorithm::EcdsaP256 {
            crate::ecdsa::to_low_s(signature)
        } else {
            signature
        };
        Ok(Bundle {
            media_type: MEDIA_TYPE_V03.to_string(),
            material: Material::PublicKeyHint(signer.key_id().to_string()),
            content: Content::MessageSignature {
                digest: Some(*digest),
                signature,
            },
            tlog_entries: Vec::new(),
            timestamp_data: None,
        })
    }

    /// A DSSE bundle (an in-toto Statement, usually).
    pub fn from_envelope(signer: &dyn Signer, envelope: Envelope) -> Bundle {
        Bundle {
            media_type: MEDIA_TYPE_V03.to_string(),
            material: Material::PublicKeyHint(signer.key_id().to_string()),
            content: Content::Dsse(envelope),
            tlog_entries: Vec::new(),
            timestamp_data: None,
        }
    }

    /// The envelope, for DSSE bundles.
    pub fn envelope(&self) -> Option<&Envelope> {
        match &self.content {
            Content::Dsse(e) => Some(e),
            Content::MessageSignature { .. } => None,
        }
    }

    /// Bundle JSON (sigstore protobuf-specs JSON mapping, camelCase).
    pub fn to_value(&self) -> Value {
        let mut vm = serde_json::Map::new();
        match &self.material {
            Material::PublicKeyHint(h) => {
                vm.insert("publicKey".into(), json!({ "hint": h }));
            }
            Material::Certificate => {}
        }
        vm.insert(
            "tlogEntries".into(),
            Value::Array(self.tlog_entries.clone()),
        );
        if let Some(t) = &self.timestamp_data {
            vm.insert("timestampVerificationData".into(), t.clone());
        }
        let mut top = serde_json::Map::new();
        top.insert("mediaType".into(), json!(self.media_type));
        top.insert("verificationMaterial".into(), Value::Object(vm));
        match &self.content {
            Content::MessageSignature { digest, signature } => {
                let mut ms = serde_json::Map::new();
                if let Some(d) = digest {
                    ms.insert(
                        "messageDigest".into(),
                        json!({"algorithm": "SHA2_256", "digest": STANDARD.encode(d.0)}),
                    );
                }
                ms.insert("signature".into(), json!(STANDARD.encode(signature)));
                top.insert("messageSignature".into(), Value::Object(ms));
            }
            Content::Dsse(e) => {
                top.insert("dsseEnvelope".into(), e.to_value());
            }
        }
        Value::Object(top)
    }

    /// Pretty JSON text with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.to_value()).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Parses a bundle strictly: known media type, exactly one kind of verification material,
    /// exactly one content kind, a `messageDigest` beside a message signature, exactly one
    /// DSSE signature, valid base64.
    pub fn from_json(bytes: &[u8]) -> Result<Bundle, BundleError> {
        let v: Value =
            serde_json::from_slice(bytes).map_err(|e| BundleError::Json(e.to_string()))?;
        let obj = v.as_object().ok_or(BundleError::Field("(top level)"))?;
        let media_type = obj
            .get("mediaType")
            .and_then(Value::as_str)
            .ok_or(BundleError::Field("mediaType"))?
            .to_string();
        if !KNOWN_MEDIA_TYPES.contains(&media_type.as_str()) {
            return Err(BundleError::MediaType(media_type));
        }
        let vm = obj
            .get("verificationMaterial")
            .and_then(Value::as_object)
            .ok_or(BundleError::Field("verificationMaterial"))?;
        // The bundle format's verification material is a oneof: a second kind beside the first
        // (a bogus certificate next to a public key, say) is a malformed bundle, not ignored.
        let kinds: Vec<&str> = ["publicKey", "certificate", "x509CertificateChain"]
            .into_iter()
            .filter(|k| vm.contains_key(*k))
            .collect();
        if kinds.len() > 1 {
            return Err(BundleError::Material(kinds.join(" and ")));
        }
        let material = if let Some(pk) = vm.get("publicKey") {
            let hint = pk
                .get("hint")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            Material::PublicKeyHint(hint)
        } else if vm.contains_key("certificate") || vm.contains_key("x509CertificateChain") {
            Material::Certificate
        } else {
            return Err(BundleError::Field(
                "verificationMaterial.publicKey|certificate",
            ));
        };
        let tlog_entries = match vm.get("tlogEntries") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a.clone(),
            Some(_) => return Err(BundleError::Field("verificationMaterial.tlogEntries")),
        };
        let timestamp_data = vm.get("timestampVerificationData").cloned();
        let content = match (obj.get("messageSignature"), obj.get("dsseEnvelope")) {
            (Some(ms), None) => {
                let sig = ms
                    .get("signature")
                    .and_then(Value::as_str)
                    .ok_or(BundleError::Field("messageSignature.signature"))?;
                let signature = STANDARD
                    .decode(sig)
                    .map_err(|_| BundleError::Base64("messageSignature.signature"))?;
                if signature.is_empty() {
                    return Err(BundleError::Field("messageSignature.signature"));
                }
                let digest = match ms.get("messageDigest") {
                    None => return Err(BundleError::MissingDigest),
                    Some(md) => {
                        let alg = md.get("algorithm").and_then(Value::as_str).unwrap_or("");
                        if alg != "SHA2_256" {
                            return Err(BundleError::DigestAlgorithm(alg.to_string()));
                        }
                        let d = md
                            .get("digest")
                            .and_then(Value::as_str)
                            .ok_or(BundleError::Field("messageSignature.messageDigest.digest"))?;
                        let bytes = b64_decode(d, "digest").map_err(|_| {
                            BundleError::Base64("messageSignature.messageDigest.digest")
                        })?;
                        let arr: [u8; 32] = bytes.try_into().map_err(|_| {
                            BundleError::Field("messageSignature.messageDigest.digest")
                        })?;
                        Some(Digest(arr))
                    }
                };
                Content::MessageSignature { digest, signature }
            }
            (None, Some(env)) => {
                let env = Envelope::from_value(env.clone())?;
                if env.signatures.len() != 1 {
                    return Err(BundleError::DsseSignatures(env.signatures.len()));
                }
                Content::Dsse(env)
            }
            _ => return Err(BundleError::Content),
        };
        Ok(Bundle {
            media_type,
            material,
            content,
            tlog_entries,
            timestamp_data,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{KeyAlgorithm, PrivateKey};

    #[test]
    fn message_bundle_roundtrip() {
        let k = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let d = tollgate_model::sha256(b"artifact");
        let b = Bundle::sign_message(&k, &d, None).unwrap();
        let text = b.to_json();
        let back = Bundle::from_json(text.as_bytes()).unwrap();
        assert_eq!(back, b);
        let Content::MessageSignature { signature, .. } = &back.content else {
            panic!()
        };
        k.public_key().verify(b"artifact", signature).unwrap();
    }

    #[test]
    fn ed25519_needs_message() {
        let k = PrivateKey::generate(KeyAlgorithm::Ed25519).unwrap();
        let d = tollgate_model::sha256(b"a");
        assert!(Bundle::sign_message(&k, &d, None).is_err());
        assert!(Bundle::sign_message(&k, &d, Some(b"a")).is_ok());
    }

    #[test]
    fn rejects_bad_bundles() {
        let cases: &[(&str, &str)] = &[
            ("not json", "{"),
            (
                "media type",
                r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.9+json","verificationMaterial":{"publicKey":{"hint":"x"}},"messageSignature":{"signature":"AA=="}}"#,
            ),
            (
                "no content",
                r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"x"}}}"#,
            ),
            (
                "truncated b64",
                r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"x"}},"messageSignature":{"signature":"AAA"}}"#,
            ),
            (
                "bad digest alg",
                r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"x"}},"messageSignature":{"messageDigest":{"algorithm":"MD5","digest":"AA=="},"signature":"AA=="}}"#,
            ),
        ];
        for (what, text) in cases {
            assert!(Bundle::from_json(text.as_bytes()).is_err(), "{what}");
        }
    }
}
