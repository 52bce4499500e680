//! SBOM predicates: the CycloneDX or SPDX JSON document itself, as produced by the deps
//! scanner (taken as a `serde_json::Value` so this crate does not depend on it).

use crate::statement::{CYCLONEDX_BOM, SPDX_DOCUMENT};
use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum SbomError {
    #[error("document is neither CycloneDX (bomFormat) nor SPDX (spdxVersion)")]
    Unknown,
}

/// The predicate type for an SBOM document: CycloneDX or SPDX.
pub fn predicate_type(doc: &Value) -> Result<&'static str, SbomError> {
    if doc.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        Ok(CYCLONEDX_BOM)
    } else if doc
        .get("spdxVersion")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("SPDX-"))
    {
        Ok(SPDX_DOCUMENT)
    } else {
        Err(SbomError::Unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn detects() {
        assert_eq!(
            predicate_type(&serde_json::json!({"bomFormat":"CycloneDX","specVersion":"1.6"}))
                .unwrap(),
            CYCLONEDX_BOM
        );
        assert_eq!(
            predicate_type(&serde_json::json!({"spdxVersion":"SPDX-2.3"})).unwrap(),
            SPDX_DOCUMENT
        );
        assert!(predicate_type(&serde_json::json!({})).is_err());
    }
}
