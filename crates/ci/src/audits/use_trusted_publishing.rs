//! `ci/use-trusted-publishing`: registry tokens used where the registry offers OIDC trusted publishing.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/use-trusted-publishing",
    name: "Long-lived registry token where trusted publishing exists",
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "A package is published with a stored API token to a registry (PyPI, npm, crates.io, RubyGems, NuGet) that supports OIDC trusted publishing.",
    docs: r#"Trusted publishing exchanges the job's OIDC token for a short-lived upload credential,
bound to this repository and workflow. A stored token works from anywhere until someone
revokes it, and leaks through logs, forks and compromised actions.

Reported: publishing commands (`cargo publish`, `npm`/`pnpm`/`bun`/`yarn npm publish`,
`twine upload`, `uv`/`poetry`/`hatch`/`pdm publish`, `gem push`, `nuget push`), also behind
wrappers (`python -m`, `pipx run`, `bunx`, `bundle exec`) and line continuations, in jobs
without `id-token: write` (dry runs excluded); and publishing actions handed a stored
credential for a registry with trusted publishing (`pypa/gh-action-pypi-publish` with
`password`, `rubygems/configure-rubygems-credentials` with `api-token`,
`rubygems/release-gem` with `setup-trusted-publisher: false`, `actions/setup-node` with
`always-auth: true` for npmjs.org): both the step and the credential input are located.

NOT OK:
```yaml
- run: cargo publish --token ${{ secrets.CRATES_IO_TOKEN }}
```

OK:
```yaml
permissions:
  id-token: write
steps:
  - uses: rust-lang/crates-io-auth-action@v1
    id: auth
  - run: cargo publish
    env:
      CARGO_REGISTRY_TOKEN: ${{ steps.auth.outputs.token }}
```"#,
    fix: "Configure trusted publishing on the registry, grant `id-token: write` to the publishing job (with an `environment:`) and delete the stored token.",
    tags: &["SP-08", "SP-07", "CWE-798"],
    zizmor: Some("use-trusted-publishing"),
};

/// The publishing command a shell command runs, if any (dry runs excluded): wrappers such as
/// `bundle exec`, `python -m`, `pipx run`, `bunx` and `sudo` are looked through.
pub fn publish_command(words: &[String]) -> Option<&'static str> {
    let mut w: Vec<&str> = words.iter().map(|s| s.as_str()).collect();
    loop {
        // `NAME=value` assignments before the command.
        while w.first().is_some_and(|x| {
            x.split_once('=').is_some_and(|(k, v)| {
                !k.is_empty()
                    && !v.starts_with('=')
                    && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            })
        }) {
            w.remove(0);
        }
        let first = w.first()?;
        let base = first.rsplit(['/', '\\']).next().unwrap_or(first);
        let base = base.strip_suffix(".exe").unwrap_or(base);
        let base = base
            .split("==")
            .next()
            .unwrap_or(base)
            .split('@')
            .next()
            .unwrap_or(base);
        let skip = match base {
            "sudo" | "env" | "bunx" | "npx" | "uvx" | "exec" | "command" => 1,
            "bundle" | "pipx" | "uv" | "poetry" | "pdm" | "hatch"
                if matches!(w.get(1), Some(&"exec") | Some(&"run")) =>
            {
                2
            }
            b if b.starts_with("python") && w.get(1) == Some(&"-m") => 2,
            _ => 0,
        };
        if skip > 0 {
            w.drain(..skip.min(w.len()));
            continue;
        }
        let args: Vec<&str> = w[1..]
            .iter()
            .copied()
            .filter(|a| !a.starts_with('+'))
            .collect();
        let sub = args.first().copied().unwrap_or("");
        let dry = w
            .iter()
            .any(|a| *a == "--dry-run" || (base == "cargo" && *a == "-n"));
        let hit = match (base, sub) {
            ("cargo", "publish") => Some("cargo publish"),
            ("cargo", "workspaces") if args.get(1) == Some(&"publish") => {
                Some("cargo workspaces publish")
            }
            ("twine", "upload") => Some("twine upload"),
            ("uv", "publish") => Some("uv publish"),
            ("poetry", "publish") => Some("poetry publish"),
            ("hatch", "publish") => Some("hatch publish"),
            ("pdm", "publish") => Some("pdm publish"),
            ("gem", "push") => Some("gem push"),
            ("npm", "publish") => Some("npm publish"),
            ("pnpm", "publish") => Some("pnpm publish"),
            ("bun", "publish") => Some("bun publish"),
            ("yarn", "publish") => Some("yarn publish"),
            ("yarn", "npm") if args.get(1) == Some(&"publish") => Some("yarn npm publish"),
            ("nuget", "push") => Some("nuget push"),
            ("dotnet", "nuget") if args.get(1) == Some(&"push") => Some("dotnet nuget push"),
            _ => None,
        };
        return hit.filter(|_| !dry);
    }
}

/// Whether a registry URL input names a registry with trusted publishing (or is absent).
fn known_registry(url: Option<&str>, hosts: &[&str]) -> bool {
    let Some(url) = url else {
        return true;
    };
    let host = url
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .split(['/', ':'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    hosts.contains(&host.as_str())
}

/// Publishing actions given a stored credential: (the step's `uses`, the credential input).
fn action_credential(step: &crate::yaml::Node) -> Option<(&'static str, &crate::yaml::Node)> {
    let action = model::step_action(step)?;
    let with = step.get("with")?;
    let input = |k: &str| with.get(k);
    let text = |k: &str| with.get(k).map(|v| v.text());
    match action.as_str() {
        "pypa/gh-action-pypi-publish" => {
            let url = text("repository-url").or_else(|| text("repository_url"));
            input("password")
                .filter(|_| known_registry(url, &["upload.pypi.org", "test.pypi.org", "pypi.org"]))
                .map(|n| ("password", n))
        }
        "rubygems/release-gem" => input("setup-trusted-publisher")
            .filter(|v| v.as_bool() == Some(false))
            .map(|n| ("setup-trusted-publisher", n)),
        "rubygems/configure-rubygems-credentials" => input("api-token")
            .filter(|_| known_registry(text("gem-server"), &["rubygems.org"]))
            .map(|n| ("api-token", n)),
        "actions/setup-node" => input("always-auth")
            .filter(|v| v.as_bool() == Some(true))
            .filter(|_| known_registry(text("registry-url"), &["registry.npmjs.org"]))
            .map(|n| ("always-auth", n)),
        _ => None,
    }
}

pub struct UseTrustedPublishing;

impl Audit for UseTrustedPublishing {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow, DocKind::Action]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (job, step) in model::all_steps(doc.root) {
            let id_token = job
                .and_then(model::permissions)
                .or_else(|| model::permissions(doc.root))
                .map(|p| model::grants_write(p, "id-token"))
                .unwrap_or(false);
            // A stored credential given to a publishing action is reported even with
            // id-token: write: the action uses it instead of the OIDC exchange. Both the step
            // and the credential input are located.
            if let (Some((input, n)), Some(u)) =
                (action_credential(step.node), step.node.get("uses"))
            {
                let what = model::step_action(step.node).unwrap_or_default();
                out.push(doc.finding(
                    &INFO,
                    u,
                    &format!("{}.uses", step.route),
                    format!("`{what}` publishes with a stored credential; the registry supports trusted publishing"),
                ));
                out.push(doc.finding(
                    &INFO,
                    n,
                    &format!("{}.with.{input}", step.route),
                    format!(
                        "`{input}` configures a long-lived credential instead of trusted publishing"
                    ),
                ));
            }
            if id_token {
                continue;
            }
            if let Some(run) = step.node.get("run") {
                let mut cursor = run.start;
                for cmd in crate::shell::shell_commands(run.text()) {
                    let Some(c) = publish_command(&cmd.words) else {
                        continue;
                    };
                    let off = model::scalar_offset(doc.src, run, cmd.offset, cursor);
                    cursor = off + 1;
                    let len = cmd.words.first().map(|w| w.len()).unwrap_or(0);
                    out.push(doc.finding_at(
                        &INFO,
                        off,
                        off + len,
                        &format!("{}.run", step.route),
                        format!("`{c}` without trusted publishing (no id-token: write)"),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::publish_command;

    fn lines(src: &str) -> Vec<u32> {
        crate::finding_lines("ci/use-trusted-publishing", src)
    }

    #[test]
    fn findings_are_located_at_the_command_and_the_credential() {
        let src = "on: push\npermissions: {}\njobs:\n  p:\n    runs-on: x\n    steps:\n      - run: |\n          echo start\n          cargo \\\n            publish\n      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n          password: ${{ secrets.T }}\n";
        assert_eq!(lines(src), vec![9, 11, 13]);
    }

    fn cmd(s: &str) -> Option<&'static str> {
        let c = crate::shell::shell_commands(s);
        publish_command(&c[0].words)
    }

    #[test]
    fn publish_commands_through_wrappers() {
        assert_eq!(cmd("cargo +nightly publish"), Some("cargo publish"));
        assert_eq!(cmd("cargo publish -n"), None);
        assert_eq!(cmd("cargo publish --dry-run"), None);
        assert_eq!(
            cmd("python3.10 -m twine upload dist/*"),
            Some("twine upload")
        );
        assert_eq!(
            cmd("pipx run twine==6.1.0 upload dist/*"),
            Some("twine upload")
        );
        assert_eq!(cmd("bundle exec gem push x.gem"), Some("gem push"));
        assert_eq!(cmd("bunx npm publish"), Some("npm publish"));
        assert_eq!(cmd("nuget.exe push foo.nupkg"), Some("nuget push"));
        assert_eq!(
            cmd("dotnet nuget push foo.nupkg"),
            Some("dotnet nuget push")
        );
        assert_eq!(
            cmd("yarn npm publish --access public"),
            Some("yarn npm publish")
        );
        assert_eq!(cmd("FOO=1 uv publish"), Some("uv publish"));
        assert_eq!(cmd("npm pack"), None);
        assert_eq!(cmd("echo cargo publish"), None);
    }
}
