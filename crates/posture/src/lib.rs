//! Pipeline posture: scores what tollgate's reports show against the secure release pipeline
//! checklist (`CHECKLIST.md`, SP-01 … SP-26), each control mapped to NIST SP 800-218 (SSDF)
//! practice ids and SLSA v1 build levels.
//!
//! This crate reads reports only: the internal [`tollgate_model::Report`] or the
//! `tollgate.report/v1` wire JSON ([`tollgate_render::json::ReportV1`]). It never imports a
//! scanner crate: findings are recognised by their public rule ids. A control the evidence
//! cannot show is `unknown`, never `pass`.

mod controls;
mod render;

pub use controls::{CONTROLS, ControlDef, Judge, explain};
pub use render::{Format, render};

use serde::Serialize;
use std::collections::BTreeSet;
use tollgate_model::Report;
use tollgate_render::json::ReportV1;

/// One finding as posture sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvFinding {
    pub rule: String,
    pub severity: String,
    pub path: String,
    pub line: u32,
    pub message: String,
}

/// What the reports establish, merged.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    pub findings: Vec<EvFinding>,
    /// Scanners that ran (`ci`, `secrets`, `deps`…).
    pub scanners: BTreeSet<String>,
    /// (path, inventory kind) of every scanned input.
    pub inputs: Vec<(String, String)>,
    /// Exceptions in force: (reason, owner, expires).
    pub exceptions: Vec<(String, Option<String>, Option<String>)>,
    /// Diagnostics' messages (expired exceptions, unparsable files).
    pub diagnostics: Vec<String>,
    /// Whether a configuration file was in force.
    pub config: bool,
}

impl Evidence {
    pub fn from_report(r: &Report) -> Self {
        let mut e = Evidence::default();
        e.add_report(r);
        e
    }

    pub fn add_report(&mut self, r: &Report) {
        for f in &r.findings {
            self.findings.push(EvFinding {
                rule: f.rule.to_string(),
                severity: f.severity.as_str().to_string(),
                path: f.location.path.clone(),
                line: f.location.line,
                message: f.message.clone(),
            });
        }
        for f in &r.suppressed {
            if let Some(s) = &f.suppression {
                self.exceptions
                    .push((s.reason.clone(), s.owner.clone(), s.expires.clone()));
            }
        }
        self.scanners
            .extend(r.scanners.iter().map(|s| s.name.clone()));
        self.inputs
            .extend(r.inputs.iter().map(|i| (i.path.clone(), i.kind.clone())));
        self.diagnostics
            .extend(r.diagnostics.iter().map(|d| d.message.clone()));
        self.config |= r.config_digest.is_some();
    }

    /// Adds a `tollgate.report/v1` document.
    pub fn add_v1(&mut self, r: &ReportV1) {
        for f in &r.findings {
            self.findings.push(EvFinding {
                rule: f.rule.clone(),
                severity: f.severity.clone(),
                path: f.location.path.clone(),
                line: f.location.line,
                message: f.message.clone(),
            });
        }
        for f in &r.suppressed {
            let s = f.suppression.as_ref();
            let get = |k: &str| {
                s.and_then(|s| s.get(k))
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            self.exceptions.push((
                get("reason").unwrap_or_default(),
                get("owner"),
                get("expires"),
            ));
        }
        self.scanners
            .extend(r.scanners.iter().map(|s| s.name.clone()));
        self.inputs
            .extend(r.inputs.iter().map(|i| (i.path.clone(), i.kind.clone())));
        self.diagnostics
            .extend(r.diagnostics.iter().map(|d| d.message.clone()));
        self.config |= r.config_digest.is_some();
    }

    pub fn has_input(&self, pred: impl Fn(&str, &str) -> bool) -> Vec<&str> {
        self.inputs
            .iter()
            .filter(|(p, k)| pred(p, k))
            .map(|(p, _)| p.as_str())
            .collect()
    }

    /// Number of CI configuration files seen.
    pub fn ci_files(&self) -> usize {
        self.has_input(|_, k| k == "ci-config").len()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Unknown => "unknown",
        }
    }
}

/// One control's result.
#[derive(Debug, Clone, Serialize)]
pub struct ControlResult {
    pub id: &'static str,
    pub title: &'static str,
    pub status: Status,
    /// Why this status, in one sentence.
    pub rationale: String,
    /// Findings or inputs that show it.
    pub evidence: Vec<String>,
    pub ssdf: &'static [&'static str],
    pub slsa: &'static [&'static str],
}

/// The whole assessment.
#[derive(Debug, Clone, Serialize)]
pub struct Posture {
    pub schema: &'static str,
    pub checklist: &'static str,
    pub controls: Vec<ControlResult>,
    /// Highest SLSA build level the evidence supports (0 when none).
    pub slsa_build_level: u8,
    pub summary: Summary,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub pass: usize,
    pub fail: usize,
    pub unknown: usize,
    /// Percent of controls passing among those that could be judged.
    pub score: u32,
}

impl Posture {
    pub fn failed(&self) -> usize {
        self.summary.fail
    }
}

/// Scores every control of the checklist.
pub fn assess(ev: &Evidence) -> Posture {
    let controls: Vec<ControlResult> = CONTROLS.iter().map(|c| c.assess(ev)).collect();
    let count = |s: Status| controls.iter().filter(|c| c.status == s).count();
    let (pass, fail, unknown) = (
        count(Status::Pass),
        count(Status::Fail),
        count(Status::Unknown),
    );
    let judged = pass + fail;
    let status = |id: &str| {
        controls
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.status)
            .unwrap_or(Status::Unknown)
    };
    let ok = |ids: &[&str]| ids.iter().all(|i| status(i) == Status::Pass);
    let slsa_build_level = if ok(&["SP-16", "SP-04", "SP-03", "SP-23", "SP-07", "SP-08"]) {
        3
    } else if ok(&["SP-16", "SP-04"]) {
        2
    } else if ok(&["SP-16"]) {
        1
    } else {
        0
    };
    Posture {
        schema: "tollgate.posture/v1",
        checklist: "secure release pipeline checklist SP-01..SP-26",
        controls,
        slsa_build_level,
        summary: Summary {
            pass,
            fail,
            unknown,
            score: (pass * 100).checked_div(judged).unwrap_or(0) as u32,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(rules: &[&str]) -> Evidence {
        let mut e = Evidence::default();
        e.scanners.insert("ci".into());
        e.inputs
            .push((".github/workflows/ci.yml".into(), "ci-config".into()));
        for r in rules {
            e.findings.push(EvFinding {
                rule: r.to_string(),
                severity: "high".into(),
                path: ".github/workflows/ci.yml".into(),
                line: 3,
                message: "m".into(),
            });
        }
        e
    }

    #[test]
    fn every_control_is_scored_and_mapped() {
        let p = assess(&ev(&[]));
        assert_eq!(p.controls.len(), 26);
        for (i, c) in p.controls.iter().enumerate() {
            assert_eq!(c.id, format!("SP-{:02}", i + 1));
            assert!(!c.ssdf.is_empty(), "{} has no SSDF mapping", c.id);
        }
        assert_eq!(p.controls[7].status, Status::Pass, "SP-08 with clean CI");
        assert_eq!(
            p.controls[8].status,
            Status::Unknown,
            "SP-09 cannot be seen"
        );
    }

    #[test]
    fn findings_fail_their_controls() {
        let p = assess(&ev(&["ci/static-cloud-credentials", "ci/unpinned-uses"]));
        let st = |id: &str| p.controls.iter().find(|c| c.id == id).unwrap().status;
        assert_eq!(st("SP-08"), Status::Fail);
        assert_eq!(st("SP-10"), Status::Fail);
        assert_eq!(st("SP-24"), Status::Fail);
        assert_eq!(st("SP-23"), Status::Pass);
        let c = p.controls.iter().find(|c| c.id == "SP-08").unwrap();
        assert!(c.evidence[0].contains("ci/static-cloud-credentials"));
    }

    #[test]
    fn no_ci_means_unknown_not_pass() {
        let p = assess(&Evidence::default());
        let c = p.controls.iter().find(|c| c.id == "SP-08").unwrap();
        assert_eq!(c.status, Status::Unknown);
        assert_eq!(p.slsa_build_level, 0);
    }
}
