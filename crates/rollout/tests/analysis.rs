//! End-to-end analyses against a canned Prometheus (and JSON endpoint) on 127.0.0.1.

mod common;

use common::*;
use std::time::{Duration, Instant};
use tollgate_rollout::{Phase, Template, Verdict, run};

/// An error-rate metric against `url`: success below 1%, failure at 5% or more.
fn error_rate(url: &str, extra: &str) -> String {
    format!(
        r#"
[[args]]
name = "service"

[[metrics]]
name = "error-rate"
interval = "20ms"
count = 3
success-condition = "result[0] < 0.01"
failure-condition = "result[0] >= 0.05"
error-interval = "10ms"
{extra}

[metrics.provider.prometheus]
address = "{url}"
query = 'sum(rate(http_errors_total{{service="{{{{args.service}}}}"}}[1m]))'
timeout = "200ms"
"#
    )
}

fn analyze(toml: &str) -> (tollgate_rollout::Analysis, Vec<String>) {
    let t = Template::parse(
        toml,
        "analysis.toml",
        &[("service".into(), "checkout".into())],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut lines = Vec::new();
    let a = run(&t, &mut |e| {
        lines.push(tollgate_rollout::report::progress_line(e))
    });
    (a, lines)
}

#[test]
fn healthy_canary_is_promoted() {
    let s = serve(vec![
        vector(&["0.001"]),
        vector(&["0.004"]),
        vector(&["0.002"]),
    ]);
    let (a, lines) = analyze(&error_rate(&s.url, ""));
    assert_eq!(
        (a.phase, a.verdict, a.exit_code),
        (Phase::Successful, Verdict::Promote, 0)
    );
    let m = &a.metrics[0];
    assert_eq!(m.measurements.len(), 3);
    assert_eq!(m.counts.successful, 3);
    assert_eq!(m.measurements[1].value, Some(serde_json::json!([0.004])));
    // The query went out with the argument substituted, URL-encoded.
    let seen = s.seen.lock().unwrap();
    assert_eq!(seen.len(), 3);
    assert!(
        seen[0].line.starts_with("GET /api/v1/query?query=sum"),
        "{}",
        seen[0].line
    );
    assert!(seen[0].line.contains("checkout"), "{}", seen[0].line);
    // One progress line per measurement, then the metric's decision.
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(
        lines[0].contains("error-rate: #1") && lines[0].contains("Successful"),
        "{lines:?}"
    );
    assert!(lines[3].contains("count (3) reached"), "{lines:?}");
}

#[test]
fn error_spike_rolls_back_after_failure_limit() {
    let s = serve(vec![
        vector(&["0.001"]),
        vector(&["0.07"]),
        vector(&["0.09"]),
        vector(&["0.001"]),
    ]);
    let (a, _) =
        analyze(&error_rate(&s.url, "failure-limit = 1").replace("count = 3", "count = 4"));
    assert_eq!(
        (a.phase, a.verdict, a.exit_code),
        (Phase::Failed, Verdict::Rollback, 1)
    );
    assert_eq!(
        a.metrics[0].measurements.len(),
        3,
        "stops at the second failure"
    );
    assert!(
        a.message.contains("failed (2) > failure-limit (1)"),
        "{}",
        a.message
    );
    // With the default failure-limit 0 the first failure decides.
    let s = serve(vec![vector(&["0.07"])]);
    let (a, _) = analyze(&error_rate(&s.url, ""));
    assert_eq!(
        (a.verdict, a.metrics[0].measurements.len()),
        (Verdict::Rollback, 1)
    );
}

#[test]
fn between_the_conditions_is_inconclusive() {
    let s = serve(vec![vector(&["0.001"]), vector(&["0.02"])]);
    let (a, _) = analyze(&error_rate(&s.url, ""));
    assert_eq!(
        (a.phase, a.verdict, a.exit_code),
        (Phase::Inconclusive, Verdict::Inconclusive, 3)
    );
    assert_eq!(
        a.metrics[0].measurements[1].message.as_deref(),
        Some("neither condition holds")
    );
    // NaN (0/0 in PromQL) matches neither condition either.
    let s = serve(vec![vector(&["NaN"])]);
    let (a, _) = analyze(&error_rate(&s.url, ""));
    assert_eq!(a.verdict, Verdict::Inconclusive);
    assert_eq!(
        a.metrics[0].measurements[0].value,
        Some(serde_json::json!(["NaN"]))
    );
}

#[test]
fn empty_result_follows_on_empty() {
    let s = serve(vec![vector(&[])]);
    let (a, _) = analyze(&error_rate(&s.url, ""));
    assert_eq!(
        a.verdict,
        Verdict::Inconclusive,
        "default: inconclusive, not an index error"
    );
    assert!(
        a.metrics[0].measurements[0]
            .message
            .as_deref()
            .unwrap()
            .contains("empty result")
    );
    let s = serve(vec![vector(&[])]);
    let (a, _) = analyze(&error_rate(&s.url, "on-empty = \"fail\""));
    assert_eq!(a.verdict, Verdict::Rollback);
    let s = serve(vec![vector(&[])]);
    let (a, _) = analyze(&error_rate(&s.url, "on-empty = \"pass\""));
    assert_eq!(a.verdict, Verdict::Promote);
}

#[test]
fn prometheus_down_errors_until_the_consecutive_error_limit() {
    let url = closed_port();
    let (a, lines) = analyze(&error_rate(&url, "consecutive-error-limit = 2"));
    assert_eq!(
        (a.phase, a.verdict, a.exit_code),
        (Phase::Error, Verdict::Rollback, 1)
    );
    let m = &a.metrics[0];
    assert_eq!((m.counts.error, m.counts.count), (3, 0));
    assert!(
        m.reason
            .contains("consecutive errors (3) > consecutive-error-limit (2)")
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains(": #") && l.contains("Connection refused"))
            .count(),
        3,
        "{lines:?}"
    );
    // The same run with on-error = "inconclusive" pauses instead of rolling back.
    let toml = format!(
        "on-error = \"inconclusive\"\n{}",
        error_rate(&url, "consecutive-error-limit = 2")
    );
    let (a, _) = analyze(&toml);
    assert_eq!(
        (a.phase, a.verdict, a.exit_code),
        (Phase::Error, Verdict::Inconclusive, 3)
    );
}

#[test]
fn errors_in_between_do_not_count_and_reset() {
    let s = serve(vec![
        status(
            503,
            r#"{"status":"error","errorType":"unavailable","error":"warming up"}"#,
        ),
        vector(&["0.001"]),
        status(500, "oops"),
        vector(&["0.001"]),
        vector(&["0.001"]),
    ]);
    let (a, _) = analyze(&error_rate(&s.url, "consecutive-error-limit = 1"));
    assert_eq!(a.verdict, Verdict::Promote);
    let m = &a.metrics[0];
    assert_eq!(
        (m.counts.count, m.counts.error, m.measurements.len()),
        (3, 2, 5)
    );
    let first = m.measurements[0].message.as_deref().unwrap();
    assert!(
        first.contains("HTTP 503") && first.contains("warming up"),
        "{first}"
    );
}

#[test]
fn slow_prometheus_times_out() {
    let s = serve(vec![slow(vector(&["0.001"]), Duration::from_millis(600))]);
    let start = Instant::now();
    let (a, _) = analyze(&error_rate(&s.url, "consecutive-error-limit = 0"));
    assert_eq!(a.phase, Phase::Error);
    let msg = a.metrics[0].measurements[0].message.as_deref().unwrap();
    assert!(msg.contains("timed out"), "{msg}");
    assert!(
        start.elapsed() < Duration::from_millis(550),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn dry_run_metric_is_reported_but_does_not_decide() {
    let good = serve(vec![vector(&["0.001"])]);
    let bad = serve(vec![vector(&["0.5"])]);
    let toml = format!(
        "{}\n{}",
        error_rate(&good.url, ""),
        error_rate(&bad.url, "dry-run = true")
            .replace("name = \"error-rate\"", "name = \"latency\"")
            .replace("[[args]]\nname = \"service\"\n", "")
    );
    let (a, _) = analyze(&toml);
    assert_eq!(a.verdict, Verdict::Promote);
    let latency = a.metrics.iter().find(|m| m.name == "latency").unwrap();
    assert_eq!((latency.dry_run, latency.phase), (true, Phase::Failed));
    assert_eq!((a.dry_run_summary.count, a.dry_run_summary.failed), (1, 1));
}

#[test]
fn initial_delay_is_waited() {
    let s = serve(vec![vector(&["0.001"])]);
    let start = Instant::now();
    let (a, lines) =
        analyze(&error_rate(&s.url, "initial-delay = \"150ms\"").replace("count = 3", "count = 1"));
    assert_eq!(a.verdict, Verdict::Promote);
    assert!(start.elapsed() >= Duration::from_millis(150));
    assert!(lines[0].contains("initial delay 150ms"), "{lines:?}");
}

#[test]
fn bearer_token_comes_from_the_environment() {
    // PATH is set wherever the tests run, so no test has to write the environment.
    let s = serve(vec![vector(&["0.001"])]);
    let toml = error_rate(&s.url, "")
        .replace("count = 3", "count = 1")
        .replace(
            "timeout = \"200ms\"",
            "timeout = \"2s\"\nauth = { bearer-token-env = \"PATH\" }",
        );
    let (a, _) = analyze(&toml);
    assert_eq!(a.verdict, Verdict::Promote);
    let seen = s.seen.lock().unwrap();
    let expected = format!("Bearer {}", std::env::var("PATH").unwrap());
    assert_eq!(seen[0].header("authorization"), Some(expected.as_str()));
    // A variable that is not set is a template error, before anything is measured.
    let toml = toml.replace("\"PATH\"", "\"TOLLGATE_TEST_SURELY_UNSET\"");
    let e = Template::parse(&toml, "analysis.toml", &[("service".into(), "x".into())])
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("TOLLGATE_TEST_SURELY_UNSET") && e.starts_with("analysis.toml:"),
        "{e}"
    );
}

#[test]
fn web_provider_selects_with_a_json_path() {
    let s = serve(vec![ok(r#"{"data":{"checks":[{"ok":true,"p99":120}]}}"#)]);
    let toml = format!(
        r#"
[[metrics]]
name = "smoke"
success-condition = "result.ok and result.p99 < 250"
[metrics.provider.web]
url = "{}/health"
json-path = "$.data.checks[0]"
headers = [{{ key = "Accept", value = "application/json" }}]
"#,
        s.url
    );
    let t = Template::parse(&toml, "a.toml", &[]).unwrap();
    let a = run(&t, &mut |_| {});
    assert_eq!(
        a.verdict,
        Verdict::Promote,
        "{:?}",
        a.metrics[0].measurements
    );
    let seen = s.seen.lock().unwrap();
    assert_eq!(seen[0].line, "GET /health HTTP/1.1");
    assert_eq!(seen[0].header("accept"), Some("application/json"));
}

#[test]
fn json_report_has_every_measurement() {
    let s = serve(vec![vector(&["0.001"]), vector(&["0.07"])]);
    let (a, _) = analyze(&error_rate(&s.url, ""));
    let j = serde_json::to_value(&a).unwrap();
    assert_eq!(j["schema"], "tollgate.analysis/v1");
    assert_eq!(j["verdict"], "rollback");
    assert_eq!(j["exit_code"], 1);
    assert_eq!(j["args"]["service"], "checkout");
    let ms = j["metrics"][0]["measurements"].as_array().unwrap();
    assert_eq!(ms.len(), 2);
    assert_eq!(ms[1]["phase"], "Failed");
    assert_eq!(ms[1]["message"], "result[0] >= 0.05");
    assert_eq!(j["metrics"][0]["counts"]["failed"], 1);
}

#[test]
fn saved_results_replay_from_a_file() {
    // Air-gapped replay: the responses of an earlier run, one per line, beside the template.
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = ["0.001", "0.07", "0.08"]
        .iter()
        .map(|v| vector(&[v]).body)
        .collect();
    std::fs::write(dir.path().join("saved.jsonl"), lines.join("\n")).unwrap();
    let toml = r#"
[[metrics]]
name = "error-rate"
interval = "5ms"
count = 3
success-condition = "result[0] < 0.01"
failure-condition = "result[0] >= 0.05"
failure-limit = 1
[metrics.provider.file]
path = "saved.jsonl"
"#;
    std::fs::write(dir.path().join("analysis.toml"), toml).unwrap();
    let t = Template::load(&dir.path().join("analysis.toml"), &[]).unwrap();
    let a = run(&t, &mut |_| {});
    assert_eq!((a.phase, a.verdict), (Phase::Failed, Verdict::Rollback));
    assert_eq!(a.metrics[0].provider, "file");
    assert_eq!(a.metrics[0].counts.failed, 2);
}
