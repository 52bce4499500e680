//! pyproject.toml without a lockfile (PEP 621, PEP 735, Poetry, PDM): declared dependencies as
//! direct components with their constraints, matched as "may be affected".

mod common;

use tollgate_deps::component::{Component, Scope};
use tollgate_deps::parse::{self, Format};
use tollgate_model::{Confidence, Finding, Report};

const TD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/");

fn parse_project(kind: &str) -> Vec<Component> {
    let text =
        std::fs::read_to_string(format!("{TD}deps/pyproject/{kind}/pyproject.toml")).unwrap();
    assert_eq!(Format::detect("pyproject.toml"), Some(Format::Pyproject));
    parse::parse(
        Format::Pyproject,
        "pyproject.toml",
        &text,
        &parse::NoSiblings,
    )
    .unwrap()
    .components
}

fn get<'a>(cs: &'a [Component], name: &str) -> &'a Component {
    cs.iter()
        .find(|c| c.name.eq_ignore_ascii_case(name))
        .unwrap_or_else(|| panic!("{name} not read: {cs:#?}"))
}

/// Scans a copy of the fixture folder against an index of the PyPI advisories in testdata.
fn scan(kind: &str) -> Report {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        format!("{TD}deps/pyproject/{kind}/pyproject.toml"),
        dir.path().join("pyproject.toml"),
    )
    .unwrap();
    let mut db = tollgate_deps::osv::Db::open(&dir.path().join("osv.db")).unwrap();
    for p in ["urllib3", "jinja2"] {
        db.import(std::path::Path::new(&format!("{TD}osv/PyPI/vulns/{p}")))
            .unwrap();
    }
    drop(db);
    let r = common::run(dir.path(), "", "osv.db");
    std::mem::forget(dir); // the report's paths stay readable while the test looks at them
    r
}

fn advisories(r: &Report, pkg: &str) -> Vec<(String, Confidence, String)> {
    let mut v: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.properties["purl"].as_str().unwrap().contains(pkg))
        .map(|f: &Finding| {
            (
                f.properties["advisories"][0].as_str().unwrap().to_string(),
                f.confidence,
                f.message.clone(),
            )
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

#[test]
fn pep621_project() {
    let cs = parse_project("pep621");
    let u = get(&cs, "urllib3");
    assert!(u.direct);
    assert_eq!(u.scope, Scope::Runtime);
    assert_eq!(u.version, "");
    assert_eq!(u.purl, "pkg:pypi/urllib3");
    assert_eq!(u.constraint.as_deref(), Some(">=2.0, <2.1"));
    assert_eq!(u.line, 13);
    assert!(u.note.as_deref().unwrap().contains("without a lockfile"));
    assert_eq!(get(&cs, "tzdata").constraint.as_deref(), Some("*"));
    // an exact pin in an optional group carries its version
    assert_eq!(get(&cs, "jinja2").constraint.as_deref(), Some(">= 3.1.2"));
    let j = cs.iter().find(|c| c.name == "Jinja2").unwrap();
    assert_eq!(j.scope, Scope::Optional);
    assert_eq!(j.version, "2.10");
    assert_eq!(j.purl, "pkg:pypi/jinja2@2.10");
    assert_eq!(j.constraint, None);
    // PEP 735 groups are dev; a URL reference is listed but not matched
    assert_eq!(get(&cs, "pytest").scope, Scope::Dev);
    assert_eq!(get(&cs, "ruff").version, "0.6.9");
    let f = get(&cs, "feedparser");
    assert_eq!((f.version.as_str(), f.constraint.as_deref()), ("", None));
    assert!(f.note.as_deref().unwrap().contains("not matched"));

    let r = scan("pep621");
    let u = advisories(&r, "urllib3");
    let ids: Vec<&str> = u.iter().map(|x| x.0.as_str()).collect();
    // 2.0.0 ≤ v < 2.0.6 and < 2.0.7 meet >=2.0,<2.1; the 1.x-only advisories do not
    assert_eq!(ids, ["PYSEC-2023-192", "PYSEC-2023-212"], "{u:#?}");
    for (_, conf, msg) in &u {
        assert_eq!(*conf, Confidence::Low);
        assert!(msg.contains("may be affected"), "{msg}");
    }
    // the exact pin matches as usual: certainly affected
    let j = advisories(&r, "jinja2");
    assert!(!j.is_empty());
    for (_, conf, msg) in &j {
        assert_eq!(*conf, Confidence::High);
        assert!(msg.contains("Jinja2 2.10 is affected"), "{msg}");
    }
}

#[test]
fn poetry_project_without_lock() {
    let cs = parse_project("poetry");
    assert!(cs.iter().all(|c| c.name != "python"));
    let u = get(&cs, "urllib3");
    assert_eq!(u.constraint.as_deref(), Some("^1.26.5"));
    assert_eq!(u.line, 11);
    let j = get(&cs, "Jinja2");
    assert_eq!(j.scope, Scope::Optional);
    assert_eq!(j.constraint.as_deref(), Some("~2.11"));
    assert_eq!(get(&cs, "attrs").version, "23.2.0"); // Poetry: a bare version is exact
    assert_eq!(get(&cs, "pytest").scope, Scope::Dev);
    assert_eq!(get(&cs, "internal-auth").constraint, None);

    let r = scan("poetry");
    let ids = |p| {
        advisories(&r, p)
            .into_iter()
            .map(|x| x.0)
            .collect::<Vec<_>>()
    };
    // ^1.26.5 = >=1.26.5,<2: only the advisories fixed after 1.26.5
    assert_eq!(ids("urllib3"), ["PYSEC-2023-192", "PYSEC-2023-212"]);
    // ~2.11 = >=2.11,<2.12: only the one fixed in 2.11.3
    assert_eq!(ids("jinja2"), ["PYSEC-2021-66"]);
}

#[test]
fn pdm_project_without_lock() {
    let cs = parse_project("pdm");
    let j = get(&cs, "jinja2");
    assert_eq!(j.scope, Scope::Dev);
    assert_eq!(j.constraint.as_deref(), Some("<2.8"));
    assert_eq!(get(&cs, "mkdocs").scope, Scope::Dev);

    let r = scan("pdm");
    // urllib3>=2.0.7 is past every advisory in the data
    assert!(advisories(&r, "urllib3").is_empty());
    let j = advisories(&r, "jinja2");
    let ids: Vec<&str> = j.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(
        ids,
        [
            "PYSEC-2014-8",
            "PYSEC-2014-82",
            "PYSEC-2019-217",
            "PYSEC-2019-220",
            "PYSEC-2021-66"
        ]
    );
    assert!(j.iter().all(|x| x.1 == Confidence::Low));
}

#[test]
fn a_lockfile_beside_pyproject_wins() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        format!("{TD}deps/pyproject/pdm/pyproject.toml"),
        dir.path().join("pyproject.toml"),
    )
    .unwrap();
    std::fs::write(dir.path().join("requirements.txt"), "urllib3==2.2.2\n").unwrap();
    let given = dir.path().display().to_string();
    let inv = tollgate_inventory::Inventory::collect(
        &[tollgate_inventory::Root::new(Some(&given))],
        &tollgate_inventory::Options {
            no_ignore: true,
            max_file_size: 1 << 20,
            exclude: Vec::new(),
        },
    )
    .unwrap();
    let c = tollgate_deps::collect(&inv);
    let formats: Vec<&str> = c.files.iter().map(|f| f.format.as_str()).collect();
    assert_eq!(formats, ["requirements.txt"]);
    assert_eq!(c.seen, 1);
    // alone, the same pyproject.toml is read
    std::fs::remove_file(dir.path().join("requirements.txt")).unwrap();
    let inv = tollgate_inventory::Inventory::collect(
        &[tollgate_inventory::Root::new(Some(&given))],
        &tollgate_inventory::Options {
            no_ignore: true,
            max_file_size: 1 << 20,
            exclude: Vec::new(),
        },
    )
    .unwrap();
    let c = tollgate_deps::collect(&inv);
    let formats: Vec<&str> = c.files.iter().map(|f| f.format.as_str()).collect();
    assert_eq!(formats, ["pyproject.toml"]);
}
