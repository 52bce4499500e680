//! `ci/dependabot-cooldown`: Dependabot updates without a cooldown of at least 7 days.

use crate::doc::{Audit, Doc, DocKind, Info};
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/dependabot-cooldown",
    name: "Dependabot without cooldown",
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "A Dependabot update entry has no `cooldown` (or fewer than 7 `default-days`), so freshly published, possibly malicious releases are proposed at once.",
    docs: r#"Most malicious package releases are found and pulled within days. A cooldown makes
Dependabot wait before proposing a new version, so a compromised release is unlikely to
reach your lockfile.

NOT OK:
```yaml
updates:
  - package-ecosystem: cargo
    directory: /
    schedule: { interval: weekly }
```

OK:
```yaml
    cooldown:
      default-days: 7
```"#,
    fix: "Add `cooldown: default-days: 7` (or more) to every update entry.",
    tags: &["SP-10", "SP-17"],
    zizmor: Some("dependabot-cooldown"),
};

pub struct DependabotCooldown;

impl Audit for DependabotCooldown {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Dependabot]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        let Some(updates) = doc.root.get("updates") else {
            return;
        };
        for (i, u) in updates.items().iter().enumerate() {
            let route = format!("updates[{i}]");
            match u.get("cooldown") {
                None => {
                    let at = u.get("package-ecosystem").unwrap_or(u);
                    let key = u.get_key("package-ecosystem").unwrap_or(u);
                    out.push(doc.finding_at(
                        &INFO,
                        key.start,
                        at.end,
                        &format!("{route}.package-ecosystem"),
                        "no cooldown: new releases are proposed immediately".into(),
                    ));
                }
                Some(c) => {
                    let days = c.get("default-days");
                    let n = days.and_then(|d| d.text().parse::<u32>().ok()).unwrap_or(0);
                    if n < 7 {
                        out.push(doc.finding(
                            &INFO,
                            days.unwrap_or(c),
                            &format!("{route}.cooldown.default-days"),
                            format!("cooldown default-days is {n} (less than 7)"),
                        ));
                    }
                }
            }
        }
    }
}
