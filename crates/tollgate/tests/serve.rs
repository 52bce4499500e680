//! `tollgate serve` through the real binary: every command of docs/server.md run as printed,
//! every HTTP request shown there sent to the running server, SIGTERM ends it with 0; bad
//! server.toml keys and plain HTTP off loopback are refused with exit 2.

use assert_cmd::Command;
use predicates::str::contains;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

fn tollgate(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("tollgate").unwrap();
    // A server that starts when it should refuse must not hang the test.
    c.current_dir(dir)
        .env_remove("TOLLGATE_KEY_PASSWORD")
        .timeout(Duration::from_secs(60));
    c
}

/// Code blocks of a markdown file: (info string, text).
fn blocks(md: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut cur: Option<(String, String)> = None;
    for line in md.lines() {
        match (&mut cur, line.strip_prefix("```")) {
            (None, Some(info)) => cur = Some((info.trim().to_string(), String::new())),
            (Some(_), Some(_)) => out.push(cur.take().unwrap()),
            (Some((_, text)), None) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

/// Sends one raw HTTP/1.1 request; returns (status, body).
fn http(addr: &str, request: &str, token: &str) -> (u16, String) {
    let (head, body) = request.split_once("\n\n").unwrap_or((request, ""));
    let body = body.trim();
    let mut lines = head.lines();
    let start = lines.next().unwrap();
    let mut req = format!(
        "{start} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for h in lines {
        req.push_str(h);
        req.push_str("\r\n");
    }
    req.push_str("\r\n");
    req.push_str(body);
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s.write_all(req.as_bytes()).unwrap();
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).unwrap();
    let text = String::from_utf8_lossy(&resp).to_string();
    let status = text.split(' ').nth(1).unwrap().parse().unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// Starts `tollgate ARGS` as a server and returns it with its address.
fn start(dir: &Path, args: &[&str]) -> (Child, String) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tollgate"))
        .args(args)
        .current_dir(dir)
        .env_remove("TOLLGATE_KEY_PASSWORD")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_string();
    (child, addr)
}

/// SIGTERM, then the exit status and standard error.
fn terminate(mut child: Child) -> (i32, String) {
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (status.code().unwrap_or(-1), err)
}

#[test]
fn docs_commands_and_requests_run_as_printed() {
    let md =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/server.md"))
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let blocks = blocks(&md);
    for (info, text) in &blocks {
        if info == "toml" {
            let name = text.lines().next().unwrap().trim_start_matches("# ").trim();
            std::fs::write(dir.path().join(name), text).unwrap();
        }
    }
    let requests: Vec<&str> = blocks
        .iter()
        .filter(|(i, _)| i == "http")
        .map(|(_, t)| t.as_str())
        .collect();
    assert!(requests.len() >= 10, "{}", requests.len());
    let mut tokens: Vec<String> = Vec::new();
    let mut reader_id = String::new();
    let mut ran = 0;
    for (info, text) in &blocks {
        if info != "sh" {
            continue;
        }
        for cmd in text.lines().filter(|l| !l.trim().is_empty()) {
            let words: Vec<&str> = cmd.split_whitespace().collect();
            assert_eq!(words[0], "tollgate", "{cmd}");
            let args: Vec<String> = words[1..]
                .iter()
                .map(|w| {
                    if *w == "ID" {
                        reader_id.clone()
                    } else {
                        w.to_string()
                    }
                })
                .collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            ran += 1;
            if args[0] == "serve" && args[1] != "token" {
                let (child, addr) = start(dir.path(), &args);
                let ci = &tokens[0];
                let (status, body) = http(&addr, "GET /v1/whoami", ci);
                assert_eq!(status, 200, "{body}");
                assert!(body.contains("\"identity\":\"ci\""), "{body}");
                if args.contains(&"--config") {
                    // With the server's trust: every documented request succeeds.
                    for r in &requests {
                        let (status, body) = http(&addr, r, ci);
                        assert!(status < 300, "{r}\n=> {status} {body}");
                        if r.starts_with("POST /v1/gate") {
                            assert!(body.contains("\"allow\":true"), "{body}");
                        }
                    }
                }
                let (code, err) = terminate(child);
                assert_eq!(code, 0, "{err}");
                assert!(err.contains("\"stopped\""), "{err}");
                for t in &tokens {
                    assert!(!err.contains(&t[3..]), "token in the server log");
                }
                continue;
            }
            let out = tollgate(dir.path()).args(&args).assert().success();
            let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
            if args[..3] == ["serve", "token", "create"] {
                tokens.push(stdout.trim().to_string());
            }
            if args[..3] == ["serve", "token", "list"] {
                assert_eq!(stdout.lines().count(), 2, "{stdout}");
                let line = stdout.lines().find(|l| l.contains("dashboard")).unwrap();
                reader_id = line.split_whitespace().next().unwrap().to_string();
                assert!(!stdout.contains(&tokens[0][3..]), "token listed");
            }
        }
    }
    assert_eq!(ran, 6);
    // The revoked token no longer lists as active.
    tollgate(dir.path())
        .args(["serve", "token", "list", "--data", "tollgate-data"])
        .assert()
        .success()
        .stdout(contains("revoked"));
}

#[test]
fn bad_config_and_plain_http_off_loopback_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("server.toml"),
        "data = \"d\"\nlisten-on = \"127.0.0.1:1\"\n",
    )
    .unwrap();
    tollgate(dir.path())
        .args(["serve", "--config", "server.toml"])
        .assert()
        .code(2)
        .stderr(contains("server.toml:2:1"))
        .stderr(contains("listen-on"));
    tollgate(dir.path())
        .args(["serve", "--data", "d", "--listen", "0.0.0.0:0"])
        .assert()
        .code(2)
        .stderr(contains("refusing plain HTTP"));
    std::fs::write(
        dir.path().join("bad-trust.toml"),
        "[environments.prod]\napprovels = 2\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("s2.toml"),
        "data = \"d\"\n[trust]\nfile = \"bad-trust.toml\"\n",
    )
    .unwrap();
    tollgate(dir.path())
        .args(["serve", "--config", "s2.toml", "--listen", "127.0.0.1:0"])
        .assert()
        .code(2)
        .stderr(contains("bad-trust.toml:2:1"));
    tollgate(dir.path())
        .args([
            "serve",
            "token",
            "create",
            "--data",
            "d",
            "--role",
            "root",
            "--identity",
            "x",
        ])
        .assert()
        .code(2)
        .stderr(contains("unknown role"));
}
