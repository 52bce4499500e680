//! The human report and the progress lines. The JSON report is [`Analysis`] serialized.

use crate::duration;
use crate::run::{Analysis, Event, Measurement};
use std::fmt::Write as _;

/// A measured value, short: `0.25`, `[0.1, 0.2]`, `"ok"`.
fn short(v: &Option<serde_json::Value>) -> String {
    match v {
        None => "-".into(),
        Some(j) => {
            let s = j.to_string();
            if s.chars().count() > 60 {
                format!("{}…", s.chars().take(60).collect::<String>())
            } else {
                s
            }
        }
    }
}

fn measurement_line(m: &Measurement) -> String {
    let mut line = format!(
        "#{:<3} {:<12} {:<20} {:>6}ms",
        m.index,
        m.phase.as_str(),
        short(&m.value),
        m.duration_ms
    );
    if let Some(msg) = &m.message {
        let _ = write!(line, "  {msg}");
    }
    line
}

/// One progress line for standard error.
pub fn progress_line(e: &Event<'_>) -> String {
    match e {
        Event::Waiting { metric, delay } => {
            format!(
                "analyze: {metric}: initial delay {}",
                duration::show(*delay)
            )
        }
        Event::Measured(m) => format!("analyze: {}: {}", m.metric, measurement_line(m)),
        Event::MetricDone {
            metric,
            dry_run,
            assessment,
        } => format!(
            "analyze: {metric}{}: {} ({})",
            if *dry_run { " (dry-run)" } else { "" },
            assessment.phase,
            assessment.reason
        ),
    }
}

/// The human report.
pub fn human(a: &Analysis) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "analysis {}: {} -> {} (exit {})",
        a.template,
        a.phase,
        a.verdict.as_str(),
        a.exit_code
    );
    let _ = writeln!(out, "  {}", a.message);
    for m in &a.metrics {
        let _ = writeln!(
            out,
            "\n  metric {} ({}{}): {}: {}",
            m.name,
            m.provider,
            if m.dry_run { ", dry-run" } else { "" },
            m.phase,
            m.reason
        );
        let c = &m.counts;
        let _ = writeln!(
            out,
            "    {} measurement(s): {} successful, {} failed, {} inconclusive, {} error(s)",
            c.count + c.error,
            c.successful,
            c.failed,
            c.inconclusive,
            c.error
        );
        for meas in &m.measurements {
            let _ = writeln!(out, "    {}", measurement_line(meas));
        }
    }
    if a.dry_run_summary.count > 0 {
        let d = &a.dry_run_summary;
        let _ = writeln!(
            out,
            "\n  dry-run metrics (not counted): {} successful, {} failed, {} inconclusive, {} error(s)",
            d.successful, d.failed, d.inconclusive, d.error
        );
    }
    out
}
