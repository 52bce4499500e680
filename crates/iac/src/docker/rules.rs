//! The Dockerfile rules. Each rule is an [`Info`] (documentation beside it) and a check
//! function over the parsed [`Dockerfile`]; [`check`] runs them all.

use super::parse::{Dockerfile, Instruction, env_pairs};
use super::shell;
use crate::names::{self, Pin};
use crate::rule::{Info, Src};
use tollgate_model::{Confidence, Finding, Severity};

pub static UNPINNED_BASE: Info = Info {
    id: "iac/dockerfile-unpinned-base",
    name: "Base image not pinned by digest",
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "A `FROM` names an image by a mutable tag, `latest`, or no tag at all, so each build may start from different content.",
    docs: r#"A tag is a pointer the registry owner (or an attacker holding their credentials) can move;
`latest` and an absent tag move with every upstream push. Builds then stop being
reproducible, and a compromised base image flows into every rebuild unnoticed. A digest
(`@sha256:…`) names exact content. `FROM scratch` and `FROM <earlier stage>` are fine.
When the image is built from an `ARG` without a default, the rule cannot judge it and is
silent. Severity is medium for `latest`/no tag and low for another tag without a digest.
References: hadolint DL3006/DL3007, checkov CKV_DOCKER_7, CIS Docker 4.2.

NOT OK:
```dockerfile
FROM python:3.12-slim
FROM node
```

OK:
```dockerfile
FROM python:3.12-slim@sha256:2b0079146a74e23bf4ae8f6a28e1b484c6292f6fb904cbb51825b4a19812fcd8
FROM python:3.12-slim@sha256:2b00… AS build
FROM build
```"#,
    fix: "Pin the image by digest (`image:tag@sha256:…`) and let a bot (Renovate, Dependabot) propose digest updates.",
    tags: &["SP-21", "SP-10", "CWE-1357", "CIS-Docker-4.2"],
};

pub static ROOT_USER: Info = Info {
    id: "iac/dockerfile-root-user",
    name: "Container runs as root",
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    summary: "The final stage has no `USER`, or its last `USER` is root, so the container's process runs as UID 0.",
    docs: r#"A process running as root inside the container is root on the host's kernel: any escape
(a runtime or kernel bug, a mounted socket, a privileged flag added later) is a full host
compromise, and inside the container it can rewrite its own binaries. Only the final stage
matters (build stages do not ship); a stage built `FROM` an earlier stage inherits its
user, and base images whose name says they are non-root (`…:nonroot`) are trusted.
References: hadolint DL3002, checkov CKV_DOCKER_3/CKV_DOCKER_8, CIS Docker 4.1,
Pod Security Standards (restricted: runAsNonRoot).

NOT OK:
```dockerfile
FROM debian:12
RUN useradd app
USER app
USER root
```

OK:
```dockerfile
FROM debian:12
RUN useradd --uid 10001 app
USER 10001
```"#,
    fix: "Create an unprivileged user and end the final stage with `USER <name or uid>` (a numeric UID lets Kubernetes verify runAsNonRoot).",
    tags: &["SP-21", "CWE-250", "CIS-Docker-4.1", "PSS-restricted"],
};

pub static ADD_REMOTE: Info = Info {
    id: "iac/dockerfile-add-remote-url",
    name: "ADD of a remote URL without checksum",
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "`ADD https://…` downloads at build time and uses whatever the server returns, unverified.",
    docs: r#"`ADD` with a URL trusts the server, its TLS chain and everything between at each build;
the file can change under the same URL. BuildKit's `ADD --checksum=sha256:…` verifies
the content (Dockerfile syntax 1.6 and later). References: hadolint DL3020 (prefers COPY),
checkov CKV_DOCKER_4, CIS Docker 4.9.

NOT OK:
```dockerfile
ADD https://example.com/tool-1.2.tar.gz /opt/
```

OK:
```dockerfile
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d \
    https://example.com/tool-1.2.tar.gz /opt/
```"#,
    fix: "Add `--checksum=sha256:<digest>` to the `ADD`, or download in a `RUN` step that verifies a checksum or signature.",
    tags: &["SP-21", "SP-10", "CWE-494", "CIS-Docker-4.9"],
};

pub static CURL_PIPE_SHELL: Info = Info {
    id: "iac/dockerfile-curl-pipe-shell",
    name: "Download piped into a shell in RUN",
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "A `RUN` (or its heredoc) pipes `curl`/`wget` output into a shell or interpreter, running unverified code in the image.",
    docs: r#"Whatever the server returns at build time is executed with the build's privileges and baked
into the image; nothing records what ran. Quoted text and comments are not commands, and
downloading to a file, verifying it, then running it is fine.

NOT OK:
```dockerfile
RUN curl -fsSL https://example.com/install.sh | sh
RUN sh -c "$(wget -qO- https://example.com/install.sh)"
```

OK:
```dockerfile
RUN curl -fsSLo /tmp/install.sh https://example.com/v1.2.3/install.sh \
 && echo "5f2c…  /tmp/install.sh" | sha256sum -c - \
 && sh /tmp/install.sh
```"#,
    fix: "Download a versioned file, verify its checksum or signature, then run it; or install from a package manager with pinned versions.",
    tags: &["SP-21", "SP-10", "CWE-494"],
};

pub static SECRET_IN_ENV: Info = Info {
    id: "iac/dockerfile-secret-in-env",
    name: "Secret in ENV or ARG",
    severity: Severity::High,
    confidence: Confidence::Medium,
    summary: "An `ENV` or `ARG` whose name says it holds a credential (PASSWORD, TOKEN, SECRET, API_KEY…) is given a literal value.",
    docs: r#"`ENV` values are stored in the image configuration and `ARG` values in its build history:
anyone who can pull the image can read them (`docker history`, `docker inspect`). The
value is never printed by tollgate (it is shown redacted). Names of a file or URL
(`*_FILE`, `*_URL`, `*_PATH`) and public key material (`GPG_KEY`) are not reported, nor
references to another variable (`$X`). The secrets scanner still reports known token
formats anywhere in the file. References: CIS Docker 4.10.

NOT OK:
```dockerfile
ENV DB_PASSWORD=s3cr3t-value
ARG NPM_TOKEN=npm_abcdefghijklmnopqrstuvwxyz0123456789
```

OK:
```dockerfile
ENV DB_PASSWORD_FILE=/run/secrets/db_password
RUN --mount=type=secret,id=npm_token NPM_TOKEN=$(cat /run/secrets/npm_token) npm ci
```"#,
    fix: "Remove the value and rotate it; pass secrets at run time (orchestrator secrets, mounted files) or at build time with `RUN --mount=type=secret`.",
    tags: &["SP-21", "SP-07", "CWE-798", "CIS-Docker-4.10"],
};

pub static COPY_KEY_FILE: Info = Info {
    id: "iac/dockerfile-copy-key-file",
    name: "COPY/ADD of a key or credentials file",
    severity: Severity::High,
    confidence: Confidence::Medium,
    summary: "`COPY`/`ADD` puts a private key, `.env`, `.netrc`, `.npmrc` or similar credentials file into the image.",
    docs: r#"Every layer of an image is readable by whoever can pull it; a key copied in and deleted in a
later layer is still in the earlier one. Recognised names: `id_rsa`/`id_dsa`/`id_ecdsa`/
`id_ed25519`, `*.pem`, `*.key`, `*.p12`, `*.pfx`, `*.jks`, `*.keystore`, `*.ppk`, `.env` and
`.env.*` (not `.env.example`/`.sample`/`.template`), `.netrc`, `.npmrc`, `.pypirc`,
`.git-credentials`, `.pgpass`, `.htpasswd`, `credentials`, and the folders `.ssh`, `.aws`,
`.gnupg`, `.docker`. `COPY --from=<stage>` is not reported (it copies from a build stage).
A `*.pem` is sometimes a public certificate: check before rotating.

NOT OK:
```dockerfile
COPY id_rsa /root/.ssh/id_rsa
COPY .env /app/.env
```

OK:
```dockerfile
RUN --mount=type=ssh git clone git@github.com:org/private.git
COPY .env.example /app/.env.example
```"#,
    fix: "Remove the file from the build context (and `.dockerignore` it); use `RUN --mount=type=secret` or `--mount=type=ssh`, or mount it at run time.",
    tags: &["SP-21", "SP-07", "CWE-538", "CIS-Docker-4.10"],
};

pub static APT_RECOMMENDS: Info = Info {
    id: "iac/dockerfile-apt-install-recommends",
    name: "apt-get install without --no-install-recommends",
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "`apt-get install` without `--no-install-recommends` pulls in recommended packages nobody asked for, growing the attack surface.",
    docs: r#"Recommended packages are often large (documentation tools, X libraries, extra daemons) and
each is one more thing to patch and one more CVE in the image scan. References: hadolint
DL3015.

NOT OK:
```dockerfile
RUN apt-get update && apt-get install -y curl
```

OK:
```dockerfile
RUN apt-get update && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
```"#,
    fix: "Add `--no-install-recommends` (or `-o APT::Install-Recommends=false`) to every `apt-get install`.",
    tags: &["SP-21", "CWE-1104"],
};

pub static SUDO: Info = Info {
    id: "iac/dockerfile-sudo",
    name: "sudo in RUN",
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "A `RUN` command uses `sudo`, which means the image ships sudo and a user allowed to use it.",
    docs: r#"Build steps already run as the current `USER`; switch with `USER root` for the few steps that
need it. `sudo` in an image gives a path back to root from the unprivileged user and
brings unpredictable TTY and signal behaviour. References: hadolint DL3004.

NOT OK:
```dockerfile
USER app
RUN sudo apt-get update
```

OK:
```dockerfile
USER root
RUN apt-get update
USER app
```"#,
    fix: "Use `USER root` for the step and switch back to the unprivileged user; do not install sudo.",
    tags: &["SP-21", "CWE-250"],
};

pub static NO_HEALTHCHECK: Info = Info {
    id: "iac/dockerfile-no-healthcheck",
    name: "No HEALTHCHECK",
    severity: Severity::Low,
    confidence: Confidence::Medium,
    summary: "The final stage (and the stages it builds on) has no `HEALTHCHECK`, so the runtime cannot tell a hung service from a healthy one.",
    docs: r#"Without a health check a wedged or half-compromised process keeps receiving traffic and is
never restarted by Docker or Swarm. Kubernetes ignores `HEALTHCHECK` (use liveness and
readiness probes there), so for images only run on Kubernetes this is informational.
`HEALTHCHECK NONE` counts as absent. References: checkov CKV_DOCKER_2, CIS Docker 4.6.

NOT OK:
```dockerfile
FROM nginx:1.27@sha256:…
```

OK:
```dockerfile
FROM nginx:1.27@sha256:…
HEALTHCHECK --interval=30s CMD wget -qO- http://localhost/ || exit 1
```"#,
    fix: "Add a `HEALTHCHECK CMD …` that exercises the service (or rely on orchestrator probes and disable this rule).",
    tags: &["SP-21", "CIS-Docker-4.6"],
};

pub static CHMOD_777: Info = Info {
    id: "iac/dockerfile-chmod-777",
    name: "World-writable permissions",
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "A `RUN chmod` makes files world-writable (`777`, `666`, `a+w`, `o+w`…).",
    docs: r#"Any user in the container, including an intruder who got in as an unprivileged user, can
rewrite world-writable files: scripts run by root, configuration, binaries on the `PATH`.

NOT OK:
```dockerfile
RUN chmod -R 777 /app
```

OK:
```dockerfile
RUN chown -R app:app /app/data && chmod 750 /app/data
```"#,
    fix: "Give ownership to the user that needs to write (`chown`/`COPY --chown`) and keep modes at 755/644 or tighter.",
    tags: &["SP-21", "CWE-732"],
};

pub static UNPINNED_PACKAGES: Info = Info {
    id: "iac/dockerfile-unpinned-packages",
    name: "Packages installed without a version",
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "`apt-get install`, `apk add` or `pip install` names packages without a version, so each build may install different code.",
    docs: r#"Unpinned installs make the image depend on whatever the mirror serves on build day: builds
stop being reproducible, a rebuild silently picks up a new (possibly compromised or broken)
release, and the SBOM of two builds from one commit differ. Packages given as a file
(`./x.deb`, `*.whl`, `.`), a URL, a variable, or through `-r requirements.txt` are not
judged here (the deps scanner reads requirement files). References: hadolint DL3008
(apt), DL3018 (apk), DL3013 (pip).

NOT OK:
```dockerfile
RUN apt-get install -y --no-install-recommends curl
RUN apk add --no-cache git
RUN pip install requests
```

OK:
```dockerfile
RUN apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8
RUN apk add --no-cache git=2.45.2-r0
RUN pip install --require-hashes -r requirements.txt
```"#,
    fix: "Pin each package (`pkg=version`, `pkg==version`) or install from a lock or requirements file with hashes; let a bot propose updates.",
    tags: &["SP-21", "SP-10", "CWE-1357"],
};

/// Every Dockerfile rule.
pub fn infos() -> Vec<&'static Info> {
    vec![
        &UNPINNED_BASE,
        &ROOT_USER,
        &ADD_REMOTE,
        &CURL_PIPE_SHELL,
        &SECRET_IN_ENV,
        &COPY_KEY_FILE,
        &APT_RECOMMENDS,
        &SUDO,
        &NO_HEALTHCHECK,
        &CHMOD_777,
        &UNPINNED_PACKAGES,
    ]
}

/// Runs every Dockerfile rule.
pub fn check(df: &Dockerfile, src: &Src<'_>, out: &mut Vec<Finding>) {
    unpinned_base(df, src, out);
    root_user(df, src, out);
    no_healthcheck(df, src, out);
    for (idx, ins) in df.instructions.iter().enumerate() {
        let route = route(df, idx);
        match ins.keyword.as_str() {
            "ADD" => {
                add_remote(ins, src, &route, out);
                copy_key_file(ins, src, &route, out);
            }
            "COPY" => copy_key_file(ins, src, &route, out),
            "ENV" | "ARG" => secret_in_env(ins, src, &route, out),
            "RUN" => run_scripts(ins, src, &route, out),
            _ => {}
        }
    }
}

/// `stage[build].RUN[2]`: the stage (by name or index), keyword and its ordinal in the stage.
fn route(df: &Dockerfile, idx: usize) -> String {
    let ins = &df.instructions[idx];
    let stage = match ins.stage {
        Some(s) => df.stages[s].name.clone().unwrap_or_else(|| s.to_string()),
        None => "global".into(),
    };
    let n = df.instructions[..idx]
        .iter()
        .filter(|i| i.stage == ins.stage && i.keyword == ins.keyword)
        .count();
    format!("stage[{stage}].{}[{n}]", ins.keyword)
}

fn unpinned_base(df: &Dockerfile, src: &Src<'_>, out: &mut Vec<Finding>) {
    for (i, st) in df.stages.iter().enumerate() {
        let lower = st.image.to_ascii_lowercase();
        if st.unresolved || st.parent.is_some() || lower == "scratch" || lower.is_empty() {
            continue;
        }
        let r = names::image_ref(&st.image);
        let pin = Pin::of(&r);
        if pin == Pin::Digest {
            continue;
        }
        let sev = if pin == Pin::Tag {
            Severity::Low
        } else {
            Severity::Medium
        };
        out.push(
            src.finding_sev(
                &UNPINNED_BASE,
                sev,
                st.image_span.0,
                st.image_span.1,
                &format!("{}.image", route(df, st.from)),
                format!("base image `{}` uses {}", st.image, pin.describe()),
            )
            .with_property("pin", pin.as_str().into())
            .with_property("stage", i.into()),
        );
    }
}

fn root_user(df: &Dockerfile, src: &Src<'_>, out: &mut Vec<Finding>) {
    let Some(last) = df.stages.len().checked_sub(1) else {
        return;
    };
    // Walk the final stage and the stages it builds on, newest first.
    let mut s = Some(last);
    let mut hops = 0;
    while let Some(si) = s {
        hops += 1;
        if hops > df.stages.len() {
            return;
        }
        let user = df
            .instructions
            .iter()
            .enumerate()
            .rfind(|(_, i)| i.stage == Some(si) && i.keyword == "USER");
        if let Some((idx, ins)) = user {
            if ins.unresolved {
                return;
            }
            let name = ins.expanded.split(':').next().unwrap_or("").trim();
            if name == "root" || name == "0" {
                let (a, b) = ins.args_span();
                out.push(src.finding(
                    &ROOT_USER,
                    a,
                    b,
                    &route(df, idx),
                    "the final stage's last `USER` is root".into(),
                ));
            }
            return;
        }
        let st = &df.stages[si];
        if st.parent.is_none() {
            let lower = st.image.to_ascii_lowercase();
            if st.unresolved || lower.contains("nonroot") || lower.contains("non-root") {
                return;
            }
        }
        s = st.parent;
    }
    let st = &df.stages[last];
    let from = &df.instructions[st.from];
    out.push(src.finding(
        &ROOT_USER,
        from.start,
        from.end,
        &route(df, st.from),
        "the final stage sets no `USER`, so the container runs as root".into(),
    ));
}

fn no_healthcheck(df: &Dockerfile, src: &Src<'_>, out: &mut Vec<Finding>) {
    let Some(last) = df.stages.len().checked_sub(1) else {
        return;
    };
    // The final stage and the earlier stages it builds on.
    let mut chain = Vec::new();
    let mut s = Some(last);
    while let Some(si) = s {
        if chain.contains(&si) {
            break;
        }
        chain.push(si);
        s = df.stages[si].parent;
    }
    // The newest HEALTHCHECK along the chain decides.
    let hc = df
        .instructions
        .iter()
        .filter(|i| i.keyword == "HEALTHCHECK" && i.stage.is_some_and(|st| chain.contains(&st)))
        .max_by_key(|i| {
            (
                std::cmp::Reverse(chain.iter().position(|c| Some(*c) == i.stage)),
                i.start,
            )
        });
    if hc.is_some_and(|i| !i.args.trim().eq_ignore_ascii_case("none")) {
        return;
    }
    let st = &df.stages[last];
    let from = &df.instructions[st.from];
    out.push(src.finding(
        &NO_HEALTHCHECK,
        from.start,
        from.end,
        &route(df, st.from),
        "the final stage has no `HEALTHCHECK`".into(),
    ));
}

/// The packages of an install command that carry no version, or `None` when the command is
/// not a package install (`apt-get install`, `apt install`, `apk add`, `pip install`).
pub fn unpinned_packages(cmd: &str) -> Option<Vec<String>> {
    let (prog, _) = shell::program(cmd);
    let words: Vec<&str> = cmd.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| w.rsplit('/').next() == Some(prog.as_str()))?;
    let rest = &words[at + 1..];
    let (verb, takes_arg, pinned): (&str, &[&str], fn(&str) -> bool) = match prog.as_str() {
        "apt-get" | "apt" => ("install", &["-o", "-t", "--target-release", "-c"], |w| {
            w.contains('=')
        }),
        "apk" => (
            "add",
            &["-t", "--virtual", "-X", "--repository", "-p", "--root"],
            |w| w.contains('=') || w.contains('~'),
        ),
        p if p.starts_with("pip") => (
            "install",
            &[
                "-r",
                "--requirement",
                "-c",
                "--constraint",
                "-e",
                "--editable",
                "-i",
                "--index-url",
                "--extra-index-url",
                "-t",
                "--target",
                "--prefix",
                "--root",
                "-f",
                "--find-links",
            ],
            |w| w.contains("==") || w.contains("===") || w.contains('@'),
        ),
        _ => return None,
    };
    let v = rest.iter().position(|w| *w == verb)?;
    let mut out = Vec::new();
    let mut skip = false;
    for w in &rest[v + 1..] {
        if skip {
            skip = false;
            continue;
        }
        if w.starts_with('-') {
            skip = takes_arg.contains(w);
            continue;
        }
        let w = w.trim_matches(['"', '\'']);
        let file = w.contains('/')
            || w.starts_with('.')
            || w.ends_with(".deb")
            || w.ends_with(".whl")
            || w.ends_with(".tar.gz")
            || w.ends_with(".apk")
            || w.contains("://");
        if w.is_empty() || w.contains('$') || w.contains('`') || file || pinned(w) {
            continue;
        }
        out.push(w.to_string());
    }
    Some(out)
}

/// `chmod` arguments that make a file world-writable.
fn world_writable_mode(w: &str) -> bool {
    if w.len() >= 3 && w.len() <= 4 && w.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        let other = w.as_bytes()[w.len() - 1] - b'0';
        return other & 2 != 0;
    }
    // Symbolic: a clause for `o` or `a` (or no who at all) adding `w`.
    w.split(',').any(|c| {
        let Some(op) = c.find(['+', '=']) else {
            return false;
        };
        let (who, perm) = c.split_at(op);
        (who.is_empty() || who.contains('o') || who.contains('a'))
            && perm[1..].contains('w')
            && who.chars().all(|ch| "ugoa".contains(ch))
    })
}

fn add_remote(ins: &Instruction, src: &Src<'_>, route: &str, out: &mut Vec<Finding>) {
    let (flags, rest) = ins.flags_and_rest();
    if flags.iter().any(|(k, _)| k == "checksum") || rest.len() < 2 || ins.is_exec_form() {
        return;
    }
    for w in &rest[..rest.len() - 1] {
        let lower = w.text.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            out.push(src.finding(
                &ADD_REMOTE,
                ins.src_offset(w.start),
                ins.src_offset(w.end),
                route,
                format!("`ADD {}` is not verified with `--checksum`", w.text),
            ));
        }
    }
}

fn secret_in_env(ins: &Instruction, src: &Src<'_>, route: &str, out: &mut Vec<Finding>) {
    let pairs = if ins.keyword == "ENV" {
        env_pairs(&ins.args)
    } else {
        env_pairs(&ins.args)
            .into_iter()
            .filter(|(k, _)| ins.args[k.end..].starts_with('='))
            .collect()
    };
    for (k, v) in pairs {
        if names::secret_like_name(&k.text) && names::literal_secret_value(&v.text) {
            out.push(src.secret_finding(
                &SECRET_IN_ENV,
                ins.src_offset(k.start),
                ins.src_offset(v.end),
                &format!("{route}.{}", k.text),
                format!(
                    "`{} {}` is set to a literal value, stored in the image",
                    ins.keyword, k.text
                ),
                &v.text,
            ));
        }
    }
}

/// Whether a path (its last component) names a key or credentials file.
pub fn key_file(path: &str) -> bool {
    let p = path.trim_end_matches('/');
    let base = p.rsplit('/').next().unwrap_or(p).to_ascii_lowercase();
    const EXACT: &[&str] = &[
        "id_rsa",
        "id_dsa",
        "id_ecdsa",
        "id_ed25519",
        ".env",
        ".netrc",
        "_netrc",
        ".npmrc",
        ".pypirc",
        ".git-credentials",
        ".pgpass",
        ".htpasswd",
        "credentials",
        ".ssh",
        ".aws",
        ".gnupg",
        ".docker",
        ".dockercfg",
    ];
    const EXT: &[&str] = &[".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".ppk"];
    if EXACT.contains(&base.as_str()) || EXT.iter().any(|e| base.ends_with(e)) {
        return true;
    }
    if let Some(suffix) = base.strip_prefix(".env.") {
        return !matches!(
            suffix,
            "example" | "sample" | "template" | "dist" | "defaults" | "tpl"
        );
    }
    false
}

fn copy_key_file(ins: &Instruction, src: &Src<'_>, route: &str, out: &mut Vec<Finding>) {
    let (flags, rest) = ins.flags_and_rest();
    if flags.iter().any(|(k, _)| k == "from") || rest.len() < 2 || ins.is_exec_form() {
        return;
    }
    for w in &rest[..rest.len() - 1] {
        if w.text.starts_with("<<") || w.text.contains("://") {
            continue;
        }
        if key_file(&w.text) {
            out.push(src.finding(
                &COPY_KEY_FILE,
                ins.src_offset(w.start),
                ins.src_offset(w.end),
                route,
                format!(
                    "`{} {}` puts a key or credentials file into the image",
                    ins.keyword, w.text
                ),
            ));
        }
    }
}

/// The `RUN` scripts: the arguments (continuations joined) and each heredoc body.
fn run_scripts(ins: &Instruction, src: &Src<'_>, route: &str, out: &mut Vec<Finding>) {
    // (script, where its byte 0 is: `None` for the arguments, which map through the
    // continuation pieces, `Some(offset)` for a heredoc body).
    let mut scripts: Vec<(&str, Option<usize>)> = vec![(ins.args.as_str(), None)];
    scripts.extend(
        ins.heredocs
            .iter()
            .map(|h| (h.body.as_str(), Some(h.start))),
    );
    for (text, base) in scripts {
        let at = |i: usize| match base {
            None => ins.src_offset(i),
            Some(b) => b + i,
        };
        for (a, b) in shell::download_into_shell(text) {
            out.push(src.finding(
                &CURL_PIPE_SHELL,
                at(a),
                at(b),
                route,
                "a download is piped into a shell without verification".into(),
            ));
        }
        for c in shell::commands(text) {
            let cmd = &text[c.start..c.end];
            let (prog, sudo) = shell::program(cmd);
            if let Some(pkgs) = unpinned_packages(cmd).filter(|p| !p.is_empty()) {
                out.push(src.finding(
                    &UNPINNED_PACKAGES,
                    at(c.start),
                    at(c.end),
                    route,
                    format!("packages installed without a version: {}", pkgs.join(", ")),
                ));
            }
            if prog == "chmod"
                && cmd
                    .split_whitespace()
                    .skip(1)
                    .filter(|w| !w.starts_with('-'))
                    .take(1)
                    .any(world_writable_mode)
            {
                out.push(src.finding(
                    &CHMOD_777,
                    at(c.start),
                    at(c.end),
                    route,
                    "`chmod` makes files world-writable".into(),
                ));
            }
            if sudo {
                out.push(src.finding(
                    &SUDO,
                    at(c.start),
                    at(c.end),
                    route,
                    "`sudo` in a build step".into(),
                ));
            }
            if (prog == "apt-get" || prog == "apt")
                && cmd.split_whitespace().any(|w| w == "install")
                && !cmd.contains("--no-install-recommends")
                && !cmd.contains("Install-Recommends=false")
                && !cmd.contains("Install-Recommends=0")
            {
                out.push(src.finding(
                    &APT_RECOMMENDS,
                    at(c.start),
                    at(c.end),
                    route,
                    "`apt-get install` without `--no-install-recommends`".into(),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_pins() {
        let u = |c: &str| unpinned_packages(c);
        assert_eq!(
            u("apt-get install -y --no-install-recommends curl git=1:2.39"),
            Some(vec!["curl".to_string()])
        );
        assert_eq!(
            u("DEBIAN_FRONTEND=noninteractive apt-get -t bookworm install -y ./x.deb"),
            Some(vec![])
        );
        assert_eq!(
            u("apk add --no-cache --virtual .deps gcc musl-dev=1.2"),
            Some(vec!["gcc".to_string()])
        );
        assert_eq!(
            u("pip install --no-cache-dir -r requirements.txt flask==3.0 ."),
            Some(vec![])
        );
        assert_eq!(
            u("pip3 install requests 'urllib3<3'"),
            Some(vec!["requests".to_string(), "urllib3<3".to_string()])
        );
        assert_eq!(u("apt-get update"), None);
        assert_eq!(u("echo apt-get install x"), None);
    }

    #[test]
    fn modes() {
        for m in [
            "777", "0777", "666", "a+w", "o+rwx", "+w", "u+x,o+w", "1777",
        ] {
            assert!(world_writable_mode(m), "{m}");
        }
        for m in ["755", "0644", "u+w", "g+w", "+x", "a-w", "/tmp", "1775"] {
            assert!(!world_writable_mode(m), "{m}");
        }
    }

    #[test]
    fn key_files() {
        for p in [
            "id_rsa",
            "./keys/server.pem",
            ".env",
            ".env.production",
            "home/.ssh/",
            "a.p12",
        ] {
            assert!(key_file(p), "{p}");
        }
        for p in [
            "id_rsa.pub",
            ".env.example",
            "src",
            ".",
            "package.json",
            "keys.txt",
        ] {
            assert!(!key_file(p), "{p}");
        }
    }
}
