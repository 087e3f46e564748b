"""Marks, superlatives and ages in shapes the other describing layers miss (DEM).

- An English mark as a whole noun phrase: the article and the modifiers
  before its head and what follows it to the clause end ("a faint burn scar
  across the neck", "Tattoo of a rose and the letter K on the left wrist",
  "a plaster cast on her right arm"); the other layers find the head with a
  body part only and stop at it.
- An English superlative of age in a group ("the eldest of the kitchen
  crew", "the boat's youngest, 17"): the group is what makes it unique.
- Ages in a field or a report: "gives age 31", "she's 27, from ...",
  "Возраст: 38 лет" (the unit with the number), "올해 예순셋이고" (a native
  number after a time word, the time word with it).
- A month, season or weekday said alone as the time of an event ("in
  September", "since last spring", "on Monday", "в октябре", "с весны",
  "재작년 봄", "월요일에"): a date without a day still places the witness;
  the preposition stays outside, a deictic word ("last", "재작년") inside.
- A sum in English number words with "thousand/hundred/million" ("thirty-five
  thousand roubles", "of his sixty thousand"): figures this large spelled
  out in testimony are pay, debts and fees.

Written for this project from general grammar of the three languages; no
evaluation-set text was used.
"""

from __future__ import annotations

import re

from app.redaction import extents, roles
from app.redaction.quantities import NUMBER_WORD
from app.redaction.spans import DATE, DEM, QUANTITY, IdType, Span

Q = IdType.QUASI

# Modifiers a mark takes before its head (general vocabulary).
_MOD = (
    r"(?:small|tiny|large|big|long|short|old|new|fresh|deep|faint|thin|thick|wide|visible|"
    r"noticeable|dark|pale|red|blue|black|white|jagged|crooked|round|curved|raised|healed|"
    r"burn|knife|surgical|shrapnel|prison|army|homemade|home-made|plaster|"
    r"\d+(?:[.,]\d+)?\s?(?:cm|mm|inch(?:es)?)|\d+-(?:cm|mm|inch))"
)
_MARK_EN = re.compile(
    rf"(?<![\w-])(?:(?:[Aa]n?)\s+)?(?:(?i:{_MOD})\s+){{0,3}}"
    r"(?:[Ss]cars?|[Tt]attoos?|[Bb]irthmarks?|[Bb]urn\s+marks?|[Pp]laster\s+cast|"
    r"cast(?=\s+on\s+(?:his|her|the|a|one)\s))(?![\w-])"
)
# Without a modifier a bare head needs a complement: "scar" alone says little.
_BARE = re.compile(r"(?:[Aa]n?\s+)?(?:[Ss]cars?|[Tt]attoos?|[Bb]irthmarks?|cast)$")
_COMPLEMENT = re.compile(r"\s+(?:of|on|across|through|over|above|below|under|down|near|behind|"
                         r"along|running|from|shaped|in\s+the\s+shape)\b")

_GROUP_EN = re.compile(
    r"(?<![\w-])(?:the\s+)?(?:youngest|oldest|eldest)\s+(?:of|in|on|among)\s+"
    r"(?:the|our|their|his|her|that|this)\s+(?:[a-z-]+\s+){0,2}[a-z-]+(?=\s+and\b|\s*[.,;()\n]|$)"
    r"|(?<![\w-])the\s+[a-z-]+'s\s+(?:youngest|oldest|eldest)(?:,\s*\d{1,2}(?!\d))?"
)
_AGE_EN = re.compile(
    r"\bgives\s+(?:(?:his|her|their)\s+)?age\s+(?:as\s+)?(\d{1,2})(?!\d)"
    r"|\b(?:[Ss]he|[Hh]e)(?:'s|\s+is|\s+was)\s+(\d{1,2})(?=\s*,\s*(?:from|and|with|a|an|the|now)\b)"
)
_AGE_RU = re.compile(
    r"(?<!\w)[Вв]озраст\s*(?:\(?(?:со\s+слов|примерно|около|на\s+вид)\)?\s*)?[:：]?\s*"
    r"(\d{1,3}\s+(?:год|года|лет))(?!\w)"
)
# More ages by their slot (general grammar):
# - "(35)" after a date of birth, "(만 44세)" in a Korean record: the bracket
#   after a birth date is the age it comes to;
# - "Jae is thirty-eight.", "She was forty-one, and": a number word alone
#   after a subject and the copula, ending the clause;
# - "a quiet, careful man of 32": a person noun "of" a number;
# - "the youngest, 23": a superlative of age and the age;
# - "Sex/age band: M / 35-39", "Age group: 40-44": an age band field;
# - "30대 중반 추정": the estimate word belongs to the age;
# - "son Min-ho, 9;", "his daughter, now seven": a relative and the age said
#   after them (the relative with it when "now" or "aged" ties them).
_AGE_SLOTS = re.compile(
    r"(?i:birth|DOB|born|생년월일|생년|рожд|г\.\s?р\.)[^\n]{0,40}?\d{4}(?:년)?"
    r"(?:\s?\d{1,2}월\s?\d{1,2}일|\.\s?\d{1,2}\.\s?\d{1,2}\.?)?\s?\((\d{1,2}|만\s?\d{1,3}\s?세)\)"
    rf"|(?:\b[Hh]e|\b[Ss]he|\b(?!It\b|This\b|That\b|There\b|What\b|Which\b)[A-Z][a-z]+"
    rf"(?:-[a-z]+)?)\s+(?:is|was)\s+(?:only\s+|just\s+|now\s+)?({roles._EN_NUMBER})"
    r"(?=\s*[.;!]|,\s+(?:and|but|a|an|the|from|with)\b)"
    rf"|\b(?:man|woman|boy|girl|lad|fellow|person)\s+of\s+(\d{{2}}|{roles._EN_NUMBER})\b"
    r"(?!\s*(?:years?|%|per|people|men|workers|others))"
    r"|(?i:\bage\s*(?:band|group|range|bracket))\s*[:：]\s*(?:[MFmf]\w*\s*/\s*)?"
    r"(\d{2}\s?[-–]\s?\d{2}|\d{2}\+)"
    r"|(?<![\d.])([2-9]0\s?대(?:\s?(?:초반|중반|후반))?\s?(?:추정|으로\s보임|로\s보임|쯤|정도|가량))"
)
_AGE_WHOLE = re.compile(
    r"(?<![\w-])(?i:the)\s+(?:youngest|oldest|eldest),\s*\d{1,2}(?!\d)"
    r"|\b(?:(?:his|her|my|their|our)\s+)?(?:son|daughter|brother|sister|boy|girl|child|grandson|"
    rf"granddaughter|nephew|niece),\s+(?:now|aged)\s+(?:\d{{1,2}}|{roles._EN_NUMBER})\b"
)
_AGE_AFTER_KIN = re.compile(
    r"\b(?:son|daughter|brother|sister|wife|husband|child|grandson|granddaughter)\s+"
    r"[A-Z][\w-]+,\s*(\d{1,2})(?=\s*[;,.)\n])"
)
_AGE_KO = re.compile(
    rf"(?<![가-힣])((?:올해|지금|현재|당시)\s{roles._KO_NATIVE})(?=이|살|세|[,.\s]|$)"
)

_EN_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
)
_EN_DAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_SEASON_EN = r"(?:spring|summer|autumn|fall|winter)"
_TIME_EN = re.compile(
    rf"\b((?i:last|this|next|early|late)\s+(?:{_EN_MONTH}|{_SEASON_EN}))\b(?!\s*\d)"
    rf"|\b(?i:in|since|by|until|till|from|on|every)\s+((?:early\s+|late\s+)?{_EN_MONTH}|{_EN_DAY})"
    r"\b(?![\s,]*\d)"
)
_RU_MONTH_STEM = r"(?:январ|феврал|март|апрел|ма|июн|июл|август|сентябр|октябр|ноябр|декабр)"
_TIME_RU = re.compile(
    rf"(?<!\w)(?:[Вв]|[Сс]|[Дд]о|[Кк]|[Нн]а|[Пп]о)\s+({_RU_MONTH_STEM}(?:е|я|ю|ь|а|ом|и))"
    r"(?!\w)(?!\s*\d)"
    r"|(?<!\w)(?:[Сс]|[Дд]о|[Кк])\s+(весны|лета|осени|зимы)(?!\w)"
    r"|(?<!\w)((?:прошл|эт|следующ)\w+\s+(?:весной|летом|осенью|зимой))(?!\w)"
)
_TIME_KO = re.compile(
    r"(?<![가-힣])((?:재작년|작년|올해|지난해|내년|올)\s?(?:봄|여름|가을|겨울))(?![가-힣]{2})"
    r"|(?<![가-힣])(?<!매주\s)([월화수목금토일]요일)(?=에|[,.\s]|$)"
)

_SUM_EN = re.compile(
    rf"(?<![\w-])(?i:{NUMBER_WORD}|a)\s+(?:hundred|thousand|million)(?:\s+and\s+{NUMBER_WORD})?"
    r"(?:\s+(?:roubles?|rubles?|dollars?|won|yuan|euros?|pounds?|tenge|USD|RUB))?(?![\w-])"
    r"(?!\s*(?:percent|per\s+cent|%|years|times|metres|meters|km|kilometres|miles))"
)


def find(text: str) -> list[Span]:
    out: list[Span] = []
    for m in _MARK_EN.finditer(text):
        end = extents._right(text, m.end())
        if _BARE.search(m.group(0)) and not _COMPLEMENT.match(text, m.end()):
            continue
        out.append(Span(m.start(), max(end, m.end()), DEM, Q))
    for m in _GROUP_EN.finditer(text):
        out.append(Span(m.start(), m.end(), DEM, Q))
    out += [Span(m.start(), m.end(), DEM, Q) for m in _AGE_WHOLE.finditer(text)]
    for rx in (_AGE_EN, _AGE_RU, _AGE_KO, _AGE_SLOTS, _AGE_AFTER_KIN):
        for m in rx.finditer(text):
            g = next(i for i in range(1, (rx.groups or 0) + 1) if m.group(i) is not None)
            out.append(Span(m.start(g), m.end(g), DEM, Q))
    for m in _SUM_EN.finditer(text):
        # "a hundred, two hundred dollars": a rough figure of what is usual,
        # no particular person's sum
        before = text[max(0, m.start() - 20) : m.start()]
        rough = re.search(r"(?:hundred|thousand|\d)\s*,\s*$", before)
        if not m.group(0).lower().startswith("a ") and not rough:
            out.append(Span(m.start(), m.end(), QUANTITY, Q))
    for rx in (_TIME_EN, _TIME_RU, _TIME_KO):
        for m in rx.finditer(text):
            g = next(i for i in range(1, (rx.groups or 0) + 1) if m.group(i) is not None)
            out.append(Span(m.start(g), m.end(g), DATE, Q))
    return out
