"""Code shapes in any script: references, profile links, handles.

Case files, trackers, registers and tables number people in ways no list
can hold ("NLW-26-031", "OH-SMS-07", "보호-2026-0588", "УУ-2026/11-Ж",
"114-к", "EP.73"). What they share is the shape: letters and digits in two
or more segments joined by "-", "/" or ".". Profile links ("vk.com/some_one")
and handles with an underscore or trailing digits ("lucky_cho88") point to
one person. Law numbers, ordinals ("2020-м", "5th") and dates are not codes.
"""

from __future__ import annotations

import re

from app.redaction import references
from app.redaction.spans import CODE, IdType, Span

D = IdType.DIRECT
Q = IdType.QUASI

LETTER = r"A-Za-zА-ЯЁа-яё가-힣"
SEGMENTED = re.compile(
    rf"(?<![\w/.@-])(?=[{LETTER}0-9/.-]*[0-9])[{LETTER}0-9]+(?:[-/.][{LETTER}0-9]+){{1,8}}"
    rf"(?![\w/@]|[-.][{LETTER}0-9])"
)
# A grammatical ending after a number is no code ("2020-м", "5-й", "1990s", "3rd").
ORDINAL = re.compile(
    r"^\d+(?:-(?:м|го|й|х|е|я|ти|ми|ый|ий|ой|ая|ое|ые|ых|ым|th|st|nd|rd|s|ies)|[-.]?(?:th|st|nd|rd|s))$"
)
# Shapes that are measures, ranges, times or versions, not identifiers:
# a number or range with a unit ("10-15명", "14-16h", "3-5 кг"), a model
# name of one or two letters ("F-16", "Mi-8"), an article ("ст.18.8").
UNIT = (
    r"(?:명|개|층|시|분|세|살|년|월|일|달러|딸라|원|루블|위안|km|kg|cm|mm|m|h|hr|hrs|min|t|ч|мин|кг|км|"
    r"см|мм|м|т|л|лет|года|тыс|руб|млн|шт|x|х|도|month|mo|week|wk|day|year|yr|hour|night|shift)"
)
NOT_A_CODE = re.compile(
    rf"^(?:[\d.,:/~–-]+{UNIT}|[A-Za-z]{{1,2}}-\d{{1,3}}|COVID-19|"
    r"(?:ст|ч|п|пп|стр|гл|art|para|p|pp|s|ss)\.\d.*)$",
    re.IGNORECASE,
)
MODEL_NAME = re.compile(r"^[A-ZА-ЯЁ][A-Za-zА-ЯЁа-яё]{0,5}-\d{1,5}$")
# ...unless a label says it is a number of a record or a person: "staff ID
# AP-55102", "Card no.: KMFB-3318", "invoice no. AJ-2291", "пропуск № ПБ-4471".
NUMBER_LABEL = re.compile(
    r"(?:\bID|\bno\.?|\bNo\.?|\bnumber|\bnum\.|#|№|\bref\.?|\bcode|\bcard|\bbadge|\bpass|"
    r"\bmembership|номер|пропуск\w*|번호|사번)\s*[:.]?\s*$",
    re.IGNORECASE,
)
ROOM_LABEL = re.compile(
    r"(?:\b(?:room|rm\.|cell|bed|participant|respondent|interviewee|subject)|комнат\w*|камер\w*)\s*[:.]?\s*$",
    re.IGNORECASE,
)
SHORT_CODE = re.compile(r"^[A-Za-zА-ЯЁа-яё]{1,2}-\d{1,4}$")
# An incident, ticket or record number after "#": "incident #88217" (not a
# year or a rank, "#2026", "#3").
HASH_NUMBER = re.compile(r"(?<![\w#&])#\s?(\d{4,9})(?![\w-])")
LAW = re.compile(r"(?:-ФЗ|-ФКЗ|-КоАП|-УК|-ГК)$")
URL = re.compile(
    r"(?<![\w@])(?:https?://)?(?:www\.)?(?:[a-z0-9-]+\.)+(?:com|ru|org|net|kr|info|me|io|cn|uz|kz|"
    r"su|ua|by|tj|kg|co)/[^\s)\]»\"”,]+",
    re.IGNORECASE,
)
HANDLE = re.compile(
    r"(?<![\w@./-])(?:[a-z][a-z0-9]*_[a-z0-9_]+|[a-z]{3,}[a-z_]*\d{2,4})(?![\w@-]|\.[a-z])"
)

# Numbers that stand for a person's record or home by the word before them:
# a flat ("кв. 47", "квартира № 12", "flat 4B"), the last digits of a card or
# account ("card ending 4471", "оканчивающейся на 0912"), a number half
# remembered ("745...318"), a register entry dated by "от" ("телефонограмма
# № 1418 от 22.09.2026", "КУСП за № 77"), a numbered licence ("면허번호 제 2231호").
FLAT = re.compile(
    r"(?<![\w.])(?:кв\.|квартир[аеуыой]{1,2}(?:\s+№)?|flat|apt\.?|apartment)\s*(\d{1,4}[А-ЯA-Z]?)(?!\w|[.,]\d)",
    re.IGNORECASE,
)
CARD_TAIL = re.compile(
    r"(?:ending|ends|ending\s+in|last\s+(?:four|4)\s+digits|оканчивающ\w+\s+на|заканчивающ\w+\s+на|"
    r"последние\s+(?:четыре|4)\s+цифры|끝자리|끝\s?번호)\s*:?\s*(?:(?:…|\.{2,3}|[*xX]{2,})\s?-?\s?)?(\d{3,4})(?!\d)",
    re.IGNORECASE,
)
PARTIAL_NUMBER = re.compile(r"(?<![\w.])\d{2,6}(?:\.{2,3}|…|\*{2,}|[xX]{2,})\d{2,6}(?!\w|\.\d)")
DATED_ENTRY = re.compile(
    r"(?<![\w-])(?:(?:Е?КУСП|KUSP|КРСП)\s+(?:за\s+)?(?:№|No\.?|N)\s*(\d{2,7})|"
    r"(?:№|No\.)\s*(\d{2,7})(?=\s+от\s+\d{1,2}\.\d{1,2}\.\d{2,4}))(?![\w/-])"
)
PUBLIC_ACT = re.compile(
    r"(?:приказ|постановлени|указ|закон|распоряжени|ФЗ|кодекс|правил)\w*[^.\n]{0,40}$",
    re.IGNORECASE,
)
KO_LICENCE = re.compile(r"(?:면허|등록|자격증?|허가)\s?번호\s*:?\s*(제\s?\d{3,8}\s?호)")

# A comment thread's author handle with dots ("mira.cooks.daily:",
# "↳ tae.hoon (creator):"); a file name or domain has a known ending instead.
DOTTED_SPEAKER = re.compile(
    r"(?m)^[ \t]*(?:[↳>@-][ \t]*)?([a-z][a-z0-9_]*(?:\.[a-z0-9_]+){1,3})"
    r"(?=[ \t]*(?:\([^)\n]{1,20}\))?[ \t]*:)"
)
NOT_HANDLE_END = re.compile(
    r"\.(?:com|ru|org|net|kr|io|txt|pdf|docx?|jpe?g|png|mp[34]|py|js|html?|csv|xlsx?)$"
)


def _dotted_handles(text: str) -> list[Span]:
    found = {m.group(1) for m in DOTTED_SPEAKER.finditer(text)}
    out: list[Span] = []
    for handle in found:
        if NOT_HANDLE_END.search(handle):
            continue
        for m in re.finditer(rf"(?<![\w.@]){re.escape(handle)}(?![\w]|\.\w)", text):
            out.append(Span(m.start(), m.end(), CODE, D))
    return out


def _numbered(text: str) -> list[Span]:
    # A Russian flat is its number ("кв. 47" → "47"); an English one is the
    # whole phrase ("Flat 2A").
    out = [
        Span(m.start() if m.group(0)[0].isascii() else m.start(1), m.end(1), CODE, D)
        for m in FLAT.finditer(text)
    ]
    out += [Span(m.start(1), m.end(1), CODE, D) for m in CARD_TAIL.finditer(text)]
    out += [Span(m.start(), m.end(), CODE, D) for m in PARTIAL_NUMBER.finditer(text)]
    for m in DATED_ENTRY.finditer(text):
        g = 1 if m.group(1) else 2
        # Orders and laws are public acts, numbered the same way.
        if g == 2 and PUBLIC_ACT.search(text[max(0, m.start() - 60) : m.start()]):
            continue
        out.append(Span(m.start(g), m.end(g), CODE, D))
    out += [Span(m.start(1), m.end(1), CODE, D) for m in KO_LICENCE.finditer(text)]
    for m in HASH_NUMBER.finditer(text):
        if not re.fullmatch(r"(?:19|20)\d\d", m.group(1)):
            out.append(Span(m.start(), m.end(), CODE, D))
    return out


def _segmented(text: str) -> list[Span]:
    out: list[Span] = []
    for m in SEGMENTED.finditer(text):
        value = m.group(0)
        if not re.search(f"[{LETTER}]", value):
            continue
        if ORDINAL.match(value) or LAW.search(value):
            continue
        before = text[max(0, m.start() - 14) : m.start()]
        # A short letter-number after a room or a participant label is that
        # room's or person's code ("Room C-214", "participant P-07").
        labelled = bool(NUMBER_LABEL.search(before) or ROOM_LABEL.search(before))
        if NOT_A_CODE.match(value) and not (labelled and SHORT_CODE.match(value)):
            continue
        # A model or form name ("ПАЗ-32054", "Ил-76", "Н-1", "RU-2024") is
        # letters and one number; a Hangul ending after digits is grammar
        # ("…4120입니다").
        if MODEL_NAME.match(value) and not labelled:
            continue
        if re.fullmatch(r"[\d\W]+[가-힣]+", value):
            continue
        out.append(Span(m.start(), m.end(), CODE, D))
    return out


def find(text: str) -> list[Span]:
    out = _segmented(text) + _numbered(text) + _dotted_handles(text) + references.find(text)
    out += [Span(m.start(), m.end(), CODE, D) for m in URL.finditer(text)]
    out += [Span(m.start(), m.end(), CODE, D) for m in HANDLE.finditer(text)]
    return out
