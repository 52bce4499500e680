#!/usr/bin/env python3
"""Differential run of `tollgate scan iac` against hadolint and checkov on a folder of real
Dockerfiles, Kubernetes manifests and Terraform (not shipped: see BENCHMARKS.md for the files).

usage: bench/iac/compare.py CORPUS [--tollgate BIN] [--hadolint BIN] [--checkov BIN]

For every peer check that corresponds to one of our rules, a peer finding counts as found
when tollgate reports the mapped rule in the same file on the same line (hadolint) or inside
the resource's line range (checkov). Our findings of a mapped rule that match no peer
finding are listed as extra, for triage. Timing: best of 5 wall-clock runs of each tool.
"""

import argparse
import json
import os
import subprocess
import sys
import time

HADOLINT = {
    "DL3006": "iac/dockerfile-unpinned-base",
    "DL3007": "iac/dockerfile-unpinned-base",
    "DL3002": "iac/dockerfile-root-user",
    "DL3015": "iac/dockerfile-apt-install-recommends",
    "DL3004": "iac/dockerfile-sudo",
    "DL3008": "iac/dockerfile-unpinned-packages",
    "DL3018": "iac/dockerfile-unpinned-packages",
    "DL3013": "iac/dockerfile-unpinned-packages",
}

CHECKOV = {
    "CKV_DOCKER_7": "iac/dockerfile-unpinned-base",
    "CKV_DOCKER_3": "iac/dockerfile-root-user",
    "CKV_DOCKER_8": "iac/dockerfile-root-user",
    "CKV_DOCKER_2": "iac/dockerfile-no-healthcheck",
    "CKV_K8S_38": "iac/k8s-automount-token",
    "CKV_K8S_49": "iac/k8s-rbac-wildcard",
    "CKV_K8S_16": "iac/k8s-privileged",
    "CKV_K8S_17": "iac/k8s-host-namespaces",
    "CKV_K8S_18": "iac/k8s-host-namespaces",
    "CKV_K8S_19": "iac/k8s-host-namespaces",
    "CKV_K8S_20": "iac/k8s-allow-privilege-escalation",
    "CKV_K8S_23": "iac/k8s-run-as-non-root",
    "CKV_K8S_22": "iac/k8s-writable-root-fs",
    "CKV_K8S_28": "iac/k8s-capabilities-not-dropped",
    "CKV_K8S_37": "iac/k8s-capabilities-not-dropped",
    "CKV_K8S_25": "iac/k8s-dangerous-capabilities",
    "CKV_K8S_39": "iac/k8s-dangerous-capabilities",
    "CKV_K8S_26": "iac/k8s-host-port",
    "CKV_K8S_27": "iac/k8s-host-path",
    "CKV_K8S_31": "iac/k8s-seccomp",
    "CKV_K8S_14": "iac/k8s-image-unpinned",
    "CKV_K8S_43": "iac/k8s-image-unpinned",
    "CKV_K8S_11": "iac/k8s-missing-resource-limits",
    "CKV_K8S_13": "iac/k8s-missing-resource-limits",
    "CKV_AWS_20": "iac/tf-public-bucket",
    "CKV_AWS_53": "iac/tf-public-bucket",
    "CKV_AWS_54": "iac/tf-public-bucket",
    "CKV_AWS_55": "iac/tf-public-bucket",
    "CKV_AWS_56": "iac/tf-public-bucket",
    "CKV_GCP_28": "iac/tf-public-bucket",
    "CKV_AWS_24": "iac/tf-open-admin-port",
    "CKV_AWS_25": "iac/tf-open-admin-port",
    "CKV_GCP_2": "iac/tf-open-admin-port",
    "CKV_GCP_3": "iac/tf-open-admin-port",
    "CKV_AZURE_9": "iac/tf-open-admin-port",
    "CKV_AZURE_10": "iac/tf-open-admin-port",
    "CKV_AWS_3": "iac/tf-unencrypted-storage",
    "CKV_AWS_16": "iac/tf-unencrypted-storage",
    "CKV_AWS_19": "iac/tf-unencrypted-storage",
    "CKV_AWS_42": "iac/tf-unencrypted-storage",
    "CKV_AWS_64": "iac/tf-unencrypted-storage",
    "CKV_AWS_130": "iac/tf-public-subnet",
    "CKV_AWS_88": "iac/tf-public-subnet",
    "CKV_AWS_17": "iac/tf-public-database",
    "CKV_AWS_1": "iac/tf-iam-wildcard",
    "CKV_AWS_62": "iac/tf-iam-wildcard",
    "CKV_AWS_63": "iac/tf-iam-wildcard",
    "CKV_AWS_41": "iac/tf-hardcoded-credentials",
}


def best_of(cmd, n=5, cwd=None):
    best = None
    out = None
    for _ in range(n):
        t = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
        out = p
    return best, out


def rel(corpus, p):
    """A peer's path as relative to the corpus (checkov prints `/sub/file` for `-d .`)."""
    if p.startswith(corpus + os.sep):
        p = os.path.relpath(p, corpus)
    return os.path.normpath(p.lstrip("/"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--tollgate", default="tollgate")
    ap.add_argument("--hadolint", default="hadolint")
    ap.add_argument("--checkov", default="checkov")
    a = ap.parse_args()
    corpus = os.path.abspath(a.corpus)

    t_ours, p = best_of([a.tollgate, "scan", "iac", "--quiet", "--format", "json", corpus])
    ours = []
    for f in json.loads(p.stdout)["findings"]:
        ours.append((f["rule"], os.path.relpath(f["location"]["path"], corpus), f["location"]["line"]))

    dockerfiles = []
    for root, _, files in os.walk(corpus):
        for name in files:
            low = name.lower()
            if low == "dockerfile" or low.endswith(".dockerfile") or low.startswith("dockerfile."):
                dockerfiles.append(os.path.relpath(os.path.join(root, name), corpus))
    dockerfiles.sort()
    t_hado, p = best_of([a.hadolint, "--no-fail", "-f", "json", *dockerfiles], cwd=corpus)
    peers = []  # (tool, check, rule, file, lo, hi)
    for r in json.loads(p.stdout or "[]"):
        if r["code"] in HADOLINT:
            peers.append(("hadolint", r["code"], HADOLINT[r["code"]], rel(corpus, r["file"]), r["line"], r["line"]))

    t_ckv, p = best_of(
        [a.checkov, "-d", ".", "--framework", "dockerfile", "kubernetes", "terraform",
         "-o", "json", "--quiet", "--compact", "--skip-download"],
        n=3, cwd=corpus,
    )
    reports = json.loads(p.stdout)
    if isinstance(reports, dict):
        reports = [reports]
    for r in reports:
        for f in r["results"]["failed_checks"]:
            cid = f["check_id"]
            if cid in CHECKOV:
                lo, hi = f["file_line_range"]
                peers.append(("checkov", cid, CHECKOV[cid], rel(corpus, f["file_path"]), lo, max(lo, hi)))

    rows = {}
    for tool, cid, rule, path, lo, hi in peers:
        hit = any(r == rule and p_ == path and lo <= l <= hi for r, p_, l in ours)
        row = rows.setdefault((tool, cid, rule), [0, 0, []])
        row[0] += 1
        if hit:
            row[1] += 1
        else:
            row[2].append(f"{path}:{lo}")
    print("| peer | check | our rule | peer findings | found by tollgate | missed |")
    print("|---|---|---|---|---|---|")
    tot = [0, 0]
    for (tool, cid, rule), (n, k, missed) in sorted(rows.items()):
        tot[0] += n
        tot[1] += k
        print(f"| {tool} | {cid} | `{rule}` | {n} | {k} | {', '.join(missed) or '—'} |")
    print(f"| **all** | | | **{tot[0]}** | **{tot[1]}** ({100.0 * tot[1] / max(tot[0], 1):.0f}%) | |")
    mapped = set(HADOLINT.values()) | set(CHECKOV.values())
    extra = [
        (r, p_, l) for r, p_, l in ours
        if r in mapped and not any(pr == r and pp == p_ and lo <= l <= hi for _, _, pr, pp, lo, hi in peers)
    ]
    print(f"\nour findings of mapped rules: {sum(1 for r in ours if r[0] in mapped)}; matching no peer finding: {len(extra)}")
    for r, p_, l in sorted(extra):
        print(f"  extra {r} {p_}:{l}")
    print(f"\nwall clock, best run: tollgate {t_ours * 1000:.0f} ms, hadolint {t_hado * 1000:.0f} ms, checkov {t_ckv * 1000:.0f} ms")


if __name__ == "__main__":
    sys.exit(main())
