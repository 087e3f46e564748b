"""Script-aware routing: which stretches of a text are Hangul, Cyrillic or Latin.

Testimonies mix scripts inside one sentence ("Kim Chol-su (김철수)", "ООО
«Примстрой-Инвест»" in an English report), so the language models are run
per run of one script, not per document language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HANGUL_RE = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
LATIN_RE = re.compile(r"[A-Za-z\u00c0-\u024f]")

HANGUL = "hangul"
CYRILLIC = "cyrillic"
LATIN = "latin"


def is_cyrillic_char(c: str) -> bool:
    return "\u0400" <= c <= "\u04ff"


def is_hangul_char(c: str) -> bool:
    return bool(HANGUL_RE.match(c))


def is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def char_script(c: str) -> str | None:
    if is_hangul_char(c):
        return HANGUL
    if is_cyrillic_char(c):
        return CYRILLIC
    if LATIN_RE.match(c):
        return LATIN
    return None


@dataclass(frozen=True)
class Run:
    start: int
    end: int
    script: str


_LETTERS = re.compile(
    r"(?P<hangul>[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]+)|(?P<cyrillic>[\u0400-\u04ff]+)"
    r"|(?P<latin>[A-Za-z\u00c0-\u024f]+)"
)


def runs(text: str, max_gap: int = 40) -> list[Run]:
    """Maximal stretches dominated by one script.

    Letters of one script, with the digits, spaces and punctuation between
    them, form a run; a letter of another script ends it. Neutral stretches
    longer than ``max_gap`` also end a run, so a model never sees a whole
    document when only one name in it is Cyrillic.
    """
    out: list[Run] = []
    cur: str | None = None
    start = end = 0
    for m in _LETTERS.finditer(text):
        script = m.lastgroup
        assert script is not None
        if cur is not None and (script != cur or m.start() - end > max_gap):
            out.append(Run(start, end, cur))
            cur = None
        if cur is None:
            cur, start = script, m.start()
        end = m.end()
    if cur is not None:
        out.append(Run(start, end, cur))
    return out


def dominant(text: str) -> str:
    counts = {HANGUL: 0, CYRILLIC: 0, LATIN: 0}
    for c in text:
        s = char_script(c)
        if s is not None:
            counts[s] += 1
    return max(counts, key=lambda k: counts[k])


def guess_lang(text: str) -> str:
    return {HANGUL: "ko", CYRILLIC: "ru", LATIN: "en"}[dominant(text)]
