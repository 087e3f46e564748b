#!/usr/bin/env python3
"""Check records.jsonl: shape, offsets, overlaps, edges, unannotated repeats.

Exit status 0 only if every check passes. Unannotated occurrences listed in
ALLOWED (deliberate, explained in WRITER-NOTES.md) are reported but allowed.
"""
import json, pathlib, re, sys

HERE = pathlib.Path(__file__).resolve().parent
REC = HERE.parent / "records.jsonl"
TYPES = {"PERSON", "LOC", "ORG", "DATETIME", "CODE", "QUANTITY", "DEM", "MISC"}
IDTYPES = {"DIRECT", "QUASI", "NO_MASK"}
# (doc_id, lowercased surface) pairs deliberately left unannotated somewhere
ALLOWED = {
    ("unseen-k-ru-02", "журавлёв"),   # inside the workshop's ORG name (covered)
    ("unseen-k-ru-01", "пхеньян"),    # inside the cafe's name (covered)
    ("unseen-k-ru-01", "ким"),        # "кимчи", the dish, not the name
}
LATIN = re.compile(r"[A-Za-z0-9]")
CYR = re.compile(r"[а-яё]")


def occurrences(text, needle):
    """Case-insensitive hits of needle that start at a word boundary.
    Latin needles must also end at a boundary; Cyrillic needles of three or
    more letters may carry up to three letters of case ending (shorter ones
    none); Hangul needles may carry particles."""
    low, n = text.lower(), needle.lower()
    i = low.find(n)
    while i >= 0:
        j = i + len(n)
        ok = not (i > 0 and low[i - 1].isalnum() and n[0].isalnum())
        if ok and n[-1].isalnum() and j < len(low) and low[j].isalnum():
            tail = 0
            while j + tail < len(low) and low[j + tail].isalpha() and CYR.match(low[j + tail]):
                tail += 1
            if LATIN.match(n[-1]):
                ok = False
            elif CYR.match(n[-1]):
                ok = len(n) >= 3 and 0 < tail <= 3 and not (j + tail < len(low) and low[j + tail].isalnum())
        if ok:
            yield i, j
        i = low.find(n, i + 1)


def main():
    errors, notes = [], []
    ids = []
    for ln, line in enumerate(REC.read_text(encoding="utf-8").splitlines(), 1):
        r = json.loads(line)
        if list(r) != ["doc_id", "lang", "text", "entities"]:
            errors.append(f"line {ln}: keys {list(r)}")
        did, text = r["doc_id"], r["text"]
        ids.append(did)
        if r["lang"] not in ("en", "ko", "ru") or f"-{r['lang']}-" not in did:
            errors.append(f"{did}: lang")
        spans = []
        eids = set()
        for e in r["entities"]:
            if list(e) != ["entity_id", "entity_type", "identifier_type", "mentions"]:
                errors.append(f"{did}: entity keys {list(e)}")
            if e["entity_id"] in eids:
                errors.append(f"{did}: duplicate id {e['entity_id']}")
            eids.add(e["entity_id"])
            if e["entity_type"] not in TYPES or e["identifier_type"] not in IDTYPES:
                errors.append(f"{did}: types {e}")
            if not e["mentions"]:
                errors.append(f"{did}: no mentions {e['entity_id']}")
            for m in e["mentions"]:
                if list(m) != ["start", "end", "span_text"]:
                    errors.append(f"{did}: mention keys {list(m)}")
                s, t_ = m["start"], m["end"]
                if text[s:t_] != m["span_text"]:
                    errors.append(f"{did}: offset mismatch {m}")
                if m["span_text"] != m["span_text"].strip() or not m["span_text"]:
                    errors.append(f"{did}: edge whitespace {m}")
                spans.append((s, t_, e["entity_id"]))
        spans.sort()
        for a, b in zip(spans, spans[1:]):
            if b[0] < a[1]:
                errors.append(f"{did}: overlap {a} {b}")
        covered = [False] * len(text)
        for s, t_, _ in spans:
            for k in range(s, t_):
                covered[k] = True
        needles = set()
        for e in r["entities"]:
            for m in e["mentions"]:
                needles.add(m["span_text"])
                if e["entity_type"] == "PERSON":
                    for tok in re.split(r"[\s\-.,()«»\"']+", m["span_text"]):
                        if len(tok) >= 2 or (tok and LATIN.match(tok) and e["entity_type"] == "PERSON" and len(m["span_text"]) == 1):
                            needles.add(tok)
        for n in sorted(needles):
            if len(n) < 2 and not (len(n) == 1 and n.isupper()):
                continue
            for i, j in occurrences(text, n):
                if not all(covered[i:j]):
                    ctx = text[max(0, i - 25):j + 25].replace("\n", " ")
                    key = (did, n.lower())
                    msg = f"{did}: unannotated '{n}' at {i}: …{ctx}…"
                    (notes if key in ALLOWED else errors).append(msg)
        if r["lang"] == "ko":
            size = f"{len(text)} chars"
        else:
            size = f"{len(text.split())} words"
        print(f"{did}: {size}, {len(r['entities'])} entities, {len(spans)} mentions")
    expect = [f"unseen-k-{l}-0{i}" for l in ("en", "ko", "ru") for i in range(1, 6)]
    if ids != expect:
        errors.append(f"doc ids {ids}")
    for n in notes:
        print("allowed:", n)
    for e in errors:
        print("ERROR:", e)
    print("OK" if not errors else f"{len(errors)} errors")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
