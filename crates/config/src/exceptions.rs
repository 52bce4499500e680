use crate::Date;
use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Serialize};
use tollgate_model::Finding;

/// One accepted risk: `[[exceptions]]` in `tollgate.toml` or the baseline file. The only place
/// findings are suppressed. Every given matcher must match; at least one must be given.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Exception {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Glob over the finding's path relative to the scanned root (`tests/**`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `sha256:<hex>` of an artifact (used by the gate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact: Option<String>,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub expires: Option<Date>,
    /// When it was granted (written by `tollgate exception add` and `baseline`; used for age).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Date>,
}

impl Exception {
    pub(crate) fn validate(&self) -> Result<(), String> {
        let name = self.describe();
        if self.rule.is_none()
            && self.fingerprint.is_none()
            && self.path.is_none()
            && self.artifact.is_none()
        {
            return Err(format!(
                "exception {name}: give at least one of `rule`, `fingerprint`, `path`, `artifact`"
            ));
        }
        if self.reason.trim().is_empty() {
            return Err(format!("exception {name}: `reason` is required"));
        }
        if self.owner.trim().is_empty() {
            return Err(format!("exception {name}: `owner` is required"));
        }
        if self.expires.is_none() {
            return Err(format!(
                "exception {name}: `expires` (a date, e.g. 2027-01-31) is required"
            ));
        }
        if let Some(p) = &self.path {
            Glob::new(p).map_err(|e| format!("exception {name}: bad path glob: {e}"))?;
        }
        Ok(())
    }

    /// A short human name: its rule, fingerprint or path.
    pub fn describe(&self) -> String {
        self.fingerprint
            .as_ref()
            .or(self.rule.as_ref())
            .or(self.path.as_ref())
            .or(self.artifact.as_ref())
            .cloned()
            .unwrap_or_else(|| "(empty)".into())
    }

    /// Text to search for to place an error about this entry.
    pub(crate) fn span_hint(&self) -> Option<String> {
        self.fingerprint
            .as_ref()
            .or(self.rule.as_ref())
            .or(self.path.as_ref())
            .or(self.artifact.as_ref())
            .map(|s| format!("\"{s}\""))
    }

    /// Why this exception runs longer than `max_days` (`[gate] max-exception-days`) from when
    /// it was granted (`created`, or `today` when it has no `created`), or `None` when it does
    /// not. `exception add` refuses such an expiry; a hand-edited one is not applied.
    pub fn beyond_max_days(&self, today: Date, max_days: u32) -> Option<String> {
        let expires = self.expires?;
        let start = self.created.unwrap_or(today);
        let limit = start.add_days(i64::from(max_days));
        if expires <= limit {
            return None;
        }
        let since = match self.created {
            Some(c) => format!("its `created` {c}"),
            None => format!("today ({today}; it has no `created`)"),
        };
        Some(format!(
            "exception {}: `expires = {expires}` is more than {max_days} days after {since} \
             ([gate] max-exception-days); it is NOT applied. Set `expires` to {limit} at the \
             latest, or raise max-exception-days",
            self.describe()
        ))
    }

    pub fn is_expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|e| today > e)
    }
}

/// Result of matching a finding against the exceptions.
#[derive(Debug, Clone, Copy)]
pub enum ExceptionMatch<'a> {
    None,
    Active(&'a Exception),
    /// Matched only by expired exceptions: the finding counts, and the expiry is reported.
    Expired(&'a Exception),
}

/// Compiled exceptions, ready to match findings.
pub struct ExceptionSet {
    items: Vec<(Exception, Option<GlobMatcher>)>,
}

impl ExceptionSet {
    pub fn new(exceptions: &[Exception]) -> Self {
        let items = exceptions
            .iter()
            .map(|e| {
                let g = e
                    .path
                    .as_ref()
                    .and_then(|p| Glob::new(p).ok())
                    .map(|g| g.compile_matcher());
                (e.clone(), g)
            })
            .collect();
        ExceptionSet { items }
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Matches `finding` (whose path relative to the scanned root is `rel_path`) on `today`.
    pub fn find(
        &self,
        finding: &Finding,
        rel_path: &str,
        artifact: Option<&str>,
        today: Date,
    ) -> ExceptionMatch<'_> {
        let mut expired = None;
        for (e, glob) in &self.items {
            let rule_ok = e.rule.as_deref().is_none_or(|r| r == finding.rule.as_str());
            let fp_ok = e
                .fingerprint
                .as_deref()
                .is_none_or(|f| f == finding.fingerprint.as_str());
            let path_ok = glob.as_ref().is_none_or(|g| g.is_match(rel_path));
            let art_ok = e.artifact.as_deref().is_none_or(|a| Some(a) == artifact);
            if rule_ok && fp_ok && path_ok && art_ok {
                if e.is_expired(today) {
                    expired.get_or_insert(e);
                } else {
                    return ExceptionMatch::Active(e);
                }
            }
        }
        match expired {
            Some(e) => ExceptionMatch::Expired(e),
            None => ExceptionMatch::None,
        }
    }

    /// Exceptions that have expired on `today`.
    pub fn expired(&self, today: Date) -> impl Iterator<Item = &Exception> {
        self.items
            .iter()
            .map(|(e, _)| e)
            .filter(move |e| e.is_expired(today))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_model::{Confidence, Location, RuleId, Severity};

    fn finding() -> Finding {
        Finding::new(
            RuleId::from_static("secrets/x"),
            Severity::High,
            Confidence::High,
            "m",
            Location::line("repo/tests/a.py", 1),
            "tests/a.py",
            b"k",
        )
    }

    fn exc(rule: Option<&str>, path: Option<&str>, expires: &str) -> Exception {
        Exception {
            rule: rule.map(Into::into),
            fingerprint: None,
            path: path.map(Into::into),
            artifact: None,
            reason: "r".into(),
            owner: "o".into(),
            expires: Some(expires.parse().unwrap()),
            created: None,
        }
    }

    #[test]
    fn expiry_ends_exactly_after_the_day() {
        let set = ExceptionSet::new(&[exc(Some("secrets/x"), Some("tests/**"), "2027-01-31")]);
        let f = finding();
        let on = "2027-01-31".parse().unwrap();
        let after = "2027-02-01".parse().unwrap();
        assert!(matches!(
            set.find(&f, "tests/a.py", None, on),
            ExceptionMatch::Active(_)
        ));
        assert!(matches!(
            set.find(&f, "tests/a.py", None, after),
            ExceptionMatch::Expired(_)
        ));
        assert!(matches!(
            set.find(&f, "src/a.py", None, on),
            ExceptionMatch::None
        ));
    }

    #[test]
    fn all_given_matchers_must_match() {
        let set = ExceptionSet::new(&[exc(Some("secrets/y"), None, "2099-01-01")]);
        let today = "2026-01-01".parse().unwrap();
        assert!(matches!(
            set.find(&finding(), "tests/a.py", None, today),
            ExceptionMatch::None
        ));
    }
}
