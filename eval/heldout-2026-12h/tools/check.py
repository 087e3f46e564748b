#!/usr/bin/env python3
"""Check records.jsonl: fields, offsets, overlaps, edge whitespace, lengths,
and unannotated occurrences of annotated surfaces and PERSON name tokens."""
import json, re, os, sys
from collections import Counter, defaultdict
HERE = os.path.dirname(os.path.abspath(__file__))
recs = [json.loads(l) for l in open(os.path.join(HERE, "..", "records.jsonl"), encoding="utf-8")]
bad = 0
def err(*a):
    global bad; bad += 1; print("ERROR", *a)
cnt = defaultdict(Counter); ment = defaultdict(Counter); et = defaultdict(Counter)
for r in recs:
    if list(r) != ["doc_id", "lang", "text", "entities"]: err(r["doc_id"], "keys", list(r))
    t = r["text"]; spans = []
    for e in r["entities"]:
        if list(e) != ["entity_id", "entity_type", "identifier_type", "mentions"]: err(e)
        cnt[e["identifier_type"]][r["lang"]] += 1
        ment[e["identifier_type"]][r["lang"]] += len(e["mentions"])
        et[(e["identifier_type"], e["entity_type"])][r["lang"]] += 1
        for m in e["mentions"]:
            if list(m) != ["start", "end", "span_text"]: err(m)
            s = t[m["start"]:m["end"]]
            if s != m["span_text"]: err(r["doc_id"], "offset", m)
            if s != s.strip(): err(r["doc_id"], "edge ws", repr(s))
            spans.append((m["start"], m["end"], e["entity_id"]))
    spans.sort()
    for a, b in zip(spans, spans[1:]):
        if b[0] < a[1]: err(r["doc_id"], "overlap", a, b)
    covered = [False] * len(t)
    for s, e_, _ in spans:
        for i in range(s, e_): covered[i] = True
    # surfaces to search: annotated surfaces + PERSON name tokens
    surf = set()
    for e in r["entities"]:
        for m in e["mentions"]:
            surf.add(m["span_text"])
            if e["entity_type"] == "PERSON":
                for tok in re.findall(r"\w+", m["span_text"]):
                    if len(tok) >= 2: surf.add(tok)
    low = t.lower()
    for s in sorted(surf, key=len):
        if len(s) < 2: continue
        for mm in re.finditer(re.escape(s.lower()), low):
            i, j = mm.start(), mm.end()
            if not any(covered[i:j]):
                # word-boundary only for Latin/Cyrillic tokens
                if re.match(r"\w", s) and ((i > 0 and low[i-1].isalnum() and not '\uac00' <= low[i-1] <= '\ud7a3') or (j < len(low) and low[j].isalnum() and not '\uac00' <= low[j] <= '\ud7a3')):
                    if not ('\uac00' <= s[0] <= '\ud7a3'): continue
                print(f"UNANNOTATED {r['doc_id']} {i}-{j} {s!r} ...{t[max(0,i-25):j+25]!r}")
    n = len(t.split()); c = len(t); nsp = len(re.sub(r"\s", "", t))
    print(f"{r['doc_id']} {r['lang']} chars={c} words={n} nonspace={nsp} entities={len(r['entities'])}")
    if r["lang"] in ("en", "ru") and not 350 <= n <= 600: err(r["doc_id"], "word count", n)
    if r["lang"] == "ko" and not 900 <= c <= 1600: err(r["doc_id"], "char count", c)
print("\nby identifier type (entities / mentions):")
for k in ("DIRECT", "QUASI", "NO_MASK"):
    print(k, {l: f"{cnt[k][l]} ({ment[k][l]})" for l in ("en", "ko", "ru")}, sum(cnt[k].values()), sum(ment[k].values()))
print("\nby identifier and entity type:")
for k in sorted(et): print(k, dict(et[k]), sum(et[k].values()))
print("errors:", bad); sys.exit(1 if bad else 0)
