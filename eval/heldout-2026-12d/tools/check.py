#!/usr/bin/env python3
import json, re, sys
STOP = {"the","of","mr","mrs","ms","dr","and","a"}
path = sys.argv[1] if len(sys.argv) > 1 else "/work/evald/records.jsonl"
ok = True
for line in open(path, encoding="utf-8"):
    r = json.loads(line)
    assert list(r) == ["doc_id", "lang", "text", "entities"], r.keys()
    t = r["text"]; spans = []
    for e in r["entities"]:
        assert list(e) == ["entity_id", "entity_type", "identifier_type", "mentions"]
        assert e["entity_type"] in "PERSON LOC ORG DATETIME CODE QUANTITY DEM MISC".split()
        assert e["identifier_type"] in ("DIRECT", "QUASI", "NO_MASK")
        for m in e["mentions"]:
            assert list(m) == ["start", "end", "span_text"]
            assert t[m["start"]:m["end"]] == m["span_text"], m
            assert m["span_text"] == m["span_text"].strip(), m
            spans.append((m["start"], m["end"], e["entity_id"]))
    spans.sort()
    for a, b in zip(spans, spans[1:]):
        if b[0] < a[1]: print("OVERLAP", r["doc_id"], a, b); ok = False
    cov = set(i for s, e_, _ in spans for i in range(s, e_))
    tl = t.lower()
    forms = {}
    for e in r["entities"]:
        for m in e["mentions"]:
            forms.setdefault(m["span_text"].lower(), e["entity_id"])
        if e["entity_type"] == "PERSON":
            for m in e["mentions"]:
                for tok in re.findall(r"\w[\w'-]*", m["span_text"]):
                    if tok.lower() not in STOP and (len(tok) >= 2 or re.match(r"[가-힣]", tok)):
                        forms.setdefault(tok.lower(), e["entity_id"] + " (token)")
    for f, eid in sorted(forms.items()):
        for mm in re.finditer(re.escape(f), tl):
            s, e_ = mm.start(), mm.end()
            if any(i not in cov for i in range(s, e_)):
                # word boundary check for latin/cyrillic tokens
                before = tl[s-1] if s else " "; after = tl[e_] if e_ < len(tl) else " "
                wordy = lambda c: c.isalnum() and not ('\uac00' <= c <= '\ud7a3')
                if re.match(r"\w", f[0]) and not ('\uac00' <= f[0] <= '\ud7a3') and (wordy(before) or wordy(after)):
                    continue
                print(f"UNANN {r['doc_id']} {f!r} @{s} [{eid}] ...{t[max(0,s-25):e_+25]!r}")
print("structure OK" if ok else "PROBLEMS")
