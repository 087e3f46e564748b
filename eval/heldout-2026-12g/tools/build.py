#!/usr/bin/env python3
"""Strip inline markup from tools/src/*.txt and write ../records.jsonl.

Markup: [[id|TYPE|IDTYPE|surface]] defines an entity at its first mention;
[[id|surface]] is a further mention of the same entity.
"""
import json, re, sys, pathlib
HERE = pathlib.Path(__file__).resolve().parent
MARK = re.compile(r"\[\[([^\]|]+)\|(?:([A-Z]+)\|(DIRECT|QUASI|NO_MASK)\|)?([^\]]+)\]\]")
TYPES = {"PERSON", "LOC", "ORG", "DATETIME", "CODE", "QUANTITY", "DEM", "MISC"}
out = []
for src in sorted((HERE / "src").glob("*.txt")):
    doc_id = src.stem
    lang = doc_id.split("-")[2]
    raw = src.read_text(encoding="utf-8").strip("\n")
    defs = {}
    for m in MARK.finditer(raw):
        if m.group(2):
            if m.group(1) in defs: sys.exit(f"{doc_id}: {m.group(1)} defined twice")
            defs[m.group(1)] = (m.group(2), m.group(3))
    text, ents, order, pos = [], {}, [], 0
    n = 0
    for m in MARK.finditer(raw):
        text.append(raw[pos:m.start()]); n += len(raw[pos:m.start()])
        eid, et, it, surf = m.groups()
        if eid not in defs: sys.exit(f"{doc_id}: {eid} never defined")
        if eid not in ents:
            et, it = defs[eid]
            if et not in TYPES: sys.exit(f"{doc_id}: bad type {et}")
            ents[eid] = {"entity_id": f"{doc_id}:{eid}", "entity_type": et, "identifier_type": it, "mentions": []}
            order.append(eid)
        ents[eid]["mentions"].append({"start": n, "end": n + len(surf), "span_text": surf})
        text.append(surf); n += len(surf); pos = m.end()
    text.append(raw[pos:])
    t = "".join(text)
    if "[[" in t or "]]" in t: sys.exit(f"{doc_id}: leftover markup")
    out.append({"doc_id": doc_id, "lang": lang, "text": t, "entities": [ents[e] for e in order]})
with open(HERE.parent / "records.jsonl", "w", encoding="utf-8") as f:
    for d in out: f.write(json.dumps(d, ensure_ascii=False) + "\n")
print(f"wrote {len(out)} records")
