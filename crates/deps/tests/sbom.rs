//! SBOM output validated by the official schemas (and, when installed, by the real validators
//! from PyPI: cyclonedx-python-lib and spdx-tools), reproducible, and read back as input.

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use tollgate_deps::Component;
use tollgate_deps::parse::{self, Format, FsSiblings};
use tollgate_deps::sbom::{self, SbomOptions};

const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
const TESTDATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/");

struct Local;

impl jsonschema::Retrieve for Local {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri.as_str().rsplit('/').next().unwrap_or("");
        let file = format!("{TESTDATA}schemas/cyclonedx-{name}");
        Ok(serde_json::from_str(&std::fs::read_to_string(file)?)?)
    }
}

fn schema(name: &str) -> jsonschema::Validator {
    let s: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{TESTDATA}schemas/{name}")).unwrap(),
    )
    .unwrap();
    jsonschema::options()
        .with_retriever(Local)
        .build(&s)
        .unwrap()
}

fn all_components() -> Vec<Component> {
    let mut out = Vec::new();
    for rel in [
        "npm-v3/package-lock.json",
        "yarn-berry/yarn.lock",
        "pnpm-v9/pnpm-lock.yaml",
        "poetry/poetry.lock",
        "uv/uv.lock",
        "requirements/requirements.txt",
        "go/go.mod",
        "gem/Gemfile.lock",
        "composer/composer.lock",
        "nuget/packages.lock.json",
        "maven/pom.xml",
    ] {
        let path = Path::new(FIX).join(rel);
        let name = path.file_name().unwrap().to_str().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let p = parse::parse(
            Format::detect(name).unwrap(),
            name,
            &text,
            &FsSiblings(path.parent().unwrap()),
        )
        .unwrap();
        out.extend(p.components);
    }
    // GitHub Actions of a workflow and of a composite action (moving tags, commits, subpaths)
    for (format, rel) in [
        (Format::GithubWorkflow, "github-actions/ci.workflow.yml"),
        (Format::GithubAction, "github-actions/setup.action.yml"),
    ] {
        let text = std::fs::read_to_string(Path::new(FIX).join(rel)).unwrap();
        out.extend(
            parse::parse(format, "ci.yml", &text, &parse::NoSiblings)
                .unwrap()
                .components,
        );
    }
    let lock = std::fs::read_to_string(format!("{TESTDATA}deps/rust-analyzer/Cargo.lock")).unwrap();
    out.extend(
        parse::parse(Format::CargoLock, "Cargo.lock", &lock, &parse::NoSiblings)
            .unwrap()
            .components,
    );
    out
}

fn opts() -> SbomOptions {
    SbomOptions {
        name: "fixtures".into(),
        timestamp: 1_700_000_000,
        tool_version: "0.1.0".into(),
    }
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .take(10)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn cyclonedx_validates_and_is_reproducible() {
    let comps = all_components();
    // every purl we emit parses back to itself (canonical form)
    for c in &comps {
        let p = tollgate_deps::purl::Purl::parse(&c.purl).unwrap();
        assert_eq!(p.to_canonical(), c.purl);
        assert_eq!(p.package().map(|(e, _)| e), Some(c.ecosystem));
    }
    let doc = sbom::cyclonedx(&comps, &opts());
    let errs = errors(&schema("cyclonedx-bom-1.6.schema.json"), &doc);
    assert!(errs.is_empty(), "{errs:#?}");
    let n = doc["components"].as_array().unwrap().len();
    assert!(n > 400, "{n}");
    // byte for byte the same for the same input and timestamp
    assert_eq!(
        serde_json::to_string(&doc).unwrap(),
        serde_json::to_string(&sbom::cyclonedx(&comps, &opts())).unwrap()
    );
    assert_eq!(doc["metadata"]["timestamp"], "2023-11-14T22:13:20Z");
    // read back as an input SBOM: the same packages
    let bytes = serde_json::to_vec(&doc).unwrap();
    let (fmt, back) = sbom::read(&bytes).unwrap();
    assert_eq!(fmt, "CycloneDX");
    assert_eq!(back.len(), n);
    assert!(back.iter().any(|c| !c.dependencies.is_empty()));
    // the actions: listed (subpath and note kept), and under the described root in the graph
    let action = "pkg:github/octo-org/shared@v1.2.0#.github/workflows/release.yml";
    let c = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["purl"] == action)
        .expect("reusable workflow listed");
    assert_eq!(c["name"], "octo-org/shared");
    let moving = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["purl"] == "pkg:github/actions/checkout@v4")
        .unwrap();
    assert!(
        moving["properties"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "tollgate:note")
    );
    let root = &doc["dependencies"][0];
    assert_eq!(root["ref"], "tollgate:root:fixtures");
    let top: Vec<&str> = root["dependsOn"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(top.contains(&action));
    assert!(top.contains(&"pkg:github/actions/setup-node@v4.1.0"));
    assert!(top.iter().any(|p| p.starts_with("pkg:npm/")));
    assert!(back.iter().any(|b| b.purl == action));
    peer_validate("cyclonedx", &bytes);
}

#[test]
fn spdx_validates() {
    let comps = all_components();
    let doc = sbom::spdx(&comps, &opts());
    let errs = errors(&schema("spdx-2.3.schema.json"), &doc);
    assert!(errs.is_empty(), "{errs:#?}");
    let bytes = serde_json::to_vec_pretty(&doc).unwrap();
    let (fmt, back) = sbom::read(&bytes).unwrap();
    assert_eq!(fmt, "SPDX");
    assert_eq!(back.len(), doc["packages"].as_array().unwrap().len() - 1);
    // an action is a package related to the described root
    let id = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["externalRefs"][0]["referenceLocator"]
                == "pkg:github/tj-actions/changed-files@v45.0.7"
        })
        .expect("action listed")["SPDXID"]
        .clone();
    assert!(doc["relationships"].as_array().unwrap().iter().any(|r| {
        r["spdxElementId"] == id
            && r["relationshipType"] == "DEPENDENCY_OF"
            && r["relatedSpdxElement"] == "SPDXRef-Package-root"
    }));
    peer_validate("spdx", &bytes);
}

#[test]
fn reads_a_syft_style_cyclonedx() {
    let doc = br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[
      {"bom-ref":"a","type":"library","name":"requests","version":"2.25.0","purl":"pkg:pypi/requests@2.25.0"},
      {"bom-ref":"b","type":"library","name":"busybox","version":"1.36","purl":"pkg:apk/alpine/busybox@1.36"},
      {"bom-ref":"c","type":"library","name":"x","version":"1","components":[{"name":"urllib3","version":"1.26.4","purl":"pkg:pypi/urllib3@1.26.4"}]}],
      "dependencies":[{"ref":"a","dependsOn":["c"]}]}"#;
    let (_, comps) = sbom::read(doc).unwrap();
    let purls: Vec<&str> = comps.iter().map(|c| c.purl.as_str()).collect();
    assert_eq!(
        purls,
        vec!["pkg:pypi/requests@2.25.0", "pkg:pypi/urllib3@1.26.4"]
    );
    assert!(sbom::read(b"{\"foo\": 1}").is_err());
}

/// Runs the real validator from PyPI (installed by scripts/peers/deps.sh). Missing: fails
/// under CI, prints a skip notice otherwise.
fn peer_validate(kind: &str, bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("sbom.{kind}.json"));
    std::fs::write(&file, bytes).unwrap();
    let python = std::env::var("TOLLGATE_PEERS_PYTHON").unwrap_or_else(|_| {
        let venv = concat!(env!("CARGO_MANIFEST_DIR"), "/../../.peers/deps/bin/python");
        if Path::new(venv).exists() {
            venv.to_string()
        } else {
            "python3".to_string()
        }
    });
    let (module_check, args): (&str, Vec<String>) = match kind {
        "cyclonedx" => (
            "import cyclonedx.validation.json",
            vec![
                "-c".into(),
                "import sys\nfrom cyclonedx.validation.json import JsonStrictValidator\nfrom cyclonedx.schema import SchemaVersion\nerr = JsonStrictValidator(SchemaVersion.V1_6).validate_str(open(sys.argv[1]).read())\nprint(err)\nsys.exit(1 if err else 0)".into(),
                file.display().to_string(),
            ],
        ),
        _ => (
            "import spdx_tools",
            vec![
                "-m".into(),
                "spdx_tools.spdx.clitools.pyspdxtools".into(),
                "-i".into(),
                file.display().to_string(),
            ],
        ),
    };
    let have = Command::new(&python)
        .args(["-c", module_check])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !have {
        if std::env::var_os("CI").is_some() {
            panic!("{kind} validator missing: run scripts/peers/deps.sh");
        }
        eprintln!("skipping the {kind} peer validator: not installed (scripts/peers/deps.sh)");
        return;
    }
    let out = Command::new(&python).args(&args).output().unwrap();
    assert!(
        out.status.success(),
        "{kind} validator rejected the SBOM:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// rust-analyzer's Cargo.lock has five crates (`la-arena 0.3.1`…) both as its own workspace
/// member and as the crates.io release: different packages with the same purl. Both are listed
/// (as syft does), with unique bom-refs and SPDX ids, and every edge points at a listed one.
#[test]
fn workspace_member_and_registry_copy_of_one_purl_are_both_listed() {
    let lock = std::fs::read_to_string(format!("{TESTDATA}deps/rust-analyzer/Cargo.lock")).unwrap();
    let comps = parse::parse(Format::CargoLock, "Cargo.lock", &lock, &parse::NoSiblings)
        .unwrap()
        .components;
    let packages = lock.matches("[[package]]").count();
    assert_eq!(comps.len(), packages);
    let doc = sbom::cyclonedx(&comps, &opts());
    let list = doc["components"].as_array().unwrap();
    assert_eq!(list.len(), packages, "one component per lockfile package");
    let refs: std::collections::BTreeSet<&str> = list
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    assert_eq!(refs.len(), list.len(), "bom-refs are unique");
    let arena: Vec<&Value> = list
        .iter()
        .filter(|c| c["purl"] == "pkg:cargo/la-arena@0.3.1")
        .collect();
    assert_eq!(arena.len(), 2);
    assert!(refs.contains("pkg:cargo/la-arena@0.3.1#workspace"));
    // the first entry is the described folder (metadata.component), then one per component
    let deps = doc["dependencies"].as_array().unwrap();
    assert_eq!(deps[0]["ref"], doc["metadata"]["component"]["bom-ref"]);
    assert_eq!(deps.len(), list.len() + 1);
    for d in &deps[1..] {
        assert!(refs.contains(d["ref"].as_str().unwrap()));
    }
    for d in deps {
        for on in d["dependsOn"].as_array().unwrap() {
            assert!(refs.contains(on.as_str().unwrap()), "{on}");
        }
    }
    assert!(errors(&schema("cyclonedx-bom-1.6.schema.json"), &doc).is_empty());
    let spdx = sbom::spdx(&comps, &opts());
    let pkgs = spdx["packages"].as_array().unwrap();
    assert_eq!(
        pkgs.len(),
        packages + 1,
        "the packages and the described root"
    );
    let ids: std::collections::BTreeSet<&str> =
        pkgs.iter().map(|p| p["SPDXID"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), pkgs.len());
    for r in spdx["relationships"].as_array().unwrap() {
        let to = r["relatedSpdxElement"].as_str().unwrap();
        assert!(ids.contains(to), "{to}");
    }
}
