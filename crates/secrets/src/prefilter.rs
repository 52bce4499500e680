//! The keyword prefilter: every occurrence of every rule keyword in an input (ASCII
//! case-insensitive), the same hits in the same order as an overlapping Aho-Corasick search,
//! found without walking an automaton byte by byte.
//!
//! An automaton step depends on the previous one, so a DFA costs a memory load's latency per
//! byte. Here each position is tested on its own: the first four bytes at the position (ASCII
//! case folded by setting bit 5) are hashed into a 128 Kibit table holding the 4-byte prefixes
//! of keywords of four bytes or more and the 3-byte keywords; positions are tested 64 at a time
//! into a bit mask, so the loop has no data-dependent branch. Set bits (about 1–2% of
//! positions in source code) are verified against the keywords of their hash bucket.
//! Two-byte keywords are found with `memchr` on their second byte.

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
    (key.wrapping_mul(0x9E37_79B1) >> (32 - BITS)) as usize
}

/// The table key of a keyword (lower-cased, at least 3 bytes).
fn key_of(kw: &[u8]) -> u32 {
    let mut b = [0u8; 4];
    let n = kw.len().min(4);
    b[..n].copy_from_slice(&kw[..n]);
    let k = fold(u32::from_le_bytes(b));
    if kw.len() == 3 { k & 0x00FF_FFFF } else { k }
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
    bits: Box<[u64]>,
    /// Bucket `b` holds keyword indices `ids[off[b]..off[b + 1]]`.
    off: Box<[u32]>,
    ids: Box<[u32]>,
    /// Two-byte keywords: (first byte, second byte, index), lower-cased.
    pairs: Vec<(u8, u8, usize)>,
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
        if keywords.len() >= u32::MAX as usize || keywords.iter().any(|k| k.len() < 2) {
            return None;
        }
        let kws: Vec<Box<[u8]>> = keywords
            .iter()
            .map(|k| k.as_bytes().to_ascii_lowercase().into_boxed_slice())
            .collect();
        let nb = 1usize << BITS;
        let mut bits = vec![0u64; nb / 64].into_boxed_slice();
        let mut count = vec![0u32; nb + 1];
        let mut pairs = Vec::new();
        let mut placed: Vec<(usize, usize)> = Vec::new();
        for (i, k) in kws.iter().enumerate() {
            if k.len() == 2 {
                pairs.push((k[0], k[1], i));
                continue;
            }
            let h = hash(key_of(k));
            bits[h / 64] |= 1 << (h % 64);
            count[h + 1] += 1;
            placed.push((h, i));
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
            pairs,
        })
    }

    #[inline(always)]
    fn test(&self, h: usize) -> u64 {
        (self.bits[h / 64] >> (h % 64)) & 1
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
            let t = self.test(hash(w)) | self.test(hash(w & 0x00FF_FFFF));
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
        let h3 = hash(w & 0x00FF_FFFF);
        self.verify_bucket(data, p, h4, out);
        if h3 != h4 {
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

    /// Every keyword occurrence in `data`, ordered like an overlapping Aho-Corasick search:
    /// by end, then longest first.
    pub fn find_all(&self, data: &[u8], out: &mut Vec<Hit>) {
        out.clear();
        let n = data.len();
        let mut i = 0;
        while i + 67 <= n {
            let chunk: &[u8; 67] = data[i..i + 67].try_into().expect("67 bytes");
            let mut m = self.mask(chunk);
            while m != 0 {
                let j = m.trailing_zeros() as usize;
                self.verify(data, i + j, out);
                m &= m - 1;
            }
            i += 64;
        }
        if i < n {
            // The last positions: zero padding never completes a keyword, and verification
            // reads the real bytes.
            let mut chunk = [0u8; 67];
            chunk[..n - i].copy_from_slice(&data[i..]);
            let mut m = self.mask(&chunk);
            if n - i < 64 {
                m &= (1u64 << (n - i)) - 1;
            }
            while m != 0 {
                let j = m.trailing_zeros() as usize;
                self.verify(data, i + j, out);
                m &= m - 1;
            }
        }
        for &(a, b, id) in &self.pairs {
            let up = b.to_ascii_uppercase();
            let mut push = |q: usize| {
                if q > 0 && data[q - 1].eq_ignore_ascii_case(&a) {
                    out.push(Hit {
                        start: q - 1,
                        end: q + 1,
                        pattern: id,
                    });
                }
            };
            if up == b {
                memchr::memchr_iter(b, data).for_each(&mut push);
            } else {
                memchr::memchr2_iter(b, up, data).for_each(&mut push);
            }
        }
        out.sort_unstable_by_key(|h| (h.end, h.start));
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

    fn check(kws: &[&str], data: &[u8]) {
        let kws: Vec<String> = kws.iter().map(|s| s.to_string()).collect();
        let f = KeywordFinder::new(&kws).unwrap();
        let mut got = Vec::new();
        f.find_all(data, &mut got);
        assert_eq!(
            got,
            reference(&kws, data),
            "data {:?}",
            String::from_utf8_lossy(data)
        );
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
