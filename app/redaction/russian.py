"""Cyrillic layer: natasha NER for Russian names, places and organisations.

natasha's embeddings (navec) and NER weights (slovnet) are packaged inside
the pip wheels, so nothing is downloaded at run time. They load once per
process (``_models``).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

from app.redaction.script import CYRILLIC, runs
from app.redaction.spans import ORG, PERSON, PLACE, IdType, Span
from app.redaction.stopwords import is_stopword

D = IdType.DIRECT
Q = IdType.QUASI

# ООО «Примстрой-Инвест», АО "Тайга", ИП Иванов: the legal form is part of the name.
# (Not inside a word: "КОВАЛЕНКО" holds "НКО".)
RU_COMPANY = re.compile(
    r"(?<!\w)(?:ООО|ОАО|ЗАО|АО|ПАО|ИП|ТОО|ГУП|МУП|ФГУП|НКО)\s*(?:[«\"“][^»\"”\n]{1,60}[»\"”]|[А-ЯЁ][\w-]+)"
)
RU_UNIT = re.compile(
    r"(?<!\w)(?:бригад[аеуыой]+|участ(?:ок|ка|ке|ком)|звен[оа]|отряд[аеу]?|сектор[аеу]?|"
    r"объект[аеу]?|цех[аеу]?)\s*(?:№\s*)?\d+(?!\w)",
    re.IGNORECASE,
)
RU_QUOTED_NAME = re.compile(
    r"(?:компани[яиюей]|фирм[аыуе]|организаци[яиюей]|предприяти[еяю]|жилого комплекса|ЖК|"
    r"стройк[аиуе]|церк(?:овь|ви)|общин[аыуе]|студи[яиюей])\s*«([^»\n]{2,60})»",
    re.IGNORECASE,
)
RU_SETTLEMENT = re.compile(
    r"(?:\bг\.|\bгор\.|\bпос\.|\bп\.|\bс\.|\bдер\.|\bст\.|\bгород[аеу]?|\bпосёлк[аеу]|\bпоселк[аеу]|"
    r"\bсел[оаеу]|\bуезд[аеу]?|\bрайон[аеу]?|\bокруг[аеу]?)[ \t\u00a0]+"
    r"([А-ЯЁ][а-яё-]+(?:\s[А-ЯЁ][а-яё-]+)?)"
)
RU_DISTRICT = re.compile(
    r"(?<!\w)[А-ЯЁ][а-яё-]+(?:ий|ый|ой|ский)\s+(?:р-н|район[аеу]?|округ[аеу]?)"
)


@cache
def _models() -> tuple[Any, Any]:
    from natasha import NewsEmbedding, NewsNERTagger, Segmenter

    return Segmenter(), NewsNERTagger(NewsEmbedding())


# Slash abbreviations ("м/с" a nurse, "з/п" pay, "р/с" an account) and "М. П."
# (the place of a stamp on a form) are no names, whatever natasha says.
_ABBREVIATION = re.compile(r"[А-ЯЁа-яё]{1,2}/[А-ЯЁа-яё]{1,2}|М\.\s?П\.?")
_SENTENCE_START = re.compile(r"(?:^|[.!?:\n]\s*|^\s*)$")


@cache
def _morph() -> Any:
    import inspect

    import pymorphy2

    # pymorphy2 0.9 builds its units with inspect.getargspec, which Python
    # 3.11 removed; lend it the equivalent for the construction only.
    shimmed = not hasattr(inspect, "getargspec")
    if shimmed:
        inspect.getargspec = lambda f: inspect.getfullargspec(f)[:4]  # type: ignore[attr-defined]
    try:
        return pymorphy2.MorphAnalyzer()
    finally:
        if shimmed:
            del inspect.getargspec  # type: ignore[attr-defined]


# pymorphy2 (natasha's own dependency, MIT, OpenCorpora dictionary CC BY-SA)
# marks names, surnames, patronymics, places and organisations.
_PROPER = {"Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Abbr"}


@lru_cache(maxsize=65536)
def parses(word: str) -> tuple[Any, ...]:
    """pymorphy2's readings of ``word``, cached for the process: several
    layers ask about the same words, and a parse costs about half a
    millisecond."""
    return tuple(_morph().parse(word))


@lru_cache(maxsize=8192)
def common_word(word: str) -> bool:
    """A single word natasha took for a name that the dictionary knows only
    as a common word ("Настоящим", "Исх", "УВЕДОМЛЕНИЕ", "Уведомление")."""
    if not re.fullmatch(r"[А-ЯЁа-яё]+", word) or len(word) < 3:
        return False
    from app.redaction.names import cyrillic_surnames

    # Korean surnames in Cyrillic are Russian words too ("Пак", "Сон").
    if word[0] + word[1:].lower() in cyrillic_surnames():
        return False
    readings = parses(word.lower())
    if not readings or not all(p.is_known for p in readings):
        return False
    return not any(_PROPER & set(str(p.tag).replace(" ", ",").split(",")) for p in readings)


@lru_cache(maxsize=8192)
def lowercase_is_only_a_name(word: str) -> bool:
    """True when the dictionary reads the lowercase word only as a name part
    ("алина", "тимур", "маркович"), not also as a common word ("роза",
    "вера", "лев"): such a name may be spread in lower case."""
    low = word.lower()
    if not re.fullmatch(r"[а-яё]{3,}", low) or is_stopword(low):
        return False
    # A gerund reading is set aside ("женя" of "женить"): chat notes do not
    # write it where the document names a Женя.
    known = [p for p in parses(low) if p.is_known and "GRND" not in p.tag.grammemes]
    if not known:
        return False
    return all({"Name", "Surn", "Patr"} & set(p.tag.grammemes) for p in known)


def _ner(chunk: str) -> list[tuple[int, int, str]]:
    from natasha import Doc

    segmenter, tagger = _models()
    doc = Doc(chunk)
    doc.segment(segmenter)
    doc.tag_ner(tagger)
    return [(s.start, s.stop, s.type) for s in doc.spans]


def _pieces(
    chunk: str, found: list[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """A name never runs over a line break: in forms the next line is another field
    ("…Приморского края\nОтветчик: …"); each line's part is judged alone."""
    out: list[tuple[int, int, str]] = []
    for s, e, kind in found:
        for m in re.finditer(r"[^\n]+", chunk[s:e]):
            part = m.group(0).strip()
            if len(part) >= 2:
                b = s + m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
                out.append((b, b + len(part), kind))
    return out


def find(text: str) -> list[Span]:
    spans: list[Span] = []
    all_runs = runs(text)
    for k, run in enumerate(all_runs):
        if run.script != CYRILLIC:
            continue
        # Keep the neutral tail (closing quotes, "№ 4"): up to the next run.
        limit = all_runs[k + 1].start if k + 1 < len(all_runs) else len(text)
        chunk = text[run.start : min(limit, run.end + 20)]
        base = run.start
        if len(chunk) >= 3:
            for s, e, kind in _pieces(chunk, _ner(chunk)):
                # "Меня", "РАПОРТ": a common word is never a name; "Опрошенный:
                # Тхак Мён Гук" starts with one.
                m = re.match(r"(?:[А-ЯЁа-яё]+[:,]?\s+)", chunk[s:e])
                while m and is_stopword(m.group(0).strip(" :,")):
                    s += m.end()
                    m = re.match(r"(?:[А-ЯЁа-яё]+[:,]?\s+)", chunk[s:e])
                if " " not in chunk[s:e] and is_stopword(chunk[s:e]):
                    continue
                if _ABBREVIATION.fullmatch(chunk[s:e]):
                    continue
                # A capital that only the position or a header explains
                # ("Настоящим уведомляем", "УВЕДОМЛЕНИЕ") on a common word.
                if (
                    " " not in chunk[s:e]
                    and (chunk[s:e].isupper() or _SENTENCE_START.search(chunk[:s]))
                    and common_word(chunk[s:e])
                ):
                    continue
                if kind == "PER":
                    spans.append(Span(base + s, base + e, PERSON, D))
                elif kind == "LOC":
                    spans.append(Span(base + s, base + e, PLACE, Q))
                elif kind == "ORG":
                    spans.append(Span(base + s, base + e, ORG, Q))
        for m in RU_COMPANY.finditer(chunk):
            spans.append(Span(base + m.start(), base + m.end(), ORG, Q))
        for m in RU_UNIT.finditer(chunk):
            spans.append(Span(base + m.start(), base + m.end(), ORG, Q))
        for m in RU_QUOTED_NAME.finditer(chunk):
            spans.append(Span(base + m.start(1), base + m.end(1), ORG, Q))
        for m in RU_SETTLEMENT.finditer(chunk):
            if is_stopword(m.group(1).split()[0]):
                continue
            # An abbreviation ("г.", "пос.") belongs to the name, like "ул.".
            start = m.start() if m.group(0)[0].islower() and "." in m.group(0)[:5] else m.start(1)
            spans.append(Span(base + start, base + m.end(1), PLACE, Q))
        for m in RU_DISTRICT.finditer(chunk):
            spans.append(Span(base + m.start(), base + m.end(), PLACE, Q))
    return spans
