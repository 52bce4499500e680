//! KPIs equal hand-computed values on a fixture (tests/fixtures/kpi/README.md).

use std::path::Path;
use tollgate_config::Exception;
use tollgate_policy::exceptions::status;
use tollgate_policy::kpi::{Period, Snapshot, compute, render_table};
use tollgate_policy::traits::read_jsonl;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/kpi/events.jsonl"
);

fn exc(created: &str, expires: &str) -> Exception {
    Exception {
        rule: Some("secrets/x".into()),
        fingerprint: None,
        path: None,
        artifact: None,
        reason: "r".into(),
        owner: "o".into(),
        expires: Some(expires.parse().unwrap()),
        created: Some(created.parse().unwrap()),
    }
}

#[test]
fn kpis_from_the_log_match_hand_computed_values() {
    let events = read_jsonl(Path::new(FIXTURE)).unwrap();
    assert_eq!(events.len(), 9);
    let ex = status(
        &[
            exc("2026-10-01", "2026-12-31"),
            exc("2026-11-01", "2026-11-10"),
            Exception {
                created: None,
                ..exc("2026-11-01", "2027-01-01")
            },
        ],
        "2026-11-21".parse().unwrap(),
    );
    let r = compute(&events, &[], &ex, Period::Month, "log");
    assert_eq!(r.periods.len(), 2);
    let (oct, nov) = (&r.periods[0], &r.periods[1]);
    assert_eq!(oct.period, "2026-10");
    assert_eq!((oct.gates, oct.gates_failed), (4, 2));
    assert_eq!(oct.failed_gate_rate, Some(0.5));
    assert_eq!((oct.artifacts, oct.unsigned_artifacts), (3, 1));
    assert_eq!(oct.unsigned_artifact_rate, Some(1.0 / 3.0));
    assert_eq!((oct.break_glass, oct.break_glass_attempts), (1, 1));
    assert_eq!(oct.remediated, 1);
    assert_eq!(oct.mttr_hours, Some(335.0));
    assert_eq!(nov.period, "2026-11");
    assert_eq!((nov.gates, nov.gates_failed), (2, 1));
    assert_eq!((nov.artifacts, nov.unsigned_artifacts), (2, 1));
    assert_eq!((nov.break_glass, nov.break_glass_attempts), (0, 1));
    assert_eq!(nov.remediated, 2);
    assert_eq!(nov.mttr_hours, Some(539.5));
    // Exceptions: 3, one expired (2026-11-10 < 2026-11-21); ages 51 and 20 days.
    let e = &r.exceptions;
    assert_eq!((e.count, e.active, e.expired), (3, 2, 1));
    assert_eq!(e.mean_age_days, Some(35.5));
    assert_eq!(e.max_age_days, Some(51));
    let table = render_table(&r);
    insta::assert_snapshot!("kpi_table_month", table);
    assert!(table.contains("2026-10"), "{table}");
    assert!(table.contains("33.3%"), "{table}");
    assert!(table.contains("539.5"), "{table}");
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["schema"], "tollgate.kpi/v1");
    assert_eq!(json["periods"][1]["mttr_hours"], 539.5);
}

#[test]
fn weekly_periods_split_the_same_log() {
    let events = read_jsonl(Path::new(FIXTURE)).unwrap();
    let r = compute(&events, &[], &[], Period::Week, "log");
    let keys: Vec<&str> = r.periods.iter().map(|p| p.period.as_str()).collect();
    assert_eq!(keys, ["2026-W40", "2026-W42", "2026-W43", "2026-W45"]);
    assert_eq!(r.periods.iter().map(|p| p.gates).sum::<usize>(), 6);
}

#[test]
fn mttr_from_stored_reports_without_a_log() {
    let mk = |finished: &str, fps: &[&str]| {
        let findings: Vec<serde_json::Value> = fps
            .iter()
            .map(|fp| serde_json::json!({
                "rule": "secrets/x", "scanner": "secrets", "severity": "high", "confidence": "high",
                "message": "m", "fingerprint": fp,
                "location": {"path": "a", "line": 1, "column": 1, "end_line": 1, "end_column": 1}
            }))
            .collect();
        let doc = serde_json::json!({
            "schema": "tollgate.report/v1", "tool": {"name": "tollgate", "version": "0"},
            "started": finished, "finished": finished, "roots": ["."],
            "ruleset_digest": "sha256:00",
            "summary": {"findings": 0, "by_severity": {}, "suppressed": 0, "files_scanned": 0},
            "findings": findings,
        });
        let r = tollgate_render::json::parse(&serde_json::to_vec(&doc).unwrap()).unwrap();
        Snapshot::from_report(&r).unwrap()
    };
    let snaps = vec![
        mk("2026-11-01T00:00:00Z", &["a", "b"]),
        mk("2026-11-02T00:00:00Z", &["b"]),
        // b goes, then comes back: a new occurrence.
        mk("2026-11-04T00:00:00Z", &[]),
        mk("2026-11-05T00:00:00Z", &["b"]),
        mk("2026-11-05T06:00:00Z", &[]),
    ];
    let r = compute(&[], &snaps, &[], Period::Month, "reports");
    let nov = &r.periods[0];
    assert_eq!(nov.remediated, 3);
    // a: 24 h; b: 72 h; b again: 6 h → mean 34 h.
    assert_eq!(nov.mttr_hours, Some(34.0));
    assert_eq!(nov.gates, 0);
    assert_eq!(nov.failed_gate_rate, None);
}
