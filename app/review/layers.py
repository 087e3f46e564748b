"""A redaction layer: the spans of every sealed text of a case, decided.

Pure data and rules (no database, no Flask): building the editor's state
from the detector's suggestions and the last saved layer, rendering the
pseudonymised text, the second sweep's open items, and what changed
between two layers. The JSON form is what is sealed in a RedactionVersion.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from app.i18n import N_
from app.intake import schema
from app.redaction.pseudonymise import Pseudonymiser
from app.redaction.spans import CATEGORIES, CODE, DATE, MISC, IdType, Span
from app.review import sweep

Found = Mapping[str, list[Span]]
PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
DECISIONS = (PENDING, ACCEPTED, REJECTED)
DETECTOR, MANUAL = "detector", "manual"
SAFE, MASK = "safe", "mask"

CATEGORY_LABELS = {
    "PERSON": N_("Person"), "PLACE": N_("Place"), "ADDRESS": N_("Address"),
    "ORG": N_("Organisation"),
    "DATE": N_("Date"), "CODE": N_("Number or contact"), "QUANTITY": N_("Amount"),
    "DEM": N_("Personal detail (age, job, mark)"), "MISC": N_("Other detail"),
}
ID_TYPE_LABELS = {IdType.DIRECT.value: N_("Direct identifier"),
                  IdType.QUASI.value: N_("Quasi-identifier")}
SWEEP_KIND_LABELS = {sweep.NAME: N_("Looks like a name"), sweep.PLACE: N_("Looks like a place"),
                     sweep.NUMBER: N_("A number"), sweep.DATE: N_("Looks like a date")}
# What a masked sweep item becomes.
SWEEP_CATEGORY = {sweep.NAME: MISC, sweep.PLACE: "PLACE", sweep.NUMBER: CODE, sweep.DATE: DATE}


def text_fields() -> tuple[tuple[str, str], ...]:
    """(name, label) of every text that is redacted, the narrative first."""
    return ((schema.NARRATIVE_FIELD, N_("Narrative")),
            *((spec.name, spec.label) for spec in schema.sealed_fields()
              if spec.kind in {schema.Kind.TEXT, schema.Kind.LONG_TEXT}))


def case_texts(narrative: str, sealed: Mapping[str, Any]) -> dict[str, str]:
    """The non-empty texts to redact, in the editor's order."""
    texts: dict[str, str] = {}
    for name, _label in text_fields():
        value = narrative if name == schema.NARRATIVE_FIELD else sealed.get(name)
        if isinstance(value, str) and value.strip():
            texts[name] = value
    return texts


def key_of(field_name: str, start: int, end: int) -> str:
    return f"{field_name}:{start}:{end}"


@dataclass(frozen=True)
class LayerSpan:
    field: str
    start: int
    end: int
    category: str
    id_type: str
    decision: str = PENDING
    pseudonym: str = ""
    source: str = DETECTOR

    @property
    def key(self) -> str:
        return key_of(self.field, self.start, self.end)

    @property
    def masks(self) -> bool:
        """Pending suggestions are masked until rejected: the safe default."""
        return self.decision != REJECTED


@dataclass
class Layer:
    spans: list[LayerSpan] = field(default_factory=list)
    sweep: dict[str, str] = field(default_factory=dict)
    comment: str | None = None

    def to_json(self) -> bytes:
        return json.dumps({"spans": [asdict(s) for s in self.spans], "sweep": self.sweep,
                           "comment": self.comment}, ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Layer:
        raw = json.loads(data)
        return cls(spans=[LayerSpan(**s) for s in raw.get("spans", [])],
                   sweep=dict(raw.get("sweep", {})), comment=raw.get("comment"))

    def by_key(self) -> dict[str, LayerSpan]:
        return {s.key: s for s in self.spans}

    def copy(self) -> Layer:
        return Layer(list(self.spans), dict(self.sweep), None)


@dataclass(frozen=True)
class SweepItem:
    field: str
    start: int
    end: int
    kind: str
    text: str
    context: str
    decision: str | None

    @property
    def key(self) -> str:
        return key_of(self.field, self.start, self.end)


def _pseudonyms(texts: Mapping[str, str], found: Found,
                manual: Iterable[LayerSpan]) -> tuple[dict[str, str], Pseudonymiser]:
    """One Pseudonymiser across every field, so one person has one label."""
    mapping = Pseudonymiser()
    labels: dict[str, str] = {}
    for name, text in texts.items():
        mapping.render(text, found[name])
        for s in found[name]:
            labels[key_of(name, s.start, s.end)] = mapping.label(s.category, s.text(text))
    for added in manual:
        if added.field in texts:
            surface = texts[added.field][added.start:added.end]
            labels[added.key] = mapping.label(added.category, surface)
    return labels, mapping


def suggest(texts: Mapping[str, str], detect: Callable[[str], list[Span]]
            ) -> dict[str, list[Span]]:
    """The detector's spans for every text."""
    return {name: detect(text) for name, text in texts.items()}


def build(texts: Mapping[str, str], found: Found, saved: Layer | None) -> Layer:
    """The editor's state: the detector's suggestions with the saved decisions,
    plus every saved span the detector does not give now (added by hand, or
    suggested by an earlier detector: a decision once made is never dropped
    because the detector changed), each with its pseudonym (recomputed, so a
    span added since gets the label its surface has elsewhere)."""
    previous = saved.by_key() if saved else {}
    now = {key_of(name, s.start, s.end) for name in texts for s in found[name]}
    kept = [s for s in (saved.spans if saved else []) if s.key not in now]
    labels, _mapping = _pseudonyms(texts, found, kept)
    spans: list[LayerSpan] = []
    for name in texts:
        for s in found[name]:
            key = key_of(name, s.start, s.end)
            old = previous.get(key)
            spans.append(LayerSpan(name, s.start, s.end, s.category, str(s.identifier_type),
                                   old.decision if old else PENDING, labels[key], DETECTOR))
    spans += [replace(s, pseudonym=labels.get(s.key, s.pseudonym)) for s in kept
              if s.field in texts]
    spans.sort(key=lambda s: (list(texts).index(s.field), s.start, -s.end))
    return Layer(spans, dict(saved.sweep) if saved else {}, None)


def segments(text: str, spans: Iterable[LayerSpan]) -> list[tuple[str, LayerSpan | None]]:
    """``text`` cut into plain runs and span runs (overlaps go to the earlier span)."""
    out: list[tuple[str, LayerSpan | None]] = []
    pos = 0
    for s in sorted(spans, key=lambda s: (s.start, -s.end)):
        if s.end <= pos:
            continue
        start = max(s.start, pos)
        if start > pos:
            out.append((text[pos:start], None))
        out.append((text[start:s.end], s))
        pos = s.end
    if pos < len(text):
        out.append((text[pos:], None))
    return out


def pseudonymised(text: str, spans: Iterable[LayerSpan]) -> str:
    """The text with every masking span replaced by its pseudonym."""
    parts: list[str] = []
    pos = 0
    for s in sorted((s for s in spans if s.masks), key=lambda s: (s.start, -s.end)):
        if s.end <= pos:
            continue
        if s.start >= pos:
            parts.append(text[pos:s.start])
            parts.append(s.pseudonym or f"[{CATEGORY_LABELS.get(s.category, 'DETAIL').upper()}]")
        pos = s.end
    parts.append(text[pos:])
    return "".join(parts)


def sweep_items(texts: Mapping[str, str], layer: Layer) -> list[SweepItem]:
    """Every candidate token not under a masking span, with its saved decision."""
    items: list[SweepItem] = []
    for name, text in texts.items():
        masked = [(s.start, s.end) for s in layer.spans if s.field == name and s.masks]
        for cand in sweep.candidates(text):
            if any(b < cand.end and cand.start < e for b, e in masked):
                continue
            key = key_of(name, cand.start, cand.end)
            context = text[max(0, cand.start - 30):cand.end + 30].replace("\n", " ")
            items.append(SweepItem(name, cand.start, cand.end, cand.kind,
                                   text[cand.start:cand.end], context, layer.sweep.get(key)))
    return items


def occurrences(texts: Mapping[str, str], phrase: str) -> list[tuple[str, int, int]]:
    """Every (field, start, end) where ``phrase`` occurs exactly."""
    found: list[tuple[str, int, int]] = []
    if not phrase:
        return found
    for name, text in texts.items():
        start = text.find(phrase)
        while start >= 0:
            found.append((name, start, start + len(phrase)))
            start = text.find(phrase, start + len(phrase))
    return found


@dataclass(frozen=True)
class Changes:
    added: int = 0
    accepted: int = 0
    rejected: int = 0
    swept: int = 0

    @property
    def empty(self) -> bool:
        return not (self.added or self.accepted or self.rejected or self.swept)


def changes(before: Layer | None, after: Layer) -> Changes:
    """Counts of what changed from ``before`` to ``after`` (no text)."""
    old = before.by_key() if before else {}
    added = accepted = rejected = 0
    for s in after.spans:
        prior = old.get(s.key)
        if prior is None and s.source == MANUAL:
            added += 1
        was = prior.decision if prior else PENDING
        if s.decision != was:
            accepted += s.decision == ACCEPTED
            rejected += s.decision == REJECTED
    old_sweep = before.sweep if before else {}
    swept = sum(1 for k, v in after.sweep.items() if old_sweep.get(k) != v)
    return Changes(added, accepted, rejected, swept)


def valid_category(category: str) -> bool:
    return category in CATEGORIES


def valid_id_type(id_type: str) -> bool:
    return id_type in ID_TYPE_LABELS
