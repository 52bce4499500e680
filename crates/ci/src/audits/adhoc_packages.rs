//! `ci/adhoc-packages`: `npm install foo`, `gem install foo`, `yarn add foo` in a `run:` step.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use crate::yaml::Node;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/adhoc-packages",
    name: "Package installed outside a lockfile",
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "A step installs a named package (`npm install foo`, `gem install foo`, `yarn add foo`) instead of installing the project's locked dependencies, so whatever the registry serves that day runs in CI.",
    docs: r#"`npm ci`, `bundle install` or `npm install` without arguments install exactly what the
lockfile records: versions and integrity hashes that were reviewed in a commit. Naming a
package on the command line bypasses that: the newest matching version is resolved at run
time, with no hash, and its install scripts run with the job's token and secrets. A
hijacked maintainer account or a typo-squatted name reaches the build immediately; even
with a version (`foo@1.2.3`) nothing checks that the bytes are the ones you tested.

The audit reads each command of a `run:` script (after `&&`, `;`, `|`, `$(`…, behind `sudo`
or variable assignments) and reports `npm install|i|add <pkg>` (also `npm -g install`),
`gem install|i <gem>`, `yarn add <pkg>` / `yarn global add <pkg>` and `pnpm add <pkg>`.
Arguments that are expressions (`${{ … }}`) are not judged.

NOT OK:
```yaml
- run: npm install -g typescript
- run: gem install bundler
```

OK:
```yaml
- run: npm ci            # devDependencies from package-lock.json
- run: bundle install    # Gemfile.lock
```"#,
    fix: "Add the tool to the project's manifest and lockfile and install from it (`npm ci`, `bundle install`), or use a pinned setup action.",
    tags: &["SP-10", "SP-24", "CWE-829"],
    zizmor: Some("adhoc-packages"),
};

pub struct AdhocPackages;

/// If the command installs a named package, the manager and the first package.
fn adhoc(words: &[String]) -> Option<(String, String)> {
    let mut w: Vec<&str> = words.iter().map(|s| s.as_str()).collect();
    // Shell keywords, `sudo` and leading `VAR=value` assignments.
    while let Some(first) = w.first() {
        let assign = first.find('=').is_some_and(|i| {
            i > 0
                && first[..i]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        });
        if assign
            || matches!(
                *first,
                "then" | "do" | "else" | "if" | "while" | "!" | "sudo" | "exec"
            )
        {
            w.remove(0);
        } else {
            break;
        }
    }
    // Redirections (`> log`, `2>&1`, `</dev/null`) are not arguments.
    let mut args = Vec::new();
    let mut skip_next = false;
    for a in w {
        if std::mem::take(&mut skip_next) {
            continue;
        }
        let op = a.trim_start_matches(|c: char| c.is_ascii_digit());
        if op.starts_with(['>', '<']) {
            // A bare operator takes the next word as its target.
            skip_next = op.trim_start_matches(['>', '<']).is_empty();
            continue;
        }
        args.push(a);
    }
    let w = args;
    let tool = w.first()?.rsplit(['/', '\\']).next()?;
    let tool = tool.strip_suffix(".cmd").unwrap_or(tool);
    let rest: Vec<&str> = w[1..].to_vec();
    let positional = |args: &[&str]| -> Option<String> {
        args.iter()
            .find(|a| !a.starts_with('-') && !a.contains("${{") && !a.is_empty())
            .map(|a| a.to_string())
    };
    let (sub_i, sub) = rest.iter().enumerate().find(|(_, a)| !a.starts_with('-'))?;
    let after = &rest[sub_i + 1..];
    let pkg = match (tool, *sub) {
        ("npm", "install" | "i" | "add") => positional(after),
        ("gem", "install" | "i") => positional(after),
        ("yarn", "add") | ("pnpm", "add") => positional(after),
        ("yarn", "global") if after.first() == Some(&"add") => positional(&after[1..]),
        _ => None,
    }?;
    Some((tool.to_string(), pkg))
}

/// Reports each ad-hoc install in the script `n` (one finding per line); the route places
/// it in its step, so an ignore comment anywhere in the step applies.
pub fn scan_script(doc: &Doc<'_>, n: &Node, route: &str, out: &mut Vec<Finding>) {
    let mut cursor = n.start;
    let mut reported_line = None;
    for cmd in crate::shell::shell_commands(n.text()) {
        let Some((tool, pkg)) = adhoc(&cmd.words) else {
            continue;
        };
        let at = model::scalar_offset(doc.src, n, cmd.offset, cursor);
        cursor = at + 1;
        // One finding per source line, spanning the line's text.
        let line_start = doc.src[..at].rfind('\n').map_or(0, |i| i + 1);
        let start = line_start
            + doc.src[line_start..at]
                .find(|c: char| !c.is_whitespace())
                .unwrap_or(at - line_start);
        if reported_line.replace(line_start) == Some(line_start) {
            continue;
        }
        let end = doc.src[start..]
            .find('\n')
            .map_or(doc.src.len(), |i| start + i);
        let f = doc.finding_at(
            &INFO,
            start,
            end,
            route,
            format!("`{tool}` installs `{pkg}` outside the lockfile"),
        );
        out.push(f);
    }
}

impl Audit for AdhocPackages {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow, DocKind::Action]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (_, step) in model::all_steps(doc.root) {
            let shell = step.node.get("shell").map(|s| s.text()).unwrap_or("");
            if shell.starts_with("python") {
                continue;
            }
            if let Some(run) = step.node.get("run") {
                scan_script(doc, run, &format!("{}.run", step.route), out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(line: &str) -> bool {
        crate::shell::shell_commands(line)
            .iter()
            .any(|c| adhoc(&c.words).is_some())
    }

    #[test]
    fn installs() {
        for bad in [
            "npm install lodash",
            "npm i -D foo",
            "npm -g install foo",
            "npm install --no-fund oxlint@1.55.0",
            "cd x && npm install y",
            "x=$(npm install foo)",
            "gem install rake -v 13.0.6",
            "gem i rake",
            "sudo gem install bundler",
            "yarn global add foo",
            "pnpm add -g foo",
            "CI=1 npm add lodash",
            "true; gem install foo",
            "npm install foo > install.log 2>&1",
        ] {
            assert!(hit(bad), "{bad}");
        }
        for ok in [
            "npm ci",
            "npm install",
            "npm install --no-fund",
            "npm i",
            "bundle install",
            "gem build foo.gemspec",
            "gem install --help",
            "echo \"npm install foo\"",
            "# npm install foo",
            "echo hi # npm install foo",
            "npm install-test",
            "pnpm install --frozen-lockfile",
            "npm install ${{ matrix.pkg }}",
            "yarn install",
            "npm install > /dev/null",
            "npm install 2>&1",
            "npm install >> log",
        ] {
            assert!(!hit(ok), "{ok}");
        }
    }
}
