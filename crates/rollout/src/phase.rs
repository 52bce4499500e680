//! Phases and the rules that turn measurements into a metric's phase and metrics into a run's
//! phase, following Argo Rollouts' analysis controller. Pure functions, no clock, no I/O.

use serde::Serialize;

/// The phase of a measurement, of a metric, or of the whole run, once decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Phase {
    Successful,
    Inconclusive,
    Error,
    Failed,
}

impl Phase {
    /// Rank from best to worst, as Argo orders completed phases: Successful, Inconclusive,
    /// Error, Failed.
    fn rank(self) -> u8 {
        match self {
            Phase::Successful => 0,
            Phase::Inconclusive => 1,
            Phase::Error => 2,
            Phase::Failed => 3,
        }
    }

    /// The worse of two phases.
    pub fn worst(self, other: Phase) -> Phase {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Successful => "Successful",
            Phase::Inconclusive => "Inconclusive",
            Phase::Error => "Error",
            Phase::Failed => "Failed",
        }
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A metric's limits (the template keys of the same names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Number of measurements to take (errors not counted). Argo's default without interval: 1.
    pub count: u32,
    /// Failed measurements tolerated; `-1` disables the failure limit. Default 0.
    pub failure_limit: i64,
    /// Inconclusive measurements tolerated. Default 0.
    pub inconclusive_limit: u32,
    /// Errors in a row tolerated. Default 4.
    pub consecutive_error_limit: u32,
    /// Successes in a row that end the metric as Successful; 0 disables it. Default 0.
    pub consecutive_success_limit: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            count: 1,
            failure_limit: 0,
            inconclusive_limit: 0,
            consecutive_error_limit: 4,
            consecutive_success_limit: 0,
        }
    }
}

/// A metric's counters, updated after each measurement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Tally {
    /// Measurements that produced a phase other than Error (what `count` counts).
    pub count: u32,
    pub successful: u32,
    pub failed: u32,
    pub inconclusive: u32,
    pub error: u32,
    pub consecutive_error: u32,
    pub consecutive_success: u32,
}

impl Tally {
    /// Records one measurement's phase.
    pub fn record(&mut self, p: Phase) {
        match p {
            Phase::Successful => {
                self.successful += 1;
                self.count += 1;
                self.consecutive_error = 0;
                self.consecutive_success += 1;
            }
            Phase::Failed | Phase::Inconclusive => {
                if p == Phase::Failed {
                    self.failed += 1;
                } else {
                    self.inconclusive += 1;
                }
                self.count += 1;
                self.consecutive_error = 0;
                self.consecutive_success = 0;
            }
            Phase::Error => {
                self.error += 1;
                self.consecutive_error += 1;
                self.consecutive_success = 0;
            }
        }
    }

    /// All measurements taken, errors included.
    pub fn measurements(&self) -> u32 {
        self.count + self.error
    }
}

/// A metric's decided phase and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub phase: Phase,
    pub reason: String,
}

fn done(phase: Phase, reason: String) -> Option<Assessment> {
    Some(Assessment { phase, reason })
}

/// Decides a metric after a measurement: `None` while it must go on measuring.
/// `terminating` is true when the run is ending early because another metric completed
/// Failed, Error or Inconclusive: a metric still running then completes with what it has.
///
/// The rules, in order (Argo's, with one deliberate difference marked):
/// 1. No measurement yet: running, or Successful ("not measured") when terminating.
/// 2. More errors in a row than `consecutive-error-limit`: Error. Else more inconclusive
///    measurements than `inconclusive-limit`: Inconclusive. Else (when the failure limit is
///    not -1) more failed measurements than `failure-limit`: Failed.
/// 3. `consecutive-success-limit` > 0 and reached: Successful.
/// 4. `count` measurements taken: Successful; but Inconclusive when a consecutive-success
///    limit is set and was not reached while the failure limit applies, and Failed when the
///    consecutive-success limit is the only limit (failure limit -1).
/// 5. Terminating: Successful.
/// 6. tollgate's difference: a metric that would end Successful although every measurement
///    it took errored ends Error instead (Argo reports Successful there, issue #4479).
pub fn assess(limits: &Limits, t: &Tally, terminating: bool) -> Option<Assessment> {
    let out = assess_argo(limits, t, terminating)?;
    if out.phase == Phase::Successful && t.measurements() > 0 && t.error == t.measurements() {
        return done(
            Phase::Error,
            format!("every measurement ({}) errored", t.error),
        );
    }
    Some(out)
}

fn assess_argo(limits: &Limits, t: &Tally, terminating: bool) -> Option<Assessment> {
    if t.measurements() == 0 {
        return terminating.then(|| Assessment {
            phase: Phase::Successful,
            reason: "not measured: the run ended first".into(),
        });
    }
    if t.consecutive_error > limits.consecutive_error_limit {
        return done(
            Phase::Error,
            format!(
                "consecutive errors ({}) > consecutive-error-limit ({})",
                t.consecutive_error, limits.consecutive_error_limit
            ),
        );
    }
    if t.inconclusive > limits.inconclusive_limit {
        return done(
            Phase::Inconclusive,
            format!(
                "inconclusive ({}) > inconclusive-limit ({})",
                t.inconclusive, limits.inconclusive_limit
            ),
        );
    }
    if limits.failure_limit >= 0 && i64::from(t.failed) > limits.failure_limit {
        return done(
            Phase::Failed,
            format!(
                "failed ({}) > failure-limit ({})",
                t.failed, limits.failure_limit
            ),
        );
    }
    let success_limit = limits.consecutive_success_limit;
    if success_limit > 0 && t.consecutive_success >= success_limit {
        return done(
            Phase::Successful,
            format!("consecutive successes reached consecutive-success-limit ({success_limit})"),
        );
    }
    if t.count >= limits.count {
        let failure_applies = limits.failure_limit >= 0;
        return if success_limit > 0 && failure_applies {
            done(
                Phase::Inconclusive,
                format!(
                    "count ({}) reached without {success_limit} consecutive successes, and failure-limit not exceeded",
                    limits.count
                ),
            )
        } else if success_limit > 0 {
            done(
                Phase::Failed,
                format!(
                    "count ({}) reached without {success_limit} consecutive successes",
                    limits.count
                ),
            )
        } else {
            done(
                Phase::Successful,
                format!("count ({}) reached", limits.count),
            )
        };
    }
    terminating.then(|| Assessment {
        phase: Phase::Successful,
        reason: "run ended early by another metric".into(),
    })
}

/// Whether the run must stop: a metric that is not dry-run completed Failed, Error or
/// Inconclusive. `metrics` are (dry-run, phase so far).
pub fn terminating(metrics: &[(bool, Option<Phase>)]) -> bool {
    metrics.iter().any(|(dry, p)| {
        !dry && matches!(p, Some(Phase::Failed | Phase::Error | Phase::Inconclusive))
    })
}

/// The run's phase once every metric completed: the worst phase of the metrics that are not
/// dry-run (Successful when there are none). `None` while a metric is still running.
pub fn run_phase(metrics: &[(bool, Option<Phase>)]) -> Option<Phase> {
    let mut worst = Phase::Successful;
    for (dry, p) in metrics {
        let p = (*p)?;
        if !dry {
            worst = worst.worst(p);
        }
    }
    Some(worst)
}

/// Phase of one measurement from its conditions' outcomes (Argo's rules):
/// - no condition: Successful;
/// - only a success condition: Successful when it holds, else Failed;
/// - only a failure condition: Failed when it holds, else Successful;
/// - both: Failed when the failure condition holds (even if the success condition holds
///   too), Successful when only the success condition holds, Inconclusive when neither does.
pub fn measurement_phase(success: Option<bool>, failure: Option<bool>) -> Phase {
    match (success, failure) {
        (None, None) => Phase::Successful,
        (Some(s), None) => {
            if s {
                Phase::Successful
            } else {
                Phase::Failed
            }
        }
        (None, Some(f)) => {
            if f {
                Phase::Failed
            } else {
                Phase::Successful
            }
        }
        (Some(s), Some(f)) => {
            if f {
                Phase::Failed
            } else if s {
                Phase::Successful
            } else {
                Phase::Inconclusive
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Phase::*;

    fn tally(phases: &[Phase]) -> Tally {
        let mut t = Tally::default();
        for p in phases {
            t.record(*p);
        }
        t
    }
    fn limits(count: u32) -> Limits {
        Limits {
            count,
            ..Limits::default()
        }
    }
    /// Feeds measurements one by one, the way the runner does, and returns the first
    /// decision with the number of measurements it took.
    fn run(l: &Limits, phases: &[Phase]) -> Option<(Phase, usize)> {
        let mut t = Tally::default();
        for (i, p) in phases.iter().enumerate() {
            t.record(*p);
            if let Some(a) = assess(l, &t, false) {
                return Some((a.phase, i + 1));
            }
        }
        None
    }

    // Measurement rules.

    #[test]
    fn no_condition_means_success() {
        assert_eq!(measurement_phase(None, None), Successful);
    }

    #[test]
    fn success_condition_alone_fails_when_false() {
        assert_eq!(measurement_phase(Some(true), None), Successful);
        assert_eq!(measurement_phase(Some(false), None), Failed);
    }

    #[test]
    fn failure_condition_alone_succeeds_when_false() {
        assert_eq!(measurement_phase(None, Some(true)), Failed);
        assert_eq!(measurement_phase(None, Some(false)), Successful);
    }

    #[test]
    fn both_conditions_neither_holds_is_inconclusive() {
        assert_eq!(measurement_phase(Some(false), Some(false)), Inconclusive);
        assert_eq!(measurement_phase(Some(true), Some(false)), Successful);
        assert_eq!(measurement_phase(Some(false), Some(true)), Failed);
        // Failure wins when both hold.
        assert_eq!(measurement_phase(Some(true), Some(true)), Failed);
    }

    // Metric rules.

    #[test]
    fn default_failure_limit_zero_fails_on_first_failure() {
        assert_eq!(run(&limits(5), &[Successful, Failed]), Some((Failed, 2)));
    }

    #[test]
    fn failure_limit_tolerates_that_many_failures() {
        let l = Limits {
            failure_limit: 2,
            ..limits(10)
        };
        // Failures need not be consecutive: the third one, wherever it falls, fails the metric.
        assert_eq!(
            run(&l, &[Failed, Successful, Failed, Successful, Failed]),
            Some((Failed, 5))
        );
        // Two failures within count: Successful when count is reached.
        let l = Limits {
            failure_limit: 2,
            ..limits(4)
        };
        assert_eq!(
            run(&l, &[Failed, Successful, Failed, Successful]),
            Some((Successful, 4))
        );
    }

    #[test]
    fn failure_limit_minus_one_ignores_failures() {
        let l = Limits {
            failure_limit: -1,
            ..limits(3)
        };
        assert_eq!(run(&l, &[Failed, Failed, Failed]), Some((Successful, 3)));
    }

    #[test]
    fn inconclusive_limit() {
        assert_eq!(run(&limits(3), &[Inconclusive]), Some((Inconclusive, 1)));
        let l = Limits {
            inconclusive_limit: 1,
            ..limits(3)
        };
        assert_eq!(
            run(&l, &[Inconclusive, Successful, Successful]),
            Some((Successful, 3))
        );
        assert_eq!(
            run(&l, &[Inconclusive, Successful, Inconclusive]),
            Some((Inconclusive, 3))
        );
    }

    #[test]
    fn consecutive_errors_beyond_limit_is_error() {
        // Default limit 4: the fifth error in a row decides.
        assert_eq!(run(&limits(1), &[Error; 5]), Some((Error, 5)));
        assert_eq!(run(&limits(1), &[Error, Error, Error, Error]), None);
        let l = Limits {
            consecutive_error_limit: 1,
            ..limits(3)
        };
        assert_eq!(run(&l, &[Error, Error]), Some((Error, 2)));
    }

    #[test]
    fn a_good_measurement_resets_the_error_streak_and_errors_do_not_count() {
        let l = Limits {
            consecutive_error_limit: 1,
            ..limits(2)
        };
        assert_eq!(
            run(&l, &[Error, Successful, Error, Successful]),
            Some((Successful, 4))
        );
        let t = tally(&[Error, Successful, Error]);
        assert_eq!((t.count, t.error, t.consecutive_error), (1, 2, 1));
    }

    #[test]
    fn count_reached_is_successful() {
        assert_eq!(
            run(&limits(3), &[Successful, Successful, Successful]),
            Some((Successful, 3))
        );
        assert_eq!(run(&limits(3), &[Successful, Successful]), None);
    }

    #[test]
    fn consecutive_success_limit_ends_early() {
        let l = Limits {
            consecutive_success_limit: 2,
            failure_limit: 3,
            ..limits(10)
        };
        assert_eq!(
            run(&l, &[Successful, Failed, Successful, Successful]),
            Some((Successful, 4))
        );
    }

    #[test]
    fn consecutive_success_limit_not_reached_with_failure_limit_is_inconclusive() {
        let l = Limits {
            consecutive_success_limit: 3,
            failure_limit: 2,
            ..limits(4)
        };
        assert_eq!(
            run(&l, &[Successful, Failed, Successful, Successful]),
            Some((Inconclusive, 4))
        );
    }

    #[test]
    fn consecutive_success_limit_alone_not_reached_is_failed() {
        let l = Limits {
            consecutive_success_limit: 3,
            failure_limit: -1,
            ..limits(3)
        };
        assert_eq!(
            run(&l, &[Successful, Failed, Successful]),
            Some((Failed, 3))
        );
    }

    #[test]
    fn error_takes_precedence_over_inconclusive_over_failed() {
        let l = Limits {
            count: 100,
            failure_limit: 0,
            inconclusive_limit: 0,
            consecutive_error_limit: 0,
            consecutive_success_limit: 0,
        };
        let t = Tally {
            count: 2,
            failed: 1,
            inconclusive: 1,
            error: 1,
            consecutive_error: 1,
            ..Tally::default()
        };
        assert_eq!(assess(&l, &t, false).unwrap().phase, Error);
        let t = Tally {
            consecutive_error: 0,
            ..t
        };
        assert_eq!(assess(&l, &t, false).unwrap().phase, Inconclusive);
    }

    #[test]
    fn terminating_completes_running_metrics_as_successful() {
        assert_eq!(
            assess(&limits(5), &tally(&[Successful]), true)
                .unwrap()
                .phase,
            Successful
        );
        let a = assess(&limits(5), &Tally::default(), true).unwrap();
        assert_eq!(a.phase, Successful);
        assert!(a.reason.contains("not measured"));
        assert_eq!(assess(&limits(5), &Tally::default(), false), None);
    }

    #[test]
    fn all_errors_is_never_successful() {
        // Argo would call this Successful when the run terminates; tollgate says Error.
        let a = assess(&limits(5), &tally(&[Error, Error]), true).unwrap();
        assert_eq!(a.phase, Error);
        assert!(a.reason.contains("every measurement"));
    }

    // Run rules.

    #[test]
    fn run_is_worst_of_metrics() {
        assert_eq!(
            run_phase(&[(false, Some(Successful)), (false, Some(Inconclusive))]),
            Some(Inconclusive)
        );
        assert_eq!(
            run_phase(&[(false, Some(Error)), (false, Some(Inconclusive))]),
            Some(Error)
        );
        assert_eq!(
            run_phase(&[(false, Some(Error)), (false, Some(Failed))]),
            Some(Failed)
        );
        assert_eq!(run_phase(&[(false, Some(Successful)), (false, None)]), None);
        assert_eq!(run_phase(&[]), Some(Successful));
    }

    #[test]
    fn dry_run_metrics_do_not_decide_or_terminate() {
        let m = [(true, Some(Failed)), (false, Some(Successful))];
        assert_eq!(run_phase(&m), Some(Successful));
        assert!(!terminating(&m));
        assert!(terminating(&[(false, Some(Inconclusive)), (false, None)]));
        assert!(!terminating(&[(false, Some(Successful)), (false, None)]));
    }
}
