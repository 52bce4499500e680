//! DSSE envelopes (secure-systems-lab/dsse v1.0): PAE, signing, strict parsing, verification.

use crate::keys::{KeyError, PublicKey, Signer};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use serde::{Deserialize, Serialize};

/// Payload type of an in-toto Statement.
pub const INTOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

#[derive(Debug, thiserror::Error)]
pub enum DsseError {
    #[error("DSSE envelope is not valid JSON of the expected shape: {0}")]
    Json(String),
    #[error("DSSE {field} is not valid base64")]
    Base64 { field: &'static str },
    #[error("DSSE envelope has no signatures")]
    NoSignatures,
    #[error("DSSE envelope repeats a signature (keyid {0:?})")]
    DuplicateSignature(String),
    #[error("no DSSE signature verifies with the given key(s)")]
    NoValidSignature,
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// Pre-Authentication Encoding: `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + payload_type.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// One signature of an envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// Key id (tollgate always sets it: base64(SHA-256(SPKI DER))); may be empty on input.
    pub keyid: String,
    pub sig: Vec<u8>,
}

/// A DSSE envelope, payload decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub payload_type: String,
    pub payload: Vec<u8>,
    pub signatures: Vec<Signature>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireSignature {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    keyid: String,
    sig: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireEnvelope {
    payload: String,
    payload_type: String,
    signatures: Vec<WireSignature>,
}

/// DSSE allows standard or URL-safe base64, padded or not.
pub(crate) fn b64_decode(s: &str, field: &'static str) -> Result<Vec<u8>, DsseError> {
    let padded = |e: &base64::engine::GeneralPurpose| e.decode(s);
    let trimmed = s.trim_end_matches('=');
    padded(&STANDARD)
        .or_else(|_| padded(&URL_SAFE))
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(trimmed))
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(trimmed))
        .map_err(|_| DsseError::Base64 { field })
}

impl Envelope {
    /// Signs `payload` with `signer` (the signature covers the PAE).
    pub fn sign(
        payload_type: &str,
        payload: Vec<u8>,
        signer: &dyn Signer,
    ) -> Result<Self, DsseError> {
        let mut sig = signer.sign(&pae(payload_type, &payload))?;
        // Only the low-S form of an ECDSA signature is written (crate::ecdsa).
        if signer.public_key().algorithm() == crate::keys::KeyAlgorithm::EcdsaP256 {
            sig = crate::ecdsa::to_low_s(sig);
        }
        Ok(Envelope {
            payload_type: payload_type.to_string(),
            payload,
            signatures: vec![Signature {
                keyid: signer.key_id().to_string(),
                sig,
            }],
        })
    }

    /// Parses and validates an envelope from a JSON value (as found inside a bundle).
    pub fn from_value(v: serde_json::Value) -> Result<Self, DsseError> {
        let w: WireEnvelope =
            serde_json::from_value(v).map_err(|e| DsseError::Json(e.to_string()))?;
        Self::from_wire(w)
    }

    /// Parses and validates an envelope from JSON text.
    pub fn from_json(bytes: &[u8]) -> Result<Self, DsseError> {
        let w: WireEnvelope =
            serde_json::from_slice(bytes).map_err(|e| DsseError::Json(e.to_string()))?;
        Self::from_wire(w)
    }

    fn from_wire(w: WireEnvelope) -> Result<Self, DsseError> {
        let payload = b64_decode(&w.payload, "payload")?;
        if w.signatures.is_empty() {
            return Err(DsseError::NoSignatures);
        }
        let mut signatures: Vec<Signature> = Vec::with_capacity(w.signatures.len());
        for s in w.signatures {
            let sig = b64_decode(&s.sig, "signature")?;
            if sig.is_empty() {
                return Err(DsseError::Base64 { field: "signature" });
            }
            if signatures
                .iter()
                .any(|o| o.sig == sig || (!s.keyid.is_empty() && o.keyid == s.keyid))
            {
                return Err(DsseError::DuplicateSignature(s.keyid));
            }
            signatures.push(Signature {
                keyid: s.keyid,
                sig,
            });
        }
        Ok(Envelope {
            payload_type: w.payload_type,
            payload,
            signatures,
        })
    }

    /// JSON value in the DSSE wire shape (standard padded base64).
    pub fn to_value(&self) -> serde_json::Value {
        let w = WireEnvelope {
            payload: STANDARD.encode(&self.payload),
            payload_type: self.payload_type.clone(),
            signatures: self
                .signatures
                .iter()
                .map(|s| WireSignature {
                    keyid: s.keyid.clone(),
                    sig: STANDARD.encode(&s.sig),
                })
                .collect(),
        };
        serde_json::to_value(w).unwrap_or(serde_json::Value::Null)
    }

    /// JSON text.
    pub fn to_json(&self) -> String {
        self.to_value().to_string()
    }

    /// Returns the index of the first signature that verifies with `key` (trying signatures
    /// whose keyid is empty or equals the key's id).
    pub fn verify(&self, key: &PublicKey) -> Result<usize, DsseError> {
        let msg = pae(&self.payload_type, &self.payload);
        for (i, s) in self.signatures.iter().enumerate() {
            if !s.keyid.is_empty() && s.keyid != key.key_id() {
                continue;
            }
            if key.verify(&msg, &s.sig).is_ok() {
                return Ok(i);
            }
        }
        Err(DsseError::NoValidSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{KeyAlgorithm, PrivateKey};

    /// The DSSE specification's test vector (secure-systems-lab/dsse `protocol.md`): PAE and a
    /// deterministic P-256 signature in raw r||s form.
    #[test]
    fn spec_vector() {
        let p = pae("http://example.com/HelloWorld", b"hello world");
        assert_eq!(p, b"DSSEv1 29 http://example.com/HelloWorld 11 hello world");
        let d = hex::decode("d73ec437fd6346e3619c5ebfdfff0f6916804955ad32ac9ac492b0ede1f6ffb7")
            .unwrap();
        let priv_key = aws_lc_rs::agreement::PrivateKey::from_private_key(
            &aws_lc_rs::agreement::ECDH_P256,
            &d,
        )
        .unwrap();
        let point = priv_key.compute_public_key().unwrap();
        let spki = spki_for_p256(point.as_ref());
        let key = PublicKey::from_spki_der(&spki).unwrap();
        let sig = STANDARD
            .decode("A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA==")
            .unwrap();
        key.verify(&p, &sig).unwrap();
        let env = Envelope {
            payload_type: "http://example.com/HelloWorld".into(),
            payload: b"hello world".to_vec(),
            signatures: vec![Signature {
                keyid: String::new(),
                sig: sig.clone(),
            }],
        };
        assert_eq!(env.verify(&key).unwrap(), 0);
        let mut bad = env.clone();
        bad.payload = b"hello world!".to_vec();
        assert!(bad.verify(&key).is_err());
    }

    fn spki_for_p256(point: &[u8]) -> Vec<u8> {
        // SEQUENCE { SEQUENCE { ecPublicKey, prime256v1 }, BIT STRING point }
        let mut out = hex::decode("3059301306072a8648ce3d020106082a8648ce3d030107034200").unwrap();
        out.extend_from_slice(point);
        out
    }

    #[test]
    fn sign_parse_roundtrip_and_rejections() {
        let k = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let env = Envelope::sign(INTOTO_PAYLOAD_TYPE, b"{}".to_vec(), &k).unwrap();
        let json = env.to_json();
        let back = Envelope::from_json(json.as_bytes()).unwrap();
        assert_eq!(back, env);
        back.verify(k.public_key()).unwrap();
        let other = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        assert!(back.verify(other.public_key()).is_err());

        assert!(matches!(
            Envelope::from_json(br#"{"payload":"e30=","payloadType":"x","signatures":[]}"#),
            Err(DsseError::NoSignatures)
        ));
        assert!(matches!(
            Envelope::from_json(
                br#"{"payload":"e3!0","payloadType":"x","signatures":[{"sig":"AA=="}]}"#
            ),
            Err(DsseError::Base64 { .. })
        ));
        assert!(matches!(
            Envelope::from_json(br#"{"payload":"e30=","payloadType":"x","signatures":[{"keyid":"a","sig":"AA=="},{"keyid":"a","sig":"AQ=="}]}"#),
            Err(DsseError::DuplicateSignature(_))
        ));
        assert!(Envelope::from_json(b"[1]").is_err());
    }
}
