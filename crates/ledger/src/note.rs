//! C2SP signed notes (`c2sp.org/signed-note`) with Ed25519 keys, C2SP checkpoints
//! (`c2sp.org/tlog-checkpoint`) and witness cosignatures (`c2sp.org/tlog-cosignature`).
//!
//! Written from the specifications: no Rust crate implements signed notes on aws-lc-rs.

use crate::merkle::Hash;
use aws_lc_rs::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

/// Signature type byte of an Ed25519 note signature.
pub const ALG_ED25519: u8 = 0x01;
/// Signature type byte of an Ed25519 checkpoint cosignature (tlog-cosignature v1).
pub const ALG_COSIGNATURE_V1: u8 = 0x04;
/// Most signature lines a note may carry before we refuse to look at it.
const MAX_SIGNATURES: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("malformed note: {0}")]
    Malformed(String),
    #[error("malformed key: {0}")]
    BadKey(String),
    #[error("no valid signature by {0}")]
    NotSigned(String),
    #[error("malformed checkpoint: {0}")]
    BadCheckpoint(String),
    #[error("checkpoint origin is {found:?}, expected {expected:?}")]
    WrongOrigin { expected: String, found: String },
    #[error("only {got} of the {need} required witness cosignatures verify")]
    Quorum { got: usize, need: usize },
}

/// `SHA-256(name || 0x0A || alg || public key)[..4]`.
pub fn key_id(name: &str, alg: u8, public: &[u8]) -> [u8; 4] {
    let d = key_hash(name, alg, public);
    [d[0], d[1], d[2], d[3]]
}

/// `SHA-256(name || 0x0A || alg || public key)`: the full hash whose first four bytes are the
/// key id. It is the log's `logId` in bundles and trusted roots (see `trusted_root`).
pub fn key_hash(name: &str, alg: u8, public: &[u8]) -> [u8; 32] {
    let mut buf = Vec::with_capacity(name.len() + 2 + public.len());
    buf.extend_from_slice(name.as_bytes());
    buf.push(b'\n');
    buf.push(alg);
    buf.extend_from_slice(public);
    tollgate_model::sha256(&buf).0
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.contains('+') && !name.chars().any(char::is_whitespace)
}

/// A public key that verifies note signatures: `<name>+<hex key id>+<base64(alg || key)>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    pub name: String,
    pub id: [u8; 4],
    pub alg: u8,
    pub public: [u8; 32],
}

impl Verifier {
    pub fn parse(s: &str) -> Result<Verifier, NoteError> {
        let s = s.trim();
        let mut parts = s.splitn(3, '+');
        let (Some(name), Some(hexid), Some(key)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(NoteError::BadKey("expected name+hash+key".into()));
        };
        if !valid_name(name) {
            return Err(NoteError::BadKey(format!("bad key name {name:?}")));
        }
        let mut id = [0u8; 4];
        if hexid.len() != 8 || hex::decode_to_slice(hexid, &mut id).is_err() {
            return Err(NoteError::BadKey("key hash must be 8 hex digits".into()));
        }
        let raw = B64
            .decode(key)
            .map_err(|_| NoteError::BadKey("key is not base64".into()))?;
        if raw.len() != 33 || !(raw[0] == ALG_ED25519 || raw[0] == ALG_COSIGNATURE_V1) {
            return Err(NoteError::BadKey(
                "only Ed25519 keys (type 0x01 or 0x04) are supported".into(),
            ));
        }
        let mut public = [0u8; 32];
        public.copy_from_slice(&raw[1..]);
        if key_id(name, raw[0], &public) != id {
            return Err(NoteError::BadKey("key hash does not match the key".into()));
        }
        Ok(Verifier {
            name: name.to_string(),
            id,
            alg: raw[0],
            public,
        })
    }

    pub fn new(name: &str, alg: u8, public: [u8; 32]) -> Result<Verifier, NoteError> {
        if !valid_name(name) {
            return Err(NoteError::BadKey(format!("bad key name {name:?}")));
        }
        Ok(Verifier {
            name: name.to_string(),
            id: key_id(name, alg, &public),
            alg,
            public,
        })
    }

    /// The full key hash (see [`key_hash`]).
    pub fn key_hash(&self) -> [u8; 32] {
        key_hash(&self.name, self.alg, &self.public)
    }

    pub fn encode(&self) -> String {
        let mut raw = vec![self.alg];
        raw.extend_from_slice(&self.public);
        format!("{}+{}+{}", self.name, hex::encode(self.id), B64.encode(raw))
    }

    fn check(&self, msg: &[u8], sig: &[u8]) -> bool {
        UnparsedPublicKey::new(&ED25519, &self.public)
            .verify(msg, sig)
            .is_ok()
    }
}

/// A note signer: a name and an Ed25519 key pair.
pub struct Signer {
    pub name: String,
    key: Ed25519KeyPair,
    public: [u8; 32],
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").field("name", &self.name).finish()
    }
}

impl Signer {
    pub fn from_key_pair(name: &str, key: Ed25519KeyPair) -> Result<Signer, NoteError> {
        if !valid_name(name) {
            return Err(NoteError::BadKey(format!("bad key name {name:?}")));
        }
        let mut public = [0u8; 32];
        public.copy_from_slice(key.public_key().as_ref());
        Ok(Signer {
            name: name.to_string(),
            key,
            public,
        })
    }

    /// Parses `PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>`.
    pub fn parse(s: &str) -> Result<Signer, NoteError> {
        let rest = s
            .trim()
            .strip_prefix("PRIVATE+KEY+")
            .ok_or_else(|| NoteError::BadKey("expected PRIVATE+KEY+…".into()))?;
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(hexid), Some(key)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(NoteError::BadKey("expected name+hash+key".into()));
        };
        let raw = B64
            .decode(key)
            .map_err(|_| NoteError::BadKey("key is not base64".into()))?;
        if raw.len() != 33 || raw[0] != ALG_ED25519 {
            return Err(NoteError::BadKey("only Ed25519 signer keys".into()));
        }
        let kp = Ed25519KeyPair::from_seed_unchecked(&raw[1..])
            .map_err(|_| NoteError::BadKey("bad Ed25519 seed".into()))?;
        let signer = Signer::from_key_pair(name, kp)?;
        if hex::encode(signer.verifier().id) != hexid {
            return Err(NoteError::BadKey("key hash does not match the key".into()));
        }
        Ok(signer)
    }

    pub fn verifier(&self) -> Verifier {
        Verifier {
            name: self.name.clone(),
            id: key_id(&self.name, ALG_ED25519, &self.public),
            alg: ALG_ED25519,
            public: self.public,
        }
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.public
    }

    pub fn key_pair(&self) -> &Ed25519KeyPair {
        &self.key
    }

    /// One signature line for `text` (which must end in a newline).
    pub fn sign_line(&self, text: &str) -> String {
        let sig = self.key.sign(text.as_bytes());
        let mut raw = key_id(&self.name, ALG_ED25519, &self.public).to_vec();
        raw.extend_from_slice(sig.as_ref());
        format!("— {} {}\n", self.name, B64.encode(raw))
    }

    /// Signs `text` into a complete signed note.
    pub fn sign(&self, text: &str) -> Result<String, NoteError> {
        check_text(text)?;
        Ok(format!("{text}\n{}", self.sign_line(text)))
    }

    /// Adds a tlog-cosignature v1 line (as a witness would) for the checkpoint `body`.
    pub fn cosign_line(&self, body: &str, timestamp: u64) -> String {
        let msg = format!("cosignature/v1\ntime {timestamp}\n{body}");
        let sig = self.key.sign(msg.as_bytes());
        let mut raw = key_id(&self.name, ALG_COSIGNATURE_V1, &self.public).to_vec();
        raw.extend_from_slice(&timestamp.to_be_bytes());
        raw.extend_from_slice(sig.as_ref());
        format!("— {} {}\n", self.name, B64.encode(raw))
    }

    /// The verifier of this key's cosignatures.
    pub fn cosignature_verifier(&self) -> Verifier {
        Verifier {
            name: self.name.clone(),
            id: key_id(&self.name, ALG_COSIGNATURE_V1, &self.public),
            alg: ALG_COSIGNATURE_V1,
            public: self.public,
        }
    }
}

fn check_text(text: &str) -> Result<(), NoteError> {
    if !text.ends_with('\n') {
        return Err(NoteError::Malformed("text must end with a newline".into()));
    }
    if text.contains("\n\n") || text.starts_with('\n') {
        return Err(NoteError::Malformed(
            "text must not contain a blank line".into(),
        ));
    }
    if text
        .chars()
        .any(|c| c != '\n' && (c.is_control() || c == '\u{2028}' || c == '\u{2029}'))
    {
        return Err(NoteError::Malformed("text has control characters".into()));
    }
    Ok(())
}

/// One parsed signature line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    pub name: String,
    pub id: [u8; 4],
    pub sig: Vec<u8>,
}

/// A parsed (not yet verified) signed note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub text: String,
    pub signatures: Vec<NoteSignature>,
}

impl Note {
    pub fn parse(raw: &str) -> Result<Note, NoteError> {
        let split = raw
            .rfind("\n\n")
            .ok_or_else(|| NoteError::Malformed("no blank line before the signatures".into()))?;
        let text = &raw[..split + 1];
        check_text(text)?;
        let sigs = &raw[split + 2..];
        if !sigs.ends_with('\n') {
            return Err(NoteError::Malformed(
                "signature block must end with a newline".into(),
            ));
        }
        let mut signatures = Vec::new();
        for line in sigs[..sigs.len() - 1].split('\n') {
            if signatures.len() >= MAX_SIGNATURES {
                return Err(NoteError::Malformed("too many signatures".into()));
            }
            let rest = line
                .strip_prefix("— ")
                .ok_or_else(|| NoteError::Malformed(format!("bad signature line {line:?}")))?;
            let (name, b64) = rest
                .split_once(' ')
                .ok_or_else(|| NoteError::Malformed(format!("bad signature line {line:?}")))?;
            if !valid_name(name) {
                return Err(NoteError::Malformed(format!("bad key name {name:?}")));
            }
            let raw = B64
                .decode(b64)
                .map_err(|_| NoteError::Malformed(format!("signature of {name} is not base64")))?;
            if raw.len() < 5 {
                return Err(NoteError::Malformed(format!(
                    "signature of {name} is too short"
                )));
            }
            signatures.push(NoteSignature {
                name: name.to_string(),
                id: [raw[0], raw[1], raw[2], raw[3]],
                sig: raw[4..].to_vec(),
            });
        }
        if signatures.is_empty() {
            return Err(NoteError::Malformed("note has no signatures".into()));
        }
        Ok(Note {
            text: text.to_string(),
            signatures,
        })
    }

    fn matching<'a>(&'a self, v: &'a Verifier) -> impl Iterator<Item = &'a NoteSignature> + 'a {
        self.signatures
            .iter()
            .filter(move |s| s.name == v.name && s.id == v.id)
    }

    /// Verifies a note signature (type 0x01) by `v`.
    pub fn verify(&self, v: &Verifier) -> Result<(), NoteError> {
        if v.alg == ALG_ED25519
            && self
                .matching(v)
                .any(|s| v.check(self.text.as_bytes(), &s.sig))
        {
            return Ok(());
        }
        Err(NoteError::NotSigned(v.name.clone()))
    }

    /// Verifies a cosignature (type 0x04) by witness `v`; returns its timestamp.
    pub fn verify_cosignature(&self, v: &Verifier) -> Result<u64, NoteError> {
        if v.alg == ALG_COSIGNATURE_V1 {
            for s in self.matching(v) {
                if s.sig.len() != 72 {
                    continue;
                }
                let ts = u64::from_be_bytes(s.sig[..8].try_into().expect("8 bytes"));
                let msg = format!("cosignature/v1\ntime {ts}\n{}", self.text);
                if v.check(msg.as_bytes(), &s.sig[8..]) {
                    return Ok(ts);
                }
            }
        }
        Err(NoteError::NotSigned(v.name.clone()))
    }

    pub fn encode(&self) -> String {
        let mut out = format!("{}\n", self.text);
        for s in &self.signatures {
            let mut raw = s.id.to_vec();
            raw.extend_from_slice(&s.sig);
            out.push_str(&format!("— {} {}\n", s.name, B64.encode(raw)));
        }
        out
    }
}

/// A checkpoint body: origin, tree size, root hash, optional extension lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    pub extensions: Vec<String>,
}

impl Checkpoint {
    pub fn body(&self) -> String {
        let mut s = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        );
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        s
    }

    pub fn parse_body(text: &str) -> Result<Checkpoint, NoteError> {
        let bad = |m: &str| NoteError::BadCheckpoint(m.to_string());
        let body = text
            .strip_suffix('\n')
            .ok_or_else(|| bad("must end with a newline"))?;
        let mut lines = body.split('\n');
        let origin = lines
            .next()
            .filter(|o| !o.is_empty())
            .ok_or_else(|| bad("no origin"))?;
        let size_s = lines.next().ok_or_else(|| bad("no tree size"))?;
        if size_s.is_empty()
            || !size_s.bytes().all(|b| b.is_ascii_digit())
            || (size_s.len() > 1 && size_s.starts_with('0'))
        {
            return Err(bad(
                "tree size must be a decimal number without leading zeros",
            ));
        }
        let size = size_s
            .parse::<u64>()
            .map_err(|_| bad("tree size too large"))?;
        let root_s = lines.next().ok_or_else(|| bad("no root hash"))?;
        let root: Hash = B64
            .decode(root_s)
            .ok()
            .and_then(|r| r.try_into().ok())
            .ok_or_else(|| bad("root hash must be 32 bytes of base64"))?;
        let extensions: Vec<String> = lines.map(str::to_string).collect();
        if extensions.iter().any(String::is_empty) {
            return Err(bad("empty extension line"));
        }
        Ok(Checkpoint {
            origin: origin.to_string(),
            size,
            root,
            extensions,
        })
    }
}

/// A checkpoint whose log signature has been verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    pub checkpoint: Checkpoint,
    pub note: Note,
}

impl SignedCheckpoint {
    /// Parses a signed checkpoint and verifies it against the log's key; the origin must be the
    /// key's name (the C2SP convention).
    pub fn verify(raw: &str, log: &Verifier) -> Result<SignedCheckpoint, NoteError> {
        let note = Note::parse(raw)?;
        let checkpoint = Checkpoint::parse_body(&note.text)?;
        if checkpoint.origin != log.name {
            return Err(NoteError::WrongOrigin {
                expected: log.name.clone(),
                found: checkpoint.origin,
            });
        }
        note.verify(log)?;
        Ok(SignedCheckpoint { checkpoint, note })
    }
}

/// Which witnesses must have cosigned a checkpoint: at least `quorum` of `witnesses`.
#[derive(Debug, Clone, Default)]
pub struct WitnessPolicy {
    pub witnesses: Vec<Verifier>,
    pub quorum: usize,
}

impl WitnessPolicy {
    /// Names of the witnesses whose cosignatures verify; an error when fewer than the quorum.
    pub fn check(&self, note: &Note) -> Result<Vec<String>, NoteError> {
        let mut ok: Vec<String> = Vec::new();
        for w in &self.witnesses {
            if note.verify_cosignature(w).is_ok() && !ok.contains(&w.name) {
                ok.push(w.name.clone());
            }
        }
        if ok.len() < self.quorum {
            return Err(NoteError::Quorum {
                got: ok.len(),
                need: self.quorum,
            });
        }
        Ok(ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIGNER: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const VERIFIER: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const TEXT: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";

    #[test]
    fn signed_note_vector_reproduces_byte_for_byte() {
        let signer = Signer::parse(SIGNER).unwrap();
        assert_eq!(signer.verifier().encode(), VERIFIER);
        let note = signer.sign(TEXT).unwrap();
        let want = format!(
            "{TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
        );
        assert_eq!(note, want);
        let parsed = Note::parse(&note).unwrap();
        parsed.verify(&Verifier::parse(VERIFIER).unwrap()).unwrap();
        assert_eq!(parsed.encode(), note);
    }

    #[test]
    fn c2sp_example_verifies_and_a_changed_text_does_not() {
        let v = Verifier::parse(
            "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        )
        .unwrap();
        let note = "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";
        Note::parse(note).unwrap().verify(&v).unwrap();
        let changed = note.replace("example message", "exemple message");
        assert!(Note::parse(&changed).unwrap().verify(&v).is_err());
        let other = Verifier::parse(VERIFIER).unwrap();
        assert!(Note::parse(note).unwrap().verify(&other).is_err());
    }

    #[test]
    fn bad_keys_and_notes_are_errors() {
        assert!(
            Verifier::parse("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
                .is_err()
        );
        assert!(Verifier::parse("nonsense").is_err());
        assert!(Note::parse("no blank line\n— a AAAAAAA=\n").is_err());
        assert!(Note::parse("text\n\n").is_err());
        assert!(Note::parse("text\n\n— a !!!\n").is_err());
        assert!(Note::parse("text\n\nnot a sig\n").is_err());
        assert!(Checkpoint::parse_body("o\n01\nAAAA\n").is_err());
        assert!(Checkpoint::parse_body("o\n1\nAAAA\n").is_err());
        assert!(Checkpoint::parse_body("o\n1\n").is_err());
    }

    #[test]
    fn cosignatures_count_toward_a_quorum() {
        let log = Signer::parse(SIGNER).unwrap();
        let w1 = Signer::from_key_pair("w1.example", Ed25519KeyPair::generate().unwrap()).unwrap();
        let w2 = Signer::from_key_pair("w2.example", Ed25519KeyPair::generate().unwrap()).unwrap();
        let cp = Checkpoint {
            origin: "PeterNeumann".into(),
            size: 3,
            root: [7; 32],
            extensions: vec![],
        };
        let body = cp.body();
        let signed = format!(
            "{}{}",
            log.sign(&body).unwrap(),
            w1.cosign_line(&body, 1_700_000_000)
        );
        let sc = SignedCheckpoint::verify(&signed, &log.verifier()).unwrap();
        assert_eq!(sc.checkpoint, cp);
        let policy = WitnessPolicy {
            witnesses: vec![w1.cosignature_verifier(), w2.cosignature_verifier()],
            quorum: 1,
        };
        assert_eq!(policy.check(&sc.note).unwrap(), vec!["w1.example"]);
        let strict = WitnessPolicy {
            quorum: 2,
            ..policy
        };
        assert_eq!(
            strict.check(&sc.note),
            Err(NoteError::Quorum { got: 1, need: 2 })
        );
        // A note signature by the witness key is not a cosignature.
        assert!(sc.note.verify_cosignature(&log.verifier()).is_err());
        // Round trip of the cosignature verifier key text.
        let v = w1.cosignature_verifier();
        assert_eq!(Verifier::parse(&v.encode()).unwrap(), v);
    }
}
