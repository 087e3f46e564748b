#!/usr/bin/env python3
"""Build records.jsonl from tools/src/*.txt.

Inline markup: [[ID|TYPE|IDTYPE|surface]] defines an entity (first mention);
[[ID|surface]] is a further mention of an already defined entity.
File names are LANG-NN.txt; doc_id = unseen-k-LANG-NN.
"""
import json, pathlib, re, sys

HERE = pathlib.Path(__file__).resolve().parent
SRC = HERE / "src"
OUT = HERE.parent / "records.jsonl"
MARK = re.compile(r"\[\[([^\]|]+)\|([^\]]+?)\]\]")
TYPES = {"PERSON", "LOC", "ORG", "DATETIME", "CODE", "QUANTITY", "DEM", "MISC"}
IDTYPES = {"DIRECT", "QUASI", "NO_MASK"}


def build_one(path):
    raw = path.read_text(encoding="utf-8").rstrip("\n")
    lang = path.stem.split("-")[0]
    doc_id = f"unseen-k-{path.stem}"
    out, pos, ents, order = [], 0, {}, []
    cur = 0
    for m in MARK.finditer(raw):
        out.append(raw[pos:m.start()])
        cur += len(raw[pos:m.start()])
        eid, rest = m.group(1), m.group(2).split("|")
        if len(rest) == 3:
            etype, idtype, surf = rest
            if etype not in TYPES or idtype not in IDTYPES:
                sys.exit(f"{path.name}: bad types in {m.group(0)}")
            if eid in ents:
                sys.exit(f"{path.name}: {eid} defined twice")
            ents[eid] = {"entity_id": f"{doc_id}-{eid}", "entity_type": etype,
                         "identifier_type": idtype, "mentions": []}
            order.append(eid)
        elif len(rest) == 1:
            surf = rest[0]
            if eid not in ents:
                sys.exit(f"{path.name}: {eid} used before definition")
        else:
            sys.exit(f"{path.name}: bad markup {m.group(0)}")
        ents[eid]["mentions"].append({"start": cur, "end": cur + len(surf), "span_text": surf})
        out.append(surf)
        cur += len(surf)
        pos = m.end()
    out.append(raw[pos:])
    text = "".join(out)
    if "[[" in text or "]]" in text:
        sys.exit(f"{path.name}: stray markup")
    return {"doc_id": doc_id, "lang": lang, "text": text,
            "entities": [ents[e] for e in order]}


def main():
    files = sorted(SRC.glob("*.txt"), key=lambda p: ({"en": 0, "ko": 1, "ru": 2}[p.stem[:2]], p.stem))
    with OUT.open("w", encoding="utf-8") as f:
        for p in files:
            f.write(json.dumps(build_one(p), ensure_ascii=False) + "\n")
    print(f"wrote {len(files)} records to {OUT}")


if __name__ == "__main__":
    main()
