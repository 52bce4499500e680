//! The KPIs as a plain-text table.

use crate::report::KpiReport;
use std::fmt::Write as _;

fn pct(x: Option<f64>) -> String {
    x.map_or("-".to_string(), |v| format!("{:.1}%", v * 100.0))
}

fn num(x: Option<f64>) -> String {
    x.map_or("-".to_string(), |v| format!("{v:.1}"))
}

/// One line per period and a total, then exceptions, SLOs and the selection.
pub fn render_table(r: &KpiReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<10} {:>6} {:>9} {:>9} {:>11} {:>9} {:>9} {:>7} {:>7} {:>9} {:>9} {:>9}",
        "period",
        "gates",
        "fail rate",
        "unsigned",
        "break-glass",
        "MTTR (h)",
        "MTTD (h)",
        "deploys",
        "gated",
        "CFR",
        "lead (h)",
        "restore(h)"
    );
    for p in r.periods.iter().chain(std::iter::once(&r.total)) {
        let _ = writeln!(
            out,
            "{:<10} {:>6} {:>9} {:>9} {:>11} {:>9} {:>9} {:>7} {:>7} {:>9} {:>9} {:>9}",
            p.period,
            p.gates,
            pct(p.failed_gate_rate),
            pct(p.unsigned_artifact_rate),
            format!("{}/{}", p.break_glass, p.break_glass_attempts),
            num(p.mttr_hours),
            num(p.mttd_hours),
            p.deployments,
            pct(p.gated_share),
            pct(p.change_failure_rate),
            num(p.lead_time_median_hours),
            num(p.time_to_restore_median_hours),
        );
    }
    let e = &r.exceptions;
    let _ = writeln!(
        out,
        "\nexceptions: {} ({} active, {} expired); age oldest {} days, median {} days",
        e.count,
        e.active,
        e.expired,
        e.oldest_age_days.map_or("-".into(), |d| d.to_string()),
        num(e.median_age_days),
    );
    let s = &r.total.slo;
    let met = |m: Option<bool>| match m {
        Some(true) => "met",
        Some(false) => "MISSED",
        None => "no data",
    };
    let _ = writeln!(
        out,
        "SLO deployment success >= {}: {} ({}, burn {}); MTTD <= {} h: {} h ({}, burn {})",
        pct(Some(s.deployment_success.target)),
        pct(s.deployment_success.actual),
        met(s.deployment_success.met),
        num(s.deployment_success.burn),
        s.mttd.target,
        num(s.mttd.actual),
        met(s.mttd.met),
        num(s.mttd.burn),
    );
    if r.total.detected_unknown > 0 {
        let _ = writeln!(
            out,
            "MTTD unknown for {} of {} detected findings (no introduced time in the scan)",
            r.total.detected_unknown, r.total.detected
        );
    }
    let _ = writeln!(
        out,
        "source: {}; {} events{}{}",
        r.source,
        r.events,
        r.filter
            .environment
            .as_deref()
            .map_or(String::new(), |e| format!("; environment {e}")),
        r.filter
            .project
            .as_deref()
            .map_or(String::new(), |p| format!("; project {p}")),
    );
    out
}
