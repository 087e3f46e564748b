#!/usr/bin/env python3
"""Strip inline markup from tools/src/<doc_id>.txt and write ../records.jsonl.
Markup: [[id|TYPE|IDTYPE|surface]] at the first mention, [[id|surface]] after."""
import json, re, sys, pathlib
HERE = pathlib.Path(__file__).resolve().parent
TAG = re.compile(r"\[\[([^\[\]|]+)\|([^\]]+?)\]\]")
TYPES = {"PERSON", "LOC", "ORG", "DATETIME", "CODE", "QUANTITY", "DEM", "MISC"}
IDT = {"DIRECT", "QUASI", "NO_MASK"}
ORDER = [f"unseen-f-{l}-0{i}" for l in ("en", "ko", "ru") for i in range(1, 6)]
out = []
for doc_id in ORDER:
    p = HERE / "src" / f"{doc_id}.txt"
    if not p.exists():
        print("missing", p, file=sys.stderr); continue
    raw = p.read_text(encoding="utf-8").rstrip("\n")
    text, pos, ents, order = [], 0, {}, []
    n = 0
    for m in TAG.finditer(raw):
        text.append(raw[pos:m.start()]); n += m.start() - pos; pos = m.end()
        eid, rest = m.group(1), m.group(2).split("|")
        if len(rest) == 3:
            et, it, surf = rest
            if eid in ents: sys.exit(f"{doc_id}: {eid} defined twice")
            if et not in TYPES or it not in IDT: sys.exit(f"{doc_id}: bad type {rest}")
            ents[eid] = {"entity_id": f"{doc_id}:{eid}", "entity_type": et, "identifier_type": it, "mentions": []}
            order.append(eid)
        elif len(rest) == 1:
            surf = rest[0]
            if eid not in ents: sys.exit(f"{doc_id}: {eid} used before definition")
        else:
            sys.exit(f"{doc_id}: bad tag {m.group(0)}")
        ents[eid]["mentions"].append({"start": n, "end": n + len(surf), "span_text": surf})
        text.append(surf); n += len(surf)
    text.append(raw[pos:])
    t = "".join(text)
    if "[[" in t or "]]" in t: sys.exit(f"{doc_id}: leftover markup")
    out.append({"doc_id": doc_id, "lang": doc_id.split("-")[2], "text": t, "entities": [ents[e] for e in order]})
with open(HERE.parent / "records.jsonl", "w", encoding="utf-8") as f:
    for d in out: f.write(json.dumps(d, ensure_ascii=False) + "\n")
print("wrote", len(out), "records")
