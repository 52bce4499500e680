//! `tollgate scan deps`, `tollgate sbom`, `tollgate db import` through the real binary.

use assert_cmd::Command;
use serde_json::Value;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/demo-repo");
const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../deps/tests/fixtures");
const TESTDATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/");

fn tollgate() -> Command {
    let mut c = Command::cargo_bin("tollgate").unwrap();
    c.env_remove("SOURCE_DATE_EPOCH");
    c
}

fn findings(out: &[u8]) -> Vec<Value> {
    let v: Value = serde_json::from_slice(out).unwrap();
    v["findings"].as_array().unwrap().clone()
}

#[test]
fn demo_repo_shows_vulnerable_dependencies_with_fixes() {
    let dir = tempfile::tempdir().unwrap();
    let out = tollgate()
        .args(["scan", "deps", DEMO, "-q", "-f", "json", "--db"])
        .arg(dir.path().join("none.db"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fs = findings(&out.stdout);
    let vuln = |name: &str, id: &str| {
        fs.iter()
            .find(|f| {
                f["rule"] == "deps/vulnerable-dependency"
                    && f["properties"]["purl"].as_str().unwrap().contains(name)
                    && f["properties"]["advisories"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|a| a == id)
            })
            .unwrap_or_else(|| panic!("{name} {id} not reported: {fs:#?}"))
            .clone()
    };
    let h2 = vuln("h2@0.4.15", "RUSTSEC-2026-0258");
    assert_eq!(h2["properties"]["smallest_fix"], "0.4.16");
    assert_eq!(h2["location"]["line"], 35);
    assert_eq!(h2["location"]["symbolic"], "pkg:cargo/h2@0.4.15");
    let cb = vuln("crossbeam-epoch", "RUSTSEC-2026-0204");
    assert_eq!(cb["properties"]["smallest_fix"], "0.9.20");
    let req = vuln("requests@2.25.0", "CVE-2023-32681");
    assert_eq!(req["properties"]["smallest_fix"], "2.31.0");
    assert!(
        req["location"]["path"]
            .as_str()
            .unwrap()
            .ends_with("requirements.txt")
    );
    assert_eq!(req["location"]["line"], 2);
}

#[test]
fn db_import_then_scan() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.db");
    tollgate()
        .args([
            "db",
            "import",
            &format!("{TESTDATA}osv/PyPI/vulns/urllib3"),
            "--db",
        ])
        .arg(&db)
        .assert()
        .success();
    let out = tollgate()
        .args([
            "scan",
            "deps",
            &format!("{FIX}/requirements"),
            "-q",
            "-f",
            "json",
            "--db",
        ])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let fs = findings(&out.stdout);
    assert!(fs.iter().all(|f| {
        f["properties"]["purl"]
            .as_str()
            .unwrap()
            .contains("urllib3")
    }));
    assert!(!fs.is_empty());
    // the missing -r include is a warning, and the run still succeeded in reading the rest
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let diags = v["diagnostics"].to_string();
    assert!(diags.contains("requirements-missing.txt"), "{diags}");
}

#[test]
fn sbom_is_reproducible() {
    let run = |fmt: &str| {
        tollgate()
            .args([
                "sbom",
                FIX,
                "--format",
                fmt,
                "--source-date-epoch",
                "1700000000",
            ])
            .output()
            .unwrap()
    };
    for fmt in ["cyclonedx", "spdx"] {
        let a = run(fmt);
        assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
        let b = run(fmt);
        assert_eq!(a.stdout, b.stdout);
        let v: Value = serde_json::from_slice(&a.stdout).unwrap();
        let n = v
            .get("components")
            .or(v.get("packages"))
            .unwrap()
            .as_array()
            .unwrap()
            .len();
        assert!(n > 40, "{fmt}: {n}");
    }
    // nothing readable: a usage error
    let dir = tempfile::tempdir().unwrap();
    tollgate().args(["sbom"]).arg(dir.path()).assert().code(2);
}

#[test]
fn unreadable_lockfiles_only_is_a_tool_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("package-lock.json"),
        "{\"lockfileVersion\": 3,\n",
    )
    .unwrap();
    let out = tollgate()
        .args(["scan", "deps", "-q", "-f", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["diagnostics"].to_string().contains("package-lock.json"));
    // a readable lockfile with no known vulnerability passes
    std::fs::write(
        dir.path().join("package-lock.json"),
        "{\"lockfileVersion\": 3, \"packages\": {}}",
    )
    .unwrap();
    tollgate()
        .args(["scan", "deps", "-q"])
        .arg(dir.path())
        .assert()
        .code(0);
}

/// `tollgate sbom` prints its diagnostics through the shared human renderer
/// (`error[deps]: FILE:LINE:COL: message`), keeps going with what it could read, and exits 2
/// only when nothing could be read.
#[test]
fn sbom_diagnostics_are_rendered_like_every_command() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Cargo.lock"),
        "[[package]]\nname = \"a\nversion",
    )
    .unwrap();
    let out = tollgate()
        .env("NO_COLOR", "1")
        .args(["sbom"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let lock = dir.path().join("Cargo.lock");
    assert!(
        err.contains(&format!(
            "error[deps]: {}:3:8: cannot parse Cargo.lock",
            lock.display()
        )),
        "{err}"
    );
    assert!(err.contains("error[deps]: no lockfile, manifest or SBOM could be read"));
    // a readable lockfile beside it: an SBOM of what could be read, the error still shown, exit 0
    let ok = dir.path().join("ok");
    std::fs::create_dir(&ok).unwrap();
    std::fs::write(
        ok.join("Cargo.lock"),
        "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n",
    )
    .unwrap();
    let out = tollgate().args(["sbom"]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["components"][0]["purl"], "pkg:cargo/a@1.0.0");
    assert!(String::from_utf8_lossy(&out.stderr).contains("error[deps]: "));
}

#[test]
fn scan_deps_writes_the_same_sbom_as_the_sbom_command_in_one_pass() {
    let dir = tempfile::tempdir().unwrap();
    for (format, flag) in [("cyclonedx", "cyclonedx"), ("spdx", "spdx")] {
        let one_pass = dir.path().join(format!("scan.{format}.json"));
        let alone = dir.path().join(format!("sbom.{format}.json"));
        let out = tollgate()
            .args(["scan", "deps", DEMO, "-q", "-f", "json", "--db"])
            .arg(dir.path().join("none.db"))
            .arg("--sbom")
            .arg(&one_pass)
            .args(["--sbom-format", flag, "--source-date-epoch", "1700000000"])
            .output()
            .unwrap();
        // The scan's verdict is unchanged by writing the SBOM (the demo has vulnerabilities).
        assert_eq!(out.status.code(), Some(1));
        assert!(!findings(&out.stdout).is_empty());
        tollgate()
            .args([
                "sbom",
                DEMO,
                "-f",
                format,
                "--source-date-epoch",
                "1700000000",
                "-o",
            ])
            .arg(&alone)
            .assert()
            .success();
        let a = std::fs::read(&one_pass).unwrap();
        assert!(a.len() > 1000, "{format} SBOM is suspiciously small");
        assert_eq!(a, std::fs::read(&alone).unwrap(), "{format} differs");
    }
}
