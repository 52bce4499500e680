#!/usr/bin/env python3
"""CPU time (user + system, children) of `tollgate scan ci` vs `zizmor` on the whole corpus.

Each tool runs RUNS times over every project of ../shared/data/ci/corpus (one process for the
whole corpus); the table gives the median CPU seconds and wall seconds.

usage: bench/ci/speed.py [--tollgate PATH] [--shared DIR] [--runs N]
zizmor: install with scripts/peers/ci.sh (PyPI zizmor 1.32.0).
"""
import argparse, os, resource, shutil, statistics, subprocess, sys, time


def measure(cmd, cwd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, r.returncode


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(os.path.join(here, "..", ".."))
    ap = argparse.ArgumentParser()
    ap.add_argument("--tollgate", default=os.path.join(root, "target", "release", "tollgate"))
    ap.add_argument("--shared", default=os.path.abspath(os.path.join(root, "..", "shared")))
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    a.tollgate = os.path.abspath(a.tollgate)
    corpus = os.path.join(a.shared, "data", "ci", "corpus")
    projects = sorted(p for p in os.listdir(corpus) if os.path.isdir(os.path.join(corpus, p)))
    files = sum(len(fs) for _, _, fs in os.walk(corpus))
    tools = {"tollgate": [a.tollgate, "scan", "ci", "--quiet", "--no-ignore", "--format", "json", *projects]}
    z = shutil.which("zizmor")
    if z:
        tools["zizmor"] = [z, "--offline", "--no-config", "--no-progress", "--format", "json", *projects]
    elif os.environ.get("CI"):
        sys.exit("zizmor missing: run scripts/peers/ci.sh")
    else:
        print("note: zizmor not installed (scripts/peers/ci.sh); measuring tollgate only")
    print(f"corpus: {len(projects)} projects, {files} files; {a.runs} runs each (median)")
    print(f"| tool | CPU s (user+sys) | wall s | exit |")
    print(f"|---|---:|---:|---:|")
    for name, cmd in tools.items():
        measure(cmd, corpus)  # warm the page cache
        runs = [measure(cmd, corpus) for _ in range(a.runs)]
        cpu = statistics.median(r[0] for r in runs)
        wall = statistics.median(r[1] for r in runs)
        print(f"| {name} | {cpu:.3f} | {wall:.3f} | {runs[0][2]} |")


if __name__ == "__main__":
    main()
