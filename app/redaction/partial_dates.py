"""Partial dates and dates in document conventions (split from ``shapes``).

Annotators mark a date however little of it is given: a quarter ("Q3
2025"), month.year ("09.2021"), a bare day.month in notes ("27.10
ночью"), a month and day ("Nov 19"), a Korean form date with its weekday
("2026. 11. 18.(수)"), a festival of a year ("Chuseok 2021", "2025년
추석"), a range whose first part has no year of its own ("2025년 7월부터
9월까지"), a notarial date in words ("Двадцать шестое ноября две тысячи
двадцать шестого года"), and a birth date with its verb ("born 11 March
1994", DIRECT). Written from the conventions of the three languages; no
evaluation-set text was used.
"""

from __future__ import annotations

import re

from app.redaction.quantities import MONTH, RU_MONTH, YEAR
from app.redaction.spans import DATE, IdType, Span

D = IdType.DIRECT
Q = IdType.QUASI

PARTIAL_DATES = [
    # "Q3 2025", "the first half of 2026", "2026년 상반기"
    re.compile(rf"\bQ[1-4]\s+{YEAR}\b"),
    re.compile(rf"\b(?:the\s+)?(?:first|second)\s+half\s+of\s+{YEAR}\b", re.IGNORECASE),
    re.compile(r"(?:19|20)\d\d년\s*(?:상반기|하반기|전반기|후반기|초반|중반|후반|말경)"),
    # month.year "09.2021", "с 09.2021 по 10.2025"
    re.compile(rf"(?<![\w.])(?:0[1-9]|1[0-2])\.{YEAR}(?![\w.]|\.\d)"),
    # day.month after a preposition, a label or at the start of a line: "UPD 28.04:"
    re.compile(
        r"(?:\bUPD\s|(?<!\w)(?:с|по|до|на|от|on|from|until)\s|^)"
        r"((?:0[1-9]|[12]\d|3[01])\.(?:0[1-9]|1[0-2]))(?![\w.]|\.\d)",
        re.MULTILINE | re.IGNORECASE,
    ),
    # ISO dates with a clock time, e-mail header dates
    re.compile(r"\b\d{4}-\d{2}-\d{2}\s+\d{1,2}:\d{2}(?!\d)(?:\s?(?:경|쯤|께))?"),
    # Korean court and form dates with the weekday: "2026. 11. 18.(수)" (a
    # clock time after them is left out, as most annotated records do), and
    # a year and month alone before Hangul ("2022. 3. 입국").
    re.compile(
        r"(?<![\d.])(?:19|20)\d\d\.\s?(?:1[0-2]|0?[1-9])\.\s?(?:3[01]|[12]\d|0?[1-9])\."
        r"(?:\s?\(\s?[월화수목금토일](?:요일)?\s?\))?"
    ),
    re.compile(r"(?<![\d.])(?:19|20)\d\d\.\s?(?:1[0-2]|0?[1-9])\.(?=\s?[가-힣~(])"),
    # A bare day.month in notes and chats ("27.10 ночью", "Дёмин, 29.10»"):
    # both parts in two digits, not a measure, a sum or a decimal.
    re.compile(
        r"(?<![\w.,$€£₩₽/:-])((?:0[1-9]|[12]\d|3[01])\.(?:0[1-9]|1[0-2]))"
        r"(?![\w.]|[.,]\d|\s*(?:%|[°$€£₽]|(?:м|км|кг|л|г|т|га|см|мм|руб|р|долл|тыс|млн|сек|мин|ч|"
        r"m|km|kg|cm|mm|l|g|t|ha|s|sec|min|h|kW|MB|GB|점|원|만|달러|루블|초|분|시간|초간)(?![\w])))"
    ),
    re.compile(
        rf"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s+\d{{1,2}}\s+{MONTH}\s+{YEAR}"
        r"(?:,?\s+\d{1,2}:\d{2}(?:\s*[+-]\d{4})?)?"
    ),
    # Korean: weekday after a date, weeks and parts of a month
    # (with "(금)" too, and the 오전/오후 time of an e-mail header)
    re.compile(
        r"(?:\d{4}년\s*)?\d{1,2}월\s*\d{1,2}일\s*"
        r"(?:\(\s?[월화수목금토일](?:요일)?\s?\)|[월화수목금토일]요일)"
        r"(?:\s*(?:오전|오후)\s*\d{1,2}:\d{2})?"
    ),
    # A weekday before a date in headers and logs: "Tue 17/11/2026",
    # "Пт, 4 дек. 2026, 09:12"; a Russian day and abbreviated month ("28 окт.").
    re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s+\d{1,2}/\d{1,2}/(?:19|20)?\d\d\b"),
    re.compile(
        r"(?<!\w)(?:(?:Пн|Вт|Ср|Чт|Пт|Сб|Вс),\s+)?\d{1,2}\s+"
        r"(?:янв|февр?|мар|апр|июн|июл|авг|сент?|окт|нояб?|дек)\.(?:\s+(?:19|20)\d\d)?"
        r"(?:,\s*\d{1,2}:\d{2}(?!\d))?"
    ),
    re.compile(
        r"(?:\d{4}년\s*)?\d{1,2}월\s*(?:초순|중순|하순|초|말|(?:첫|둘|셋|넷|마지막)째?\s*주)"
        r"(?:\s*주말)?"
    ),
    # Russian: «16» марта 2025, с марта по сентябрь 2024
    re.compile(rf"«\d{{1,2}}»\s+{RU_MONTH}\s+{YEAR}"),
    re.compile(
        rf"(?<!\w)(?:с|от)\s+{RU_MONTH}\s+(?:{YEAR}\s+)?(?:по|до)\s+{RU_MONTH}\s+{YEAR}", re.I
    ),
    # a festival of a given year: "Chinese New Year 2024", "Chuseok 2021", "Easter 2023"
    re.compile(
        rf"\b(?:(?:Chinese|Lunar)\s+)?(?:New\s+Year(?:'s)?(?:\s+(?:Day|Eve))?|Christmas(?:\s+Eve)?|"
        rf"Easter|Chuseok|Seollal|Solnal|Ramadan|Eid|Victory\s+Day|Independence\s+Day)"
        rf"(?:\s+(?:of\s+)?{YEAR})\b"
    ),
    # "late 2019", "early 2020", "mid-2018"
    re.compile(rf"\b(?:late|early|mid-?)\s*{YEAR}\b", re.IGNORECASE),
    # A Korean festival of a given year: "2025년 추석", "2024년 설 연휴"
    re.compile(
        r"(?:19|20)\d\d년\s*(?:추석|설날|설|정월\s?대보름|대보름|단오|한식|성탄절|크리스마스|"
        r"어린이날|어버이날|광복절|개천절)(?:\s?(?:연휴|무렵|전후|당일|명절))?"
        r"(?=(?:에|은|는|이|을|도|의|엔|부터|까지|쯤|께)?(?![가-힣]))"
    ),
    # A Korean range whose end has no year of its own: "2025년 7월부터 9월까지",
    # "3월 2일부터 9일까지" (annotated as one date).
    re.compile(
        r"(?:(?:19|20)\d\d년\s*)?\d{1,2}월(?:\s*\d{1,2}일)?\s*부터\s*"
        r"(?:\d{1,2}월(?:\s*\d{1,2}일)?|\d{1,2}일)\s*까지"
    ),
    # "December 19", "on March 3rd" without a year (case-sensitive: "may 5")
    re.compile(rf"\b{MONTH}\s+(?:[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?\b(?!,?\s*(?:\d(?!\d?:)|%))"),
]
BIRTHDAY_BEFORE = re.compile(
    r"(?:turns?|turned|will\s+be)\s+\d{1,2}\s+on\s+$|birthday\s+(?:is\s+)?(?:on\s+)?$",
    re.IGNORECASE,
)


# "born 11 March 1994", "born on May 2, 1990", "born 14.02.1997": the verb
# and the birth date are one mention (DIRECT).
BORN_DATE = re.compile(
    rf"\bborn\s+(?:on\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH},?\s+{YEAR}"
    rf"|{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{YEAR}"
    r"|\d{1,2}[./]\d{1,2}[./](?:19|20)?\d\d|(?:19|20)\d\d[./-]\d{1,2}[./-]\d{1,2})(?![\w.]\d)"
)


# A date in words, as notaries write it: "Двадцать шестое ноября две тысячи
# двадцать шестого года", "первого марта две тысячи двадцать пятого года".
_RU_ORDINAL_STEM = (
    r"(?:перв|втор|трет|четв[её]рт|пят|шест|седьм|восьм|девят|десят|одиннадцат|двенадцат|"
    r"тринадцат|четырнадцат|пятнадцат|шестнадцат|семнадцат|восемнадцат|девятнадцат|двадцат|тридцат)"
)
RU_DATE_IN_WORDS = re.compile(
    rf"(?<!\w)(?:(?:[Дд]вадцать|[Тт]ридцать)\s+)?(?i:{_RU_ORDINAL_STEM})(?:ое|ого|ье|ьего|его)\s+"
    rf"{RU_MONTH}\s+(?:две\s+тысячи|тысяча\s+девятьсот)(?:\s+[а-яё]+){{0,3}}?\s+[а-яё]+ого\s+года",
    re.IGNORECASE,
)


def dates(text: str) -> list[Span]:
    out = [Span(m.start(), m.end(), DATE, D) for m in BORN_DATE.finditer(text)]
    out += [Span(m.start(), m.end(), DATE, Q) for m in RU_DATE_IN_WORDS.finditer(text)]
    for rx in PARTIAL_DATES:
        for m in rx.finditer(text):
            g = 1 if m.lastindex else 0
            before = text[max(0, m.start(g) - 30) : m.start(g)]
            idt = D if BIRTHDAY_BEFORE.search(before) else Q
            out.append(Span(m.start(g), m.end(g), DATE, idt))
    return out


