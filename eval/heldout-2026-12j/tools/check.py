#!/usr/bin/env python3
"""Check records.jsonl: shape, offsets, overlaps, edge whitespace, and
unannotated occurrences of every annotated surface and PERSON name token
(case-insensitive), minus the '#ALLOW:' surfaces of each source file."""
import json, re, sys, pathlib
from collections import Counter
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from build import parse, HERE

TYPES = {"PERSON", "LOC", "ORG", "DATETIME", "CODE", "QUANTITY", "DEM", "MISC"}
IDT = {"DIRECT", "QUASI", "NO_MASK"}
STOP = {"mr", "mrs", "ms", "dr", "the", "of", "and", "de", "no", "г.", "и", "а."}

def occurrences(text, s):
    tl, sl = text.lower(), s.lower()
    i = tl.find(sl)
    while i >= 0:
        a, b = i, i + len(s)
        # for Latin/Cyrillic words require word boundaries on the left only
        # (Russian case endings, Korean particles on the right are fine)
        if not (a > 0 and text[a-1].isalnum() and text[a-1].isascii() == s[0].isascii() and not ('\uac00' <= s[0] <= '\ud7a3')):
            if (s[-1].isascii() or len(s) <= 2) and s[-1].isalnum() and b < len(text) and text[b].isalnum() and not ('\uac00' <= s[0] <= '\ud7a3'):
                pass  # Latin probe continuing into a longer Latin word
            else:
                yield a, b
        i = tl.find(sl, i + 1)

def main():
    lines = (HERE.parent / "records.jsonl").read_text(encoding="utf-8").splitlines()
    allows = {}
    for p in sorted((HERE / "src").glob("*.txt")):
        rec, allow = parse(p)
        allows[rec["doc_id"]] = allow
    bad = 0
    ids = Counter()
    for ln in lines:
        r = json.loads(ln)
        assert list(r) == ["doc_id", "lang", "text", "entities"], r.keys()
        ids[r["doc_id"]] += 1
        t = r["text"]
        spans = []
        for e in r["entities"]:
            assert list(e) == ["entity_id", "entity_type", "identifier_type", "mentions"]
            assert e["entity_type"] in TYPES, e
            assert e["identifier_type"] in IDT, e
            for m in e["mentions"]:
                assert list(m) == ["start", "end", "span_text"]
                if t[m["start"]:m["end"]] != m["span_text"]:
                    print("OFFSET", r["doc_id"], m); bad += 1
                if m["span_text"] != m["span_text"].strip() or not m["span_text"]:
                    print("EDGE", r["doc_id"], repr(m["span_text"])); bad += 1
                spans.append((m["start"], m["end"], e["entity_id"]))
        spans.sort()
        for a, b in zip(spans, spans[1:]):
            if b[0] < a[1]:
                print("OVERLAP", r["doc_id"], a, b); bad += 1
        covered = [(s, e_) for s, e_, _ in spans]
        def inside(a, b):
            return any(s <= a and b <= e_ for s, e_ in covered)
        pcovered = [(m["start"], m["end"]) for e in r["entities"] if e["entity_type"] == "PERSON" for m in e["mentions"]]
        ptoks = set()
        probes = set()
        for e in r["entities"]:
            for m in e["mentions"]:
                probes.add(m["span_text"])
                if e["entity_type"] == "PERSON":
                    for tok in re.split(r"[\s,()]+", m["span_text"]):
                        tok = tok.strip(".«»\"'")
                        if len(tok) >= 2 and tok.lower() not in STOP:
                            probes.add(tok); ptoks.add(tok)
        allow = allows.get(r["doc_id"], [])
        for s in sorted(probes):
            for a, b in occurrences(t, s):
                if any(al.lower() in t[max(0, a-40):b+40].lower() and s.lower() in al.lower() for al in allow):
                    continue
                if s in ptoks and not any(x <= a and b <= y for x, y in pcovered) and inside(a, b):
                    print("NAME-IN-OTHER-SPAN", r["doc_id"], repr(s), t[max(0,a-25):b+25].replace("\n"," ")); bad += 1
                    continue
                if inside(a, b):
                    continue
                ctx = t[max(0, a-25):b+25].replace("\n", " ")
                if any(al.lower() in t[max(0, a-40):b+40].lower() and s.lower() in al.lower() for al in allow):
                    continue
                print("UNANNOTATED", r["doc_id"], repr(s), "…" + ctx + "…"); bad += 1
    for d, n in ids.items():
        if n != 1:
            print("DUPLICATE", d); bad += 1
    if len(lines) != 15:
        print("COUNT", len(lines)); bad += 1
    print("problems:", bad)
    sys.exit(1 if bad else 0)

if __name__ == "__main__":
    main()
