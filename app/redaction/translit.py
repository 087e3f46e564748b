"""Cross-script matching: "Valery Kan" and "Валерий Кан" are one person.

Names are compared by a loose phonetic key: Cyrillic is transliterated to
Latin, then both sides are lowercased, stripped of non-letters, and spelling
variants are folded (y/i/j, kh/h, doubled letters), so the key survives the
usual differences between transliteration systems.
"""

from __future__ import annotations

import re

_RU = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}
_FOLDS = [("kh", "h"), ("shch", "sh"), ("ks", "x"), ("y", "i"), ("j", "i"), ("ie", "e"),
          ("ŏ", "o"), ("ŭ", "u"), ("'", "")]
CYR_CAP_SEQ = re.compile(r"(?<![\w-])[А-ЯЁ][а-яё]+(?:[ -][А-ЯЁ][а-яё]+){0,2}(?![\w-])")
LAT_CAP_SEQ = re.compile(r"(?<![\w-])[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2}(?![\w-])")


def to_latin(s: str) -> str:
    return "".join(_RU.get(c.lower(), c) for c in s)


def key(s: str) -> str:
    k = to_latin(s).lower()
    k = re.sub(r"[^a-zŏŭ']", "", k)
    for a, b in _FOLDS:
        k = k.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", k)


def other_script_mentions(text: str, surfaces: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, surface) of capitalised sequences whose key equals a surface's key."""
    keys = {key(s): s for s in surfaces if len(key(s)) >= 4}
    if not keys:
        return []
    out: list[tuple[int, int, str]] = []
    for rx in (CYR_CAP_SEQ, LAT_CAP_SEQ):
        for m in rx.finditer(text):
            k = key(m.group(0))
            if k in keys:
                out.append((m.start(), m.end(), keys[k]))
    return out
