"""Render redacted text with labels that stay consistent within a case.

"Kim Chol-su", "Mr Kim" and "김철수" of one case all become "[PERSON A]" only
if the caller tells us they are one referent; by default each distinct
normalised surface gets its own label, and the same surface gets the same
label in every document of the case (reuse one ``Pseudonymiser``).
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field

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

    def render(self, text: str, spans: list[Span]) -> str:
        parts: list[str] = []
        pos = 0
        for s in merge_spans(spans):
            parts.append(text[pos : s.start])
            parts.append(self.label(s.category, s.text(text)))
            pos = s.end
        parts.append(text[pos:])
        return "".join(parts)


def pseudonymise(text: str, spans: list[Span], mapping: Pseudonymiser | None = None) -> str:
    return (mapping or Pseudonymiser()).render(text, spans)
