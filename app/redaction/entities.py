"""Group the detected mentions of a document by referent ("P1", "L2", "O3").

The pseudonymiser labels by referent, so "Ri Song-hyok", "리성혁", "Song-hyok",
"Mr Ri" and "Ли Сон Хёк" must share one id. Full names are grouped by a
script-independent key (``romanise``); a partial mention (surname alone,
given name alone, initials, a Russian case form) joins the nearest preceding
full name it fits, so "Han" after "Han Chol-jin" is Han Chol-jin even when
another Han appears later. A nickname joins the person it was given to
("whom the men called 'the Bear'"), and a repeated nickname its first use.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace

from app.redaction import gazetteer
from app.redaction.names import hangul_surnames
from app.redaction.romanise import key, surname_class
from app.redaction.script import HANGUL_RE
from app.redaction.spans import ORG, PERSON, PLACE, Span
from app.redaction.stopwords import is_stopword

PREFIX = {PERSON: "P", PLACE: "L", ORG: "O"}
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
CUE_BEFORE = re.compile(
    r"(?:call(?:ed|s)?|nicknamed|known\s+(?:to\s+\w+\s+)?as|knew\s+\w*\s*as|звали|зовут|называл\w*|"
    r"прозвищ\w*|кличк\w*)",
    re.IGNORECASE,
)
# The nickname's owner is the name just before: "X, whom the men called",
# "X; we called her", "X по прозвищу", "X, которого все звали".
OWNER_LINK = re.compile(
    r"\b(?:whom|who|him|her|them)\b|(?<!\w)(?:его|её|ее|которого|которую|которой|прозвищ\w*|"
    r"кличк\w*)(?!\w)",
    re.IGNORECASE,
)
CUE_AFTER = re.compile(
    r"^['’\"”]?\s*(?:(?:이?라고|라)\s*(?:불렀|부른|부르|불린|불리|불렸|했)|(?:으?로|이?라)\s*(?:통했|통하|통한|불리|불렸))"
)


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
REAL_NAME = re.compile(
    r"(?:real\s+name\s+(?:was|is)|true\s+name\s+(?:was|is)|настоящ\w+\s+(?:имя|фамилия)|"
    r"на\s+самом\s+деле\s+звали|본명은|실명은|진짜\s*이름은)\s*[:,]?\s*$",
    re.IGNORECASE,
)
# Who "me" is: the name after a self-introduction or a Q&A answer marker.
SELF_INTRO = re.compile(
    r"(?:my\s+name\s+is|i\s+am|i'm|меня\s+зовут|моя\s+фамилия|я,|저는|제\s*이름은|본인은|"
    r"(?:^|\n)\s*(?:A|Answer|Ответ|답)\s*[:.])\s*$",
    re.IGNORECASE,
)
ME_CUE = re.compile(
    r"(?:call(?:ed|s)?\s+me|knew\s+me\s+as|(?:звали|называли)\s+меня|меня\s+(?:звали|называли)|"
    r"나를|저를)\b[^.!?\n]{0,20}$",
    re.IGNORECASE,
)
RU_CASE = re.compile(r"(?:ом|ем|ым|ой|а|я|у|ю|е)$")


# Russian case endings as they look after ``romanise.key`` (а, у, ом, е, ю, я, ой...).
_CASE_TAILS = frozenset({"a", "u", "om", "em", "e", "iu", "ia", "i", "oi", "ei", "im"})


def _given_eq(a: str, b: str) -> bool:
    """Given-name keys equal, allowing a Russian case ending ("Чоль Мина")."""
    short, long_ = sorted((a, b), key=len)
    return a == b or (
        len(short) >= 4 and long_.startswith(short) and long_[len(short) :] in _CASE_TAILS
    )


def _surname_of(word: str) -> frozenset[str]:
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


@dataclass
class Cluster:
    ident: str
    fulls: list[Mention] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)


def _clean(surface: str) -> str:
    s = surface.strip(" \"“”'‘’«»,;:()[]")
    # A full stop ends a sentence, unless it closes an initial ("О.И.").
    s = re.sub(r"(?<![A-ZА-ЯЁ])\.$", "", s)
    s = re.sub(r"['’]s$", "", s)
    s = TITLE_BEFORE.sub("", s)
    return TITLE_AFTER.sub("", s).strip() or s


def _tok_eq(a: str, b: str) -> bool:
    if a == b:
        return True
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n >= 3 and n >= max(len(a), len(b)) - 2


def analyse(index: int, span: Span, text: str) -> Mention:
    surface = _clean(span.text(text))
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
        if not re.fullmatch(r"(?:[A-ZА-ЯЁ]\.)+", w) and (_surname_of(w) or not is_stopword(w))
    ]
    if len(names) >= 2 and _surname_of(names[0]):
        m.full, m.surnames, m.given = True, _surname_of(names[0]), key("".join(names[1:]))
    elif len(names) >= 2:
        m.full, m.tokens = True, tuple(key(w) for w in names)
    elif names:
        m.surnames = _surname_of(names[0])
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


def _same_person(a: Mention, b: Mention) -> bool:
    if a.surnames and b.surnames:
        return bool(a.surnames & b.surnames) and _given_eq(a.given, b.given)
    return len(a.tokens) == len(b.tokens) and all(
        any(_tok_eq(x, y) for y in b.tokens) for x in a.tokens
    )


def _fits(full: Mention, p: Mention) -> bool:
    """True when the partial mention ``p`` can name the person of ``full``."""
    if p.given and _given_eq(p.given, full.given):
        return True
    if p.alt_given and _given_eq(p.alt_given, full.given) and p.surnames & full.surnames:
        return True
    full_parts = full.tokens + ((full.given,) if full.given else ())
    for t in p.tokens:
        if t.startswith("#"):
            if not any(x[:1] == t[1:] for x in full.tokens):
                return False
        elif (t.startswith("=") or not any(_tok_eq(t, x) for x in full_parts)) and not (
            p.surnames and p.surnames & full.surnames and len(p.tokens) <= 2
        ):
            return False
    return bool(p.tokens) or bool(p.surnames & full.surnames)


def _inflected(m: Mention, seen: dict[tuple[str, str], Cluster]) -> Cluster | None:
    """«Малыша» is the «Малыш» met before: a Russian case form of one word."""
    if not re.fullmatch(r"[А-ЯЁа-яё]{3,}", m.surface):
        return None
    for (category, surface), cluster in seen.items():
        if (
            category == m.category
            and re.fullmatch(r"[а-яё]{3,}", surface)
            and _given_eq(key(surface), key(m.surface))
        ):
            return cluster
    return None


def _nearest(clusters: list[Cluster], pos: int) -> Cluster:
    def distance(c: Cluster) -> tuple[int, int]:
        before = [pos - s for s in c.starts if s <= pos]
        return (0, min(before)) if before else (1, min(abs(s - pos) for s in c.starts))

    return min(clusters, key=distance)


def link(text: str, spans: list[Span]) -> list[Span]:
    """``spans`` with an ``entity`` id on every person, place and organisation."""
    mentions = [analyse(i, s, text) for i, s in enumerate(spans) if s.category in PREFIX]
    clusters: dict[str, list[Cluster]] = {c: [] for c in PREFIX}
    owner: dict[int, Cluster] = {}
    counter = {c: 0 for c in PREFIX}

    def new(cat: str) -> Cluster:
        counter[cat] += 1
        c = Cluster(f"{PREFIX[cat]}{counter[cat]}")
        clusters[cat].append(c)
        return c

    def add(c: Cluster, m: Mention) -> None:
        owner[m.index] = c
        c.starts.append(m.start)
        if m.full:
            c.fulls.append(m)

    for m in (m for m in mentions if m.full):
        same = [
            c for c in clusters[m.category]
            if any(_same_person(f, m) if m.category == PERSON else f.given == m.given
                   for f in c.fulls)
        ]
        if not same and m.category == PERSON and m.surnames:
            # "Мён Чхоль" after "Соль Мён Чхоль": a two-syllable given name,
            # not a surname "Мён" plus "Чхоль".
            whole = key(_clean(spans[m.index].text(text)))
            given_of = [
                c for c in clusters[PERSON] if any(_given_eq(f.given, whole) for f in c.fulls)
            ]
            if given_of:
                m.full = False
                add(_nearest(given_of, m.start), m)
                continue
        add(same[0] if same else new(m.category), m)
    by_surface: dict[tuple[str, str], Cluster] = {}
    previous: Mention | None = None
    speaker = next(
        (
            owner[m.index] for m in sorted(mentions, key=lambda m: m.start)
            if m.category == PERSON and m.index in owner
            and SELF_INTRO.search(text[max(0, m.start - 20) : m.start])
        ),
        None,
    )
    for m in sorted(mentions, key=lambda m: m.start):
        if m.index not in owner:
            fits = [c for c in clusters[m.category] if any(_fits(f, m) for f in c.fulls)]
            if fits:
                add(_nearest(fits, m.start), m)
            elif (m.category, m.surface.lower()) in by_surface:
                add(by_surface[(m.category, m.surface.lower())], m)
            elif (inflected := _inflected(m, by_surface)) is not None:
                add(inflected, m)
            elif previous is not None and _nickname_of(text, previous, m, spans):
                add(owner[previous.index], m)
            elif speaker is not None and ME_CUE.search(text[max(0, m.start - 40) : m.start]):
                add(speaker, m)  # "everyone called me 'Chol-i'"
            else:
                add(new(m.category), m)
        by_surface.setdefault((m.category, m.surface.lower()), owner[m.index])
        if m.category == PERSON:
            previous = m
    _join_real_names(text, mentions, spans, owner)
    return [
        replace(s, entity=owner[i].ident) if i in owner else s for i, s in enumerate(spans)
    ]


def _join_real_names(
    text: str, mentions: list[Mention], spans: list[Span], owner: dict[int, Cluster]
) -> None:
    """"We called him Pockmark; his real name was Ryu Kwang-su": one person."""
    people = sorted((m for m in mentions if m.category == PERSON), key=lambda m: m.start)
    for prev, m in itertools.pairwise(people):
        before = text[spans[prev.index].end : m.start]
        if len(before) <= 60 and REAL_NAME.search(before):
            old, new = owner[m.index], owner[prev.index]
            for i, c in list(owner.items()):
                if c is old:
                    owner[i] = new


def _nickname_of(text: str, prev: Mention, m: Mention, spans: list[Span]) -> bool:
    """True when ``m`` is a nickname given to the person mentioned just before."""
    if m.surnames and (len(m.surface) == 1 or surname_class(m.surface)):
        return False  # "봉 동무", "Kim": a surname with a title, not a nickname
    prev_end = spans[prev.index].end
    between = text[prev_end : m.start]
    after = text[spans[m.index].end : spans[m.index].end + 12]
    if CUE_AFTER.match(after) and m.start - prev_end <= 120:
        return True
    if len(between) > 80 or re.search(r"[.!?\n]", between):
        return False
    # "X, whom the men called", "X, was the one the girls called"; but not
    # "X, and a driver she knew only as" (a new person comes in between).
    if CUE_BEFORE.search(between) and (
        OWNER_LINK.search(between) or not re.search(r"\b(?:a|an)\b", between, re.IGNORECASE)
    ):
        return True
    # "called Kye Song-jin, the youngest programmer, 'doksuri'"
    start = spans[prev.index].start
    before = re.split(r"[.!?\n]", text[max(0, start - 25) : start])[-1]
    return bool(CUE_BEFORE.search(before))
