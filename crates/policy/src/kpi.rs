//! Release KPIs from the event log (or, with no log, from stored reports): failed gate rate,
//! unsigned artifact rate, break-glass count, mean time to remediate, per period, and the
//! exceptions' count and age.

use crate::exceptions::ExceptionStatus;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tollgate_model::{Event, EventType};

pub const SCHEMA: &str = "tollgate.kpi/v1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Day,
    Week,
    Month,
}

impl std::str::FromStr for Period {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "day" => Ok(Period::Day),
            "week" => Ok(Period::Week),
            "month" => Ok(Period::Month),
            _ => Err(format!("unknown period {s:?} (day, week, month)")),
        }
    }
}

impl Period {
    /// `2026-11-22`, `2026-W47` (ISO week) or `2026-11`.
    pub fn key(self, t: OffsetDateTime) -> String {
        match self {
            Period::Day => format!("{:04}-{:02}-{:02}", t.year(), t.month() as u8, t.day()),
            Period::Week => {
                let (y, w, _) = t.to_iso_week_date();
                format!("{y:04}-W{w:02}")
            }
            Period::Month => format!("{:04}-{:02}", t.year(), t.month() as u8),
        }
    }
}

/// The findings present at one moment (a scan report or a gate's evidence).
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub time: OffsetDateTime,
    pub fingerprints: BTreeSet<String>,
}

impl Snapshot {
    /// From a stored `tollgate.report/v1` (its `finished` time and counting findings).
    pub fn from_report(r: &tollgate_render::json::ReportV1) -> Option<Snapshot> {
        Some(Snapshot {
            time: OffsetDateTime::parse(&r.finished, &Rfc3339).ok()?,
            fingerprints: r.findings.iter().map(|f| f.fingerprint.clone()).collect(),
        })
    }

    /// From a `scan` event (`payload.fingerprints`) or a `gate` event (`payload.findings`).
    pub fn from_event(e: &Event) -> Option<Snapshot> {
        let list = e
            .field("fingerprints")
            .or_else(|| e.field("findings"))?
            .as_array()?;
        Some(Snapshot {
            time: OffsetDateTime::parse(e.time.as_deref()?, &Rfc3339).ok()?,
            fingerprints: list
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PeriodKpi {
    pub period: String,
    pub gates: usize,
    pub gates_failed: usize,
    pub failed_gate_rate: Option<f64>,
    pub artifacts: usize,
    pub unsigned_artifacts: usize,
    pub unsigned_artifact_rate: Option<f64>,
    /// Break-glass overrides granted (production override frequency).
    pub break_glass: usize,
    pub break_glass_attempts: usize,
    /// Findings that went from present to gone in this period.
    pub remediated: usize,
    /// Mean time from first seen to gone, in hours.
    pub mttr_hours: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ExceptionKpi {
    pub count: usize,
    pub active: usize,
    pub expired: usize,
    pub mean_age_days: Option<f64>,
    pub max_age_days: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiReport {
    pub schema: &'static str,
    pub period: Period,
    /// `log` or `reports`.
    pub source: String,
    pub periods: Vec<PeriodKpi>,
    pub exceptions: ExceptionKpi,
}

#[derive(Default)]
struct Acc {
    k: PeriodKpi,
    subjects: BTreeMap<String, bool>,
    mttr_sum_secs: i64,
}

/// Computes the KPIs. `events` from the log (may be empty), `snapshots` from stored reports
/// (used with, or instead of, the log's own snapshots).
pub fn compute(
    events: &[Event],
    snapshots: &[Snapshot],
    exceptions: &[ExceptionStatus],
    period: Period,
    source: &str,
) -> KpiReport {
    let mut acc: BTreeMap<String, Acc> = BTreeMap::new();
    let mut snaps: Vec<Snapshot> = snapshots.to_vec();
    for e in events {
        let Some(Ok(t)) = e
            .time
            .as_deref()
            .map(|t| OffsetDateTime::parse(t, &Rfc3339))
        else {
            continue;
        };
        let a = acc.entry(period.key(t)).or_default();
        match e.kind {
            EventType::GateDecision => {
                a.k.gates += 1;
                let passed = e
                    .field("policy_allow")
                    .or_else(|| e.field("allow"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                if !passed {
                    a.k.gates_failed += 1;
                }
                let signed = e.field("signed").and_then(Value::as_bool).unwrap_or(false);
                *a.subjects.entry(e.subject.to_string()).or_insert(false) |= signed;
            }
            EventType::BreakGlass => {
                a.k.break_glass_attempts += 1;
                if e.field("granted").and_then(Value::as_bool) == Some(true) {
                    a.k.break_glass += 1;
                }
            }
            _ => {}
        }
        if let Some(s) = Snapshot::from_event(e) {
            snaps.push(s);
        }
    }
    // Mean time to remediate: a fingerprint is first seen in one snapshot and gone in a later
    // one; it counts in the period it went away. One that comes back starts over.
    snaps.sort_by_key(|s| s.time);
    let mut open: HashMap<String, OffsetDateTime> = HashMap::new();
    for s in &snaps {
        let gone: Vec<String> = open
            .keys()
            .filter(|fp| !s.fingerprints.contains(*fp))
            .cloned()
            .collect();
        for fp in gone {
            let first = open.remove(&fp).expect("present");
            let a = acc.entry(period.key(s.time)).or_default();
            a.k.remediated += 1;
            a.mttr_sum_secs += (s.time - first).whole_seconds();
        }
        for fp in &s.fingerprints {
            open.entry(fp.clone()).or_insert(s.time);
        }
    }
    let periods = acc
        .into_iter()
        .map(|(key, mut a)| {
            a.k.period = key;
            a.k.artifacts = a.subjects.len();
            a.k.unsigned_artifacts = a.subjects.values().filter(|s| !**s).count();
            a.k.failed_gate_rate = ratio(a.k.gates_failed, a.k.gates);
            a.k.unsigned_artifact_rate = ratio(a.k.unsigned_artifacts, a.k.artifacts);
            a.k.mttr_hours = (a.k.remediated > 0)
                .then(|| a.mttr_sum_secs as f64 / 3600.0 / a.k.remediated as f64);
            a.k
        })
        .collect();
    let ages: Vec<i64> = exceptions.iter().filter_map(|e| e.age_days).collect();
    KpiReport {
        schema: SCHEMA,
        period,
        source: source.to_string(),
        periods,
        exceptions: ExceptionKpi {
            count: exceptions.len(),
            active: exceptions.iter().filter(|e| !e.expired).count(),
            expired: exceptions.iter().filter(|e| e.expired).count(),
            mean_age_days: (!ages.is_empty())
                .then(|| ages.iter().sum::<i64>() as f64 / ages.len() as f64),
            max_age_days: ages.iter().copied().max(),
        },
    }
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// The KPIs as a plain-text table.
pub fn render_table(r: &KpiReport) -> String {
    let pct = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{:.1}%", v * 100.0));
    let num = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.1}"));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<10} {:>6} {:>8} {:>9} {:>10} {:>9} {:>11} {:>10}",
        "period",
        "gates",
        "failed",
        "fail rate",
        "artifacts",
        "unsigned",
        "break-glass",
        "MTTR (h)"
    );
    for p in &r.periods {
        let _ = writeln!(
            out,
            "{:<10} {:>6} {:>8} {:>9} {:>10} {:>9} {:>11} {:>10}",
            p.period,
            p.gates,
            p.gates_failed,
            pct(p.failed_gate_rate),
            p.artifacts,
            pct(p.unsigned_artifact_rate),
            format!("{}/{}", p.break_glass, p.break_glass_attempts),
            num(p.mttr_hours),
        );
    }
    let e = &r.exceptions;
    let _ = writeln!(
        out,
        "\nexceptions: {} ({} active, {} expired); age mean {} days, max {} days",
        e.count,
        e.active,
        e.expired,
        num(e.mean_age_days),
        e.max_age_days.map_or("-".into(), |d| d.to_string())
    );
    let _ = writeln!(out, "source: {}", r.source);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_keys() {
        let t = OffsetDateTime::parse("2026-01-01T10:00:00Z", &Rfc3339).unwrap();
        assert_eq!(Period::Day.key(t), "2026-01-01");
        assert_eq!(Period::Week.key(t), "2026-W01");
        assert_eq!(Period::Month.key(t), "2026-01");
        let t = OffsetDateTime::parse("2027-01-01T10:00:00Z", &Rfc3339).unwrap();
        assert_eq!(Period::Week.key(t), "2026-W53");
    }
}
