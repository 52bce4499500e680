//! `tollgate analyze` through the real binary, running the example of docs/rollout.md against
//! a canned Prometheus and health endpoint on 127.0.0.1.

use assert_cmd::Command;
use predicates::prelude::*;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

fn tollgate() -> Command {
    let mut c = Command::cargo_bin("tollgate").unwrap();
    c.env("CI", "true");
    c
}

/// The template in docs/rollout.md (the ```toml block after `<!-- example: analysis.toml -->`),
/// with its durations shortened so the test runs in well under a second.
fn example() -> String {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rollout.md"),
    )
    .unwrap();
    let after = doc
        .split("<!-- example: analysis.toml -->")
        .nth(1)
        .expect("docs/rollout.md has the example marker");
    let body = after
        .split("```toml\n")
        .nth(1)
        .and_then(|b| b.split("\n```").next())
        .unwrap();
    body.replace("initial-delay = \"1m\"", "initial-delay = \"30ms\"")
        .replace("interval = \"1m\"", "interval = \"10ms\"")
}

/// Answers by route: the first route whose text appears in the request line serves its
/// responses in order (repeating the last). Records request lines and Authorization headers.
fn serve(routes: Vec<(&'static str, Vec<String>)>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        let mut served = vec![0usize; routes.len()];
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                    break;
                }
                if h.to_ascii_lowercase().starts_with("authorization:") {
                    log.lock().unwrap().push(h.trim().to_string());
                }
            }
            log.lock().unwrap().push(line.trim().to_string());
            let (status, body) = match routes.iter().position(|(r, _)| line.contains(r)) {
                Some(i) => {
                    let list = &routes[i].1;
                    let b = list[served[i].min(list.len() - 1)].clone();
                    served[i] += 1;
                    (200, b)
                }
                None => (404, "{}".to_string()),
            };
            let reply = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    (url, seen)
}

fn vector(values: &[&str]) -> String {
    let series: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| format!(r#"{{"metric":{{"pod":"p{i}"}},"value":[1700000000,"{v}"]}}"#))
        .collect();
    format!(
        r#"{{"status":"success","data":{{"resultType":"vector","result":[{}]}}}}"#,
        series.join(",")
    )
}

const HEALTHY: &str = r#"{"checks":{"database":{"status":"ok","latency_ms":12}}}"#;

struct Run {
    dir: tempfile::TempDir,
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

fn setup(errors: Vec<String>, latency: Vec<String>, health: &str) -> Run {
    let (url, seen) = serve(vec![
        ("http_requests_total", errors),
        ("histogram_quantile", latency),
        ("/healthz", vec![health.to_string()]),
    ]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("analysis.toml"), example()).unwrap();
    Run { dir, url, seen }
}

impl Run {
    fn analyze(&self) -> Command {
        self.analyze_with("analysis.toml")
    }

    fn analyze_with(&self, template: &str) -> Command {
        let mut c = tollgate();
        c.current_dir(self.dir.path())
            .env("PROMETHEUS_TOKEN", "test-token-value")
            .args(["analyze", "--template", template])
            .arg(format!("--arg=prometheus={}", self.url))
            .arg("--arg=service=checkout")
            .arg(format!("--arg=health-url={}/healthz", self.url));
        c
    }
}

fn errors(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| vector(&[v])).collect()
}

#[test]
fn healthy_canary_promotes_with_a_json_report() {
    let r = setup(
        errors(&["0.001", "0.002", "0.001", "0.003", "0.001"]),
        vec![vector(&["0.12", "0.5"])],
        HEALTHY,
    );
    let out = r.analyze().args(["-f", "json"]).assert().code(0);
    let out = out.get_output();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["schema"], "tollgate.analysis/v1");
    assert_eq!(report["verdict"], "promote");
    let metrics = report["metrics"].as_array().unwrap();
    assert_eq!(metrics.len(), 3);
    assert_eq!(metrics[0]["measurements"].as_array().unwrap().len(), 5);
    // The dry-run latency metric failed (one pod at 0.5 s) without deciding anything.
    assert_eq!(metrics[1]["dry_run"], true);
    assert_eq!(metrics[1]["phase"], "Failed");
    assert_eq!(report["dry_run_summary"]["failed"], 1);
    assert_eq!(metrics[2]["measurements"][0]["value"]["status"], "ok");
    // Progress on stderr, one line per measurement.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.matches("analyze: error-rate: #").count(),
        5,
        "{stderr}"
    );
    // The token came from the environment and went to Prometheus, never to the output.
    let seen = r.seen.lock().unwrap();
    assert!(
        seen.iter()
            .any(|l| l == "Authorization: Bearer test-token-value"
                || l == "authorization: Bearer test-token-value"),
        "{seen:?}"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("test-token-value"));
    assert!(!stderr.contains("test-token-value"));
}

#[test]
fn error_spike_rolls_back() {
    let r = setup(
        errors(&["0.001", "0.08", "0.002", "0.09"]),
        vec![vector(&["0.1"])],
        HEALTHY,
    );
    r.analyze()
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Failed -> roll back (exit 1)"))
        .stdout(predicate::str::contains("failed (2) > failure-limit (1)"));
}

#[test]
fn flat_line_is_inconclusive() {
    // No traffic: the error-rate query returns an empty vector.
    let r = setup(vec![vector(&[])], vec![vector(&["0.1"])], HEALTHY);
    r.analyze()
        .assert()
        .code(3)
        .stdout(predicate::str::contains("inconclusive"))
        .stdout(predicate::str::contains("empty result"));
}

#[test]
fn unhealthy_smoke_check_rolls_back() {
    let r = setup(
        errors(&["0.001"]),
        vec![vector(&["0.1"])],
        r#"{"checks":{"database":{"status":"down","latency_ms":12}}}"#,
    );
    r.analyze()
        .arg("-q")
        .assert()
        .code(1)
        .stderr(predicate::str::is_empty());
}

#[test]
fn template_and_argument_errors_exit_2() {
    let r = setup(vec![], vec![], HEALTHY);
    // A missing required argument.
    tollgate()
        .current_dir(r.dir.path())
        .args([
            "analyze",
            "--template",
            "analysis.toml",
            "--arg",
            "service=x",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--arg health-url=VALUE"));
    // Malformed --arg.
    r.analyze()
        .args(["--arg", "oops"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("NAME=VALUE"));
    // An unknown key, positioned.
    let bad = example().replace("failure-limit = 1", "failure-limt = 1");
    std::fs::write(r.dir.path().join("bad.toml"), bad).unwrap();
    r.analyze_with("bad.toml").assert().code(2).stderr(
        predicate::str::is_match(r"bad\.toml:\d+:1: unknown field `failure-limt`").unwrap(),
    );
    // A condition that does not parse, positioned at the mistake.
    let bad = example().replace("result[0] < 0.01", "result[0] << 0.01");
    std::fs::write(r.dir.path().join("bad2.toml"), bad).unwrap();
    r.analyze_with("bad2.toml")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("success-condition: column 12"));
    // No such file.
    tollgate()
        .args(["analyze", "--template", "/nonexistent/analysis.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read"));
}

#[test]
fn the_verdict_is_recorded_in_the_transparency_log() {
    let r = setup(
        errors(&["0.001", "0.08", "0.002", "0.09"]),
        vec![vector(&["0.1"])],
        HEALTHY,
    );
    let d = r.dir.path();
    std::fs::write(d.join("app.tar"), b"artifact").unwrap();
    std::fs::write(d.join("trust.toml"), "[log]\npath = \"release.log\"\n").unwrap();
    tollgate()
        .current_dir(d)
        .args(["log", "init", "--config", "trust.toml"])
        .assert()
        .success();
    r.analyze()
        .args([
            "--record",
            "app.tar",
            "--env",
            "prod",
            "--trust",
            "trust.toml",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("recorded as log entry 0"));
    tollgate()
        .current_dir(d)
        .args(["log", "show", "0", "--config", "trust.toml"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"type\": \"rollout-analysis\""))
        .stdout(predicate::str::contains("\"verdict\": \"rollback\""));
    // Asked to record with no log: an error, never a silent drop.
    std::fs::write(d.join("empty.toml"), "").unwrap();
    r.analyze()
        .args([
            "--record",
            "app.tar",
            "--env",
            "prod",
            "--trust",
            "empty.toml",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no transparency log configured"));
}
