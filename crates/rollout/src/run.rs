//! Runs a template: schedules measurements, applies the phase rules, returns the analysis.
//!
//! Metrics are measured one at a time on the calling thread, each at its own schedule
//! (initial delay, then every interval; after an error, every error interval). A slow
//! measurement therefore delays the others' by at most its provider timeout.

use crate::expr::Value;
use crate::phase::{self, Assessment, Phase, Tally};
use crate::template::{Metric, OnEmpty, OnError, Template};
use serde::Serialize;
use std::time::{Duration, Instant};

/// The identifier of the JSON report format.
pub const SCHEMA: &str = "tollgate.analysis/v1";

/// What the rollout should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Exit 0.
    Promote,
    /// Exit 1.
    Rollback,
    /// Exit 3: pause for a human.
    Inconclusive,
}

impl Verdict {
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Promote => 0,
            Verdict::Rollback => 1,
            Verdict::Inconclusive => 3,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Promote => "promote",
            Verdict::Rollback => "roll back",
            Verdict::Inconclusive => "inconclusive: pause for a human",
        }
    }
}

/// One measurement.
#[derive(Debug, Clone, Serialize)]
pub struct Measurement {
    pub metric: String,
    /// 1-based, errors included.
    pub index: u32,
    pub phase: Phase,
    /// The measured value (absent when the provider errored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
    /// Why: the error, or which condition held.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub duration_ms: u64,
}

/// One metric's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct MetricOutcome {
    pub name: String,
    pub provider: &'static str,
    pub dry_run: bool,
    pub phase: Phase,
    pub reason: String,
    pub counts: Tally,
    pub measurements: Vec<Measurement>,
}

/// Counts of metrics per phase (Argo's run summary).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Summary {
    pub count: u32,
    pub successful: u32,
    pub failed: u32,
    pub inconclusive: u32,
    pub error: u32,
}

impl Summary {
    fn add(&mut self, p: Phase) {
        self.count += 1;
        match p {
            Phase::Successful => self.successful += 1,
            Phase::Failed => self.failed += 1,
            Phase::Inconclusive => self.inconclusive += 1,
            Phase::Error => self.error += 1,
        }
    }
}

/// The result of `tollgate analyze`: the JSON report (`tollgate.analysis/v1`).
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub schema: &'static str,
    pub template: String,
    /// Arguments as resolved (secret ones, from the environment, left out).
    pub args: std::collections::BTreeMap<String, String>,
    pub started_at: String,
    pub finished_at: String,
    pub phase: Phase,
    pub verdict: Verdict,
    pub exit_code: u8,
    pub message: String,
    pub summary: Summary,
    pub dry_run_summary: Summary,
    pub metrics: Vec<MetricOutcome>,
}

/// Progress reported while the analysis runs.
pub enum Event<'a> {
    /// A metric will wait this long before its next measurement.
    Waiting {
        metric: &'a str,
        delay: Duration,
    },
    Measured(&'a Measurement),
    MetricDone {
        metric: &'a str,
        dry_run: bool,
        assessment: &'a Assessment,
    },
}

struct State {
    next: Instant,
    tally: Tally,
    done: Option<Assessment>,
    measurements: Vec<Measurement>,
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Phase of one measured value: `on-empty` for an empty result, otherwise the conditions.
pub fn evaluate(m: &Metric, value: &Value) -> (Phase, Option<String>) {
    if value.is_empty_result() {
        let phase = match m.on_empty {
            OnEmpty::Fail => Phase::Failed,
            OnEmpty::Inconclusive => Phase::Inconclusive,
            OnEmpty::Pass => Phase::Successful,
        };
        let key = match m.on_empty {
            OnEmpty::Fail => "fail",
            OnEmpty::Inconclusive => "inconclusive",
            OnEmpty::Pass => "pass",
        };
        return (phase, Some(format!("empty result (on-empty = \"{key}\")")));
    }
    let outcome = |c: &Option<(String, crate::expr::Condition)>, key: &str| match c {
        None => Ok(None),
        Some((_, cond)) => cond
            .eval_bool(value)
            .map(Some)
            .map_err(|e| format!("{key}: {e}")),
    };
    let success = match outcome(&m.success, "success-condition") {
        Ok(s) => s,
        Err(e) => return (Phase::Error, Some(e)),
    };
    let failure = match outcome(&m.failure, "failure-condition") {
        Ok(f) => f,
        Err(e) => return (Phase::Error, Some(e)),
    };
    let phase = phase::measurement_phase(success, failure);
    let why = match (phase, &m.success, &m.failure) {
        (Phase::Failed, _, Some((src, _))) if failure == Some(true) => Some(src.clone()),
        (Phase::Failed, Some((src, _)), _) => Some(format!("not ({src})")),
        (Phase::Successful, Some((src, _)), _) if success == Some(true) => Some(src.clone()),
        (Phase::Successful, _, Some((src, _))) => Some(format!("not ({src})")),
        (Phase::Inconclusive, _, _) => Some("neither condition holds".into()),
        _ => None,
    };
    (phase, why)
}

/// Runs the analysis to its end, reporting progress through `on`.
pub fn run(t: &Template, on: &mut dyn FnMut(&Event<'_>)) -> Analysis {
    let started_at = now_rfc3339();
    let start = Instant::now();
    let mut states: Vec<State> = t
        .metrics
        .iter()
        .map(|m| State {
            next: start + m.initial_delay,
            tally: Tally::default(),
            done: None,
            measurements: Vec::new(),
        })
        .collect();
    for m in t.metrics.iter().filter(|m| !m.initial_delay.is_zero()) {
        on(&Event::Waiting {
            metric: &m.name,
            delay: m.initial_delay,
        });
    }
    loop {
        let phases: Vec<(bool, Option<Phase>)> = t
            .metrics
            .iter()
            .zip(&states)
            .map(|(m, s)| (m.dry_run, s.done.as_ref().map(|a| a.phase)))
            .collect();
        if phase::terminating(&phases) {
            for (m, s) in t.metrics.iter().zip(states.iter_mut()) {
                if s.done.is_none() {
                    let a = phase::assess(&m.limits, &s.tally, true)
                        .expect("a terminating assessment always decides");
                    on(&Event::MetricDone {
                        metric: &m.name,
                        dry_run: m.dry_run,
                        assessment: &a,
                    });
                    s.done = Some(a);
                }
            }
            break;
        }
        let Some(i) = (0..states.len())
            .filter(|i| states[*i].done.is_none())
            .min_by_key(|i| states[*i].next)
        else {
            break;
        };
        let m = &t.metrics[i];
        let wait = states[i].next.saturating_duration_since(Instant::now());
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
        let began = Instant::now();
        let started = now_rfc3339();
        let (phase, value, message) = match m.provider.measure() {
            Ok(v) => {
                let (p, why) = evaluate(m, &v);
                (p, Some(v.to_json()), why)
            }
            Err(e) => (Phase::Error, None, Some(e)),
        };
        let s = &mut states[i];
        s.tally.record(phase);
        let measurement = Measurement {
            metric: m.name.clone(),
            index: s.tally.measurements(),
            phase,
            value,
            message: message.map(|msg| t.redact(&msg)),
            started_at: started,
            duration_ms: u64::try_from(began.elapsed().as_millis()).unwrap_or(u64::MAX),
        };
        on(&Event::Measured(&measurement));
        s.measurements.push(measurement);
        match phase::assess(&m.limits, &s.tally, false) {
            Some(a) => {
                on(&Event::MetricDone {
                    metric: &m.name,
                    dry_run: m.dry_run,
                    assessment: &a,
                });
                s.done = Some(a);
            }
            None => {
                let gap = if phase == Phase::Error {
                    m.error_interval
                } else {
                    m.interval.unwrap_or(m.error_interval)
                };
                s.next = Instant::now() + gap;
            }
        }
    }

    let mut summary = Summary::default();
    let mut dry_run_summary = Summary::default();
    let mut run_phase = Phase::Successful;
    let mut message = String::from("every metric passed");
    let mut metrics = Vec::new();
    for (m, s) in t.metrics.iter().zip(states) {
        let a = s.done.expect("every metric is decided when the loop ends");
        if m.dry_run {
            dry_run_summary.add(a.phase);
        } else {
            summary.add(a.phase);
            if a.phase.worst(run_phase) != run_phase {
                run_phase = a.phase;
                message = format!("metric `{}` assessed {}: {}", m.name, a.phase, a.reason);
            }
        }
        metrics.push(MetricOutcome {
            name: m.name.clone(),
            provider: m.provider_kind,
            dry_run: m.dry_run,
            phase: a.phase,
            reason: a.reason,
            counts: s.tally,
            measurements: s.measurements,
        });
    }
    let verdict = match (run_phase, t.on_error) {
        (Phase::Successful, _) => Verdict::Promote,
        (Phase::Failed, _) | (Phase::Error, OnError::Fail) => Verdict::Rollback,
        (Phase::Inconclusive, _) | (Phase::Error, OnError::Inconclusive) => Verdict::Inconclusive,
    };
    Analysis {
        schema: SCHEMA,
        template: t.path.clone(),
        args: t.args.iter().cloned().collect(),
        started_at,
        finished_at: now_rfc3339(),
        phase: run_phase,
        verdict,
        exit_code: verdict.exit_code(),
        message,
        summary,
        dry_run_summary,
        metrics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Condition;
    use crate::phase::Limits;
    use crate::providers::Provider;
    use std::cell::RefCell;
    use std::rc::Rc;

    /// Returns canned results in order, recording when each measurement was taken.
    struct Canned {
        results: RefCell<Vec<Result<Value, String>>>,
        times: Rc<RefCell<Vec<Instant>>>,
    }

    impl Provider for Canned {
        fn measure(&self) -> Result<Value, String> {
            self.times.borrow_mut().push(Instant::now());
            let mut r = self.results.borrow_mut();
            if r.is_empty() {
                Err("no more canned results".into())
            } else {
                r.remove(0)
            }
        }
    }

    fn metric(
        name: &str,
        limits: Limits,
        results: Vec<Result<Value, String>>,
    ) -> (Metric, Rc<RefCell<Vec<Instant>>>) {
        let times = Rc::new(RefCell::new(Vec::new()));
        let m = Metric {
            name: name.into(),
            interval: Some(Duration::from_millis(5)),
            initial_delay: Duration::ZERO,
            error_interval: Duration::from_millis(5),
            limits,
            success: Some(("result < 1".into(), Condition::parse("result < 1").unwrap())),
            failure: Some(("result > 5".into(), Condition::parse("result > 5").unwrap())),
            dry_run: false,
            on_empty: OnEmpty::Inconclusive,
            provider_kind: "canned",
            provider: Box::new(Canned {
                results: RefCell::new(results),
                times: times.clone(),
            }),
        };
        (m, times)
    }

    fn template(metrics: Vec<Metric>) -> Template {
        Template {
            path: "t.toml".into(),
            on_error: OnError::Fail,
            metrics,
            args: vec![],
            secrets: vec![],
        }
    }

    fn ok(x: f64) -> Result<Value, String> {
        Ok(Value::Num(x))
    }

    fn count(n: u32) -> Limits {
        Limits {
            count: n,
            ..Limits::default()
        }
    }

    #[test]
    fn evaluates_conditions_and_empties() {
        let (mut m, _) = metric("m", count(1), vec![]);
        assert_eq!(evaluate(&m, &Value::Num(0.5)).0, Phase::Successful);
        assert_eq!(evaluate(&m, &Value::Num(9.0)).0, Phase::Failed);
        assert_eq!(evaluate(&m, &Value::Num(3.0)).0, Phase::Inconclusive);
        assert_eq!(evaluate(&m, &Value::Num(f64::NAN)).0, Phase::Inconclusive);
        assert_eq!(evaluate(&m, &Value::Str("x".into())).0, Phase::Error);
        assert_eq!(evaluate(&m, &Value::List(vec![])).0, Phase::Inconclusive);
        m.on_empty = OnEmpty::Fail;
        assert_eq!(evaluate(&m, &Value::Null).0, Phase::Failed);
        m.on_empty = OnEmpty::Pass;
        assert_eq!(evaluate(&m, &Value::List(vec![])).0, Phase::Successful);
    }

    #[test]
    fn another_metric_failing_ends_the_run() {
        let (bad, _) = metric("bad", count(3), vec![ok(9.0)]);
        let (slow, times) = metric("slow", count(3), vec![ok(0.1), ok(0.1), ok(0.1)]);
        let mut slow = slow;
        slow.initial_delay = Duration::from_millis(200);
        let t = template(vec![bad, slow]);
        let a = run(&t, &mut |_| {});
        assert_eq!(a.phase, Phase::Failed);
        assert_eq!(a.verdict, Verdict::Rollback);
        assert!(
            times.borrow().is_empty(),
            "the delayed metric never measured"
        );
        assert_eq!(a.metrics[1].phase, Phase::Successful);
        assert!(a.metrics[1].reason.contains("not measured"));
    }

    #[test]
    fn dry_run_failure_does_not_stop_or_decide() {
        let (mut dry, _) = metric("dry", count(1), vec![ok(9.0)]);
        dry.dry_run = true;
        let (good, _) = metric("good", count(2), vec![ok(0.1), ok(0.2)]);
        let a = run(&template(vec![dry, good]), &mut |_| {});
        assert_eq!(a.verdict, Verdict::Promote);
        assert_eq!(a.metrics[0].phase, Phase::Failed);
        assert_eq!(a.metrics[1].measurements.len(), 2);
        assert_eq!(a.dry_run_summary.failed, 1);
        assert_eq!(a.summary.successful, 1);
    }

    #[test]
    fn errors_retry_and_on_error_decides_the_exit() {
        let limits = Limits {
            consecutive_error_limit: 1,
            ..count(1)
        };
        let (m, times) = metric("m", limits, vec![Err("down".into()), Err("down".into())]);
        let mut t = template(vec![m]);
        let a = run(&t, &mut |_| {});
        assert_eq!(
            (a.phase, a.verdict, a.exit_code),
            (Phase::Error, Verdict::Rollback, 1)
        );
        assert_eq!(times.borrow().len(), 2);
        t.on_error = OnError::Inconclusive;
        let (m, _) = metric("m", limits, vec![Err("down".into()), Err("down".into())]);
        t.metrics = vec![m];
        let a = run(&t, &mut |_| {});
        assert_eq!((a.verdict, a.exit_code), (Verdict::Inconclusive, 3));
    }

    #[test]
    fn waits_initial_delay_and_interval() {
        let (mut m, times) = metric("m", count(3), vec![ok(0.1), ok(0.1), ok(0.1)]);
        m.initial_delay = Duration::from_millis(60);
        m.interval = Some(Duration::from_millis(40));
        let start = Instant::now();
        let a = run(&template(vec![m]), &mut |_| {});
        assert_eq!(a.verdict, Verdict::Promote);
        let t = times.borrow();
        assert!(t[0] - start >= Duration::from_millis(60));
        assert!(t[1] - t[0] >= Duration::from_millis(40));
        assert!(t[2] - t[1] >= Duration::from_millis(40));
    }

    #[test]
    fn secrets_are_redacted_from_messages() {
        let (m, _) = metric("m", count(1), vec![Err("token hunter2 rejected".into())]);
        let mut t = template(vec![m]);
        t.secrets = vec!["hunter2".into()];
        t.metrics[0].limits.consecutive_error_limit = 0;
        let a = run(&t, &mut |_| {});
        let msg = a.metrics[0].measurements[0].message.as_deref().unwrap();
        assert_eq!(msg, "token ***** rejected");
    }
}
