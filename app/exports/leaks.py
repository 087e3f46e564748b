"""The leak check: no string a redaction masked may appear in any output file.

Texts are compared as words after Unicode normalisation (NFKC), case
folding and whitespace collapsing, so "KIM  Chol" in a PDF's extracted text
matches a masked "Kim Chol", and a masked "Ho" does not match "shower". In
Hangul a particle is written onto the word before it ("김철수가"), so a
masked Hangul word also matches as the start of an output word.

The index keeps a short hash of each masked word sequence, not the string,
so memory stays small with the number of cases, and a failure names the case
and the category, never what leaked.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

_WORD = re.compile(r"\w+", re.UNICODE)
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Masked strings longer than this many words are checked by their words in order all the same.
_MAX_WORDS = 12


def words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _digest(sequence: Iterable[str]) -> bytes:
    return hashlib.blake2b("\x1f".join(sequence).encode("utf-8"), digest_size=10).digest()


@dataclass(frozen=True)
class Leak:
    case_reference: str
    category: str
    file: str


class MaskedIndex:
    """Every masked string of the export, by a hash of its normalised words."""

    def __init__(self) -> None:
        # hash of the word sequence -> (case reference, category); first wins.
        self._sequences: dict[bytes, tuple[str, str]] = {}
        self._lengths: set[int] = set()

    def add(self, case_reference: str, category: str, masked: str) -> None:
        sequence = words(masked)[:_MAX_WORDS]
        if not sequence:
            return
        self._sequences.setdefault(_digest(sequence), (case_reference, category))
        self._lengths.add(len(sequence))

    def __len__(self) -> int:
        return len(self._sequences)

    def _match(self, window: list[str]) -> tuple[str, str] | None:
        found = self._sequences.get(_digest(window))
        if found is not None:
            return found
        last = window[-1]
        if _HANGUL.search(last):
            # A particle may follow the masked word: try every shorter start.
            for end in range(len(last) - 1, 0, -1):
                found = self._sequences.get(_digest([*window[:-1], last[:end]]))
                if found is not None:
                    return found
        return None

    def scan(self, file: str, lines: Iterable[str]) -> Leak | None:
        """The first masked string found in ``lines`` (a file's text), or None.

        Lines are joined with their neighbours, so a name broken across two
        lines of a PDF's extracted text is still found.
        """
        if not self._sequences:
            return None
        longest = max(self._lengths)
        tail: list[str] = []
        for line in lines:
            buffer = tail + words(line)
            # Windows ending at every word of this line (earlier ends were checked before).
            for end in range(len(tail) + 1, len(buffer) + 1):
                for size in self._lengths:
                    if size > end:
                        continue
                    found = self._match(buffer[end - size:end])
                    if found is not None:
                        return Leak(found[0], found[1], file)
            tail = buffer[-(longest - 1):] if longest > 1 else []
        return None
