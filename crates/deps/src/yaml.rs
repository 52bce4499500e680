//! YAML documents as `serde_json::Value` (pnpm-lock.yaml, PyPA's OSV records in YAML).

use crate::parse::ParseError;
use serde_json::Value;
use yaml_rust2::{Yaml, YamlLoader};

/// The YAML documents of `text`; a syntax error carries its line and column.
pub fn load(text: &str) -> Result<Vec<Yaml>, ParseError> {
    YamlLoader::load_from_str(text).map_err(|e| {
        ParseError::new(
            e.marker().line() as u32,
            e.marker().col() as u32 + 1,
            e.to_string(),
        )
    })
}

pub fn to_json(text: &str) -> Result<Value, ParseError> {
    Ok(load(text)?.first().map(convert).unwrap_or(Value::Null))
}

fn convert(y: &Yaml) -> Value {
    match y {
        Yaml::Real(s) => s
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(s.clone())),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(a) => Value::Array(a.iter().map(convert).collect()),
        Yaml::Hash(h) => Value::Object(
            h.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) | Yaml::Real(s) => s.clone(),
                        Yaml::Integer(i) => i.to_string(),
                        Yaml::Boolean(b) => b.to_string(),
                        _ => String::new(),
                    };
                    (key, convert(v))
                })
                .collect(),
        ),
        Yaml::Alias(_) | Yaml::Null | Yaml::BadValue => Value::Null,
    }
}
