#!/usr/bin/env python3
"""Verify records.jsonl: fields, offsets, overlaps, edge whitespace; list unannotated
occurrences of annotated surfaces and PERSON name tokens; print lengths and counts."""
import json, re, os, sys
from collections import Counter
HERE = os.path.dirname(os.path.abspath(__file__))
recs = [json.loads(l) for l in open(os.path.join(HERE, "..", "records.jsonl"), encoding="utf-8")]
ok = True
cnt = Counter(); ment = Counter(); et_cnt = Counter()
for r in recs:
    assert list(r) == ["doc_id", "lang", "text", "entities"], r.keys()
    t = r["text"]; spans = []
    for e in r["entities"]:
        assert list(e) == ["entity_id", "entity_type", "identifier_type", "mentions"]
        assert e["entity_type"] in {"PERSON","LOC","ORG","DATETIME","CODE","QUANTITY","DEM","MISC"}
        assert e["identifier_type"] in {"DIRECT","QUASI","NO_MASK"}
        cnt[(r["lang"], e["identifier_type"])] += 1; ment[(r["lang"], e["identifier_type"])] += len(e["mentions"])
        et_cnt[(e["identifier_type"], e["entity_type"], r["lang"])] += 1
        for m in e["mentions"]:
            assert list(m) == ["start","end","span_text"]
            if t[m["start"]:m["end"]] != m["span_text"]: print("OFFSET", r["doc_id"], m); ok = False
            if m["span_text"] != m["span_text"].strip(): print("EDGE WS", r["doc_id"], m); ok = False
            spans.append((m["start"], m["end"], e["entity_id"]))
    spans.sort()
    for a, b in zip(spans, spans[1:]):
        if b[0] < a[1]: print("OVERLAP", r["doc_id"], a, b); ok = False
    covered = [False]*len(t)
    for s, e_, _ in spans:
        for i in range(s, e_): covered[i] = True
    forms = set()
    for e in r["entities"]:
        for m in e["mentions"]:
            forms.add(m["span_text"])
            if e["entity_type"] == "PERSON":
                for tok in re.findall(r"\w+", m["span_text"]):
                    if len(tok) >= 2 and tok.lower() not in {"the","mr","ms","of","dr"}: forms.add(tok)
    for f in sorted(forms):
        for mm in re.finditer(re.escape(f), t, re.I):
            if not any(covered[mm.start():mm.end()]):
                # require token boundary on Latin/Cyrillic; Korean allows particles
                a = t[mm.start()-1] if mm.start() else " "; b = t[mm.end()] if mm.end() < len(t) else " "
                if r["lang"] != "ko" and (a.isalnum() or b.isalnum()): continue
                print("UNANNOTATED", r["doc_id"], repr(f), mm.start(), repr(t[max(0,mm.start()-20):mm.end()+20]))
    words = len(t.split())
    nons = len(re.sub(r"\s", "", t))
    print(f"{r['doc_id']}: chars={len(t)} words={words} nonspace={nons} entities={len(r['entities'])}")
print("by lang/idtype (entities, mentions):")
for k in sorted(cnt): print(" ", k, cnt[k], ment[k])
print("by idtype/etype/lang:")
for k in sorted(et_cnt): print(" ", k, et_cnt[k])
print("OK" if ok else "PROBLEMS")
