"""Span type shared by every detector layer, and the merge that combines them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class IdType(StrEnum):
    """The brief's two redaction tiers (NO_MASK is never emitted as a span)."""

    DIRECT = "DIRECT"
    QUASI = "QUASI"


# Categories double as pseudonym labels ("[PERSON A]", "[PLACE 2]").
PERSON = "PERSON"
PLACE = "PLACE"
ADDRESS = "ADDRESS"
ORG = "ORG"
DATE = "DATE"
CODE = "CODE"  # phones, e-mail, handles, ID/passport/case numbers, accounts
QUANTITY = "QUANTITY"  # personal wages, group sizes
DEM = "DEM"  # ages, jobs, ethnicity, distinctive marks
MISC = "MISC"  # unique incidents and injuries

CATEGORIES = (PERSON, PLACE, ADDRESS, ORG, DATE, CODE, QUANTITY, DEM, MISC)

# When two overlapping spans merge, the stronger identifier type and the more
# specific category survive; DIRECT beats QUASI because it must never leak.
_CATEGORY_RANK = {c: i for i, c in enumerate(CATEGORIES)}


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    category: str
    identifier_type: IdType = IdType.QUASI
    # Referent id within one document ("P1", "L2", "O3"): every mention of
    # one person, place or organisation shares it (set by ``entities.link``).
    entity: str | None = None

    def __post_init__(self) -> None:
        if self.start < 0 or self.end <= self.start:
            raise ValueError(f"empty or negative span {self.start}:{self.end}")
        if self.category not in _CATEGORY_RANK:
            raise ValueError(f"unknown category {self.category!r}")

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def text(self, source: str) -> str:
        return source[self.start : self.end]

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "start": self.start,
            "end": self.end,
            "category": self.category,
            "identifier_type": str(self.identifier_type),
        }
        if self.entity is not None:
            out["entity"] = self.entity
        return out


def _stronger(a: Span, b: Span) -> tuple[str, IdType]:
    id_type = IdType.DIRECT if IdType.DIRECT in (a.identifier_type, b.identifier_type) else (
        IdType.QUASI
    )
    # The longer span usually carries the right category (an address swallows
    # the city inside it); ties go to the earlier category in CATEGORIES.
    la, lb = a.end - a.start, b.end - b.start
    if la != lb:
        category = a.category if la > lb else b.category
    else:
        category = min(a.category, b.category, key=_CATEGORY_RANK.__getitem__)
    return category, id_type


def merge_spans(spans: Iterable[Span], text: str | None = None) -> list[Span]:
    """Sorted, non-overlapping spans covering the union of the input.

    With ``text`` given, spans separated only by spaces are also joined, so
    "Kim" + "Chol-su" become one name instead of two pseudonyms.
    """
    out: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, -s.end)):
        if out:
            last = out[-1]
            gap_ok = last.end >= s.start
            if not gap_ok and text is not None and last.category == s.category:
                gap_ok = text[last.end : s.start].strip(" ") == "" and s.start - last.end <= 1
            if gap_ok:
                category, id_type = _stronger(last, s)
                longer = last if last.end - last.start >= s.end - s.start else s
                entity = longer.entity or last.entity or s.entity
                out[-1] = Span(last.start, max(last.end, s.end), category, id_type, entity)
                continue
        out.append(s)
    return out


def subtract(spans: Iterable[Span], blocked: Iterable[tuple[int, int]]) -> list[Span]:
    """Drop spans that overlap a protected range (public figures, countries)."""
    ranges = sorted(blocked)
    kept: list[Span] = []
    for s in spans:
        if not any(s.start < e and b < s.end for b, e in ranges):
            kept.append(s)
    return kept
