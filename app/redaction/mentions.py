"""One mention of a person, place or organisation, reduced to comparable keys.

A full name becomes (possible Hangul surnames, given-name key) for Korean
names in any script ("Ri Song-hyok" = "리성혁" = "Ли Сон Хёк"), or a tuple of
token keys for other names; titles, particles and Russian case endings are
set aside. ``entities.link`` groups mentions by these keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.redaction import gazetteer
from app.redaction.names import hangul_surnames
from app.redaction.romanise import key, surname_class
from app.redaction.script import HANGUL_RE
from app.redaction.spans import PERSON, PLACE, Span
from app.redaction.stopwords import is_stopword

TITLE_BEFORE = re.compile(
    r"^(?:(?:(?:section|department|unit|team|brigade|site|work|political|security)\s+)?"
    r"(?:Mr|Mrs|Ms|Miss|Dr|Pastor|Reverend|Rev|Father|Comrade|Professor|Prof|Judge|"
    r"chief|manager|director|instructor|foreman|leader|secretary|boss|head|commander|"
    r"supervisor|mister|"
    r"Brother|Sister|Uncle|Auntie|Aunt|Officer|Captain|Sergeant|Major|Colonel|товарищ\w*|"
    r"господин\w*|госпож\w*|гражданин\w*|гражданк\w*|пастор\w*|дяд\w+|тёт\w+|тет\w+|"
    r"бригадир\w*|адвокат\w*|переводчи\w+)\.?\s+)+",
    re.IGNORECASE,
)
TITLE_AFTER = re.compile(
    r"\s?(?:목사|집사|장로|전도사|선교사|선생님?|씨|님|동무|동지|지도원|작업반장|반장|사장|소장|"
    r"과장|부장|대표|아저씨|아주머니|아줌마|할머니|할아버지)$"
)
PLACE_UNIT = re.compile(
    r"(?:\s+(?:County|City|District|Township|Village|Workers'? District)|-(?:gun|kun|si|shi)|"
    r"(?<=[가-힣])(?:시|군|구역|읍|지구))$"
)
INITIAL = re.compile(r"^[A-ZА-ЯЁ]\.$")
# Russian diminutives name the same person as the full form ("Natasha" = "Natalya").
_DIMINUTIVES = {
    "natasha": "natalya", "sasha": "aleksandr", "lyosha": "aleksei", "alyosha": "aleksei",
    "misha": "mikhail", "dima": "dmitry", "kolya": "nikolai", "vanya": "ivan",
    "seryozha": "sergei", "volodya": "vladimir", "vova": "vladimir", "tanya": "tatyana",
    "lena": "elena", "olya": "olga", "katya": "ekaterina", "zhenya": "evgeny", "pasha": "pavel",
    "petya": "pyotr", "yura": "yuri", "galya": "galina", "nadya": "nadezhda", "sveta": "svetlana",
    "lyuda": "lyudmila", "valya": "valentina", "masha": "maria", "andryusha": "andrei",
    "наташа": "наталья", "саша": "александр", "лёша": "алексей", "алёша": "алексей",
    "миша": "михаил", "дима": "дмитрий", "коля": "николай", "ваня": "иван", "серёжа": "сергей",
    "володя": "владимир", "вова": "владимир", "таня": "татьяна", "лена": "елена", "оля": "ольга",
    "катя": "екатерина", "женя": "евгений", "паша": "павел", "петя": "пётр", "юра": "юрий",
    "галя": "галина", "надя": "надежда", "света": "светлана", "люда": "людмила", "маша": "мария",
}
RU_CASE = re.compile(r"(?:ом|ем|ым|ой|а|я|у|ю|е)$")


# Russian case endings as they look after ``romanise.key`` (а, у, ом, е, ю, я, ой...).
_CASE_TAILS = frozenset({"a", "u", "om", "em", "e", "iu", "ia", "i", "oi", "ei", "im"})


def given_eq(a: str, b: str) -> bool:
    """Given-name keys equal, allowing a Russian case ending ("Чоль Мина")."""
    short, long_ = sorted((a, b), key=len)
    return a == b or (
        len(short) >= 4 and long_.startswith(short) and long_[len(short) :] in _CASE_TAILS
    )


def surname_of(word: str) -> frozenset[str]:
    found = surname_class(word)
    if not found and re.fullmatch(r"[А-ЯЁ][а-яё]{2,}", word):
        stem = RU_CASE.sub("", word)
        found = surname_class(stem) or surname_class(stem + "ь")  # "Соля" -> "Соль"
    return found


@dataclass
class Mention:
    index: int
    start: int
    category: str
    surface: str
    full: bool = False
    surnames: frozenset[str] = frozenset()
    given: str = ""
    tokens: tuple[str, ...] = ()
    alt_given: str = ""  # Hangul two-syllable names: given name alone, or surname + given


def clean(surface: str) -> str:
    s = surface.strip(" \"“”'‘’«»,;:()[]")
    # A full stop ends a sentence, unless it closes an initial ("О.И.").
    s = re.sub(r"(?<![A-ZА-ЯЁ])\.$", "", s)
    s = re.sub(r"['’]s$", "", s)
    s = TITLE_BEFORE.sub("", s)
    return TITLE_AFTER.sub("", s).strip() or s


def tok_eq(a: str, b: str) -> bool:
    if a == b:
        return True
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n >= 3 and n >= max(len(a), len(b)) - 2


def analyse(index: int, span: Span, text: str) -> Mention:
    surface = clean(span.text(text))
    m = Mention(index, span.start, span.category, surface)
    if span.category != PERSON:
        m.full = True
        m.given = _place_key(surface) if span.category == PLACE else key(_org_core(surface))
        return m
    if HANGUL_RE.search(surface) and " " not in surface:
        if len(surface) >= 3 and surface[0] in hangul_surnames():
            m.full, m.surnames, m.given = True, surname_class(surface[0]), key(surface[1:])
        elif len(surface) == 2:
            m.given, m.alt_given = key(surface), key(surface[1])
            m.surnames = surname_class(surface[0])
        elif len(surface) == 1:
            m.surnames = surname_class(surface)
        else:
            m.tokens = (key(surface),)
        return m
    words = [w for w in re.split(r"\s+", surface) if w]
    initials = [w for w in words if INITIAL.match(w)] + [
        f"{c}." for w in words if re.fullmatch(r"(?:[A-ZА-ЯЁ]\.){2,3}", w) for c in w[::2]
    ]
    names = [
        w for w in words
        if not re.fullmatch(r"(?:[A-ZА-ЯЁ]\.)+", w) and (surname_of(w) or not is_stopword(w))
    ]
    if len(names) >= 2 and surname_of(names[0]):
        m.full, m.surnames, m.given = True, surname_of(names[0]), key("".join(names[1:]))
    elif len(names) >= 2:
        m.full, m.tokens = True, tuple(key(w) for w in names)
    elif names:
        m.surnames = surname_of(names[0])
        m.tokens = (key(_DIMINUTIVES.get(names[0].lower(), names[0])),)
        m.given = key(names[0]) if "-" in names[0] else ""
    m.tokens += tuple("#" + key(i[0])[:1] for i in initials)
    if not names and not initials:
        m.tokens = ("=" + surface.lower(),)
    return m


def referent_keys(surface: str, category: str) -> set[str]:
    """Keys under which a full name is recognised in another document of the case."""
    m = analyse(0, Span(0, len(surface), category), surface)
    if not m.full:
        return set()
    if m.surnames:
        return {f"{category}:{s}:{m.given}" for s in m.surnames}
    return {f"{category}:" + (m.given or " ".join(sorted(m.tokens)))}


def _place_key(surface: str) -> str:
    core = PLACE_UNIT.sub("", surface)
    group = gazetteer.group_of(core) or gazetteer.group_of(surface)
    return "g:" + group if group else key(core)


def _org_core(surface: str) -> str:
    s = re.sub(r"^(?:the|ООО|ОАО|ЗАО|АО|ПАО|OOO|OAO|ZAO)\s+", "", surface, flags=re.IGNORECASE)
    return s.strip("«»\"“” ")


def same_person(a: Mention, b: Mention) -> bool:
    if a.surnames and b.surnames:
        return bool(a.surnames & b.surnames) and given_eq(a.given, b.given)
    return len(a.tokens) == len(b.tokens) and all(
        any(tok_eq(x, y) for y in b.tokens) for x in a.tokens
    )


def fits(full: Mention, p: Mention) -> bool:
    """True when the partial mention ``p`` can name the person of ``full``."""
    if p.given and given_eq(p.given, full.given):
        return True
    if p.alt_given and given_eq(p.alt_given, full.given) and p.surnames & full.surnames:
        return True
    full_parts = full.tokens + ((full.given,) if full.given else ())
    for t in p.tokens:
        if t.startswith("#"):
            if not any(x[:1] == t[1:] for x in full.tokens):
                return False
        elif (t.startswith("=") or not any(tok_eq(t, x) for x in full_parts)) and not (
            p.surnames and p.surnames & full.surnames and len(p.tokens) <= 2
        ):
            return False
    return bool(p.tokens) or bool(p.surnames & full.surnames)
