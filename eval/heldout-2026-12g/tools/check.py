#!/usr/bin/env python3
"""Check ../records.jsonl: fields, offsets, overlaps, edge whitespace, length,
and unannotated case-insensitive occurrences of annotated surfaces and PERSON
name tokens (minus tools/allow.txt lines 'doc_id<TAB>string')."""
import json, re, pathlib, collections
HERE = pathlib.Path(__file__).resolve().parent
allow = set()
ap = HERE / "allow.txt"
if ap.exists():
    for line in ap.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            d, s = line.split("\t", 1); allow.add((d, s.lower()))
KEYS = ["doc_id", "lang", "text", "entities"]
EK = ["entity_id", "entity_type", "identifier_type", "mentions"]
problems = 0
cnt = collections.Counter(); mcnt = collections.Counter(); tcnt = collections.Counter()
ids = set()
for line in (HERE.parent / "records.jsonl").read_text(encoding="utf-8").splitlines():
    d = json.loads(line); t = d["text"]; doc = d["doc_id"]
    assert list(d) == KEYS, doc
    assert doc not in ids; ids.add(doc)
    words = len(t.split()); ns = len(re.sub(r"\s", "", t))
    if d["lang"] == "ko":
        ok = 900 <= len(t) <= 1600
    else:
        ok = 350 <= words <= 600
    print(f"{doc}: {len(t)} chars, {words} words, {ns} non-space, {len(d['entities'])} entities" + ("" if ok else "  <-- LENGTH"))
    spans = []
    for e in d["entities"]:
        assert list(e) == EK, e
        assert e["identifier_type"] in ("DIRECT", "QUASI", "NO_MASK")
        cnt[(d["lang"], e["identifier_type"])] += 1; mcnt[(d["lang"], e["identifier_type"])] += len(e["mentions"])
        tcnt[(e["identifier_type"], e["entity_type"], d["lang"])] += 1
        for m in e["mentions"]:
            assert list(m) == ["start", "end", "span_text"]
            if t[m["start"]:m["end"]] != m["span_text"]:
                print("  OFFSET", m); problems += 1
            if m["span_text"] != m["span_text"].strip():
                print("  WHITESPACE", m); problems += 1
            spans.append((m["start"], m["end"], e["entity_id"]))
    spans.sort()
    for a, b in zip(spans, spans[1:]):
        if b[0] < a[1]:
            print("  OVERLAP", a, b); problems += 1
    covered = set(i for s, e_, _ in spans for i in range(s, e_))
    surfaces = set()
    for e in d["entities"]:
        for m in e["mentions"]:
            surfaces.add(m["span_text"])
            if e["entity_type"] == "PERSON":
                for tok in re.split(r"[\s.,\-]+", m["span_text"]):
                    if len(tok) >= 2: surfaces.add(tok)
    low = t.lower()
    for s in sorted(surfaces, key=len):
        sl = s.lower()
        if (doc, sl) in allow: continue
        if len(sl) == 1 and "\uac00" <= sl <= "\ud7a3":
            continue  # one-syllable Hangul surnames: checked by eye (too many false hits)
        pat = re.escape(sl)
        if re.match(r"[\u0400-\u04ff]", sl):
            pat = r"(?<!\w)" + pat  # Cyrillic: left word boundary, right open for case endings
        elif re.match(r"[A-Za-z0-9]", sl):
            pat = r"(?<!\w)" + pat + r"(?!\w)"
        for mm in re.finditer(pat, low):
            if not all(i in covered for i in range(mm.start(), mm.end())):
                ctx = t[max(0, mm.start()-25):mm.end()+25].replace("\n", " ")
                print(f"  UNANNOTATED {s!r}: ...{ctx}...")
                problems += 1
print("problems:", problems)
print("entities (mentions) by lang/idtype:")
for k in sorted(cnt): print(" ", k, cnt[k], f"({mcnt[k]})")
print("by idtype/etype/lang:")
for k in sorted(tcnt): print(" ", k, tcnt[k])
