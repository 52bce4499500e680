//! Predicates tollgate writes into in-toto Statements.
//!
//! | predicate type | module |
//! |---|---|
//! | `https://slsa.dev/provenance/v1` | [`provenance`] (from GitHub Actions / GitLab CI variables) |
//! | `https://cyclonedx.org/bom`, `https://spdx.dev/Document` | [`sbom`] |
//! | `https://in-toto.io/attestation/test-result/v0.1` | [`test_result`] (from JUnit XML) |
//! | `https://tollgate.dev/attestation/scan-report/v1` | [`scan_report`] |
//! | `https://tollgate.dev/attestation/approval/v1` | `tollgate_model::predicate::ApprovalPredicate` (one type for the whole tool) |

pub mod provenance;
pub mod sbom;
pub mod scan_report;
pub mod test_result;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// RFC 3339 UTC text with second precision (what the predicates use for timestamps).
pub fn rfc3339(t: OffsetDateTime) -> String {
    let t = t
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_default()
}

/// Parses RFC 3339 text.
pub fn parse_rfc3339(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}
