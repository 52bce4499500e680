//! Every parser on a real-world-shaped fixture (and the real Cargo.lock files of testdata/).

use std::path::Path;
use tollgate_deps::parse::{self, Format, FsSiblings};
use tollgate_deps::{Component, Scope};

const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
const TESTDATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/");

fn parse_file(rel: &str) -> parse::ParseResult {
    let path = Path::new(FIX).join(rel);
    parse_path(&path)
}

fn parse_path(path: &Path) -> parse::ParseResult {
    let name = path.file_name().unwrap().to_str().unwrap();
    let format = Format::detect(name).expect("known format");
    let text = std::fs::read_to_string(path).unwrap();
    parse::parse(format, name, &text, &FsSiblings(path.parent().unwrap()))
}

fn find<'a>(cs: &'a [Component], purl: &str) -> &'a Component {
    cs.iter().find(|c| c.purl == purl).unwrap_or_else(|| {
        panic!(
            "{purl} missing from {:?}",
            cs.iter().map(|c| &c.purl).collect::<Vec<_>>()
        )
    })
}

#[test]
fn cargo_lock_real() {
    let p = parse_path(&Path::new(TESTDATA).join("deps/uv/Cargo.lock")).unwrap();
    // cargo-audit counts 753 dependencies in this lockfile
    assert_eq!(p.components.len(), 753);
    let h2 = p.components.iter().find(|c| c.name == "h2").unwrap();
    assert_eq!(h2.hashes[0].alg, "SHA-256");
    assert!(h2.line > 1);
    assert!(p.components.iter().any(|c| c.is_root && c.name == "uv"));
    assert!(p.components.iter().any(|c| c.direct && !c.is_root));
}

#[test]
fn package_lock_v1_and_v3() {
    let p = parse_file("npm-v1/package-lock.json").unwrap();
    assert_eq!(p.components.len(), 3);
    let debug = find(&p.components, "pkg:npm/debug@2.6.9");
    assert_eq!(debug.dependencies, vec!["pkg:npm/ms@2.0.0"]);
    assert_eq!(
        find(&p.components, "pkg:npm/lodash@4.17.20").scope,
        Scope::Dev
    );
    assert_eq!(
        find(&p.components, "pkg:npm/ms@2.0.0").hashes[0].alg,
        "SHA-1"
    );

    let p = parse_file("npm-v3/package-lock.json").unwrap();
    let express = find(&p.components, "pkg:npm/express@4.17.1");
    assert!(express.direct);
    assert_eq!(express.scope, Scope::Runtime);
    assert_eq!(express.line, 25);
    assert_eq!(express.licenses, vec!["MIT"]);
    assert_eq!(express.dependencies, vec!["pkg:npm/qs@6.7.0"]);
    assert!(
        express
            .source
            .as_deref()
            .unwrap()
            .starts_with("https://registry.npmjs.org/")
    );
    assert_eq!(
        find(&p.components, "pkg:npm/%40types/node@20.1.0").scope,
        Scope::Dev
    );
    assert!(find(&p.components, "pkg:npm/ui@0.1.0").is_root);
    // the project itself ("" in `packages`) is listed too
    let web = find(&p.components, "pkg:npm/web@0.3.0");
    assert!(web.is_root && !web.direct);
    assert!(
        web.dependencies
            .contains(&"pkg:npm/express@4.17.1".to_string())
    );
    // qs is reached from the workspace member ui, so it is direct too
    assert!(find(&p.components, "pkg:npm/qs@6.7.0").direct);
}

#[test]
fn yarn_v1_and_berry() {
    let p = parse_file("yarn-v1/yarn.lock").unwrap();
    assert_eq!(p.components.len(), 4);
    let cf = find(&p.components, "pkg:npm/%40babel/code-frame@7.12.13");
    assert!(cf.direct);
    assert_eq!(cf.scope, Scope::Runtime);
    let hl = find(&p.components, "pkg:npm/%40babel/highlight@7.13.10");
    assert!(!hl.direct);
    assert_eq!(hl.scope, Scope::Runtime);
    // js-tokens is a dev dependency but also reached at run time through @babel/highlight
    assert_eq!(
        find(&p.components, "pkg:npm/js-tokens@4.0.0").scope,
        Scope::Runtime
    );

    let p = parse_file("yarn-berry/yarn.lock").unwrap();
    let lodash = find(&p.components, "pkg:npm/lodash@4.17.20");
    assert!(lodash.direct);
    assert_eq!(lodash.line, 17);
    assert_eq!(lodash.hashes[0].alg, "SHA-512");
    assert_eq!(
        find(&p.components, "pkg:npm/typescript@5.0.4").scope,
        Scope::Dev
    );
    assert!(p.components.iter().any(|c| c.is_root));
}

#[test]
fn pnpm_v6_and_v9() {
    let p = parse_file("pnpm-v9/pnpm-lock.yaml").unwrap();
    assert_eq!(p.components.len(), 4);
    let rd = find(&p.components, "pkg:npm/react-dom@18.2.0");
    assert!(rd.direct);
    assert_eq!(rd.scope, Scope::Runtime);
    assert!(
        rd.dependencies
            .contains(&"pkg:npm/react@18.2.0".to_string())
    );
    assert_eq!(
        find(&p.components, "pkg:npm/vitest@0.34.6").scope,
        Scope::Dev
    );
    assert!(!find(&p.components, "pkg:npm/loose-envify@1.4.0").direct);

    let p = parse_file("pnpm-v6/pnpm-lock.yaml").unwrap();
    assert_eq!(
        find(&p.components, "pkg:npm/mkdirp@0.5.5").scope,
        Scope::Dev
    );
    assert_eq!(
        find(&p.components, "pkg:npm/minimist@1.2.5").scope,
        Scope::Runtime
    );
    assert_eq!(find(&p.components, "pkg:npm/minimist@1.2.5").line, 15);
}

#[test]
fn python_lockfiles() {
    let p = parse_file("poetry/poetry.lock").unwrap();
    assert_eq!(p.components.len(), 4);
    let req = find(&p.components, "pkg:pypi/requests@2.25.0");
    assert!(req.direct);
    assert_eq!(req.scope, Scope::Runtime);
    assert_eq!(req.dependencies, vec!["pkg:pypi/certifi@2024.2.2"]);
    assert_eq!(req.line, 38);
    assert_eq!(
        find(&p.components, "pkg:pypi/pytest@7.4.4").scope,
        Scope::Dev
    );
    assert_eq!(
        find(&p.components, "pkg:pypi/certifi@2024.2.2")
            .hashes
            .len(),
        2
    );

    let p = parse_file("uv/uv.lock").unwrap();
    assert!(find(&p.components, "pkg:pypi/myproj@0.1.0").is_root);
    assert!(find(&p.components, "pkg:pypi/anyio@4.3.0").direct);
    assert_eq!(find(&p.components, "pkg:pypi/ruff@0.3.4").scope, Scope::Dev);
    assert!(!find(&p.components, "pkg:pypi/idna@3.6").direct);
    assert_eq!(find(&p.components, "pkg:pypi/anyio@4.3.0").hashes.len(), 2);

    let p = parse_file("pipenv/Pipfile.lock").unwrap();
    assert_eq!(p.components.len(), 3);
    assert_eq!(
        find(&p.components, "pkg:pypi/pytest@7.4.4").scope,
        Scope::Dev
    );
    assert_eq!(find(&p.components, "pkg:pypi/jinja2@2.11.2").line, 19);
}

#[test]
fn requirements_includes_and_hashes() {
    let p = parse_file("requirements/requirements.txt").unwrap();
    let names: Vec<&str> = p.components.iter().map(|c| c.purl.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "pkg:pypi/requests@2.25.0",
            "pkg:pypi/idna@2.10",
            "pkg:pypi/certifi@2020.12.5",
            "pkg:pypi/urllib3@1.26.4",
            "pkg:pypi/pyyaml@5.3.1",
            "pkg:pypi/flask",
        ]
    );
    let urllib3 = find(&p.components, "pkg:pypi/urllib3@1.26.4");
    assert_eq!(urllib3.line, 6);
    assert_eq!(urllib3.hashes.len(), 1);
    // constraints are not requirements of the project
    assert!(!find(&p.components, "pkg:pypi/certifi@2020.12.5").direct);
    assert!(find(&p.components, "pkg:pypi/requests@2.25.0").direct);
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    assert_eq!(p.warnings[0].0, 10);
}

#[test]
fn go_mod_with_sum() {
    let p = parse_file("go/go.mod").unwrap();
    let root = &p.components[0];
    assert!(root.is_root);
    let mux = find(&p.components, "pkg:golang/github.com/gorilla/mux@v1.8.0");
    assert!(mux.direct);
    assert_eq!(mux.line, 6);
    assert_eq!(mux.hashes[0].alg, "SHA-256");
    assert!(!find(&p.components, "pkg:golang/golang.org/x/text@v0.3.7").direct);
    find(
        &p.components,
        "pkg:golang/github.com/docker/docker@v20.10.7%2Bincompatible",
    );
    assert_eq!(root.dependencies.len(), 3);
    let s = parse_file("go/go.sum").unwrap();
    assert_eq!(s.components.len(), 4);
}

#[test]
fn gemfile_lock() {
    let p = parse_file("gem/Gemfile.lock").unwrap();
    let nok = find(&p.components, "pkg:gem/nokogiri@1.13.10");
    assert!(nok.direct);
    assert!(nok.dependencies.contains(&"pkg:gem/racc@1.6.2".to_string()));
    assert!(!find(&p.components, "pkg:gem/racc@1.6.2").direct);
    let san = find(&p.components, "pkg:gem/rails-html-sanitizer@1.4.2");
    assert!(san.direct);
    assert!(san.source.as_deref().unwrap().contains("github.com/rails"));
    assert_eq!(find(&p.components, "pkg:gem/rack@2.2.3").line, 20);
    // the precompiled platform build is its own package, same version for matching
    let linux = find(
        &p.components,
        "pkg:gem/nokogiri@1.13.10?platform=x86_64-linux",
    );
    assert_eq!((linux.version.as_str(), linux.line), ("1.13.10", 17));
    assert!(linux.direct);
}

#[test]
fn composer_nuget_gradle_maven() {
    let p = parse_file("composer/composer.lock").unwrap();
    let g = find(&p.components, "pkg:composer/guzzlehttp/guzzle@7.4.4");
    assert!(g.direct);
    assert_eq!(g.dependencies, vec!["pkg:composer/guzzlehttp/psr7@2.4.0"]);
    assert_eq!(
        find(&p.components, "pkg:composer/phpunit/phpunit@9.5.20").scope,
        Scope::Dev
    );

    let p = parse_file("nuget/packages.lock.json").unwrap();
    assert_eq!(p.components.len(), 3);
    let nj = find(&p.components, "pkg:nuget/Newtonsoft.Json@12.0.3");
    assert!(nj.direct);
    assert_eq!(nj.hashes[0].alg, "SHA-512");
    assert_eq!(
        find(&p.components, "pkg:nuget/System.Text.Encodings.Web@4.7.1").dependencies,
        vec!["pkg:nuget/System.Memory@4.5.4"]
    );

    let p = parse_file("gradle/gradle.lockfile").unwrap();
    assert_eq!(p.components.len(), 4);
    assert_eq!(
        find(&p.components, "pkg:maven/junit/junit@4.12").scope,
        Scope::Dev
    );
    assert_eq!(
        find(
            &p.components,
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
        )
        .line,
        7
    );

    let p = parse_file("maven/pom.xml").unwrap();
    assert_eq!(p.components.len(), 4);
    // the project itself is the root, depending on what it declares
    let billing = find(&p.components, "pkg:maven/com.example/billing@1.2.0");
    assert!(billing.is_root);
    assert_eq!((billing.line, billing.dependencies.len()), (7, 3));
    let log4j = find(
        &p.components,
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
    );
    assert_eq!(log4j.line, 22);
    find(&p.components, "pkg:maven/com.google.guava/guava@30.0-jre");
    assert_eq!(
        find(&p.components, "pkg:maven/junit/junit@4.13.1").scope,
        Scope::Dev
    );
}

#[test]
fn bad_input_names_the_position() {
    let e = parse_file("bad/package-lock.json").unwrap_err();
    assert_eq!(e.line, 6, "{e:?}");
    let e = parse_file("bad/Cargo.lock").unwrap_err();
    assert_eq!(e.line, 5, "{e:?}");
    let e = parse::parse(
        Format::Pom,
        "pom.xml",
        "<project>\n<dependencies>\n<dependency></dependecy>",
        &parse::NoSiblings,
    )
    .unwrap_err();
    assert_eq!(e.line, 3, "{e:?}");
    let e = parse::parse(
        Format::GemfileLock,
        "Gemfile.lock",
        "GEM\n  specs:\n    rack 2.2.3\n",
        &parse::NoSiblings,
    )
    .unwrap_err();
    assert_eq!(e.line, 3);
    let e = parse::parse(
        Format::PackageLock,
        "package-lock.json",
        r#"{"lockfileVersion": 7}"#,
        &parse::NoSiblings,
    )
    .unwrap_err();
    assert!(e.message.contains("lockfileVersion 7"));
}

/// Every prefix of every fixture (truncated lockfiles), with a multibyte character spliced
/// in, through every parser: errors are fine, panics are not. The fuzz targets in `fuzz/` do
/// the same with generated input.
#[test]
fn truncated_and_garbled_input_never_panics() {
    let mut inputs = Vec::new();
    for dir in std::fs::read_dir(FIX).unwrap() {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            inputs.push(std::fs::read_to_string(f.unwrap().path()).unwrap());
        }
    }
    for text in &inputs {
        let cuts: Vec<usize> = (0..text.len())
            .step_by(7)
            .filter(|i| text.is_char_boundary(*i))
            .collect();
        for cut in cuts {
            let t = &text[..cut];
            let garbled = format!("é{t}€\n\"é@é\": é\n");
            for f in Format::ALL {
                let _ = parse::parse(f, "requirements.txt", t, &parse::NoSiblings);
                let _ = parse::parse(f, "requirements.txt", &garbled, &parse::NoSiblings);
            }
            let _ = tollgate_deps::sbom::read(t.as_bytes());
            let _ = tollgate_deps::osv::Record::parse(t.as_bytes(), true);
        }
    }
}
