//! Graceful shutdown: a request in flight when the shutdown begins is answered and its append
//! is durable; the server then stops, and a restart on the same data folder finds everything.

mod common;

use common::{TestServer, event, read_response};
use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;
use tollgate_server::access::Role;

#[test]
fn in_flight_requests_finish_and_nothing_acknowledged_is_lost() {
    let mut s = TestServer::start();
    let ci = s.token(Role::Releaser, "ci");
    let body = serde_json::to_vec(&event("scan", "ci", "in-flight")).unwrap();
    let req = s
        .req()
        .method("POST")
        .path("/v1/log/entries")
        .token(Some(&ci))
        .header("Content-Type", "application/json")
        .body(body.clone());
    // Send the head and half the body: the request is in flight.
    let mut conn = TcpStream::connect(s.addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    conn.write_all(&req.head_bytes()).unwrap();
    conn.write_all(&body[..body.len() / 2]).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let server = s.begin_stop();
    std::thread::sleep(Duration::from_millis(200));
    // New connections are refused once shutdown began.
    assert!(
        TcpStream::connect(s.addr).is_err(),
        "listener still accepting after shutdown"
    );
    conn.write_all(&body[body.len() / 2..]).unwrap();
    let r = read_response(&mut conn);
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["entries"][0]["index"], 0);
    server.join().unwrap().unwrap();

    // Restart on the same data folder: the acknowledged entry is there and the tree verifies.
    let data = s.data.clone();
    let dir = std::mem::replace(&mut s.dir, tempfile::tempdir().unwrap());
    drop(s);
    let s = TestServer::start_at(dir, data, None);
    let reader = s.token(Role::Reader, "r");
    let r = s.get("/v1/log/entries/0", Some(&reader));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["payload"]["n"], "in-flight");
    let report = tollgate_ledger::Log::open(&s.data.join("log.db"))
        .unwrap()
        .verify(&[])
        .unwrap();
    assert!(report.ok() && report.size == 1, "{:?}", report.problems);
}
