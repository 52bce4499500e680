//! `ci/static-cloud-credentials`: long-lived cloud keys where the cloud offers OIDC.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use crate::yaml::Node;
use tollgate_model::{Confidence, Evidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/static-cloud-credentials",
    name: "Static cloud credentials instead of OIDC",
    severity: Severity::High,
    confidence: Confidence::High,
    summary: "A cloud login step uses a long-lived key (AWS access keys, a GCP service-account JSON key, Azure client secret) although the provider supports GitHub OIDC federation.",
    docs: r#"AWS, Google Cloud and Azure all accept the job's OIDC token in exchange for short-lived
credentials scoped to this repository, branch or environment. A stored access key works from
anywhere until rotated, and is the most common way CI compromises become cloud
compromises. Literal values are reported as critical (the key is in the file).

NOT OK:
```yaml
- uses: aws-actions/configure-aws-credentials@v4
  with:
    aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
    aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
```

OK:
```yaml
permissions:
  id-token: write
steps:
  - uses: aws-actions/configure-aws-credentials@v4
    with:
      role-to-assume: arn:aws:iam::123456789012:role/deploy
      aws-region: eu-west-1
```"#,
    fix: "Set up OIDC federation (AWS `role-to-assume`, GCP `workload_identity_provider`, Azure `client-id`/`tenant-id` without `creds`), grant `id-token: write`, and delete the stored key.",
    tags: &["SP-08", "SP-07", "CWE-798"],
    zizmor: None,
};

pub struct StaticCloudCredentials;

fn report(doc: &Doc<'_>, n: &Node, route: &str, what: &str, out: &mut Vec<Finding>) {
    let literal = !n.text().contains("${{");
    let mut f = doc.finding(
        &INFO,
        n,
        route,
        format!("{what} instead of OIDC federation"),
    );
    if literal && !n.text().is_empty() {
        f.severity = Severity::Critical;
        f.message.push_str(" (the value is written in the file)");
        let line = doc.line_text(n.start);
        f = f.with_evidence(Evidence::secret(&line, n.text()));
    }
    out.push(f);
}

impl Audit for StaticCloudCredentials {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow, DocKind::Action]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (_, step) in model::all_steps(doc.root) {
            let Some(a) = model::step_action(step.node) else {
                continue;
            };
            let with = step.node.get("with").unwrap_or(Node::null());
            let r = |k: &str| format!("{}.with.{k}", step.route);
            match a.as_str() {
                "aws-actions/configure-aws-credentials" if with.get("role-to-assume").is_none() => {
                    if let Some(k) = with.get("aws-secret-access-key") {
                        report(
                            doc,
                            k,
                            &r("aws-secret-access-key"),
                            "static AWS access key",
                            out,
                        );
                    } else if let Some(k) = with.get("aws-access-key-id") {
                        report(
                            doc,
                            k,
                            &r("aws-access-key-id"),
                            "static AWS access key",
                            out,
                        );
                    }
                }
                "google-github-actions/auth" => {
                    if let Some(k) = with.get("credentials_json") {
                        report(
                            doc,
                            k,
                            &r("credentials_json"),
                            "GCP service-account key",
                            out,
                        );
                    }
                }
                "azure/login" => {
                    if let Some(k) = with.get("creds") {
                        report(doc, k, &r("creds"), "Azure service-principal secret", out);
                    }
                }
                _ => {}
            }
        }
        // Cloud keys passed as environment variables to steps.
        let mut scalars = Vec::new();
        doc.root.walk_scalars("", &mut scalars);
        for (route, n) in scalars {
            let last = route.rsplit('.').next().unwrap_or("");
            if route.contains(".env.") || route.starts_with("env.") {
                let what = match last {
                    "AWS_SECRET_ACCESS_KEY" => "static AWS secret key in env",
                    "GOOGLE_CREDENTIALS" | "GCP_SA_KEY" | "GOOGLE_APPLICATION_CREDENTIALS_JSON" => {
                        "GCP service-account key in env"
                    }
                    "AZURE_CLIENT_SECRET" | "ARM_CLIENT_SECRET" => "Azure client secret in env",
                    _ => continue,
                };
                report(doc, n, &route, what, out);
            }
        }
    }
}
