"""Dates, ages, personal amounts and group sizes in English, Korean and Russian.

Exact dates are QUASI (dispatch, escape, interview) or DIRECT when they are a
birth date. Generic practice stays readable: a bare month ("in January"),
clock times ("6 a.m. until 2 a.m.") and ranges of money ("$100 to $200 a
month", "100–200 долларов") describe the system, not a person.
"""

from __future__ import annotations

import re

from app.redaction.spans import DATE, DEM, QUANTITY, IdType, Span

D = IdType.DIRECT
Q = IdType.QUASI

MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
ORDINAL_WORD = (
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    r"thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|"
    r"twenty[- ](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|thirtieth|"
    r"thirty[- ]first)"
)
DAY = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{ORDINAL_WORD})"
YEAR = r"(?:1[89]\d\d|20\d\d)"
SEASON = r"(?:spring|summer|autumn|fall|winter|beginning|end|middle|start)"

EN_DATES = [
    # "5 and 7 March 2019", "14 November 2023", "3 November", "27 Sept 2022"
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?(?:\s*(?:and|&|-|–)\s*\d{{1,2}}(?:st|nd|rd|th)?)?\s+{MONTH}(?:,?\s+{YEAR})?\b",
    # "the 13th of May 2022", "Fifth of February"
    rf"\b(?:the\s+)?{DAY}\s+of\s+{MONTH}(?:,?\s+{YEAR})?\b",
    # "March 2017", "Dec. 2019", "May 5, 2020"
    rf"\b{MONTH}\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?{YEAR}\b",
    # year first, as people say it: "in 2018, the end of July", "2003, March"
    rf"\b{YEAR},\s*(?:the\s+(?:end|beginning|middle)\s+of\s+)?{MONTH}",
    # "the summer of 2017", "winter 2018", "early 2020"
    rf"\b(?:the\s+)?{SEASON}\s+(?:of\s+)?{YEAR}\b",
    # ISO and numeric dates, also "2019.3.15" and "2019. 3. 15."
    r"\b\d{4}-\d{2}-\d{2}\b",
    r"\b(?:19|20)\d\d\.\s?\d{1,2}\.\s?\d{1,2}\b\.?",
    r"\b\d{1,2}[./]\d{1,2}[./](?:\d{4}|\d{2})\b",
    # "in 2012", "born in 1965", "since 2018": the preposition is part of the mention
    rf"\b(?:in|since|until|till|from|by|around)\s+{YEAR}\b",
    rf"\bborn\s+in\s+{YEAR}\b",
    # A bare year still narrows down who someone is ("in 1956, 1959 and 1965").
    rf"(?<![\w/.-]){YEAR}(?![\w/-]|\.\d)",
]
RU_MONTH = (
    r"(?:январ[ьяе]|феврал[ьяе]|март[ае]?|апрел[ьяе]|ма[йяе]|июн[ьяе]|июл[ьяе]|"
    r"август[ае]?|сентябр[ьяе]|октябр[ьяе]|ноябр[ьяе]|декабр[ьяе])"
)
RU_YEAR_TAIL = r"(?:\s*(?:г\.(?:\s*р\.)?|года|году|год|гг\.)(?!\w))?"
RU_DATES = [
    rf"(?<!\w)\d{{1,2}}\s+{RU_MONTH}\s+{YEAR}{RU_YEAR_TAIL}",
    rf"(?<!\w){RU_MONTH}\s+{YEAR}{RU_YEAR_TAIL}",
    rf"(?<!\w)(?:конц[аеу]|начал[аеу]|середин[аеуы]|осен[иью]|зим[аеуы]|весн[аеуы]|лет[ао])\s+"
    rf"{YEAR}{RU_YEAR_TAIL}",
    rf"(?<![\w.])\d{{1,2}}\.\d{{1,2}}\.\d{{4}}{RU_YEAR_TAIL}",
    rf"(?<![\w.]){YEAR}\s*(?:г\.(?:\s*р\.)?|года|году|год)(?!\w)",
    rf"(?<!\w)\d{{1,2}}\s+{RU_MONTH}(?!\w)",
]
KO_DATES = [
    # two-digit years of birth in messages: "86년 11월 3일생", "86년생"
    r"(?<!\d)\d{2}년\s*(?:\d{1,2}월\s*\d{1,2}일\s*)?생",
    r"\d{4}년(?:\s*\d{1,2}월)?(?:\s*\d{1,2}일)?(?:생|\s*(?:봄|여름|가을|겨울|초|말|경))?",
    r"(?<!\d)\d{1,2}월\s*\d{1,2}일",
]
DATE_RES = [re.compile(p, re.IGNORECASE) for p in EN_DATES] + [
    re.compile(p, re.IGNORECASE) for p in RU_DATES + KO_DATES
]
BIRTH_CONTEXT = re.compile(
    r"(?:born|birth|DOB|d\.o\.b|г\.\s*р\.|рожд|родил|태어|생년월일|출생|일\s*생)", re.IGNORECASE
)

NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
)
AGES = [
    rf"\baged\s+(?:\d{{1,3}}|{NUMBER_WORD})\b",
    rf"\b(?:\d{{1,3}}|{NUMBER_WORD})[- ]years?[- ]old\b",
    rf"(?<=\bwould be\s)(?:\d{{1,3}}|{NUMBER_WORD})\b",
    rf"(?<=\b'd be\s)(?:\d{{1,3}}|{NUMBER_WORD})\b",
    # "in his forties", "in her early 30s", "a man of about fifty", "(34)" after a name
    r"\bin\s+(?:his|her|their)\s+(?:early\s+|mid-?\s*|late\s+)?(?:twenties|thirties|forties|"
    r"fifties|sixties|seventies|eighties|[2-9]0s|[2-9]0's)\b",
    rf"\b(?:a|an)\s+(?:man|woman|boy|girl)\s+of\s+(?:about\s+|around\s+)?(?:\d{{2}}|{NUMBER_WORD})\b",
    r"(?<=[a-z]\s)\((?:aged\s+)?\d{2}\)",
    r"(?<![\w.,])\d{1,2}\s+(?:лет|годов)(?!\w)",
    r"(?<!\w)(?:лет|годам)\s+(?:двадцати|тридцати|сорока|пятидесяти|шестидесяти)(?!\w)",
    r"(?<![\d.])[2-9]0\s*대(?:\s*(?:초반|중반|후반))?",
    r"\bв\s+возрасте\s+\d{1,3}\s+(?:лет|года|год)",
    r"(?<!\d)\d{1,2}\s*(?:살|세)(?![가-힣])",
    r"(?:열|스물|서른|마흔|쉰|예순|일흔)(?:한|두|세|네|다섯|여섯|일곱|여덟|아홉)?\s*살",
]
AGE_RES = [re.compile(p, re.IGNORECASE) for p in AGES]
DURATION_BEFORE = re.compile(r"(?:за|через|на|течение|уже|более|около|почти)\s+$", re.IGNORECASE)

GROUP_NOUN = (
    r"(?:other\s+)?(?:men|women|workers|people|children|sons|daughters|brothers|sisters|"
    r"colleagues|co-workers|labourers|laborers|programmers|loggers|defendants|of us|waitresses|"
    r"waiters|girls|staff|employees|fishermen|sailors|seamen|miners|drivers|builders|welders|"
    r"cooks|crew members|plasterers|carpenters|Koreans|North Koreans|comrades)"
)
GROUPS = [
    rf"\b(?:\d{{1,4}}|{NUMBER_WORD})\s+{GROUP_NOUN}\b",
    r"(?<!\w)\d{1,4}\s+(?:человек|рабочих|мужчин|женщин|детей)(?!\w)",
    r"(?<!\w)(?:двое|трое|четверо|пятеро|шестеро|один|одна|две|два|три)\s+"
    r"(?:сыновей|сына|дочерей|дочери|детей|ребёнка|ребенка)(?!\w)",
    r"(?:두|세|네|다섯)\s*(?:아들|딸|자녀|남매|형제)",
    r"(?<![\d.,])\d{1,4}\s*(?:여|여\s|남짓\s?)?명",
    r"(?<![가-힣])(?:(?:열|스무|스물|서른|마흔|쉰|예순)(?:\s?(?:한|두|세|네|다섯|여섯|일곱|여덟|아홉))?"
    r"|두|세|네|다섯|여섯|일곱|여덟|아홉)\s?(?:여\s?)?명",
]
# Sentences and penalties in court decisions: "20 years’ imprisonment".
SENTENCE = re.compile(
    r"(?:(?<=sentenced to )|(?<=sentences of )|(?<=sentence of )|(?<=term of )|"
    r"(?<=awarded )|(?<=of )|(?<=privileges for ))"
    rf"(?:\d+|{NUMBER_WORD})\s+(?:additional\s+)?(?:years?|months?|weeks?|days?)’?"
    rf"|(?:\d+|{NUMBER_WORD})\s+(?:years?|months?|weeks?|days?)[’']?\s+(?=imprisonment|detention|custody)"
    r"|\blife\s+imprisonment\b",
    re.IGNORECASE,
)
GROUP_RES = [re.compile(p, re.IGNORECASE) for p in GROUPS]

AMOUNT_NUM = r"\d[\d,.]*(?:\s\d{3})*"
CURRENCY = (
    r"(?:dollars?|US dollars|roubles?|rubles?|yuan|won|euros?|Turkish liras?|liras?|USD|RUB|"
    r"KRW|CNY|TRL|руб(?:\.|лей|ля|ль)|доллар(?:ов|а)?|юаней|юаня|евро|달러|위안|루블|원)"
)
# "half of his 40,000 roubles": the share is part of the personal figure.
SHARE = (
    r"(?:\b(?:half|a\s+third|a\s+quarter|two\s+thirds|most|all|part)\s+of\s+"
    r"(?:his|her|my|their|our|the)\s+)?"
)
MONEY = [
    rf"{SHARE}(?:\b(?:about|around|approximately|some|over|nearly)\s+)?(?:\$|US\$|€|£|IR£|USD\s|TRL\s)\s?{AMOUNT_NUM}"
    r"(?:\s*(?:million|thousand))?",
    rf"{SHARE}(?:\b(?:about|around|approximately|some|over|nearly)\s+)?(?<![\w.]){AMOUNT_NUM}"
    rf"(?:\s*(?:million|thousand|тысяч[аи]?|млн|천|만))?\s*{CURRENCY}(?!\w)",
    rf"(?:около\s+|почти\s+|более\s+)?(?<![\w.]){AMOUNT_NUM}\s*(?:тысяч[аи]?\s+)?{CURRENCY}(?!\w)",
    r"(?:한\s*달에\s*)?(?:중국\s*돈\s*)?(?:미화\s*)?\d[\d,]*(?:천|만)?\s*(?:달러|위안|루블|원|불)",
    # Sino-Korean numerals in words: "육백 달러", "오천 루블"
    r"(?<![가-힣])(?:[일이삼사오육칠팔구]?[십백천만])+\s*(?:달러|위안|루블|불)",
    # Russian numerals in words: "сто пятьдесят тысяч", "Тысячу долларов"
    r"(?<!\w)(?:(?:сто|двести|триста|четыреста|пятьсот|пятьдесят|сорок|тридцать|двадцать|"
    r"десять|пять|три|две|два)\s+)*(?:тысяч[уиа]?|миллион\w*)(?:\s+(?:долларов|рублей|юаней))?"
    r"(?=[\s.,;»]|$)",
]
# "160 dollars a month": the period belongs to the figure.
# English numerals in words: "two million won", "five hundred dollars". Spoken
# sums are often general ("they keep a hundred, two hundred dollars"), so a
# spelled sum counts only after a personal transaction word in its sentence.
WORD_MONEY_RES = [
    re.compile(
        rf"(?i:\b(?:{NUMBER_WORD}|a|a\s+few|several)(?:\s+(?:hundred|thousand|million))+"
        rf"(?:\s+(?:and\s+)?{NUMBER_WORD})?\s+{CURRENCY}(?!\w))"
    ),
    re.compile(rf"(?i:\b(?:{NUMBER_WORD})\s+(?:US\s+)?(?:dollars|roubles|rubles|yuan|euros|pounds)\b)"),
]
PERSONAL_SUM_CUE = re.compile(
    r"\b(?:paid|pay|pays|sent|send|gave|give|owed|owes|owe|earned|earn|received|borrowed|lent|"
    r"charged|fined|bribed?|cost|my|his|her|their|family|wife|husband|mother|father|broker|"
    r"smuggler)\b",
    re.IGNORECASE,
)
MONEY_TAIL = re.compile(
    r"(?:\s+(?:a|per|each|every)\s+(?:month|year|week|day|shift)|/(?:mo|month|yr|year|wk|day)\b)?"
    r"(?:\s+(?:в|за)\s+(?:месяц|год|неделю|день|смену))?"
    r"(?:\s*\([A-Z]{3}\))?",
    re.IGNORECASE,
)
MONEY_RES = [re.compile(p, re.IGNORECASE) for p in MONEY]
# "$100 to $200", "100–200 долларов", "100~200달러": general practice, not a person.
RANGE = re.compile(
    r"(?:\$|US\$)?\d[\d,]*\s*(?:to|-|–|—|~|до)\s*(?:\$|US\$)?\d[\d,]*", re.IGNORECASE
)


def dates(text: str) -> list[Span]:
    out: list[Span] = []
    for rx in DATE_RES:
        for m in rx.finditer(text):
            # Birth dates are DIRECT; a date is a birth date when the clause
            # that introduces it says so (look back a short window only).
            before = re.split(r"[.;!?\n]\s", text[max(0, m.start() - 40) : m.start()])[-1]
            window = before + text[m.start() : m.end() + 12]
            id_type = D if BIRTH_CONTEXT.search(window) and _has_day(m.group(0)) else Q
            out.append(Span(m.start(), m.end(), DATE, id_type))
    return out


def _has_day(s: str) -> bool:
    return bool(re.search(r"\d{1,2}\D+\d|\d{6}|" + ORDINAL_WORD + r"|\d{1,2}\s|일", s, re.I))


def ages(text: str) -> list[Span]:
    out: list[Span] = []
    for rx in AGE_RES:
        for m in rx.finditer(text):
            if DURATION_BEFORE.search(text[max(0, m.start() - 12) : m.start()]):
                continue
            out.append(Span(m.start(), m.end(), DEM, Q))
    return out


def amounts(text: str) -> list[Span]:
    ranges = [(m.start(), m.end()) for m in RANGE.finditer(text)]
    out: list[Span] = []
    for rx in MONEY_RES:
        for m in rx.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in ranges):
                continue
            tail = MONEY_TAIL.match(text, m.end())
            end = tail.end() if tail else m.end()
            out.append(Span(m.start(), end, QUANTITY, Q))
    for rx in WORD_MONEY_RES:
        for m in rx.finditer(text):
            sentence_start = max(text.rfind(".", 0, m.start()), text.rfind("\n", 0, m.start()))
            if PERSONAL_SUM_CUE.search(text, max(sentence_start, m.start() - 60), m.start()):
                out.append(Span(m.start(), m.end(), QUANTITY, Q))
    for rx in GROUP_RES:
        out += [Span(m.start(), m.end(), QUANTITY, Q) for m in rx.finditer(text)]
    return out


# "of which 480 went to the loyalty fee", "на руки я получал только 50": a bare
# figure after a personal amount in the same sentence is part of that pay.
WAGE_CUE = re.compile(
    r"(?:of\s+which|out\s+of|only|just|kept|received|got|left\s+(?:me|him|her)(?:\s+with)?|but|"
    r"из\s+(?:них|которых)|из|только|лишь|получал\w*|оставал\w*|중|만)"
    r"(?:\s+(?:roughly|about|around|some|approximately|nearly|примерно|около|почти))?\s*$",
    re.IGNORECASE,
)
BARE_NUMBER = re.compile(
    r"(?<![\w.,$€£])\d[\d,]*(?:\s\d{3})*(?![\w%]|[.,]\d|\s*(?:%|percent|hours?|days?|years?|"
    r"months?|weeks?|men|people|km|cm|kg|час|дн|лет|год|мес|человек|시간|일|년|개월|명))"
)


def bare_wages(text: str, money: list[Span]) -> list[Span]:
    out: list[Span] = []
    for span in money:
        rest = text[span.end : span.end + 120]
        stop = re.search(r"[.!?\n](?:\s|$)", rest)
        clause = rest[: stop.start()] if stop else rest
        for m in BARE_NUMBER.finditer(clause):
            if WAGE_CUE.search(clause[max(0, m.start() - 25) : m.start()]):
                b = span.end + m.start()
                out.append(Span(b, b + len(m.group(0)), QUANTITY, Q))
    return out


def sentences(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), DATE, Q) for m in SENTENCE.finditer(text)]


def find(text: str) -> list[Span]:
    money = amounts(text)
    return dates(text) + ages(text) + money + bare_wages(text, money) + sentences(text)
