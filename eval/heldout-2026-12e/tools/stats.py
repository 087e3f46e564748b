#!/usr/bin/env python3
"""Counts for WRITER-NOTES.md."""
import json
from collections import Counter
recs = [json.loads(l) for l in open("/work/evale/records.jsonl", encoding="utf-8")]
ent = Counter(); men = Counter(); et = Counter()
for r in recs:
    L = r["lang"]
    t = r["text"]
    print(f"{r['doc_id']}: {len(t)} chars / {len(t.split())} words / {len(t.replace(' ','').replace(chr(10),''))} non-space; {len(r['entities'])} ent")
    for e in r["entities"]:
        ent[(e["identifier_type"], L)] += 1; men[(e["identifier_type"], L)] += len(e["mentions"])
        et[(e["identifier_type"], e["entity_type"], L)] += 1
print("| identifier type | en | ko | ru | total |\n|---|---|---|---|---|")
for it in ["DIRECT", "QUASI", "NO_MASK"]:
    cells = [f"{ent[(it,L)]} ({men[(it,L)]})" for L in ("en","ko","ru")]
    print(f"| {it} | " + " | ".join(cells) + f" | {sum(ent[(it,L)] for L in ('en','ko','ru'))} ({sum(men[(it,L)] for L in ('en','ko','ru'))}) |")
cells = [f"{sum(ent[(it,L)] for it in ('DIRECT','QUASI','NO_MASK'))} ({sum(men[(it,L)] for it in ('DIRECT','QUASI','NO_MASK'))})" for L in ("en","ko","ru")]
print("| all | " + " | ".join(cells) + f" | {sum(ent.values())} ({sum(men.values())}) |")
print("\n| identifier | entity type | en | ko | ru | total |\n|---|---|---|---|---|---|")
for it in ["DIRECT", "QUASI", "NO_MASK"]:
    for ty in ["PERSON","LOC","ORG","DATETIME","CODE","QUANTITY","DEM","MISC"]:
        c = [et[(it,ty,L)] for L in ("en","ko","ru")]
        if sum(c): print(f"| {it} | {ty} | {c[0]} | {c[1]} | {c[2]} | {sum(c)} |")
