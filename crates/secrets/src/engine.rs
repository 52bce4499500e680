//! The matching engine: one prefilter pass over an input finds every rule keyword
//! (case-insensitive; see [`crate::prefilter`]); each hit runs that rule's regexes on a small window around it (the
//! keyword's line, or `window` bytes for multi-line keys). Regexes compile on first use.

use crate::context::InputClass;
use crate::filters::{
    basic_auth_valid, char_classes, github_checksum_valid, is_single_word, key_name_rejected,
    looks_like_example_value, looks_like_placeholder, nkey_checksum_valid, shannon_entropy,
};
use crate::prefilter::{Hit, KeywordFinder};
use crate::rules::{Checksum, Decode, Rule};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use std::collections::HashSet;
use tollgate_model::Confidence;

/// Longest stretch of a line searched on either side of a keyword (minified files have
/// megabyte-long lines).
const LINE_CAP: usize = 1024;

/// A candidate that passed its rule's checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// Index into [`Engine::rules`].
    pub rule: usize,
    /// Byte range of the secret value in the input.
    pub start: usize,
    pub end: usize,
    pub confidence: Confidence,
    /// GitHub-style checksum verdict when the rule has one.
    pub checksum_valid: Option<bool>,
    pub entropy: f64,
}

/// A regex that failed to compile (reported once per run as a diagnostic).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFailure {
    pub rule: usize,
    pub message: String,
}

/// What one [`Engine::scan`] gathers: the values already seen per rule, the matches, and the
/// rules whose regex failed to compile.
#[derive(Default)]
struct ScanAcc {
    seen: HashSet<(usize, usize, usize)>,
    out: Vec<Match>,
    failures: Vec<RuleFailure>,
}

pub struct Engine {
    pub rules: Vec<Rule>,
    /// The keyword search: the hashed prefilter, or an automaton for keyword sets it cannot
    /// take (one-byte keywords).
    finder: Finder,
    /// Keyword pattern index → rule indices.
    kw_rules: Vec<Vec<usize>>,
    /// Rules without keywords: their regexes run over every whole input.
    unkeyed: Vec<usize>,
}

enum Finder {
    Hashed(KeywordFinder),
    Automaton(AhoCorasick),
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Engine({} rules)", self.rules.len())
    }
}

impl Engine {
    pub fn new(rules: Vec<Rule>) -> Engine {
        let mut keywords: Vec<String> = Vec::new();
        let mut kw_rules: Vec<Vec<usize>> = Vec::new();
        let mut unkeyed = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            if r.def.keywords.is_empty() {
                unkeyed.push(i);
            }
            for k in &r.def.keywords {
                let k = k.to_ascii_lowercase();
                match keywords.iter().position(|x| *x == k) {
                    Some(p) => kw_rules[p].push(i),
                    None => {
                        keywords.push(k);
                        kw_rules.push(vec![i]);
                    }
                }
            }
        }
        let finder = match KeywordFinder::new(&keywords) {
            Some(f) => Finder::Hashed(f),
            None => Finder::Automaton(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&keywords)
                    .unwrap_or_else(|_| {
                        AhoCorasick::new(std::iter::empty::<&str>()).expect("empty automaton")
                    }),
            ),
        };
        Engine {
            rules,
            finder,
            kw_rules,
            unkeyed,
        }
    }

    /// Every keyword occurrence in `data`, by end then longest first.
    fn keyword_hits(&self, data: &[u8], out: &mut Vec<Hit>) {
        match &self.finder {
            Finder::Hashed(f) => f.find_all(data, out),
            Finder::Automaton(ac) => {
                out.clear();
                out.extend(ac.find_overlapping_iter(data).map(|m| Hit {
                    start: m.start(),
                    end: m.end(),
                    pattern: m.pattern().as_usize(),
                }));
            }
        }
    }

    /// Every match in `data`, plus regexes that failed to compile (first-party, hand-written
    /// input: see [`Engine::scan_classified`]).
    pub fn scan(&self, data: &[u8]) -> (Vec<Match>, Vec<RuleFailure>) {
        self.scan_classified(data, &InputClass::default())
    }

    /// Every match in `data`, weighed by what kind of input it is: generic rules need
    /// stronger evidence in minified code, and findings in third-party or test paths get
    /// lower confidence.
    pub fn scan_classified(
        &self,
        data: &[u8],
        class: &InputClass,
    ) -> (Vec<Match>, Vec<RuleFailure>) {
        let mut acc = ScanAcc::default();
        // Per rule: end of the last window searched, so a run of hits is searched once.
        let mut covered: Vec<usize> = vec![0; self.rules.len()];
        let mut hits = Vec::new();
        self.keyword_hits(data, &mut hits);
        for &ri in &self.unkeyed {
            self.run_rule(ri, data, (0, data.len()), class, &mut acc);
        }
        for hit in &hits {
            for &ri in &self.kw_rules[hit.pattern] {
                // A hit inside the window last searched for this rule was already covered
                // (this keeps runs like `aaaa…` in minified files linear).
                if hit.end <= covered[ri] {
                    continue;
                }
                let rule = &self.rules[ri];
                let (ws, we) = window(data, hit.start, hit.end, rule.def.window);
                if we <= covered[ri] {
                    continue;
                }
                covered[ri] = we;
                self.run_rule(ri, data, (ws, we), class, &mut acc);
            }
        }
        let ScanAcc {
            mut out, failures, ..
        } = acc;
        drop_generic_overlaps(&self.rules, &mut out);
        out.sort_by_key(|m| (m.start, m.rule));
        (out, failures)
    }

    /// Runs rule `ri`'s regexes on `data[ws..we]`, appending the candidates that pass its
    /// checks (each value once) to `acc`.
    fn run_rule(
        &self,
        ri: usize,
        data: &[u8],
        (ws, we): (usize, usize),
        class: &InputClass,
        acc: &mut ScanAcc,
    ) {
        let ScanAcc {
            seen,
            out,
            failures,
        } = acc;
        let regexes = match self.rules[ri].regexes() {
            Ok(r) => r,
            Err(e) => {
                if !failures.iter().any(|f| f.rule == ri) {
                    failures.push(RuleFailure {
                        rule: ri,
                        message: e.to_string(),
                    });
                }
                return;
            }
        };
        for re in regexes {
            for caps in re.captures_iter(&data[ws..we]) {
                // The `secret` group, else the first group that took part (patterns use
                // alternatives per quote style), else the whole match.
                let m = caps
                    .name("secret")
                    .or_else(|| caps.iter().skip(1).flatten().next())
                    .or_else(|| caps.get(0));
                let Some(m) = m else { continue };
                let (s, e) = (ws + m.start(), ws + m.end());
                if s == e || !seen.insert((ri, s, e)) {
                    continue;
                }
                if let Some(found) = self.check(ri, data, s, e, class) {
                    out.push(found);
                }
            }
        }
    }

    /// Applies the rule's validators to the candidate `data[s..e]`.
    fn check(
        &self,
        ri: usize,
        data: &[u8],
        s: usize,
        e: usize,
        class: &InputClass,
    ) -> Option<Match> {
        let rule = &self.rules[ri];
        let d = &rule.def;
        let secret = &data[s..e];
        let entropy = shannon_entropy(secret);
        if let Some(min) = d.min_entropy
            && entropy < min
        {
            return None;
        }
        if let Some(min) = d.min_classes
            && char_classes(secret) < min
            // Long random single-class values (all upper-case letters…) still count for
            // generic rules.
            && !(d.generic && secret.len() >= 16 && entropy >= 3.5)
        {
            return None;
        }
        if let Some(Decode::BasicAuth) = d.decode
            && !basic_auth_valid(secret)
        {
            return None;
        }
        if !rule.context_lc.is_empty() {
            let (ls, le) = line_bounds(data, s, e);
            let line = data[ls..le].to_ascii_lowercase();
            let hay = String::from_utf8_lossy(&line);
            if !rule.context_lc.iter().any(|c| hay.contains(c.as_str())) {
                return None;
            }
        }
        if d.generic {
            if looks_like_placeholder(secret) || looks_like_example_value(secret) {
                return None;
            }
            // Rules that ask for mixed character classes want a token; one capitalised word
            // (`"nextToken": "Configuration"`) is a name. Password rules keep words.
            if d.min_classes.unwrap_or(0) >= 2
                && std::str::from_utf8(secret).is_ok_and(is_single_word)
            {
                return None;
            }
            let (ls, _) = line_bounds(data, s, s);
            if key_name_rejected(&data[ls..s]) {
                return None;
            }
            // Minified bundles and source maps are mostly identifiers and string tables:
            // a generic hit there must look like key material (long, mixed, random).
            // A line of 1 KiB or more around the value counts as minified too (bundles
            // whose first bytes are ordinary code).
            let (ls, le) = line_bounds(data, s, e);
            let minified = class.minified || le - ls >= LINE_CAP;
            if minified && (secret.len() < 16 || entropy < 3.5 || char_classes(secret) < 3) {
                return None;
            }
        }
        let mut confidence = d.confidence;
        let mut checksum_valid = None;
        if let Some(sum) = d.checksum {
            checksum_valid = match sum {
                Checksum::GithubCrc32 => github_checksum_valid(secret),
                Checksum::NatsNkeyCrc16 => nkey_checksum_valid(secret),
            };
            match checksum_valid {
                Some(true) => confidence = Confidence::High,
                Some(false) => confidence = Confidence::Low,
                None => {}
            }
        }
        // Documented example keys and made-up values: still reported, with low confidence.
        if !d.generic && checksum_valid != Some(true) && looks_like_example_value(secret) {
            confidence = Confidence::Low;
        }
        // Third-party trees, tests, fixtures and docs: one step less sure.
        if class.third_party || class.test_path {
            confidence = match confidence {
                Confidence::High => Confidence::Medium,
                _ => Confidence::Low,
            };
        }
        Some(Match {
            rule: ri,
            start: s,
            end: e,
            confidence,
            checksum_valid,
            entropy,
        })
    }
}

/// Resolves overlapping matches: a specific rule always wins; among generic rules, those of
/// a provider family beat the catch-all `generic` family, then the earlier rule wins. One
/// generic match is kept per value.
fn drop_generic_overlaps(rules: &[Rule], out: &mut Vec<Match>) {
    let priority = |m: &Match| -> u8 {
        let r = &rules[m.rule];
        if !r.def.generic {
            2
        } else if r.origin == "builtin:generic" {
            0
        } else {
            1
        }
    };
    let mut order: Vec<usize> = (0..out.len()).collect();
    // Ties among provider-family generic rules: the longest keyword (the more specific
    // rule); in the catch-all family, file order (salt before password…).
    let kw_len = |m: &Match| {
        if priority(m) == 1 {
            rules[m.rule]
                .def
                .keywords
                .iter()
                .map(String::len)
                .max()
                .unwrap_or(0)
        } else {
            0
        }
    };
    order.sort_by_key(|&i| {
        let m = &out[i];
        (std::cmp::Reverse((priority(m), kw_len(m))), m.rule, m.start)
    });
    let mut kept: Vec<(usize, usize)> = Vec::new();
    let mut keep = vec![false; out.len()];
    for i in order {
        let m = &out[i];
        let overlaps = kept.iter().any(|&(s, e)| m.start < e && s < m.end);
        if priority(m) == 2 || !overlaps {
            keep[i] = true;
            kept.push((m.start, m.end));
        }
    }
    let mut k = keep.into_iter();
    out.retain(|_| k.next().unwrap_or(false));
}

/// The window searched for a keyword at `[ks, ke)`: its line (capped at [`LINE_CAP`] bytes on
/// either side), or `window` bytes after it for multi-line rules.
fn window(data: &[u8], ks: usize, ke: usize, window: Option<usize>) -> (usize, usize) {
    let lo = ks.saturating_sub(LINE_CAP);
    let start = data[lo..ks]
        .iter()
        .rposition(|&b| b == b'\n')
        .map(|p| lo + p + 1)
        .unwrap_or(lo);
    let end = match window {
        Some(w) => (ke + w).min(data.len()),
        None => {
            let hi = (ke + LINE_CAP).min(data.len());
            data[ke..hi]
                .iter()
                .position(|&b| b == b'\n')
                .map(|p| ke + p)
                .unwrap_or(hi)
        }
    };
    (start, end)
}

/// Start and end of the line(s) holding `[s, e)`, capped like windows.
pub fn line_bounds(data: &[u8], s: usize, e: usize) -> (usize, usize) {
    let lo = s.saturating_sub(LINE_CAP);
    let ls = data[lo..s]
        .iter()
        .rposition(|&b| b == b'\n')
        .map(|p| lo + p + 1)
        .unwrap_or(lo);
    let hi = (e + LINE_CAP).min(data.len());
    let le = data[e..hi]
        .iter()
        .position(|&b| b == b'\n')
        .map(|p| e + p)
        .unwrap_or(hi);
    (ls, le)
}
