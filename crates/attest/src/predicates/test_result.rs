//! in-toto `test-result/v0.1` predicates from JUnit XML
//! (https://github.com/in-toto/attestation/blob/main/spec/predicates/test-result.md).
//!
//! Every `<testcase>` becomes `classname.name` (or `name`). A case with `<failure>` or
//! `<error>` is failed, one with `<skipped>` is warned, others passed. `result` is FAILED if any
//! failed, WARNED if any warned, PASSED otherwise. The JUnit file is the `configuration`
//! resource (with its SHA-256) so a verifier can tie the verdict to the exact report.

use quick_xml::events::Event;
use serde_json::{Value, json};

#[derive(Debug, thiserror::Error)]
pub enum JunitError {
    #[error("JUnit XML is malformed at byte {position}: {message}")]
    Xml { position: u64, message: String },
    #[error("JUnit XML has no <testcase>")]
    Empty,
}

/// Parsed test outcomes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TestResults {
    pub passed: Vec<String>,
    pub warned: Vec<String>,
    pub failed: Vec<String>,
}

impl TestResults {
    pub fn result(&self) -> &'static str {
        if !self.failed.is_empty() {
            "FAILED"
        } else if !self.warned.is_empty() {
            "WARNED"
        } else {
            "PASSED"
        }
    }

    /// The predicate. `source_name` names the JUnit file; `url` (optional) is the CI job.
    pub fn to_predicate(&self, source_name: &str, source: &[u8], url: Option<&str>) -> Value {
        let mut v = json!({
            "result": self.result(),
            "configuration": [{
                "name": source_name,
                "digest": {"sha256": tollgate_model::sha256(source).hex()},
                "mediaType": "application/xml",
            }],
            "passedTests": self.passed,
            "warnedTests": self.warned,
            "failedTests": self.failed,
        });
        if let Some(u) = url {
            v["url"] = json!(u);
        }
        v
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Outcome {
    Passed,
    Warned,
    Failed,
}

/// Parses JUnit XML (`<testsuites>`/`<testsuite>`/`<testcase>`, any nesting).
pub fn parse_junit(xml: &[u8]) -> Result<TestResults, JunitError> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut out = TestResults::default();
    let mut current: Option<(String, Outcome)> = None;
    let mut buf = Vec::new();
    let mut seen = 0usize;
    let err = |r: &quick_xml::Reader<&[u8]>, e: &dyn std::fmt::Display| JunitError::Xml {
        position: r.buffer_position(),
        message: e.to_string(),
    };
    loop {
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(|e| err(&reader, &e))?;
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(ev, Event::Empty(_));
                match e.local_name().as_ref() {
                    b"testcase" => {
                        let mut name = String::new();
                        let mut class = String::new();
                        for a in e.attributes() {
                            let a = a.map_err(|x| err(&reader, &x))?;
                            let v = a
                                .unescape_value()
                                .map_err(|x| err(&reader, &x))?
                                .into_owned();
                            match a.key.local_name().as_ref() {
                                b"name" => name = v,
                                b"classname" => class = v,
                                _ => {}
                            }
                        }
                        let full = if class.is_empty() {
                            name
                        } else {
                            format!("{class}.{name}")
                        };
                        seen += 1;
                        if is_empty {
                            out.passed.push(full);
                        } else {
                            current = Some((full, Outcome::Passed));
                        }
                    }
                    b"failure" | b"error" => {
                        if let Some(c) = current.as_mut() {
                            c.1 = Outcome::Failed;
                        }
                    }
                    b"skipped" => {
                        if let Some(c) = current.as_mut()
                            && c.1 == Outcome::Passed
                        {
                            c.1 = Outcome::Warned;
                        }
                    }
                    _ => {}
                }
            }
            Event::End(ref e) if e.local_name().as_ref() == b"testcase" => {
                if let Some((name, o)) = current.take() {
                    match o {
                        Outcome::Passed => out.passed.push(name),
                        Outcome::Warned => out.warned.push(name),
                        Outcome::Failed => out.failed.push(name),
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if seen == 0 {
        return Err(JunitError::Empty);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="s" tests="4">
    <testcase classname="app.core" name="adds"/>
    <testcase classname="app.core" name="subtracts"><system-out>ok</system-out></testcase>
    <testcase classname="app.io" name="reads"><failure message="boom">trace</failure></testcase>
    <testcase name="later"><skipped/></testcase>
  </testsuite>
</testsuites>"#;

    #[test]
    fn parses_outcomes() {
        let r = parse_junit(XML.as_bytes()).unwrap();
        assert_eq!(r.passed, vec!["app.core.adds", "app.core.subtracts"]);
        assert_eq!(r.failed, vec!["app.io.reads"]);
        assert_eq!(r.warned, vec!["later"]);
        assert_eq!(r.result(), "FAILED");
        let p = r.to_predicate("junit.xml", XML.as_bytes(), None);
        assert_eq!(p["result"], "FAILED");
        assert_eq!(p["configuration"][0]["name"], "junit.xml");
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse_junit(b"<testsuite></testsuite>").is_err());
        assert!(parse_junit(b"<testsuite><testcase name='a'></testsuite>").is_err());
    }
}
