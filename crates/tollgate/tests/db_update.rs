//! `tollgate db update` through the real binary against a loopback HTTP server that serves the
//! OSV export layout (`<base>/<ecosystem>/all.zip`), then `scan deps` on the imported index.

use assert_cmd::Command;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::sync::{Arc, Mutex};

const TESTDATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/");

/// A record no real database has, so a finding for it can only come from the served archive.
const PLANTED: &str = r#"{"schema_version":"1.6.0","id":"TOLLGATE-TEST-0001",
 "modified":"2026-01-01T00:00:00Z","published":"2026-01-01T00:00:00Z",
 "summary":"planted advisory served by the test's HTTP server",
 "affected":[{"package":{"ecosystem":"crates.io","name":"planted-crate"},
   "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.0"}]}]}]}"#;

/// `crates.io/all.zip`: every RustSec record in testdata plus the planted one.
fn crates_zip() -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut buf);
    let opts = zip::write::SimpleFileOptions::default();
    let mut files: Vec<_> = std::fs::read_dir(format!("{TESTDATA}osv/crates.io"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for f in &files {
        z.start_file(f.file_name().unwrap().to_str().unwrap(), opts)
            .unwrap();
        z.write_all(&std::fs::read(f).unwrap()).unwrap();
    }
    z.start_file("TOLLGATE-TEST-0001.json", opts).unwrap();
    z.write_all(PLANTED.as_bytes()).unwrap();
    z.finish().unwrap();
    buf.into_inner()
}

/// Serves `/crates.io/all.zip` (404 for anything else) until the test ends; returns the base
/// URL and the paths asked for.
fn serve(zip: Vec<u8>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let paths = Arc::new(Mutex::new(Vec::new()));
    let seen = paths.clone();
    std::thread::spawn(move || {
        for s in listener.incoming() {
            let Ok(mut s) = s else { continue };
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut first = String::new();
            if r.read_line(&mut first).is_err() {
                continue;
            }
            loop {
                let mut l = String::new();
                if r.read_line(&mut l).is_err() || l == "\r\n" || l.is_empty() {
                    break;
                }
            }
            let path = first.split(' ').nth(1).unwrap_or("").to_string();
            let _ = if path == "/crates.io/all.zip" {
                write!(
                    s,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    zip.len()
                )
                .and_then(|_| s.write_all(&zip))
            } else {
                write!(
                    s,
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )
            };
            seen.lock().unwrap().push(path);
        }
    });
    (base, paths)
}

fn tollgate() -> Command {
    let mut c = Command::cargo_bin("tollgate").unwrap();
    c.env_remove("SOURCE_DATE_EPOCH");
    c
}

#[test]
fn db_update_from_a_local_server_then_scan_finds_the_planted_advisory() {
    let (base, paths) = serve(crates_zip());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.db");
    let out = tollgate()
        .args([
            "db",
            "update",
            "--url",
            &base,
            "--ecosystem",
            "crates.io",
            "--db",
        ])
        .arg(&db)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    // 1,206 RustSec records (withdrawn ones skipped) and the planted one
    let n: usize = err
        .split("crates.io: ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{err}"));
    assert!((1100..=1207).contains(&n), "{err}");
    assert_eq!(*paths.lock().unwrap(), ["/crates.io/all.zip"]);

    let proj = dir.path().join("proj");
    std::fs::create_dir(&proj).unwrap();
    std::fs::write(
        proj.join("Cargo.lock"),
        "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"openssl\",\n \"planted-crate\",\n]\n\n\
         [[package]]\nname = \"openssl\"\nversion = \"0.8.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n\
         [[package]]\nname = \"planted-crate\"\nversion = \"1.1.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
    )
    .unwrap();
    let out = tollgate()
        .args(["scan", "deps", "-q", "-f", "json", "--require-db", "--db"])
        .arg(&db)
        .arg(&proj)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["advisories"][0].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"TOLLGATE-TEST-0001"), "{ids:?}");
    // a real RustSec record from the served archive that the bundled snapshot does not carry
    assert!(ids.contains(&"RUSTSEC-2016-0001"), "{ids:?}");
    assert!(!v["diagnostics"].to_string().contains("no advisory index"));
}

#[test]
fn db_update_with_only_failing_ecosystems_is_a_tool_error() {
    let (base, _) = serve(Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let out = tollgate()
        .args(["db", "update", "--url", &base, "--ecosystem", "npm", "--db"])
        .arg(dir.path().join("osv.db"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("404"));
}

#[test]
fn db_update_path_fetches_the_ecosystems_present_from_the_configured_mirror_atomically() {
    let (base, paths) = serve(crates_zip());
    let dir = tempfile::tempdir().unwrap();
    let proj = dir.path();
    std::fs::write(
        proj.join("Cargo.lock"),
        "version = 3\n\n[[package]]\nname = \"planted-crate\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
    )
    .unwrap();
    std::fs::write(
        proj.join("tollgate.toml"),
        format!("[deps]\ndb = \"idx/osv.db\"\nosv-mirror = \"{base}\"\n"),
    )
    .unwrap();
    // no --url, no --ecosystem: the mirror from [deps], only crates.io (the one Cargo.lock)
    let out = tollgate()
        .args(["db", "update"])
        .arg(proj)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(*paths.lock().unwrap(), ["/crates.io/all.zip"]);
    let db = proj.join("idx/osv.db");
    assert!(db.is_file(), "{err}");
    let count = |e: &str| {
        e.rsplit("advisories)")
            .nth(1)
            .and_then(|x| x.rsplit('(').next())
            .and_then(|n| n.trim().parse::<usize>().ok())
            .unwrap_or_else(|| panic!("{e}"))
    };
    let before = count(&err);
    assert!(before > 1000, "{err}");
    // a failing update leaves the index as it was, and no partial copy behind
    let out = tollgate()
        .args(["db", "update", "--ecosystem", "npm"])
        .arg(proj)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(count(&err), before, "{err}");
    assert!(!proj.join("idx/osv.db.partial").exists());
    // a partly failing one replaces it with old + new data
    let out = tollgate()
        .args([
            "db",
            "update",
            "--ecosystem",
            "npm",
            "--ecosystem",
            "crates.io",
        ])
        .arg(proj)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(count(&err), before, "{err}");
    let names: Vec<String> = std::fs::read_dir(proj.join("idx"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert!(names.iter().all(|n| !n.contains("partial")), "{names:?}");
    // and the scan reads the configured index
    let out = tollgate()
        .args(["scan", "deps", "-q", "-f", "json", "--require-db"])
        .arg(proj)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("TOLLGATE-TEST-0001"));
}
