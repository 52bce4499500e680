//! The Kubernetes rules, mapped to the Pod Security Standards (PSS) baseline and restricted
//! profiles. Each is an [`Info`] with its documentation; [`check_pod`] runs them on one pod
//! spec and its containers.

use super::{Container, Pod};
use crate::names::{self, Pin};
use crate::rule::{Info, Src};
use tollgate_model::{Confidence, Finding, Severity};
use tollgate_yaml::Node;

pub static PRIVILEGED: Info = Info {
    id: "iac/k8s-privileged",
    name: "Privileged container",
    severity: Severity::High,
    confidence: Confidence::High,
    summary: "A container sets `securityContext.privileged: true`: it has every capability and the host's devices.",
    docs: r#"A privileged container is root on the node in all but name: it can load kernel modules, mount
the host's disks and reach every device. PSS baseline forbids it ("Privileged
Containers"). References: checkov CKV_K8S_16, kube-linter privileged-container, CIS
Kubernetes 5.2.2.

NOT OK:
```yaml
containers:
  - name: app
    image: app@sha256:…
    securityContext:
      privileged: true
```

OK:
```yaml
    securityContext:
      privileged: false
      capabilities: {drop: [ALL]}
```"#,
    fix: "Remove `privileged: true`; grant the one capability the workload needs instead, or run the task in a dedicated node pool.",
    tags: &["SP-21", "PSS-baseline", "CWE-250", "CIS-K8s-5.2.2"],
};

pub static PRIV_ESCALATION: Info = Info {
    id: "iac/k8s-allow-privilege-escalation",
    name: "Privilege escalation allowed",
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "A container does not set `securityContext.allowPrivilegeEscalation: false`, so setuid binaries can raise its privileges.",
    docs: r#"Unless `allowPrivilegeEscalation` is `false`, the kernel's `no_new_privs` flag is not set
and a setuid-root binary in the image (su, sudo, ping on old images) gives its caller
root. The field defaults to allowing escalation. PSS restricted requires `false`
("Privilege Escalation"). References: checkov CKV_K8S_20, CIS Kubernetes 5.2.5.

NOT OK:
```yaml
containers:
  - name: app
    image: app@sha256:…
```

OK:
```yaml
containers:
  - name: app
    image: app@sha256:…
    securityContext:
      allowPrivilegeEscalation: false
```"#,
    fix: "Set `securityContext.allowPrivilegeEscalation: false` on every container.",
    tags: &["SP-21", "PSS-restricted", "CWE-269", "CIS-K8s-5.2.5"],
};

pub static RUN_AS_NON_ROOT: Info = Info {
    id: "iac/k8s-run-as-non-root",
    name: "Container may run as root",
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "Neither the container nor the pod sets `runAsNonRoot: true`, or one sets `runAsUser: 0`.",
    docs: r#"Without `runAsNonRoot: true` the kubelet starts the image's default user, which is root for
most images; `runAsUser: 0` asks for root outright. PSS restricted requires
`runAsNonRoot: true` at pod or container level and forbids `runAsUser: 0`
("Running as Non-root", "Running as Non-root user"). A container's setting overrides the
pod's. References: checkov CKV_K8S_23/CKV_K8S_40, CIS Kubernetes 5.2.6.

NOT OK:
```yaml
spec:
  containers:
    - name: app
      image: app@sha256:…
```

OK:
```yaml
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
  containers:
    - name: app
      image: app@sha256:…
```"#,
    fix: "Set `securityContext.runAsNonRoot: true` (pod or container) and a non-zero `runAsUser`; build the image with a numeric non-root `USER`.",
    tags: &["SP-21", "PSS-restricted", "CWE-250", "CIS-K8s-5.2.6"],
};

pub static HOST_NAMESPACES: Info = Info {
    id: "iac/k8s-host-namespaces",
    name: "Host namespaces shared",
    severity: Severity::High,
    confidence: Confidence::High,
    summary: "The pod sets `hostNetwork`, `hostPID` or `hostIPC` to true, sharing the node's network, process or IPC namespace.",
    docs: r#"With `hostPID` a container sees (and with enough privilege, ptraces) every process on the
node; `hostNetwork` puts it on the node's interfaces, past NetworkPolicies, able to reach
the kubelet and metadata endpoints; `hostIPC` shares memory segments. PSS baseline
forbids all three ("Host Namespaces"). References: checkov CKV_K8S_17/18/19, CIS Kubernetes
5.2.3/5.2.4/5.2.5.

NOT OK:
```yaml
spec:
  hostNetwork: true
  hostPID: true
```

OK:
```yaml
spec:
  hostNetwork: false
```"#,
    fix: "Remove `hostNetwork`/`hostPID`/`hostIPC`; expose ports through a Service, and run node agents in a dedicated, separately reviewed namespace.",
    tags: &["SP-21", "PSS-baseline", "CWE-653", "CIS-K8s-5.2.4"],
};

pub static HOST_PATH: Info = Info {
    id: "iac/k8s-host-path",
    name: "hostPath volume",
    severity: Severity::High,
    confidence: Confidence::High,
    summary: "The pod mounts a `hostPath` volume: a directory of the node's filesystem.",
    docs: r#"A hostPath mount reaches the node's files: `/var/run/docker.sock` or the containerd socket
is root on the node, `/etc` or `/var/lib/kubelet` holds credentials. PSS baseline forbids
hostPath volumes ("HostPath Volumes"). References: kube-linter host-mounts, CIS
Kubernetes 5.2.12.

NOT OK:
```yaml
volumes:
  - name: sock
    hostPath: {path: /var/run/docker.sock}
```

OK:
```yaml
volumes:
  - name: cache
    emptyDir: {}
```"#,
    fix: "Use `emptyDir`, a PersistentVolumeClaim, a ConfigMap/Secret or a CSI volume instead of `hostPath`.",
    tags: &["SP-21", "PSS-baseline", "CWE-668", "CIS-K8s-5.2.12"],
};

pub static HOST_PORTS: Info = Info {
    id: "iac/k8s-host-port",
    name: "hostPort used",
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "A container port sets `hostPort`, binding the port on the node's own interfaces.",
    docs: r#"A hostPort bypasses Services and NetworkPolicies, ties the pod to nodes where the port is
free, and exposes the workload on every address of the node. PSS baseline disallows host
ports ("Host Ports"). References: checkov CKV_K8S_26, kube-linter host-port.

NOT OK:
```yaml
ports:
  - containerPort: 8080
    hostPort: 8080
```

OK:
```yaml
ports:
  - containerPort: 8080
```"#,
    fix: "Remove `hostPort` and expose the port through a Service (ClusterIP, or a LoadBalancer/Ingress when it must be public).",
    tags: &["SP-21", "PSS-baseline", "CWE-668"],
};

pub static CAPS_ADD: Info = Info {
    id: "iac/k8s-dangerous-capabilities",
    name: "Dangerous capability added",
    severity: Severity::High,
    confidence: Confidence::High,
    summary: "A container adds a Linux capability outside the PSS baseline set (`SYS_ADMIN`, `NET_ADMIN`, `ALL`, `SYS_PTRACE`…).",
    docs: r#"`SYS_ADMIN` is nearly root (mounts, namespaces, BPF), `NET_ADMIN` rewrites the node's
view of the network inside the pod, `SYS_PTRACE` reads other processes, `ALL` is all of
them. PSS baseline allows adding only AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID,
KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID and SYS_CHROOT; restricted
allows only NET_BIND_SERVICE ("Capabilities"). References: checkov CKV_K8S_25/CKV_K8S_39,
CIS Kubernetes 5.2.8/5.2.9.

NOT OK:
```yaml
securityContext:
  capabilities:
    add: [SYS_ADMIN]
```

OK:
```yaml
securityContext:
  capabilities:
    drop: [ALL]
    add: [NET_BIND_SERVICE]
```"#,
    fix: "Remove the capability; find the narrower one the program needs, or move the privileged work out of the workload.",
    tags: &["SP-21", "PSS-baseline", "CWE-250", "CIS-K8s-5.2.9"],
};

pub static CAPS_DROP: Info = Info {
    id: "iac/k8s-capabilities-not-dropped",
    name: "Capabilities not dropped",
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "A container does not drop `ALL` capabilities, so it keeps the runtime's default set (CHOWN, DAC_OVERRIDE, NET_RAW…).",
    docs: r#"The default capability set of container runtimes includes NET_RAW (packet spoofing inside
the cluster network) and DAC_OVERRIDE. PSS restricted requires `drop: [ALL]`
("Capabilities"), adding back NET_BIND_SERVICE at most. References: checkov CKV_K8S_28/
CKV_K8S_37, CIS Kubernetes 5.2.7.

NOT OK:
```yaml
securityContext:
  capabilities:
    drop: [NET_RAW]
```

OK:
```yaml
securityContext:
  capabilities:
    drop: [ALL]
```"#,
    fix: "Set `securityContext.capabilities.drop: [ALL]` on every container.",
    tags: &["SP-21", "PSS-restricted", "CWE-250", "CIS-K8s-5.2.7"],
};

pub static SECCOMP: Info = Info {
    id: "iac/k8s-seccomp",
    name: "No seccomp profile",
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "Neither pod nor container sets `seccompProfile.type` to `RuntimeDefault` or `Localhost` (or one sets `Unconfined`).",
    docs: r#"Without a seccomp profile the container can make every system call the kernel offers,
including the rarely used ones most kernel exploits go through. PSS baseline forbids
`Unconfined`; restricted requires `RuntimeDefault` or `Localhost` ("Seccomp"). References:
checkov CKV_K8S_31, CIS Kubernetes 5.7.2.

NOT OK:
```yaml
spec:
  containers:
    - name: app
      image: app@sha256:…
```

OK:
```yaml
spec:
  securityContext:
    seccompProfile: {type: RuntimeDefault}
```"#,
    fix: "Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod.",
    tags: &["SP-21", "PSS-restricted", "CWE-250", "CIS-K8s-5.7.2"],
};

pub static IMAGE_UNPINNED: Info = Info {
    id: "iac/k8s-image-unpinned",
    name: "Image not pinned by digest",
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "A container's `image` has a mutable tag, `latest` or no tag, instead of a digest.",
    docs: r#"A tag can be moved to other content at any time; with `latest` (or no tag) every node pull
may run something else, and a rollback does not roll back. A digest (`@sha256:…`) is the
content. Severity is medium for `latest`/no tag, low for another tag. References:
checkov CKV_K8S_14/CKV_K8S_43, kube-linter latest-tag.

NOT OK:
```yaml
image: nginx:latest
image: nginx
```

OK:
```yaml
image: nginx:1.27.3@sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a
```"#,
    fix: "Reference the image by digest (`name:tag@sha256:…`) and let a bot propose updates.",
    tags: &["SP-21", "SP-10", "CWE-1357"],
};

pub static NO_LIMITS: Info = Info {
    id: "iac/k8s-missing-resource-limits",
    name: "No CPU or memory limit",
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "A container sets no `resources.limits.memory` or no `resources.limits.cpu`.",
    docs: r#"Without limits one compromised or misbehaving container can starve its node (a
denial-of-service on every pod beside it), and a crypto-miner runs at full speed.
References: checkov CKV_K8S_11/CKV_K8S_13, kube-linter unset-cpu-requirements/
unset-memory-requirements, CIS Kubernetes 5.7 (resource quotas).

NOT OK:
```yaml
containers:
  - name: app
    image: app@sha256:…
```

OK:
```yaml
    resources:
      limits: {cpu: 500m, memory: 256Mi}
```"#,
    fix: "Set `resources.limits.cpu` and `resources.limits.memory` (or a LimitRange in the namespace).",
    tags: &["SP-21", "CWE-770"],
};

pub static SECRET_ENV: Info = Info {
    id: "iac/k8s-secret-in-env",
    name: "Secret as a literal env value",
    severity: Severity::High,
    confidence: Confidence::Medium,
    summary: "A container `env` entry whose name says it holds a credential has a literal `value` in the manifest.",
    docs: r#"A literal value lives in Git, in `kubectl get -o yaml` output and in every tool that reads
the object; Secrets referenced with `valueFrom.secretKeyRef` can be access-controlled,
encrypted at rest and rotated. The value is shown redacted. References: checkov
CKV_K8S_35, kube-linter env-var-secret.

NOT OK:
```yaml
env:
  - name: DB_PASSWORD
    value: s3cr3t-value
```

OK:
```yaml
env:
  - name: DB_PASSWORD
    valueFrom:
      secretKeyRef: {name: db, key: password}
```"#,
    fix: "Move the value to a Secret (or an external secret store) and reference it with `valueFrom.secretKeyRef`; rotate the exposed value.",
    tags: &["SP-21", "SP-07", "CWE-798"],
};

pub static WRITABLE_ROOT: Info = Info {
    id: "iac/k8s-writable-root-fs",
    name: "Writable root filesystem",
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "A container does not set `securityContext.readOnlyRootFilesystem: true`.",
    docs: r#"A writable root filesystem lets an intruder drop tools, change binaries and persist until
the container restarts. Mount `emptyDir` volumes for the paths that need writing. Not a
PSS control; NSA/CISA Kubernetes hardening and CIS recommend it. References: checkov
CKV_K8S_22, kube-linter no-read-only-root-fs.

NOT OK:
```yaml
securityContext:
  allowPrivilegeEscalation: false
```

OK:
```yaml
securityContext:
  readOnlyRootFilesystem: true
```"#,
    fix: "Set `securityContext.readOnlyRootFilesystem: true` and mount `emptyDir` volumes where the program writes.",
    tags: &["SP-21", "CWE-732"],
};

pub static AUTOMOUNT_TOKEN: Info = Info {
    id: "iac/k8s-automount-token",
    name: "Service account token mounted",
    severity: Severity::Low,
    confidence: Confidence::Medium,
    summary: "The pod does not set `automountServiceAccountToken: false`, so every container gets a Kubernetes API token.",
    docs: r#"The token mounted at `/var/run/secrets/kubernetes.io/serviceaccount` is the first thing
an intruder in a container uses: with it they query, and with a generous RBAC binding
change, the cluster. Most application pods never call the API. The ServiceAccount object
can also disable automounting; this rule reads the pod spec only. References: checkov
CKV_K8S_38, CIS Kubernetes 5.1.6.

NOT OK:
```yaml
spec:
  containers:
    - name: app
      image: app@sha256:…
```

OK:
```yaml
spec:
  automountServiceAccountToken: false
  containers:
    - name: app
      image: app@sha256:…
```"#,
    fix: "Set `automountServiceAccountToken: false` on pods that do not call the Kubernetes API (or on their ServiceAccount).",
    tags: &["SP-21", "CWE-732", "CIS-K8s-5.1.6"],
};

pub static RBAC_WILDCARD: Info = Info {
    id: "iac/k8s-rbac-wildcard",
    name: "RBAC rule with wildcards",
    severity: Severity::High,
    confidence: Confidence::High,
    summary: "A Role or ClusterRole rule grants `*` verbs or `*` resources.",
    docs: r#"A wildcard grants every present and future verb or resource, including `secrets`,
`pods/exec`, `escalate` and `bind`: a path to cluster-admin. References: checkov
CKV_K8S_49, kube-linter wildcard-in-rules, CIS Kubernetes 5.1.3.

NOT OK:
```yaml
kind: ClusterRole
rules:
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
```

OK:
```yaml
kind: Role
rules:
  - apiGroups: [""]
    resources: ["configmaps"]
    verbs: ["get", "list"]
```"#,
    fix: "List the resources and verbs the subject needs.",
    tags: &["SP-21", "SP-05", "CWE-269", "CIS-K8s-5.1.3"],
};

pub static CLUSTER_ADMIN: Info = Info {
    id: "iac/k8s-cluster-admin-binding",
    name: "Binding to cluster-admin",
    severity: Severity::High,
    confidence: Confidence::High,
    summary: "A RoleBinding or ClusterRoleBinding grants the `cluster-admin` role.",
    docs: r#"`cluster-admin` can do anything to any object in the cluster; a workload's service account
bound to it turns any compromise of that workload into a cluster compromise. References:
kube-linter cluster-admin-role-binding, CIS Kubernetes 5.1.1.

NOT OK:
```yaml
kind: ClusterRoleBinding
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: app, namespace: default}]
```

OK:
```yaml
kind: RoleBinding
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: app-reader}
```"#,
    fix: "Bind a role that lists only what the subject needs; keep cluster-admin for break-glass humans.",
    tags: &["SP-21", "SP-05", "CWE-269", "CIS-K8s-5.1.1"],
};

pub static SECRET_MANIFEST: Info = Info {
    id: "iac/k8s-secret-manifest",
    name: "Secret object in a plain manifest",
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    summary: "A `kind: Secret` with `data` or `stringData` is stored in the repository; base64 is an encoding, not encryption.",
    docs: r#"Anyone who can read the repository (or a fork, a CI log, a backup) can read the values. Keep
secrets out of Git: an external secret store (External Secrets, Secrets Store CSI), or an
encrypted form (Sealed Secrets, SOPS) that only the cluster can open. The values are not
shown. References: issue 20 ("Secrets in plain manifests").

NOT OK:
```yaml
apiVersion: v1
kind: Secret
metadata: {name: db}
data:
  password: aHVudGVyMg==
```

OK:
```yaml
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata: {name: db}
spec:
  encryptedData:
    password: AgBy3i4OJSWK…
```"#,
    fix: "Remove the Secret from the repository, rotate its values, and deliver them through an external secret store or an encrypted SealedSecret/SOPS file.",
    tags: &["SP-21", "SP-07", "CWE-312"],
};

/// Every Kubernetes rule.
pub fn infos() -> Vec<&'static Info> {
    vec![
        &PRIVILEGED,
        &PRIV_ESCALATION,
        &RUN_AS_NON_ROOT,
        &HOST_NAMESPACES,
        &HOST_PATH,
        &HOST_PORTS,
        &CAPS_ADD,
        &CAPS_DROP,
        &SECCOMP,
        &IMAGE_UNPINNED,
        &NO_LIMITS,
        &SECRET_ENV,
        &WRITABLE_ROOT,
        &AUTOMOUNT_TOKEN,
        &RBAC_WILDCARD,
        &CLUSTER_ADMIN,
        &SECRET_MANIFEST,
    ]
}

/// Rules on whole documents (RBAC, Secrets). `object` is `Kind/name`.
pub fn check_object(doc: &Node, object: &str, src: &Src<'_>, out: &mut Vec<Finding>) {
    let kind = doc.get("kind").map(|k| k.text()).unwrap_or("");
    match kind {
        "Role" | "ClusterRole" => {
            if let Some(rules) = doc.get("rules") {
                for (i, r) in rules.items().iter().enumerate() {
                    for key in ["verbs", "resources"] {
                        if let Some(v) = r.get(key)
                            && v.items().iter().any(|x| x.text() == "*")
                        {
                            out.push(at(
                                src,
                                &RBAC_WILDCARD,
                                v,
                                &format!("{object}:rules[{i}].{key}"),
                                format!("{object} grants `*` {key}"),
                            ));
                        }
                    }
                }
            }
        }
        "RoleBinding" | "ClusterRoleBinding" => {
            if let Some(n) = doc
                .get("roleRef")
                .and_then(|r| r.get("name"))
                .filter(|n| n.text() == "cluster-admin")
            {
                out.push(at(
                    src,
                    &CLUSTER_ADMIN,
                    n,
                    &format!("{object}:roleRef.name"),
                    format!("{object} binds cluster-admin"),
                ));
            }
        }
        "Secret" => {
            let has_values = ["data", "stringData"]
                .iter()
                .any(|k| doc.get(k).is_some_and(|d| !d.entries().is_empty()));
            if has_values && let (Some(k), Some(v)) = (doc.get_key("kind"), doc.get("kind")) {
                out.push(src.finding(
                    &SECRET_MANIFEST,
                    k.start,
                    v.end,
                    &format!("{object}:data"),
                    format!("{object} holds secret values in the manifest"),
                ));
            }
        }
        _ => {}
    }
}

/// Capabilities PSS baseline allows adding.
const BASELINE_CAPS: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

fn at(src: &Src<'_>, info: &Info, n: &Node, route: &str, msg: String) -> Finding {
    src.finding(info, n.start, n.end, route, msg)
}

/// Where to report something a container lacks: its `name` entry, or the container.
fn anchor<'a>(c: &Container<'a>) -> (usize, usize) {
    match (c.node.get_key("name"), c.node.get("name")) {
        (Some(k), Some(v)) => (k.start, v.end),
        _ => (c.node.start, c.node.start),
    }
}

fn get_path<'a>(n: &'a Node, path: &[&str]) -> Option<&'a Node> {
    let mut n = n;
    for p in path {
        n = n.get(p)?;
    }
    Some(n)
}

/// Runs every rule on one pod spec.
pub fn check_pod(p: &Pod<'_>, src: &Src<'_>, out: &mut Vec<Finding>) {
    let spec = p.spec;
    for key in ["hostNetwork", "hostPID", "hostIPC"] {
        if let Some(v) = spec.get(key).filter(|v| v.as_bool() == Some(true)) {
            out.push(at(
                src,
                &HOST_NAMESPACES,
                v,
                &format!("{}.{key}", p.route),
                format!("{} sets `{key}: true`", p.object),
            ));
        }
    }
    if let Some(vols) = spec.get("volumes") {
        for (i, v) in vols.items().iter().enumerate() {
            if let (Some(k), Some(h)) = (v.get_key("hostPath"), v.get("hostPath")) {
                let path = h.get("path").map(|x| x.text()).unwrap_or("");
                out.push(src.finding(
                    &HOST_PATH,
                    k.start,
                    h.end.max(k.end),
                    &format!("{}.volumes[{i}].hostPath", p.route),
                    format!("{} mounts the node path `{path}`", p.object),
                ));
            }
        }
    }
    let pod_sc = spec.get("securityContext");
    let pod_nonroot = pod_sc.and_then(|s| s.get("runAsNonRoot"));
    let pod_user = pod_sc.and_then(|s| s.get("runAsUser"));
    let pod_seccomp = pod_sc.and_then(|s| get_path(s, &["seccompProfile", "type"]));
    match spec.get("automountServiceAccountToken") {
        Some(v) if v.as_bool() == Some(false) => {}
        Some(v) => out.push(at(
            src,
            &AUTOMOUNT_TOKEN,
            v,
            &format!("{}.automountServiceAccountToken", p.route),
            format!("{} mounts its service account token", p.object),
        )),
        None => {
            let (s0, e0) = spec
                .get_key("containers")
                .map(|k| (k.start, k.end))
                .unwrap_or((spec.start, spec.start));
            out.push(src.finding(
                &AUTOMOUNT_TOKEN,
                s0,
                e0,
                &format!("{}.automountServiceAccountToken", p.route),
                format!(
                    "{} does not set `automountServiceAccountToken: false`",
                    p.object
                ),
            ));
        }
    }
    for c in p.containers() {
        let ephemeral = c.route.contains(".ephemeralContainers[");
        let sc = c.node.get("securityContext");
        let scr = format!("{}.securityContext", c.route);
        let cname = if c.name.is_empty() {
            p.object.clone()
        } else {
            format!("{} container `{}`", p.object, c.name)
        };
        let (aa, ab) = anchor(&c);
        let missing = |info: &Info, route: &str, msg: String| src.finding(info, aa, ab, route, msg);

        let privileged = sc.and_then(|s| s.get("privileged"));
        if let Some(v) = privileged.filter(|v| v.as_bool() == Some(true)) {
            out.push(at(
                src,
                &PRIVILEGED,
                v,
                &format!("{scr}.privileged"),
                format!("{cname} is privileged"),
            ));
        }
        match sc.and_then(|s| s.get("allowPrivilegeEscalation")) {
            Some(v) if v.as_bool() == Some(false) => {}
            Some(v) => out.push(at(
                src,
                &PRIV_ESCALATION,
                v,
                &format!("{scr}.allowPrivilegeEscalation"),
                format!("{cname} allows privilege escalation"),
            )),
            None => out.push(missing(
                &PRIV_ESCALATION,
                &format!("{scr}.allowPrivilegeEscalation"),
                format!("{cname} does not set `allowPrivilegeEscalation: false`"),
            )),
        }
        // runAsNonRoot / runAsUser: the container's value overrides the pod's.
        let nonroot = sc.and_then(|s| s.get("runAsNonRoot")).or(pod_nonroot);
        let user = sc.and_then(|s| s.get("runAsUser")).or(pod_user);
        if let Some(u) = user.filter(|u| u.text() == "0") {
            out.push(at(
                src,
                &RUN_AS_NON_ROOT,
                u,
                &format!("{scr}.runAsUser"),
                format!("{cname} runs as UID 0"),
            ));
        } else {
            match nonroot {
                Some(v) if v.as_bool() == Some(true) => {}
                Some(v) => out.push(at(
                    src,
                    &RUN_AS_NON_ROOT,
                    v,
                    &format!("{scr}.runAsNonRoot"),
                    format!("{cname} sets `runAsNonRoot: {}`", v.text()),
                )),
                None => out.push(missing(
                    &RUN_AS_NON_ROOT,
                    &format!("{scr}.runAsNonRoot"),
                    format!("{cname}: neither it nor the pod sets `runAsNonRoot: true`"),
                )),
            }
        }
        let caps = sc.and_then(|s| s.get("capabilities"));
        if let Some(add) = caps.and_then(|c| c.get("add")) {
            for (i, cap) in add.items().iter().enumerate() {
                let name = cap.text().to_ascii_uppercase();
                let name = name.trim_start_matches("CAP_");
                if !BASELINE_CAPS.contains(&name) {
                    out.push(at(
                        src,
                        &CAPS_ADD,
                        cap,
                        &format!("{scr}.capabilities.add[{i}]"),
                        format!("{cname} adds capability `{}`", cap.text()),
                    ));
                }
            }
        }
        let drop = caps.and_then(|c| c.get("drop"));
        if !drop.is_some_and(|d| {
            d.items()
                .iter()
                .any(|x| x.text().eq_ignore_ascii_case("ALL"))
        }) {
            let msg = format!("{cname} does not drop ALL capabilities");
            let route = format!("{scr}.capabilities.drop");
            out.push(match drop {
                Some(d) => at(src, &CAPS_DROP, d, &route, msg),
                None => missing(&CAPS_DROP, &route, msg),
            });
        }
        let seccomp = sc
            .and_then(|s| get_path(s, &["seccompProfile", "type"]))
            .or(pod_seccomp);
        match seccomp {
            Some(t) if t.text() == "RuntimeDefault" || t.text() == "Localhost" => {}
            Some(t) => out.push(at(
                src,
                &SECCOMP,
                t,
                &format!("{scr}.seccompProfile.type"),
                format!("{cname} uses seccomp profile `{}`", t.text()),
            )),
            None => out.push(missing(
                &SECCOMP,
                &format!("{scr}.seccompProfile"),
                format!("{cname}: no seccomp profile on it or the pod"),
            )),
        }
        if let Some(ports) = c.node.get("ports") {
            for (i, port) in ports.items().iter().enumerate() {
                if let Some(h) = port
                    .get("hostPort")
                    .filter(|h| !h.is_null() && h.text() != "0")
                {
                    out.push(at(
                        src,
                        &HOST_PORTS,
                        h,
                        &format!("{}.ports[{i}].hostPort", c.route),
                        format!("{cname} binds host port {}", h.text()),
                    ));
                }
            }
        }
        if let Some(img) = c.node.get("image") {
            let pin = Pin::of(&names::image_ref(img.text()));
            if pin != Pin::Digest && !img.text().contains("{{") && !img.text().is_empty() {
                let sev = if pin == Pin::Tag {
                    Severity::Low
                } else {
                    Severity::Medium
                };
                out.push(
                    src.finding_sev(
                        &IMAGE_UNPINNED,
                        sev,
                        img.start,
                        img.end,
                        &format!("{}.image", c.route),
                        format!("{cname}: image `{}` uses {}", img.text(), pin.describe()),
                    )
                    .with_property("pin", pin.as_str().into()),
                );
            }
        }
        if !ephemeral {
            let limits = get_path(c.node, &["resources", "limits"]);
            let lacking: Vec<&str> = ["cpu", "memory"]
                .into_iter()
                .filter(|k| limits.and_then(|l| l.get(k)).is_none_or(|v| v.is_null()))
                .collect();
            if !lacking.is_empty() {
                out.push(missing(
                    &NO_LIMITS,
                    &format!("{}.resources.limits", c.route),
                    format!("{cname} has no {} limit", lacking.join(" or ")),
                ));
            }
        }
        if let Some(env) = c.node.get("env") {
            for (i, e) in env.items().iter().enumerate() {
                let name = e.get("name").map(|n| n.text()).unwrap_or("");
                if let Some(v) = e.get("value")
                    && names::secret_like_name(name)
                    && names::literal_secret_value(v.text())
                {
                    let start = e.get_key("name").map(|k| k.start).unwrap_or(v.start);
                    out.push(src.secret_finding(
                        &SECRET_ENV,
                        start.min(v.start),
                        v.end,
                        &format!("{}.env[{i}].value", c.route),
                        format!("{cname}: env `{name}` has a literal value"),
                        v.text(),
                    ));
                }
            }
        }
        match sc.and_then(|s| s.get("readOnlyRootFilesystem")) {
            Some(v) if v.as_bool() == Some(true) => {}
            Some(v) => out.push(at(
                src,
                &WRITABLE_ROOT,
                v,
                &format!("{scr}.readOnlyRootFilesystem"),
                format!("{cname} has a writable root filesystem"),
            )),
            None => out.push(missing(
                &WRITABLE_ROOT,
                &format!("{scr}.readOnlyRootFilesystem"),
                format!("{cname} does not set `readOnlyRootFilesystem: true`"),
            )),
        }
    }
}
