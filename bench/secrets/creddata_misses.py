#!/usr/bin/env python3
"""Lists, for the DEV part of the CredData split only (bench/secrets/creddata-split.sh), the
labelled-true rows no finding touches (misses) and the findings that touch no true row (false
positives), with the labelled line, to tune rules on. Refuses the held-out part.
  bench/secrets/creddata_misses.py [fn|fp] [CATEGORY-substring]"""
import collections, csv, glob, json, os, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "work", "creddata-split")
DATA = os.environ.get("CREDDATA", "/work/shared/data/secrets/creddata-dev")
what = sys.argv[1] if len(sys.argv) > 1 else "fn"
cat = sys.argv[2] if len(sys.argv) > 2 else ""
rows = []
for f in glob.glob(os.path.join(ROOT, "dev", "meta", "*.csv")):
    rows += list(csv.DictReader(open(f)))
finds = [(f["location"]["path"], int(f["location"]["line"]), int(f["location"].get("end_line") or f["location"]["line"]), f["rule_id"] if "rule_id" in f else f.get("rule"))
         for f in json.load(open(os.path.join(ROOT, "dev.json")))["findings"]]
byfile = collections.defaultdict(list)
for p, s, e, r in finds:
    byfile[p].append((s, e, r))
labels = collections.defaultdict(list)
for r in rows:
    labels[r["FilePath"]].append(r)
def line(path, n):
    try:
        with open(os.path.join(DATA, path), errors="replace") as fh:
            for i, l in enumerate(fh, 1):
                if i == n:
                    return l.rstrip()[:220]
    except OSError:
        return "?"
if what == "fn":
    for r in rows:
        if r["GroundTruth"] != "T" or cat not in r["Category"]:
            continue
        s, e = int(r["LineStart"]), int(r["LineEnd"])
        if not any(fs <= e and s <= fe for fs, fe, _ in byfile.get(r["FilePath"], [])):
            print(f"{r['Category']:18s} {r['FilePath']}:{s}: {line(r['FilePath'], s)}")
else:
    for p, s, e, rule in finds:
        gs = {r["GroundTruth"] for r in labels.get(p, []) if int(r["LineStart"]) <= e and s <= int(r["LineEnd"])}
        if "T" not in gs and "X" not in gs or (not gs):
            if cat and cat not in str(rule):
                continue
            print(f"{'F' if gs else 'unl'} {rule} {p}:{s}: {line(p, s)}")
