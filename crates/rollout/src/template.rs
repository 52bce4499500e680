//! The analysis template (`analysis.toml`): Argo Rollouts' AnalysisTemplate in TOML.
//! Unknown keys and bad values are errors with file:line:column.

use crate::duration;
use crate::expr::Condition;
use crate::phase::Limits;
use crate::providers::{Provider, ProviderConfig};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;
use toml::Spanned;

/// Errors loading a template or its arguments: all are usage errors (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{0}")]
    Args(String),
}

/// What a metric's empty result (an empty vector, or null) counts as, without evaluating the
/// conditions (Argo fails with an index error on `result[0]` there).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnEmpty {
    Fail,
    #[default]
    Inconclusive,
    Pass,
}

/// What a run that ends in Error (measurements kept failing) means for the rollout: roll
/// back (`fail`, Argo's behaviour: an errored run aborts the rollout) or wait for a human.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnError {
    #[default]
    Fail,
    Inconclusive,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawTemplate {
    #[serde(default)]
    on_error: OnError,
    #[serde(default)]
    args: Vec<RawArg>,
    #[serde(default)]
    metrics: Vec<Spanned<RawMetric>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawArg {
    name: Spanned<String>,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    value_from_env: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawMetric {
    name: Spanned<String>,
    #[serde(default)]
    interval: Option<Spanned<String>>,
    #[serde(default)]
    initial_delay: Option<Spanned<String>>,
    #[serde(default)]
    error_interval: Option<Spanned<String>>,
    #[serde(default)]
    count: Option<Spanned<u32>>,
    #[serde(default)]
    success_condition: Option<Spanned<String>>,
    #[serde(default)]
    failure_condition: Option<Spanned<String>>,
    #[serde(default)]
    failure_limit: Option<Spanned<i64>>,
    #[serde(default)]
    inconclusive_limit: Option<u32>,
    #[serde(default)]
    consecutive_error_limit: Option<u32>,
    #[serde(default)]
    consecutive_success_limit: Option<Spanned<u32>>,
    #[serde(default)]
    dry_run: bool,
    #[serde(default)]
    on_empty: OnEmpty,
    provider: Spanned<ProviderConfig>,
}

/// One metric, arguments substituted, conditions parsed, provider built.
pub struct Metric {
    pub name: String,
    /// Time between measurements (None: a single measurement).
    pub interval: Option<Duration>,
    pub initial_delay: Duration,
    /// Time before retrying after a measurement error (Argo: 10s, fixed).
    pub error_interval: Duration,
    pub limits: Limits,
    pub success: Option<(String, Condition)>,
    pub failure: Option<(String, Condition)>,
    pub dry_run: bool,
    pub on_empty: OnEmpty,
    pub provider_kind: &'static str,
    pub provider: Box<dyn Provider>,
}

/// A loaded template with its arguments resolved.
pub struct Template {
    pub path: String,
    pub on_error: OnError,
    pub metrics: Vec<Metric>,
    /// Resolved arguments in template order; secret ones (from the environment) are not
    /// listed here.
    pub args: Vec<(String, String)>,
    /// Values of secret arguments, removed from every message tollgate prints.
    pub secrets: Vec<String>,
}

/// 1-based line and column (in characters) of byte `offset` in `raw`.
pub fn line_col(raw: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(raw.len());
    while !raw.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &raw[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map(|p| p + 1).unwrap_or(0);
    (line, before[start..].chars().count() + 1)
}

struct Ctx<'a> {
    path: &'a str,
    raw: &'a str,
}

impl Ctx<'_> {
    fn at(&self, offset: usize, message: impl Into<String>) -> TemplateError {
        let (line, column) = line_col(self.raw, offset);
        TemplateError::Invalid {
            path: self.path.to_string(),
            line,
            column,
            message: message.into(),
        }
    }
}

/// Replaces every `{{args.NAME}}` (spaces inside the braces allowed) with the argument's
/// value; other `{{…}}` text is left alone. An undeclared name is an error.
pub fn substitute(s: &str, args: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}").map(|c| c + open) else {
            break;
        };
        let inner = rest[open + 2..close].trim();
        out.push_str(&rest[..open]);
        if let Some(name) = inner.strip_prefix("args.") {
            match args.get(name) {
                Some(v) => out.push_str(v),
                None => {
                    return Err(format!(
                        "`{{{{args.{name}}}}}`: no argument `{name}` is declared in [[args]]"
                    ));
                }
            }
        } else {
            out.push_str(&rest[open..close + 2]);
        }
        rest = &rest[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

impl Template {
    /// Reads and validates `path`; `cli_args` are the `--arg NAME=VALUE` pairs.
    pub fn load(path: &Path, cli_args: &[(String, String)]) -> Result<Template, TemplateError> {
        let raw = std::fs::read_to_string(path).map_err(|source| TemplateError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&raw, &path.display().to_string(), cli_args)
    }

    /// Parses template text as if read from `path`.
    pub fn parse(
        raw: &str,
        path: &str,
        cli_args: &[(String, String)],
    ) -> Result<Template, TemplateError> {
        let cx = Ctx { path, raw };
        let t: RawTemplate = toml::from_str(raw).map_err(|e| {
            cx.at(
                e.span().map(|s| s.start).unwrap_or(0),
                e.message().trim().to_string(),
            )
        })?;

        // Arguments: --arg overrides value-from-env, which overrides value.
        let mut declared = BTreeSet::new();
        for a in &t.args {
            if !declared.insert(a.name.get_ref().clone()) {
                return Err(cx.at(
                    a.name.span().start,
                    format!("argument `{}` is declared twice", a.name.get_ref()),
                ));
            }
        }
        for (name, _) in cli_args {
            if !declared.contains(name) {
                let known: Vec<&str> = declared.iter().map(String::as_str).collect();
                return Err(TemplateError::Args(format!(
                    "--arg {name}: the template declares no such argument (declared: {})",
                    if known.is_empty() {
                        "none".into()
                    } else {
                        known.join(", ")
                    }
                )));
            }
        }
        let mut values = BTreeMap::new();
        let mut shown = Vec::new();
        let mut secrets = Vec::new();
        for a in &t.args {
            let name = a.name.get_ref();
            let cli = cli_args
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone());
            let env = match &a.value_from_env {
                Some(var) if cli.is_none() => Some(std::env::var(var).map_err(|_| {
                    cx.at(
                        a.name.span().start,
                        format!("argument `{name}`: environment variable `{var}` is not set"),
                    )
                })?),
                _ => None,
            };
            let secret = env.is_some();
            let Some(v) = cli.or(env).or_else(|| a.value.clone()) else {
                return Err(TemplateError::Args(format!(
                    "argument `{name}` has no value: pass --arg {name}=VALUE"
                )));
            };
            if secret {
                if !v.is_empty() {
                    secrets.push(v.clone());
                }
            } else {
                shown.push((name.clone(), v.clone()));
            }
            values.insert(name.clone(), v);
        }

        if t.metrics.is_empty() {
            return Err(cx.at(0, "the template has no [[metrics]]"));
        }
        let mut names = BTreeSet::new();
        let mut metrics = Vec::new();
        for m in t.metrics {
            let m_start = m.span().start;
            let m = m.into_inner();
            metrics.push(metric(&cx, m_start, m, &values, &mut names)?);
        }
        Ok(Template {
            path: path.to_string(),
            on_error: t.on_error,
            metrics,
            args: shown,
            secrets,
        })
    }

    /// `s` with every secret argument value replaced by `*****`.
    pub fn redact(&self, s: &str) -> String {
        let mut out = s.to_string();
        for secret in &self.secrets {
            out = out.replace(secret.as_str(), "*****");
        }
        out
    }
}

fn metric(
    cx: &Ctx<'_>,
    start: usize,
    m: RawMetric,
    args: &BTreeMap<String, String>,
    names: &mut BTreeSet<String>,
) -> Result<Metric, TemplateError> {
    let name = m.name.get_ref().clone();
    let name_at = m.name.span().start;
    if name.trim().is_empty() {
        return Err(cx.at(name_at, "a metric needs a name"));
    }
    if !names.insert(name.clone()) {
        return Err(cx.at(name_at, format!("two metrics are named `{name}`")));
    }
    let dur = |d: &Option<Spanned<String>>| -> Result<Option<Duration>, TemplateError> {
        d.as_ref()
            .map(|s| duration::parse(s.get_ref()).map_err(|e| cx.at(s.span().start, e)))
            .transpose()
    };
    let interval = dur(&m.interval)?;
    if interval == Some(Duration::ZERO) {
        let at = m.interval.as_ref().map(|s| s.span().start).unwrap_or(start);
        return Err(cx.at(at, "interval must be longer than 0"));
    }
    let initial_delay = dur(&m.initial_delay)?.unwrap_or(Duration::ZERO);
    let error_interval = dur(&m.error_interval)?.unwrap_or(Duration::from_secs(10));

    let count = match (&m.count, interval) {
        (Some(c), _) if *c.get_ref() == 0 => {
            return Err(cx.at(c.span().start, "count must be at least 1"));
        }
        (Some(c), None) if *c.get_ref() > 1 => {
            return Err(cx.at(c.span().start, "interval must be set when count > 1"));
        }
        (Some(c), _) => *c.get_ref(),
        (None, Some(_)) => {
            let at = m.interval.as_ref().map(|s| s.span().start).unwrap_or(start);
            return Err(cx.at(
                at,
                "an interval needs a count: tollgate analyze always ends (Argo would measure until stopped)",
            ));
        }
        (None, None) => 1,
    };
    let failure_limit = match &m.failure_limit {
        Some(f) if *f.get_ref() < -1 => {
            return Err(cx.at(
                f.span().start,
                "failure-limit must be -1 (no limit) or more",
            ));
        }
        Some(f) if *f.get_ref() > i64::from(count) => {
            return Err(cx.at(
                f.span().start,
                format!(
                    "failure-limit ({}) is larger than count ({count}): it can never be exceeded",
                    f.get_ref()
                ),
            ));
        }
        Some(f) => *f.get_ref(),
        None => 0,
    };
    let consecutive_success_limit = match &m.consecutive_success_limit {
        Some(c) if *c.get_ref() > count => {
            return Err(cx.at(c.span().start, format!("consecutive-success-limit ({}) is larger than count ({count}): it can never be reached", c.get_ref())));
        }
        Some(c) => *c.get_ref(),
        None => 0,
    };
    let limits = Limits {
        count,
        failure_limit,
        inconclusive_limit: m.inconclusive_limit.unwrap_or(0),
        consecutive_error_limit: m.consecutive_error_limit.unwrap_or(4),
        consecutive_success_limit,
    };

    let cond = |c: &Option<Spanned<String>>,
                key: &str|
     -> Result<Option<(String, Condition)>, TemplateError> {
        let Some(c) = c else { return Ok(None) };
        let at = c.span().start;
        let src = substitute(c.get_ref(), args).map_err(|e| cx.at(at, format!("{key}: {e}")))?;
        match Condition::parse(&src) {
            Ok(parsed) => Ok(Some((src, parsed))),
            Err(e) => {
                // Point into the file when the condition is a one-line string written as is.
                let written = &cx.raw[c.span()];
                let exact = written.len() >= 2
                    && written[1..written.len() - 1] == *src
                    && !src.contains('\\');
                let offset = if exact {
                    at + 1
                        + src
                            .char_indices()
                            .nth(e.column - 1)
                            .map(|(i, _)| i)
                            .unwrap_or(src.len())
                } else {
                    at
                };
                Err(cx.at(offset, format!("{key}: {e}")))
            }
        }
    };
    let success = cond(&m.success_condition, "success-condition")?;
    let failure = cond(&m.failure_condition, "failure-condition")?;

    let provider_at = m.provider.span().start;
    let mut provider = m.provider.into_inner();
    let provider_kind = provider.kind();
    provider
        .substitute(&mut |s| substitute(s, args))
        .map_err(|e| cx.at(provider_at, e))?;
    let base = Path::new(cx.path).parent().unwrap_or(Path::new("."));
    let built = provider
        .build(base)
        .map_err(|e| cx.at(provider_at, format!("{provider_kind}: {e}")))?;

    Ok(Metric {
        name,
        interval,
        initial_delay,
        error_interval,
        limits,
        success,
        failure,
        dry_run: m.dry_run,
        on_empty: m.on_empty,
        provider_kind,
        provider: built,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"
[[args]]
name = "prom"
value = "http://127.0.0.1:9"

[[args]]
name = "service"

[[metrics]]
name = "error-rate"
interval = "30s"
count = 5
success-condition = "result[0] < 0.01"
failure-condition = "result[0] >= {{args.max}}"
failure-limit = 2

[metrics.provider.prometheus]
address = "{{ args.prom }}"
query = 'sum(rate(http_errors{service="{{args.service}}"}[5m]))'
"#;

    fn parse(raw: &str, args: &[(&str, &str)]) -> Result<Template, TemplateError> {
        let args: Vec<(String, String)> = args
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        Template::parse(raw, "analysis.toml", &args)
    }

    fn message(r: Result<Template, TemplateError>) -> String {
        match r {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn loads_with_args() {
        let raw = OK.replace("{{args.max}}", "0.05");
        let t = parse(&raw, &[("service", "checkout")]).unwrap();
        let m = &t.metrics[0];
        assert_eq!(m.limits.count, 5);
        assert_eq!(m.limits.failure_limit, 2);
        assert_eq!(m.limits.consecutive_error_limit, 4);
        assert_eq!(m.interval, Some(Duration::from_secs(30)));
        assert_eq!(m.provider_kind, "prometheus");
        assert_eq!(
            t.args,
            vec![
                ("prom".to_string(), "http://127.0.0.1:9".to_string()),
                ("service".to_string(), "checkout".to_string())
            ]
        );
    }

    #[test]
    fn missing_and_unknown_args() {
        let raw = OK.replace("{{args.max}}", "0.05");
        assert!(message(parse(&raw, &[])).contains("--arg service=VALUE"));
        assert!(
            message(parse(&raw, &[("service", "a"), ("servce", "b")])).contains("--arg servce")
        );
        // A placeholder naming an undeclared argument: positioned at the condition.
        let e = message(parse(OK, &[("service", "a")]));
        assert!(e.starts_with("analysis.toml:14:21:"), "{e}");
        assert!(e.contains("no argument `max`"), "{e}");
    }

    #[test]
    fn unknown_key_is_positioned() {
        let raw = OK.replace("failure-limit = 2", "failure-limt = 2");
        let e = message(parse(&raw, &[("service", "a")]));
        assert!(e.starts_with("analysis.toml:15:1:"), "{e}");
        assert!(e.contains("failure-limt"), "{e}");
        let raw = OK.replace("query =", "qurey =");
        let e = message(parse(&raw, &[("service", "a")]));
        assert!(e.starts_with("analysis.toml:19:1:"), "{e}");
    }

    #[test]
    fn condition_errors_point_into_the_file() {
        let raw = OK
            .replace("{{args.max}}", "0.05")
            .replace("result[0] < 0.01", "result[0] <");
        let e = message(parse(&raw, &[("service", "a")]));
        // `success-condition = "` is 21 characters; the expression ends at its column 12.
        assert!(e.starts_with("analysis.toml:13:33:"), "{e}");
    }

    #[test]
    fn validation_rules() {
        let base = "[[metrics]]\nname = \"m\"\n{}\n[metrics.provider.command]\nargv = [\"true\"]\n";
        let with = |extra: &str| message(parse(&base.replace("{}", extra), &[]));
        assert!(with("count = 3").contains("interval must be set when count > 1"));
        assert!(with("interval = \"1s\"").contains("needs a count"));
        assert!(with("count = 0").contains("at least 1"));
        assert!(
            with("interval = \"1s\"\ncount = 2\nfailure-limit = 3").contains("larger than count")
        );
        assert!(with("interval = \"1s\"\ncount = 2\nfailure-limit = -2").contains("-1"));
        assert!(
            with("interval = \"1s\"\ncount = 2\nconsecutive-success-limit = 3")
                .contains("never be reached")
        );
        assert!(with("interval = \"soon\"\ncount = 2").contains("bad duration"));
        assert!(with("on-empty = \"maybe\"").contains("maybe"));
        let e = with("count = 3");
        assert!(e.starts_with("analysis.toml:3:9:"), "{e}");
        // Single measurement by default.
        let t = parse(&base.replace("{}", ""), &[]).unwrap();
        assert_eq!(t.metrics[0].limits.count, 1);
        assert_eq!(t.metrics[0].on_empty, OnEmpty::Inconclusive);
        // Duplicate names, no metrics, two providers.
        let two = format!("{}{}", base.replace("{}", ""), base.replace("{}", ""));
        assert!(message(parse(&two, &[])).contains("two metrics are named"));
        assert!(message(parse("", &[])).contains("no [[metrics]]"));
        let e = message(parse(
            &base.replace("{}", "").replace(
                "argv = [\"true\"]",
                "argv = [\"true\"]\n[metrics.provider.web]\nurl = \"http://x\"",
            ),
            &[],
        ));
        assert!(e.contains("analysis.toml:"), "{e}");
    }

    #[test]
    fn secret_args_are_redacted() {
        // PATH is set wherever tests run; reading it needs no unsafe environment write.
        let path = std::env::var("PATH").unwrap();
        let raw = "[[args]]\nname = \"key\"\nvalue-from-env = \"PATH\"\n[[metrics]]\nname = \"m\"\n[metrics.provider.command]\nargv = [\"echo\", \"{{args.key}}\"]\n";
        let t = parse(raw, &[]).unwrap();
        assert!(t.args.is_empty());
        assert_eq!(t.redact(&format!("token {path} here")), "token ***** here");
        let raw = raw.replace("\"PATH\"", "\"TOLLGATE_ROLLOUT_TEST_UNSET_VAR\"");
        assert!(message(parse(&raw, &[])).contains("is not set"));
    }

    #[test]
    fn substitution() {
        let args: BTreeMap<String, String> = [("a".to_string(), "1".to_string())].into();
        assert_eq!(
            substitute("x{{args.a}}y{{ args.a }}", &args).unwrap(),
            "x1y1"
        );
        assert_eq!(
            substitute("{{other}} {{args.a}}", &args).unwrap(),
            "{{other}} 1"
        );
        assert_eq!(substitute("{{args.a", &args).unwrap(), "{{args.a");
        assert!(substitute("{{args.b}}", &args).is_err());
    }
}
