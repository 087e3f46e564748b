#!/usr/bin/env python3
"""Strip inline markup [[key|TYPE|IDTYPE|surface]] or [[key|surface]] from tools/src/*.txt,
compute Python string offsets, write records.jsonl."""
import json, re, glob, os
HERE = os.path.dirname(os.path.abspath(__file__))
PAT = re.compile(r"\[\[([^|\]]+)\|(?:([A-Z]+)\|(DIRECT|QUASI|NO_MASK)\|)?([^\]]+?)\]\]")
out = []
for path in sorted(glob.glob(os.path.join(HERE, "src", "*.txt"))):
    doc_id = os.path.basename(path)[:-4]
    lang = doc_id.split("-")[2]
    src = open(path, encoding="utf-8").read().strip("\n")
    text, ents, order, pos = [], {}, [], 0
    n = 0
    for m in PAT.finditer(src):
        text.append(src[pos:m.start()]); n += m.start() - pos
        key, et, it, surf = m.groups()
        if key not in ents:
            if not et:
                raise SystemExit(f"{doc_id}: first mention of {key} lacks type")
            ents[key] = {"entity_id": f"{doc_id}:{key}", "entity_type": et,
                         "identifier_type": it, "mentions": []}
            order.append(key)
        elif et and (et, it) != (ents[key]["entity_type"], ents[key]["identifier_type"]):
            raise SystemExit(f"{doc_id}: conflicting type for {key}")
        ents[key]["mentions"].append({"start": n, "end": n + len(surf), "span_text": surf})
        text.append(surf); n += len(surf); pos = m.end()
    text.append(src[pos:])
    t = "".join(text)
    if "[[" in t or "]]" in t:
        raise SystemExit(f"{doc_id}: leftover markup")
    out.append({"doc_id": doc_id, "lang": lang, "text": t, "entities": [ents[k] for k in order]})
with open(os.path.join(HERE, "..", "records.jsonl"), "w", encoding="utf-8") as f:
    for r in out:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
print(len(out), "records")
