"""Document-level propagation: once a name is found, mask every other mention.

One missed mention exposes the person, so every detected person, place and
organisation yields variants that are searched for again across the whole
document: the full string, each name part (surname alone, given name alone),
a Korean given name without its surname ("성철"), hyphen-less and
case-inflected forms ("Ткаченко" -> "Ткаченко", "Мусан" -> "Мусане").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.redaction import translit
from app.redaction.korean import given_name
from app.redaction.names import ENGLISH_NOT_NAME
from app.redaction.romanise import surname_class
from app.redaction.script import HANGUL_RE, is_cyrillic_char
from app.redaction.spans import DEM, MISC, ORG, PERSON, PLACE, QUANTITY, IdType, Span
from app.redaction.stopwords import is_common_english, is_function_word, is_stopword

TITLES = re.compile(
    r"^(?:(?:(?:section|department|unit|team|brigade|site|work|political|security)\s+)?"
    r"(?:mr|mrs|ms|miss|dr|judge|pastor|reverend|father|comrade|professor|senator|auntie|aunt|"
    r"uncle|chief|manager|director|instructor|foreman|leader|secretary|officer|boss|head|captain|"
    r"commander|supervisor|mister|товарищ|дядя|тётя|господин|пастор|бригадир|гражданин|"
    r"гражданка)\.?\s+)+",
    re.IGNORECASE,
)
RU_ENDINGS = r"(?:а|я|е|у|ю|ом|ем|ём|ой|ей|ою|ы|и|ь|ью|ым|ых|ого|ому|ая|ую|ою)?"
# Words that are part of names but mean something on their own.
SKIP_PARTS = frozenset({"van", "von", "de", "der", "le", "la", "del", "da", "di", "du"})
PROPAGATE = {PERSON, PLACE, ORG}
PLACE_UNIT = re.compile(
    r"(?:\s+(?:County|City|District|Township)|-(?:gun|kun|si|shi)|(?<=[가-힣]{2})(?:시|군|구역))$"
)


def _spreadable(word: str) -> bool:
    """A single word may be searched for on its own only if it looks like a name."""
    if is_function_word(word):
        return False
    if not is_stopword(word):
        return True
    # A frequent word ("Bear", "Старик") spreads only as a capitalised whole name.
    return word[:1].isupper()


def _nickname_word(word: str) -> bool:
    """A word that makes a phrase a nickname ("the Bear", "Big Kim", "iron auntie")."""
    if word[:1].islower():
        return word.lower() not in SKIP_PARTS
    return is_stopword(word) and not surname_class(word)


def _lowercase_korean_name(words: list[str]) -> bool:
    from app.redaction.names import korean_given_shape, latin_surnames

    return (
        len(words) == 2 and words[0].capitalize() in latin_surnames()
        and "-" in words[1] and korean_given_shape(words[1])
    )


def _variants(surface: str, category: str) -> set[str]:
    surface = TITLES.sub("", surface.strip(" \"“”'«»,.()"))
    words = surface.split()
    if len(words) == 1 and not _spreadable(surface):
        return set()
    out = {surface} if len(surface) >= 2 else set()
    # A nickname phrase ("the Bear", "iron auntie") is used whole, never by parts;
    # a Korean name in hurried lowercase ("jeong mi-rae") is a name, not one.
    if any(_nickname_word(w) for w in words) and not _lowercase_korean_name(words):
        return out
    if category == PLACE:
        # "연탄군" is also "연탄", "Kowon County" also "Kowon".
        core = PLACE_UNIT.sub("", surface)
        if core != surface and len(core) >= 2 and not is_stopword(core):
            out.add(core)
    if category == PLACE and "," in surface:
        # "Rathmines, Dublin": the city alone identifies too.
        out.update(p.strip() for p in surface.split(",") if len(p.strip()) >= 3)
    if category != PERSON:
        return out
    if HANGUL_RE.search(surface):
        g = given_name(surface)
        if g and not is_stopword(g):
            out.add(g)
        return out
    # A booking name "RYANG/CHOLMIN" is the surname and the given name.
    parts = [p.strip(".,") for p in surface.replace("/", " ").split()]
    for p in parts:
        if len(p) < 2 or p.lower() in SKIP_PARTS or p in ENGLISH_NOT_NAME:
            continue
        # "Son", "Ли" are surnames too; "So", "An", "I" stay words.
        if is_stopword(p) and not (surname_class(p) and len(p) >= 3 and not is_function_word(p)):
            continue
        if re.fullmatch(r"(?:[A-ZА-ЯЁ]\.)+", p):
            continue
        out.add(p)
    # Double-barrelled surnames ("Williams-Johnston") are also used by halves;
    # Korean given names ("Chol-su") are not, their second part is lowercase.
    for p in list(out):
        halves = p.split("-")
        if len(halves) == 2 and all(len(h) >= 4 and h[0].isupper() for h in halves):
            out.update(halves)
    # "Chol-su" is also written "Cholsu" and "Chol su".
    for p in list(out):
        if "-" in p and not HANGUL_RE.search(p):
            out.add(p.replace("-", ""))
    return out


QUOTES = "\"“”«»"


def _quoted_whole(text: str, span: Span) -> set[str]:
    """A quoted pseudonym of ordinary words ("Mountain Ash") is used whole:
    its words alone ("ash") are not the person."""
    surface = span.text(text)
    words = surface.split()
    if (
        span.category != PERSON
        or len(words) < 2
        or span.start == 0
        or text[span.start - 1] not in QUOTES
        or text[span.end : span.end + 1] not in QUOTES
        or not any(is_common_english(w) for w in words)
    ):
        return set()
    return {surface}


def _case_variants(name: str) -> list[str]:
    """"Sergei" is also written "sergei" in hurried notes and "SERGEI" in labels.

    Latin-script names only, and only where the lowercase form is not an
    ordinary English word ("Hope", "Young", "Park" stay capitalised).
    """
    words = name.split()
    if words and all(re.fullmatch(r"[А-ЯЁа-яё][а-яё]+", w) for w in words):
        # Cyrillic: "алина", "тимур" in chat lines, when the dictionary knows
        # the word only as a name.
        from app.redaction.russian import lowercase_is_only_a_name

        if not all(lowercase_is_only_a_name(w) for w in words):
            return []
        return [v for v in (name.lower(), " ".join(w.capitalize() for w in words)) if v != name]
    if not words or not all(re.fullmatch(r"[A-Za-z][A-Za-z'’-]+", w) for w in words):
        return []
    lowered = [w.lower() for w in words]
    if any(len(w) < 3 or is_common_english(w) or is_stopword(w) for w in lowered):
        return []
    return [v for v in (name.lower(), name.upper(), " ".join(w.capitalize() for w in words))
            if v != name]


def propagate(
    text: str, spans: Iterable[Span], protected: list[tuple[int, int]]
) -> list[Span]:
    """Extra spans for every other mention of the entities in ``spans``."""
    table: dict[str, tuple[str, IdType]] = {}
    place_cores: set[str] = set()
    for s in spans:
        if s.category not in PROPAGATE:
            continue
        core = PLACE_UNIT.sub("", s.text(text))
        if s.category == PLACE and core != s.text(text):
            place_cores.add(core)
        for v in _quoted_whole(text, s) or _variants(s.text(text), s.category):
            if len(v) < 2 or (len(v) < 3 and not HANGUL_RE.search(v) and v.isupper()):
                continue
            prev = table.get(v)
            if prev is None or s.identifier_type == IdType.DIRECT:
                table[v] = (s.category, s.identifier_type)
    if not table:
        return []
    for key in [k for k, v in table.items() if v[0] == PERSON]:
        for variant in _case_variants(key):
            table.setdefault(variant, table[key])
    # "희천" is the place of "희천시", even where a model also read it as a name.
    for v in place_cores & set(table):
        table[v] = (PLACE, IdType.QUASI)
    # Other-script spellings of the same names ("Valery Kan" / "Валерий Кан").
    for b, e, surface in translit.other_script_mentions(text, list(table)):
        table.setdefault(text[b:e], table[surface])
    out: list[Span] = []
    lowered = text.lower()
    words = _WordIndex(text)
    # One small cached regex per variant: compiling one alternation of every
    # variant per document cost more than the rest of propagation. A variant
    # whose first letters do not occur in the text is not searched at all.
    for key in sorted(table, key=len, reverse=True):
        if key[:3].lower() not in lowered:
            continue
        category, id_type = table[key]
        if any(is_cyrillic_char(c) for c in key):
            found = words.inflected(key)
        else:
            found = _occurrences(text, key)
        for start, end in found:
            if any(b <= start and end <= e for b, e in protected):
                continue
            out.append(Span(start, end, category, id_type))
    return out


_ENDINGS = frozenset(RU_ENDINGS[3:-2].split("|")) | {""}
_WORD = re.compile(r"\w+")


class _WordIndex:
    """The text's words, found once, for Russian names in any case form.

    Matching "Ткаченко" / "Мусане" word by word against a closed set of
    endings is what ``_pattern`` does for other scripts with a regex; for
    Cyrillic that regex (an alternation of endings per word) took longer to
    compile than everything else in propagation.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.words = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]
        self.by_prefix: dict[str, list[int]] = {}
        for i, (_, _, w) in enumerate(self.words):
            self.by_prefix.setdefault(w[:2], []).append(i)

    @staticmethod
    def _same_word(token: str, word: str) -> bool:
        if token == word:
            return True
        stem = word[:-1] if len(word) > 3 and word[-1] in "аяьйо" else word
        for base in {stem, word}:
            if token.startswith(base) and token[len(base):] in _ENDINGS:
                return True
        return False

    def inflected(self, variant: str) -> list[tuple[int, int]]:
        parts = variant.split()
        out: list[tuple[int, int]] = []
        for i in self.by_prefix.get(parts[0][:2], []):
            start = self.words[i][0]
            if start > 0 and self.text[start - 1] == "-":
                continue
            end = None
            for j, part in enumerate(parts):
                if i + j >= len(self.words):
                    break
                b, e, token = self.words[i + j]
                if j and not self.text[self.words[i + j - 1][1] : b].isspace():
                    break
                if not self._same_word(token, part):
                    break
                end = e if j == len(parts) - 1 else None
            if end is not None:
                out.append((start, end))
        return out


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def _occurrences(text: str, variant: str) -> list[tuple[int, int]]:
    """Whole-word occurrences of a Latin or Hangul name (plain search: a regex
    per variant and document cost more to compile than to run).

    Korean particles follow a name directly ("성철이"), so a Hangul name needs
    a boundary only before it; a Latin one needs one on both sides, and a
    hyphen joins words ("Kim" is not found in "Kim-ssi", "Chol-su" not in
    "Chol-sugi").
    """
    hangul = bool(HANGUL_RE.search(variant))
    out: list[tuple[int, int]] = []
    i = text.find(variant)
    while i >= 0:
        end = i + len(variant)
        before = text[i - 1] if i else ""
        ok = not (before and (_is_word_char(before) or (before == "-" and not hangul)))
        if ok and not hangul:
            j = end
            while j < len(text) and text[j] == "-":
                j += 1
            ok = not (j < len(text) and _is_word_char(text[j]))
        if ok:
            out.append((i, end))
        i = text.find(variant, i + 1)
    return out


# Categories that never propagate: a second "18 hours" is not the same fact.
NOT_PROPAGATED = (DEM, MISC, QUANTITY)
