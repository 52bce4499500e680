//! OSV import and matching: equal to cargo-audit 0.22.2 on the real Cargo.lock files of
//! testdata/deps (same RustSec data), imports of folders, zips and PyPA YAML, the bundled
//! snapshot and `db update` against a loopback HTTP server.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use tollgate_deps::osv::{self, Db};
use tollgate_deps::parse::{self, Format, NoSiblings};
use tollgate_deps::{Component, Ecosystem};

const TESTDATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/");

fn crates_db(dir: &Path) -> Db {
    let mut db = Db::open(&dir.join("osv.db")).unwrap();
    let stats = db
        .import(&Path::new(TESTDATA).join("osv/crates.io"))
        .unwrap();
    assert!(stats.records > 1000, "{stats:?}");
    assert!(stats.problems.is_empty(), "{:?}", stats.problems);
    db
}

type Triple = (String, String, String);

fn audit(
    project: &str,
    db: &Db,
) -> (
    BTreeSet<Triple>,
    BTreeSet<Triple>,
    BTreeSet<Triple>,
    BTreeSet<Triple>,
) {
    let lock = std::fs::read_to_string(format!("{TESTDATA}deps/{project}/Cargo.lock")).unwrap();
    let parsed = parse::parse(Format::CargoLock, "Cargo.lock", &lock, &NoSiblings).unwrap();
    let mut vulns = BTreeSet::new();
    let mut infos = BTreeSet::new();
    for c in parsed.components.iter().filter(|c| !c.is_root) {
        for m in osv::match_component(db, c).unwrap() {
            let t = (m.ids[0].clone(), c.name.clone(), c.version.clone());
            if m.informational.is_some() {
                infos.insert(t);
            } else {
                vulns.insert(t);
            }
        }
    }
    let reference: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{TESTDATA}deps/{project}/cargo-audit-0.22.2.json"))
            .unwrap(),
    )
    .unwrap();
    let triple = |v: &serde_json::Value| {
        (
            v["advisory"]["id"].as_str().unwrap().to_string(),
            v["package"]["name"].as_str().unwrap().to_string(),
            v["package"]["version"].as_str().unwrap().to_string(),
        )
    };
    let want_v: BTreeSet<Triple> = reference["vulnerabilities"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(triple)
        .collect();
    let want_i: BTreeSet<Triple> = reference["warnings"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|ws| {
            ws.as_array()
                .unwrap()
                .iter()
                .filter(|w| !w["advisory"].is_null())
                .map(triple)
        })
        .collect();
    (vulns, want_v, infos, want_i)
}

#[test]
fn equals_cargo_audit() {
    let dir = tempfile::tempdir().unwrap();
    let db = crates_db(dir.path());
    for project in ["uv", "rust-analyzer"] {
        let (got, want, got_i, want_i) = audit(project, &db);
        assert_eq!(
            got, want,
            "{project}: vulnerabilities differ from cargo-audit"
        );
        assert_eq!(
            got_i, want_i,
            "{project}: informational advisories differ from cargo-audit"
        );
    }
}

#[test]
fn fixes_severity_and_aliases() {
    let db = Db::snapshot();
    let mut c = Component::new(Ecosystem::PyPI, "requests", "2.25.0");
    c.direct = true;
    let ms = osv::match_component(&db, &c).unwrap();
    assert!(!ms.is_empty());
    // CVE-2023-32681 (Proxy-Authorization leak), fixed in 2.31.0
    let m = ms
        .iter()
        .find(|m| m.ids.iter().any(|i| i == "CVE-2023-32681"))
        .expect("CVE-2023-32681");
    assert!(m.ids.len() >= 2, "aliases kept: {:?}", m.ids);
    assert_eq!(m.smallest_fix.as_deref(), Some("2.31.0"));
    let fixed = Component::new(Ecosystem::PyPI, "requests", "2.32.3");
    assert!(
        osv::match_component(&db, &fixed)
            .unwrap()
            .iter()
            .all(|m| !m.ids.iter().any(|i| i == "CVE-2023-32681"))
    );
    // CVSS v3.1 and v4.0 vectors are parsed into scores
    let sv = Component::new(Ecosystem::CratesIo, "smallvec", "1.6.0");
    let ms = osv::match_component(&db, &sv).unwrap();
    let m = ms.iter().find(|m| m.ids[0] == "RUSTSEC-2021-0003").unwrap();
    let (score, vector) = m.cvss.clone().unwrap();
    assert!(vector.starts_with("CVSS:3."), "{vector}");
    assert!(score >= 9.0, "{score}");
    assert_eq!(m.smallest_fix.as_deref(), Some("1.6.1"));
    let t = Component::new(Ecosystem::CratesIo, "time", "0.3.36");
    let ms = osv::match_component(&db, &t).unwrap();
    let m = ms.iter().find(|m| m.ids[0] == "RUSTSEC-2026-0009").unwrap();
    let (score, vector) = m.cvss.clone().unwrap();
    assert!(vector.starts_with("CVSS:4.0"), "{vector}");
    assert!(score > 0.0 && score <= 10.0);
    assert_eq!(m.smallest_fix.as_deref(), Some("0.3.47"));
}

#[test]
fn pypa_yaml_import_and_alias_merge() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = Db::open(&dir.path().join("osv.db")).unwrap();
    let stats = db
        .import(&Path::new(TESTDATA).join("osv/PyPI/vulns/jinja2"))
        .unwrap();
    assert_eq!(stats.records, 5);
    // the same vulnerability under a GHSA id with the PYSEC id as alias merges into one match
    let src = std::fs::read_to_string(
        Path::new(TESTDATA).join("osv/PyPI/vulns/jinja2/PYSEC-2021-66.yaml"),
    )
    .unwrap();
    let mut rec = osv::Record::parse(src.as_bytes(), true).unwrap();
    let pysec = rec.id.clone();
    rec.id = "GHSA-test-test-test".into();
    rec.aliases = vec![pysec.clone()];
    let ghsa_dir = dir.path().join("ghsa");
    std::fs::create_dir_all(&ghsa_dir).unwrap();
    std::fs::write(ghsa_dir.join("g.json"), serde_json::to_vec(&rec).unwrap()).unwrap();
    // a corrupt record and a withdrawn one
    std::fs::write(
        ghsa_dir.join("bad.json"),
        b"{\"id\": \"X\",\n \"affected\": [}",
    )
    .unwrap();
    let mut w = rec.clone();
    w.id = "GHSA-withdrawn".into();
    w.aliases.clear();
    w.withdrawn = Some("2024-01-01T00:00:00Z".into());
    std::fs::write(ghsa_dir.join("w.json"), serde_json::to_vec(&w).unwrap()).unwrap();
    let stats = db.import(&ghsa_dir).unwrap();
    assert_eq!(stats.records, 1);
    assert_eq!(stats.withdrawn, 1);
    assert_eq!(stats.problems.len(), 1);
    assert_eq!(stats.problems[0].line, 2);
    assert!(stats.problems[0].file.ends_with("bad.json"));
    let c = Component::new(Ecosystem::PyPI, "Jinja2", "2.11.2");
    let ms = osv::match_component(&db, &c).unwrap();
    let merged: Vec<_> = ms.iter().filter(|m| m.ids.contains(&pysec)).collect();
    assert_eq!(merged.len(), 1);
    assert!(merged[0].ids.contains(&"GHSA-test-test-test".to_string()));
    assert!(
        ms.iter()
            .all(|m| !m.ids.contains(&"GHSA-withdrawn".to_string()))
    );
}

/// Builds a zip of the Go records (a sample) the way the OSV export lays them out.
fn go_zip() -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        let mut files: Vec<_> = std::fs::read_dir(Path::new(TESTDATA).join("osv/Go"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in files.iter().take(300) {
            z.start_file(f.file_name().unwrap().to_str().unwrap(), opts)
                .unwrap();
            z.write_all(&std::fs::read(f).unwrap()).unwrap();
        }
        z.start_file("broken.json", opts).unwrap();
        z.write_all(b"{\"id\": ").unwrap();
        z.finish().unwrap();
    }
    buf.into_inner()
}

#[test]
fn db_update_from_loopback_server() {
    let zip = go_zip();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        use std::io::{BufRead, BufReader};
        let mut paths = Vec::new();
        for _ in 0..2 {
            let (mut s, _) = listener.accept().unwrap();
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut first = String::new();
            r.read_line(&mut first).unwrap();
            loop {
                let mut l = String::new();
                r.read_line(&mut l).unwrap();
                if l == "\r\n" || l.is_empty() {
                    break;
                }
            }
            let path = first.split(' ').nth(1).unwrap().to_string();
            if path == "/Go/all.zip" {
                write!(
                    s,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    zip.len()
                )
                .unwrap();
                s.write_all(&zip).unwrap();
            } else {
                write!(
                    s,
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )
                .unwrap();
            }
            paths.push(path);
        }
        paths
    });
    let dir = tempfile::tempdir().unwrap();
    let mut db = Db::open(&dir.path().join("osv.db")).unwrap();
    let res = osv::update(
        &mut db,
        &format!("http://{addr}"),
        &[Ecosystem::Go, Ecosystem::Npm],
    );
    let paths = server.join().unwrap();
    assert_eq!(paths, vec!["/Go/all.zip", "/npm/all.zip"]);
    let go = res[0].1.as_ref().unwrap();
    assert!(go.records >= 290, "{go:?}");
    assert_eq!(go.problems.len(), 1);
    assert!(go.problems[0].file.ends_with("!broken.json"));
    assert!(res[1].1.is_err());
    assert_eq!(db.count().unwrap(), go.records);
    // and the data matches: GO-2020-0001 affects github.com/gin-gonic/gin before 1.6.0
    let gin = Component::new(Ecosystem::Go, "github.com/gin-gonic/gin", "v1.5.0");
    let ms = osv::match_component(&db, &gin).unwrap();
    assert!(ms.iter().any(|m| m.ids[0] == "GO-2020-0001"), "{ms:?}");
}

#[test]
fn corrupt_zip_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.zip");
    std::fs::write(&p, b"PK\x03\x04 not really").unwrap();
    let mut db = Db::open(&dir.path().join("osv.db")).unwrap();
    let e = db.import(&p).unwrap_err();
    assert!(e.to_string().contains("x.zip"), "{e}");
}
