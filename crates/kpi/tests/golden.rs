//! Every metric on the fixture log (tests/fixtures, written by gen.py) equals the hand-derived
//! values in expected-*.json (arithmetic in tests/fixtures/README.md), compared exactly after
//! the report's own 6-decimal rounding.

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tollgate_kpi::{ExceptionAge, Filter, KpiInput, KpiOptions, KpiSettings, Period, compute};
use tollgate_model::Event;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");

fn events(name: &str) -> Vec<Event> {
    std::fs::read_to_string(format!("{DIR}{name}"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn expected(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{DIR}{name}")).unwrap()).unwrap()
}

fn options(period: Period) -> KpiOptions {
    KpiOptions {
        period,
        filter: Filter::default(),
        settings: KpiSettings {
            deployment_success: 0.95,
            ..KpiSettings::default()
        },
        generated: OffsetDateTime::parse("2026-12-05T00:00:00Z", &Rfc3339).unwrap(),
        source: "log".into(),
    }
}

/// Structural equality with numbers compared by value (1 == 1.0); the first difference is
/// reported with its path.
fn diff(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            (x.as_f64() != y.as_f64()).then(|| format!("{path}: {x} != {y}"))
        }
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                let (Some(p), Some(q)) = (x.get(k), y.get(k)) else {
                    return Some(format!("{path}.{k}: present on one side only"));
                };
                if let Some(d) = diff(p, q, &format!("{path}.{k}")) {
                    return Some(d);
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return Some(format!("{path}: {} items != {}", x.len(), y.len()));
            }
            x.iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (p, q))| diff(p, q, &format!("{path}[{i}]")))
        }
        _ => (a != b).then(|| format!("{path}: {a} != {b}")),
    }
}

fn assert_same(got: &Value, want: &Value) {
    if let Some(d) = diff(got, want, "$") {
        panic!(
            "{d}\n--- got:\n{}",
            serde_json::to_string_pretty(got).unwrap()
        );
    }
}

#[test]
fn months_of_the_generated_log_match_hand_derived_values() {
    let evs = events("events.jsonl");
    assert_eq!(evs.len(), 247);
    let ex = [
        ExceptionAge {
            age_days: Some(10),
            expired: false,
        },
        ExceptionAge {
            age_days: Some(40),
            expired: true,
        },
        ExceptionAge {
            age_days: None,
            expired: false,
        },
        ExceptionAge {
            age_days: Some(3),
            expired: true,
        },
    ];
    let input = KpiInput {
        events: &evs,
        snapshots: &[],
        exceptions: &ex,
    };
    let r = compute(&input, &options(Period::Month));
    assert_same(
        &serde_json::to_value(&r).unwrap(),
        &expected("expected-month.json"),
    );
}

#[test]
fn iso_weeks_split_at_monday_utc_midnight_and_keep_empty_weeks() {
    let evs = events("edges.jsonl");
    let input = KpiInput {
        events: &evs,
        ..KpiInput::default()
    };
    let r = compute(&input, &options(Period::Week));
    assert_same(
        &serde_json::to_value(&r).unwrap(),
        &expected("expected-edges-week.json"),
    );
}

#[test]
fn the_same_log_in_any_order_gives_the_same_report() {
    let mut evs = events("events.jsonl");
    evs.reverse();
    let input = KpiInput {
        events: &evs,
        ..KpiInput::default()
    };
    let r = compute(&input, &options(Period::Month));
    let mut want = expected("expected-month.json");
    want["exceptions"] = json!({"count": 0, "active": 0, "expired": 0, "dated": 0,
        "oldest_age_days": null, "median_age_days": null, "mean_age_days": null});
    assert_same(&serde_json::to_value(&r).unwrap(), &want);
}

#[test]
fn a_single_event_is_one_day() {
    let evs: Vec<Event> = events("edges.jsonl")
        .into_iter()
        .filter(|e| e.time.as_deref() == Some("2026-11-30T19:00:00-05:00"))
        .collect();
    assert_eq!(evs.len(), 1);
    let input = KpiInput {
        events: &evs,
        ..KpiInput::default()
    };
    let r = serde_json::to_value(compute(&input, &options(Period::Day))).unwrap();
    let none = json!({"target": 0.95, "actual": null, "burn": null, "met": null});
    let day = |period: &str, start: &str, end: &str| {
        json!({
            "period": period, "start": start, "end": end,
            "gates": 1, "gates_failed": 0, "failed_gate_rate": 0.0,
            "artifacts": 1, "unsigned_artifacts": 0, "unsigned_artifact_rate": 0.0,
            "break_glass": 0, "break_glass_attempts": 0,
            "remediated": 0, "mttr_hours": null, "mttr_by_severity": {},
            "detected": 0, "detected_unknown": 0, "mttd_hours": null,
            "deployments": 0, "deployments_failed": 0, "deployments_gated": 0,
            "deployments_break_glass": 0, "deployments_manual": 0, "gated_share": null,
            "change_failure_rate": null, "lead_time_known": 0, "lead_time_median_hours": null,
            "restored": 0, "time_to_restore_median_hours": null,
            "slo": {"deployment_success": none, "mttd": {"target": 24.0, "actual": null, "burn": null, "met": null}}
        })
    };
    let d = day("2026-12-01", "2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z");
    let t = day("all", "2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z");
    assert_same(&r["periods"], &json!([d]));
    assert_same(&r["total"], &t);
    assert_same(&r["environments"], &json!([{"name": "prod", "total": t}]));
    assert_same(&r["projects"], &json!([{"name": "web", "total": t}]));
    assert_eq!(
        (r["events"].as_u64(), r["skipped"].as_u64()),
        (Some(1), Some(0))
    );
}

#[test]
fn an_empty_log_has_no_periods_and_unknown_rates() {
    let r = serde_json::to_value(compute(&KpiInput::default(), &options(Period::Month))).unwrap();
    assert_same(&r["periods"], &json!([]));
    assert_eq!(r["total"]["start"], "");
    assert_eq!(r["total"]["gates"], 0);
    for k in [
        "failed_gate_rate",
        "unsigned_artifact_rate",
        "mttr_hours",
        "mttd_hours",
        "gated_share",
        "change_failure_rate",
        "lead_time_median_hours",
        "time_to_restore_median_hours",
    ] {
        assert!(r["total"][k].is_null(), "{k} must be unknown, not 0");
    }
    assert_eq!(r["environments"], json!([]));
}

#[test]
fn filters_select_an_environment_or_a_project() {
    let evs = events("events.jsonl");
    let input = KpiInput {
        events: &evs,
        ..KpiInput::default()
    };
    let want = expected("expected-month.json");
    for (env, project, group) in [
        (Some("staging"), None, &want["environments"][1]),
        (None, Some("web"), &want["projects"][1]),
    ] {
        let mut o = options(Period::Month);
        o.filter = Filter {
            environment: env.map(str::to_string),
            project: project.map(str::to_string),
        };
        let r = serde_json::to_value(compute(&input, &o)).unwrap();
        assert_same(&r["total"], &group["total"]);
    }
}

#[test]
fn reports_validate_against_the_published_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../schemas/kpi-v2.schema.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let evs = events("events.jsonl");
    for period in [Period::Day, Period::Week, Period::Month] {
        let input = KpiInput {
            events: &evs,
            ..KpiInput::default()
        };
        let doc = serde_json::to_value(compute(&input, &options(period))).unwrap();
        let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{period:?}: {errors:?}");
    }
    let empty = serde_json::to_value(compute(&KpiInput::default(), &options(Period::Day))).unwrap();
    assert!(v.is_valid(&empty));
    // The schema is not vacuous: a rate above 1 and an unknown field are refused.
    let mut bad = empty.clone();
    bad["total"]["failed_gate_rate"] = json!(1.5);
    assert!(!v.is_valid(&bad));
    let mut bad = empty;
    bad["extra"] = json!(1);
    assert!(!v.is_valid(&bad));
}
