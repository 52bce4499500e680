//! The report as one self-contained HTML page: inline CSS and SVG, no script, no external
//! asset. Every chart is a `<figure>` with a text alternative and a data table under it; a
//! value is always printed, never shown by colour alone. The CLI (`tollgate kpi -f html`) and
//! the server call the same [`render_html`].

use crate::report::{Group, KpiReport, PeriodKpi, Slo};
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// What the page says besides the report.
#[derive(Debug, Clone, Default)]
pub struct HtmlOptions {
    /// Page heading (default "Release KPIs").
    pub title: Option<String>,
    pub repository: Option<String>,
    pub commit: Option<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Unit {
    Share,
    Hours,
    Count,
}

struct Chart {
    id: &'static str,
    title: &'static str,
    what: &'static str,
    unit: Unit,
    value: fn(&PeriodKpi) -> Option<f64>,
    /// Numerator and denominator (or the count behind the value) for the table.
    basis: fn(&PeriodKpi) -> String,
}

const CHARTS: &[Chart] = &[
    Chart {
        id: "failed-gate-rate",
        title: "Failed gate rate",
        what: "gate decisions the policy denied, of all gate decisions",
        unit: Unit::Share,
        value: |p| p.failed_gate_rate,
        basis: |p| format!("{} of {} gates", p.gates_failed, p.gates),
    },
    Chart {
        id: "unsigned-artifact-rate",
        title: "Unsigned artifact rate",
        what: "gated artifacts without a verified signer bundle, of all gated artifacts",
        unit: Unit::Share,
        value: |p| p.unsigned_artifact_rate,
        basis: |p| format!("{} of {} artifacts", p.unsigned_artifacts, p.artifacts),
    },
    Chart {
        id: "break-glass",
        title: "Break-glass overrides granted",
        what: "production overrides granted",
        unit: Unit::Count,
        value: |p| Some(p.break_glass as f64),
        basis: |p| format!("{} of {} attempts", p.break_glass, p.break_glass_attempts),
    },
    Chart {
        id: "deployments",
        title: "Deployments (deployment frequency)",
        what: "deployments to the target environments",
        unit: Unit::Count,
        value: |p| Some(p.deployments as f64),
        basis: |p| format!("{} failed", p.deployments_failed),
    },
    Chart {
        id: "gated-share",
        title: "Changes through the gate",
        what: "deployments with an allowing gate decision (no break-glass), of all deployments",
        unit: Unit::Share,
        value: |p| p.gated_share,
        basis: |p| {
            format!(
                "{} gated, {} break-glass, {} manual",
                p.deployments_gated, p.deployments_break_glass, p.deployments_manual
            )
        },
    },
    Chart {
        id: "change-failure-rate",
        title: "Change failure rate",
        what: "failed deployments, of all deployments",
        unit: Unit::Share,
        value: |p| p.change_failure_rate,
        basis: |p| format!("{} of {} deployments", p.deployments_failed, p.deployments),
    },
    Chart {
        id: "lead-time",
        title: "Lead time for changes (median)",
        what: "hours from commit to deployment",
        unit: Unit::Hours,
        value: |p| p.lead_time_median_hours,
        basis: |p| format!("{} deployments with a commit time", p.lead_time_known),
    },
    Chart {
        id: "time-to-restore",
        title: "Time to restore (median)",
        what: "hours from a failed deployment to the next successful one",
        unit: Unit::Hours,
        value: |p| p.time_to_restore_median_hours,
        basis: |p| format!("{} restores", p.restored),
    },
    Chart {
        id: "mttr",
        title: "Mean time to remediate",
        what: "hours from a finding's first report to the first scan without it",
        unit: Unit::Hours,
        value: |p| p.mttr_hours,
        basis: |p| format!("{} remediated", p.remediated),
    },
    Chart {
        id: "mttd",
        title: "Mean time to detect",
        what: "hours from a finding's introduction to its first report",
        unit: Unit::Hours,
        value: |p| p.mttd_hours,
        basis: |p| {
            format!(
                "{} detected, introduction unknown for {}",
                p.detected, p.detected_unknown
            )
        },
    },
];

fn show(unit: Unit, v: Option<f64>) -> String {
    match (unit, v) {
        (_, None) => "no data".into(),
        (Unit::Share, Some(v)) => format!("{:.1}%", v * 100.0),
        (Unit::Hours, Some(v)) => format!("{v:.1} h"),
        (Unit::Count, Some(v)) => format!("{v}"),
    }
}

const CSS: &str = "body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:64rem;color:#1b1f23;padding:0 1rem}\
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}\
caption{text-align:left;font-weight:600;padding:.3rem 0}th,td{border-bottom:1px solid #ddd;padding:.3rem .45rem;text-align:left}\
td.n{text-align:right;font-variant-numeric:tabular-nums}dl.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.6rem}\
dl.cards div{border:1px solid #d0d7de;border-radius:.4rem;padding:.5rem}dt{font-size:.85rem;color:#57606a}dd{margin:0;font-size:1.3rem;font-weight:600}\
figure{margin:1rem 0}svg{max-width:100%;height:auto}.bar{fill:#0969da}.nodata{fill:url(#hatch)}.axis{stroke:#57606a}.grid{stroke:#d0d7de}\
svg text{font:11px system-ui,sans-serif;fill:#1b1f23}.met{color:#116329}.missed{color:#a40e26;font-weight:600}.meta span{margin-right:1rem}";

const W: f64 = 720.0;
const H: f64 = 220.0;
const LEFT: f64 = 56.0;
const BOTTOM: f64 = 36.0;
const TOP: f64 = 18.0;

fn chart(c: &Chart, periods: &[PeriodKpi]) -> Markup {
    let values: Vec<Option<f64>> = periods.iter().map(c.value).collect();
    let max = match c.unit {
        Unit::Share => 1.0,
        _ => values
            .iter()
            .flatten()
            .fold(0.0_f64, |a, b| a.max(*b))
            .max(1.0),
    };
    let n = periods.len().max(1) as f64;
    let slot = (W - LEFT - 8.0) / n;
    let bar = (slot * 0.7).max(1.0);
    let plot_h = H - TOP - BOTTOM;
    // Period labels are about 64 px wide: label every k-th bar so they never overlap.
    let label_every = ((64.0 / slot).ceil() as usize).max(1);
    let known: Vec<(usize, f64)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .collect();
    let high = known
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, v)| {
            format!(
                "; highest {} in {}",
                show(c.unit, Some(*v)),
                periods[*i].period
            )
        })
        .unwrap_or_default();
    let desc = format!(
        "{}: {} periods from {} to {}, {} with no data{}.",
        c.what,
        periods.len(),
        periods.first().map_or("-", |p| p.period.as_str()),
        periods.last().map_or("-", |p| p.period.as_str()),
        values.len() - known.len(),
        high
    );
    let title_id = format!("{}-title", c.id);
    let desc_id = format!("{}-desc", c.id);
    html! {
        section id=(c.id) {
            h2 { (c.title) }
            figure {
                svg class="chart" data-chart=(c.id) xmlns="http://www.w3.org/2000/svg" role="img"
                    viewBox=(format!("0 0 {W} {H}")) width=(W) height=(H)
                    aria-labelledby=(format!("{title_id} {desc_id}")) {
                    title id=(title_id) { (c.title) }
                    desc id=(desc_id) { (desc) }
                    line class="grid" x1=(LEFT) x2=(W - 4.0) y1=(TOP) y2=(TOP) {}
                    line class="axis" x1=(LEFT) x2=(W - 4.0) y1=(H - BOTTOM) y2=(H - BOTTOM) {}
                    text x=(LEFT - 4.0) y=(TOP + 4.0) text-anchor="end" { (show(c.unit, Some(max))) }
                    text x=(LEFT - 4.0) y=(H - BOTTOM + 4.0) text-anchor="end" { (show(c.unit, Some(0.0))) }
                    @for (i, (p, v)) in periods.iter().zip(&values).enumerate() {
                        @let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
                        @match v {
                            Some(v) => {
                                @let h = (v / max * plot_h).max(if *v > 0.0 { 1.0 } else { 0.0 });
                                rect class="bar" data-period=(p.period) data-value=(v)
                                    x=(r2(x)) y=(r2(H - BOTTOM - h)) width=(r2(bar)) height=(r2(h)) {
                                    title { (p.period) ": " (show(c.unit, Some(*v))) }
                                }
                                @if periods.len() <= 16 {
                                    text x=(r2(x + bar / 2.0)) y=(r2(H - BOTTOM - h - 3.0)) text-anchor="middle" {
                                        (show(c.unit, Some(*v)))
                                    }
                                }
                            }
                            None => {
                                rect class="bar nodata" data-period=(p.period) data-value=""
                                    x=(r2(x)) y=(r2(H - BOTTOM - 12.0)) width=(r2(bar)) height="12" {
                                    title { (p.period) ": no data" }
                                }
                                @if periods.len() <= 16 {
                                    text x=(r2(x + bar / 2.0)) y=(r2(H - BOTTOM - 15.0)) text-anchor="middle" { "n/a" }
                                }
                            }
                        }
                        @if i % label_every == 0 {
                            text x=(r2(x + bar / 2.0)) y=(H - BOTTOM + 14.0) text-anchor="middle" { (p.period) }
                        }
                    }
                }
                figcaption { (desc) }
            }
            table class="data" data-chart=(c.id) {
                caption { (c.title) " per period (data behind the chart)" }
                thead { tr { th scope="col" { "Period" } th scope="col" { "Value" } th scope="col" { "Basis" } } }
                tbody {
                    @for (p, v) in periods.iter().zip(&values) {
                        tr { th scope="row" { (p.period) } td class="n" { (show(c.unit, *v)) } td { ((c.basis)(p)) } }
                    }
                }
            }
        }
    }
}

fn r2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn slo_row(name: &str, target: String, s: &Slo, actual: String) -> Markup {
    html! {
        tr {
            th scope="row" { (name) }
            td class="n" { (target) }
            td class="n" { (actual) }
            td class="n" { (s.burn.map_or("no data".into(), |b| format!("{b:.2}×"))) }
            td {
                @match s.met {
                    Some(true) => span class="met" { "✓ met" },
                    Some(false) => span class="missed" { "✗ missed" },
                    None => "no data",
                }
            }
        }
    }
}

fn group_table(caption: &str, groups: &[Group]) -> Markup {
    html! {
        @if !groups.is_empty() {
            table {
                caption { (caption) }
                thead { tr {
                    th scope="col" { "Name" } th scope="col" { "Gates" } th scope="col" { "Failed gate rate" }
                    th scope="col" { "Unsigned rate" } th scope="col" { "Break-glass" } th scope="col" { "Deployments" }
                    th scope="col" { "Gated share" } th scope="col" { "Change failure rate" } th scope="col" { "MTTR" }
                } }
                tbody {
                    @for g in groups {
                        @let t = &g.total;
                        tr {
                            th scope="row" { (g.name) }
                            td class="n" { (t.gates) }
                            td class="n" { (show(Unit::Share, t.failed_gate_rate)) }
                            td class="n" { (show(Unit::Share, t.unsigned_artifact_rate)) }
                            td class="n" { (t.break_glass) }
                            td class="n" { (t.deployments) }
                            td class="n" { (show(Unit::Share, t.gated_share)) }
                            td class="n" { (show(Unit::Share, t.change_failure_rate)) }
                            td class="n" { (show(Unit::Hours, t.mttr_hours)) }
                        }
                    }
                }
            }
        }
    }
}

/// The whole page.
pub fn render_html(r: &KpiReport, o: &HtmlOptions) -> String {
    let t = &r.total;
    let title = o.title.clone().unwrap_or_else(|| "Release KPIs".into());
    let cards: [(&str, String); 8] = [
        ("Failed gate rate", show(Unit::Share, t.failed_gate_rate)),
        (
            "Unsigned artifact rate",
            show(Unit::Share, t.unsigned_artifact_rate),
        ),
        ("Break-glass granted", t.break_glass.to_string()),
        ("Deployments", t.deployments.to_string()),
        ("Changes through the gate", show(Unit::Share, t.gated_share)),
        (
            "Change failure rate",
            show(Unit::Share, t.change_failure_rate),
        ),
        ("Mean time to remediate", show(Unit::Hours, t.mttr_hours)),
        ("Mean time to detect", show(Unit::Hours, t.mttd_hours)),
    ];
    let e = &r.exceptions;
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width";
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body {
                svg width="0" height="0" aria-hidden="true" style="position:absolute" {
                    defs {
                        pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse"
                            patternTransform="rotate(45)" {
                            rect width="6" height="6" fill="#f6f8fa" {}
                            line x1="0" y1="0" x2="0" y2="6" stroke="#8c959f" stroke-width="2" {}
                        }
                    }
                }
                header {
                    h1 { (title) }
                    p class="meta" {
                        @if let Some(repo) = &o.repository { span { "Repository: " code { (repo) } } }
                        @if let Some(c) = &o.commit { span { "Commit: " code { (c) } } }
                        span { "Generated: " time datetime=(r.generated) { (r.generated) } }
                        span { "Period: " (r.period.as_str()) " (UTC)" }
                        span { "Environment: " (r.filter.environment.as_deref().unwrap_or("all")) }
                        span { "Project: " (r.filter.project.as_deref().unwrap_or("all")) }
                        span { "Source: " (r.source) ", " (r.events) " events" }
                    }
                }
                main {
                    section id="summary" {
                        h2 { "Whole window" }
                        p { (t.start) " to " (t.end) }
                        dl class="cards" {
                            @for (k, v) in &cards { div { dt { (k) } dd { (v) } } }
                        }
                    }
                    section id="slo" {
                        h2 { "Service-level objectives" }
                        table {
                            caption { "SLO burn over the whole window (burn 1.00× spends exactly the error budget)" }
                            thead { tr {
                                th scope="col" { "Objective" } th scope="col" { "Target" } th scope="col" { "Actual" }
                                th scope="col" { "Burn" } th scope="col" { "Status" }
                            } }
                            tbody {
                                (slo_row("Deployment success", format!("≥ {}", show(Unit::Share, Some(t.slo.deployment_success.target))),
                                    &t.slo.deployment_success, show(Unit::Share, t.slo.deployment_success.actual)))
                                (slo_row("Mean time to detect", format!("≤ {}", show(Unit::Hours, Some(t.slo.mttd.target))),
                                    &t.slo.mttd, show(Unit::Hours, t.slo.mttd.actual)))
                            }
                        }
                    }
                    @if r.periods.is_empty() {
                        p { "No events in the selection." }
                    } @else {
                        @for c in CHARTS { (chart(c, &r.periods)) }
                    }
                    section id="mttr-severity" {
                        h2 { "Time to remediate by severity" }
                        table {
                            caption { "Findings remediated in the whole window, by severity" }
                            thead { tr { th scope="col" { "Severity" } th scope="col" { "Remediated" } th scope="col" { "Mean time to remediate" } } }
                            tbody {
                                @for (sev, k) in &t.mttr_by_severity {
                                    tr { th scope="row" { (sev) } td class="n" { (k.remediated) } td class="n" { (show(Unit::Hours, k.mttr_hours)) } }
                                }
                            }
                        }
                    }
                    section id="exceptions" {
                        h2 { "Exceptions" }
                        table {
                            caption { "Exceptions in tollgate.toml at " (r.generated) }
                            thead { tr {
                                th scope="col" { "Count" } th scope="col" { "Active" } th scope="col" { "Expired" }
                                th scope="col" { "Oldest (days)" } th scope="col" { "Median age (days)" }
                            } }
                            tbody { tr {
                                td class="n" { (e.count) } td class="n" { (e.active) } td class="n" { (e.expired) }
                                td class="n" { (e.oldest_age_days.map_or("no data".into(), |d| d.to_string())) }
                                td class="n" { (e.median_age_days.map_or("no data".into(), |d| format!("{d:.1}"))) }
                            } }
                        }
                    }
                    section id="breakdown" {
                        h2 { "By environment and project" }
                        (group_table("Per environment, whole window", &r.environments))
                        (group_table("Per project, whole window", &r.projects))
                    }
                }
                footer { p { "tollgate " (r.schema) "; definitions in docs/kpi.md." } }
            }
        }
    };
    page.into_string()
}
