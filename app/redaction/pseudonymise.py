"""Render redacted text with labels that stay consistent within a case.

"Kim Chol-su", "Mr Kim" and "김철수" of one case all become "[PERSON A]":
spans that carry the same ``entity`` id (set by the detector, see
``entities.py``) share one label. Every surface of a referent is remembered,
so the same person gets the same label in every document of the case (reuse
one ``Pseudonymiser``); spans without an entity id are labelled by surface.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field

from app.redaction.mentions import referent_keys
from app.redaction.spans import (
    ADDRESS,
    CODE,
    DATE,
    DEM,
    MISC,
    ORG,
    PERSON,
    PLACE,
    QUANTITY,
    Span,
    merge_spans,
)

# Categories whose pseudonyms are numbered per referent; the others are
# replaced by a bare label, since "[DATE 3]" would only invite guessing.
LETTERED = {PERSON: "PERSON"}
NUMBERED = {PLACE: "PLACE", ORG: "ORG"}
PLAIN = {
    ADDRESS: "ADDRESS",
    CODE: "NUMBER",
    DATE: "DATE",
    QUANTITY: "AMOUNT",
    DEM: "DETAIL",
    MISC: "DETAIL",
}


def _letters(n: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (spreadsheet-style)."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = string.ascii_uppercase[r] + out
    return out


def _norm(surface: str) -> str:
    return " ".join(surface.casefold().split())


@dataclass
class Pseudonymiser:
    """Mapping surface -> label, reusable across the documents of one case."""

    labels: dict[tuple[str, str], str] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    # Script-independent keys of full names ("리성혁" = "Ri Song-hyok") -> label.
    referents: dict[str, str] = field(default_factory=dict)

    def label(self, category: str, surface: str) -> str:
        if category in PLAIN:
            return f"[{PLAIN[category]}]"
        key = (category, _norm(surface))
        if key not in self.labels:
            n = self.counters.get(category, 0)
            self.counters[category] = n + 1
            if category in LETTERED:
                self.labels[key] = f"[{LETTERED[category]} {_letters(n)}]"
            else:
                self.labels[key] = f"[{NUMBERED.get(category, category)} {n + 1}]"
        return self.labels[key]

    def alias(self, category: str, surface: str, same_as: str) -> None:
        """Declare that ``surface`` names the same referent as ``same_as``."""
        self.labels[(category, _norm(surface))] = self.label(category, same_as)

    def _register_entities(self, text: str, spans: list[Span]) -> dict[tuple[str, str], str]:
        """Give each referent one label, reusing one a surface already has."""
        groups: dict[tuple[str, str], list[str]] = {}
        for s in spans:
            if s.entity is not None and s.category not in PLAIN:
                groups.setdefault((s.category, s.entity), []).append(s.text(text))
        out: dict[tuple[str, str], str] = {}
        for (category, entity), surfaces in groups.items():
            # Look up by the fullest names first: a bare "Kim" from another
            # document must not pull a different Kim into this label.
            ordered = sorted(set(surfaces), key=lambda x: (-len(x.split()), -len(x)))
            full = [x for x in ordered if len(x.split()) > 1 or len(x) >= 3]
            keys = set().union(*(referent_keys(x, category) for x in full)) if full else set()
            known_keys = sorted(k for k in keys if k in self.referents)
            known = [x for x in (full or ordered) if (category, _norm(x)) in self.labels]
            if known_keys:
                label = self.referents[known_keys[0]]
            else:
                label = self.label(category, known[0] if known else ordered[0])
            out[(category, entity)] = label
            for k in keys:
                self.referents.setdefault(k, label)
            for x in ordered:
                self.labels.setdefault((category, _norm(x)), label)
                if x in full:
                    self.labels[(category, _norm(x))] = label
        return out

    def render(self, text: str, spans: list[Span]) -> str:
        merged = merge_spans(spans)
        by_entity = self._register_entities(text, merged)
        parts: list[str] = []
        pos = 0
        for s in merged:
            parts.append(text[pos : s.start])
            if s.entity is not None and (s.category, s.entity) in by_entity:
                parts.append(by_entity[(s.category, s.entity)])
            else:
                parts.append(self.label(s.category, s.text(text)))
            pos = s.end
        parts.append(text[pos:])
        return "".join(parts)


def pseudonymise(text: str, spans: list[Span], mapping: Pseudonymiser | None = None) -> str:
    return (mapping or Pseudonymiser()).render(text, spans)
