"""Place names and the allow-list of things that must stay readable.

Data lives in ``data/places.tsv`` and ``data/public.tsv`` (general knowledge:
every North Korean province and the main cities and counties, Russian Far
East and other Russian cities, Chinese border towns, public figures,
countries, public bodies). Latin and Hangul forms are matched with an
Aho-Corasick automaton; Cyrillic forms also in their Russian case forms
("Хабаровске", "Путину", "Мусана").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import ahocorasick

from app.redaction.script import HANGUL_RE, is_cyrillic_char, is_word_char
from app.redaction.spans import PLACE, IdType, Span
from app.redaction.stopwords import is_stopword

# Kinds that name a place a witness lived, worked or passed through (QUASI).
QUASI_KINDS = {"nk_place", "ru_place", "cn_place", "kr_place", "route"}
# Foreign names in Hangul are rarely ordinary Korean words; native two-syllable
# place names often are (온천 "hot spring", 구성 "composition"), so those need
# an administrative suffix unless they are famous enough to stand alone.
FOREIGN_KINDS = {"ru_place", "ru_region", "cn_place", "cn_region", "route", "figure", "country"}
FAMOUS_HANGUL = {"청진", "함흥", "혜산", "원산", "평양", "서울", "부산", "인천", "무산", "회령",
                 "온성", "갑산", "개성", "남포", "라선", "나선", "한국", "북한", "남한", "유엔"}
HANGUL_SUFFIX = re.compile(r"(?:시|군|구역|읍|지구|역|로동자구)")
RU_ENDINGS = (
    r"(?:а|я|е|у|ю|ом|ем|ём|ой|ей|ою|ы|и|ь|ью|ии|ию|ией|ая|ую|ое|ого|ому|ым|ых|ах|ам|ами|ях|ям"
    r"|ы|ский|ского|ском|скому|ским|ская|ской|скую)?"
)


@dataclass(frozen=True)
class Entry:
    form: str
    kind: str
    # One id per line of the data file: every spelling of one place shares it.
    group: str = ""

    @property
    def protected(self) -> bool:
        return self.kind not in QUASI_KINDS


def _load(name: str) -> list[Entry]:
    text = resources.files("app.redaction").joinpath("data", name).read_text("utf-8")
    out: list[Entry] = []
    for n, line in enumerate(text.splitlines()):
        if not line.strip() or line.startswith("#"):
            continue
        kind, forms = line.split("\t", 1)
        out += [Entry(f.strip(), kind, f"{name}:{n}") for f in forms.split("|") if f.strip()]
    return out


def _lower(s: str) -> str:
    # Length-preserving lowercase: "İ".lower() is two code points and would
    # shift every offset after it. The fast path holds for nearly every text.
    low = s.lower()
    if len(low) == len(s):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in s)


def _stem(word: str) -> str:
    # Adjectives decline their two-letter ending ("Южная" -> "Южную").
    if len(word) > 4 and word[-2:] in ("ая", "яя", "ий", "ый", "ой", "ое", "ые"):
        return word[:-2]
    return word[:-1] if len(word) > 3 and word[-1] in "аяьйе" else word


@dataclass
class Gazetteer:
    automaton: ahocorasick.Automaton
    cyrillic: re.Pattern[str]
    cyrillic_kinds: list[tuple[re.Pattern[str], Entry]]

    @classmethod
    def build(cls) -> Gazetteer:
        entries = _load("places.tsv") + _load("public.tsv")
        auto = ahocorasick.Automaton()
        cyr: dict[str, Entry] = {}
        for e in entries:
            if any(is_cyrillic_char(c) for c in e.form):
                pattern = r"\s+".join(
                    f"(?:{re.escape(w)}|{re.escape(_stem(w))}{RU_ENDINGS})" for w in e.form.split()
                )
                cyr.setdefault(pattern, e)
            else:
                key = e.form if HANGUL_RE.search(e.form) else _lower(e.form)
                # Keep the most specific kind; a QUASI entry wins over NO_MASK
                # for the same string only if no NO_MASK entry exists.
                if key not in auto or auto.get(key)[1].protected is False:
                    auto.add_word(key, (len(key), e))
        auto.make_automaton()
        names = sorted(cyr, key=len, reverse=True)
        cyrillic = re.compile("(?<![\\w-])(" + "|".join(f"(?:{p})" for p in names) + ")(?![\\w])")
        # Compiled once: hundreds of patterns would thrash ``re``'s own cache.
        return cls(auto, cyrillic, [(re.compile(p), cyr[p]) for p in names])

    def matches(self, text: str) -> list[tuple[int, int, Entry]]:
        out: list[tuple[int, int, Entry]] = []
        low = _lower(text)
        for end_idx, (length, entry) in self.automaton.iter(low):
            start, end = end_idx - length + 1, end_idx + 1
            if self._accept(text, start, end, entry):
                out.append((start, end, entry))
        for m in self.cyrillic.finditer(text):
            entry = self._cyrillic_entry(m.group(0))
            if entry is not None:
                out.append((m.start(), m.end(), entry))
        return _longest(out)

    def _cyrillic_entry(self, surface: str) -> Entry | None:
        for pattern, entry in self.cyrillic_kinds:
            if pattern.fullmatch(surface):
                return entry
        return None

    @staticmethod
    def _accept(text: str, start: int, end: int, e: Entry) -> bool:
        if start > 0 and is_word_char(text[start - 1]):
            return False
        if HANGUL_RE.search(e.form):
            after = text[end : end + 4]
            if len(e.form) <= 2 and e.kind not in FOREIGN_KINDS and e.form not in FAMOUS_HANGUL:
                return bool(HANGUL_SUFFIX.match(after))
            return True
        if end < len(text) and is_word_char(text[end]):
            return False
        # Proper nouns in Latin script are capitalised; "orang" or "anak" in
        # running text are words, not places. Acronyms must match exactly.
        surface = text[start:end]
        if e.form.isupper():
            return surface == e.form
        return surface[0] == e.form[0]


def _longest(found: list[tuple[int, int, Entry]]) -> list[tuple[int, int, Entry]]:
    found.sort(key=lambda t: (t[0], -(t[1] - t[0])))
    out: list[tuple[int, int, Entry]] = []
    for item in found:
        if out and item[0] < out[-1][1]:
            continue
        out.append(item)
    return out


@cache
def gazetteer() -> Gazetteer:
    return Gazetteer.build()


# A word of three or more capitals (same length when capitalised).
_CAPS_WORD = re.compile(r"(?<![\w])[A-ZА-ЯЁ]{3,}(?![\w])")


_LATIN_WORD = re.compile(r"\b[A-Za-z][a-z]{2,}\b")
_LOWER_WORD = re.compile(r"(?<![\w'-])[a-z]{3,}(?:-[a-z]+)?(?![\w'])")


def _lowercase_notes(text: str) -> bool:
    words = _LATIN_WORD.findall(text)
    if len(words) < 30:
        return False
    capitalised = sum(w[0].isupper() for w in words)
    return bool(capitalised / len(words) < 0.04)


def find(text: str) -> tuple[list[Span], list[tuple[int, int]]]:
    """(QUASI place spans, protected ranges that must stay readable)."""
    spans: list[Span] = []
    protected: list[tuple[int, int]] = []
    found = gazetteer().matches(text)
    # Headers in capitals ("ГУ МВД РОССИИ ПО ПРИМОРСКОМУ КРАЮ", "SEOUL"):
    # the same names, matched on a copy with such words capitalised.
    # Only the lines that hold such words are matched again (the Cyrillic
    # pass is the costly one).
    taken = [(b, e) for b, e, _ in found]
    for line in re.finditer(r"[^\n]+", text):
        if not _CAPS_WORD.search(line.group(0)):
            continue
        folded = _CAPS_WORD.sub(lambda m: m.group(0)[0] + m.group(0)[1:].lower(), line.group(0))
        base = line.start()
        found += [
            (base + b, base + e, entry) for b, e, entry in gazetteer().matches(folded)
            if not any(base + b < te and tb < base + e for tb, te in taken)
        ]
    # Hurried notes in lowercase ("walked out of the khabarovsk dorm"): when
    # hardly any Latin word is capitalised, match on a capitalised copy.
    if _lowercase_notes(text):
        lifted = _LOWER_WORD.sub(
            lambda m: m.group(0) if is_stopword(m.group(0)) else m.group(0).capitalize(), text
        )
        taken = [(b, e) for b, e, _ in found]
        found += [
            (b, e, entry) for b, e, entry in gazetteer().matches(lifted)
            if not any(b < te and tb < e for tb, te in taken) and not HANGUL_RE.search(entry.form)
        ]
    for start, end, entry in found:
        if entry.protected:
            protected.append((start, end))
        else:
            end = _extend_hangul_suffix(text, end) if HANGUL_RE.search(entry.form) else end
            spans.append(Span(start, end, PLACE, IdType.QUASI))
    return spans, protected


def _extend_hangul_suffix(text: str, end: int) -> int:
    m = HANGUL_SUFFIX.match(text, end)
    return m.end() if m else end


def is_public(surface: str) -> bool:
    """True when the whole string is an allow-listed name (any case form)."""
    found = gazetteer().matches(surface)
    return any(s == 0 and e == len(surface) and entry.protected for s, e, entry in found)


def figures(text: str) -> list[tuple[int, int]]:
    """Where public figures are named (their deeds are public, not the witness's)."""
    return [(s, e) for s, e, entry in gazetteer().matches(text) if entry.kind == "figure"]


def group_of(surface: str) -> str | None:
    """The data-file line of a place name written in any script or case form."""
    for s, e, entry in gazetteer().matches(surface):
        if s == 0 and e == len(surface):
            return entry.group
    return None


def is_known_place(surface: str) -> bool:
    found = gazetteer().matches(surface)
    return any(s == 0 and e == len(surface) for s, e, _ in found)
