"""The second sweep: tokens that look like a name, place, number or date.

The detector misses some identifying details, so before a redaction is
submitted every remaining token of these shapes that is not masked is listed
for the reviewer to call safe or mask. The rules are simple and script-aware
on purpose: they over-list rather than guess.

* Latin and Cyrillic: a capitalised word that does not start a sentence
  (and is not "I"), or a word in capitals ("KPA").
* Hangul (no capitals): a word whose stem, once a particle is cut off,
  starts with a common surname and is 2 to 4 syllables long, or ends in a
  place suffix (시, 군, 도, 리, 동, 구역, 역, 항...).
* Any run of digits, and date-shaped tokens ("3.05.2019", "2019-05-03",
  "5월", "1998년", "May", "мая").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NAME, PLACE, NUMBER, DATE = "name", "place", "number", "date"

_WORD = re.compile(r"[^\W\d_](?:[\w'’\-]*[^\W_])?")
_NUMBERISH = re.compile(r"\d[\d.,:/\-]*\d|\d")
_DATE_SHAPE = re.compile(r"^\d{1,4}[./\-]\d{1,2}(?:[./\-]\d{1,4})?$")
_KOREAN_DATE = re.compile(r"\d+\s?(?:년|월|일)")
_HANGUL = re.compile(r"[\uac00-\ud7a3]+")
_LATIN_UPPER = re.compile(r"[A-Z]")
_CYRILLIC_UPPER = re.compile(r"[А-ЯЁ]")
_SENTENCE_END = ".!?…:;\"“”«»\n"

# English month names count only when capitalised ("may" is a verb).
ENGLISH_MONTHS = frozenset("""
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
""".split())  # noqa: SIM905 - a word list reads better as text
RUSSIAN_MONTHS = frozenset("""
январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь
января февраля марта апреля мая июня июля августа сентября октября ноября декабря
январе феврале марте апреле мае июне июле августе сентябре октябре ноябре декабре
""".split())  # noqa: SIM905 - a word list reads better as text
_NOT_NAMES = frozenset({"I", "I'm", "I’m", "OK", "Mr", "Mrs", "Ms", "Dr"})

_SURNAMES = (
    "김 이 리 박 최 정 강 조 윤 장 임 림 한 오 서 신 권 황 안 송 류 유 전 홍 고 문 양 손 배 "
    "백 허 남 심 노 로 하 곽 성 차 주 우 구 민 진 나 지 엄 채 원 천 방 공 현 함 변 염 여 "
    "추 도 소 석 선 설 마 길 연 위 표 명 기 반 왕 금 옥 육 인 맹 제 모 탁 국 어 은 편 용")
KOREAN_SURNAMES = frozenset(_SURNAMES.split())
_PARTICLES = ("에서는", "에게서", "으로는", "한테서", "에서", "에게", "한테", "으로", "까지",
              "부터", "와는", "과는", "이는", "이가", "은", "는", "이", "가", "을", "를", "에",
              "의", "와", "과", "도", "로", "만", "씨")
# Common words that end like a place or start like a surname.
_KOREAN_COMMON = frozenset({"우리", "저희", "너희", "여기", "거기", "저기", "자기", "머리",
                            "소리", "다리", "고기", "이것", "그것", "이제", "이번", "정말",
                            "조금", "지금", "오늘", "내일", "모두", "모든", "하루", "장소"})
_PLACE_SUFFIXES = ("시", "군", "도", "리", "동", "구역", "구", "역", "항", "강", "산", "읍", "면",
                   "주", "크")


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    kind: str


def _sentence_start(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\"'“‘«(-—–":
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END


def _cased_word(text: str, start: int, word: str) -> str | None:
    first = word[0]
    if word.casefold() in RUSSIAN_MONTHS or (word.casefold() in ENGLISH_MONTHS
                                            and first.isupper()):
        return DATE
    if not (_LATIN_UPPER.match(first) or _CYRILLIC_UPPER.match(first)):
        return None
    if word in _NOT_NAMES:
        return None
    all_caps = len(word) >= 2 and word.isupper()
    if all_caps or not _sentence_start(text, start):
        return NAME
    return None


def _hangul_word(word: str) -> str | None:
    stem = word
    for particle in _PARTICLES:
        if stem.endswith(particle) and len(stem) - len(particle) >= 2:
            stem = stem[: -len(particle)]
            break
    if stem in _KOREAN_COMMON:
        return None
    if len(stem) >= 2 and stem.endswith(_PLACE_SUFFIXES):
        return PLACE
    if 2 <= len(stem) <= 4 and stem[0] in KOREAN_SURNAMES:
        return NAME
    return None


def candidates(text: str) -> list[Candidate]:
    """Every token of ``text`` that looks like a name, place, number or date."""
    found: list[Candidate] = []
    for match in _KOREAN_DATE.finditer(text):
        found.append(Candidate(match.start(), match.end(), DATE))
    for match in _NUMBERISH.finditer(text):
        kind = DATE if _DATE_SHAPE.match(match.group()) else NUMBER
        found.append(Candidate(match.start(), match.end(), kind))
    for match in _WORD.finditer(text):
        word = match.group()
        shape = (_hangul_word(word) if _HANGUL.fullmatch(word)
                 else _cased_word(text, match.start(), word))
        if shape is not None:
            found.append(Candidate(match.start(), match.end(), shape))
    # One candidate per stretch of text: a Korean date swallows its digits.
    found.sort(key=lambda c: (c.start, -c.end))
    out: list[Candidate] = []
    for cand in found:
        if out and cand.start < out[-1].end:
            continue
        out.append(cand)
    return out
