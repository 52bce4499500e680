//! Signing keys: generation, PEM files, the [`Signer`] trait and public-key verification.
//!
//! * Algorithms: ECDSA P-256 with SHA-256 (default; what every Sigstore verifier accepts) and
//!   Ed25519. ECDSA signatures are emitted as ASN.1 DER; raw `r||s` is accepted on input.
//! * Private keys: PKCS#8 PEM, encrypted by default (`ENCRYPTED PRIVATE KEY`, PBES2 with
//!   PBKDF2-HMAC-SHA256 and AES-256-CBC, see [`crate::pbes2`]); plain `PRIVATE KEY` only when
//!   asked for.
//! * Public keys: SPKI PEM (`PUBLIC KEY`). Key id = base64(SHA-256(SPKI DER)), cosign's
//!   convention.
//!
//! All cryptography is aws-lc-rs (the workspace's single backend); the `spki`/`pkcs8` crates
//! only encode and decode DER.

pub use crate::key_error::{KeyError, PASSWORD_ENV};
use crate::pbes2;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use std::fmt;
use std::path::{Path, PathBuf};

/// PEM label of an encrypted PKCS#8 private key.
pub const ENCRYPTED_PRIVATE_KEY_LABEL: &str = "ENCRYPTED PRIVATE KEY";
/// PEM label of a plain PKCS#8 private key.
pub const PRIVATE_KEY_LABEL: &str = "PRIVATE KEY";
/// PEM label of an SPKI public key.
pub const PUBLIC_KEY_LABEL: &str = "PUBLIC KEY";

const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_ED25519: &str = "1.3.101.112";

/// A signature algorithm tollgate signs and verifies with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum KeyAlgorithm {
    /// ECDSA on NIST P-256 with SHA-256 (signatures ASN.1 DER).
    #[default]
    EcdsaP256,
    /// Ed25519 (RFC 8032), signing the message itself.
    Ed25519,
}

impl KeyAlgorithm {
    /// Name used on the command line and in output: `ecdsa-p256` or `ed25519`.
    pub fn name(self) -> &'static str {
        match self {
            KeyAlgorithm::EcdsaP256 => "ecdsa-p256",
            KeyAlgorithm::Ed25519 => "ed25519",
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for KeyAlgorithm {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, KeyError> {
        match s.to_ascii_lowercase().as_str() {
            "ecdsa-p256" | "p256" | "p-256" | "ecdsa" => Ok(KeyAlgorithm::EcdsaP256),
            "ed25519" => Ok(KeyAlgorithm::Ed25519),
            other => Err(KeyError::Unsupported(other.to_string())),
        }
    }
}

/// key id = standard base64 of SHA-256 over the SPKI DER (cosign's convention).
pub fn key_id_of_spki(spki_der: &[u8]) -> String {
    B64.encode(tollgate_model::sha256(spki_der).0)
}

/// A public key (SPKI), ready to verify signatures.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    algorithm: KeyAlgorithm,
    spki_der: Vec<u8>,
    /// The BIT STRING content: an uncompressed EC point or the 32 Ed25519 bytes.
    raw: Vec<u8>,
    key_id: String,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({} {})", self.algorithm, self.key_id)
    }
}

impl PublicKey {
    /// Parses a DER SubjectPublicKeyInfo (P-256 or Ed25519).
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey, KeyError> {
        use spki::der::Decode;
        let info = spki::SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|e| KeyError::Der(e.to_string()))?;
        let oid = info.algorithm.oid.to_string();
        let algorithm = match oid.as_str() {
            OID_EC_PUBLIC_KEY => {
                let curve = info
                    .algorithm
                    .parameters_oid()
                    .map_err(|_| KeyError::Unsupported("EC key without a named curve".into()))?
                    .to_string();
                if curve != OID_P256 {
                    return Err(KeyError::Unsupported(format!("EC curve {curve}")));
                }
                KeyAlgorithm::EcdsaP256
            }
            OID_ED25519 => KeyAlgorithm::Ed25519,
            other => return Err(KeyError::Unsupported(format!("public key OID {other}"))),
        };
        let raw = info
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| KeyError::Der("public key BIT STRING has unused bits".into()))?
            .to_vec();
        let ok_len = match algorithm {
            KeyAlgorithm::EcdsaP256 => raw.len() == 65 && raw[0] == 4,
            KeyAlgorithm::Ed25519 => raw.len() == 32,
        };
        if !ok_len {
            return Err(KeyError::Der(format!(
                "{algorithm} public key has {} bytes",
                raw.len()
            )));
        }
        Ok(PublicKey {
            algorithm,
            key_id: key_id_of_spki(der),
            spki_der: der.to_vec(),
            raw,
        })
    }

    /// Parses a `-----BEGIN PUBLIC KEY-----` PEM document.
    pub fn from_pem(pem: &str) -> Result<PublicKey, KeyError> {
        let (label, der) = decode_pem(pem)?;
        if label != PUBLIC_KEY_LABEL {
            return Err(KeyError::Label {
                found: label,
                expected: PUBLIC_KEY_LABEL,
            });
        }
        PublicKey::from_spki_der(&der)
    }

    /// Reads a PEM public key file.
    pub fn read(path: &Path) -> Result<PublicKey, KeyError> {
        let text = std::fs::read_to_string(path).map_err(|source| KeyError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        PublicKey::from_pem(&text)
    }

    /// SPKI PEM text.
    pub fn to_pem(&self) -> String {
        encode_pem(PUBLIC_KEY_LABEL, &self.spki_der)
    }

    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// DER SubjectPublicKeyInfo.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// base64(SHA-256(SPKI DER)).
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Verifies an ECDSA signature over a message given by its SHA-256 `digest` (how
    /// Sigstore message signatures of large artifacts are checked without re-reading them).
    /// Ed25519 signs the message itself, so it cannot be checked from a digest.
    pub fn verify_digest(
        &self,
        digest: &tollgate_model::Digest,
        signature: &[u8],
    ) -> Result<(), KeyError> {
        if self.algorithm != KeyAlgorithm::EcdsaP256 {
            return Err(KeyError::Unsupported(
                "Ed25519 message signatures need the artifact itself, not its digest".into(),
            ));
        }
        let d = aws_lc_rs::digest::Digest::import_less_safe(&digest.0, &aws_lc_rs::digest::SHA256)
            .map_err(|_| KeyError::Sign)?;
        let ok = signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_ASN1, &self.raw)
            .verify_digest(&d, signature)
            .is_ok()
            || (signature.len() == 64
                && signature::UnparsedPublicKey::new(
                    &signature::ECDSA_P256_SHA256_FIXED,
                    &self.raw,
                )
                .verify_digest(&d, signature)
                .is_ok());
        if ok {
            Ok(())
        } else {
            Err(KeyError::BadSignature {
                key_id: self.key_id.clone(),
            })
        }
    }

    /// Verifies `signature` over `message`. ECDSA accepts ASN.1 DER and raw 64-byte `r||s`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), KeyError> {
        let ok = match self.algorithm {
            KeyAlgorithm::EcdsaP256 => {
                // DER first; a 64-byte signature that is not valid DER is raw r||s.
                signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_ASN1, &self.raw)
                    .verify(message, signature)
                    .is_ok()
                    || (signature.len() == 64
                        && signature::UnparsedPublicKey::new(
                            &signature::ECDSA_P256_SHA256_FIXED,
                            &self.raw,
                        )
                        .verify(message, signature)
                        .is_ok())
            }
            KeyAlgorithm::Ed25519 => {
                if signature.len() != 64 {
                    return Err(KeyError::MalformedSignature(format!(
                        "Ed25519 signature has {} bytes, expected 64",
                        signature.len()
                    )));
                }
                signature::UnparsedPublicKey::new(&signature::ED25519, &self.raw)
                    .verify(message, signature)
                    .is_ok()
            }
        };
        if ok {
            Ok(())
        } else {
            Err(KeyError::BadSignature {
                key_id: self.key_id.clone(),
            })
        }
    }
}

enum Inner {
    P256(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

/// A private key held in memory (P-256 or Ed25519).
pub struct PrivateKey {
    inner: Inner,
    public: PublicKey,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrivateKey({:?})", self.public)
    }
}

impl PrivateKey {
    /// Generates a fresh key pair.
    pub fn generate(algorithm: KeyAlgorithm) -> Result<PrivateKey, KeyError> {
        let rejected = |_| KeyError::Rejected("key generation failed".into());
        match algorithm {
            KeyAlgorithm::EcdsaP256 => {
                let kp = EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_ASN1_SIGNING)
                    .map_err(rejected)?;
                Self::from_p256(kp)
            }
            KeyAlgorithm::Ed25519 => {
                Self::from_ed25519(Ed25519KeyPair::generate().map_err(rejected)?)
            }
        }
    }

    fn from_p256(kp: EcdsaKeyPair) -> Result<PrivateKey, KeyError> {
        let spki = kp
            .public_key()
            .as_der()
            .map_err(|_| KeyError::Rejected("cannot encode public key".into()))?;
        let public = PublicKey::from_spki_der(spki.as_ref())?;
        Ok(PrivateKey {
            inner: Inner::P256(kp),
            public,
        })
    }

    fn from_ed25519(kp: Ed25519KeyPair) -> Result<PrivateKey, KeyError> {
        let spki = kp
            .public_key()
            .as_der()
            .map_err(|_| KeyError::Rejected("cannot encode public key".into()))?;
        let public = PublicKey::from_spki_der(spki.as_ref())?;
        Ok(PrivateKey {
            inner: Inner::Ed25519(kp),
            public,
        })
    }

    /// Parses an unencrypted PKCS#8 DER document (v1 or v2), detecting the algorithm.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<PrivateKey, KeyError> {
        use pkcs8::der::Decode;
        let info =
            pkcs8::PrivateKeyInfo::from_der(der).map_err(|e| KeyError::Der(e.to_string()))?;
        match info.algorithm.oid.to_string().as_str() {
            OID_EC_PUBLIC_KEY => {
                let kp = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, der)
                    .map_err(|e| KeyError::Rejected(e.to_string()))?;
                Self::from_p256(kp)
            }
            OID_ED25519 => Self::from_ed25519(ed25519_from_pkcs8(der)?),
            other => Err(KeyError::Unsupported(format!("private key OID {other}"))),
        }
    }

    /// PKCS#8 v1 DER of this key (sensitive: the caller must not print it).
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, KeyError> {
        let doc = match &self.inner {
            Inner::P256(kp) => kp.to_pkcs8v1(),
            Inner::Ed25519(kp) => kp.to_pkcs8v1(),
        }
        .map_err(|_| KeyError::Rejected("cannot encode private key".into()))?;
        Ok(doc.as_ref().to_vec())
    }

    pub fn algorithm(&self) -> KeyAlgorithm {
        self.public.algorithm
    }

    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The Ed25519 key pair, when this is an Ed25519 key (the ledger's log key).
    pub fn as_ed25519(&self) -> Option<&Ed25519KeyPair> {
        match &self.inner {
            Inner::Ed25519(kp) => Some(kp),
            Inner::P256(_) => None,
        }
    }

    /// Signs `message`: ECDSA P-256/SHA-256 as ASN.1 DER, or Ed25519.
    pub fn sign_bytes(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        match &self.inner {
            Inner::P256(kp) => {
                let rng = aws_lc_rs::rand::SystemRandom::new();
                kp.sign(&rng, message)
                    .map(|s| s.as_ref().to_vec())
                    .map_err(|_| KeyError::Sign)
            }
            Inner::Ed25519(kp) => Ok(kp.sign(message).as_ref().to_vec()),
        }
    }

    /// ECDSA signature (DER) over a message known only by its SHA-256 digest.
    pub fn sign_digest_bytes(&self, digest: &tollgate_model::Digest) -> Result<Vec<u8>, KeyError> {
        match &self.inner {
            Inner::P256(kp) => {
                let d = aws_lc_rs::digest::Digest::import_less_safe(
                    &digest.0,
                    &aws_lc_rs::digest::SHA256,
                )
                .map_err(|_| KeyError::Sign)?;
                kp.sign_digest(&d)
                    .map(|s| s.as_ref().to_vec())
                    .map_err(|_| KeyError::Sign)
            }
            Inner::Ed25519(_) => Err(KeyError::Unsupported(
                "Ed25519 cannot sign a pre-hashed message".into(),
            )),
        }
    }
}

fn ed25519_from_pkcs8(der: &[u8]) -> Result<Ed25519KeyPair, KeyError> {
    // v2 documents carry the public key and are checked against it; v1 (what OpenSSL writes)
    // does not, so the "maybe unchecked" entry point is the one that accepts both.
    Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).map_err(|e| KeyError::Rejected(e.to_string()))
}

/// A key type that can be stored as PKCS#8: lets [`read_private_pem`] and
/// [`write_private_pem`] serve both tollgate signing keys ([`PrivateKey`]) and a bare
/// [`Ed25519KeyPair`] (the transparency log's key).
pub trait Pkcs8Key: Sized {
    /// Parses unencrypted PKCS#8 DER.
    fn from_pkcs8(der: &[u8]) -> Result<Self, KeyError>;
    /// Encodes as unencrypted PKCS#8 DER.
    fn to_pkcs8(&self) -> Result<Vec<u8>, KeyError>;
}

impl Pkcs8Key for PrivateKey {
    fn from_pkcs8(der: &[u8]) -> Result<Self, KeyError> {
        PrivateKey::from_pkcs8_der(der)
    }
    fn to_pkcs8(&self) -> Result<Vec<u8>, KeyError> {
        self.to_pkcs8_der()
    }
}

impl Pkcs8Key for Ed25519KeyPair {
    fn from_pkcs8(der: &[u8]) -> Result<Self, KeyError> {
        ed25519_from_pkcs8(der)
    }
    fn to_pkcs8(&self) -> Result<Vec<u8>, KeyError> {
        self.to_pkcs8v1()
            .map(|d| d.as_ref().to_vec())
            .map_err(|_| KeyError::Rejected("cannot encode private key".into()))
    }
}

/// Reads a PKCS#8 private key PEM: `ENCRYPTED PRIVATE KEY` (needs `password`) or
/// `PRIVATE KEY`.
pub fn read_private_pem<K: Pkcs8Key>(pem: &str, password: Option<&[u8]>) -> Result<K, KeyError> {
    let (label, der) = decode_pem(pem)?;
    match label.as_str() {
        ENCRYPTED_PRIVATE_KEY_LABEL => {
            let password = password.ok_or(KeyError::PasswordNeeded)?;
            let plain = pbes2::decrypt_pkcs8(&der, password)?;
            K::from_pkcs8(&plain)
        }
        PRIVATE_KEY_LABEL => K::from_pkcs8(&der),
        _ => Err(KeyError::Label {
            found: label,
            expected: "ENCRYPTED PRIVATE KEY or PRIVATE KEY",
        }),
    }
}

/// Writes `key` as PEM: encrypted PKCS#8 when `password` is given, plain PKCS#8 otherwise.
pub fn write_private_pem<K: Pkcs8Key>(
    key: &K,
    password: Option<&[u8]>,
) -> Result<String, KeyError> {
    let der = key.to_pkcs8()?;
    match password {
        Some(p) => {
            let enc = pbes2::encrypt_pkcs8(&der, p, pbes2::DEFAULT_ITERATIONS)?;
            Ok(encode_pem(ENCRYPTED_PRIVATE_KEY_LABEL, &enc))
        }
        None => Ok(encode_pem(PRIVATE_KEY_LABEL, &der)),
    }
}

/// Whether a PEM text is an encrypted private key (so a password must be obtained first).
pub fn pem_is_encrypted(pem: &str) -> bool {
    pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
}

fn decode_pem(pem: &str) -> Result<(String, Vec<u8>), KeyError> {
    let (label, der) =
        der::pem::decode_vec(pem.trim().as_bytes()).map_err(|e| KeyError::Pem(e.to_string()))?;
    Ok((label.to_string(), der))
}

fn encode_pem(label: &str, der: &[u8]) -> String {
    // Labels here are fixed constants and the DER is well formed, so encoding cannot fail.
    der::pem::encode_string(label, der::pem::LineEnding::LF, der).unwrap_or_default()
}

/// Password for a private key: `TOLLGATE_KEY_PASSWORD`, else a no-echo prompt on the terminal
/// (twice when `confirm`, i.e. for a new key). Never prompts when standard input is not a
/// terminal. A new key's password must not be empty (an empty one would label a key
/// "encrypted" that anyone can open).
pub fn obtain_password(prompt: &str, confirm: bool) -> Result<String, KeyError> {
    if let Ok(p) = std::env::var(PASSWORD_ENV) {
        if confirm && p.is_empty() {
            return Err(KeyError::EmptyPassword);
        }
        return Ok(p);
    }
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err(KeyError::NoPassword);
    }
    let first = rpassword::prompt_password(prompt).map_err(|_| KeyError::NoPassword)?;
    if confirm {
        let again =
            rpassword::prompt_password("Repeat password: ").map_err(|_| KeyError::NoPassword)?;
        if again != first {
            return Err(KeyError::PasswordMismatch);
        }
        if first.is_empty() {
            return Err(KeyError::EmptyPassword);
        }
    }
    Ok(first)
}

/// Writes a private key PEM to `path`, readable by its owner only (0600 on Unix) whatever was
/// there before: a symbolic link at `path` is refused (a key is never written through one), the
/// text goes to a new owner-only temporary file beside `path` (created exclusively, so it never
/// follows a link either), which is then renamed over `path`. An existing 0644 file is thus
/// replaced, not reused with its old permissions.
pub fn write_private_key_file(path: &Path, pem: &str) -> Result<(), KeyError> {
    use std::io::Write as _;
    let err = |source| KeyError::Write {
        path: path.to_path_buf(),
        source,
    };
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(KeyError::Symlink(path.to_path_buf()));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "key".into());
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let write = || -> std::io::Result<()> {
        let mut f = opts.open(&tmp)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        f.write_all(pem.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        err(e)
    })
}

/// A warning when the plaintext private key file at `path` can be read by its group or by
/// others (Unix permission bits), else `None`.
pub fn plaintext_key_exposure(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Some(format!(
                "{} is an UNENCRYPTED private key readable by {} (mode {mode:04o}): anyone who \
                 can read it can sign as you; run `chmod 600 {}`, or encrypt it",
                path.display(),
                if mode & 0o007 != 0 {
                    "every user"
                } else {
                    "its group"
                },
                path.display()
            ));
        }
        None
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Something that signs bytes with a known public key: a key file, a key in an environment
/// variable, or (behind this trait) a KMS.
pub trait Signer: Send + Sync {
    /// The public half, used for the bundle's key hint and by verifiers.
    fn public_key(&self) -> &PublicKey;
    /// Signs `message` (ECDSA: DER over SHA-256 of `message`; Ed25519: the message itself).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError>;
    /// Signs a message known only by its SHA-256 digest (ECDSA; Ed25519 returns
    /// [`KeyError::Unsupported`] and callers fall back to [`Signer::sign`]).
    fn sign_digest(&self, digest: &tollgate_model::Digest) -> Result<Vec<u8>, KeyError> {
        let _ = digest;
        Err(KeyError::Unsupported("pre-hashed signing".into()))
    }
    /// base64(SHA-256(SPKI DER)).
    fn key_id(&self) -> &str {
        self.public_key().key_id()
    }
}

impl Signer for PrivateKey {
    fn public_key(&self) -> &PublicKey {
        &self.public
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.sign_bytes(message)
    }
    fn sign_digest(&self, digest: &tollgate_model::Digest) -> Result<Vec<u8>, KeyError> {
        self.sign_digest_bytes(digest)
    }
}

/// Where a signing key comes from, as written on the command line: a file path, or
/// `env://VAR` for a PEM in an environment variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    File(PathBuf),
    Env(String),
}

impl KeySource {
    pub fn parse(spec: &str) -> KeySource {
        match spec.strip_prefix("env://") {
            Some(var) => KeySource::Env(var.to_string()),
            None => KeySource::File(PathBuf::from(spec)),
        }
    }

    /// The PEM text.
    pub fn read_pem(&self) -> Result<String, KeyError> {
        match self {
            KeySource::File(p) => std::fs::read_to_string(p).map_err(|source| KeyError::Io {
                path: p.clone(),
                source,
            }),
            KeySource::Env(var) => std::env::var(var).map_err(|_| KeyError::Env(var.clone())),
        }
    }
}

/// Loads a signer from `source`, asking for the password (env or prompt) only when the key is
/// encrypted.
pub fn load_signer(source: &KeySource) -> Result<Box<dyn Signer>, KeyError> {
    let pem = source.read_pem()?;
    let password = if pem_is_encrypted(&pem) {
        Some(obtain_password("Private key password: ", false)?)
    } else {
        if let KeySource::File(path) = source
            && let Some(warning) = plaintext_key_exposure(path)
        {
            eprintln!("warning: {warning}");
        }
        None
    };
    let key: PrivateKey = read_private_pem(&pem, password.as_deref().map(str::as_bytes))?;
    Ok(Box::new(key))
}

/// Loads a public key for verification: a SPKI PEM file, or the public half of a private key
/// file is NOT accepted (a verifier must never need the secret).
pub fn load_public_key(path: &Path) -> Result<PublicKey, KeyError> {
    PublicKey::read(path)
}

/// The git work tree that holds `dir` (walking up from it; `dir` need not exist yet), if any: a
/// private key written there is one `git add` away from being published. A `.git` folder or
/// file (linked work trees, submodules) marks a work tree's top.
pub fn enclosing_work_tree(dir: &Path) -> Option<std::path::PathBuf> {
    let abs = std::path::absolute(dir).ok()?;
    abs.ancestors()
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf)
}

/// Where to keep a private key instead, for `key generate`'s refusal.
pub const KEY_PLACEMENT_ADVICE: &str = "keep private keys outside every repository: a folder \
only you can read such as ~/.config/tollgate/keys (`--output-dir ~/.config/tollgate/keys`), a \
secrets manager, or your CI's secret store, read at signing time with `--key env://VAR`; only \
the public key (tollgate.pub) belongs in the repository";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_tree_is_found_from_a_folder_that_does_not_exist_yet() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        assert_eq!(
            enclosing_work_tree(&repo.join("ci/keys")).as_deref(),
            Some(repo.as_path())
        );
        // A linked work tree has a `.git` file.
        let linked = dir.path().join("linked");
        std::fs::create_dir_all(&linked).unwrap();
        std::fs::write(linked.join(".git"), "gitdir: ../repo/.git/worktrees/x\n").unwrap();
        assert_eq!(
            enclosing_work_tree(&linked).as_deref(),
            Some(linked.as_path())
        );
        assert_eq!(enclosing_work_tree(&dir.path().join("elsewhere")), None);
    }

    #[test]
    fn generate_sign_verify_both_algorithms() {
        for alg in [KeyAlgorithm::EcdsaP256, KeyAlgorithm::Ed25519] {
            let k = PrivateKey::generate(alg).unwrap();
            let sig = k.sign(b"hello").unwrap();
            k.public_key().verify(b"hello", &sig).unwrap();
            assert!(k.public_key().verify(b"hellO", &sig).is_err());
            let pem = k.public_key().to_pem();
            assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"));
            let back = PublicKey::from_pem(&pem).unwrap();
            assert_eq!(&back, k.public_key());
            assert_eq!(back.key_id().len(), 44);
        }
    }

    #[test]
    fn ecdsa_signature_is_der_and_raw_is_accepted() {
        let k = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let sig = k.sign(b"m").unwrap();
        assert_eq!(sig[0], 0x30, "DER SEQUENCE");
        // Convert DER to raw r||s by hand and verify it too.
        let raw = der_to_raw(&sig);
        k.public_key().verify(b"m", &raw).unwrap();
    }

    fn der_to_raw(sig: &[u8]) -> Vec<u8> {
        let mut i = 2;
        let mut out = Vec::new();
        for _ in 0..2 {
            assert_eq!(sig[i], 2);
            let len = sig[i + 1] as usize;
            let v = &sig[i + 2..i + 2 + len];
            let v = if v.len() > 32 { &v[v.len() - 32..] } else { v };
            out.extend(std::iter::repeat_n(0u8, 32 - v.len()));
            out.extend_from_slice(v);
            i += 2 + len;
        }
        out
    }

    #[test]
    fn private_pem_roundtrip_plain_and_encrypted() {
        for alg in [KeyAlgorithm::EcdsaP256, KeyAlgorithm::Ed25519] {
            let k = PrivateKey::generate(alg).unwrap();
            let plain = write_private_pem(&k, None).unwrap();
            assert!(plain.starts_with("-----BEGIN PRIVATE KEY-----"));
            let back: PrivateKey = read_private_pem(&plain, None).unwrap();
            assert_eq!(back.public_key(), k.public_key());

            let der = k.to_pkcs8_der().unwrap();
            let enc = pbes2::encrypt_pkcs8(&der, b"pw", 1000).unwrap();
            let pem = encode_pem(ENCRYPTED_PRIVATE_KEY_LABEL, &enc);
            assert!(matches!(
                read_private_pem::<PrivateKey>(&pem, None),
                Err(KeyError::PasswordNeeded)
            ));
            assert!(matches!(
                read_private_pem::<PrivateKey>(&pem, Some(b"wrong")),
                Err(KeyError::Decrypt | KeyError::Der(_) | KeyError::Rejected(_))
            ));
            let back: PrivateKey = read_private_pem(&pem, Some(b"pw")).unwrap();
            assert_eq!(back.public_key(), k.public_key());
        }
    }

    #[test]
    fn generic_over_ed25519_keypair() {
        let kp = Ed25519KeyPair::generate().unwrap();
        let pem = write_private_pem(&kp, None).unwrap();
        let back: Ed25519KeyPair = read_private_pem(&pem, None).unwrap();
        assert_eq!(back.public_key().as_ref(), kp.public_key().as_ref());
        // And a tollgate PrivateKey reads the same file.
        let k: PrivateKey = read_private_pem(&pem, None).unwrap();
        assert_eq!(k.algorithm(), KeyAlgorithm::Ed25519);
        assert!(k.as_ed25519().is_some());
    }

    #[test]
    fn rejects_wrong_labels_and_garbage() {
        assert!(PublicKey::from_pem("nope").is_err());
        let k = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let plain = write_private_pem(&k, None).unwrap();
        assert!(matches!(
            PublicKey::from_pem(&plain),
            Err(KeyError::Label { .. })
        ));
        assert!(PublicKey::from_spki_der(&[0x30, 0x03, 0x02, 0x01, 0x00]).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn key_file_is_owner_only_even_over_a_0644_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("tollgate.key");
        std::fs::write(&p, "old").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_private_key_file(&p, "new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
    }

    #[cfg(unix)]
    #[test]
    fn key_file_is_never_written_through_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, "victim").unwrap();
        let link = dir.path().join("tollgate.key");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(matches!(
            write_private_key_file(&link, "key"),
            Err(KeyError::Symlink(_))
        ));
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "victim");
        // A dangling link too.
        std::fs::remove_file(&target).unwrap();
        assert!(write_private_key_file(&link, "key").is_err());
        assert!(!target.exists());
    }

    #[cfg(unix)]
    #[test]
    fn readable_plaintext_key_is_reported() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.pem");
        std::fs::write(&p, "x").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(plaintext_key_exposure(&p), None);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        assert!(plaintext_key_exposure(&p).unwrap().contains("its group"));
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(plaintext_key_exposure(&p).unwrap().contains("every user"));
    }

    #[test]
    fn key_source_parse() {
        assert_eq!(KeySource::parse("env://K"), KeySource::Env("K".into()));
        assert_eq!(
            KeySource::parse("a/b.key"),
            KeySource::File(PathBuf::from("a/b.key"))
        );
    }
}
