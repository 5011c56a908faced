#!/usr/bin/env python3
"""Import cycles between schemaplan's top-level modules (src/<module>): an edge A -> B
for every `crate::B` that A's code (comments and `mod tests` left out) names. Prints the
strongly connected components of more than one module; the layering rule is none.

    python3 scripts/module-cycles.py [src]
"""
import os, re, sys
src = sys.argv[1] if len(sys.argv) > 1 else "src"
mods = {}
for root, _, files in os.walk(src):
    for f in files:
        if not f.endswith(".rs"): continue
        rel = os.path.relpath(os.path.join(root, f), src)
        top = rel.split(os.sep)[0].removesuffix(".rs")
        if top in ("lib", "main"): continue
        text = open(os.path.join(root, f)).read()
        text = re.sub(r"//[^\n]*", "", text)
        text = re.sub(r"#\[cfg\(test\)\]\s*mod tests\s*\{.*", "", text, flags=re.S)
        deps = set(re.findall(r"crate::(\w+)", text))
        # `use crate::{a, b::c}` groups
        for grp in re.findall(r"use crate::\{([^}]*)\}", text, flags=re.S):
            deps |= set(re.findall(r"(?:^|[,{\s])(\w+)(?=::|\s*[,}]|\s*$)", grp))
        mods.setdefault(top, set()).update(d for d in deps if d != top)
names = set(mods)
g = {m: {d for d in ds if d in names} for m, ds in mods.items()}
idx, low, st, on, out, c = {}, {}, [], set(), [], [0]
def sc(v):
    idx[v] = low[v] = c[0]; c[0] += 1; st.append(v); on.add(v)
    for w in g[v]:
        if w not in idx: sc(w); low[v] = min(low[v], low[w])
        elif w in on: low[v] = min(low[v], idx[w])
    if low[v] == idx[v]:
        comp = []
        while True:
            w = st.pop(); on.discard(w); comp.append(w)
            if w == v: break
        if len(comp) > 1: out.append(sorted(comp))
for v in sorted(g):
    if v not in idx: sc(v)
print(f"{len(out)} cycles among {len(g)} top-level modules")
for comp in out:
    print("  cycle:", " ".join(comp))
    for a in comp:
        print("    ", a, "->", sorted(g[a] & set(comp)))
