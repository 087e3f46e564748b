#!/usr/bin/env python3
"""Verify records.jsonl and list unannotated occurrences of annotated surfaces and PERSON name tokens."""
import json, re, sys, pathlib
HERE = pathlib.Path(__file__).resolve().parent
deliberate = json.loads((HERE / "deliberate.json").read_text()) if (HERE / "deliberate.json").exists() else {}
recs = [json.loads(l) for l in open(HERE.parent / "records.jsonl", encoding="utf-8")]
ok = True
for d in recs:
    assert list(d) == ["doc_id", "lang", "text", "entities"], d.keys()
    t = d["text"]; spans = []
    for e in d["entities"]:
        assert list(e) == ["entity_id", "entity_type", "identifier_type", "mentions"]
        for m in e["mentions"]:
            assert list(m) == ["start", "end", "span_text"]
            if t[m["start"]:m["end"]] != m["span_text"]: print("OFFSET", d["doc_id"], m); ok = False
            if m["span_text"] != m["span_text"].strip(): print("WS", d["doc_id"], m); ok = False
            spans.append((m["start"], m["end"], e["entity_id"]))
    spans.sort()
    for a, b in zip(spans, spans[1:]):
        if b[0] < a[1]: print("OVERLAP", d["doc_id"], a, b); ok = False
    covered = set(i for s, e, _ in spans for i in range(s, e))
    surfaces = set()
    for e in d["entities"]:
        for m in e["mentions"]:
            surfaces.add(m["span_text"])
            if e["entity_type"] == "PERSON":
                for tok in re.split(r"[\s\-.,]+", m["span_text"]):
                    if len(tok) >= 2: surfaces.add(tok)
    tl = t.lower(); dl = set(x.lower() for x in deliberate.get(d["doc_id"], []))
    for s in sorted(surfaces, key=len, reverse=True):
        sl = s.lower()
        if len(sl) < 2 or sl in dl: continue
        i = tl.find(sl)
        while i != -1:
            if not all(k in covered for k in range(i, i + len(sl))):
                # ignore hits inside a longer word (latin/cyrillic letters on both sides)
                before = tl[i-1] if i else " "; after = tl[i+len(sl)] if i+len(sl) < len(tl) else " "
                if not (re.match(r"[a-zа-яё]", before) or re.match(r"[a-zа-яё]", after)):
                    print("UNANNOTATED", d["doc_id"], repr(s), "at", i, repr(t[max(0,i-25):i+len(s)+25]))
            i = tl.find(sl, i + 1)

    # Cyrillic inflection pass: stems of PERSON tokens followed by Cyrillic endings
    for e in d["entities"]:
        if e["entity_type"] != "PERSON": continue
        for m in e["mentions"]:
            for tok in re.split(r"[\s\-.,]+", m["span_text"]):
                if len(tok) < 4 or not re.match(r"[А-Яа-яЁё]", tok): continue
                stem = tok[:-1].lower() if len(tok) >= 5 else tok.lower()
                for mm in re.finditer(re.escape(stem) + r"[а-яё]{0,3}", tl):
                    st = mm.start()
                    if st and re.match(r"[а-яё]", tl[st-1]): continue
                    if mm.end() < len(tl) and re.match(r"[а-яё]", tl[mm.end()]): continue
                    if not all(k in covered for k in range(st, mm.end())) and mm.group(0) not in dl:
                        print("INFLECTED?", d["doc_id"], repr(t[st:mm.end()]), "at", st, repr(t[max(0,st-25):mm.end()+25]))
    words = len(t.split()); chars = len(t)
    lo, hi = ((900, 1600) if d["lang"] == "ko" else (350, 600))
    val = chars if d["lang"] == "ko" else words
    flag = "" if lo <= val <= hi else "  <-- LENGTH"
    print(f"{d['doc_id']}: {chars} chars / {words} words, {len(d['entities'])} entities{flag}")
print("OK" if ok else "ERRORS")
