//! A Dockerfile / Containerfile parser with byte positions.
//!
//! Written by hand because the `dockerfile-parser` crate cannot parse heredocs (`RUN <<EOF`,
//! `COPY <<EOF /etc/x`), which BuildKit Dockerfiles use widely, and because every finding
//! needs the byte offset of the instruction or word it is about. It follows the BuildKit
//! frontend's reading rules: parser directives (`# escape=`, `# syntax=`) only at the very
//! top, line continuations with the escape character (comment and blank lines inside a
//! continuation are dropped), heredocs after `RUN`/`COPY`/`ADD` (`<<EOF`, `<<-EOF` stripping
//! leading tabs, quoted delimiters), `ARG`/`ENV` expansion (`$X`, `${X}`, `${X:-d}`,
//! `${X:+a}`) in the instructions BuildKit expands, and build stages (`FROM … AS name`).

use std::collections::HashMap;

/// Why a file is not a Dockerfile we can read, with its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    pub message: String,
    pub line: u32,
    pub col: u32,
}

/// A heredoc body attached to an instruction.
#[derive(Debug, Clone)]
pub struct Heredoc {
    pub name: String,
    pub body: String,
    /// Byte offset of the body's first line.
    pub start: usize,
}

/// One word of an instruction's arguments (quotes removed), located in the logical text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// One instruction: keyword, arguments with continuations joined, heredocs.
#[derive(Debug, Clone)]
pub struct Instruction {
    /// Upper-case keyword (`RUN`).
    pub keyword: String,
    /// Byte offset of the keyword and of the end of its last line (heredocs excluded).
    pub start: usize,
    pub end: usize,
    /// The arguments as BuildKit sees them: continuation escapes and newlines removed,
    /// comment lines inside the continuation dropped.
    pub args: String,
    /// `args` after `ARG`/`ENV` expansion (equal to `args` for instructions that are not
    /// expanded, such as `RUN`).
    pub expanded: String,
    /// Whether expansion met a variable with no known value.
    pub unresolved: bool,
    /// (offset in `args`, byte offset in the source) of each continuation piece.
    segs: Vec<(usize, usize)>,
    pub heredocs: Vec<Heredoc>,
    /// Index of the stage it belongs to; `None` before the first `FROM`.
    pub stage: Option<usize>,
}

impl Instruction {
    /// The source byte offset of byte `i` of `args`.
    pub fn src_offset(&self, i: usize) -> usize {
        let k = self
            .segs
            .partition_point(|(l, _)| *l <= i)
            .saturating_sub(1);
        match self.segs.get(k) {
            Some((l, s)) => s + (i - l),
            None => self.start,
        }
    }

    /// Source span of the whole argument text.
    pub fn args_span(&self) -> (usize, usize) {
        (self.src_offset(0), self.end.max(self.src_offset(0)))
    }

    /// The words of `args` (shell-like: whitespace-separated, quotes grouping and removed).
    pub fn words(&self) -> Vec<Word> {
        words(&self.args)
    }

    /// Leading `--name=value` flags and the words after them.
    pub fn flags_and_rest(&self) -> (Vec<(String, String)>, Vec<Word>) {
        let mut flags = Vec::new();
        let mut rest = Vec::new();
        for w in self.words() {
            if rest.is_empty() && w.text.starts_with("--") {
                let f = &w.text[2..];
                let (k, v) = f.split_once('=').unwrap_or((f, ""));
                flags.push((k.to_ascii_lowercase(), v.to_string()));
            } else {
                rest.push(w);
            }
        }
        (flags, rest)
    }

    /// Whether the arguments are the JSON (exec) form `["a", "b"]`.
    pub fn is_exec_form(&self) -> bool {
        self.args.trim_start().starts_with('[')
    }
}

/// A build stage.
#[derive(Debug, Clone)]
pub struct Stage {
    /// Index of its `FROM` in `instructions`.
    pub from: usize,
    /// The base image after expansion of global `ARG`s (`scratch`, `debian:12`, a stage name).
    pub image: String,
    /// Source span of the image word.
    pub image_span: (usize, usize),
    /// Whether the image contained a variable with no default.
    pub unresolved: bool,
    /// `AS name`, lower-cased.
    pub name: Option<String>,
    /// The earlier stage it builds on (`FROM builder`).
    pub parent: Option<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct Dockerfile {
    pub escape: char,
    /// Parser directives from the top of the file (`escape`, `syntax`, `check`).
    pub directives: Vec<(String, String)>,
    pub instructions: Vec<Instruction>,
    pub stages: Vec<Stage>,
}

const KEYWORDS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// Instructions whose arguments BuildKit expands with `ARG`/`ENV` values.
const EXPANDED: &[&str] = &[
    "ADD",
    "COPY",
    "ENV",
    "EXPOSE",
    "FROM",
    "LABEL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
    "ARG",
];

/// Most heredocs one instruction may carry, and most instructions a file may have.
const MAX_HEREDOCS: usize = 64;
const MAX_INSTRUCTIONS: usize = 100_000;

/// Parses a Dockerfile. Errors: an unknown instruction, an unterminated heredoc.
pub fn parse(src: &str) -> Result<Dockerfile, ParseError> {
    let lines = line_spans(src);
    let mut df = Dockerfile {
        escape: '\\',
        ..Default::default()
    };
    let mut i = 0;
    let mut directives = true;
    while i < lines.len() {
        let (ls, le) = lines[i];
        let text = &src[ls..le];
        let t = text.trim_start_matches('\u{feff}').trim_start();
        if directives {
            if let Some((k, v)) = directive(t) {
                if k == "escape" {
                    df.escape = match v.as_str() {
                        "`" => '`',
                        "\\" => '\\',
                        _ => {
                            return Err(err(src, ls, format!("invalid escape directive {v:?}")));
                        }
                    };
                }
                df.directives.push((k, v));
                i += 1;
                continue;
            }
            directives = false;
        }
        if t.is_empty() || t.starts_with('#') {
            i += 1;
            continue;
        }
        let kw_start = ls + (text.len() - t.len());
        let kw_len = t.find(char::is_whitespace).unwrap_or(t.len());
        let keyword = t[..kw_len].to_ascii_uppercase();
        if !KEYWORDS.contains(&keyword.as_str()) {
            return Err(err(
                src,
                kw_start,
                format!("unknown instruction {:?}", &t[..kw_len.min(40)]),
            ));
        }
        let after = &t[kw_len..];
        let mut piece_start = kw_start + kw_len + (after.len() - after.trim_start().len());
        let mut args = String::new();
        let mut segs = Vec::new();
        let mut end;
        loop {
            let (_, le) = lines[i];
            let piece = src[piece_start..le].trim_end();
            end = piece_start + piece.len();
            i += 1;
            if let Some(body) = piece.strip_suffix(df.escape) {
                segs.push((args.len(), piece_start));
                args.push_str(body);
                // Blank and comment lines inside a continuation are dropped.
                while i < lines.len() {
                    let l = src[lines[i].0..lines[i].1].trim_start();
                    if l.is_empty() || l.starts_with('#') {
                        i += 1;
                    } else {
                        break;
                    }
                }
                if i >= lines.len() {
                    break;
                }
                piece_start = lines[i].0;
            } else {
                segs.push((args.len(), piece_start));
                args.push_str(piece);
                break;
            }
        }
        let mut heredocs = Vec::new();
        if matches!(keyword.as_str(), "RUN" | "COPY" | "ADD") {
            for (name, strip_tabs, at) in heredoc_markers(&args) {
                if heredocs.len() >= MAX_HEREDOCS {
                    break;
                }
                let body_start = lines.get(i).map(|l| l.0).unwrap_or(src.len());
                let mut body = String::new();
                let mut closed = false;
                while i < lines.len() {
                    let l = &src[lines[i].0..lines[i].1];
                    i += 1;
                    let cmp = if strip_tabs {
                        l.trim_start_matches('\t')
                    } else {
                        l
                    };
                    if cmp == name {
                        closed = true;
                        break;
                    }
                    body.push_str(cmp);
                    body.push('\n');
                }
                if !closed {
                    let off = segs
                        .iter()
                        .rev()
                        .find(|(l, _)| *l <= at)
                        .map(|(l, s)| s + (at - l))
                        .unwrap_or(kw_start);
                    return Err(err(src, off, format!("heredoc <<{name} is never closed")));
                }
                heredocs.push(Heredoc {
                    name,
                    body,
                    start: body_start,
                });
            }
        }
        if df.instructions.len() >= MAX_INSTRUCTIONS {
            return Err(err(src, kw_start, "too many instructions".into()));
        }
        df.instructions.push(Instruction {
            keyword,
            start: kw_start,
            end,
            expanded: String::new(),
            unresolved: false,
            args,
            segs,
            heredocs,
            stage: None,
        });
    }
    resolve(&mut df);
    Ok(df)
}

/// Assigns stages and expands `ARG`/`ENV` values.
fn resolve(df: &mut Dockerfile) {
    let mut global: HashMap<String, Option<String>> = HashMap::new();
    let mut vars: HashMap<String, Option<String>> = HashMap::new();
    let mut stage: Option<usize> = None;
    for idx in 0..df.instructions.len() {
        let ins = &mut df.instructions[idx];
        ins.stage = stage;
        let scope = if stage.is_none() || ins.keyword == "FROM" {
            &global
        } else {
            &vars
        };
        if EXPANDED.contains(&ins.keyword.as_str()) {
            let (e, u) = expand(&ins.args, scope);
            ins.expanded = e;
            ins.unresolved = u;
        } else {
            ins.expanded = ins.args.clone();
        }
        match ins.keyword.as_str() {
            "FROM" => {
                let (_, rest) = ins.flags_and_rest();
                let Some(img) = rest.first() else { continue };
                let (image, unresolved) = expand(&img.text, &global);
                let name = match (rest.get(1), rest.get(2)) {
                    (Some(a), Some(n)) if a.text.eq_ignore_ascii_case("as") => {
                        Some(n.text.to_ascii_lowercase())
                    }
                    _ => None,
                };
                let lower = image.to_ascii_lowercase();
                let parent = df
                    .stages
                    .iter()
                    .position(|s| s.name.as_deref() == Some(lower.as_str()));
                let image_span = (ins.src_offset(img.start), ins.src_offset(img.end));
                let n = df.stages.len();
                df.instructions[idx].stage = Some(n);
                df.stages.push(Stage {
                    from: idx,
                    image,
                    image_span,
                    unresolved,
                    name,
                    parent,
                });
                stage = Some(n);
                vars.clear();
            }
            "ARG" => {
                for w in words(&ins.args) {
                    let (k, v) = match w.text.split_once('=') {
                        Some((k, v)) => {
                            let scope = if stage.is_none() { &global } else { &vars };
                            (k.to_string(), Some(expand(v, scope).0))
                        }
                        None => (w.text.clone(), None),
                    };
                    if stage.is_none() {
                        global.insert(k, v);
                    } else {
                        let v = v.or_else(|| global.get(&k).cloned().flatten());
                        vars.insert(k, v);
                    }
                }
            }
            "ENV" if stage.is_some() => {
                for (k, v) in env_pairs(&ins.args) {
                    let v = expand(&v.text, &vars).0;
                    vars.insert(k.text, Some(v));
                }
            }
            _ => {}
        }
    }
}

/// `ENV a=1 b="2 3"` or the legacy `ENV a 1 2`: (key word, value word) pairs. The legacy
/// value is the rest of the line, located from its first word.
pub fn env_pairs(args: &str) -> Vec<(Word, Word)> {
    let ws = words(args);
    let Some(first) = ws.first() else {
        return Vec::new();
    };
    if !first.text.contains('=') {
        let key = first.clone();
        let vstart = ws.get(1).map(|w| w.start).unwrap_or(args.len());
        let raw = args[vstart..].trim_end();
        let text = if ws.len() == 2 {
            ws[1].text.clone()
        } else {
            raw.to_string()
        };
        return vec![(
            key,
            Word {
                text,
                start: vstart,
                end: vstart + raw.len(),
            },
        )];
    }
    ws.into_iter()
        .filter_map(|w| {
            let eq = w.text.find('=')?;
            // Offsets: the key starts at the word; the value follows the first `=` in the raw
            // text of the word.
            let raw = &args[w.start..w.end];
            let req = raw.find('=').unwrap_or(eq);
            Some((
                Word {
                    text: w.text[..eq].to_string(),
                    start: w.start,
                    end: w.start + req,
                },
                Word {
                    text: w.text[eq + 1..].to_string(),
                    start: w.start + req + 1,
                    end: w.end,
                },
            ))
        })
        .collect()
}

/// Expands `$X`, `${X}`, `${X:-default}`, `${X-default}`, `${X:+alt}` with `vars`. A name with
/// no value (unknown, or an `ARG` without default) expands to "" and sets the flag. Single
/// quotes and an escaped `\$` are left alone.
pub fn expand(s: &str, vars: &HashMap<String, Option<String>>) -> (String, bool) {
    if !s.contains('$') {
        return (s.to_string(), false);
    }
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut unresolved = false;
    let mut i = 0;
    let mut single = false;
    while i < b.len() {
        let c = b[i];
        if c == b'\'' {
            single = !single;
        }
        if c == b'\\' && b.get(i + 1) == Some(&b'$') {
            out.push('$');
            i += 2;
            continue;
        }
        if c != b'$' || single {
            let ch = s[i..].chars().next().unwrap_or('\u{fffd}');
            out.push(ch);
            i += ch.len_utf8().max(1);
            continue;
        }
        let look = |n: &str| vars.get(n).cloned().flatten();
        if b.get(i + 1) == Some(&b'{') {
            let Some(close) = s[i + 2..].find('}') else {
                out.push_str(&s[i..]);
                break;
            };
            let inner = &s[i + 2..i + 2 + close];
            let name_len = inner
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                .unwrap_or(inner.len());
            let (name, op) = inner.split_at(name_len);
            let val = look(name);
            let v = if let Some(d) = op.strip_prefix(":-").or_else(|| op.strip_prefix('-')) {
                val.filter(|v| !v.is_empty() || op.starts_with('-'))
                    .unwrap_or_else(|| d.to_string())
            } else if let Some(a) = op.strip_prefix(":+").or_else(|| op.strip_prefix('+')) {
                match val {
                    Some(v) if !v.is_empty() => a.to_string(),
                    _ => String::new(),
                }
            } else {
                match val {
                    Some(v) => v,
                    None => {
                        unresolved = true;
                        String::new()
                    }
                }
            };
            out.push_str(&v);
            i += 3 + close;
        } else {
            let name_len = s[i + 1..]
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                .unwrap_or(s.len() - i - 1);
            if name_len == 0 {
                out.push('$');
                i += 1;
                continue;
            }
            match look(&s[i + 1..i + 1 + name_len]) {
                Some(v) => out.push_str(&v),
                None => unresolved = true,
            }
            i += 1 + name_len;
        }
    }
    (out, unresolved)
}

/// Shell-like words: whitespace separates, single and double quotes group (and are removed),
/// a backslash escapes the next character outside single quotes.
pub fn words(s: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = None;
    let mut quote: Option<char> = None;
    let mut it = s.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => {
                if let Some(st) = start.take() {
                    out.push(Word {
                        text: std::mem::take(&mut cur),
                        start: st,
                        end: i,
                    });
                }
            }
            (None, '"' | '\'') => {
                start.get_or_insert(i);
                quote = Some(c);
            }
            (Some(q), c) if c == q => quote = None,
            (q, '\\') if q != Some('\'') => {
                start.get_or_insert(i);
                if let Some((_, n)) = it.next() {
                    cur.push(n);
                }
            }
            (_, c) => {
                start.get_or_insert(i);
                cur.push(c);
            }
        }
    }
    if let Some(st) = start {
        out.push(Word {
            text: cur,
            start: st,
            end: s.len(),
        });
    }
    out
}

/// `# key=value` at the top of the file (known directive names only).
fn directive(t: &str) -> Option<(String, String)> {
    let rest = t.strip_prefix('#')?;
    let (k, v) = rest.split_once('=')?;
    let k = k.trim().to_ascii_lowercase();
    if !matches!(k.as_str(), "escape" | "syntax" | "check") {
        return None;
    }
    Some((k, v.trim().to_string()))
}

/// Heredoc markers in an instruction's arguments: (delimiter, strip leading tabs, offset).
fn heredoc_markers(args: &str) -> Vec<(String, bool, usize)> {
    let b = args.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(p) = args[i..].find("<<") {
        let at = i + p;
        let mut j = at + 2;
        if b.get(j) == Some(&b'<') {
            // A here-string `<<<`.
            i = j + 1;
            continue;
        }
        let strip = b.get(j) == Some(&b'-');
        if strip {
            j += 1;
        }
        let q = b.get(j).copied().filter(|c| *c == b'"' || *c == b'\'');
        if q.is_some() {
            j += 1;
        }
        let n = args[j..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'))
            .unwrap_or(args.len() - j);
        if n > 0 {
            out.push((args[j..j + n].to_string(), strip, at));
        }
        i = j + n.max(1);
        if i >= args.len() {
            break;
        }
    }
    out
}

/// (start, end) of each line, without its `\n` or `\r\n`.
fn line_spans(src: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut s = 0;
    for (i, _) in src.match_indices('\n') {
        let e = if i > s && src.as_bytes()[i - 1] == b'\r' {
            i - 1
        } else {
            i
        };
        out.push((s, e));
        s = i + 1;
    }
    if s < src.len() {
        out.push((s, src.len()));
    }
    out
}

fn err(src: &str, offset: usize, message: String) -> ParseError {
    let (line, col) = crate::rule::line_col(src.as_bytes(), offset);
    ParseError { message, line, col }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_comments_and_escape_directive() {
        let src =
            "# escape=`\nFROM alpine:3.20\nRUN apk add `\n# a comment\n\n    curl\nUSER app\n";
        let df = parse(src).unwrap();
        assert_eq!(df.escape, '`');
        let run = &df.instructions[1];
        assert_eq!(run.keyword, "RUN");
        assert_eq!(run.args, "apk add     curl");
        // `curl` maps back to its own line.
        let at = run.args.find("curl").unwrap();
        assert_eq!(
            crate::rule::line_col(src.as_bytes(), run.src_offset(at)),
            (6, 5)
        );
        assert_eq!(df.instructions[2].keyword, "USER");
    }

    #[test]
    fn a_directive_after_a_comment_is_a_comment() {
        let df = parse("# hello\n# escape=`\nFROM a\nRUN x \\\n y\n").unwrap();
        assert_eq!(df.escape, '\\');
        assert_eq!(df.instructions[1].args, "x  y");
    }

    #[test]
    fn heredocs() {
        let src = "FROM debian:12\nRUN <<EOF bash\nset -e\ncurl https://x | sh\nEOF\nCOPY <<-'END' /etc/conf\n\tkey=value\n\tEND\nUSER 1000\n";
        let df = parse(src).unwrap();
        let run = &df.instructions[1];
        assert_eq!(run.heredocs.len(), 1);
        assert_eq!(run.heredocs[0].body, "set -e\ncurl https://x | sh\n");
        assert_eq!(
            crate::rule::line_col(src.as_bytes(), run.heredocs[0].start).0,
            3
        );
        let copy = &df.instructions[2];
        assert_eq!(copy.heredocs[0].name, "END");
        assert_eq!(copy.heredocs[0].body, "key=value\n");
        assert_eq!(df.instructions[3].keyword, "USER");
        let e = parse("FROM a\nRUN <<EOF\nx\n").unwrap_err();
        assert_eq!(e.line, 2);
        // A here-string is not a heredoc.
        assert!(
            parse("FROM a\nRUN cat <<< hi\n").unwrap().instructions[1]
                .heredocs
                .is_empty()
        );
    }

    #[test]
    fn stages_and_arg_expansion() {
        let src = "ARG BASE=golang\nARG TAG\nFROM ${BASE}:1.22 AS Build\nARG TAG\nENV U=app\nUSER $U\nFROM build\nFROM ${BASE}:${TAG:-1.0}\nFROM x:$TAG\n";
        let df = parse(src).unwrap();
        assert_eq!(df.stages.len(), 4);
        assert_eq!(df.stages[0].image, "golang:1.22");
        assert_eq!(df.stages[0].name.as_deref(), Some("build"));
        assert_eq!(df.stages[1].parent, Some(0));
        assert_eq!(df.stages[2].image, "golang:1.0");
        assert!(df.stages[3].unresolved);
        assert_eq!(df.instructions[5].expanded, "app");
        assert_eq!(df.instructions[5].stage, Some(0));
        let (s, e) = df.stages[0].image_span;
        assert_eq!(&src[s..e], "${BASE}:1.22");
    }

    #[test]
    fn env_forms() {
        let p = env_pairs("A=1 B=\"two words\"");
        assert_eq!(p[1].0.text, "B");
        assert_eq!(p[1].1.text, "two words");
        let p = env_pairs("LEGACY some value here");
        assert_eq!(p[0].1.text, "some value here");
        let (v, u) = expand("${A:-x}/$B/\\$C/'$D'", &HashMap::new());
        assert_eq!(v, "x//$C/'$D'");
        assert!(u);
    }

    #[test]
    fn bad_input_is_an_error_with_position() {
        let e = parse("FROM a\nFRM b\n").unwrap_err();
        assert_eq!((e.line, e.col), (2, 1));
        assert!(parse("").unwrap().instructions.is_empty());
        // No panic on odd bytes or lone escapes.
        for s in [
            "FROM a\\",
            "RUN \\\n",
            "\u{feff}FROM é\nRUN <<",
            "FROM a\nRUN <<-\n",
        ] {
            let _ = parse(s);
        }
    }
}
