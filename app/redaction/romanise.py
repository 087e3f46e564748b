"""Loose phonetic keys that let one name be recognised across scripts.

"리성혁", "Ri Song-hyok", "Lee Seong-hyeok" and "Ли Сон Хёк" are one person.
Hangul syllables are romanised, Cyrillic is transliterated, and all three are
folded to a key that survives the usual differences between McCune-Reischauer,
Revised Romanization, ad-hoc spellings and the Russian (Kontsevich) system:
voicing (g/k, j/ch), aspiration (ch'/chh), eo/ŏ/o, eu/ŭ/ы, ng/n, l/r, w/v.
Korean surnames are compared through the romanisation table of ``names``.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from app.redaction.translit import to_latin

_INITIAL = ["k", "k", "n", "t", "t", "r", "m", "p", "p", "s", "s", "", "c", "c", "c", "k", "t",
            "p", "h"]
_MEDIAL = ["a", "e", "ya", "ye", "o", "e", "yo", "ye", "o", "va", "ve", "ve", "yo", "u", "vo",
           "ve", "vi", "yu", "u", "ui", "i"]
_FINAL = ["", "k", "k", "k", "n", "n", "n", "t", "r", "k", "m", "r", "r", "r", "p", "r", "m", "p",
          "p", "t", "t", "n", "t", "t", "k", "t", "p", "t"]
_FOLDS = [
    ("ŏ", "o"), ("ŭ", "u"), ("ng", "n"), ("eo", "o"), ("eu", "u"), ("oo", "u"), ("ee", "i"),
    ("ae", "e"),
    ("oe", "ve"), ("sh", "s"), ("kh", "h"), ("zh", "c"), ("tch", "c"), ("ch", "c"), ("ts", "c"),
    ("j", "c"), ("g", "k"), ("d", "t"), ("b", "p"), ("l", "r"), ("w", "v"), ("y", "i"),
]


def hangul_to_latin(s: str) -> str:
    out: list[str] = []
    for c in s:
        code = ord(c) - 0xAC00
        if 0 <= code < 11172:
            out.append(_INITIAL[code // 588] + _MEDIAL[(code % 588) // 28] + _FINAL[code % 28])
        else:
            out.append(c)
    return "".join(out)


def key(s: str) -> str:
    """Script- and romanisation-independent key of a name or name part."""
    k = hangul_to_latin(s.replace("ы", "u").replace("Ы", "U").replace("э", "e"))
    k = to_latin(k).lower()
    k = re.sub(r"[^a-zŏŭ]", "", k)
    for a, b in _FOLDS:
        k = k.replace(a, b)
    k = re.sub(r"(?<=[ckpt])h", "", k)
    return re.sub(r"(.)\1+", r"\1", k)


@cache
def _surname_classes() -> dict[str, frozenset[str]]:
    """Any spelling of a Korean surname -> the Hangul surnames it can stand for."""
    data = resources.files("app.redaction").joinpath("data", "korean_surnames.tsv")
    table: dict[str, set[str]] = {}
    for line in data.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        hangul, latin, cyr = line.split("\t")
        canon = hangul.split("|")[0]
        for form in hangul.split("|") + latin.split("|") + cyr.split("|"):
            table.setdefault(form.lower(), set()).add(canon)
    return {k: frozenset(v) for k, v in table.items()}


def surname_class(token: str) -> frozenset[str]:
    """Hangul surnames a token may spell ("Ri" -> {리}); empty if none."""
    return _surname_classes().get(token.strip(".,'’").lower(), frozenset())


# The closed inventory of romanised Korean syllables, generated from the
# jamo: every initial, medial and final in McCune-Reischauer (with and
# without breves, voiced or unvoiced, as names are written on both sides of
# the border), Revised Romanization, and the common ad-hoc spellings
# ("Young", "Sung", "Hee", "Joo"). It is a grammar, not a list of names.
_INI: tuple[tuple[str, ...], ...] = (
    ("k", "g"), ("kk", "gg"), ("n",), ("t", "d"), ("tt",), ("r", "l", "n"), ("m",),
    ("p", "b"), ("pp",), ("s", "sh"), ("ss",), ("",), ("ch", "j"), ("tch", "jj"),
    ("ch'", "ch", "chh"), ("k'", "k", "kh"), ("t'", "t", "th"), ("p'", "p", "ph"), ("h",),
)
_MED: tuple[tuple[str, ...], ...] = (
    ("a",), ("ae", "e"), ("ya",), ("yae", "ye"), ("ŏ", "o", "eo", "u"), ("e",),
    ("yŏ", "yo", "yeo", "you", "yu"), ("ye",), ("o", "oh"), ("wa",), ("wae", "we"),
    ("oe", "we", "oi"), ("yo",), ("u", "oo"), ("wŏ", "wo", "weo", "won"), ("we",), ("wi",),
    ("yu", "yoo"), ("ŭ", "u", "eu"), ("ŭi", "ui", "eui", "i"), ("i", "ee", "ie", "yi"),
)
_FIN: tuple[tuple[str, ...], ...] = (
    ("",), ("k", "g"), ("k",), ("k",), ("n",), ("n",), ("n",), ("t", "d"), ("l", "r"),
    ("k",), ("m",), ("l",), ("l",), ("l",), ("p",), ("l",), ("m",), ("p", "b"), ("p",),
    ("t",), ("t",), ("ng",), ("t",), ("t",), ("k",), ("t",), ("p",), ("t",),
)
# Final ㅇ also spelt "ung"/"ong" in "Young", "Sung"; RR "eo"+"ng" as "ung".
_EXTRA = ("young", "yung", "sung", "jung", "chung", "hyung", "kyung", "myung", "hee", "joo",
          "soo", "woo", "yoon", "moon", "koo", "choo", "hoon", "sook", "suk", "seok")


@cache
def korean_syllables() -> frozenset[str]:
    """Every romanised spelling of a Korean syllable (lowercase, apostrophes kept)."""
    out: set[str] = set(_EXTRA)
    for ini in _INI:
        for med in _MED:
            for fin in {f for fs in _FIN for f in fs}:
                for i in ini:
                    for m in med:
                        out.add(i + m + fin)
    # ㅇ + ㅇ: "ong", "ung"... are covered; drop the empty string.
    out.discard("")
    return frozenset(out)


def is_korean_syllable(token: str) -> bool:
    return token.lower().replace("’", "'") in korean_syllables()


def is_korean_given(token: str) -> bool:
    """ "hak-rim", "Myong-hak", "Chol Su" "PYON": syllables of the inventory, any case."""
    parts = re.split(r"[- ]", token.replace("’", "'"))
    return 0 < len(parts) <= 3 and all(p and is_korean_syllable(p) for p in parts)
