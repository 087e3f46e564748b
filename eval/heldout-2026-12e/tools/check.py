#!/usr/bin/env python3
"""Check /work/evale/records.jsonl: fields, offsets, overlaps, edges, unannotated repeats, lengths."""
import json, re, sys
TYPES = {"PERSON", "LOC", "ORG", "DATETIME", "CODE", "QUANTITY", "DEM", "MISC"}
IDT = {"DIRECT", "QUASI", "NO_MASK"}
bad = 0
STOP = {"the","of","a","an","and","mr","mrs","ms","dr","st","in","on","at","to","for","with","from","s"}
def err(*a):
    global bad; bad += 1; print("ERROR", *a)
recs = [json.loads(l) for l in open("/work/evale/records.jsonl", encoding="utf-8")]
ids = [r["doc_id"] for r in recs]
assert len(set(ids)) == len(ids)
for r in recs:
    if set(r) != {"doc_id", "lang", "text", "entities"}: err(r["doc_id"], "keys", set(r))
    t = r["text"]; d = r["doc_id"]
    spans = []
    for e in r["entities"]:
        if set(e) != {"entity_id", "entity_type", "identifier_type", "mentions"}: err(d, "ent keys", e["entity_id"])
        if e["entity_type"] not in TYPES: err(d, "type", e["entity_id"])
        if e["identifier_type"] not in IDT: err(d, "idtype", e["entity_id"])
        for m in e["mentions"]:
            if set(m) != {"start", "end", "span_text"}: err(d, "mention keys")
            if t[m["start"]:m["end"]] != m["span_text"]: err(d, "offset", m)
            if m["span_text"] != m["span_text"].strip() or not m["span_text"]: err(d, "edge ws", m)
            spans.append((m["start"], m["end"], e["entity_id"]))
    spans.sort()
    for a, b in zip(spans, spans[1:]):
        if b[0] < a[1]: err(d, "overlap", a, b)
    covered = set(i for s, e_, _ in spans for i in range(s, e_))
    # unannotated occurrences of surfaces and PERSON name tokens
    probes = {}
    for e in r["entities"]:
        for m in e["mentions"]:
            probes.setdefault(m["span_text"].lower(), e["entity_id"])
        if e["entity_type"] == "PERSON":
            for m in e["mentions"]:
                for tok in [x for x in re.findall(r"\w+", m["span_text"]) if x.lower() not in STOP]:
                    if len(tok) >= 2 or re.match(r"[가-힣]", tok):
                        probes.setdefault(tok.lower(), e["entity_id"] + " (token)")
    tl = t.lower()
    for p, eid in probes.items():
        for mm in re.finditer(re.escape(p), tl):
            s, e_ = mm.start(), mm.end()
            # word-ish boundary for latin/cyrillic
            if re.match(r"[a-zа-яё0-9]", p[0]) and s > 0 and re.match(r"[a-zа-яё0-9]", tl[s-1]): continue
            if re.match(r"[a-zа-яё0-9]", p[-1]) and e_ < len(tl) and re.match(r"[a-zа-яё0-9]", tl[e_]) and not (r["lang"] == "ru" and re.match(r"[а-яё]", tl[e_])): continue
            if not all(i in covered for i in range(s, e_)):
                ctx = t[max(0, s-25):e_+25].replace("\n", " ")
                print(f"UNANN {d} {eid}: {t[s:e_]!r} @{s} …{ctx}…")
    n = len(t.split()) if r["lang"] != "ko" else len(t)
    unit = "words" if r["lang"] != "ko" else "chars"
    ok = (350 <= n <= 600) if r["lang"] != "ko" else (900 <= n <= 1600)
    print(f"{d}: {n} {unit}{'' if ok else '  <-- LENGTH'}; {len(r['entities'])} entities, {len(spans)} mentions")
print("errors:", bad)
