#!/usr/bin/env python3
"""Strip inline markup from tools/src/*.txt and write records.jsonl.

Markup: [[id|TYPE|IDTYPE|surface]] for a first mention, [[id|surface]] for
later mentions (type taken from the first). First line of each source file:
"doc_id<TAB>lang"; the text starts on the next line.
"""
import json, re, sys, glob, os
HERE = os.path.dirname(os.path.abspath(__file__))
MARK = re.compile(r"\[\[([^\[\]|]+)\|(?:([A-Z]+)\|(DIRECT|QUASI|NO_MASK)\|)?([^\[\]]+?)\]\]")
TYPES = {"PERSON", "LOC", "ORG", "DATETIME", "CODE", "QUANTITY", "DEM", "MISC"}

def build(path):
    raw = open(path, encoding="utf-8").read()
    head, body = raw.split("\n", 1)
    doc_id, lang = head.strip().split("\t")
    body = body.rstrip("\n")
    out, pos, ents, order = [], 0, {}, []
    n = 0
    for m in MARK.finditer(body):
        out.append(body[pos:m.start()]); n += m.start() - pos
        eid, et, it, surf = m.groups()
        if et:
            if eid in ents: sys.exit(f"{doc_id}: {eid} declared twice")
            if et not in TYPES: sys.exit(f"{doc_id}: bad type {et}")
            ents[eid] = {"entity_id": f"{doc_id}:{eid}", "entity_type": et,
                         "identifier_type": it, "mentions": []}
            order.append(eid)
        elif eid not in ents:
            sys.exit(f"{doc_id}: {eid} used before declared")
        ents[eid]["mentions"].append({"start": n, "end": n + len(surf), "span_text": surf})
        out.append(surf); n += len(surf); pos = m.end()
    out.append(body[pos:])
    text = "".join(out)
    if "[[" in text or "]]" in text: sys.exit(f"{doc_id}: stray markup")
    return {"doc_id": doc_id, "lang": lang, "text": text, "entities": [ents[e] for e in order]}

recs = [build(p) for p in sorted(glob.glob(os.path.join(HERE, "src", "*.txt")))]
order = {"en": 0, "ko": 1, "ru": 2}
recs.sort(key=lambda r: (order[r["lang"]], r["doc_id"]))
with open(os.path.join(HERE, "..", "records.jsonl"), "w", encoding="utf-8") as f:
    for r in recs: f.write(json.dumps(r, ensure_ascii=False) + "\n")
print(len(recs), "records")
