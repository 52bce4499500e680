//! README.md's "A release, end to end" block, run exactly as printed under `bash -e` from the
//! repository root with the built `tollgate` on the PATH, on the demo repository and on a
//! second repository layout (a Cargo workspace with a lockfile and a workflow).

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The first ```sh block after the heading `## A release, end to end`.
fn release_block() -> String {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let at = readme
        .find("## A release, end to end")
        .expect("README has the release section");
    let rest = &readme[at..];
    let start = rest.find("```sh\n").expect("a sh block") + "```sh\n".len();
    let end = rest[start..].find("\n```").expect("the block ends");
    rest[start..start + end + 1].to_string()
}

fn run(script: &str) -> (String, String) {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_tollgate"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), script).unwrap();
    let out = Command::new("bash")
        .arg("-e")
        .arg(file.path())
        .current_dir(repo_root())
        .env("PATH", path)
        .env("CI", "true")
        .env_remove("TOLLGATE_TRUST")
        .env_remove("TOLLGATE_KEY_PASSWORD")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "the README release block failed ({:?})\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    (stdout, stderr)
}

/// The five outcomes the block promises, and a log holding every event of the flow.
fn check_outcomes(stdout: &str, stderr: &str) {
    let heads: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("ALLOW") || l.starts_with("DENY"))
        .map(|l| l.split(':').next().unwrap())
        .collect();
    assert_eq!(heads, ["ALLOW", "DENY", "DENY", "DENY"], "{stdout}");
    assert!(
        stdout.contains("deny: SP-15: 1 of 2 required approvals"),
        "{stdout}"
    );
    assert!(stdout.contains("self-approval: bob"), "{stdout}");
    assert!(
        stdout.contains("SP-04: the artifact has no verified signature"),
        "{stdout}"
    );
    assert!(stdout.contains("(external)"), "{stdout}");
    for kind in [
        "scan",
        "signature",
        "attestation",
        "approval",
        "gate-decision",
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l.split_whitespace().nth(2) == Some(kind)),
            "log show lists no {kind} event:\n{stdout}"
        );
    }
    assert!(
        stdout.contains(": ok: ") || stderr.contains(": ok: "),
        "log verify: {stdout}\n{stderr}"
    );
}

#[test]
fn readme_release_flow_runs_as_printed() {
    let block = release_block();
    assert!(block.contains("examples/demo-repo"));
    let (stdout, stderr) = run(&block);
    check_outcomes(&stdout, &stderr);
}

#[test]
fn readme_release_flow_on_a_workspace_repository() {
    let block = release_block().replace(
        "examples/demo-repo",
        "crates/tollgate/tests/data/workspace-repo",
    );
    let (stdout, stderr) = run(&block);
    check_outcomes(&stdout, &stderr);
    // The workspace's lockfile made it into the SBOM attestation and the provenance.
    assert!(!stderr.contains("error"), "{stderr}");
}
