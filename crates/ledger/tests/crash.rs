//! Crash test: a child process appends batch after batch and reports each acknowledged index;
//! it is killed with SIGKILL mid-run. Afterwards the log verifies and every acknowledged
//! entry is present.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use tollgate_ledger::{Event, Log, PrepareEvent};

const CHILD_ENV: &str = "TOLLGATE_LEDGER_CRASH_CHILD";

fn event(i: u64) -> Event {
    Event::from_json(&format!(
        r#"{{"type":"build-finish","actor":"runner-{i}","subject":"sha256:{i:064x}","payload":{{"n":{i}}}}}"#
    ))
    .unwrap()
}

/// The child: appends until killed. Does nothing unless spawned by the test below.
#[test]
fn crash_child() {
    let Some(db) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let mut log = Log::open(std::path::Path::new(&db)).unwrap();
    let mut out = std::io::stdout().lock();
    let mut next = 0u64;
    loop {
        let batch: Vec<Event> = (next..next + 50).map(event).collect();
        let idx = log.append(&batch).unwrap();
        next += 50;
        writeln!(out, "acked {}", idx.last().unwrap()).unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn kill_9_during_appends_loses_no_acknowledged_entry() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.log");
    drop(Log::init(&db, Some("crash.example/log")).unwrap());
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, &db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut acked = None::<u64>;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(n) = line.strip_prefix("acked ") {
            acked = Some(n.parse().unwrap());
            if acked.unwrap() >= 1500 {
                // Child::kill sends SIGKILL on Unix: no destructor, no flush, no commit.
                child.kill().unwrap();
                break;
            }
        }
    }
    child.wait().unwrap();
    let acked = acked.expect("child acknowledged appends before being killed");
    let log = Log::open(&db).unwrap();
    let report = log.verify(&[]).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert!(
        report.size > acked,
        "size {} but {acked} was acknowledged",
        report.size
    );
    for i in 0..=acked {
        let entry = log.entry(i).unwrap();
        assert!(
            String::from_utf8_lossy(&entry).contains(&format!("\"runner-{i}\"")),
            "entry {i}"
        );
    }
}
