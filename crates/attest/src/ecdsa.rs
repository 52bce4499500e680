//! ECDSA P-256 signature malleability: the low-S rule.
//!
//! An ECDSA signature `(r, s)` has a twin `(r, n − s)` that verifies just as well, made without
//! the private key. tollgate writes only the low form (`s ≤ n/2`: [`to_low_s`] after signing)
//! and refuses the high form where nothing else binds the signature bytes (offline key-based
//! bundles, `verify.rs`). Signatures in the DER form signers produce and the raw 64-byte
//! `r || s` form are both read. This module depends on no other module of the crate.

/// The order n of the P-256 group, big-endian.
const N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];
/// ⌊n/2⌋, big-endian.
const HALF_N: [u8; 32] = [
    0x7f, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xde, 0x73, 0x7d, 0x56, 0xd3, 0x8b, 0xcf, 0x42, 0x79, 0xdc, 0xe5, 0x61, 0x7e, 0x31, 0x92, 0xa8,
];

/// How a signature was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Der,
    Raw,
}

/// `r` and `s` as 32-byte big-endian integers, when `sig` is a well-formed P-256 signature.
fn parse(sig: &[u8]) -> Option<([u8; 32], [u8; 32], Form)> {
    if let Some((r, s)) = parse_der(sig) {
        return Some((r, s, Form::Der));
    }
    if sig.len() == 64 {
        let mut r = [0u8; 32];
        let mut s = [0u8; 32];
        r.copy_from_slice(&sig[..32]);
        s.copy_from_slice(&sig[32..]);
        return Some((r, s, Form::Raw));
    }
    None
}

/// `SEQUENCE { INTEGER r, INTEGER s }`, short-form lengths (a P-256 signature is < 128 bytes),
/// nothing trailing.
fn parse_der(sig: &[u8]) -> Option<([u8; 32], [u8; 32])> {
    let (&tag, rest) = sig.split_first()?;
    let (&len, body) = rest.split_first()?;
    if tag != 0x30 || len >= 0x80 || body.len() != usize::from(len) {
        return None;
    }
    let (r, rest) = der_int(body)?;
    let (s, rest) = der_int(rest)?;
    rest.is_empty().then_some((r, s))
}

fn der_int(b: &[u8]) -> Option<([u8; 32], &[u8])> {
    let (&tag, rest) = b.split_first()?;
    let (&len, rest) = rest.split_first()?;
    let len = usize::from(len);
    if tag != 0x02 || len == 0 || len >= 0x80 || rest.len() < len {
        return None;
    }
    let (mut v, rest) = rest.split_at(len);
    // One leading zero is allowed (to keep the integer positive).
    if v.len() == 33 && v[0] == 0 {
        v = &v[1..];
    }
    if v.len() > 32 {
        return None;
    }
    let mut out = [0u8; 32];
    out[32 - v.len()..].copy_from_slice(v);
    Some((out, rest))
}

fn der_encode_int(v: &[u8; 32], out: &mut Vec<u8>) {
    let start = v.iter().position(|&b| b != 0).unwrap_or(31);
    let body = &v[start..];
    let pad = body[0] & 0x80 != 0;
    out.push(0x02);
    out.push((body.len() + usize::from(pad)) as u8);
    if pad {
        out.push(0);
    }
    out.extend_from_slice(body);
}

/// Whether `sig` is a P-256 signature in its high form (`s > n/2`). Anything that does not
/// parse as a P-256 signature is not high-S (the signature check itself refuses it).
pub fn is_high_s(sig: &[u8]) -> bool {
    parse(sig).is_some_and(|(_, s, _)| s > HALF_N)
}

/// The low form of a P-256 signature, in the same encoding (`s` replaced by `n − s` when it is
/// high); anything else unchanged.
pub fn to_low_s(sig: Vec<u8>) -> Vec<u8> {
    if is_high_s(&sig) { twin(sig) } else { sig }
}

/// The other signature of the pair: `(r, n − s)` for `(r, s)`, in the same encoding — what
/// anyone can make from a published signature (used by tests to build the mutation). Anything
/// that is not a P-256 signature with `0 < s < n` is returned unchanged.
pub fn twin(sig: Vec<u8>) -> Vec<u8> {
    let Some((r, s, form)) = parse(&sig) else {
        return sig;
    };
    if s == [0u8; 32] || s >= N {
        return sig;
    }
    // n − s, big-endian, with borrow.
    let mut other = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(N[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        other[i] = d as u8;
    }
    match form {
        Form::Raw => {
            let mut out = r.to_vec();
            out.extend_from_slice(&other);
            out
        }
        Form::Der => {
            let mut body = Vec::with_capacity(72);
            der_encode_int(&r, &mut body);
            der_encode_int(&other, &mut body);
            let mut out = vec![0x30, body.len() as u8];
            out.extend_from_slice(&body);
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{KeyAlgorithm, PrivateKey, Signer};

    #[test]
    fn both_forms_verify_and_the_low_one_is_kept() {
        let k = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let mut seen_high = false;
        for i in 0..40u8 {
            let msg = [i; 8];
            let raw_sig = k.sign(&msg).unwrap();
            seen_high |= is_high_s(&raw_sig);
            let low = to_low_s(raw_sig.clone());
            assert!(!is_high_s(&low));
            k.public_key().verify(&msg, &low).unwrap();
            let high = twin(low.clone());
            assert!(is_high_s(&high), "{i}");
            // The twin verifies too: that is the malleability.
            k.public_key().verify(&msg, &high).unwrap();
            assert_eq!(to_low_s(high), low);
        }
        // aws-lc does not normalise: about half its signatures are high.
        assert!(seen_high);
        // Raw r||s too.
        let mut raw = vec![1u8; 32];
        raw.extend_from_slice(&HALF_N);
        assert!(!is_high_s(&raw));
        raw[63] += 1;
        assert!(is_high_s(&raw));
        assert!(!is_high_s(&to_low_s(raw)));
        assert!(!is_high_s(b"not a signature"));
    }
}
