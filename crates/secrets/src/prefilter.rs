//! The keyword prefilter: every occurrence of every rule keyword in an input (ASCII
//! case-insensitive), the same hits in the same order as an overlapping Aho-Corasick search,
//! found without walking an automaton byte by byte.
//!
//! An automaton step depends on the previous one, so a DFA costs a memory load's latency per
//! byte. Here each position is tested on its own: the four bytes at the position (ASCII case
//! folded by setting bit 5) are hashed into a 128 Kibit table holding the 4-byte prefixes of
//! keywords of four bytes or more, and the position's first three bytes are hashed into the
//! same table, which holds the 3-byte keywords and every 3-byte extension of the 2-byte ones.
//! Positions are tested 64 at a time into a bit mask, so the loop has no data-dependent
//! branch; with AVX2 eight positions share one multiply and one table gather per hash. Set
//! bits (about 1–2% of positions in source code) are verified against the keywords of their
//! hash bucket.
//!
//! No crate does this: `aho-corasick`'s SIMD searcher (Teddy) takes at most 64 patterns and
//! its automata walk byte by byte; the built-in rules have about 370 keywords.

/// log2 of the table size in bits.
const BITS: u32 = 17;

/// Folds ASCII case: `A`–`Z` and `a`–`z` agree after it (other bytes may collide, which only
/// costs a verification).
#[inline(always)]
fn fold(w: u32) -> u32 {
    w | 0x2020_2020
}

#[inline(always)]
fn hash(key: u32) -> usize {
    (key.wrapping_mul(HASH_MUL) >> (32 - BITS)) as usize
}

const HASH_MUL: u32 = 0x9E37_79B1;
const LOW3: u32 = 0x00FF_FFFF;

/// The table key of a keyword's first four (or three) bytes, folded; `kw` is lower-cased and
/// 3 bytes or longer.
fn key_of(kw: &[u8]) -> u32 {
    let mut b = [0u8; 4];
    let n = kw.len().min(4);
    b[..n].copy_from_slice(&kw[..n]);
    let k = fold(u32::from_le_bytes(b));
    if kw.len() == 3 { k & LOW3 } else { k }
}

/// One keyword occurrence: `[start, end)` and the keyword's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    pub pattern: usize,
}

pub struct KeywordFinder {
    /// Lower-cased keywords.
    kws: Vec<Box<[u8]>>,
    /// The bit table, 32 bits a word (the unit the AVX2 gather loads).
    bits: Box<[u32]>,
    /// Bucket `b` holds keyword indices `ids[off[b]..off[b + 1]]`.
    off: Box<[u32]>,
    ids: Box<[u32]>,
    /// Whether this CPU runs the AVX2 mask (checked once).
    avx2: bool,
}

impl std::fmt::Debug for KeywordFinder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeywordFinder({} keywords)", self.kws.len())
    }
}

impl KeywordFinder {
    /// `None` when a keyword is shorter than two bytes or there are too many keywords (the
    /// caller then uses an automaton). Keywords must be distinct after ASCII lower-casing.
    pub fn new(keywords: &[String]) -> Option<KeywordFinder> {
        Self::build(keywords, cpu_has_avx2())
    }

    fn build(keywords: &[String], avx2: bool) -> Option<KeywordFinder> {
        if keywords.len() >= u32::MAX as usize || keywords.iter().any(|k| k.len() < 2) {
            return None;
        }
        let kws: Vec<Box<[u8]>> = keywords
            .iter()
            .map(|k| k.as_bytes().to_ascii_lowercase().into_boxed_slice())
            .collect();
        let nb = 1usize << BITS;
        let mut bits = vec![0u32; nb / 32].into_boxed_slice();
        let mut count = vec![0u32; nb + 1];
        // (bucket, keyword) pairs.
        let mut placed: Vec<(usize, usize)> = Vec::new();
        for (i, k) in kws.iter().enumerate() {
            if k.len() == 2 {
                // A 2-byte keyword is found through its 3-byte windows: every folded third
                // byte, including the zero padding after the input's last byte.
                for third in 0..=255u8 {
                    let w = fold(u32::from_le_bytes([k[0], k[1], third, 0])) & LOW3;
                    placed.push((hash(w), i));
                }
            } else {
                placed.push((hash(key_of(k)), i));
            }
        }
        // Folding maps two third bytes to one window: each pair once.
        placed.sort_unstable();
        placed.dedup();
        for &(h, _) in &placed {
            bits[h / 32] |= 1 << (h % 32);
            count[h + 1] += 1;
        }
        for b in 0..nb {
            count[b + 1] += count[b];
        }
        let mut fill = count.clone();
        let mut ids = vec![0u32; placed.len()];
        for (h, i) in placed {
            ids[fill[h] as usize] = i as u32;
            fill[h] += 1;
        }
        Some(KeywordFinder {
            kws,
            bits,
            off: count.into_boxed_slice(),
            ids: ids.into_boxed_slice(),
            avx2,
        })
    }

    #[inline(always)]
    fn test(&self, h: usize) -> u64 {
        ((self.bits[h / 32] >> (h % 32)) & 1) as u64
    }

    /// Candidate mask of the 64 positions starting at `chunk[0]` (`chunk` holds 67 bytes).
    #[inline(always)]
    fn mask(&self, chunk: &[u8; 67]) -> u64 {
        let mut m = 0u64;
        for j in 0..64 {
            let w = fold(u32::from_le_bytes([
                chunk[j],
                chunk[j + 1],
                chunk[j + 2],
                chunk[j + 3],
            ]));
            let t = self.test(hash(w)) | self.test(hash(w & LOW3));
            m |= t << j;
        }
        m
    }

    /// Appends the keywords starting at `p` to `out`.
    #[inline]
    fn verify(&self, data: &[u8], p: usize, out: &mut Vec<Hit>) {
        let mut b = [0u8; 4];
        let n = (data.len() - p).min(4);
        b[..n].copy_from_slice(&data[p..p + n]);
        let w = fold(u32::from_le_bytes(b));
        let h4 = hash(w);
        let h3 = hash(w & LOW3);
        // Only the buckets whose bit is set (the table is in L1, the offsets are not).
        if self.test(h4) != 0 {
            self.verify_bucket(data, p, h4, out);
        }
        if h3 != h4 && self.test(h3) != 0 {
            self.verify_bucket(data, p, h3, out);
        }
    }

    #[inline]
    fn verify_bucket(&self, data: &[u8], p: usize, h: usize, out: &mut Vec<Hit>) {
        let (s, e) = (self.off[h] as usize, self.off[h + 1] as usize);
        for &id in &self.ids[s..e] {
            let k = &self.kws[id as usize];
            if let Some(t) = data.get(p..p + k.len())
                && t.eq_ignore_ascii_case(k)
            {
                out.push(Hit {
                    start: p,
                    end: p + k.len(),
                    pattern: id as usize,
                });
            }
        }
    }

    /// Verifies every set bit of `m`, the mask of the 64 positions from `base`.
    #[inline(always)]
    fn verify_mask(&self, data: &[u8], base: usize, mut m: u64, out: &mut Vec<Hit>) {
        while m != 0 {
            let j = m.trailing_zeros() as usize;
            self.verify(data, base + j, out);
            m &= m - 1;
        }
    }

    /// Every keyword occurrence in `data`, ordered like an overlapping Aho-Corasick search:
    /// by end, then longest first.
    pub fn find_all(&self, data: &[u8], out: &mut Vec<Hit>) {
        out.clear();
        let n = data.len();
        let mut i = 0;
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // The vector mask reads 16 bytes past its last position.
            while i + 64 + 16 <= n {
                // SAFETY: AVX2 was detected at construction, and `data[i..i + 80]` is in
                // bounds, which covers every load of `avx2::mask`.
                let m = unsafe { avx2::mask(&self.bits, data.as_ptr().add(i)) };
                self.verify_mask(data, i, m, out);
                i += 64;
            }
        }
        while i + 67 <= n {
            let chunk: &[u8; 67] = data[i..i + 67].try_into().expect("67 bytes");
            let m = self.mask(chunk);
            self.verify_mask(data, i, m, out);
            i += 64;
        }
        while i < n {
            // The last positions (at most 66, so this runs at most twice): zero padding never
            // completes a keyword of three bytes or more, its folded form is among the third
            // bytes of 2-byte keywords, and verification reads the real bytes.
            let mut chunk = [0u8; 67];
            chunk[..n - i].copy_from_slice(&data[i..]);
            let mut m = self.mask(&chunk);
            if n - i < 64 {
                m &= (1u64 << (n - i)) - 1;
            }
            self.verify_mask(data, i, m, out);
            i += 64;
        }
        out.sort_unstable_by_key(|h| (h.end, h.start));
    }
}

fn cpu_has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{BITS, HASH_MUL, LOW3};
    use std::arch::x86_64::*;

    /// The candidate mask of the 64 positions from `p`, bit for bit what the scalar
    /// `KeywordFinder::mask` computes: per group of eight positions, one shuffle builds the
    /// eight 4-byte windows, one multiply per hash, one gather per hash.
    ///
    /// # Safety
    /// The CPU has AVX2, and `p..p + 80` is readable.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn mask(bits: &[u32], p: *const u8) -> u64 {
        debug_assert_eq!(bits.len(), (1usize << BITS) / 32);
        // Lane 0 holds bytes q..q+16 and lane 1 bytes q+4..q+20; in each lane, 32-bit
        // element e takes the four bytes from e.
        let shuf = _mm256_setr_epi8(
            0, 1, 2, 3, 1, 2, 3, 4, 2, 3, 4, 5, 3, 4, 5, 6, 0, 1, 2, 3, 1, 2, 3, 4, 2, 3, 4, 5, 3,
            4, 5, 6,
        );
        let fold = _mm256_set1_epi32(0x2020_2020);
        let mul = _mm256_set1_epi32(HASH_MUL as i32);
        let low3 = _mm256_set1_epi32(LOW3 as i32);
        let m31 = _mm256_set1_epi32(31);
        let table = bits.as_ptr() as *const i32;
        let mut m = 0u64;
        for g in 0..8 {
            // SAFETY (all loads): q + 4 + 16 <= p + 56 + 20 <= p + 80.
            let q = unsafe { p.add(8 * g) };
            let lo = unsafe { _mm_loadu_si128(q as *const __m128i) };
            let hi = unsafe { _mm_loadu_si128(q.add(4) as *const __m128i) };
            let v = _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
            let w = _mm256_or_si256(_mm256_shuffle_epi8(v, shuf), fold);
            let h4 = _mm256_srli_epi32(_mm256_mullo_epi32(w, mul), (32 - BITS) as i32);
            let h3 = _mm256_srli_epi32(
                _mm256_mullo_epi32(_mm256_and_si256(w, low3), mul),
                (32 - BITS) as i32,
            );
            // SAFETY: every index is below 2^BITS / 32 = bits.len().
            let g4 = unsafe { _mm256_i32gather_epi32(table, _mm256_srli_epi32(h4, 5), 4) };
            let g3 = unsafe { _mm256_i32gather_epi32(table, _mm256_srli_epi32(h3, 5), 4) };
            // Move each tested bit to the sign bit: shift left by 31 - (h % 32).
            let s4 = _mm256_sllv_epi32(g4, _mm256_sub_epi32(m31, _mm256_and_si256(h4, m31)));
            let s3 = _mm256_sllv_epi32(g3, _mm256_sub_epi32(m31, _mm256_and_si256(h3, m31)));
            let t = _mm256_or_si256(s4, s3);
            let bits8 = _mm256_movemask_ps(_mm256_castsi256_ps(t)) as u32 as u64;
            m |= bits8 << (8 * g);
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasickBuilder, AhoCorasickKind, MatchKind};

    /// The reference: an overlapping case-insensitive Aho-Corasick search.
    fn reference(kws: &[String], data: &[u8]) -> Vec<Hit> {
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(kws)
            .unwrap();
        ac.find_overlapping_iter(data)
            .map(|m| Hit {
                start: m.start(),
                end: m.end(),
                pattern: m.pattern().as_usize(),
            })
            .collect()
    }

    /// Both the scalar and (where the CPU has it) the AVX2 mask give the reference's hits.
    fn check(kws: &[&str], data: &[u8]) {
        let kws: Vec<String> = kws.iter().map(|s| s.to_string()).collect();
        let want = reference(&kws, data);
        for avx2 in [false, cpu_has_avx2()] {
            let f = KeywordFinder::build(&kws, avx2).unwrap();
            let mut got = Vec::new();
            f.find_all(data, &mut got);
            assert_eq!(
                got,
                want,
                "avx2 {avx2}, data {:?}",
                String::from_utf8_lossy(data)
            );
        }
    }

    #[test]
    fn same_hits_as_overlapping_aho_corasick() {
        let kws = [
            "q~",
            "://",
            "pass",
            "password",
            "passwd",
            "ass",
            "token",
            "ghp_",
            "-----begin",
            "-----begin rsa private key-----",
            "eyj",
            "k:",
            "xoxb-",
        ];
        check(&kws, b"");
        check(&kws, b"q");
        check(&kws, b"Q~");
        check(&kws, b"PaSsWoRd=hunter2 token: ghp_abc https://u:p@h");
        check(&kws, b"xx://");
        // Every offset around the 64-byte block edge and the padded tail.
        for pad in 0..140 {
            let mut d = vec![b'.'; pad];
            d.extend_from_slice(b"PASSWORD eyJ q~ Xq~ k:");
            check(&kws, &d);
            let mut e = d.clone();
            e.extend(std::iter::repeat_n(b'z', pad));
            check(&kws, &e);
        }
        check(
            &kws,
            "-----BEGIN RSA PRIVATE KEY-----\n-----begin"
                .repeat(5)
                .as_bytes(),
        );
        check(&kws, "passpasspass".repeat(30).as_bytes());
    }

    #[test]
    fn same_hits_on_builtin_keywords_and_mixed_bytes() {
        let rules = crate::rules::builtin_rules().unwrap();
        let mut kws: Vec<String> = Vec::new();
        for r in &rules {
            for k in &r.def.keywords {
                let k = k.to_ascii_lowercase();
                if !kws.contains(&k) {
                    kws.push(k);
                }
            }
        }
        let refs: Vec<&str> = kws.iter().map(String::as_str).collect();
        // Keywords glued together and interleaved with bytes that collide under case folding
        // (`@`/`` ` ``, `[`/`{`, 0x00/0x20, high bytes).
        let mut d = Vec::new();
        for (i, k) in kws.iter().enumerate() {
            let k = if i % 2 == 0 {
                k.to_ascii_uppercase()
            } else {
                k.clone()
            };
            d.extend_from_slice(k.as_bytes());
            d.extend_from_slice(&[b"@`[{\0 \xff\n"[i % 8]]);
            if i % 3 == 0 {
                d.extend_from_slice(&k.as_bytes()[..k.len() / 2]);
            }
        }
        check(&refs, &d);
        // A pseudo-random byte soup over a small alphabet that makes many near-misses.
        let alphabet = b"aAsSpP:/~qQeEyYjJkK-_ \n\"'{dD";
        let mut x: u32 = 12345;
        let soup: Vec<u8> = (0..20000)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                alphabet[(x >> 16) as usize % alphabet.len()]
            })
            .collect();
        check(&refs, &soup);
    }

    #[test]
    fn one_byte_keywords_are_refused() {
        assert!(KeywordFinder::new(&["a".to_string()]).is_none());
        assert!(KeywordFinder::new(&["ab".to_string()]).is_some());
    }
}
