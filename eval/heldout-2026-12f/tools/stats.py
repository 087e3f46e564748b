#!/usr/bin/env python3
"""Print count tables for WRITER-NOTES.md."""
import json, pathlib
from collections import Counter
recs = [json.loads(l) for l in open(pathlib.Path(__file__).resolve().parent.parent / "records.jsonl", encoding="utf-8")]
L = ["en", "ko", "ru"]; IT = ["DIRECT", "QUASI", "NO_MASK"]
ET = ["PERSON", "LOC", "ORG", "DATETIME", "CODE", "QUANTITY", "DEM", "MISC"]
ent, men, sub = Counter(), Counter(), Counter()
for d in recs:
    for e in d["entities"]:
        ent[(e["identifier_type"], d["lang"])] += 1; men[(e["identifier_type"], d["lang"])] += len(e["mentions"])
        sub[(e["identifier_type"], e["entity_type"], d["lang"])] += 1
print("| identifier type | en | ko | ru | total |\n|---|---|---|---|---|")
for it in IT + ["all"]:
    f = (lambda l: sum(ent[(i, l)] for i in IT)) if it == "all" else (lambda l: ent[(it, l)])
    g = (lambda l: sum(men[(i, l)] for i in IT)) if it == "all" else (lambda l: men[(it, l)])
    print(f"| {it} | " + " | ".join(f"{f(l)} ({g(l)})" for l in L) + f" | {sum(f(l) for l in L)} ({sum(g(l) for l in L)}) |")
print("\n| identifier | entity type | en | ko | ru | total |\n|---|---|---|---|---|---|")
for it in IT:
    for et in ET:
        v = [sub[(it, et, l)] for l in L]
        if sum(v): print(f"| {it} | {et} | " + " | ".join(map(str, v)) + f" | {sum(v)} |")
print()
for d in recs:
    t = d["text"]; print(d["doc_id"], len(t), len(t.split()), len(t.replace(" ", "").replace("\n", "")), len(d["entities"]), sum(len(e["mentions"]) for e in d["entities"]))
