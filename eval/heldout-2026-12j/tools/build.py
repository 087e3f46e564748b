#!/usr/bin/env python3
"""Build records.jsonl from tools/src/*.txt.

Source format: header lines '#DOC: id', '#LANG: xx', optional '#ALLOW: surface'
(deliberately unannotated occurrences, used by check.py); then the text with
inline markup [[ID|ENTITY_TYPE|IDENTIFIER_TYPE|surface]] for the first mention
of an entity and [[ID|surface]] for later mentions.
"""
import json, re, sys, pathlib

HERE = pathlib.Path(__file__).resolve().parent
MARK = re.compile(r"\[\[([^|\]]+)\|([^\]]*?)\]\]")

def parse(path):
    raw = path.read_text(encoding="utf-8")
    meta, allow, body = {}, [], []
    lines = raw.split("\n")
    i = 0
    while i < len(lines) and lines[i].startswith("#"):
        k, _, v = lines[i][1:].partition(":")
        v = v.strip()
        if k == "ALLOW":
            allow.append(v)
        else:
            meta[k] = v
        i += 1
    src = "\n".join(lines[i:]).strip("\n") + "\n"
    src = src.rstrip("\n")
    out, ents, order = [], {}, []
    pos = 0
    last = 0
    for m in MARK.finditer(src):
        out.append(src[last:m.start()]); pos += len(src[last:m.start()])
        eid = m.group(1)
        parts = m.group(2).split("|")
        if len(parts) == 3:
            etype, idt, surf = parts
            if eid in ents:
                raise SystemExit(f"{path.name}: {eid} defined twice")
            ents[eid] = {"entity_id": eid, "entity_type": etype,
                         "identifier_type": idt, "mentions": []}
            order.append(eid)
        elif len(parts) == 1:
            surf = parts[0]
            if eid not in ents:
                raise SystemExit(f"{path.name}: {eid} used before definition")
        else:
            raise SystemExit(f"{path.name}: bad markup {m.group(0)}")
        ents[eid]["mentions"].append({"start": pos, "end": pos + len(surf), "span_text": surf})
        out.append(surf); pos += len(surf)
        last = m.end()
    out.append(src[last:])
    text = "".join(out)
    if "[[" in text or "]]" in text:
        raise SystemExit(f"{path.name}: unparsed markup left")
    return {"doc_id": meta["DOC"], "lang": meta["LANG"], "text": text,
            "entities": [ents[e] for e in order]}, allow

def main():
    recs = []
    for p in sorted((HERE / "src").glob("*.txt")):
        rec, _ = parse(p)
        recs.append(rec)
    with open(HERE.parent / "records.jsonl", "w", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(recs)} records")

if __name__ == "__main__":
    main()
