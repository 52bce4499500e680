#!/usr/bin/env python3
"""Compare the components of CycloneDX JSON SBOMs made by different tools.

Usage: compare.py NAME=FILE NAME=FILE ...   (the first is the reference, normally tollgate)
       compare.py --count FILE                 (prints "components (distinct packages)")

Prints, per tool, the component count, the count per purl type, the number of distinct
purls (without qualifiers), and, for every other tool, the purls it lists that the first
one does not (and the reverse), so that each difference can be explained.
"""
import collections
import re
import json
import sys
import urllib.parse


def norm(purl):
    """purl without qualifiers, percent-decoded; a subpath is folded into the name (syft writes
    Go major-version suffixes as `pkg:golang/github.com/x/y@v2.0.0#v2`); PyPI names PEP 503."""
    p, _, sub = purl.partition("#")
    p = urllib.parse.unquote(p.split("?", 1)[0])
    head, at, ver = p.partition("@")
    if sub:
        head = head + "/" + urllib.parse.unquote(sub)
    typ = head[4:].split("/", 1)[0].lower()
    if typ == "pypi":
        head = re.sub(r"[-_.]+", "-", head.lower())
    return head + at + ver


def load(path):
    with open(path) as f:
        doc = json.load(f)
    out = []
    stack = list(doc.get("components") or [])
    while stack:
        c = stack.pop()
        stack.extend(c.get("components") or [])
        out.append(c.get("purl") or f"(no purl) {c.get('type')}:{c.get('name')}@{c.get('version')}")
    return out


def main():
    if sys.argv[1:2] == ["--count"]:
        purls = load(sys.argv[2])
        print(f"{len(purls)} ({len({norm(p) for p in purls})})")
        return
    tools = []
    for arg in sys.argv[1:]:
        name, _, path = arg.partition("=")
        tools.append((name, load(path)))
    for name, purls in tools:
        types = collections.Counter(p.split("/", 1)[0] if p.startswith("pkg:") else "no purl" for p in purls)
        distinct = len({norm(p) for p in purls})
        print(f"{name}: {len(purls)} components, {distinct} distinct purls; " +
              ", ".join(f"{k} {v}" for k, v in sorted(types.items())))
    ref_name, ref = tools[0]
    ref_set = {norm(p) for p in ref}
    for name, purls in tools[1:]:
        other = {norm(p) for p in purls}
        only_other = sorted(other - ref_set)
        only_ref = sorted(ref_set - other)
        print(f"\n-- only in {name} ({len(only_other)}):")
        for p in only_other:
            print("   ", p)
        print(f"-- only in {ref_name}, not in {name} ({len(only_ref)}):")
        for p in only_ref[:60]:
            print("   ", p)
        if len(only_ref) > 60:
            print(f"    … {len(only_ref) - 60} more")


if __name__ == "__main__":
    main()
