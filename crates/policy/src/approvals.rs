//! Approvals: signed statements that an identity approves one artifact digest for one
//! environment under one policy digest, and the separation-of-duties rules that decide which
//! of them count.

use crate::evidence::{ApprovalInput, Change};
use crate::settings::EnvironmentRules;
use crate::traits::{TrustRole, VerifiedBundle};
use std::collections::BTreeSet;
use std::time::Duration;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tollgate_model::Digest;

/// in-toto predicate type of a tollgate approval.
pub use tollgate_model::predicate::APPROVAL_V1 as APPROVAL_PREDICATE;
/// The approval predicate (one type for the whole tool, defined in `model`).
pub use tollgate_model::predicate::ApprovalPredicate;
/// in-toto Statement v1 type.
pub use tollgate_model::predicate::STATEMENT_V1 as STATEMENT_TYPE;
/// How far in the future an approval's time may be (clock skew) before it is refused.
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(300);

/// The in-toto Statement v1 for an approval of `artifact` (named `name`).
pub fn approval_statement(
    name: &str,
    artifact: &Digest,
    predicate: &ApprovalPredicate,
) -> serde_json::Value {
    serde_json::json!({
        "_type": STATEMENT_TYPE,
        "subject": [{"name": name, "digest": {"sha256": artifact.hex()}}],
        "predicateType": APPROVAL_PREDICATE,
        "predicate": predicate,
    })
}

/// What the approval rules need to know about the gate run.
#[derive(Debug, Clone)]
pub struct ApprovalContext<'a> {
    pub artifact: Digest,
    pub environment: &'a str,
    pub policy_digest: Digest,
    pub now: OffsetDateTime,
    pub change: &'a Change,
    pub rules: &'a EnvironmentRules,
}

/// One approval bundle after verification: `Ok` with what verified, or `Err` with why not.
pub struct Candidate {
    pub file: String,
    pub verified: Result<VerifiedBundle, String>,
}

/// Identities compare case-insensitively and without surrounding space, so `Alice` cannot
/// approve `alice`'s change.
pub fn same_identity(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

fn norm(a: &str) -> String {
    a.trim().to_ascii_lowercase()
}

/// Decides which approvals count. Returns every approval with its verdict and the number of
/// distinct identities that count.
pub fn assess(candidates: &[Candidate], ctx: &ApprovalContext) -> (Vec<ApprovalInput>, usize) {
    let mut counted: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::with_capacity(candidates.len());
    for c in candidates {
        let (identity, time, verdict) = match &c.verified {
            Err(why) => (
                String::new(),
                None,
                Err(format!("signature does not verify: {why}")),
            ),
            Ok(v) => {
                let time = predicate(v).ok().map(|p| p.approved_at);
                (v.identity.clone(), time, check(v, ctx))
            }
        };
        let verdict = verdict.and_then(|()| {
            if counted.insert(norm(&identity)) {
                Ok(())
            } else {
                Err(format!("another approval by {identity} already counts"))
            }
        });
        out.push(ApprovalInput {
            file: c.file.clone(),
            identity,
            time,
            counted: verdict.is_ok(),
            reason: verdict.err(),
        });
    }
    (out, counted.len())
}

fn predicate(v: &VerifiedBundle) -> Result<ApprovalPredicate, String> {
    let st = v
        .statement
        .as_ref()
        .ok_or("the bundle holds no in-toto statement")?;
    serde_json::from_value(st.get("predicate").cloned().unwrap_or_default())
        .map_err(|e| format!("malformed approval predicate: {e}"))
}

fn check(v: &VerifiedBundle, ctx: &ApprovalContext) -> Result<(), String> {
    if v.trust != TrustRole::Approver {
        return Err(format!(
            "signed by {} whose key is not in [[approvers]]",
            v.identity
        ));
    }
    if v.predicate_type.as_deref() != Some(APPROVAL_PREDICATE) {
        return Err(format!(
            "not an approval (predicate type {:?})",
            v.predicate_type
        ));
    }
    let st = v.statement.as_ref().ok_or("no statement")?;
    let p = predicate(v)?;
    if !same_identity(&p.approver, &v.identity) {
        return Err(format!(
            "names approver {} but is signed by {}'s key",
            p.approver, v.identity
        ));
    }
    let want = ctx.artifact.hex();
    let subjects = st.get("subject").and_then(|s| s.as_array());
    let binds = subjects.is_some_and(|subs| {
        !subs.is_empty()
            && subs.iter().all(|s| {
                s.pointer("/digest/sha256")
                    .and_then(|d| d.as_str())
                    .is_some_and(|d| d.eq_ignore_ascii_case(&want))
            })
    });
    if !binds {
        return Err("approves a different artifact digest".into());
    }
    if p.environment != ctx.environment {
        return Err(format!(
            "approves environment {}, not {}",
            p.environment, ctx.environment
        ));
    }
    if p.policy_digest != ctx.policy_digest.to_string() {
        return Err(format!(
            "was given under policy {}; the policy is now {}",
            p.policy_digest, ctx.policy_digest
        ));
    }
    if let Some(who) = ctx
        .change
        .identities()
        .find(|c| same_identity(c, &v.identity))
    {
        return Err(format!(
            "self-approval: {who} authored, committed or triggered this change"
        ));
    }
    if !ctx.rules.approvers.is_empty()
        && !ctx
            .rules
            .approvers
            .iter()
            .any(|a| same_identity(a, &v.identity))
    {
        return Err(format!(
            "{} may not approve for {}",
            v.identity, ctx.environment
        ));
    }
    let at = OffsetDateTime::parse(&p.approved_at, &Rfc3339)
        .map_err(|e| format!("bad approvedAt {:?}: {e}", p.approved_at))?;
    if at > ctx.now + MAX_CLOCK_SKEW {
        return Err(format!("dated in the future ({})", p.approved_at));
    }
    if let Some(max) = ctx.rules.max_age {
        let until = at + max;
        if ctx.now >= until {
            return Err(format!("expired at {}", fmt_time(until)));
        }
    }
    if let Some(wait) = ctx.rules.wait {
        let from = at + wait;
        if ctx.now < from {
            return Err(format!("wait timer: counts from {}", fmt_time(from)));
        }
    }
    Ok(())
}

pub(crate) fn fmt_time(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;
    use tollgate_model::sha256;

    pub fn now() -> OffsetDateTime {
        OffsetDateTime::parse("2026-11-22T12:00:00Z", &Rfc3339).unwrap()
    }

    pub fn policy_digest() -> Digest {
        sha256(b"policy")
    }

    /// A bundle as the attest crate would report it after verifying its signature.
    pub fn approval(
        who: &str,
        claims: &str,
        artifact: &Digest,
        env: &str,
        policy: &Digest,
        at: OffsetDateTime,
    ) -> VerifiedBundle {
        let p = ApprovalPredicate {
            environment: env.into(),
            approver: claims.into(),
            policy_digest: policy.to_string(),
            approved_at: fmt_time(at),
            comment: None,
        };
        VerifiedBundle {
            identity: who.into(),
            key_id: format!("key-{who}"),
            trust: TrustRole::Approver,
            predicate_type: Some(APPROVAL_PREDICATE.into()),
            statement: Some(approval_statement("app.tar", artifact, &p)),
            checks: vec!["signature".into(), "subject".into()],
        }
    }

    fn ok(v: VerifiedBundle) -> Candidate {
        Candidate {
            file: format!("{}.json", v.identity),
            verified: Ok(v),
        }
    }

    fn ctx<'a>(
        change: &'a Change,
        rules: &'a EnvironmentRules,
        art: &Digest,
    ) -> ApprovalContext<'a> {
        ApprovalContext {
            artifact: *art,
            environment: "prod",
            policy_digest: policy_digest(),
            now: now(),
            change,
            rules,
        }
    }

    fn change(author: &str) -> Change {
        Change {
            author: Some(author.into()),
            committer: Some("committer".into()),
            triggerer: Some("ci-bot".into()),
        }
    }

    #[test]
    fn distinct_identities_count_once() {
        let art = sha256(b"app");
        let rules = EnvironmentRules::default();
        let ch = change("dave");
        let t = now() - time::Duration::hours(1);
        let cands = vec![
            ok(approval(
                "alice",
                "alice",
                &art,
                "prod",
                &policy_digest(),
                t,
            )),
            ok(approval(
                "Alice",
                "alice",
                &art,
                "prod",
                &policy_digest(),
                t,
            )),
            ok(approval("bob", "bob", &art, "prod", &policy_digest(), t)),
        ];
        let (list, n) = assess(&cands, &ctx(&ch, &rules, &art));
        assert_eq!(n, 2);
        assert!(
            list[1]
                .reason
                .as_deref()
                .unwrap()
                .contains("already counts")
        );
    }

    #[test]
    fn each_rule_rejects() {
        let art = sha256(b"app");
        let other = sha256(b"other");
        let ch = change("alice");
        let rules = EnvironmentRules {
            approvers: vec!["alice".into(), "bob".into(), "carol".into()],
            max_age: Some(Duration::from_secs(3600)),
            wait: Some(Duration::from_secs(600)),
            ..Default::default()
        };
        let pd = policy_digest();
        let t = now() - time::Duration::minutes(30);
        let cases: Vec<(Candidate, &str)> = vec![
            (
                Candidate {
                    file: "x".into(),
                    verified: Err("bad signature".into()),
                },
                "does not verify",
            ),
            (
                ok(approval("alice", "alice", &art, "prod", &pd, t)),
                "self-approval",
            ),
            (
                ok(approval("committer", "committer", &art, "prod", &pd, t)),
                "self-approval",
            ),
            (
                ok(approval("bob", "carol", &art, "prod", &pd, t)),
                "signed by bob",
            ),
            (
                ok(approval("bob", "bob", &other, "prod", &pd, t)),
                "different artifact",
            ),
            (
                ok(approval("bob", "bob", &art, "staging", &pd, t)),
                "environment staging",
            ),
            (
                ok(approval("bob", "bob", &art, "prod", &sha256(b"old"), t)),
                "policy",
            ),
            (
                ok(approval("eve", "eve", &art, "prod", &pd, t)),
                "may not approve",
            ),
            (
                ok(approval(
                    "bob",
                    "bob",
                    &art,
                    "prod",
                    &pd,
                    now() - time::Duration::hours(1),
                )),
                "expired",
            ),
            (
                ok(approval(
                    "bob",
                    "bob",
                    &art,
                    "prod",
                    &pd,
                    now() - time::Duration::minutes(5),
                )),
                "wait timer",
            ),
            (
                ok(approval(
                    "bob",
                    "bob",
                    &art,
                    "prod",
                    &pd,
                    now() + time::Duration::hours(1),
                )),
                "future",
            ),
            (
                ok(VerifiedBundle {
                    trust: TrustRole::Signer,
                    ..approval("bob", "bob", &art, "prod", &pd, t)
                }),
                "not in [[approvers]]",
            ),
        ];
        for (c, want) in cases {
            let (list, n) = assess(std::slice::from_ref(&c), &ctx(&ch, &rules, &art));
            assert_eq!(n, 0, "{want}");
            let why = list[0].reason.clone().unwrap();
            assert!(why.contains(want), "{why} should contain {want}");
        }
        let (_, n) = assess(
            &[ok(approval("bob", "bob", &art, "prod", &pd, t))],
            &ctx(&ch, &rules, &art),
        );
        assert_eq!(n, 1);
    }

    #[test]
    fn expiry_ends_exactly_at_max_age() {
        let art = sha256(b"app");
        let ch = Change::default();
        let rules = EnvironmentRules {
            max_age: Some(Duration::from_secs(3600)),
            ..Default::default()
        };
        let pd = policy_digest();
        let just = now() - time::Duration::seconds(3599);
        let exact = now() - time::Duration::seconds(3600);
        let n = |at| {
            assess(
                &[ok(approval("bob", "bob", &art, "prod", &pd, at))],
                &ctx(&ch, &rules, &art),
            )
            .1
        };
        assert_eq!(n(just), 1);
        assert_eq!(n(exact), 0);
    }

    fn ident() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["alice", "bob", "carol", "dave", "ci-bot"]).prop_flat_map(|s| {
            // Vary case and padding: the same person, written differently.
            (Just(s.to_string()), any::<bool>(), any::<bool>()).prop_map(|(s, up, pad)| {
                let s = if up { s.to_uppercase() } else { s };
                if pad { format!(" {s}") } else { s }
            })
        })
    }

    proptest! {
        #[test]
        fn no_self_approval_is_ever_accepted(
            author in ident(), committer in ident(), triggerer in ident(),
            approvers in prop::collection::vec(ident(), 0..6),
        ) {
            let art = sha256(b"app");
            let ch = Change { author: Some(author), committer: Some(committer), triggerer: Some(triggerer) };
            let rules = EnvironmentRules::default();
            let t = now() - time::Duration::minutes(1);
            let cands: Vec<Candidate> = approvers.iter()
                .map(|a| ok(approval(a, a, &art, "prod", &policy_digest(), t)))
                .collect();
            let (list, _) = assess(&cands, &ctx(&ch, &rules, &art));
            for a in list.iter().filter(|a| a.counted) {
                prop_assert!(ch.identities().all(|c| !same_identity(c, &a.identity)));
            }
        }

        #[test]
        fn an_approval_for_one_digest_never_passes_another(
            a in any::<[u8; 8]>(), b in any::<[u8; 8]>(), who in ident(),
        ) {
            prop_assume!(a != b);
            let (da, db) = (sha256(&a), sha256(&b));
            let ch = Change::default();
            let rules = EnvironmentRules::default();
            let t = now() - time::Duration::minutes(1);
            let c = ok(approval(&who, &who, &da, "prod", &policy_digest(), t));
            let (_, n) = assess(std::slice::from_ref(&c), &ctx(&ch, &rules, &db));
            prop_assert_eq!(n, 0);
            let (_, n) = assess(&[c], &ctx(&ch, &rules, &da));
            prop_assert_eq!(n, 1);
        }
    }
}
