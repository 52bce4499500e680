//! A server on 127.0.0.1:0 in its own thread and runtime, and a raw HTTP/1.1 client over a real
//! socket (so tests control every header and byte).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tollgate_server::access::Role;
use tollgate_server::config::Options;

pub struct TestServer {
    pub addr: SocketAddr,
    pub data: PathBuf,
    pub dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), String>>>,
}

pub fn options(data: &Path, trust: Option<PathBuf>) -> Options {
    Options {
        listen: "127.0.0.1:0".parse().unwrap(),
        data: data.to_path_buf(),
        allow_insecure_http: false,
        origin: Some("tollgate.test/log".into()),
        trust_file: trust,
        tls: None,
        credential: None,
        webhooks: Vec::new(),
    }
}

impl TestServer {
    pub fn start() -> TestServer {
        Self::start_with(|_| None)
    }

    /// `trust` may write a trust file into the test folder and return its path.
    pub fn start_with(trust: impl FnOnce(&Path) -> Option<PathBuf>) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let trust = trust(dir.path());
        Self::start_at(dir, data, trust)
    }

    pub fn start_at(dir: tempfile::TempDir, data: PathBuf, trust: Option<PathBuf>) -> TestServer {
        let opts = options(&data, trust);
        Self::start_opts(dir, opts)
    }

    /// A server with options made by the test (credentials, webhooks…).
    pub fn start_opts(dir: tempfile::TempDir, opts: Options) -> TestServer {
        let data = opts.data.clone();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let server = match tollgate_server::Server::bind(opts).await {
                    Ok(s) => s,
                    Err(e) => {
                        let _ = addr_tx.send(Err(e.to_string()));
                        return Err(e.to_string());
                    }
                };
                addr_tx.send(Ok(server.local_addr().unwrap())).unwrap();
                server
                    .run(async {
                        let _ = stop_rx.await;
                    })
                    .await
                    .map_err(|e| e.to_string())
            })
        });
        let addr = addr_rx.recv().unwrap().expect("server starts");
        TestServer {
            addr,
            data,
            dir,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// A fresh token of `role` for `identity`.
    pub fn token(&self, role: Role, identity: &str) -> String {
        tollgate_server::tokens::create(&self.data, role, identity, "1d")
            .unwrap()
            .token
    }

    /// Starts a graceful shutdown; returns the thread to join.
    pub fn begin_stop(&mut self) -> std::thread::JoinHandle<Result<(), String>> {
        let _ = self.stop.take().unwrap().send(());
        self.thread.take().unwrap()
    }

    pub fn req(&self) -> Req {
        Req {
            addr: self.addr,
            method: "GET".into(),
            path: "/".into(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.req().method("GET").path(path).token(token).send()
    }

    pub fn post_json(&self, path: &str, token: Option<&str>, body: &serde_json::Value) -> Resp {
        self.req()
            .method("POST")
            .path(path)
            .token(token)
            .header("Content-Type", "application/json")
            .body(serde_json::to_vec(body).unwrap())
            .send()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub struct Req {
    pub addr: SocketAddr,
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    pub fn method(mut self, m: &str) -> Req {
        self.method = m.into();
        self
    }
    pub fn path(mut self, p: &str) -> Req {
        self.path = p.into();
        self
    }
    pub fn header(mut self, k: &str, v: &str) -> Req {
        self.headers.push((k.into(), v.into()));
        self
    }
    pub fn token(self, t: Option<&str>) -> Req {
        match t {
            Some(t) => self.header("Authorization", &format!("Bearer {t}")),
            None => self,
        }
    }
    pub fn body(mut self, b: Vec<u8>) -> Req {
        self.body = b;
        self
    }

    pub fn head_bytes(&self) -> Vec<u8> {
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.method,
            self.path,
            self.addr,
            self.body.len()
        );
        for (k, v) in &self.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        head.into_bytes()
    }

    pub fn send(self) -> Resp {
        let mut s = TcpStream::connect(self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let mut all = self.head_bytes();
        all.extend_from_slice(&self.body);
        // The server may answer (413) and close before reading a large body: write on another
        // thread and read the answer here.
        let mut w = s.try_clone().unwrap();
        let writer = std::thread::spawn(move || {
            let _ = w.write_all(&all);
        });
        let r = read_response(&mut s);
        let _ = writer.join();
        r
    }
}

pub fn read_response(s: &mut TcpStream) -> Resp {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 65536];
    loop {
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if !buf.is_empty() && e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("read: {e}"),
        }
    }
    parse_response(&buf)
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {}: body is not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// Asserts a JSON error body `{"error": "...", "status": N}` with this status.
    pub fn assert_error(&self, status: u16) -> String {
        assert_eq!(
            self.status,
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        let v = self.json();
        assert_eq!(v["status"], status, "{v}");
        let msg = v["error"].as_str().expect("error message").to_string();
        assert!(!msg.is_empty());
        msg
    }
}

pub fn parse_response(buf: &[u8]) -> Resp {
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(buf)));
    let head = std::str::from_utf8(&buf[..end]).unwrap();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = buf[end + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let nl = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size = usize::from_str_radix(std::str::from_utf8(&rest[..nl]).unwrap().trim(), 16)
                .unwrap();
            rest = &rest[nl + 2..];
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[..size]);
            rest = &rest[size + 2..];
        }
        body = out;
    }
    Resp {
        status,
        headers,
        body,
    }
}

/// An event JSON value.
pub fn event(kind: &str, actor: &str, subject_seed: &str) -> serde_json::Value {
    serde_json::json!({
        "type": kind,
        "actor": actor,
        "subject": tollgate_model::sha256(subject_seed.as_bytes()).to_string(),
        "environment": "prod",
        "payload": {"n": subject_seed},
    })
}
