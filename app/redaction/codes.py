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

from app.redaction.spans import CODE, IdType, Span

D = IdType.DIRECT
Q = IdType.QUASI

LETTER = r"A-Za-zА-ЯЁа-яё가-힣"
SEGMENTED = re.compile(
    rf"(?<![\w/.@-])(?=[{LETTER}0-9/.-]*[0-9])[{LETTER}0-9]+(?:[-/.][{LETTER}0-9]+){{1,4}}"
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
LAW = re.compile(r"(?:-ФЗ|-ФКЗ|-КоАП|-УК|-ГК)$")
URL = re.compile(
    r"(?<![\w@])(?:https?://)?(?:www\.)?(?:[a-z0-9-]+\.)+(?:com|ru|org|net|kr|info|me|io|cn|uz|kz|"
    r"su|ua|by|tj|kg|co)/[^\s)\]»\"”,]+",
    re.IGNORECASE,
)
HANDLE = re.compile(
    r"(?<![\w@./-])(?:[a-z][a-z0-9]*_[a-z0-9_]+|[a-z]{3,}[a-z_]*\d{2,4})(?![\w@-]|\.[a-z])"
)


def _segmented(text: str) -> list[Span]:
    out: list[Span] = []
    for m in SEGMENTED.finditer(text):
        value = m.group(0)
        if not re.search(f"[{LETTER}]", value):
            continue
        if ORDINAL.match(value) or NOT_A_CODE.match(value) or LAW.search(value):
            continue
        # A model or form name ("ПАЗ-32054", "Ил-76", "Н-1", "RU-2024") is
        # letters and one number; a Hangul ending after digits is grammar
        # ("…4120입니다").
        if MODEL_NAME.match(value) or re.fullmatch(r"[\d\W]+[가-힣]+", value):
            continue
        out.append(Span(m.start(), m.end(), CODE, D))
    return out


def find(text: str) -> list[Span]:
    out = _segmented(text)
    out += [Span(m.start(), m.end(), CODE, D) for m in URL.finditer(text)]
    out += [Span(m.start(), m.end(), CODE, D) for m in HANDLE.finditer(text)]
    return out
