#!/usr/bin/env python3
"""Print markdown count tables for ../records.jsonl."""
import json, pathlib, collections
HERE = pathlib.Path(__file__).resolve().parent
docs = [json.loads(l) for l in (HERE.parent / "records.jsonl").read_text(encoding="utf-8").splitlines()]
L = ["en", "ko", "ru"]
e = collections.Counter(); m = collections.Counter(); t = collections.Counter()
for d in docs:
    print(d["doc_id"], len(d["text"]), len(d["text"].split()))
    for x in d["entities"]:
        e[(x["identifier_type"], d["lang"])] += 1; m[(x["identifier_type"], d["lang"])] += len(x["mentions"])
        t[(x["identifier_type"], x["entity_type"], d["lang"])] += 1
print("| identifier type | en | ko | ru | total |\n|---|---|---|---|---|")
for it in ["DIRECT", "QUASI", "NO_MASK"]:
    print(f"| {it} | " + " | ".join(f"{e[(it,l)]} ({m[(it,l)]})" for l in L) + f" | {sum(e[(it,l)] for l in L)} ({sum(m[(it,l)] for l in L)}) |")
print("| all | " + " | ".join(f"{sum(e[(i,l)] for i in ['DIRECT','QUASI','NO_MASK'])} ({sum(m[(i,l)] for i in ['DIRECT','QUASI','NO_MASK'])})" for l in L) + f" | {sum(e.values())} ({sum(m.values())}) |")
print()
print("| identifier | entity type | en | ko | ru | total |\n|---|---|---|---|---|---|")
for it in ["DIRECT", "QUASI", "NO_MASK"]:
    for et in ["PERSON", "LOC", "ORG", "DATETIME", "CODE", "QUANTITY", "DEM", "MISC"]:
        row = [t[(it, et, l)] for l in L]
        if sum(row):
            print(f"| {it} | {et} | " + " | ".join(map(str, row)) + f" | {sum(row)} |")
