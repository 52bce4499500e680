//! Computing the report: one pass over the (time-sorted) events per selection, buckets per
//! period plus a total. Definitions: docs/kpi.md.

use crate::report::{
    ExceptionAge, ExceptionKpi, Filter, Group, KpiReport, KpiSettings, Period, PeriodKpi, SCHEMA,
    SeverityKpi, Slo, SloSet,
};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tollgate_model::{Digest, Event, EventType};

/// What a snapshot knows about one finding.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FindingMeta {
    pub severity: Option<String>,
    /// When the finding entered the code (a history scan's commit time), if the scan said.
    pub introduced: Option<OffsetDateTime>,
}

/// The findings one scan or gate saw at one moment. Snapshots of the same `stream` (project,
/// environment and source) are compared with each other for time to remediate.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub time: OffsetDateTime,
    pub stream: String,
    pub environment: Option<String>,
    pub project: Option<String>,
    /// Fingerprint → what is known about it.
    pub findings: BTreeMap<String, FindingMeta>,
}

impl Snapshot {
    /// From a `scan` event (`payload.findings` or `payload.fingerprints`: fingerprints, or
    /// objects `{fingerprint, severity, introduced}`) or a `gate-decision` event
    /// (`payload.findings`).
    pub fn from_event(e: &Event) -> Option<Snapshot> {
        let source = match e.kind {
            EventType::Scan => format!(
                "scan:{}",
                e.field("scanner").and_then(Value::as_str).unwrap_or("")
            ),
            EventType::GateDecision => "gate".to_string(),
            _ => return None,
        };
        let list = e
            .field("findings")
            .or_else(|| e.field("fingerprints"))?
            .as_array()?;
        let time = parse_time(e.time.as_deref()?)?;
        let project = project_of(e).map(str::to_string);
        let mut findings = BTreeMap::new();
        for item in list {
            match item {
                Value::String(fp) => {
                    findings.insert(fp.clone(), FindingMeta::default());
                }
                Value::Object(o) => {
                    let Some(fp) = o.get("fingerprint").and_then(Value::as_str) else {
                        continue;
                    };
                    findings.insert(
                        fp.to_string(),
                        FindingMeta {
                            severity: o
                                .get("severity")
                                .and_then(Value::as_str)
                                .map(str::to_string),
                            introduced: o
                                .get("introduced")
                                .and_then(Value::as_str)
                                .and_then(parse_time),
                        },
                    );
                }
                _ => {}
            }
        }
        Some(Snapshot {
            time,
            stream: format!(
                "{}|{}|{source}",
                project.as_deref().unwrap_or(""),
                e.environment.as_deref().unwrap_or("")
            ),
            environment: e.environment.clone(),
            project,
            findings,
        })
    }
}

/// What the caller hands in.
#[derive(Debug, Clone, Copy, Default)]
pub struct KpiInput<'a> {
    /// From the log (any order).
    pub events: &'a [Event],
    /// From stored reports (the log's own scan and gate events are added to these).
    pub snapshots: &'a [Snapshot],
    pub exceptions: &'a [ExceptionAge],
}

#[derive(Debug, Clone)]
pub struct KpiOptions {
    pub period: Period,
    pub filter: Filter,
    pub settings: KpiSettings,
    /// The report's time (exception ages are measured by the caller at this time).
    pub generated: OffsetDateTime,
    /// `log`, `reports`, `log+reports`.
    pub source: String,
}

fn parse_time(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

fn project_of(e: &Event) -> Option<&str> {
    e.field("project").and_then(Value::as_str)
}

fn fmt(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn allows(f: &Filter, env: Option<&str>, project: Option<&str>) -> bool {
    f.environment.as_deref().is_none_or(|x| env == Some(x))
        && f.project.as_deref().is_none_or(|x| project == Some(x))
}

/// Rates and hours are rounded to 6 decimals (exact comparison in tests and stable JSON).
fn r6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| r6(a as f64 / b as f64))
}

fn mean_hours(secs: &[i64]) -> Option<f64> {
    (!secs.is_empty()).then(|| r6(secs.iter().sum::<i64>() as f64 / secs.len() as f64 / 3600.0))
}

fn median_hours(secs: &[i64]) -> Option<f64> {
    let mut v = secs.to_vec();
    v.sort_unstable();
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(r6(v[n / 2] as f64 / 3600.0)),
        _ => Some(r6((v[n / 2 - 1] + v[n / 2]) as f64 / 2.0 / 3600.0)),
    }
}

#[derive(Default)]
struct Acc {
    gates: usize,
    gates_failed: usize,
    subjects: HashMap<Digest, bool>,
    break_glass: usize,
    break_glass_attempts: usize,
    remediated: Vec<(String, i64)>,
    detected: usize,
    detected_unknown: usize,
    mttd: Vec<i64>,
    deployments: usize,
    deployments_failed: usize,
    gated: usize,
    glass: usize,
    manual: usize,
    lead: Vec<i64>,
    restore: Vec<i64>,
}

impl Acc {
    fn finish(
        self,
        period: String,
        start: String,
        end: String,
        settings: &KpiSettings,
    ) -> PeriodKpi {
        let unsigned = self.subjects.values().filter(|s| !**s).count();
        let mut by_sev: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        for (sev, secs) in &self.remediated {
            by_sev.entry(sev.clone()).or_default().push(*secs);
        }
        let all: Vec<i64> = self.remediated.iter().map(|r| r.1).collect();
        let mttd_hours = mean_hours(&self.mttd);
        let success = settings.deployment_success;
        let deployment_success = Slo {
            target: success,
            actual: ratio(self.deployments - self.deployments_failed, self.deployments),
            burn: (self.deployments > 0 && success < 1.0).then(|| {
                r6(self.deployments_failed as f64 / self.deployments as f64 / (1.0 - success))
            }),
            met: (self.deployments > 0).then(|| {
                (self.deployments - self.deployments_failed) as f64
                    >= success * self.deployments as f64
            }),
        };
        let mttd = Slo {
            target: settings.mttd_hours,
            actual: mttd_hours,
            burn: mttd_hours
                .filter(|_| settings.mttd_hours > 0.0)
                .map(|h| r6(h / settings.mttd_hours)),
            met: mttd_hours.map(|h| h <= settings.mttd_hours),
        };
        PeriodKpi {
            period,
            start,
            end,
            gates: self.gates,
            gates_failed: self.gates_failed,
            failed_gate_rate: ratio(self.gates_failed, self.gates),
            artifacts: self.subjects.len(),
            unsigned_artifacts: unsigned,
            unsigned_artifact_rate: ratio(unsigned, self.subjects.len()),
            break_glass: self.break_glass,
            break_glass_attempts: self.break_glass_attempts,
            remediated: all.len(),
            mttr_hours: mean_hours(&all),
            mttr_by_severity: by_sev
                .into_iter()
                .map(|(k, v)| {
                    (
                        k,
                        SeverityKpi {
                            remediated: v.len(),
                            mttr_hours: mean_hours(&v),
                        },
                    )
                })
                .collect(),
            detected: self.detected,
            detected_unknown: self.detected_unknown,
            mttd_hours,
            deployments: self.deployments,
            deployments_failed: self.deployments_failed,
            deployments_gated: self.gated,
            deployments_break_glass: self.glass,
            deployments_manual: self.manual,
            gated_share: ratio(self.gated, self.deployments),
            change_failure_rate: ratio(self.deployments_failed, self.deployments),
            lead_time_known: self.lead.len(),
            lead_time_median_hours: median_hours(&self.lead),
            restored: self.restore.len(),
            time_to_restore_median_hours: median_hours(&self.restore),
            slo: SloSet {
                deployment_success,
                mttd,
            },
        }
    }
}

/// Per-period buckets (keyed by the period's start) and the total.
struct Buckets {
    period: Period,
    by: BTreeMap<OffsetDateTime, Acc>,
    total: Acc,
}

impl Buckets {
    fn add(&mut self, t: OffsetDateTime, f: impl Fn(&mut Acc)) {
        f(self.by.entry(self.period.start(t)).or_default());
        f(&mut self.total);
    }
}

struct Parsed<'a> {
    e: &'a Event,
    t: OffsetDateTime,
}

/// One group's events and snapshots.
type Part<'p, 'e> = (Vec<&'p Parsed<'e>>, Vec<&'p Snapshot>);

/// Gate decisions per (artifact, environment), time-sorted: (time, allow, via break-glass).
type GateIndex<'a> = HashMap<(Digest, &'a str), Vec<(OffsetDateTime, bool, bool)>>;

fn gate_allows(e: &Event) -> bool {
    e.field("allow").and_then(Value::as_bool).unwrap_or(false)
}

fn policy_passed(e: &Event) -> bool {
    e.field("policy_allow")
        .or_else(|| e.field("allow"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn deployment_failed(e: &Event) -> bool {
    matches!(
        e.field("status").and_then(Value::as_str),
        Some("failure" | "failed")
    )
}

/// Computes every metric (docs/kpi.md).
pub fn compute(input: &KpiInput, opts: &KpiOptions) -> KpiReport {
    let mut skipped = 0;
    let mut parsed: Vec<Parsed> = Vec::with_capacity(input.events.len());
    for e in input.events {
        match e.time.as_deref().and_then(parse_time) {
            Some(t) => parsed.push(Parsed { e, t }),
            None => skipped += 1,
        }
    }
    parsed.sort_by_key(|p| p.t);
    let mut gates: GateIndex = HashMap::new();
    for p in &parsed {
        if p.e.kind == EventType::GateDecision
            && let Some(env) = p.e.environment.as_deref()
        {
            gates.entry((p.e.subject, env)).or_default().push((
                p.t,
                gate_allows(p.e),
                p.e.field("break_glass").and_then(Value::as_bool) == Some(true),
            ));
        }
    }
    let mut snaps: Vec<Snapshot> = input.snapshots.to_vec();
    snaps.extend(parsed.iter().filter_map(|p| Snapshot::from_event(p.e)));
    snaps.sort_by_key(|s| s.time);

    let all: Vec<&Parsed> = parsed.iter().collect();
    let all_snaps: Vec<&Snapshot> = snaps.iter().collect();
    let (periods, total, events) = select(&all, &all_snaps, &gates, opts, &opts.filter);
    // Each group's events and snapshots are set apart once (not one pass over all per group).
    let mut by_env: BTreeMap<&str, Part> = BTreeMap::new();
    let mut by_project: BTreeMap<&str, Part> = BTreeMap::new();
    for p in &parsed {
        let (env, project) = (p.e.environment.as_deref(), project_of(p.e));
        if allows(&opts.filter, env, project) {
            if let Some(env) = env {
                by_env.entry(env).or_default().0.push(p);
            }
            if let Some(project) = project {
                by_project.entry(project).or_default().0.push(p);
            }
        }
    }
    for s in &snaps {
        if let Some(part) = s.environment.as_deref().and_then(|e| by_env.get_mut(e)) {
            part.1.push(s);
        }
        if let Some(part) = s.project.as_deref().and_then(|p| by_project.get_mut(p)) {
            part.1.push(s);
        }
    }
    let group = |env: Option<&str>, project: Option<&str>, part: &Part| {
        let f = Filter {
            environment: env.map(str::to_string).or(opts.filter.environment.clone()),
            project: project.map(str::to_string).or(opts.filter.project.clone()),
        };
        Group {
            name: env.or(project).unwrap_or_default().to_string(),
            total: select(&part.0, &part.1, &gates, opts, &f).1,
        }
    };
    let environments = by_env
        .iter()
        .map(|(e, part)| group(Some(e), None, part))
        .collect();
    let projects = by_project
        .iter()
        .map(|(p, part)| group(None, Some(p), part))
        .collect();

    let mut ages: Vec<i64> = input.exceptions.iter().filter_map(|e| e.age_days).collect();
    ages.sort_unstable();
    let n = ages.len();
    let exceptions = ExceptionKpi {
        count: input.exceptions.len(),
        active: input.exceptions.iter().filter(|e| !e.expired).count(),
        expired: input.exceptions.iter().filter(|e| e.expired).count(),
        dated: n,
        oldest_age_days: ages.last().copied(),
        median_age_days: match n {
            0 => None,
            _ if n % 2 == 1 => Some(ages[n / 2] as f64),
            _ => Some((ages[n / 2 - 1] + ages[n / 2]) as f64 / 2.0),
        },
        mean_age_days: (n > 0).then(|| r6(ages.iter().sum::<i64>() as f64 / n as f64)),
    };
    KpiReport {
        schema: SCHEMA,
        generated: fmt(opts.generated),
        period: opts.period,
        source: opts.source.clone(),
        filter: opts.filter.clone(),
        settings: opts.settings.clone(),
        events,
        skipped,
        periods,
        total,
        exceptions,
        environments,
        projects,
    }
}

/// The periods, the total and the count of events for one filter.
fn select(
    parsed: &[&Parsed],
    snaps: &[&Snapshot],
    gates: &GateIndex,
    opts: &KpiOptions,
    filter: &Filter,
) -> (Vec<PeriodKpi>, PeriodKpi, usize) {
    let settings = &opts.settings;
    let mut b = Buckets {
        period: opts.period,
        by: BTreeMap::new(),
        total: Acc::default(),
    };
    let mut events = 0;
    // Target environments for DORA and the gated share: the filter's, else production.
    let target = |env: Option<&str>| match (&filter.environment, env) {
        (Some(_), Some(_)) => true,
        (None, Some(e)) => settings.production.iter().any(|p| p == e),
        (_, None) => false,
    };
    // First failed deployment not yet restored, per (environment, project).
    let mut failing: HashMap<(Option<&str>, Option<&str>), OffsetDateTime> = HashMap::new();
    for p in parsed {
        let (e, t) = (p.e, p.t);
        let (env, project) = (e.environment.as_deref(), project_of(e));
        if !allows(filter, env, project) {
            continue;
        }
        events += 1;
        b.by.entry(opts.period.start(t)).or_default();
        match e.kind {
            EventType::GateDecision => {
                let failed = !policy_passed(e);
                let signed = e.field("signed").and_then(Value::as_bool).unwrap_or(false);
                let subject = e.subject;
                b.add(t, |a| {
                    a.gates += 1;
                    a.gates_failed += usize::from(failed);
                    *a.subjects.entry(subject).or_insert(false) |= signed;
                });
            }
            EventType::BreakGlass => {
                let granted = e.field("granted").and_then(Value::as_bool) == Some(true);
                b.add(t, |a| {
                    a.break_glass_attempts += 1;
                    a.break_glass += usize::from(granted);
                });
            }
            EventType::Deployment if target(env) => {
                let failed = deployment_failed(e);
                let decision = env.and_then(|env| {
                    let list = gates.get(&(e.subject, env))?;
                    let i = list.partition_point(|g| g.0 <= t);
                    (i > 0).then(|| list[i - 1])
                });
                let (gated, glass) = match decision {
                    Some((_, true, false)) => (true, false),
                    Some((_, true, true)) => (false, true),
                    _ => (false, false),
                };
                let lead = e
                    .field("commit_time")
                    .and_then(Value::as_str)
                    .and_then(parse_time)
                    .filter(|c| *c <= t)
                    .map(|c| (t - c).whole_seconds());
                let key = (env, project);
                let restore = if failed {
                    failing.entry(key).or_insert(t);
                    None
                } else {
                    failing.remove(&key).map(|f| (t - f).whole_seconds())
                };
                b.add(t, |a| {
                    a.deployments += 1;
                    a.deployments_failed += usize::from(failed);
                    a.gated += usize::from(gated);
                    a.glass += usize::from(glass);
                    a.manual += usize::from(!gated && !glass);
                    a.lead.extend(lead);
                    a.restore.extend(restore);
                });
            }
            _ => {}
        }
    }
    // Remediation per stream; detection per fingerprint (its first report anywhere).
    let mut open: HashMap<&str, HashMap<&str, (OffsetDateTime, &str)>> = HashMap::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for s in snaps {
        if !allows(filter, s.environment.as_deref(), s.project.as_deref()) {
            continue;
        }
        b.by.entry(opts.period.start(s.time)).or_default();
        let stream = open.entry(s.stream.as_str()).or_default();
        let gone: Vec<&str> = stream
            .keys()
            .copied()
            .filter(|fp| !s.findings.contains_key(*fp))
            .collect();
        for fp in gone {
            let (first, sev) = stream.remove(fp).expect("present");
            let secs = (s.time - first).whole_seconds();
            b.add(s.time, |a| a.remediated.push((sev.to_string(), secs)));
        }
        for (fp, meta) in &s.findings {
            stream
                .entry(fp.as_str())
                .or_insert((s.time, meta.severity.as_deref().unwrap_or("unknown")));
            if seen.insert(fp.as_str()) {
                let known = meta
                    .introduced
                    .filter(|i| *i <= s.time)
                    .map(|i| (s.time - i).whole_seconds());
                b.add(s.time, |a| {
                    a.detected += 1;
                    match known {
                        Some(secs) => a.mttd.push(secs),
                        None => a.detected_unknown += 1,
                    }
                });
            }
        }
    }
    // Empty periods between the first and the last are kept (with zero counts).
    let first = b.by.keys().next().copied();
    let last = b.by.keys().next_back().copied();
    if let (Some(first), Some(last)) = (first, last) {
        let mut s = first;
        while s < last {
            s = opts.period.next(s);
            b.by.entry(s).or_default();
        }
    }
    let window = (first, last.map(|l| opts.period.next(l)));
    let periods =
        b.by.into_iter()
            .map(|(start, a)| {
                a.finish(
                    opts.period.key(start),
                    fmt(start),
                    fmt(opts.period.next(start)),
                    settings,
                )
            })
            .collect();
    let total = b.total.finish(
        "all".into(),
        window.0.map(fmt).unwrap_or_default(),
        window.1.map(fmt).unwrap_or_default(),
        settings,
    );
    (periods, total, events)
}
