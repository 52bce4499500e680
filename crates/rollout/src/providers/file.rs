//! Saved query results, for tests and air-gapped replays: a Prometheus API response or any JSON
//! document in a file. A file of JSON Lines is replayed, one line per measurement (the last line
//! again once they run out).

use super::jsonpath::JsonPath;
use super::prometheus::parse_response;
use super::provider::Provider;
use crate::expr::Value;
use serde::Deserialize;
use std::cell::Cell;
use std::path::{Path, PathBuf};

/// `[metrics.provider.file]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileConfig {
    /// The file, relative to the template's folder. Read again at every measurement.
    pub path: String,
    /// `prometheus` (default): a `/api/v1/query` response. `json`: any JSON document.
    #[serde(default)]
    pub format: FileFormat,
    /// For `json`: selects the value (`$.data.ok`).
    #[serde(default)]
    pub json_path: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileFormat {
    #[default]
    Prometheus,
    Json,
}

pub(crate) struct File {
    path: PathBuf,
    format: FileFormat,
    json_path: Option<JsonPath>,
    taken: Cell<usize>,
}

impl File {
    pub fn new(c: &FileConfig, base: &Path) -> Result<File, String> {
        let json_path = c
            .json_path
            .as_deref()
            .map(JsonPath::parse)
            .transpose()
            .map_err(|e| format!("json-path: {e}"))?;
        if json_path.is_some() && c.format == FileFormat::Prometheus {
            return Err("json-path applies to format = \"json\" only".into());
        }
        Ok(File {
            path: base.join(&c.path),
            format: c.format,
            json_path,
            taken: Cell::new(0),
        })
    }
}

impl Provider for File {
    fn measure(&self) -> Result<Value, String> {
        let text = std::fs::read_to_string(&self.path)
            .map_err(|e| format!("cannot read {}: {e}", self.path.display()))?;
        let n = self.taken.get();
        self.taken.set(n + 1);
        let doc = if serde_json::from_str::<serde_json::Value>(&text).is_ok() {
            text.as_str()
        } else {
            let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
            match lines.get(n.min(lines.len().saturating_sub(1))) {
                Some(l) => *l,
                None => return Err(format!("{} is empty", self.path.display())),
            }
        };
        match self.format {
            FileFormat::Prometheus => parse_response(200, doc),
            FileFormat::Json => {
                let json: serde_json::Value = serde_json::from_str(doc)
                    .map_err(|e| format!("{}: not JSON: {e}", self.path.display()))?;
                let picked = match &self.json_path {
                    Some(p) => p.select(&json)?,
                    None => &json,
                };
                Ok(Value::from_json(picked))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(dir: &Path, name: &str, format: FileFormat, path: Option<&str>) -> File {
        File::new(
            &FileConfig {
                path: name.into(),
                format,
                json_path: path.map(str::to_string),
            },
            dir,
        )
        .unwrap()
    }

    #[test]
    fn replays_json_lines_then_repeats_the_last() {
        let dir = tempfile::tempdir().unwrap();
        let v = |x: &str| {
            format!(r#"{{"status":"success","data":{{"resultType":"scalar","result":[1,"{x}"]}}}}"#)
        };
        std::fs::write(
            dir.path().join("r.jsonl"),
            format!("{}\n{}\n", v("1"), v("2")),
        )
        .unwrap();
        let f = file(dir.path(), "r.jsonl", FileFormat::Prometheus, None);
        let got: Vec<Value> = (0..3).map(|_| f.measure().unwrap()).collect();
        assert_eq!(got, vec![Value::Num(1.0), Value::Num(2.0), Value::Num(2.0)]);
    }

    #[test]
    fn one_document_and_json_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("h.json"), "{\n  \"a\": {\"ok\": true}\n}\n").unwrap();
        let f = file(dir.path(), "h.json", FileFormat::Json, Some("$.a.ok"));
        assert_eq!(f.measure().unwrap(), Value::Bool(true));
        assert_eq!(f.measure().unwrap(), Value::Bool(true));
        let missing = file(dir.path(), "nope.json", FileFormat::Json, None);
        assert!(missing.measure().unwrap_err().contains("cannot read"));
        assert!(
            File::new(
                &FileConfig {
                    path: "x".into(),
                    format: FileFormat::Prometheus,
                    json_path: Some("$.a".into())
                },
                dir.path()
            )
            .is_err()
        );
    }
}
