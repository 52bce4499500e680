//! OK / NOT OK fixtures: `tests/fixtures/<rule>/bad*.<ext>` must produce `iac/<rule>` (with a
//! route, on the lines marked `NOT OK`), `ok*.<ext>` must not. The extension names the kind (`Dockerfile`,
//! `yaml` for Kubernetes, `tf`). Every rule must have both.

use std::collections::BTreeSet;
use tollgate_engine::Scanner;
use tollgate_iac::{IacScanner, Kind};

fn kind(name: &str) -> Kind {
    match name.rsplit('.').next() {
        Some("Dockerfile") => Kind::Dockerfile,
        Some("yaml") => Kind::Kubernetes,
        Some("tf") => Kind::Terraform,
        other => panic!("fixture {name}: unknown kind {other:?}"),
    }
}

#[test]
fn fixtures_ok_and_not_ok() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let scanner = IacScanner::default();
    let mut covered = BTreeSet::new();
    let mut failures = Vec::new();
    for rule_dir in std::fs::read_dir(dir).unwrap() {
        let rule_dir = rule_dir.unwrap();
        let name = rule_dir.file_name().to_string_lossy().to_string();
        let rule = format!("iac/{name}");
        let (mut bad, mut ok) = (0, 0);
        for f in std::fs::read_dir(rule_dir.path()).unwrap() {
            let f = f.unwrap();
            let file = f.file_name().to_string_lossy().to_string();
            let src = std::fs::read_to_string(f.path()).unwrap();
            let (found, _) = scanner
                .check_text(kind(&file), &file, &file, &src)
                .unwrap_or_else(|d| panic!("{name}/{file}: {}", d.message));
            let hits: Vec<_> = found.iter().filter(|x| x.rule.as_str() == rule).collect();
            if file.starts_with("bad") {
                bad += 1;
                // Every marked line has a finding.
                let lines: Vec<&str> = src.lines().collect();
                for (i, l) in lines.iter().enumerate() {
                    let target = if l.trim_start().starts_with("# NOT OK") {
                        i + 2
                    } else if l.contains("# NOT OK") {
                        i + 1
                    } else {
                        continue;
                    };
                    if !hits.iter().any(|x| x.location.line as usize == target) {
                        failures.push(format!("{name}/{file}:{target}: marked NOT OK, no {rule}"));
                    }
                }
                if hits.is_empty() {
                    failures.push(format!("{name}/{file}: expected {rule}"));
                }
                for x in &hits {
                    assert!(x.location.symbolic.is_some(), "{name}: no route");
                    // The expected lines are marked `# NOT OK` in the fixture (at the end of
                    // the line, or on the line above for Dockerfiles, which have no trailing
                    // comments).
                    let n = x.location.line as usize;
                    let line = src.lines().nth(n - 1).unwrap_or("");
                    let above = n
                        .checked_sub(2)
                        .and_then(|i| src.lines().nth(i))
                        .unwrap_or("");
                    if !line.contains("NOT OK") && !above.trim_start().starts_with("# NOT OK") {
                        failures.push(format!(
                            "{name}/{file}:{}: finding on a line not marked NOT OK: {line:?}",
                            x.location.line
                        ));
                    }
                }
            } else {
                ok += 1;
                if !hits.is_empty() {
                    failures.push(format!(
                        "{name}/{file}: unexpected {rule}: {:?}",
                        hits.iter()
                            .map(|x| (&x.message, x.location.line))
                            .collect::<Vec<_>>()
                    ));
                }
            }
        }
        assert!(bad > 0 && ok > 0, "{name} needs bad and ok fixtures");
        covered.insert(rule);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let all: BTreeSet<String> = scanner.rules().iter().map(|r| r.id.to_string()).collect();
    let missing: Vec<_> = all.difference(&covered).collect();
    assert!(missing.is_empty(), "rules without fixtures: {missing:?}");
}
