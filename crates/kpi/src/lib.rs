//! Release KPIs computed from the event log (docs/kpi.md): failed gate rate, unsigned artifact
//! rate, break-glass frequency, exceptions' count and age, mean time to remediate by severity,
//! mean time to detect, the share of changes through the gate, DORA's four keys and SLO burn,
//! per period (UTC day, ISO week, month), environment and project.
//!
//! No I/O: callers hand in events, snapshots and exception ages; [`compute`] returns a
//! [`KpiReport`] (`tollgate.kpi/v2`), rendered by [`render_table`], serde JSON or
//! [`render_html`] (the same function the server calls).

mod compute;
mod html;
mod report;
mod text;

pub use compute::{FindingMeta, KpiInput, KpiOptions, Snapshot, compute};
pub use html::{HtmlOptions, render_html};
pub use report::{
    ExceptionAge, ExceptionKpi, Filter, Group, KpiReport, KpiSettings, Period, PeriodKpi, SCHEMA,
    SeverityKpi, Slo, SloSet,
};
pub use text::render_table;
