#!/usr/bin/env python3
"""Strip inline markup [[id:T:i|surface]] / [[id|surface]] and write records.jsonl."""
import json, re, sys, glob, os
T = dict(P="PERSON", L="LOC", O="ORG", D="DATETIME", C="CODE", Q="QUANTITY", M="DEM", X="MISC")
I = dict(d="DIRECT", q="QUASI", n="NO_MASK")
MK = re.compile(r"\[\[([^|\]]+)\|([^\]]+)\]\]")
out = []
for path in sorted(glob.glob(os.path.join(os.path.dirname(__file__), "src", "*.txt"))):
    doc_id = os.path.basename(path)[:-4]
    lang = doc_id.split("-")[2]
    raw = open(path, encoding="utf-8").read().rstrip("\n")
    text, ents, order, pos = [], {}, [], 0
    n = 0
    for m in MK.finditer(raw):
        text.append(raw[pos:m.start()]); n += len(raw[pos:m.start()])
        head, surf = m.group(1), m.group(2)
        parts = head.split(":")
        eid = parts[0]
        if len(parts) == 3:
            if eid in ents: sys.exit(f"{doc_id}: {eid} defined twice")
            ents[eid] = dict(entity_id=f"{doc_id}:{eid}", entity_type=T[parts[1]], identifier_type=I[parts[2]], mentions=[])
            order.append(eid)
        elif eid not in ents:
            sys.exit(f"{doc_id}: {eid} used before definition ({surf})")
        ents[eid]["mentions"].append(dict(start=n, end=n + len(surf), span_text=surf))
        text.append(surf); n += len(surf); pos = m.end()
    text.append(raw[pos:])
    t = "".join(text)
    if "[[" in t or "]]" in t: sys.exit(f"{doc_id}: leftover markup")
    out.append(dict(doc_id=doc_id, lang=lang, text=t, entities=[ents[e] for e in order]))
with open(os.path.join(os.path.dirname(__file__), "..", "records.jsonl"), "w", encoding="utf-8") as f:
    for r in out: f.write(json.dumps(r, ensure_ascii=False) + "\n")
print(len(out), "records")
