#!/usr/bin/env python3
"""Parity of `tollgate scan ci` with zizmor's reference findings.

Runs tollgate (JSON output) over every corpus project that has a zizmor reference report,
maps zizmor audit names to our rule ids (MAPPING below), and compares the primary
(file, line) locations per audit: recall of zizmor's findings, and every disagreement
(missed = zizmor has it, we do not; extra = we report it under a mapped rule, zizmor does not).

With --fixtures, runs both tools live on zizmor's own labelled fixtures instead (needs zizmor,
see scripts/peers/ci.sh): the fixture files are laid out as `.github/workflows/*.yml` and
`actions/*/action.yml` in a temporary folder so both tools discover the same files.

usage: bench/ci/parity.py [--tollgate PATH] [--shared DIR] [--quiet] [--fixtures]
"""
import argparse, collections, glob, json, os, shutil, subprocess, sys, tempfile

# zizmor audit name -> tollgate rule id. Audits absent here have no counterpart (see README).
MAPPING = {
    "template-injection": "ci/template-injection",
    "github-env": "ci/github-env",
    "github-app": "ci/github-app",
    "dangerous-triggers": "ci/dangerous-triggers",
    "unpinned-uses": "ci/unpinned-uses",
    "unpinned-images": "ci/unpinned-images",
    "excessive-permissions": "ci/excessive-permissions",
    "artipacked": "ci/artipacked",
    "cache-poisoning": "ci/cache-poisoning",
    "self-hosted-runner": "ci/self-hosted-runner",
    "secrets-inherit": "ci/secrets-inherit",
    "overprovisioned-secrets": "ci/overprovisioned-secrets",
    "secrets-outside-env": "ci/secrets-outside-env",
    "bot-conditions": "ci/bot-conditions",
    "unsound-condition": "ci/unsound-condition",
    "insecure-commands": "ci/insecure-commands",
    "archived-uses": "ci/archived-uses",
    "use-trusted-publishing": "ci/use-trusted-publishing",
    "dependabot-cooldown": "ci/dependabot-cooldown",
    "dependabot-execution": "ci/dependabot-execution",
    "unpinned-tools": "ci/unpinned-tools",
    "superfluous-actions": "ci/superfluous-actions",
    "typosquat-uses": "ci/typosquat-uses",
    "adhoc-packages": "ci/adhoc-packages",
    "obfuscation": "ci/obfuscation",
    "unsound-contains": "ci/unsound-contains",
    "unsound-ternary": "ci/unsound-ternary",
    "misfeature": "ci/misfeature",
    "self-repository": "ci/self-repository",
    "unredacted-secrets": "ci/unredacted-secrets",
    "hardcoded-container-credentials": "ci/hardcoded-container-credentials",
}


def zizmor_findings(path, data=None):
    out = set()
    for f in (data if data is not None else json.load(open(path))):
        for loc in f["locations"]:
            sym = loc["symbolic"]
            if sym["kind"] != "Primary":
                continue
            p = sym["key"]["Local"]["verbatim_path"]
            p = p[2:] if p.startswith("./") else p
            line = loc["concrete"]["location"]["start_point"]["row"] + 1
            out.add((f["ident"], p, line))
    return out


def tollgate_findings(tollgate, cwd, project):
    r = subprocess.run([tollgate, "scan", "ci", "--format", "json", "--quiet", "--no-ignore", project],
                       cwd=cwd, capture_output=True)
    if r.returncode not in (0, 1):
        sys.exit(f"tollgate failed on {project}: {r.stderr.decode()}")
    rep = json.loads(r.stdout)
    strip = lambda p: p[2:] if p.startswith("./") else p
    return {(f["rule"], strip(f["location"]["path"]), f["location"]["line"]) for f in rep["findings"]}, rep


def fixtures(a):
    src = os.path.join(a.shared, "data", "ci", "zizmor-fixtures")
    tmp = tempfile.mkdtemp(prefix="tollgate-parity-")
    n = 0
    for dirpath, _, files in os.walk(src):
        for fn in files:
            orig = os.path.relpath(os.path.join(dirpath, fn), src)
            if not fn.endswith((".yml", ".yaml")) or orig.startswith("invalid") or "dependabot" in orig:
                continue
            flat = orig.replace("/", "__")
            if fn in ("action.yml", "action.yaml"):
                dest = os.path.join(tmp, "actions", flat, fn)
            else:
                dest = os.path.join(tmp, ".github", "workflows", flat)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            shutil.copy(os.path.join(dirpath, fn), dest)
            n += 1
    z = shutil.which("zizmor")
    if not z:
        sys.exit("zizmor missing: run scripts/peers/ci.sh")
    r = subprocess.run([z, "--offline", "--no-config", "--no-progress", "--format", "json-v1", "."],
                       cwd=tmp, capture_output=True)
    theirs_all = collections.defaultdict(set)
    for ident, p, line in zizmor_findings(None, json.loads(r.stdout or b"[]")):
        theirs_all[ident].add((p, line))
    ours, rep = tollgate_findings(a.tollgate, tmp, ".")
    ours_all = collections.defaultdict(set)
    for rule, p, line in ours:
        ours_all[rule].add((p, line))
    print(f"zizmor fixtures: {n} files laid out in {tmp}")
    return theirs_all, ours_all, len(rep.get("diagnostics", []))


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(os.path.join(here, "..", ".."))
    ap.add_argument("--tollgate", default=os.path.join(root, "target", "release", "tollgate"))
    ap.add_argument("--shared", default=os.path.abspath(os.path.join(root, "..", "shared")))
    ap.add_argument("--quiet", action="store_true", help="only the table")
    ap.add_argument("--fixtures", action="store_true", help="run both tools on zizmor's fixtures")
    a = ap.parse_args()
    a.tollgate = os.path.abspath(a.tollgate)
    if not os.path.exists(a.tollgate):
        a.tollgate = os.path.join(root, "target", "debug", "tollgate")
    if a.fixtures:
        report(*fixtures(a), a.quiet)
        return
    corpus = os.path.join(a.shared, "data", "ci", "corpus")
    refs = sorted(glob.glob(os.path.join(a.shared, "data", "ci", "reference", "zizmor-*.json")))
    theirs_all, ours_all = collections.defaultdict(set), collections.defaultdict(set)
    diagnostics = 0
    for ref in refs:
        project = os.path.basename(ref).split("-", 2)[2][:-5]
        if not os.path.isdir(os.path.join(corpus, project)):
            continue
        for ident, p, line in zizmor_findings(ref):
            theirs_all[ident].add((p, line))
        ours, rep = tollgate_findings(a.tollgate, corpus, project)
        diagnostics += len(rep.get("diagnostics", []))
        for rule, p, line in ours:
            ours_all[rule].add((p, line))
    report(theirs_all, ours_all, diagnostics, a.quiet)


def report(theirs_all, ours_all, diagnostics, quiet):
    print(f"{'zizmor audit':28} {'tollgate rule':32} {'zizmor':>6} {'ours':>6} {'match':>6} {'recall':>7}")
    tot_t = tot_m = 0
    disagreements = []
    for ident in sorted(set(theirs_all) | set(MAPPING)):
        rule = MAPPING.get(ident)
        t = theirs_all.get(ident, set())
        o = ours_all.get(rule, set()) if rule else set()
        m = t & o
        if not t and not o:
            continue
        tot_t += len(t)
        tot_m += len(m)
        rec = f"{100 * len(m) / len(t):.1f}%" if t else "-"
        print(f"{ident:28} {rule or '(no counterpart)':32} {len(t):6} {len(o):6} {len(m):6} {rec:>7}")
        for p, l in sorted(t - o):
            disagreements.append(f"missed {ident:24} {p}:{l}")
        for p, l in sorted(o - t):
            disagreements.append(f"extra  {rule:24} {p}:{l}")
    print(f"{'TOTAL':61} {tot_t:6} {'':6} {tot_m:6} {100 * tot_m / max(tot_t, 1):6.1f}%")
    print(f"tollgate diagnostics (unparsable files): {diagnostics}")
    if not quiet:
        print("\nDisagreements:")
        for d in disagreements:
            print("  " + d)


if __name__ == "__main__":
    main()
