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

from app.redaction.mentions import (
    Mention,
    analyse,
    clean,
    fits,
    given_eq,
    same_person,
)
from app.redaction.romanise import key, surname_class
from app.redaction.spans import ORG, PERSON, PLACE, Span

PREFIX = {PERSON: "P", PLACE: "L", ORG: "O"}
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
@dataclass
class Cluster:
    ident: str
    fulls: list[Mention] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)


def _inflected(m: Mention, seen: dict[tuple[str, str], Cluster]) -> Cluster | None:
    """«Малыша» is the «Малыш» met before: a Russian case form of one word."""
    if not re.fullmatch(r"[А-ЯЁа-яё]{3,}", m.surface):
        return None
    for (category, surface), cluster in seen.items():
        if (
            category == m.category
            and re.fullmatch(r"[а-яё]{3,}", surface)
            and given_eq(key(surface), key(m.surface))
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
            if any(same_person(f, m) if m.category == PERSON else f.given == m.given
                   for f in c.fulls)
        ]
        if not same and m.category == PERSON and m.surnames:
            # "Мён Чхоль" after "Соль Мён Чхоль": a two-syllable given name,
            # not a surname "Мён" plus "Чхоль".
            whole = key(clean(spans[m.index].text(text)))
            given_of = [
                c for c in clusters[PERSON] if any(given_eq(f.given, whole) for f in c.fulls)
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
            fitting = [c for c in clusters[m.category] if any(fits(f, m) for f in c.fulls)]
            if fitting:
                add(_nearest(fitting, m.start), m)
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
