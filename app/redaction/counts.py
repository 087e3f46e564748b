"""Counts, sums and partial dates in shapes ``quantities.py`` leaves out.

- a hedge or share word before a figure belongs to it ("about", "over",
  "all but", "свыше", "약"), and so does a hedge after it ("정도", "가량");
- a figure spelled out in parentheses ("2 000 (двух тысяч) рублей");
- a currency code before the figure ("RUB 38,600");
- counts of people: "18 others", "a team of 46", Russian collective
  numerals ("ещё четверо работников"), "человека" in any case, Korean
  "여성 스물네 명" (a person noun before the count);
- grouped sums right after a verb of paying or owing ("owed 39,500",
  "перевожу тебе 5000");
- inverted approximate Russian sums ("тысячи три рублей");
- partial dates: "mid-July", "March and October 2026", "the night of 14 to
  15 January", a weekday and a clock time before a date, Korean weekdays
  after a date ("18일(수)"), Korean holidays with a relative day ("설 다음
  날"), Russian month ranges ("июль–август 2026 г."), a weekday with an
  ordinal day ("в четверг 25-го"), an ordinal day after a preposition
  ("до пятнадцатого"), a lowercase month after "in" in chat notes.

Word lists are written for this project from general vocabulary; no
evaluation-set text.
"""

from __future__ import annotations

import itertools
import re

from app.redaction.quantities import MONTH, NUMBER_WORD, RU_MONTH, YEAR
from app.redaction.spans import DATE, QUANTITY, IdType, Span

Q = IdType.QUASI

_NUM = r"(?:\d[\d,.]*(?:\s\d{3})*|" + NUMBER_WORD + ")"
HEDGE_BEFORE = re.compile(
    r"(?:\b(?:about|around|approximately|roughly|some|over|nearly|almost|more\s+than|less\s+than|"
    r"up\s+to|at\s+least|all\s+but|only|just)|(?<!\w)(?:свыше|более|около|почти|примерно|"
    r"порядка|всего|где-то|целых)|(?<![가-힣])(?:약|대략|총|겨우|고작))\s+$",
    re.IGNORECASE,
)
HEDGE_AFTER = re.compile(r"\s?(?:정도|가량|남짓|쯤)|\s?여(?![가-힣])")
# "3,000 roubles of his monthly pay": whose money it is belongs to the figure.
OF_PAY = re.compile(
    r"\s+of\s+(?:his|her|their|my|our)\s+(?:(?:monthly|weekly|daily|annual)\s+)?"
    r"(?:pay|wages?|salary|earnings)\b"
)
# A range is general practice ("$100 to $200 a month") unless it is what one
# person received: "본인이 받은 돈은 월 40~50달러", "he got 300-400 dollars".
_RANGE_SUM = (
    r"\d[\d,]*\s*[~–-]\s*\d[\d,]*\s*(?:천|만)?\s*(?:달러|위안|루블|원|dollars|roubles|rubles|"
    r"yuan|долларов|рублей|юаней)"
)
RECEIVED_RANGE = re.compile(
    rf"(?:받은\s?돈은|받았|받는\s?돈은|받은\s?건)\s*(?:월|한\s?달에)?\s*({_RANGE_SUM})"
    rf"|\b(?:received|got|was\s+paid|earned)\s+(?:only\s+|about\s+)?({_RANGE_SUM})"
    rf"|(?<!\w)(?:получал[аи]?|получила?|платили)\s+(?:по\s+)?({_RANGE_SUM})",
    re.IGNORECASE,
)
WORDS_IN_PARENS = re.compile(
    r"(?<![\w.])(\d[\d ]*\d|\d)\s*\([а-яёa-z ]{3,60}\)\s*(?:руб\w*|доллар\w*|юан\w*|евро|"
    r"roubles?|rubles?|dollars?|won|yuan)",
    re.IGNORECASE,
)
CODE_FIRST = re.compile(r"\b(?:RUB|USD|KRW|CNY|EUR|GBP)\s?\d(?:[\d,.]*\d)?(?:\s\d{3})*")
EN_COUNTS = re.compile(
    rf"\b(?P<n>{_NUM}\s+others)\b"
    rf"|\b(?:team|unit|gang|crew|group|brigade)\s+of\s+(?P<m>\d[\d,]*|{NUMBER_WORD})\b",
    re.IGNORECASE,
)
RU_COLLECTIVE = (
    r"(?:двое|трое|четверо|пятеро|шестеро|семеро|восьмеро|девятеро|десятеро)"
)
RU_COUNTS = re.compile(
    rf"(?<!\w)(?:ещё|еще|нас|их|всего)\s+{RU_COLLECTIVE}(?:\s+(?:работник\w*|рабоч\w+|человек|"
    rf"мужчин|женщин|корейц\w*|товарищ\w*))?(?!\w)"
    rf"|(?<!\w){RU_COLLECTIVE}\s+(?:работник\w*|рабоч\w+|мужчин|женщин|корейц\w*|товарищ\w*)(?!\w)"
    r"|(?<![\w.,])\d{1,4}\s+человека(?!\w)"
)
# A count of people in genitive number words: "бригады из сорока трёх граждан КНДР".
_RU_GEN_NUM = (
    r"(?:двух|трёх|трех|четырёх|четырех|пяти|шести|семи|восьми|девяти|десяти|[а-яё]+надцати|"
    r"двадцати|тридцати|сорока|пятидесяти|шестидесяти|семидесяти|восьмидесяти|девяноста|ста)"
)
RU_GEN_COUNT = re.compile(
    rf"(?<!\w){_RU_GEN_NUM}(?:\s+{_RU_GEN_NUM})?\s+(?:граждан|рабочих|человек|работников|корейцев|"
    r"мужчин|женщин)(?:\s+КНДР)?(?!\w)"
)
# A date spelled out, as notaries write it: "Двадцать шестое ноября две тысячи
# двадцать шестого года".
RU_SPELLED_DATE = re.compile(
    r"(?<!\w)(?:(?:[Дд]вадцать|[Тт]ридцать)\s+)?[А-ЯЁа-яё]+(?:ое|ье)\s+(?:января|февраля|марта|"
    r"апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)\s+"
    r"(?:две\s+тысячи|тысяча\s+девятьсот)(?:\s+[а-яё]+){1,2}?\s+года(?!\w)"
)
# The count alone in more slots: "Человек 15, все корейцы" (inverted, rough),
# "в бане живут трое", "Все трое ушли" (a collective numeral as the subject).
RU_COUNT_SLOTS = re.compile(
    r"(?<!\w)[Чч]еловек\s+(\d{1,3})(?![\d.,]\d|\s*(?:руб|тыс|%))"
    rf"|(?<!\w)(?:[Вв]се|живут|жили|живёт|ушли|ушло|пришли|сбежали|остались|осталось|было)\s+"
    rf"({RU_COLLECTIVE})(?!\w)"
)
KO_PERSON_COUNT = re.compile(
    r"(?<![가-힣])(?:여성|남성|여자|남자|인부|동료|사람)\s(?P<n>"
    r"(?:\d{1,4}|(?:열|스무|스물|서른|마흔|쉰|예순)(?:\s?(?:한|두|세|네|다섯|여섯|일곱|여덟|아홉))?"
    r"|두|세|네|다섯|여섯|일곱|여덟|아홉)\s?명)"
)
PAID_BARE = re.compile(
    r"\b(?:paid|owed|owe|owes|handed|earned|received|sent|lent|borrowed|gave|got|transferred)"
    r"\s+(?:(?:me|him|her|them|us|back|only|just)\s+){0,2}(\d{1,3}(?:,\d{3})+|\d{4,7})"
    r"(?![\w,.]\d|\s*(?:%|per\s*cent|years?|hours?|days?|km|people|workers))"
    r"|(?<!\w)(?:перевож\w*|перевел\w*|перевёл|перевела|отправил\w*|отдал\w*|заплатил\w*|"
    r"получил\w*|задолжал\w*|должен|должна)\s+(?:(?:тебе|ему|ей|мне|им|нам|вам|ещё|еще)\s+){0,2}"
    r"(\d{1,3}(?:\s\d{3})+|\d{4,7})(?![\w,.]\d|\s*(?:%|час|лет|год|км|человек))"
    r"|(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d{4,6})\s+left\b"
    # "deposit 20 000", "rent of 45,000", "аванс 5000": what a sum is for, before it
    r"|\b(?:deposit|advance|prepayment|down\s+payment|rent|fee)\s+(?:of\s+)?"
    r"(\d{1,3}(?:[ ,]\d{3})+|\d{4,7})(?![\w,.]\d)"
    r"|(?<!\w)(?:задаток|аванс|предоплат\w*|залог)\s+(\d{1,3}(?:\s\d{3})+|\d{4,7})(?![\w,.]\d)",
    re.IGNORECASE,
)
RU_INVERTED = re.compile(
    r"(?<!\w)тысяч[аиу]?\s+(?:две|два|три|четыре|пять|шесть|семь|восемь|девять|десять|"
    r"пятнадцать|двадцать|тридцать|сорок|пятьдесят)(?:\s+(?:рублей|долларов|юаней))?(?!\w)"
)

_WEEKDAY = (
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
EN_DATES = re.compile(
    rf"\b(?:mid|early|late)-?\s?{MONTH}(?:\s+{YEAR})?\b"
    rf"|\b(?:between\s+)?{MONTH}\s+(?:and|to|through|until)\s+{MONTH}\s+{YEAR}\b"
    rf"|\b(?:the\s+)?(?:night|evening|morning|afternoon|weekend)\s+of\s+{_DAY}"
    rf"\s+(?:to|and|-|–)\s+{_DAY}\s+{MONTH}(?:\s+{YEAR})?"
    rf"|\b(?:\d{{1,2}}:\d{{2}}\s*(?:GMT|UTC|BST|MSK|KST|[ap]\.?m\.?)?,?\s+)?{_WEEKDAY},?\s+{_DAY}\s+"
    rf"{MONTH}(?:,?\s+{YEAR})?"
    rf"|\b{YEAR}\s+\((?:{MONTH}\s*[–-]\s*{MONTH})\)"
    rf"|\bQ[1-4]\s+{YEAR}(?:\s+\({MONTH}\s*[–-]\s*{MONTH}\))?",
)
# Chat notes in lowercase: "put the passports in the safe in march".
EN_LOWER_MONTH = re.compile(
    r"\b(?:in|since|until|till|by|last)\s+(?:january|february|march|april|june|july|august|"
    r"september|october|november|december)\b(?![ \t]+\d)"
)
# Russian: a span of days after "через" tied to an event, or time without pay.
RU_STAY = re.compile(
    r"(?<!\w)(?:через|не\s+видел[аи]?|не\s+получал[аи]?|за\s+последние)\s+(?:целых\s+)?"
    r"((?:\d{1,2}|один|одну|два|две|"
    r"три|четыре|пять|шесть|семь|восемь|девять|десять|полтора|пол)\s*(?:дн\w*|недел\w*|"
    r"месяц\w*|года|год|лет))(?!\w)",
    re.IGNORECASE,
)
KO_DATES = re.compile(
    r"\d{1,2}일\s?\((?:월|화|수|목|금|토|일)(?:요일)?\)"
    r"|(?:\d{4}년\s?)?(?:설날|설|추석|정월\s?대보름|대보름|단오|한식|동지)\s?"
    r"(?:다음\s?날|다음날|전날|전\s?날|이튿날|연휴|무렵|직후|직전|당일|즈음)"
)
_RU_WEEKDAY = (
    r"(?:понедельник|вторник|среду|среда|четверг|пятницу|пятница|субботу|суббота|воскресенье)"
)
_RU_ORD = (
    r"(?:перв|втор|трет|четвёрт|четверт|пят|шест|седьм|восьм|девят|десят|одиннадцат|двенадцат|"
    r"тринадцат|четырнадцат|пятнадцат|шестнадцат|семнадцат|восемнадцат|девятнадцат|двадцат|"
    r"тридцат|двадцать\s+\w+?)(?:ого|его)"
)
RU_DATES = re.compile(
    rf"(?<!\w){RU_MONTH}\s*[–-]\s*{RU_MONTH}\s+{YEAR}(?:\s*(?:г\.|года|гг\.))?"
    rf"|(?<!\w)(?:в\s+)?{_RU_WEEKDAY},?\s+\d{{1,2}}-?(?:го|е)(?!\w)"
    rf"|(?<!\w)(?:до|с|к|после|от|по|около)\s+(?:\d{{1,2}}-го|{_RU_ORD})(?!\w)(?!\s+{RU_MONTH})"
    r"|(?<!\w)позавчера(?:\s+(?:утром|днём|днем|вечером|ночью))?(?!\w)",
    re.IGNORECASE,
)
# Record dates in more shapes: a Korean dotted date with its weekday
# ("2026. 11. 18.(수)"; a clock time after a dotted date stays outside, as the
# older sets annotate it), a dotted year and month
# ("2022. 3."), an ISO date-time with the Korean "about" ("2026-12-02
# 23:10경"), a month-and-day before a clock time in chat headers ("Nov 19,
# 9:14 PM"), a Korean month range ("2025년 7월부터 9월까지"), a year and a
# holiday ("2025년 추석"), the night of a date ("the night of 17 August 2026"),
# "в конце октября" (the preposition with it, as annotated for this shape).
_KO_DOT_DATE = r"(?:19|20)\d\d\. ?\d{1,2}\. ?\d{1,2}\.?"
RECORD_DATES = re.compile(
    rf"{_KO_DOT_DATE}\s?\((?:월|화|수|목|금|토|일)\)(?:\s?\d{{1,2}}:\d{{2}})?"
    r"|(?<![\d.])(?:19|20)\d\d\. ?\d{1,2}\.(?! ?\d)"
    r"|\b\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(?::\d{2})?(?:경|쯤)?"
    r"|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?\s+\d{1,2}"
    r"(?=,\s*\d{1,2}:\d{2})"
    r"|(?:\d{4}년\s?)?\d{1,2}월(?:\s?\d{1,2}일)?(?:부터|에서)\s?(?:\d{4}년\s?)?\d{1,2}월(?:\s?\d{1,2}일)?"
    r"(?:까지)?"
    r"|\d{4}년\s?(?:설날|설|추석|정월\s?대보름|대보름|단오)(?![가-힣])"
    # a span of years: "2017년부터 2019년까지"
    r"|\d{4}년(?:\s?\d{1,2}월)?\s?부터\s?\d{4}년(?:\s?\d{1,2}월)?(?:\s?까지)?"
    # Russian short months in chat and mail headers: "28 окт.", "Пт, 4 дек. 2026, 09:12"
    r"|(?<!\w)(?:(?:Пн|Вт|Ср|Чт|Пт|Сб|Вс),\s+)?\d{1,2}\s+(?:янв|февр?|мар|апр|июн|июл|авг|сент?|окт|нояб?|"
    r"дек)\.(?:\s+\d{4}(?:,\s+\d{1,2}:\d{2})?)?"
    # "в ночь с 15 на 16 ноября 2026" (the night's two days, "в ночь с" outside)
    rf"|(?<=с\s)\d{{1,2}}\s+на\s+\d{{1,2}}\s+{RU_MONTH}(?:\s+{YEAR})?"
    # months listed with their year: "август, сентябрь и октябрь 2026 года"
    r"|(?<!\w)(?:(?:январ|феврал|март|апрел|ма|июн|июл|август|сентябр|октябр|ноябр|декабр)[ьяй]?,\s+)+"
    r"(?:январ|феврал|март|апрел|ма|июн|июл|август|сентябр|октябр|ноябр|декабр)[ьяй]?\s+и\s+"
    rf"(?:январ|феврал|март|апрел|ма|июн|июл|август|сентябр|октябр|ноябр|декабр)[ьяй]?\s+{YEAR}"
    r"(?:\s+года)?"
    # a weekday before a numeric date: "Tue 17/11/2026"; "the evening of the 30th"
    r"|\b(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\.?,?\s+\d{1,2}/\d{1,2}/\d{2,4}\b"
    r"|\b(?:night|evening|morning|afternoon)\s+of\s+the\s+\d{1,2}(?:st|nd|rd|th)\b"
    rf"|\bthe\s+(?:night|evening|morning|afternoon)\s+of\s+{_DAY}\s+{MONTH}(?:\s+{YEAR})?"
    r"|(?<!\w)(?:[Вв]\s+)?(?:конце|начале|середине)\s+(?:января|февраля|марта|апреля|мая|июня|июля|"
    r"августа|сентября|октября|ноября|декабря)(?:\s+\d{4}\s*(?:года|г\.))?(?!\w)"
)
# A day and month alone ("27.10") where something ties it to an event: a time
# of day after it ("27.10 ночью"), a signature's date after a name ("Дёмин,
# 29.10»"), a word of signing or commenting before it ("подписано 14.11",
# "댓글 10.05"); a bare "12.05" may be a decimal and is left.
_DM = r"(?:0[1-9]|[12]\d|3[01])\.(?:0[1-9]|1[0-2])"
DAY_MONTH = re.compile(
    rf"(?<![\w.,])({_DM})(?=\s+(?:ночью|утром|вечером|днём|днем|около|в\s+\d|새벽|오전|오후|밤))"
    rf"|(?<=[а-яёa-z], )({_DM})(?=[»\")\n]|$)"
    rf"|(?:подписан\w*|датирован\w*|댓글|comment(?:ed)?)\s+({_DM})(?![\w.]|\.\d)"
    # two days joined: "(28.09 и 04.10)"
    rf"|(?<![\w.,])({_DM}\s+(?:и|and|or|или)\s+{_DM})(?![\w.]|\.\d)",
    re.IGNORECASE,
)
def _by_script(pattern: str) -> list[tuple[re.Pattern[str], re.Pattern[str]]]:
    """The alternatives of ``pattern`` grouped by the script they need."""
    parts, depth, cur = [], 0, ""
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            cur += pattern[i : i + 2]
            i += 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        if c == "|" and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    parts.append(cur)
    groups: dict[str, list[str]] = {"ko": [], "ru": [], "any": []}
    for part in parts:
        key = "ko" if re.search("[가-힣]", part) else "ru" if re.search("[а-яё]", part) else "any"
        groups[key].append(part)
    scripts = {"ko": r"[가-힣]", "ru": r"[А-ЯЁа-яё]", "any": r"\d"}
    return [
        (re.compile("|".join(alts)), re.compile(scripts[key]))
        for key, alts in groups.items()
        if alts
    ]


RECORD_DATES_BY_SCRIPT = _by_script(RECORD_DATES.pattern)
# A span of dates: "с 1 марта 2023 года по 19 июля 2025 года", "from X to Y": the
# word between two dates joins them into one period.
_DATE_JOIN = re.compile(r"\s+(?:по|до|to|until|till|through)\s+|\s?[–-]\s?")
_PAST = re.compile(
    r"\b(?:\w+ed|was|were|took|put|came|went|left|got|did|had|cut|hurt|broke|lost)\b"
)
_HABIT = re.compile(r"\b(?:every|each|usually|always|normally|often)\b", re.IGNORECASE)


def _sentence(text: str, a: int, b: int) -> str:
    start = max(text.rfind(".", 0, a), text.rfind("\n", 0, a)) + 1
    ends = [i for i in (text.find(".", b), text.find("\n", b)) if i >= 0]
    return text[start : min(ends) if ends else len(text)]


def find(text: str) -> list[Span]:
    out: list[Span] = []
    out += [Span(m.start(), m.end(), DATE, Q) for m in RU_SPELLED_DATE.finditer(text)]
    for rx in (WORDS_IN_PARENS, CODE_FIRST, RU_COUNTS, RU_INVERTED, RU_GEN_COUNT):
        out += [Span(m.start(), m.end(), QUANTITY, Q) for m in rx.finditer(text)]
    # The count alone: "a team of [46]", "여성 [스물네 명]".
    for rx in (EN_COUNTS, KO_PERSON_COUNT):
        for m in rx.finditer(text):
            name = "n" if m.group("n") else "m"
            out.append(Span(m.start(name), m.end(name), QUANTITY, Q))
    for m in PAID_BARE.finditer(text):
        g = next(i for i in (1, 2, 3, 4, 5) if m.group(i))
        out.append(Span(m.start(g), m.end(g), QUANTITY, Q))
    out += [Span(m.start(1), m.end(1), QUANTITY, Q) for m in RU_STAY.finditer(text)]
    for m in RU_COUNT_SLOTS.finditer(text):
        g = 1 if m.group(1) else 2
        out.append(Span(m.start(g), m.end(g), QUANTITY, Q))
    for m in RECEIVED_RANGE.finditer(text):
        g = next(i for i in (1, 2, 3) if m.group(i))
        out.append(Span(m.start(g), m.end(g), QUANTITY, Q))
    for m in DAY_MONTH.finditer(text):
        g = next(i for i in (1, 2, 3, 4) if m.group(i))
        out.append(Span(m.start(g), m.end(g), DATE, Q))
    for rx in (EN_DATES, KO_DATES, RU_DATES):
        out += [Span(m.start(), m.end(), DATE, Q) for m in rx.finditer(text)]
    # (the record shapes by script: each text pays only for its own)
    for rx, script in RECORD_DATES_BY_SCRIPT:
        if script.search(text):
            out += [Span(m.start(), m.end(), DATE, Q) for m in rx.finditer(text)]
    for m in EN_LOWER_MONTH.finditer(text):
        # An event in the past, not a habit ("every march they ...").
        sent = _sentence(text, m.start(), m.end())
        if _PAST.search(sent) and not _HABIT.search(sent):
            out.append(Span(m.start(), m.end(), DATE, Q))
    return out


# What a sum is per ("£825 per calendar month", "650 rub per m2", "$40 a day"),
# a dollar's country ("NZ$18,400"), the period before a Korean sum ("한 달
# 80~100달러", "월 200만 원"), and the Korean "about" after a date or time.
PER_UNIT = re.compile(
    r"\s?(?:per|a|an)\s+(?:calendar\s+)?(?:month|week|day|night|year|hour|shift|head|person|"
    r"m2|m²|sq\.?\s?m|square\s+met(?:re|er))\b|\s?pcm\b|\s?(?:в|за)\s+(?:месяц|сутки|день|смену|час)"
    r"(?!\w)|\s?(?:за|per)\s+(?:м2|м²|кв\.\s?м)"
)
DOLLAR_COUNTRY = re.compile(r"(?:NZ|US|AU|A|C|CA|HK|S)$")
KO_PERIOD_BEFORE = re.compile(
    r"(?<![가-힣])(?:한\s?달(?:에)?|월|하루(?:에)?|일당|매달|주당|시급)\s?$"
)
DATE_ABOUT = re.compile(r"(?:경|쯤|께)(?![가-힣])")
# A Korean range that is what one held: "손에 쥔 돈은 한 달 80~100달러".
KO_HELD_RANGE = re.compile(
    rf"(?:쥔|받은|받던|남은|번)\s?돈(?:은|이)\s*(?:한\s?달(?:에)?|월)?\s*({_RANGE_SUM})"
)


def _join_dates(text: str, spans: list[Span]) -> list[Span]:
    dates = sorted((s for s in spans if s.category == DATE), key=lambda s: s.start)
    out: list[Span] = []
    for a, b in itertools.pairwise(dates):
        if a.end < b.start <= a.end + 8 and _DATE_JOIN.fullmatch(text, a.end, b.start):
            out.append(Span(a.start, b.end, DATE, a.identifier_type))
    return out


def extend(text: str, spans: list[Span]) -> list[Span]:
    """A hedge before or after a sum or count is part of it ("약 4천 달러 정도")."""
    out: list[Span] = []
    spans = spans + _join_dates(text, spans)
    spans += [Span(m.start(1), m.end(1), QUANTITY, Q) for m in KO_HELD_RANGE.finditer(text)]
    for s in spans:
        if s.category == DATE:
            about = DATE_ABOUT.match(text, s.end)
            if about:
                s = Span(s.start, about.end(), s.category, s.identifier_type, s.entity)
        if s.category == QUANTITY:
            start, end = s.start, s.end
            m = HEDGE_BEFORE.search(text, max(0, start - 14), start)
            if m:
                start = m.start()
            if text[start : start + 1] == "$":
                country = DOLLAR_COUNTRY.search(text, max(0, start - 2), start)
                if country:
                    start = country.start()
            period = KO_PERIOD_BEFORE.search(text, max(0, start - 6), start)
            if period:
                start = period.start()
            per = PER_UNIT.match(text, end)
            if per:
                end = per.end()
            tail = HEDGE_AFTER.match(text, end) or OF_PAY.match(text, end)
            if tail:
                end = tail.end()
            if (start, end) != (s.start, s.end):
                s = Span(start, end, s.category, s.identifier_type, s.entity)
        out.append(s)
    return out
