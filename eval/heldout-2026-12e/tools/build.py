#!/usr/bin/env python3
"""Build /work/evale/records.jsonl from marked-up sources in tools/src/*.txt.

Source format:
  #doc <doc_id> <lang>
  #ent <id> <ENTITY_TYPE> <DIRECT|QUASI|NO_MASK>
  ...
  ---
  text with [[id|surface]] markup
"""
import json, re, sys, glob, os
MARK = re.compile(r"\[\[([A-Za-z0-9_]+)\|(.*?)\]\]", re.S)
out = []
for path in sorted(glob.glob(os.path.join(os.path.dirname(__file__), "src", "*.txt"))):
    raw = open(path, encoding="utf-8").read()
    head, body = raw.split("\n---\n", 1)
    body = body.strip("\n")
    doc_id = lang = None
    ents = {}
    order = []
    for line in head.splitlines():
        p = line.split()
        if not p: continue
        if p[0] == "#doc": doc_id, lang = p[1], p[2]
        elif p[0] == "#ent":
            assert p[1] not in ents, (path, p[1])
            ents[p[1]] = (p[2], p[3]); order.append(p[1])
    text = []; pos = 0; last = 0; mentions = {k: [] for k in order}
    for m in MARK.finditer(body):
        text.append(body[last:m.start()]); pos += m.start() - last
        eid, surf = m.group(1), m.group(2)
        if eid not in ents: sys.exit(f"{path}: undeclared entity {eid}")
        mentions[eid].append({"start": pos, "end": pos + len(surf), "span_text": surf})
        text.append(surf); pos += len(surf); last = m.end()
    text.append(body[last:]); text = "".join(text)
    assert "[[" not in text and "]]" not in text, path
    entities = []
    for k in order:
        if not mentions[k]: sys.exit(f"{path}: entity {k} has no mentions")
        entities.append({"entity_id": f"{doc_id}:{k}", "entity_type": ents[k][0],
                         "identifier_type": ents[k][1], "mentions": mentions[k]})
    out.append({"doc_id": doc_id, "lang": lang, "text": text, "entities": entities})
with open("/work/evale/records.jsonl", "w", encoding="utf-8") as f:
    for d in out:
        f.write(json.dumps(d, ensure_ascii=False) + "\n")
print(f"{len(out)} records written")
