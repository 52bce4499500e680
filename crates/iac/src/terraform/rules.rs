//! The Terraform rules (AWS first, then the GCP and Azure equivalents where the resource is
//! as common). Each is an [`Info`] with its documentation; [`check`] runs them over a module.

use super::{Attr, Block, File, Module, V, Val};
use crate::names;
use crate::rule::Info;
use tollgate_model::{Confidence, Finding, Severity};

pub static PUBLIC_BUCKET: Info = Info {
    id: "iac/tf-public-bucket",
    name: "Public storage bucket",
    severity: Severity::High,
    confidence: Confidence::High,
    summary: "An S3 bucket ACL grants public or any-AWS-user access, its public access block is turned off, or a GCS bucket is granted to `allUsers`/`allAuthenticatedUsers`.",
    docs: r#"Public buckets are the most common source of cloud data leaks. Reported: `acl =
"public-read"`, `"public-read-write"` or `"authenticated-read"` on `aws_s3_bucket` or
`aws_s3_bucket_acl`; `block_public_acls`, `block_public_policy`, `ignore_public_acls` or
`restrict_public_buckets = false` on `aws_s3_bucket_public_access_block`; a
`google_storage_bucket_iam_member`/`_binding` for `allUsers` or `allAuthenticatedUsers`.
References: checkov CKV_AWS_20/CKV_AWS_53–56, CKV_GCP_28, CIS AWS 2.1.5.

NOT OK:
```hcl
resource "aws_s3_bucket_acl" "logs" {
  bucket = aws_s3_bucket.logs.id
  acl    = "public-read"
}
```

OK:
```hcl
resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
```"#,
    fix: "Make the bucket private (`acl = \"private\"` or no ACL with object ownership enforced), enable all four public access block settings, and serve public content through a CDN with origin access control.",
    tags: &["SP-21", "CWE-284", "CIS-AWS-2.1.5"],
};

pub static OPEN_ADMIN_PORT: Info = Info {
    id: "iac/tf-open-admin-port",
    name: "Admin port or all ports open to the internet",
    severity: Severity::High,
    confidence: Confidence::High,
    summary: "A security group, firewall or network security rule admits 0.0.0.0/0 (or ::/0, `*`, `Internet`) to SSH (22), RDP (3389) or every port.",
    docs: r#"SSH and RDP exposed to the whole internet are brute-forced within minutes of creation and
are the entry point of most cloud intrusions; an all-ports rule exposes every service the
instance runs. Covered: `aws_security_group` `ingress` blocks, `aws_security_group_rule`
(`type = "ingress"`), `aws_vpc_security_group_ingress_rule`, `google_compute_firewall`
(`source_ranges`, `allow`), `azurerm_network_security_rule` and the `security_rule` blocks
of `azurerm_network_security_group`. Ports given by a variable with a literal default are
resolved; otherwise the rule is silent. References: checkov CKV_AWS_24/CKV_AWS_25,
CKV_GCP_2/CKV_GCP_3, CKV_AZURE_9/CKV_AZURE_10, CIS AWS 5.2/5.3.

NOT OK:
```hcl
ingress {
  from_port   = 22
  to_port     = 22
  protocol    = "tcp"
  cidr_blocks = ["0.0.0.0/0"]
}
```

OK:
```hcl
ingress {
  from_port   = 22
  to_port     = 22
  protocol    = "tcp"
  cidr_blocks = ["10.20.0.0/16"]
}
```"#,
    fix: "Restrict the source to known ranges (a VPN or bastion), or remove the rule and use a session manager (AWS SSM, GCP IAP, Azure Bastion).",
    tags: &["SP-21", "CWE-284", "CIS-AWS-5.2"],
};

pub static UNENCRYPTED: Info = Info {
    id: "iac/tf-unencrypted-storage",
    name: "Storage not encrypted at rest",
    severity: Severity::High,
    confidence: Confidence::Medium,
    summary: "An EBS volume, RDS instance/cluster, EFS file system or Redshift cluster is not encrypted (`encrypted`/`storage_encrypted` false or absent), or an S3 bucket has no server-side encryption configuration.",
    docs: r#"Unencrypted volumes and databases leak through snapshots shared by mistake, decommissioned
hardware and backups copied across accounts; encryption with KMS also gives an audit
trail of every key use. An absent `encrypted`/`storage_encrypted` is reported too (the
default is unencrypted unless the account enables default EBS encryption). S3 encrypts
new objects with SSE-S3 by default since January 2023, so an S3 bucket without a
`server_side_encryption_configuration` (inline or as an
`aws_s3_bucket_server_side_encryption_configuration` in the same module) is reported at
low severity. References: checkov CKV_AWS_3, CKV_AWS_16, CKV_AWS_19, CKV_AWS_42,
CKV_AWS_64, CIS AWS 2.2.1/2.3.1.

NOT OK:
```hcl
resource "aws_db_instance" "main" {
  engine            = "postgres"
  storage_encrypted = false
}
```

OK:
```hcl
resource "aws_db_instance" "main" {
  engine            = "postgres"
  storage_encrypted = true
  kms_key_id        = aws_kms_key.db.arn
}
```"#,
    fix: "Set `encrypted = true` / `storage_encrypted = true` (with a customer-managed `kms_key_id` where policy asks), and give S3 buckets a server-side encryption configuration.",
    tags: &["SP-21", "CWE-311", "CIS-AWS-2.2.1"],
};

pub static PUBLIC_SUBNET: Info = Info {
    id: "iac/tf-public-subnet",
    name: "Public IP addresses assigned automatically",
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "An `aws_subnet` sets `map_public_ip_on_launch = true`, or an instance or launch template sets `associate_public_ip_address = true`.",
    docs: r#"Every instance launched in such a subnet is reachable from the internet as soon as a
security group allows it; sensitive services belong in private subnets behind a load
balancer or NAT. The seeds' checklist asks to "disallow public subnet creation for
sensitive services". References: checkov CKV_AWS_130, CKV_AWS_88.

NOT OK:
```hcl
resource "aws_subnet" "app" {
  vpc_id                  = aws_vpc.main.id
  map_public_ip_on_launch = true
}
```

OK:
```hcl
resource "aws_subnet" "app" {
  vpc_id = aws_vpc.main.id
}
```"#,
    fix: "Remove `map_public_ip_on_launch`/`associate_public_ip_address`; put internet-facing entry points (load balancers) in public subnets and everything else in private ones.",
    tags: &["SP-21", "CWE-668"],
};

pub static PUBLIC_DATABASE: Info = Info {
    id: "iac/tf-public-database",
    name: "Database publicly accessible",
    severity: Severity::High,
    confidence: Confidence::High,
    summary: "An `aws_db_instance` or `aws_rds_cluster_instance` sets `publicly_accessible = true`.",
    docs: r#"A publicly accessible database gets a public DNS name and IP address; one permissive
security group rule away from the internet, and credential stuffing against it is cheap.
References: checkov CKV_AWS_17, CIS AWS 2.3.3.

NOT OK:
```hcl
resource "aws_db_instance" "main" {
  publicly_accessible = true
}
```

OK:
```hcl
resource "aws_db_instance" "main" {
  publicly_accessible  = false
  db_subnet_group_name = aws_db_subnet_group.private.name
}
```"#,
    fix: "Set `publicly_accessible = false` and place the database in private subnets; reach it through a bastion, VPN or the application tier.",
    tags: &["SP-21", "CWE-668", "CIS-AWS-2.3.3"],
};

pub static IAM_WILDCARD: Info = Info {
    id: "iac/tf-iam-wildcard",
    name: "IAM policy allows * on *",
    severity: Severity::High,
    confidence: Confidence::High,
    summary: "An IAM policy statement allows every action (`*`) on every resource (`*`): full administrator rights.",
    docs: r#"Whoever holds a role or user with `Action = "*"` on `Resource = "*"` controls the account,
including IAM itself (so they can grant themselves anything else and erase trails).
Read from `policy` of `aws_iam_policy`, `aws_iam_role_policy`, `aws_iam_user_policy`,
`aws_iam_group_policy` and inline `inline_policy` blocks (JSON strings, heredocs and
`jsonencode({...})`), and from `statement` blocks of `data "aws_iam_policy_document"`.
References: checkov CKV_AWS_1, CKV_AWS_62, CKV_AWS_63, CIS AWS 1.16.

NOT OK:
```hcl
policy = jsonencode({
  Version   = "2012-10-17"
  Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
})
```

OK:
```hcl
policy = jsonencode({
  Version   = "2012-10-17"
  Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = ["arn:aws:s3:::logs/*"] }]
})
```"#,
    fix: "List the actions and resources the principal needs (IAM Access Analyzer can generate a policy from CloudTrail activity); keep administrator access to break-glass roles.",
    tags: &["SP-21", "SP-05", "CWE-269", "CIS-AWS-1.16"],
};

pub static PROVIDER_CREDENTIALS: Info = Info {
    id: "iac/tf-hardcoded-credentials",
    name: "Credentials hard-coded in a provider block",
    severity: Severity::Critical,
    confidence: Confidence::High,
    summary: "A `provider` block sets an access key, secret key, token, password or client secret to a literal value.",
    docs: r#"Credentials in `.tf` files end up in Git history, plan files, CI logs and every clone; cloud
keys found in public repositories are used by attackers within minutes. Reported for
`access_key`, `secret_key`, `token`, `password`, `client_secret`, `client_certificate_password`,
`access_token`, inline `credentials` JSON and any attribute whose name says it is a secret,
when the value is a literal (a `var.` reference is fine; a variable's literal default is
resolved and reported). The value is shown redacted. References: checkov CKV_AWS_41.

NOT OK:
```hcl
provider "aws" {
  region     = "eu-west-1"
  access_key = "AKIAIOSFODNN7EXAMPLE"
  secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
}
```

OK:
```hcl
provider "aws" {
  region = "eu-west-1"
  # credentials from the environment, an instance profile or OIDC federation
}
```"#,
    fix: "Remove the value and rotate it; let the provider read credentials from the environment, a profile, workload identity or OIDC federation in CI.",
    tags: &["SP-21", "SP-07", "CWE-798"],
};

pub static ACCESS_KEY: Info = Info {
    id: "iac/tf-long-lived-key",
    name: "Long-lived cloud access key created",
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "An `aws_iam_access_key` or `google_service_account_key` resource creates a static credential, which also lands in the Terraform state.",
    docs: r#"Static keys do not expire, are copied into CI settings and laptops, and the secret is
written to the Terraform state file in plain text. Roles, workload identity and OIDC
federation give short-lived credentials instead. References: CIS AWS 1.12/1.14, CIS GCP
1.4.

NOT OK:
```hcl
resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
}
```

OK:
```hcl
resource "aws_iam_role" "ci" {
  assume_role_policy = data.aws_iam_policy_document.github_oidc.json
}
```"#,
    fix: "Replace the key with a role assumed through OIDC federation or workload identity; if a key is unavoidable, create it outside Terraform and rotate it.",
    tags: &["SP-21", "SP-07", "CWE-798", "CIS-AWS-1.14"],
};

/// Every Terraform rule.
pub fn infos() -> Vec<&'static Info> {
    vec![
        &PUBLIC_BUCKET,
        &OPEN_ADMIN_PORT,
        &UNENCRYPTED,
        &PUBLIC_SUBNET,
        &PUBLIC_DATABASE,
        &IAM_WILDCARD,
        &PROVIDER_CREDENTIALS,
        &ACCESS_KEY,
    ]
}

/// Runs every rule over a module.
pub fn check(m: &Module<'_>, out: &mut Vec<Finding>) {
    // Buckets given an encryption configuration by a separate resource anywhere in the module.
    let sse_targets: Vec<String> = m
        .files
        .iter()
        .flat_map(|f| &f.blocks)
        .filter(|b| {
            b.kind == "resource"
                && b.type_and_name().0 == "aws_s3_bucket_server_side_encryption_configuration"
        })
        .filter_map(|b| match &b.get("bucket")?.val {
            Val::Ref(r) | Val::Expr(r) => Some(r.clone()),
            Val::Str(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    for f in &m.files {
        for b in &f.blocks {
            let (ty, name) = b.type_and_name();
            match b.kind.as_str() {
                "resource" => {
                    let route = format!("{ty}.{name}");
                    let cx = Cx {
                        m,
                        f,
                        route: &route,
                    };
                    public_bucket(&cx, ty, b, out);
                    open_admin_port(&cx, ty, b, out);
                    unencrypted(&cx, ty, name, b, &sse_targets, out);
                    public_ip(&cx, ty, b, out);
                    iam_resource(&cx, ty, b, out);
                    if matches!(ty, "aws_iam_access_key" | "google_service_account_key") {
                        let (s, e) = cx.block_head(b);
                        out.push(cx.at(
                            &ACCESS_KEY,
                            s,
                            e,
                            "",
                            format!("`{ty}` creates a long-lived key"),
                        ));
                    }
                }
                "data" if ty == "aws_iam_policy_document" => {
                    let route = format!("data.{ty}.{name}");
                    let cx = Cx {
                        m,
                        f,
                        route: &route,
                    };
                    for (i, st) in b.nested("statement").enumerate() {
                        iam_statement_block(&cx, i, st, out);
                    }
                }
                "provider" => {
                    let route = format!("provider.{ty}");
                    let cx = Cx {
                        m,
                        f,
                        route: &route,
                    };
                    provider_credentials(&cx, b, out);
                }
                _ => {}
            }
        }
    }
}

/// The file, module and route prefix a check reports in.
struct Cx<'a, 'm> {
    m: &'a Module<'m>,
    f: &'a File<'m>,
    route: &'a str,
}

impl Cx<'_, '_> {
    fn at(&self, info: &Info, start: usize, end: usize, sub: &str, msg: String) -> Finding {
        let route = if sub.is_empty() {
            self.route.to_string()
        } else {
            format!("{}.{sub}", self.route)
        };
        self.f.src.finding(info, start, end, &route, msg)
    }
    fn attr(&self, info: &Info, a: &Attr, msg: String) -> Finding {
        self.at(info, a.start, a.end, &a.key, msg)
    }
    /// The attribute's value, resolved through variables and locals.
    fn val<'v>(&'v self, b: &'v Block, key: &str) -> Option<&'v V> {
        b.get(key).map(|v| self.m.resolve(v))
    }
    fn bool(&self, b: &Block, key: &str) -> Option<bool> {
        self.val(b, key).and_then(|v| v.bool())
    }
    fn block_head(&self, b: &Block) -> (usize, usize) {
        let text = self.f.src.text;
        let end = text[b.start.min(text.len())..]
            .find('{')
            .map(|i| b.start + i + 1)
            .unwrap_or(b.end);
        (b.start, end.min(b.end.max(b.start)))
    }
}

const PUBLIC_ACLS: &[&str] = &["public-read", "public-read-write", "authenticated-read"];

fn public_bucket(cx: &Cx<'_, '_>, ty: &str, b: &Block, out: &mut Vec<Finding>) {
    match ty {
        "aws_s3_bucket" | "aws_s3_bucket_acl" => {
            if let (Some(a), Some(v)) = (b.attr("acl"), cx.val(b, "acl"))
                && let Some(acl) = v.str().filter(|s| PUBLIC_ACLS.contains(s))
            {
                out.push(cx.attr(&PUBLIC_BUCKET, a, format!("bucket ACL `{acl}` is public")));
            }
        }
        "aws_s3_bucket_public_access_block" => {
            for key in [
                "block_public_acls",
                "block_public_policy",
                "ignore_public_acls",
                "restrict_public_buckets",
            ] {
                if let Some(a) = b.attr(key)
                    && cx.bool(b, key) == Some(false)
                {
                    out.push(cx.attr(
                        &PUBLIC_BUCKET,
                        a,
                        format!("public access block has `{key} = false`"),
                    ));
                }
            }
        }
        "google_storage_bucket_iam_member" | "google_storage_bucket_iam_binding" => {
            for key in ["member", "members"] {
                if let (Some(a), Some(v)) = (b.attr(key), cx.val(b, key))
                    && let Some(who) = v
                        .strings()
                        .into_iter()
                        .find(|m| *m == "allUsers" || *m == "allAuthenticatedUsers")
                {
                    out.push(cx.attr(&PUBLIC_BUCKET, a, format!("bucket is granted to `{who}`")));
                }
            }
        }
        _ => {}
    }
}

fn world(s: &str) -> bool {
    matches!(
        s.trim(),
        "0.0.0.0/0" | "::/0" | "*" | "Internet" | "Any" | "any" | "internet"
    )
}

/// What a port range exposes: `Some("SSH (22)")`, `Some("every port")` or `None`.
fn exposed(from: i64, to: i64) -> Option<String> {
    let (from, to) = (from.min(to), from.max(to));
    if (from <= 0 && to >= 65535) || (from == -1 && to == -1) {
        return Some("every port".into());
    }
    let mut hit = Vec::new();
    if from <= 22 && 22 <= to {
        hit.push("SSH (22)");
    }
    if from <= 3389 && 3389 <= to {
        hit.push("RDP (3389)");
    }
    (!hit.is_empty()).then(|| hit.join(" and "))
}

/// `"22"`, `"1000-2000"`, `"*"` → (from, to).
fn port_range(s: &str) -> Option<(i64, i64)> {
    let s = s.trim();
    if s == "*" {
        return Some((0, 65535));
    }
    match s.split_once('-') {
        Some((a, b)) => Some((a.trim().parse().ok()?, b.trim().parse().ok()?)),
        None => s.parse().ok().map(|p| (p, p)),
    }
}

fn all_protocols(p: Option<&V>) -> bool {
    p.and_then(|v| {
        v.str()
            .map(str::to_string)
            .or_else(|| v.num().map(|n| n.to_string()))
    })
    .is_some_and(|p| p == "-1" || p.eq_ignore_ascii_case("all") || p == "*")
}

/// An AWS ingress rule (block or resource): cidr lists and from/to ports.
fn aws_ingress(cx: &Cx<'_, '_>, r: &Block, cidr_keys: &[&str], proto_key: &str) -> Option<String> {
    let open = cidr_keys.iter().any(|k| {
        cx.val(r, k)
            .is_some_and(|v| v.strings().into_iter().any(world))
    });
    if !open {
        return None;
    }
    if all_protocols(cx.val(r, proto_key)) {
        return Some("every port".into());
    }
    let from = cx.val(r, "from_port")?.num()?;
    let to = cx.val(r, "to_port")?.num()?;
    exposed(from, to)
}

fn open_admin_port(cx: &Cx<'_, '_>, ty: &str, b: &Block, out: &mut Vec<Finding>) {
    let mut report = |start: usize, end: usize, sub: String, what: String| {
        out.push(cx.at(
            &OPEN_ADMIN_PORT,
            start,
            end,
            &sub,
            format!("{what} open to the internet"),
        ));
    };
    match ty {
        "aws_security_group" => {
            for (i, r) in b.nested("ingress").enumerate() {
                if let Some(what) =
                    aws_ingress(cx, r, &["cidr_blocks", "ipv6_cidr_blocks"], "protocol")
                {
                    let (s, e) = cx.block_head(r);
                    report(s, e, format!("ingress[{i}]"), what);
                }
            }
        }
        "aws_security_group_rule" => {
            if cx.val(b, "type").and_then(|v| v.str()) == Some("ingress")
                && let Some(what) =
                    aws_ingress(cx, b, &["cidr_blocks", "ipv6_cidr_blocks"], "protocol")
            {
                let (s, e) = cx.block_head(b);
                report(s, e, String::new(), what);
            }
        }
        "aws_vpc_security_group_ingress_rule" => {
            if let Some(what) = aws_ingress(cx, b, &["cidr_ipv4", "cidr_ipv6"], "ip_protocol") {
                let (s, e) = cx.block_head(b);
                report(s, e, String::new(), what);
            }
        }
        "google_compute_firewall" => {
            let ingress = cx
                .val(b, "direction")
                .and_then(|v| v.str())
                .is_none_or(|d| d.eq_ignore_ascii_case("INGRESS"));
            let open = cx
                .val(b, "source_ranges")
                .is_some_and(|v| v.strings().into_iter().any(world));
            if !(ingress && open) {
                return;
            }
            for (i, a) in b.nested("allow").enumerate() {
                let what = if all_protocols(cx.val(a, "protocol")) {
                    Some("every port".to_string())
                } else {
                    match cx.val(a, "ports") {
                        None => Some("every port".to_string()),
                        Some(p) => p
                            .strings()
                            .into_iter()
                            .filter_map(port_range)
                            .find_map(|(f, t)| exposed(f, t)),
                    }
                };
                if let Some(what) = what {
                    let (s, e) = cx.block_head(a);
                    report(s, e, format!("allow[{i}]"), what);
                }
            }
        }
        "azurerm_network_security_rule" | "azurerm_network_security_group" => {
            let rules: Vec<(String, &Block)> = if ty == "azurerm_network_security_rule" {
                vec![(String::new(), b)]
            } else {
                b.nested("security_rule")
                    .enumerate()
                    .map(|(i, r)| (format!("security_rule[{i}]"), r))
                    .collect()
            };
            for (sub, r) in rules {
                let s = |k: &str| cx.val(r, k).and_then(|v| v.str()).unwrap_or("").to_string();
                if !s("direction").eq_ignore_ascii_case("Inbound")
                    || !s("access").eq_ignore_ascii_case("Allow")
                {
                    continue;
                }
                let open = world(&s("source_address_prefix"))
                    || cx
                        .val(r, "source_address_prefixes")
                        .is_some_and(|v| v.strings().into_iter().any(world));
                if !open {
                    continue;
                }
                let mut ports: Vec<String> = Vec::new();
                if let Some(v) = cx.val(r, "destination_port_range") {
                    ports.extend(v.strings().into_iter().map(str::to_string));
                }
                if let Some(v) = cx.val(r, "destination_port_ranges") {
                    ports.extend(v.strings().into_iter().map(str::to_string));
                }
                if let Some(what) = ports
                    .iter()
                    .filter_map(|p| port_range(p))
                    .find_map(|(f, t)| exposed(f, t))
                {
                    let (st, e) = cx.block_head(r);
                    report(st, e, sub, what);
                }
            }
        }
        _ => {}
    }
}

/// (resource type, attribute, a missing attribute counts as unencrypted).
const ENCRYPTION: &[(&str, &str)] = &[
    ("aws_ebs_volume", "encrypted"),
    ("aws_db_instance", "storage_encrypted"),
    ("aws_rds_cluster", "storage_encrypted"),
    ("aws_efs_file_system", "encrypted"),
    ("aws_redshift_cluster", "encrypted"),
];

fn unencrypted(
    cx: &Cx<'_, '_>,
    ty: &str,
    name: &str,
    b: &Block,
    sse_targets: &[String],
    out: &mut Vec<Finding>,
) {
    if let Some((_, key)) = ENCRYPTION.iter().find(|(t, _)| *t == ty) {
        // A read replica or a cluster member inherits encryption from its source.
        if b.get("replicate_source_db").is_some() || b.get("snapshot_identifier").is_some() {
            return;
        }
        match (b.attr(key), cx.bool(b, key)) {
            (Some(a), Some(false)) => {
                out.push(cx.attr(&UNENCRYPTED, a, format!("`{ty}` sets `{key} = false`")));
            }
            (None, _) => {
                let (s, e) = cx.block_head(b);
                out.push(cx.at(
                    &UNENCRYPTED,
                    s,
                    e,
                    key,
                    format!("`{ty}` does not set `{key} = true`"),
                ));
            }
            _ => {}
        }
    }
    if ty == "aws_s3_bucket" {
        let inline = b
            .nested("server_side_encryption_configuration")
            .next()
            .is_some();
        let me = format!("aws_s3_bucket.{name}.");
        let bucket_name = cx
            .val(b, "bucket")
            .and_then(|v| v.str())
            .map(str::to_string);
        let separate = sse_targets
            .iter()
            .any(|t| t.starts_with(&me) || bucket_name.as_deref().is_some_and(|n| t == n));
        if !inline && !separate {
            let (s, e) = cx.block_head(b);
            out.push(cx.f.src.finding_sev(
                &UNENCRYPTED,
                Severity::Low,
                s,
                e,
                &format!("{}.server_side_encryption_configuration", cx.route),
                "S3 bucket has no server-side encryption configuration in this module".into(),
            ));
        }
    }
}

fn public_ip(cx: &Cx<'_, '_>, ty: &str, b: &Block, out: &mut Vec<Finding>) {
    let flag =
        |out: &mut Vec<Finding>, info: &Info, blk: &Block, key: &str, sub: &str, msg: &str| {
            if let Some(a) = blk.attr(key)
                && cx.bool(blk, key) == Some(true)
            {
                let s = if sub.is_empty() {
                    key.to_string()
                } else {
                    format!("{sub}.{key}")
                };
                out.push(cx.at(info, a.start, a.end, &s, msg.to_string()));
            }
        };
    match ty {
        "aws_subnet" => flag(
            out,
            &PUBLIC_SUBNET,
            b,
            "map_public_ip_on_launch",
            "",
            "subnet gives every instance a public IP",
        ),
        "aws_instance" => flag(
            out,
            &PUBLIC_SUBNET,
            b,
            "associate_public_ip_address",
            "",
            "instance gets a public IP",
        ),
        "aws_launch_template" => {
            for (i, n) in b.nested("network_interfaces").enumerate() {
                flag(
                    out,
                    &PUBLIC_SUBNET,
                    n,
                    "associate_public_ip_address",
                    &format!("network_interfaces[{i}]"),
                    "launch template gives instances a public IP",
                );
            }
        }
        "aws_db_instance" | "aws_rds_cluster_instance" => flag(
            out,
            &PUBLIC_DATABASE,
            b,
            "publicly_accessible",
            "",
            "database is publicly accessible",
        ),
        _ => {}
    }
}

const IAM_POLICY_RESOURCES: &[&str] = &[
    "aws_iam_policy",
    "aws_iam_role_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
];

fn iam_resource(cx: &Cx<'_, '_>, ty: &str, b: &Block, out: &mut Vec<Finding>) {
    if IAM_POLICY_RESOURCES.contains(&ty)
        && let Some(a) = b.attr("policy")
    {
        iam_policy_value(cx, a, "policy", out);
    }
    if ty == "aws_iam_role" {
        for (i, ip) in b.nested("inline_policy").enumerate() {
            if let Some(a) = ip.attr("policy") {
                iam_policy_value(cx, a, &format!("inline_policy[{i}].policy"), out);
            }
        }
    }
}

/// `Action`/`Resource` as a list of strings, from JSON.
fn json_strings(v: Option<&serde_json::Value>) -> Vec<String> {
    match v {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn star(a: &str) -> bool {
    a == "*" || a == "*:*"
}

fn iam_policy_value(cx: &Cx<'_, '_>, a: &Attr, sub: &str, out: &mut Vec<Finding>) {
    let v = cx.m.resolve(&a.value);
    match &v.val {
        // jsonencode({...}): walk the HCL value, which keeps positions.
        Val::Call(f, args) if f == "jsonencode" => {
            let Some(doc) = args.first() else { return };
            let stmts = doc
                .get("Statement")
                .map(|s| match &s.val {
                    Val::List(l) => l.iter().collect::<Vec<_>>(),
                    _ => vec![s],
                })
                .unwrap_or_default();
            for (i, st) in stmts.into_iter().enumerate() {
                let effect = st.get("Effect").and_then(|e| e.str()).unwrap_or("Allow");
                let action = st.get("Action");
                let res = st.get("Resource");
                if effect == "Allow"
                    && action.is_some_and(|x| x.strings().into_iter().any(star))
                    && res.is_some_and(|x| x.strings().into_iter().any(star))
                {
                    let at = action.unwrap_or(st);
                    out.push(cx.at(
                        &IAM_WILDCARD,
                        at.start,
                        at.end,
                        &format!("{sub}.Statement[{i}]"),
                        "policy allows every action on every resource".into(),
                    ));
                }
            }
        }
        // A JSON string or heredoc: the finding is on the attribute.
        Val::Str(s) => {
            let Ok(doc) = serde_json::from_str::<serde_json::Value>(s) else {
                return;
            };
            let stmts = match doc.get("Statement") {
                Some(serde_json::Value::Array(a)) => a.clone(),
                Some(o) => vec![o.clone()],
                None => Vec::new(),
            };
            for (i, st) in stmts.iter().enumerate() {
                let effect = st.get("Effect").and_then(|e| e.as_str()).unwrap_or("Allow");
                if effect == "Allow"
                    && json_strings(st.get("Action")).iter().any(|x| star(x))
                    && json_strings(st.get("Resource")).iter().any(|x| star(x))
                {
                    out.push(cx.at(
                        &IAM_WILDCARD,
                        a.start,
                        a.end,
                        &format!("{sub}.Statement[{i}]"),
                        "policy allows every action on every resource".into(),
                    ));
                }
            }
        }
        _ => {}
    }
}

fn iam_statement_block(cx: &Cx<'_, '_>, i: usize, st: &Block, out: &mut Vec<Finding>) {
    let effect = cx
        .val(st, "effect")
        .and_then(|v| v.str())
        .unwrap_or("Allow");
    let actions = cx.val(st, "actions");
    let resources = cx.val(st, "resources");
    if effect == "Allow"
        && actions.is_some_and(|v| v.strings().into_iter().any(star))
        && resources.is_some_and(|v| v.strings().into_iter().any(star))
    {
        let a = st
            .attr("actions")
            .map(|a| (a.start, a.end))
            .unwrap_or((st.start, st.end));
        out.push(cx.at(
            &IAM_WILDCARD,
            a.0,
            a.1,
            &format!("statement[{i}]"),
            "policy document allows every action on every resource".into(),
        ));
    }
}

const PROVIDER_SECRET_KEYS: &[&str] = &[
    "access_key",
    "secret_key",
    "token",
    "password",
    "client_secret",
    "client_certificate_password",
    "access_token",
    "api_key",
    "api_token",
    "credentials",
];

fn provider_credentials(cx: &Cx<'_, '_>, b: &Block, out: &mut Vec<Finding>) {
    for a in &b.attrs {
        let named =
            PROVIDER_SECRET_KEYS.contains(&a.key.as_str()) || names::secret_like_name(&a.key);
        if !named {
            continue;
        }
        let v = cx.m.resolve(&a.value);
        let Some(s) = v.str() else { continue };
        // `credentials` also takes a file path; only inline JSON is a secret.
        if a.key == "credentials" && !s.trim_start().starts_with('{') {
            continue;
        }
        if !names::literal_secret_value(s) {
            continue;
        }
        let route = format!("{}.{}", cx.route, a.key);
        out.push(cx.f.src.secret_finding(
            &PROVIDER_CREDENTIALS,
            a.start,
            a.end,
            &route,
            format!("provider sets `{}` to a literal value", a.key),
            s,
        ));
    }
}
