# tollgate's built-in release gate policy (package tollgate.gate).
#
# input: a tollgate.evidence/v1 document (docs/evidence-v1.md). Facts that need keys or the
# exceptions table are settled before evaluation: approvals carry `counted`, findings carry
# `exception` / `expired_exception`, attestations carry `verified` and `trust`.
#
# Decision: allow only when `allow` is true and `deny` is empty. `warn` never blocks.
#
# `is_string(msg)` after each `msg := sprintf(...)` is always true here (sprintf returns a
# string), but regorus's bytecode VM, which runs this policy, lets `x := <undefined>` pass a
# body (a message argument from a missing field): the guard fails the body there, as the
# interpreter and OPA do (crates/policy/tests/engines.rs compares both engines).
package tollgate.gate

import rego.v1

required(check) if check in input.environment.require

severity_rank := {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}

block_rank := severity_rank[input.environment.block_on]

# Findings that count: at or above the blocking severity, not excepted, not suppressed.
counting := [f |
	some f in input.findings
	severity_rank[f.severity] >= block_rank
	not f.exception
	not f.suppressed
]

signed_by_signer(a) if {
	a.verified
	a.trust == "signer"
}

provenance_types := {"https://slsa.dev/provenance/v1"}

sbom_prefixes := ["https://cyclonedx.org/bom", "https://spdx.dev/Document"]

# Anything but an evidence document is a deny, never an allow.
deny contains "input is not a tollgate.evidence/v1 document" if {
	not input.schema == "tollgate.evidence/v1"
}

# Every list the rules iterate must be an array when present: a mistyped one is a deny (the
# interpreter stops with an error on it; the RVM would iterate nothing).
deny contains msg if {
	some field in ["scans", "findings", "attestations", "approvals", "exceptions", "warnings", "errors"]
	not is_array(object.get(input, field, []))
	msg := sprintf("input.%s is not a list", [field])
	is_string(msg) # RVM guard, see the top
}

deny contains msg if {
	some field in ["require", "required_scans", "builders", "sources"]
	not is_array(object.get(input, ["environment", field], []))
	msg := sprintf("input.environment.%s is not a list", [field])
	is_string(msg) # RVM guard, see the top
}

# Malformed evidence files (the gate also denies on these by itself).
deny contains msg if {
	some e in input.errors
	msg := sprintf("evidence error: %s", [e])
	is_string(msg) # RVM guard, see the top
}

# SP-06 / SP-21: the required scans ran.
deny contains msg if {
	required("scans")
	some scan in input.environment.required_scans
	not scan in {s | some s in input.scans}
	# `\"%s\"` rather than `%q`: regorus 0.11 has no `%q` verb (scan names need no escaping).
	msg := sprintf("SP-06: required scan \"%s\" did not run on this change", [scan])
	is_string(msg) # RVM guard, see the top
}

# SP-17: no unexcepted finding at or above the blocking severity.
deny contains msg if {
	required("findings")
	some f in counting
	not f.expired_exception
	msg := sprintf("SP-17: %s finding %s at %s (%s) has no exception", [f.severity, f.rule, f.path, f.fingerprint])
	is_string(msg) # RVM guard, see the top
}

deny contains msg if {
	required("findings")
	some f in counting
	# Explicit guard: regorus's RVM does not fail a body on `e := <undefined>` (the interpreter
	# and OPA do); with it both engines agree (bench/policy/README.md, RVM experiment).
	f.expired_exception
	e := f.expired_exception
	msg := sprintf("SP-17: %s finding %s at %s: its exception (owner %s) expired on %s", [f.severity, f.rule, f.path, e.owner, e.expires])
	is_string(msg) # RVM guard, see the top
}

# SP-04: the artifact is signed by a key in [[signers]].
deny contains "SP-04: the artifact has no verified signature from a trusted signer" if {
	required("signature")
	not any_signed
}

any_signed if {
	some a in input.attestations
	signed_by_signer(a)
}

# SP-16: SLSA provenance from an allowed builder and source.
provenance := [a |
	some a in input.attestations
	signed_by_signer(a)
	a.predicate_type in provenance_types
]

builder_ok(a) if count(input.environment.builders) == 0

builder_ok(a) if a.statement.predicate.runDetails.builder.id in input.environment.builders

source_ok(a) if count(input.environment.sources) == 0

source_ok(a) if {
	some dep in a.statement.predicate.buildDefinition.resolvedDependencies
	some prefix in input.environment.sources
	startswith(dep.uri, prefix)
}

good_provenance if {
	some a in provenance
	builder_ok(a)
	source_ok(a)
}

deny contains "SP-16: no verified SLSA provenance for the artifact" if {
	required("provenance")
	count(provenance) == 0
}

deny contains msg if {
	required("provenance")
	count(provenance) > 0
	not good_provenance
	some a in provenance
	msg := sprintf("SP-16: provenance %s is from builder %v / sources not in the allowed lists", [a.file, object.get(a.statement, ["predicate", "runDetails", "builder", "id"], "unknown")])
	is_string(msg) # RVM guard, see the top
}

# SP-05: an SBOM attestation for the artifact.
has_sbom if {
	some a in input.attestations
	signed_by_signer(a)
	some prefix in sbom_prefixes
	startswith(a.predicate_type, prefix)
}

deny contains "SP-05: no verified SBOM attestation for the artifact" if {
	required("sbom")
	not has_sbom
}

# SP-15: enough distinct approvals, none from the change's own author, committer or triggerer.
deny contains msg if {
	required("approvals")
	not enough_approvals
	msg := sprintf("SP-15: %v of %v required approvals for %v", [
		object.get(input, "approvals_counted", "no count"),
		object.get(input, ["environment", "approvals"], "an unknown number of"),
		object.get(input, ["environment", "name"], "this environment"),
	])
	is_string(msg) # RVM guard, see the top
}

# Both counts must be numbers: a missing or mistyped count is a deny, never an allow (and
# mixed-type comparisons are where the interpreter and the RVM differ).
enough_approvals if {
	is_number(input.approvals_counted)
	is_number(input.environment.approvals)
	input.approvals_counted >= input.environment.approvals
}

warn contains msg if {
	some a in input.approvals
	not a.counted
	msg := sprintf("approval %s (%s) does not count: %s", [a.file, a.identity, a.reason])
	is_string(msg) # RVM guard, see the top
}

warn contains msg if {
	some e in input.exceptions
	e.expired
	msg := sprintf("exception for %s (owner %s) expired on %s", [object.get(e, "rule", object.get(e, "fingerprint", object.get(e, "path", "artifact"))), e.owner, e.expires])
	is_string(msg) # RVM guard, see the top
}

warn contains msg if {
	some msg in input.warnings
}

default allow := false

allow if count(deny) == 0
