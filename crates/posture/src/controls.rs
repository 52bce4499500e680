//! The checklist controls: what fails each one (rule ids of any scanner), what shows it
//! passes, and its SSDF / SLSA mapping.

use crate::{ControlResult, Evidence, Status};

/// How a control is judged once no failing finding was found: the rule in words (for
/// `tollgate explain SP-xx`) and the function that applies it.
pub struct Judge {
    pub how: &'static str,
    f: fn(&Evidence) -> (Status, String, Vec<String>),
}

const CI: Judge = Judge {
    how: "passes when the CI scanner audited at least one CI configuration file and none of the \
          rules above fired; unknown when no CI configuration was audited",
    f: ci,
};
const UNSEEN: Judge = Judge {
    how: "outside the repository: always unknown, since tollgate has no evidence for it",
    f: unseen,
};
const SIGNATURES: Judge = Judge {
    how: "passes when the scanned inputs include signature bundles (*.sigstore.json, *.sigstore, \
          *.sig, *.bundle); unknown otherwise",
    f: signatures,
};
const SBOMS: Judge = Judge {
    how: "passes when the scanned inputs include SBOM files (*.cdx.json, *.spdx.json, names with \
          `sbom`); unknown otherwise",
    f: sboms,
};
const PROVENANCE: Judge = Judge {
    how: "passes when the scanned inputs include provenance or attestation files (*.intoto.jsonl, \
          *.att.json, names with `provenance`); unknown otherwise",
    f: provenance,
};
const POLICY: Judge = Judge {
    how: "passes when the scanned inputs include policy-as-code files (*.rego, policy.toml, \
          tollgate.toml); unknown otherwise",
    f: policy,
};
const LOG: Judge = Judge {
    how: "passes when the scanned inputs include a tollgate transparency log; unknown otherwise",
    f: log,
};
const SECRETS: Judge = Judge {
    how: "passes when the secret scanner ran and none of the rules above fired; unknown when \
          only CI configuration was audited",
    f: secrets,
};
const SCANNING: Judge = Judge {
    how: "passes when at least two of the secret, dependency and SAST scanners ran; unknown \
          otherwise",
    f: scanning,
};
const EXCEPTIONS: Judge = Judge {
    how: "passes when every exception in force has an owner and an expiry and none has expired; \
          fails otherwise; unknown when there are no exceptions",
    f: exceptions,
};
const REPRODUCIBLE: Judge = Judge {
    how: "after the CI check, fails when dependency manifests have no lockfile; passes otherwise",
    f: reproducible,
};
const MAPPING: Judge = Judge {
    how: "passes: every control of this report is mapped to NIST SSDF practices and SLSA levels",
    f: mapping,
};

pub struct ControlDef {
    pub id: &'static str,
    pub title: &'static str,
    /// NIST SP 800-218 SSDF practice ids.
    pub ssdf: &'static [&'static str],
    /// SLSA v1 build-track requirements the control supports.
    pub slsa: &'static [&'static str],
    /// Rule ids (or `scanner/` prefixes) whose counting findings fail the control.
    pub fail_rules: &'static [&'static str],
    pub judge: Judge,
}

fn ci(ev: &Evidence) -> (Status, String, Vec<String>) {
    let n = ev.ci_files();
    if ev.scanners.contains("ci") && n > 0 {
        (
            Status::Pass,
            format!("{n} CI configuration file(s) audited; no finding against this control"),
            ev.has_input(|_, k| k == "ci-config")
                .into_iter()
                .map(str::to_string)
                .collect(),
        )
    } else {
        (
            Status::Unknown,
            "no CI configuration was audited".into(),
            Vec::new(),
        )
    }
}

fn unseen(_: &Evidence) -> (Status, String, Vec<String>) {
    (
        Status::Unknown,
        "outside the repository: tollgate has no evidence for it unless it is recorded".into(),
        Vec::new(),
    )
}

fn files(ev: &Evidence, pred: fn(&str) -> bool, what: &str) -> (Status, String, Vec<String>) {
    let hits: Vec<String> = ev
        .has_input(|p, _| pred(&p.to_ascii_lowercase()))
        .into_iter()
        .map(str::to_string)
        .collect();
    if hits.is_empty() {
        (Status::Unknown, format!("no {what} found"), Vec::new())
    } else {
        (Status::Pass, format!("{} {what} found", hits.len()), hits)
    }
}

fn signatures(ev: &Evidence) -> (Status, String, Vec<String>) {
    files(
        ev,
        |p| {
            p.ends_with(".sigstore.json")
                || p.ends_with(".sigstore")
                || p.ends_with(".sig")
                || p.ends_with(".bundle")
        },
        "signature bundle(s)",
    )
}

fn sboms(ev: &Evidence) -> (Status, String, Vec<String>) {
    files(
        ev,
        |p| p.ends_with(".cdx.json") || p.ends_with(".spdx.json") || p.contains("sbom"),
        "SBOM file(s)",
    )
}

fn provenance(ev: &Evidence) -> (Status, String, Vec<String>) {
    files(
        ev,
        |p| p.ends_with(".intoto.jsonl") || p.contains("provenance") || p.ends_with(".att.json"),
        "provenance or attestation file(s)",
    )
}

fn policy(ev: &Evidence) -> (Status, String, Vec<String>) {
    files(
        ev,
        |p| p.ends_with(".rego") || p.ends_with("policy.toml") || p.ends_with("tollgate.toml"),
        "policy-as-code file(s)",
    )
}

fn log(ev: &Evidence) -> (Status, String, Vec<String>) {
    files(
        ev,
        |p| p.contains("tollgate-log") || p.contains(".tollgate/log"),
        "transparency log(s)",
    )
}

fn secrets(ev: &Evidence) -> (Status, String, Vec<String>) {
    if ev.scanners.contains("secrets") {
        (
            Status::Pass,
            "the secret scanner ran and found nothing".into(),
            Vec::new(),
        )
    } else {
        let (s, r, e) = ci(ev);
        if s == Status::Pass {
            (
                Status::Unknown,
                "CI configuration shows no secret exposure, but no secret scan was run".into(),
                e,
            )
        } else {
            (s, r, e)
        }
    }
}

fn scanning(ev: &Evidence) -> (Status, String, Vec<String>) {
    let mut ran: Vec<String> = ev
        .scanners
        .iter()
        .filter(|s| matches!(s.as_str(), "secrets" | "deps" | "sast"))
        .cloned()
        .collect();
    ran.sort();
    if ran.len() >= 2 {
        (
            Status::Pass,
            format!("scanners that ran: {}", ran.join(", ")),
            Vec::new(),
        )
    } else {
        (
            Status::Unknown,
            "whether CI runs SAST, SCA and secret scanning on pull requests is not shown by the reports".into(),
            Vec::new(),
        )
    }
}

fn exceptions(ev: &Evidence) -> (Status, String, Vec<String>) {
    if ev.exceptions.is_empty() {
        return (
            Status::Unknown,
            "no exceptions in force to judge".into(),
            Vec::new(),
        );
    }
    let bad: Vec<String> = ev
        .exceptions
        .iter()
        .filter(|(_, o, x)| o.is_none() || x.is_none())
        .map(|(r, _, _)| format!("exception without owner or expiry: {r}"))
        .collect();
    let expired: Vec<String> = ev
        .diagnostics
        .iter()
        .filter(|d| d.contains("expired"))
        .cloned()
        .collect();
    if bad.is_empty() && expired.is_empty() {
        (
            Status::Pass,
            format!(
                "{} exception(s), each with owner and expiry",
                ev.exceptions.len()
            ),
            Vec::new(),
        )
    } else {
        (
            Status::Fail,
            "exceptions lack an owner or expiry, or have expired".into(),
            bad.into_iter().chain(expired).collect(),
        )
    }
}

fn reproducible(ev: &Evidence) -> (Status, String, Vec<String>) {
    let (s, r, e) = ci(ev);
    if s != Status::Pass {
        return (s, r, e);
    }
    let locks = ev.has_input(|_, k| k == "lockfile");
    let manifests = ev.has_input(|p, k| k == "manifest" && !p.ends_with(".json"));
    if locks.is_empty() && !manifests.is_empty() {
        return (
            Status::Fail,
            "dependency manifests without a lockfile".into(),
            manifests.into_iter().map(str::to_string).collect(),
        );
    }
    (
        Status::Pass,
        format!(
            "actions, images and tools pinned; {} lockfile(s)",
            locks.len()
        ),
        locks.into_iter().map(str::to_string).collect(),
    )
}

fn mapping(_: &Evidence) -> (Status, String, Vec<String>) {
    (
        Status::Pass,
        "this report maps every control to NIST SSDF practices and SLSA build levels".into(),
        Vec::new(),
    )
}

pub static CONTROLS: &[ControlDef] = &[
    ControlDef {
        id: "SP-01",
        title: "Inventory of CI/CD assets and integrations",
        ssdf: &["PO.3.1", "PO.3.2"],
        slsa: &[],
        fail_rules: &[],
        judge: CI,
    },
    ControlDef {
        id: "SP-02",
        title: "Least privilege for runners, tokens and deploy roles",
        ssdf: &["PO.5.1", "PS.1.1"],
        slsa: &["Build L3 (isolation)"],
        fail_rules: &[
            "ci/excessive-permissions",
            "ci/secrets-inherit",
            "ci/overprovisioned-secrets",
            "ci/build-and-deploy",
            "ci/artipacked",
        ],
        judge: CI,
    },
    ControlDef {
        id: "SP-03",
        title: "Ephemeral, isolated runners",
        ssdf: &["PO.5.1", "PO.5.2"],
        slsa: &["Build L3 (isolated builds)"],
        fail_rules: &[
            "ci/self-hosted-runner",
            "ci/gitlab-privileged-dind",
            "ci/untrusted-checkout-exec",
        ],
        judge: CI,
    },
    ControlDef {
        id: "SP-04",
        title: "Artifacts signed when built, verified before deployment",
        ssdf: &["PS.2.1", "PS.3.1"],
        slsa: &["Build L2 (signed provenance)"],
        fail_rules: &["attest/", "verify/"],
        judge: SIGNATURES,
    },
    ControlDef {
        id: "SP-05",
        title: "An SBOM for every artifact",
        ssdf: &["PS.3.2"],
        slsa: &[],
        fail_rules: &["sbom/"],
        judge: SBOMS,
    },
    ControlDef {
        id: "SP-06",
        title: "SAST, SCA and secret scanning on pull requests and default branches",
        ssdf: &["PW.7.2", "PW.8.2", "RV.1.1"],
        slsa: &[],
        fail_rules: &[],
        judge: SCANNING,
    },
    ControlDef {
        id: "SP-07",
        title: "Secrets in a secrets manager; none in code, logs or artifacts",
        ssdf: &["PO.5.2", "PS.1.1"],
        slsa: &["Build L3 (secret isolation)"],
        fail_rules: &[
            "secrets/",
            "ci/gitlab-hardcoded-secret",
            "ci/debug-logging",
            "ci/gitlab-debug-trace",
            "ci/gitlab-artifacts-secrets",
            "ci/insecure-commands",
        ],
        judge: SECRETS,
    },
    ControlDef {
        id: "SP-08",
        title: "CI reaches clouds through OIDC, not long-lived keys",
        ssdf: &["PO.5.2"],
        slsa: &["Build L3 (ephemeral credentials)"],
        fail_rules: &[
            "ci/static-cloud-credentials",
            "ci/gitlab-static-cloud-credentials",
            "ci/use-trusted-publishing",
        ],
        judge: CI,
    },
    ControlDef {
        id: "SP-09",
        title: "CI control plane hardened",
        ssdf: &["PO.5.1", "PO.5.2"],
        slsa: &["Build L3 (hardened platform)"],
        fail_rules: &[],
        judge: UNSEEN,
    },
    ControlDef {
        id: "SP-10",
        title: "Builds pull only from approved registries and sources",
        ssdf: &["PW.4.1", "PW.4.4", "PO.1.3"],
        slsa: &[],
        fail_rules: &[
            "ci/unpinned-uses",
            "ci/gitlab-include-unpinned",
            "ci/unpinned-images",
            "ci/typosquat-uses",
            "ci/archived-uses",
            "ci/curl-pipe-shell",
            "ci/gitlab-curl-pipe-shell",
            "ci/dependabot-execution",
            "deps/unapproved-source",
        ],
        judge: CI,
    },
    ControlDef {
        id: "SP-11",
        title: "Policy as code enforced before apply or deploy",
        ssdf: &["PO.4.1", "PO.4.2"],
        slsa: &[],
        fail_rules: &["policy/"],
        judge: POLICY,
    },
    ControlDef {
        id: "SP-12",
        title: "Gradual rollouts with automatic rollback",
        ssdf: &["RV.2.2"],
        slsa: &[],
        fail_rules: &[],
        judge: UNSEEN,
    },
    ControlDef {
        id: "SP-13",
        title: "Every CI/CD event in an append-only store",
        ssdf: &["PO.3.3", "PS.1.1"],
        slsa: &[],
        fail_rules: &["ledger/"],
        judge: LOG,
    },
    ControlDef {
        id: "SP-14",
        title: "Runbooks for compromised artifacts and leaked credentials",
        ssdf: &["RV.1.3", "RV.2.2"],
        slsa: &[],
        fail_rules: &[],
        judge: UNSEEN,
    },
    ControlDef {
        id: "SP-15",
        title: "Human approval for high-risk releases",
        ssdf: &["PS.1.1", "PO.4.1"],
        slsa: &[],
        fail_rules: &[
            "ci/deploy-without-environment",
            "ci/gitlab-deploy-without-environment",
            "ci/gitlab-production-not-manual",
        ],
        judge: CI,
    },
    ControlDef {
        id: "SP-16",
        title: "Provenance and attestations versioned with the artifact",
        ssdf: &["PS.3.1", "PS.3.2", "PO.3.3"],
        slsa: &["Build L1 (provenance exists)", "Build L2"],
        fail_rules: &["attest/"],
        judge: PROVENANCE,
    },
    ControlDef {
        id: "SP-17",
        title: "Dependency allowlists; exceptions with owner and expiry",
        ssdf: &["PW.4.1", "RV.2.2", "PO.4.1"],
        slsa: &[],
        fail_rules: &[],
        judge: EXCEPTIONS,
    },
    ControlDef {
        id: "SP-18",
        title: "Monitoring for credential misuse and unusual runner activity",
        ssdf: &["PO.3.3", "RV.1.1"],
        slsa: &[],
        fail_rules: &[],
        judge: UNSEEN,
    },
    ControlDef {
        id: "SP-19",
        title: "Developers trained on secure defaults",
        ssdf: &["PO.2.2"],
        slsa: &[],
        fail_rules: &[],
        judge: UNSEEN,
    },
    ControlDef {
        id: "SP-20",
        title: "Supplier SBOMs and attestations requested and verified",
        ssdf: &["PO.1.3", "PW.4.4"],
        slsa: &[],
        fail_rules: &[],
        judge: UNSEEN,
    },
    ControlDef {
        id: "SP-21",
        title: "Containers and infrastructure code scanned before promotion",
        ssdf: &["PW.7.2", "PW.8.2"],
        slsa: &[],
        fail_rules: &["iac/", "container/"],
        judge: UNSEEN,
    },
    ControlDef {
        id: "SP-22",
        title: "Protected branches and environments for deploy jobs",
        ssdf: &["PS.1.1", "PO.5.1"],
        slsa: &[],
        fail_rules: &[
            "ci/deploy-without-environment",
            "ci/gitlab-deploy-without-environment",
            "ci/id-token-without-environment",
            "ci/secrets-outside-env",
        ],
        judge: CI,
    },
    ControlDef {
        id: "SP-23",
        title: "Triggers validated; external input treated as untrusted",
        ssdf: &["PW.5.1", "PO.5.1"],
        slsa: &["Build L3 (isolation from untrusted input)"],
        fail_rules: &[
            "ci/template-injection",
            "ci/dangerous-triggers",
            "ci/untrusted-checkout-exec",
            "ci/artifact-poisoning",
            "ci/cross-job-taint",
            "ci/bot-conditions",
            "ci/unsound-condition",
            "ci/github-env",
            "ci/gitlab-script-injection",
            "ci/gitlab-fork-mr-secrets",
        ],
        judge: CI,
    },
    ControlDef {
        id: "SP-24",
        title: "Reproducible builds: pinned toolchains, locked dependencies",
        ssdf: &["PW.6.1", "PW.6.2"],
        slsa: &[],
        fail_rules: &[
            "ci/unpinned-uses",
            "ci/unpinned-images",
            "ci/unpinned-tools",
            "ci/gitlab-unpinned-image",
            "ci/gitlab-unpinned-service",
            "ci/gitlab-unpinned-tool-install",
            "ci/cache-poisoning",
        ],
        judge: REPRODUCIBLE,
    },
    ControlDef {
        id: "SP-25",
        title: "Break-glass access rare, time-bound, logged and reviewed",
        ssdf: &["PO.5.1", "PO.3.3"],
        slsa: &[],
        fail_rules: &[],
        judge: UNSEEN,
    },
    ControlDef {
        id: "SP-26",
        title: "Controls reviewed against NIST SSDF and SLSA",
        ssdf: &["PO.1.1", "PO.4.1"],
        slsa: &[],
        fail_rules: &[],
        judge: MAPPING,
    },
];

impl ControlDef {
    fn matches(&self, rule: &str) -> bool {
        self.fail_rules.iter().any(|r| {
            if r.ends_with('/') {
                rule.starts_with(r)
            } else {
                rule == *r
            }
        })
    }

    pub fn assess(&self, ev: &Evidence) -> ControlResult {
        let failing: Vec<String> = ev
            .findings
            .iter()
            .filter(|f| f.severity != "info" && self.matches(&f.rule))
            .map(|f| format!("{}:{} {} — {}", f.path, f.line, f.rule, f.message))
            .collect();
        // Evidence lists are complete: renderers that shorten them say how many they left out.
        let (status, rationale, evidence) = if failing.is_empty() {
            (self.judge.f)(ev)
        } else {
            (
                Status::Fail,
                format!("{} finding(s) against this control", failing.len()),
                failing,
            )
        };
        ControlResult {
            id: self.id,
            title: self.title,
            status,
            rationale,
            evidence,
            ssdf: self.ssdf,
            slsa: self.slsa,
        }
    }
}

/// The control `id` (`SP-07`, case-insensitive) in words: what fails it, how it is otherwise
/// judged, and its SSDF / SLSA mapping (`tollgate explain SP-07`).
pub fn explain(id: &str) -> Option<String> {
    let c = CONTROLS.iter().find(|c| c.id.eq_ignore_ascii_case(id))?;
    let mut s = format!("{} — {}\n\n", c.id, c.title);
    if c.fail_rules.is_empty() {
        s.push_str("Fails on: no finding (judged on evidence only).\n");
    } else {
        s.push_str("Fails on any counting finding (severity above info) of:\n");
        for r in c.fail_rules {
            if r.ends_with('/') {
                s.push_str(&format!("- every `{r}*` rule\n"));
            } else {
                s.push_str(&format!("- `{r}` (tollgate explain {r})\n"));
            }
        }
    }
    s.push_str(&format!("\nOtherwise: {}.\n", c.judge.how));
    s.push_str(&format!("\nNIST SSDF: {}\n", c.ssdf.join(", ")));
    if !c.slsa.is_empty() {
        s.push_str(&format!("SLSA: {}\n", c.slsa.join(", ")));
    }
    Some(s)
}
