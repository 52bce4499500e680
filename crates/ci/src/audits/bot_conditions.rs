//! `ci/bot-conditions`: `if:` trusting `github.actor` to be a bot.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use crate::yaml::Node;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/bot-conditions",
    name: "Spoofable bot condition",
    severity: Severity::High,
    confidence: Confidence::Medium,
    summary: "An `if:` compares `github.actor` (or `triggering_actor`) with a bot name such as `dependabot[bot]`; the actor is whoever last acted, which an attacker can arrange.",
    docs: r#"`github.actor` is the user who caused the latest event, not the author of the code. An
attacker can open a pull request that a bot then updates (for example by asking Dependabot
to rebase), making `github.actor == 'dependabot[bot]'` true for the attacker's code.

NOT OK:
```yaml
if: github.actor == 'dependabot[bot]'
```

OK:
```yaml
if: github.event.pull_request.user.login == 'dependabot[bot]'
```"#,
    fix: "Check the pull request's author (`github.event.pull_request.user.login`) and the repository, not the actor.",
    tags: &["SP-23", "CWE-290"],
    zizmor: Some("bot-conditions"),
};

pub struct BotConditions;

fn check_if(doc: &Doc<'_>, n: &Node, route: &str, out: &mut Vec<Finding>) {
    // Index-style contexts (`github['ACTOR']`) read the same value as `github.actor`.
    let t = n
        .text()
        .to_ascii_lowercase()
        .replace("['", ".")
        .replace("[\"", ".")
        .replace("']", "")
        .replace("\"]", "");
    let actor = t.contains("github.actor") || t.contains("github.triggering_actor");
    // Only an equality trusts the actor; `!=` merely skips the bot.
    let trusts = ["github.actor_id", "github.actor", "github.triggering_actor"]
        .iter()
        .any(|a| {
            t.match_indices(a).any(|(i, _)| {
                let after = t[i + a.len()..].trim_start();
                let before = t[..i].trim_end();
                after.starts_with("==") || before.ends_with("==") || before.ends_with("contains(")
            })
        });
    // Bot accounts by name, or by the numeric ids of the common bots (dependabot[bot],
    // github-actions[bot], renovate[bot]) compared with `github.actor_id`.
    let bot = t.contains("[bot]")
        || ["49699333", "41898282", "29139614"]
            .iter()
            .any(|id| t.contains(id) && t.contains("actor_id"));
    if actor && trusts && bot {
        // A multi-line plain scalar is folded: search the source text it spans.
        let stop = (n.start + n.text().len() + 64 * n.text().lines().count()).min(doc.src.len());
        let raw = doc.src.get(n.start..stop).unwrap_or("");
        let at = raw
            .find("github.actor")
            .or_else(|| raw.find("github.triggering_actor"))
            .or_else(|| raw.find("github["))
            .map(|i| n.start + i)
            .unwrap_or(n.start);
        out.push(
            doc.finding_at(
                &INFO,
                at,
                n.end.max(at),
                route,
                "the actor context can be spoofed: it names who acted last, not who wrote the code"
                    .into(),
            ),
        );
    }
}

impl Audit for BotConditions {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (_, job) in model::jobs(doc.root) {
            if let Some(c) = job.node.get("if") {
                check_if(doc, c, &format!("{}.if", job.route), out);
            }
            for s in model::steps(job.node, &job.route) {
                if let Some(c) = s.node.get("if") {
                    check_if(doc, c, &format!("{}.if", s.route), out);
                }
            }
        }
    }
}
