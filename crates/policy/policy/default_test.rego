# Unit tests of the built-in policy: `tollgate policy test crates/policy/policy`.
package tollgate.gate_test

import rego.v1

import data.tollgate.gate

env := {
	"name": "prod", "approvals": 2, "block_on": "high",
	"require": ["scans", "findings", "signature", "provenance", "sbom", "approvals"],
	"required_scans": ["secrets"], "builders": ["https://ci.example/b"], "sources": ["git+https://git.example/"],
}

signer(pt, statement) := {"file": "x", "verified": true, "trust": "signer", "predicate_type": pt, "statement": statement}

good := {
	"schema": "tollgate.evidence/v1",
	"environment": env,
	"scans": ["secrets"],
	"findings": [{"rule": "deps/x", "severity": "medium", "path": "a", "fingerprint": "f"}],
	"attestations": [
		signer("https://tollgate.dev/attestation/signature/v1", {}),
		signer("https://slsa.dev/provenance/v1", {"predicate": {
			"runDetails": {"builder": {"id": "https://ci.example/b"}},
			"buildDefinition": {"resolvedDependencies": [{"uri": "git+https://git.example/app"}]},
		}}),
		signer("https://cyclonedx.org/bom", {}),
	],
	"approvals": [],
	"approvals_counted": 2,
	"exceptions": [],
	"warnings": [],
}

test_complete_evidence_allows if {
	gate.allow with input as good
	count(gate.deny) == 0 with input as good
}

test_one_approval_short if {
	not gate.allow with input as object.union(good, {"approvals_counted": 1})
	some msg in gate.deny with input as object.union(good, {"approvals_counted": 1})
	startswith(msg, "SP-15")
}

test_unexcepted_high_finding_denies if {
	bad := object.union(good, {"findings": [{"rule": "secrets/k", "severity": "high", "path": "a", "fingerprint": "f"}]})
	not gate.allow with input as bad
}

test_excepted_finding_allows if {
	ok := object.union(good, {"findings": [{"rule": "secrets/k", "severity": "critical", "path": "a", "fingerprint": "f", "exception": {"owner": "o", "reason": "r", "expires": "2099-01-01"}}]})
	gate.allow with input as ok
}

test_approver_signature_is_not_an_artifact_signature if {
	only_approver := object.union(good, {"attestations": [{"file": "a", "verified": true, "trust": "approver", "predicate_type": "https://tollgate.dev/attestation/signature/v1"}]})
	some msg in gate.deny with input as only_approver
	startswith(msg, "SP-04")
}

test_unverified_provenance_does_not_count if {
	unverified := object.union(good, {"attestations": [
		good.attestations[0],
		object.union(good.attestations[1], {"verified": false}),
		good.attestations[2],
	]})
	not gate.allow with input as unverified
}
