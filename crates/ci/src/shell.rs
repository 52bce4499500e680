//! Shell scripts as the audits read them (`run:` of GitHub steps, `script:` of GitLab jobs):
//! a splitter into simple commands and the download-piped-into-a-shell test. Text in, text out;
//! it knows nothing of YAML.

/// One simple command of a shell script: its words (quotes removed) and the byte offset of
/// its first word in the script text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellCommand {
    pub offset: usize,
    pub words: Vec<String>,
}

/// Splits a `run:` script into simple commands. Line continuations (`\` for sh, `` ` `` for
/// PowerShell) join lines; `;`, `&&`, `||`, `|`, `&`, `(`, `)`, `$(`, `{`, `}`, backquote
/// pairs and newlines separate commands; `${VAR}` and `${{ … }}` stay one word; `#` comments
/// are dropped. Good enough to recognise a command
/// and its sub-command, not a shell parser: quotes are honoured only to keep words whole.
pub fn shell_commands(script: &str) -> Vec<ShellCommand> {
    let b = script.as_bytes();
    let mut out = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut start = 0;
    let mut i = 0;
    let flush_word = |word: &mut String, in_word: &mut bool, words: &mut Vec<String>| {
        if *in_word {
            words.push(std::mem::take(word));
            *in_word = false;
        }
    };
    macro_rules! end_cmd {
        () => {
            flush_word(&mut word, &mut in_word, &mut words);
            if !words.is_empty() {
                out.push(ShellCommand {
                    offset: start,
                    words: std::mem::take(&mut words),
                });
            }
        };
    }
    while i < b.len() {
        let c = b[i];
        // A continuation: `\` or `` ` `` (PowerShell) right before the end of the line.
        if (c == b'\\' || c == b'`')
            && script[i + 1..]
                .trim_start_matches([' ', '\t', '\r'])
                .starts_with('\n')
        {
            flush_word(&mut word, &mut in_word, &mut words);
            i += 1;
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            i += 1;
            continue;
        }
        match c {
            b'\n' | b';' | b'|' | b'&' | b'(' | b')' | b'`' => {
                end_cmd!();
                i += 1;
            }
            // `$(` opens a command substitution: a new command starts inside it.
            b'$' if b.get(i + 1) == Some(&b'(') => {
                end_cmd!();
                i += 2;
            }
            // `${VAR}` and `${{ expression }}`: one word, spaces and all.
            b'$' if b.get(i + 1) == Some(&b'{') => {
                if !in_word && words.is_empty() {
                    start = i;
                }
                in_word = true;
                let mut depth = 0usize;
                let mut j = i;
                while j < b.len() {
                    match b[j] {
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                j += 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                word.push_str(&script[i..j]);
                i = j;
            }
            // `{ …; }` groups commands (only as a word of its own: `a{b,c}` is one word).
            b'{' | b'}' if !in_word => {
                end_cmd!();
                i += 1;
            }
            b'#' if !in_word => {
                end_cmd!();
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b' ' | b'\t' | b'\r' => {
                flush_word(&mut word, &mut in_word, &mut words);
                i += 1;
            }
            b'\'' | b'"' => {
                if !in_word && words.is_empty() {
                    start = i;
                }
                in_word = true;
                let close = script[i + 1..].find(c as char).map(|k| i + 1 + k);
                let end = close.unwrap_or(b.len());
                word.push_str(&script[i + 1..end]);
                i = end + 1;
            }
            _ => {
                if !in_word && words.is_empty() {
                    start = i;
                }
                in_word = true;
                let ch = script[i..].chars().next().unwrap_or(' ');
                word.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    end_cmd!();
    out
}

/// Whether a shell line pipes a download into a shell.
pub fn curl_pipe_shell(line: &str) -> bool {
    let l = line.to_ascii_lowercase();
    let fetch = l.contains("curl ") || l.contains("wget ") || l.contains("iwr ");
    if !fetch {
        return false;
    }
    l.split('|').skip(1).any(|seg| {
        let seg = seg.trim_start();
        let seg = seg.strip_prefix("sudo ").unwrap_or(seg).trim_start();
        [
            "sh",
            "bash",
            "zsh",
            "python",
            "python3",
            "iex",
            "sudo sh",
            "sudo bash",
        ]
        .iter()
        .any(|s| {
            seg == *s || seg.starts_with(&format!("{s} ")) || seg.starts_with(&format!("{s} -"))
        })
    }) || l.contains("sh -c \"$(curl")
        || l.contains("bash -c \"$(curl")
        || l.contains("bash <(curl")
        || l.contains("sh <(curl")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_commands_split_and_join() {
        let s = "npm ci\ncargo \\\n  publish --allow-dirty # x\nfoo && 'bun' publish; echo \"a b\"\n# gem push\n";
        let c = shell_commands(s);
        let w: Vec<Vec<&str>> = c
            .iter()
            .map(|c| c.words.iter().map(|w| w.as_str()).collect())
            .collect();
        assert_eq!(
            w,
            vec![
                vec!["npm", "ci"],
                vec!["cargo", "publish", "--allow-dirty"],
                vec!["foo"],
                vec!["bun", "publish"],
                vec!["echo", "a b"],
            ]
        );
        assert_eq!(&s[c[1].offset..c[1].offset + 5], "cargo");
        assert_eq!(&s[c[3].offset..c[3].offset + 5], "'bun'");
        let ps = shell_commands("cargo `\n  publish `\n  --no-verify");
        assert_eq!(ps[0].words, vec!["cargo", "publish", "--no-verify"]);
        let w = |s: &str| -> Vec<Vec<String>> {
            shell_commands(s).into_iter().map(|c| c.words).collect()
        };
        assert_eq!(
            w("npm i ${{ inputs.pkg }} x$(gem install y){ yarn add z; }"),
            vec![
                vec!["npm", "i", "${{ inputs.pkg }}", "x"],
                vec!["gem", "install", "y"],
                vec!["yarn", "add", "z"],
            ]
        );
    }

    #[test]
    fn curl_pipes_into_a_shell() {
        assert!(curl_pipe_shell("curl -sSf https://x | sh"));
        assert!(curl_pipe_shell("curl -fsSL https://x | sudo bash -s"));
        assert!(!curl_pipe_shell("curl -o x https://x | tee y"));
    }
}
