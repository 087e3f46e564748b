"""A small re-implementation of the shared scorer's metrics for one annotator.

The project's tests must run without ``../shared``, so the regression
fixtures are scored here: ER_di / ER_qi (an entity counts only when every
mention is masked; short function words and punctuation may stay readable),
P_token (share of masked word tokens that the gold also masks) and
NO_MASK_hit (share of must-stay-readable mentions that got masked).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

IGNORED_WORDS = {
    "mr", "mrs", "ms", "dr", "no", "nr", "about", "the", "a", "an", "of", "in",
    "on", "at", "to", "for", "and", "or", "by", "with", "from", "s",
}
IGNORED_CHARS = set(" \t\n,.-;:/&()[]–'\"’“”‘«»")
WORD = re.compile(r"\w+")


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _mention_masked(text: str, s: int, t: int, masked: set[int]) -> bool:
    for m in WORD.finditer(text, s, t):
        if m.group(0).lower() not in IGNORED_WORDS and any(
            i not in masked for i in range(m.start(), m.end())
        ):
            return False
    return all(
        i in masked or text[i] in IGNORED_CHARS or WORD.match(text[i]) for i in range(s, t)
    )


def referent_errors(
    docs: list[dict[str, Any]], entity_at: dict[str, list[tuple[int, int, str | None]]]
) -> tuple[list[str], list[str]]:
    """(split, merged): gold persons whose mentions got several referent ids,
    and referent ids given to more than one gold person."""
    split: list[str] = []
    merged: list[str] = []
    for doc in docs:
        spans = entity_at.get(doc["doc_id"], [])
        owner: dict[str, str] = {}
        for ent in doc["entities"]:
            if ent["entity_type"] != "PERSON" or ent["identifier_type"] == "NO_MASK":
                continue
            ids = {
                i for m in ent["mentions"] for s, e, i in spans
                if i is not None and s < m["end"] and m["start"] < e
            }
            if len(ids) > 1:
                split.append(f"{doc['doc_id']}: {ent['mentions'][0]['span_text']}")
            for i in ids:
                if owner.setdefault(i, ent["entity_id"]) != ent["entity_id"]:
                    merged.append(f"{doc['doc_id']}: {ent['mentions'][0]['span_text']}")
    return split, merged


def score(docs: list[dict[str, Any]], preds: dict[str, list[tuple[int, int]]]) -> dict[str, float]:
    hit = {"DIRECT": 0, "QUASI": 0}
    tot = {"DIRECT": 0, "QUASI": 0}
    tp = sys_tokens = nomask_hit = nomask_tot = 0
    for doc in docs:
        text = doc["text"]
        masked = {i for s, e in preds.get(doc["doc_id"], []) for i in range(s, e)}
        gold_tokens: set[tuple[int, int]] = set()
        for ent in doc["entities"]:
            spans = [(m["start"], m["end"]) for m in ent["mentions"]]
            if ent["identifier_type"] == "NO_MASK":
                nomask_tot += len(spans)
                nomask_hit += sum(any(i in masked for i in range(s, t)) for s, t in spans)
                continue
            for s, t in spans:
                gold_tokens.update((m.start(), m.end()) for m in WORD.finditer(text, s, t))
            tot[ent["identifier_type"]] += 1
            hit[ent["identifier_type"]] += all(
                _mention_masked(text, s, t, masked) for s, t in spans
            )
        for m in WORD.finditer(text):
            if any(i in masked for i in range(m.start(), m.end())):
                sys_tokens += 1
                tp += (m.start(), m.end()) in gold_tokens
    return {
        "ER_di": hit["DIRECT"] / max(tot["DIRECT"], 1),
        "ER_qi": hit["QUASI"] / max(tot["QUASI"], 1),
        "P_token": tp / max(sys_tokens, 1),
        "NO_MASK_hit": nomask_hit / max(nomask_tot, 1),
    }
