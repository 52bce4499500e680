//! The KPI report's shape (`tollgate.kpi/v2`, schemas/kpi-v2.schema.json), its periods and the
//! `[kpi]` settings.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::{Date, Duration, Month, OffsetDateTime, Time, UtcOffset};

pub const SCHEMA: &str = "tollgate.kpi/v2";

/// A reporting period; every boundary is UTC midnight (weeks start on Monday, ISO 8601).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        }
    }

    /// The start (UTC midnight) of the period holding `t`.
    pub fn start(self, t: OffsetDateTime) -> OffsetDateTime {
        let d = t.to_offset(UtcOffset::UTC).date();
        let d = match self {
            Period::Day => d,
            Period::Week => d - Duration::days(i64::from(d.weekday().number_days_from_monday())),
            Period::Month => d.replace_day(1).expect("day 1 exists"),
        };
        d.with_time(Time::MIDNIGHT).assume_utc()
    }

    /// The start of the period after the one starting at `start`.
    pub fn next(self, start: OffsetDateTime) -> OffsetDateTime {
        match self {
            Period::Day => start + Duration::days(1),
            Period::Week => start + Duration::weeks(1),
            Period::Month => {
                let d = start.date();
                let (y, m) = match d.month() {
                    Month::December => (d.year() + 1, Month::January),
                    m => (d.year(), m.next()),
                };
                Date::from_calendar_date(y, m, 1)
                    .expect("valid month start")
                    .with_time(Time::MIDNIGHT)
                    .assume_utc()
            }
        }
    }

    /// `2026-11-22`, `2026-W47` (ISO week-numbering year and week) or `2026-11`.
    pub fn key(self, t: OffsetDateTime) -> String {
        let t = t.to_offset(UtcOffset::UTC);
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

/// `[kpi]` in tollgate.toml.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all(deserialize = "kebab-case"))]
pub struct KpiSettings {
    /// Environments whose deployments are production changes (DORA, gated share).
    pub production: Vec<String>,
    /// SLO: share of successful deployments, 0..1 (default 0.99).
    pub deployment_success: f64,
    /// SLO: mean time to detect, in hours (default 24).
    pub mttd_hours: f64,
}

impl Default for KpiSettings {
    fn default() -> Self {
        KpiSettings {
            production: vec!["prod".into(), "production".into()],
            deployment_success: 0.99,
            mttd_hours: 24.0,
        }
    }
}

/// Which events count: all, or one environment and/or one project.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Filter {
    pub environment: Option<String>,
    pub project: Option<String>,
}

/// One exception's state at the report's time (from `config::Exception` via the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExceptionAge {
    /// Days since `created`; `None` when the exception has no creation date.
    pub age_days: Option<i64>,
    pub expired: bool,
}

/// Time to remediate for one severity.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SeverityKpi {
    pub remediated: usize,
    pub mttr_hours: Option<f64>,
}

/// One service-level objective in one period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Slo {
    /// The configured target (a share for deployment success, hours for MTTD).
    pub target: f64,
    /// The measured value; `None` when nothing was measured.
    pub actual: Option<f64>,
    /// Error-budget burn: 1.0 spends exactly the budget, above 1.0 breaches the objective.
    pub burn: Option<f64>,
    pub met: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SloSet {
    pub deployment_success: Slo,
    pub mttd: Slo,
}

/// Every metric over one period (or, in `total` and groups, over the whole window).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PeriodKpi {
    /// `2026-11-22`, `2026-W47`, `2026-11`, or `all`.
    pub period: String,
    /// RFC 3339, inclusive.
    pub start: String,
    /// RFC 3339, exclusive.
    pub end: String,
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
    pub mttr_by_severity: BTreeMap<String, SeverityKpi>,
    /// Findings first reported in this period.
    pub detected: usize,
    /// …of which the scan did not say when they were introduced.
    pub detected_unknown: usize,
    /// Mean time from introduction to first report, in hours (known ones only).
    pub mttd_hours: Option<f64>,
    /// Deployments to the target environments (DORA deployment frequency).
    pub deployments: usize,
    pub deployments_failed: usize,
    /// Through the gate: the latest gate decision before it allowed it without break-glass.
    pub deployments_gated: usize,
    pub deployments_break_glass: usize,
    /// No allowing gate decision before it (none, or denied).
    pub deployments_manual: usize,
    pub gated_share: Option<f64>,
    pub change_failure_rate: Option<f64>,
    pub lead_time_known: usize,
    pub lead_time_median_hours: Option<f64>,
    pub restored: usize,
    pub time_to_restore_median_hours: Option<f64>,
    pub slo: SloSet,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ExceptionKpi {
    pub count: usize,
    pub active: usize,
    pub expired: usize,
    /// Exceptions with a creation date (the ages below are theirs).
    pub dated: usize,
    pub oldest_age_days: Option<i64>,
    pub median_age_days: Option<f64>,
    pub mean_age_days: Option<f64>,
}

/// One environment or project over the whole window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub name: String,
    pub total: PeriodKpi,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiReport {
    pub schema: &'static str,
    /// RFC 3339: the time exception ages are measured at.
    pub generated: String,
    pub period: Period,
    /// `log`, `reports` or `log+reports`.
    pub source: String,
    pub filter: Filter,
    pub settings: KpiSettings,
    /// Events that passed the filter.
    pub events: usize,
    /// Events without a readable time (never counted).
    pub skipped: usize,
    /// Every period from the first to the last counted event, empty ones included.
    pub periods: Vec<PeriodKpi>,
    pub total: PeriodKpi,
    pub exceptions: ExceptionKpi,
    /// Per environment, per project (each computed with that filter added).
    pub environments: Vec<Group>,
    pub projects: Vec<Group>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::format_description::well_known::Rfc3339;

    fn t(s: &str) -> OffsetDateTime {
        OffsetDateTime::parse(s, &Rfc3339).unwrap()
    }

    #[test]
    fn keys_and_boundaries_are_utc() {
        let x = t("2026-01-01T10:00:00Z");
        assert_eq!(Period::Day.key(x), "2026-01-01");
        assert_eq!(Period::Week.key(x), "2026-W01");
        assert_eq!(Period::Month.key(x), "2026-01");
        assert_eq!(Period::Week.key(t("2027-01-01T10:00:00Z")), "2026-W53");
        // 23:30 at -05:00 is the next UTC day.
        assert_eq!(
            Period::Day.key(t("2026-03-01T23:30:00-05:00")),
            "2026-03-02"
        );
        assert_eq!(
            Period::Week.start(t("2026-11-29T23:59:59Z")),
            t("2026-11-23T00:00:00Z")
        );
        assert_eq!(
            Period::Week.start(t("2026-11-30T00:00:00Z")),
            t("2026-11-30T00:00:00Z")
        );
        assert_eq!(
            Period::Month.next(t("2026-12-01T00:00:00Z")),
            t("2027-01-01T00:00:00Z")
        );
    }
}
