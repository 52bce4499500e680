//! Roles and the access table: every endpoint, the roles it admits and its body limit. The
//! router is built from this table (a route missing here cannot be served) and the auth
//! middleware checks each request against it.

use serde::{Deserialize, Serialize};

/// What a token may do. Roles are not ranked: each endpoint lists the roles it admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads the log and release records.
    Reader,
    /// A reader who also reads the record of denied requests.
    Auditor,
    /// CI: uploads release evidence, appends build/scan/signature/attestation/deployment
    /// events, asks the gate.
    Releaser,
    /// Appends approval events in its own name.
    Approver,
    /// Everything.
    Admin,
}

impl Role {
    pub const ALL: &'static [Role] = &[
        Role::Reader,
        Role::Auditor,
        Role::Releaser,
        Role::Approver,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Auditor => "auditor",
            Role::Releaser => "releaser",
            Role::Approver => "approver",
            Role::Admin => "admin",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Role, String> {
        Role::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!("unknown role {s:?} (known: reader, auditor, releaser, approver, admin)")
            })
    }
}

/// Who may call an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No token needed (health, the API description).
    Public,
    /// A valid token of one of these roles.
    Roles(&'static [Role]),
}

impl Access {
    pub fn admits(self, role: Role) -> bool {
        match self {
            Access::Public => true,
            Access::Roles(r) => r.contains(&role),
        }
    }
}

/// One endpoint.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint {
    pub method: &'static str,
    /// The axum route template (`{name}` parameters, `{*rest}` for the tile paths).
    pub path: &'static str,
    pub access: Access,
    /// Largest accepted request body in bytes.
    pub body_limit: usize,
}

const ANY: &[Role] = Role::ALL;
const AUDIT: &[Role] = &[Role::Auditor, Role::Admin];
const RELEASE: &[Role] = &[Role::Releaser, Role::Admin];
const APPEND: &[Role] = &[Role::Releaser, Role::Approver, Role::Admin];
const NO_BODY: usize = 0;
const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

const fn ep(
    method: &'static str,
    path: &'static str,
    access: Access,
    body_limit: usize,
) -> Endpoint {
    Endpoint {
        method,
        path,
        access,
        body_limit,
    }
}

/// Every endpoint the server has.
pub const ENDPOINTS: &[Endpoint] = &[
    ep("GET", "/healthz", Access::Public, NO_BODY),
    ep("GET", "/readyz", Access::Public, NO_BODY),
    ep("GET", "/openapi.json", Access::Public, NO_BODY),
    ep("GET", "/v1/whoami", Access::Roles(ANY), NO_BODY),
    ep("POST", "/v1/log/entries", Access::Roles(APPEND), MIB),
    ep(
        "GET",
        "/v1/log/entries/{index}",
        Access::Roles(ANY),
        NO_BODY,
    ),
    ep("GET", "/v1/log/checkpoint", Access::Roles(ANY), NO_BODY),
    ep(
        "GET",
        "/v1/log/proof/inclusion",
        Access::Roles(ANY),
        NO_BODY,
    ),
    ep(
        "GET",
        "/v1/log/proof/consistency",
        Access::Roles(ANY),
        NO_BODY,
    ),
    ep("GET", "/checkpoint", Access::Roles(ANY), NO_BODY),
    ep("GET", "/tile/{*path}", Access::Roles(ANY), NO_BODY),
    ep("POST", "/v1/releases", Access::Roles(RELEASE), 64 * MIB),
    ep("GET", "/v1/releases/{digest}", Access::Roles(ANY), NO_BODY),
    ep("GET", "/v1/blobs/{digest}", Access::Roles(ANY), NO_BODY),
    ep("POST", "/v1/gate", Access::Roles(RELEASE), 64 * KIB),
    ep("GET", "/v1/audit", Access::Roles(AUDIT), NO_BODY),
    // Authenticated by the CI job's OIDC token (credential_api), not an API token.
    ep("POST", "/v1/token", Access::Public, 64 * KIB),
    ep("GET", "/.well-known/jwks.json", Access::Public, NO_BODY),
    ep(
        "GET",
        "/.well-known/openid-configuration",
        Access::Public,
        NO_BODY,
    ),
    // Authenticated by the sender's signature over the raw body (webhook_api).
    ep("POST", "/v1/webhooks/{source}", Access::Public, MIB),
];

/// The endpoint of a matched route.
pub fn endpoint(method: &str, path: &str) -> Option<&'static Endpoint> {
    ENDPOINTS
        .iter()
        .find(|e| e.method == method && e.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_table_is_unique() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), *r);
        }
        assert!("root".parse::<Role>().is_err());
        for (i, a) in ENDPOINTS.iter().enumerate() {
            for b in &ENDPOINTS[i + 1..] {
                assert!(a.method != b.method || a.path != b.path, "{}", a.path);
            }
        }
    }
}
