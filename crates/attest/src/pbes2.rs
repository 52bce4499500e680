//! PBES2 (RFC 8018) encryption of PKCS#8 private keys: PBKDF2-HMAC-SHA256 + AES-256-CBC,
//! the `EncryptedPrivateKeyInfo` that `openssl pkey` and every PKCS#8 reader understand.
//!
//! Why this is written here: aws-lc-rs (the workspace's only crypto backend) offers PBKDF2 and
//! AES-CBC but no encrypted-PKCS#8 API, and the `pkcs8`/`pkcs5` crates' own `encryption`
//! feature would pull a second crypto stack (RustCrypto aes/cbc/pbkdf2/sha2). So the ASN.1 is
//! encoded and decoded with `pkcs8`/`pkcs5` structures (DER only) and the two primitives come
//! from aws-lc-rs.

use crate::key_error::KeyError;
use aws_lc_rs::cipher::{
    AES_256, DecryptionContext, EncryptionContext, PaddedBlockDecryptingKey,
    PaddedBlockEncryptingKey, UnboundCipherKey,
};
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::rand::SecureRandom;
use pkcs8::der::{Decode, Encode};
use pkcs8::pkcs5::pbes2::{self, EncryptionScheme, Kdf, Pbkdf2Prf};
use std::num::NonZeroU32;

/// PBKDF2 iterations for new keys (OWASP's 2023 figure for PBKDF2-HMAC-SHA256).
pub const DEFAULT_ITERATIONS: u32 = 600_000;

/// Upper bound accepted when reading, so a hostile file cannot make us spin for hours.
const MAX_ITERATIONS: u32 = 10_000_000;

/// Encrypts unencrypted PKCS#8 DER into `EncryptedPrivateKeyInfo` DER.
pub fn encrypt_pkcs8(plain: &[u8], password: &[u8], iterations: u32) -> Result<Vec<u8>, KeyError> {
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let mut salt = [0u8; 16];
    let mut iv = [0u8; 16];
    rng.fill(&mut salt).map_err(|_| KeyError::Sign)?;
    rng.fill(&mut iv).map_err(|_| KeyError::Sign)?;
    let iterations_nz = NonZeroU32::new(iterations).ok_or(KeyError::Decrypt)?;
    let mut key = [0u8; 32];
    aws_lc_rs::pbkdf2::derive(
        aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA256,
        iterations_nz,
        &salt,
        password,
        &mut key,
    );
    let cipher = PaddedBlockEncryptingKey::cbc_pkcs7(
        UnboundCipherKey::new(&AES_256, &key).map_err(|_| KeyError::Sign)?,
    )
    .map_err(|_| KeyError::Sign)?;
    let mut data = plain.to_vec();
    cipher
        .less_safe_encrypt(&mut data, EncryptionContext::Iv128(FixedLength::from(iv)))
        .map_err(|_| KeyError::Sign)?;
    let params = pbes2::Parameters::pbkdf2_sha256_aes256cbc(iterations, &salt, &iv)
        .map_err(|e| KeyError::Der(e.to_string()))?;
    let info = pkcs8::EncryptedPrivateKeyInfo {
        encryption_algorithm: pkcs8::pkcs5::EncryptionScheme::Pbes2(params),
        encrypted_data: &data,
    };
    info.to_der().map_err(|e| KeyError::Der(e.to_string()))
}

/// Decrypts `EncryptedPrivateKeyInfo` DER (PBES2, PBKDF2 with HMAC-SHA256/384/512,
/// AES-128/192/256-CBC) back to PKCS#8 DER.
pub fn decrypt_pkcs8(der: &[u8], password: &[u8]) -> Result<Vec<u8>, KeyError> {
    let info =
        pkcs8::EncryptedPrivateKeyInfo::from_der(der).map_err(|e| KeyError::Der(e.to_string()))?;
    let params = match &info.encryption_algorithm {
        pkcs8::pkcs5::EncryptionScheme::Pbes2(p) => p,
        _ => return Err(KeyError::Unsupported("PBES1 key encryption".into())),
    };
    let pbkdf2 = match &params.kdf {
        Kdf::Pbkdf2(p) => p,
        _ => return Err(KeyError::Unsupported("scrypt key derivation".into())),
    };
    let prf = match pbkdf2.prf {
        Pbkdf2Prf::HmacWithSha256 => aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA256,
        Pbkdf2Prf::HmacWithSha384 => aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA384,
        Pbkdf2Prf::HmacWithSha512 => aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA512,
        other => return Err(KeyError::Unsupported(format!("PBKDF2 PRF {other:?}"))),
    };
    if pbkdf2.iteration_count > MAX_ITERATIONS {
        return Err(KeyError::Unsupported(format!(
            "{} PBKDF2 iterations",
            pbkdf2.iteration_count
        )));
    }
    let iterations = NonZeroU32::new(pbkdf2.iteration_count)
        .ok_or_else(|| KeyError::Der("zero PBKDF2 iterations".into()))?;
    let (alg, iv, key_len) = match params.encryption {
        EncryptionScheme::Aes128Cbc { iv } => (&aws_lc_rs::cipher::AES_128, iv, 16),
        EncryptionScheme::Aes192Cbc { iv } => (&aws_lc_rs::cipher::AES_192, iv, 24),
        EncryptionScheme::Aes256Cbc { iv } => (&AES_256, iv, 32),
        _ => return Err(KeyError::Unsupported("key encryption cipher".into())),
    };
    if let Some(l) = pbkdf2.key_length
        && usize::from(l) != key_len
    {
        return Err(KeyError::Der(
            "PBKDF2 key length does not match the cipher".into(),
        ));
    }
    let mut key = vec![0u8; key_len];
    aws_lc_rs::pbkdf2::derive(prf, iterations, pbkdf2.salt, password, &mut key);
    let cipher = PaddedBlockDecryptingKey::cbc_pkcs7(
        UnboundCipherKey::new(alg, &key).map_err(|_| KeyError::Decrypt)?,
    )
    .map_err(|_| KeyError::Decrypt)?;
    let mut data = info.encrypted_data.to_vec();
    let plain = cipher
        .decrypt(&mut data, DecryptionContext::Iv128(FixedLength::from(*iv)))
        .map_err(|_| KeyError::Decrypt)?;
    // A wrong password usually fails the padding check; when it does not, the result is not
    // a PKCS#8 structure, which we report the same way.
    if pkcs8::PrivateKeyInfo::from_der(plain).is_err() {
        return Err(KeyError::Decrypt);
    }
    Ok(plain.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_wrong_password() {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let doc = aws_lc_rs::signature::EcdsaKeyPair::generate_pkcs8(
            &aws_lc_rs::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            &rng,
        )
        .unwrap();
        let der = doc.as_ref().to_vec();
        let enc = encrypt_pkcs8(&der, b"secret", 2048).unwrap();
        assert_eq!(decrypt_pkcs8(&enc, b"secret").unwrap(), der);
        assert!(matches!(
            decrypt_pkcs8(&enc, b"other"),
            Err(KeyError::Decrypt)
        ));
        assert!(decrypt_pkcs8(&enc[..enc.len() - 3], b"secret").is_err());
    }
}
