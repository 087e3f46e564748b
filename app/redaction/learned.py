"""The learned recognisers: CRF sequence labellers for Latin script and Hangul.

A conditional random field (CRFsuite through python-crfsuite) tags tokens
with PER, LOC, ORG and DATE. It is trained by ``witnessbox redact train``
(``train.py``) on openly licensed corpora (docs/detector.md); the weights,
about 2 MB, ship in ``data/ner_en.crfsuite``, are read once per process and
run on the CPU. The features are lexical and shape features of a five-token
window plus the detector's own lexicons (Korean surnames, the romanised
syllable inventory, given names), so a name unseen in training but shaped
like one ("Pyon Hak-rim", "CHU Myong-hak") is still found.

Hangul has a character-level CRF (``data/ner_ko.crfsuite``, trained on
KLUE-NER; CC BY-SA 4.0, see docs/detector.md) over the sentences that hold
Hangul, beside kiwipiepy.
"""

from __future__ import annotations

import re
import threading
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from app.redaction.names import first_names, latin_surnames
from app.redaction.romanise import is_korean_given, is_korean_syllable
from app.redaction.spans import DATE, ORG, PERSON, PLACE, IdType, Span
from app.redaction.stopwords import is_stopword

MODEL = "ner_en.crfsuite"
MODEL_KO = "ner_ko.crfsuite"
HANGUL = re.compile(r"[가-힣]")
TOKEN = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*|\d+(?:[.,:/-]\d+)*|[^\w\s]")
SENTENCE_END = re.compile(r"[.!?]\s+|\n")
LATIN_RUN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ɏŏŭ]")
MONTHS = frozenset((
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec",
))
_CATEGORY = {"PER": PERSON, "LOC": PLACE, "ORG": ORG, "DATE": DATE}
_ID_TYPE = {"PER": IdType.DIRECT, "LOC": IdType.QUASI, "ORG": IdType.QUASI, "DATE": IdType.QUASI}


def _shape(w: str) -> str:
    s = re.sub(r"[A-ZÀ-Ö]", "X", w)
    s = re.sub(r"[a-zß-ÿŏŭ]", "x", s)
    s = re.sub(r"\d", "d", s)
    return re.sub(r"(.)\1+", r"\1\1", s)


@cache
def _lexicons() -> tuple[frozenset[str], frozenset[str]]:
    return (
        frozenset(n.lower() for n in first_names()),
        frozenset(s.lower() for s in latin_surnames()),
    )


@lru_cache(maxsize=65536)
def _word_features(w: str) -> tuple[str, ...]:
    given, surnames = _lexicons()
    low = w.lower()
    feats = [
        "w=" + low,
        "s3=" + low[-3:],
        "p3=" + low[:3],
        "sh=" + _shape(w),
    ]
    if w[:1].isupper():
        feats.append("cap")
    if w.isupper() and len(w) > 1:
        feats.append("upper")
    if low in given:
        feats.append("given")
    if low in surnames:
        feats.append("kosur")
    if "-" in w and is_korean_given(w):
        feats.append("kogiven")
    elif is_korean_syllable(w):
        feats.append("kosyl")
    if is_stopword(low):
        feats.append("stop")
    if low.strip(".") in MONTHS:
        feats.append("month")
    return tuple(feats)


@lru_cache(maxsize=65536)
def _neighbour_features(w: str, off: int) -> tuple[str, ...]:
    """A neighbour contributes its word, shape and lexicon flags."""
    return tuple(f"{off}:{x}" for x in _word_features(w) if not x.startswith(("s3=", "p3=")))


def sentence_features(tokens: list[str]) -> list[list[str]]:
    out: list[list[str]] = []
    n = len(tokens)
    for i in range(n):
        f = ["bias", *_word_features(tokens[i])]
        if i == 0:
            f.append("BOS")
        for off in (-2, -1, 1, 2):
            j = i + off
            if 0 <= j < n:
                f += _neighbour_features(tokens[j], off)
        if i > 0:
            f.append("bi=" + tokens[i - 1].lower() + "|" + tokens[i].lower())
        out.append(f)
    return out


class _Model:
    def __init__(self, name: str) -> None:
        self.name = name
        self.lock = threading.Lock()
        self._tagger: Any = None
        self._missing = False

    def tagger(self) -> Any:
        with self.lock:
            if self._tagger is None and not self._missing:
                import pycrfsuite

                ref = resources.files("app.redaction").joinpath("data", self.name)
                with resources.as_file(ref) as path:
                    if not Path(path).is_file():
                        self._missing = True
                        return None
                    tagger = pycrfsuite.Tagger()
                    tagger.open(str(path))
                self._tagger = tagger
            return self._tagger

    def tag(self, features: list[list[str]]) -> list[str]:
        tagger = self.tagger()
        if tagger is None or not features:
            return ["O"] * len(features)
        with self.lock:  # a crfsuite Tagger is not thread-safe
            return list(tagger.tag(features))


# One model per process each, loaded on first use (or by Detector.warm()).
_MODEL = _Model(MODEL)
_MODEL_KO = _Model(MODEL_KO)


def available() -> bool:
    return _MODEL.tagger() is not None


def tag_tokens(tokens: list[str]) -> list[str]:
    return _MODEL.tag(sentence_features(tokens))


def _char_type(c: str) -> str:
    if "가" <= c <= "힣":
        return "H"
    if c.isdigit():
        return "D"
    if c.isspace():
        return "S"
    return "L" if c.isalpha() else "P"


def char_features(chars: list[str]) -> list[list[str]]:
    """Features of one Hangul character in a five-character window."""
    n = len(chars)
    pad = ["<s>", "<s>", *chars, "</s>", "</s>"]
    types = ["B", "B", *(_char_type(c) for c in chars), "E", "E"]
    out: list[list[str]] = []
    for i in range(n):
        j = i + 2
        out.append([
            "bias", "c=" + pad[j], "t=" + types[j],
            "c-1=" + pad[j - 1], "c+1=" + pad[j + 1], "c-2=" + pad[j - 2], "c+2=" + pad[j + 2],
            "b-=" + pad[j - 1] + pad[j], "b+=" + pad[j] + pad[j + 1],
            "tri=" + pad[j - 1] + pad[j] + pad[j + 1],
            "t3=" + types[j - 1] + types[j] + types[j + 1],
            "f2=" + pad[j + 1] + pad[j + 2],
        ])
    return out


def find_hangul(text: str) -> list[Span]:
    """Spans of the Korean CRF over the sentences of ``text`` that hold Hangul."""
    if _MODEL_KO.tagger() is None:
        return []
    out: list[Span] = []
    pos = 0
    for m in [*SENTENCE_END.finditer(text), None]:
        end = m.end() if m else len(text)
        chunk = text[pos:end]
        if HANGUL.search(chunk):
            tags = _MODEL_KO.tag(char_features(list(chunk)))
            spans = _spans(text, [(pos + i, pos + i + 1) for i in range(len(chunk))], tags)
            # Trained on Korean only: what it says about other scripts is noise.
            out += [s for s in spans if HANGUL.search(s.text(text))]
        pos = end
    return out


def _spans(text: str, offsets: list[tuple[int, int]], tags: list[str]) -> list[Span]:
    out: list[Span] = []
    start = -1
    kind = ""
    for i, tag in enumerate([*tags, "O"]):
        if start >= 0 and not (tag.startswith("I-") and tag[2:] == kind):
            s, e = offsets[start][0], offsets[i - 1][1]
            while e > s and text[e - 1].isspace():
                e -= 1
            if e > s and _keep(text[s:e], kind):
                out.append(Span(s, e, _CATEGORY[kind], _ID_TYPE[kind]))
            start = -1
        if tag.startswith("B-") or (tag.startswith("I-") and start < 0):
            start, kind = i, tag[2:]
    return out


def find(text: str) -> list[Span]:
    """Spans of the CRF over the Latin-script sentences of ``text``."""
    if _MODEL.tagger() is None:
        return []
    out: list[Span] = []
    pos = 0
    for m in [*SENTENCE_END.finditer(text), None]:
        end = m.end() if m else len(text)
        chunk = text[pos:end]
        if LATIN_RUN.search(chunk):
            out += _chunk(text, pos, chunk)
        pos = end
    return out


def _chunk(text: str, offset: int, chunk: str) -> list[Span]:
    toks = list(TOKEN.finditer(chunk))
    words = [t.group(0) for t in toks]
    tags = _trim_person_starts(words, tag_tokens(words))
    return _spans(text, [(offset + t.start(), offset + t.end()) for t in toks], tags)


def _name_like(word: str) -> bool:
    given, surnames = _lexicons()
    low = word.lower()
    return (
        not word.islower() or low in given or low in surnames
        or ("-" in word and is_korean_given(word))
    )


def _trim_person_starts(words: list[str], tags: list[str]) -> list[str]:
    """In lowercase notes the model may start a name on the verb before it
    ("hit tae-song"): a leading lowercase word that is no name part is cut."""
    tags = list(tags)
    for i, tag in enumerate(tags):
        if (
            tag == "B-PER" and not _name_like(words[i])
            and i + 1 < len(tags) and tags[i + 1] == "I-PER"
        ):
            tags[i], tags[i + 1] = "O", "B-PER"
    return tags


def _keep(surface: str, kind: str) -> bool:
    # A lone function word or a one-letter token is never a name.
    if len(surface) < 2 or is_stopword(surface.lower()):
        return False
    if kind == "DATE":
        # Dates come from the patterns; the model adds only calendar dates:
        # with a number or a month word ("the winter of 2017" stays with the
        # patterns), in Hangul a year or month ("1년", "3주" are durations).
        if HANGUL.search(surface):
            return bool(re.search(r"\d{4}\s*년|\d{1,2}\s*월", surface))
        return any(c.isdigit() for c in surface) or any(
            w.lower().strip(".") in MONTHS for w in surface.split()
        )
    return True
