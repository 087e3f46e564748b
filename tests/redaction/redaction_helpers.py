"""Assertion helpers shared by the redaction tests."""

from __future__ import annotations

from app.redaction.spans import Span


def masked(text: str, spans: list[Span]) -> set[int]:
    return {i for s in spans for i in range(s.start, s.end)}


def covers(text: str, spans: list[Span], needle: str, occurrence: int = 0) -> bool:
    """True when every letter of the n-th occurrence of ``needle`` is masked."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    m = masked(text, spans)
    return all(i in m or not text[i].isalnum() for i in range(start, start + len(needle)))


def touches(text: str, spans: list[Span], needle: str) -> bool:
    start = text.index(needle)
    m = masked(text, spans)
    return any(i in m for i in range(start, start + len(needle)))
