//! Prometheus HTTP API, instant queries (`GET /api/v1/query`).

use super::http::{Auth, Client, check_url, excerpt};
use super::provider::Provider;
use crate::duration;
use crate::expr::Value;
use serde::Deserialize;

/// `[metrics.provider.prometheus]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PrometheusConfig {
    /// Base URL of the server, `http://prometheus:9090`.
    pub address: String,
    /// PromQL, evaluated at the time of the measurement.
    pub query: String,
    /// Request timeout (`10s` by default).
    #[serde(default)]
    pub timeout: Option<String>,
    /// Credentials from environment variables: `auth = { bearer-token-env = "PROM_TOKEN" }`.
    #[serde(default)]
    pub auth: Auth,
}

pub(crate) struct Prometheus {
    client: Client,
    url: String,
    query: String,
}

impl Prometheus {
    pub fn new(c: &PrometheusConfig) -> Result<Prometheus, String> {
        check_url(&c.address)?;
        let timeout = duration::parse(c.timeout.as_deref().unwrap_or("10s"))?;
        Ok(Prometheus {
            client: Client::new(timeout, &c.auth)?,
            url: format!("{}/api/v1/query", c.address.trim_end_matches('/')),
            query: c.query.clone(),
        })
    }
}

impl Provider for Prometheus {
    fn measure(&self) -> Result<Value, String> {
        let resp = self
            .client
            .request("GET", &self.url, &[("query", &self.query)], &[], None)?;
        parse_response(resp.status, &resp.body)
    }
}

/// Reads an API response: a scalar is a number, a vector a list of numbers (one per series,
/// in the server's order), a string a string. A range vector is refused.
pub(crate) fn parse_response(status: u16, body: &str) -> Result<Value, String> {
    let json: serde_json::Value = serde_json::from_str(body).map_err(|_| {
        format!(
            "HTTP {status}: the response is not Prometheus JSON: {}",
            excerpt(body)
        )
    })?;
    if json["status"] != "success" {
        let kind = json["errorType"].as_str().unwrap_or("error");
        let msg = json["error"].as_str().unwrap_or("no message");
        return Err(format!("HTTP {status}: prometheus {kind}: {msg}"));
    }
    if !(200..300).contains(&status) {
        return Err(format!("HTTP {status}: {}", excerpt(body)));
    }
    let data = &json["data"];
    let sample = |v: &serde_json::Value| -> Result<Value, String> {
        let s = v[1]
            .as_str()
            .ok_or_else(|| format!("a sample is not [time, \"value\"]: {v}"))?;
        Ok(Value::Num(parse_sample(s)?))
    };
    match data["resultType"].as_str() {
        Some("scalar") => sample(&data["result"]),
        Some("vector") => {
            let series = data["result"]
                .as_array()
                .ok_or("a vector result is not a list")?;
            Ok(Value::List(
                series
                    .iter()
                    .map(|s| sample(&s["value"]))
                    .collect::<Result<_, _>>()?,
            ))
        }
        Some("string") => Ok(Value::Str(
            data["result"][1].as_str().unwrap_or_default().to_string(),
        )),
        Some("matrix") => {
            Err("the query returned a range vector (matrix); use an instant query".into())
        }
        other => Err(format!("unknown resultType {other:?}")),
    }
}

/// Prometheus sample values: decimal numbers, `NaN`, `+Inf`, `-Inf`.
fn parse_sample(s: &str) -> Result<f64, String> {
    match s {
        "NaN" => Ok(f64::NAN),
        "+Inf" | "Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        _ => s
            .parse::<f64>()
            .map_err(|_| format!("sample value `{s}` is not a number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalar_vector_string() {
        let v = parse_response(
            200,
            r#"{"status":"success","data":{"resultType":"scalar","result":[1.5,"0.25"]}}"#,
        )
        .unwrap();
        assert_eq!(v, Value::Num(0.25));
        let v = parse_response(200, r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1"},"value":[1,"1"]},{"metric":{},"value":[1,"NaN"]}]}}"#).unwrap();
        let Value::List(l) = v else { panic!() };
        assert_eq!(l[0], Value::Num(1.0));
        assert!(matches!(l[1], Value::Num(x) if x.is_nan()));
        let v = parse_response(
            200,
            r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#,
        )
        .unwrap();
        assert!(v.is_empty_result());
        let v = parse_response(
            200,
            r#"{"status":"success","data":{"resultType":"string","result":[1,"up"]}}"#,
        )
        .unwrap();
        assert_eq!(v, Value::Str("up".into()));
    }

    #[test]
    fn errors() {
        let e = parse_response(
            400,
            r#"{"status":"error","errorType":"bad_data","error":"parse error at char 3"}"#,
        )
        .unwrap_err();
        assert!(e.contains("bad_data") && e.contains("parse error"), "{e}");
        let e = parse_response(502, "<html>bad gateway</html>").unwrap_err();
        assert!(e.contains("HTTP 502"), "{e}");
        let e = parse_response(
            200,
            r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#,
        )
        .unwrap_err();
        assert!(e.contains("matrix"), "{e}");
        let e = parse_response(
            200,
            r#"{"status":"success","data":{"resultType":"vector","result":[{"value":[1,"x"]}]}}"#,
        )
        .unwrap_err();
        assert!(e.contains("not a number"), "{e}");
    }
}
