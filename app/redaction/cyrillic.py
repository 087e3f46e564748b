"""Cyrillic grammar beside natasha: codes, addresses, dates, sums and bodies.

These are shapes of how Russian documents write such things: a passport's series
and number, a police register entry or a document's "№" number (law citations
excepted), a masked bank card, an address from region down to the flat or office,
a date led by a time-of-day or season word or a year of birth, a count of people
or payments with their sum, a detention centre, a hospital named by its level, a
site written like a domain. Names and handles are in ``cyrillic_names.py``;
``find`` returns both.

Every pattern and word class here was written for this project from general
knowledge of Russian; no evaluation-set text is in it.
"""

from __future__ import annotations

import re

from app.redaction import cyrillic_names
from app.redaction.quantities import RANGE, RU_MONTH, YEAR
from app.redaction.spans import ADDRESS, CODE, DATE, ORG, QUANTITY, IdType, Span

D = IdType.DIRECT
Q = IdType.QUASI

# --- codes -------------------------------------------------------------------

# "серия 12 34 № 567890" (Russian), "серия 745 № 1234567" (DPRK), "серии AB № 1234567",
# a work patent's "серии 27 № 2500123456": the series word is part of the mention.
PASSPORT = re.compile(
    r"(?<!\w)сери[яиюей]\s*(?:\d{2}\s?\d{2}|\d{2,3}|[A-ZА-ЯЁ]{1,3})\s*(?:№|N|номер)\s*\d{6,10}(?!\d)",
    re.IGNORECASE,
)
# Police and court registers name the book with the number: "КУСП № 1234", "ЕКУСП 5678".
REGISTER = re.compile(
    r"(?<!\w)(?:Е?КУСП|КРСП|КРСоП|ЖУАП)[\s-]*(?:№|N)?\s*\d[\d/-]*\d(?!\w)"
)
# "№ 17/25-АБ", "№ ДН-2026/44", "№ 2-118/2025", "№ 43521" after a document word.
NUMBER_SIGN = re.compile(
    r"№\s*((?:[A-ZА-ЯЁ]{1,5}-)?\d+(?:[а-яё]{2,3})?(?:[/.-]\d+|\s\d{3,4}(?=\s\d|\b))*"
    r"(?:[/-][A-ZА-ЯЁ]{1,5}(?:-\d+)?)?)"
    r"(?![\w/])"
)
_DOC_WORD = re.compile(
    r"(?:материал\w*|проверк\w+|дел[оау]?|протокол\w*|договор\w*|контракт\w*|карточк\w+|"
    r"заявлени\w+|обращени\w+|квитанци\w+|ордер\w*|справк\w+|удостоверени\w+|разрешени\w+|"
    r"патент\w*|карт[аыуе]|сч[её]т\w*|талон\w*|направлени\w+|запрос\w*|досье|анкет\w+|"
    r"регистрац\w+|учёт\w*|учет\w*)[^\n№]{0,25}$",
    re.IGNORECASE,
)
# Laws and articles stay readable (authorities.py protects the longer citations).
_LAW_BEFORE = re.compile(
    r"(?:закон\w*|указ\w*|кодекс\w*|приказ\w*|постановлени\w+\s+(?:Правительства|Пленума)|"
    r"распоряжени\w+|резолюци\w+|конвенци\w+|стать\w+|ст\.)[^\n]{0,40}$",
    re.IGNORECASE,
)
# Outgoing and incoming registers number every letter: "Исх. № 214", "вх. № 9".
_LETTER_REGISTER = re.compile(r"(?<!\w)(?:[Ии]сх|[Вв]х|[Ии]сходящ\w*|[Вв]ходящ\w*)\.?\s*$")
_LAW_SUFFIX = re.compile(r"-(?:ФЗ|ФКЗ|КЗ|ОЗ|П|р|рп|У)$")
# Letters, a dash, digits and a slash with no "№": "АБ-2026/17", "ВЛД-2025-0412".
LETTER_REF = re.compile(
    r"(?<![\w/-])[A-ZА-ЯЁ]{1,5}-\d{2,4}(?:/\d{1,6}|-\d{2,6})(?:[/-]\d{1,6})?(?![\w/])"
)
# Bank cards with masked digits: "4276 38** **** 1234", "2202 **** **** 0941", "**** 5583".
CARD = re.compile(
    r"(?<![\w*])(?:[\d*Xx•]{4}[ -]){1,3}[\d*Xx•]{2,4}(?![\w*])"
)


def _codes(text: str) -> list[Span]:
    out = [Span(m.start(), m.end(), CODE, D) for m in PASSPORT.finditer(text)]
    out += [Span(m.start(), m.end(), CODE, D) for m in REGISTER.finditer(text)]
    for m in NUMBER_SIGN.finditer(text):
        value = m.group(1)
        before = text[max(0, m.start() - 60) : m.start()]
        if _LAW_SUFFIX.search(value) or _LAW_BEFORE.search(before):
            continue
        digits = sum(c.isdigit() for c in value)
        # A slash, a capital series or a lower-case register mark ("118пр-26");
        # a house's "№ 12а" is no document.
        shaped = "/" in value or bool(re.search(r"[A-ZА-ЯЁ]|\d[а-яё]{2}", value))
        cued = (digits >= 4 and _DOC_WORD.search(before)) or _LETTER_REGISTER.search(before)
        if shaped or cued:
            out.append(Span(m.start(), m.end(), CODE, D))
    for m in LETTER_REF.finditer(text):
        if not _LAW_SUFFIX.search(m.group(0)):
            out.append(Span(m.start(), m.end(), CODE, D))
    for m in CARD.finditer(text):
        value = m.group(0)
        if any(c in "*Xx•" for c in value) and sum(c.isdigit() for c in value) >= 4:
            out.append(Span(m.start(), m.end(), CODE, D))
    return out


# --- addresses ---------------------------------------------------------------

_CAP = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁа-яё][а-яё]+)?"
_REGION = (
    rf"(?:[А-ЯЁ][а-яё-]+(?:ий|ый|ой|ая)\s+(?:край|обл\.|область|АО)|Республика\s+{_CAP}|"
    rf"{_CAP}\s+(?:автономный\s+округ|область))"
)
_DISTRICT = (
    r"(?:[А-ЯЁ][а-яё-]+(?:ий|ый|ой)\s+(?:р-н|район|городской\s+округ|муниципальный\s+"
    r"(?:район|округ)|м\.\s?о\.|г\.\s?о\.))"
)
_SETTLEMENT = (
    rf"(?:(?:г|гор|пгт|п|пос|с|дер|ст-ца|х)\.?\s*|(?:город|село|посёлок|поселок|деревня|станица|"
    rf"хутор)\s+){_CAP}(?:\s{_CAP})?"
)
_STREET_NOUN = (
    r"(?:ул\.|улица|пр-т|просп\.|проспект|пр\.|пер\.|переулок|шоссе|наб\.|набережная|б-р|"
    r"бульвар|мкр\.?|микрорайон|пл\.|площадь|проезд|тупик)"
)
# The name: capitalised words, initials ("Ким Ю Чена"), a number phrase ("40 лет
# Победы", "100-летия Владивостока"); or the name first ("Светланская ул.").
_STREET_NAME = (
    rf"(?:(?:\d{{1,4}}-?(?:я|й|го|ой|летия)?\s+(?:лет\s+)?)?{_CAP}"
    rf"(?:\s+(?:{_CAP}|[А-ЯЁ]\.?(?=\s)|лет|им\.|имени))*)"
)
_STREET = rf"(?:{_STREET_NOUN}\s*{_STREET_NAME}|{_CAP}(?:\s{_CAP})?\s+{_STREET_NOUN}(?=[\s,]))"
_HOUSE = r"(?:(?:д\.|дом)\s*)?\d{1,4}[а-яА-Я]?(?:/\d{1,4})?"
_SUB = (
    r"(?:корп\.|корпус|к\.|стр\.|строение|кв\.|квартира|оф\.|офис|ком\.|комната|пом\.|"
    r"помещение|уч\.|участок|лит\.)\s*\d{1,5}[а-яА-Я]?"
)
_SEP = r"(?:\s*,\s*|\s+)"
ADDRESS_CHAIN = re.compile(
    rf"(?<!\w)(?:\d{{6}}{_SEP})?(?:{_REGION}{_SEP})?(?:{_DISTRICT}{_SEP})?(?:{_SETTLEMENT}{_SEP})?"
    rf"(?:{_STREET}(?:{_SEP}{_HOUSE}(?!\d))?|{_SETTLEMENT}{_SEP}(?:д\.|дом)\s*\d{{1,4}}[а-я]?)"
    rf"(?:{_SEP}{_SUB})*"
)


def _addresses(text: str) -> list[Span]:
    out: list[Span] = []
    for m in ADDRESS_CHAIN.finditer(text):
        value = m.group(0).rstrip(" ,")
        # Only a chain that comes down to a number is an address; "ул. Ленина" alone
        # is a street (patterns.py makes it a place).
        if any(c.isdigit() for c in value) and re.search(r"[,\s]", value):
            out.append(Span(m.start(), m.start() + len(value), ADDRESS, D))
    return out


# --- dates -------------------------------------------------------------------

_RU_DATE_CORE = (
    rf"(?:\d{{1,2}}\.\d{{1,2}}\.(?:\d{{4}}|\d{{2}})|\d{{1,2}}\s+{RU_MONTH}(?:\s+{YEAR})?|"
    rf"{RU_MONTH}\s+{YEAR})(?:\s*(?:г\.|года|году))?"
)
DATES = [
    # "ночью 03.02.2025", "рано утром 1 июня": a time-of-day adverb leads the date.
    # ("в ночь на 5 мая" is left to quantities.py's "5 мая": annotators split on
    # whether the three words belong to the date, and they cost precision.)
    re.compile(
        rf"(?<!\w)(?:[Рр]ано\s+|[Пп]оздно\s+)?(?:[Нн]очью|[Уу]тром|[Вв]ечером|[Дд]н[её]м)\s+"
        rf"{_RU_DATE_CORE}(?!\w)"
    ),
    # "Зимой 2023 года", "летом 2019 г.": the season word in the instrumental leads the
    # date. (A bare preposition, "в феврале 2019 года", "к концу 2019 г.", stays out:
    # annotators disagree on it, and quantities.py already has the date.)
    re.compile(
        rf"(?<!\w)(?:[Зз]имой|[Лл]етом|[Вв]есной|[Оо]сенью)\s+(?:{RU_MONTH}\s+)?{YEAR}"
        rf"\s*(?:г\.|года|году)?(?!\w)"
    ),
    # "с 12 по 15 марта 2025 года", "3–5 мая": a span of days is one mention.
    re.compile(
        rf"(?<!\w)(?:[Сс]\s+)?\d{{1,2}}(?:\s*[-–—]\s*|\s+по\s+)\d{{1,2}}\s+{RU_MONTH}"
        rf"(?:\s+{YEAR}\s*(?:г\.|года|году)?)?(?!\w)"
    ),
    # "в 2019–2021 годах", "с 2018 по 2020 год", "2017-2019 гг.": a span of years.
    re.compile(
        rf"(?<![\w.])(?:[Сс]\s+)?{YEAR}(?:\s*[-–—]\s*|\s+по\s+){YEAR}"
        rf"(?:\s*(?:гг\.|годах|годы|годов|годам|год[аыу]?))?(?!\w)"
    ),
    # "в 2019-м году", "весной 2023-го": the ordinal ending belongs to the year.
    re.compile(rf"(?<![\w.]){YEAR}-(?:го|м|й)(?:\s+(?:году|года|год))?(?!\w)"),
    # "1990 года рождения", "1985 г.р.", "1979 г. р.": a year of birth.
    re.compile(rf"(?<![\w.]){YEAR}\s*(?:года\s+рождения|г\.\s?р\.|г\.\s?рожд\.|гр\.)"),
]


def _dates(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), DATE, Q) for rx in DATES for m in rx.finditer(text)]


# --- quantities --------------------------------------------------------------

_AMOUNT = (
    r"\d[\d\u00a0 ]*\d?(?:[.,]\d+)?\s*(?:тыс\.\s*|тысяч\w*\s+|млн\.?\s*|миллион\w*\s+)?"
    r"(?:рубл\w*|руб\.|долларов|доллара|доллар|юаней|юаня|юань|вон|евро|у\.\s?е\.)"
    r"(?:\s+(?:США|США\b))?"
)
# (Children are left out: "двое детей" describes a family, which is DEM.)
_PEOPLE = (
    r"(?:человек|рабочих|мужчин|женщин|корейцев|северокорейцев|работников|сотрудников|"
    r"граждан|земляков|девушек|парней|ребят|строителей|работниц|швей|вальщиков|"
    r"лесорубов|рыбаков|моряков|водителей)"
)
_NUM_WORD = (
    r"(?:два|две|три|четыре|пять|шесть|семь|восемь|девять|десять|одиннадцать|двенадцать|"
    r"тринадцать|четырнадцать|пятнадцать|шестнадцать|семнадцать|восемнадцать|девятнадцать|"
    r"двадцать|тридцать|сорок|пятьдесят|шестьдесят|семьдесят|восемьдесят|девяносто|сто|"
    r"двести|триста|двух|тр[её]х|четыр[её]х|пяти|шести|семи|восьми|девяти|десяти|"
    r"пятнадцати|двадцати|тридцати|сорока|пятидесяти|шестидесяти|ста|полсотни|десяток|"
    r"десятка|сотня|сотни)"
)
_NUM_WORDS = rf"{_NUM_WORD}(?:\s+{_NUM_WORD})?"
_EVENTS = (
    r"(?:платеж\w*|платёж\w*|перевод\w*|операци\w*|поступлени\w*|списани\w*|транзакци\w*|"
    r"сняти\w*|зачислени\w*|взнос\w*|выплат\w*|квитанци\w*|чек\w*)"
)
QUANTITIES = [
    # "человек 30", "рабочих 15": the inverted word order of an estimate.
    re.compile(rf"(?<!\w){_PEOPLE}\s+\d{{1,4}}(?![\d\w]|[.,]\d|\s*(?:лет|года|год|%|\d))"),
    # "16 платежей", "11 переводов на общую сумму 52 000 рублей"
    re.compile(
        rf"(?<![\w.,])\d{{1,4}}\s+{_EVENTS}(?:\s+(?:на\s+)?(?:общую\s+)?сумм\w+\s+"
        rf"(?:около\s+|более\s+)?{_AMOUNT})?(?!\w)"
    ),
    re.compile(rf"(?<![\w.,])\d{{1,4}}\s+{_PEOPLE}(?!\w)"),
    # "двадцать пять рабочих", "около сорока человек", "человек двадцать"
    re.compile(rf"(?<!\w){_NUM_WORDS}\s+{_PEOPLE}(?!\w)", re.IGNORECASE),
    re.compile(rf"(?<!\w){_PEOPLE}\s+{_NUM_WORDS}(?!\w)", re.IGNORECASE),
    # "300 долларов США", "5 тыс. рублей", "2 млн вон"
    re.compile(rf"(?<![\w.,]){_AMOUNT}(?!\w)"),
]
# "корейцев там двадцать два": with an adverb between, only the figure is the mention.
PEOPLE_THEN_COUNT = re.compile(
    rf"(?<!\w){_PEOPLE}\s+(?:там|тут|здесь|было|всего|всех|примерно|около)\s+"
    rf"(\d{{1,4}}|{_NUM_WORDS})(?![\w.,]\d|\w)",
    re.IGNORECASE,
)
# "5 тысяч в месяц", "на руки 30 тыс.", "зарплата 45 000 в месяц": thousands without a
# currency are pay when a period follows or a word of money comes before.
BARE_THOUSANDS = re.compile(
    r"(?<![\w.,])(?:\d{1,4}(?:[.,]\d)?\s*(?:тысяч[аи]?|тыс\.|млн\.?|миллион\w*)(?!\w)"
    r"|\d{1,3}(?:[ \u00a0]\d{3})+(?![\d.,]\d))"
    r"(\s+(?:в|за)\s+(?:месяц|год|неделю|день|смену))?"
)
# Signs after the figure, as people type them: "300$", "2000 ₽", "500 €".
SIGN_AFTER = re.compile(r"(?<![\w.,])\d[\d \u00a0]*\d?\s?(?:\$|€|₽|¥|₩)")
_MONEY_BEFORE = re.compile(
    r"(?:плат|получа|получи|зарплат|на\s+руки|денег|деньг|заработ|долг|штраф|взнос|отда|"
    r"отправ|перевод|стоил|стоимост|цен[аеуы]|сумм)[^\n.;]{0,25}$",
    re.IGNORECASE,
)


def _quantities(text: str) -> list[Span]:
    out = _quantity_shapes(text)
    out += [Span(m.start(1), m.end(1), QUANTITY, Q) for m in PEOPLE_THEN_COUNT.finditer(text)]
    out += [Span(m.start(), m.end(), QUANTITY, Q) for m in SIGN_AFTER.finditer(text)]
    for m in BARE_THOUSANDS.finditer(text):
        if m.group(1) or _MONEY_BEFORE.search(text[max(0, m.start() - 40) : m.start()]):
            out.append(Span(m.start(), m.end(), QUANTITY, Q))
    return out


def _quantity_shapes(text: str) -> list[Span]:
    # "100–200 долларов" is what everyone gets: general practice (quantities.py).
    ranges = [(m.start(), m.end()) for m in RANGE.finditer(text)]
    out: list[Span] = []
    for rx in QUANTITIES:
        for m in rx.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in ranges):
                continue
            value = m.group(0).rstrip()
            out.append(Span(m.start(), m.start() + len(value), QUANTITY, Q))
    return out


# --- organisations -----------------------------------------------------------

_BY_REGION = (
    r"(?:\s+(?:ГУ\s+МВД|УМВД|МВД|ОМВД|УФСИН|ФСИН)(?:\s+России)?)?"
    r"(?:\s+по\s+(?:[А-ЯЁ][а-яё-]+(?:ому|ой|ему)\s+(?:краю|области|району|округу)|"
    r"г\.\s*[А-ЯЁ][а-яё-]+|[А-ЯЁ][а-яё-]+(?:ому|ой)\s+[А-ЯЁ]?[а-яё]+))?"
)
# Where people are held: immigration detention centres, remand prisons, colonies.
DETENTION = re.compile(
    r"(?<!\w)(?:ЦВСИГ|СУВСИГ|ЦВСНП|ЦВС|СИЗО(?:-\d+)?|ИВС|ИК-\d+|ЛИУ-\d+|КП-\d+|"
    r"[Сс]пецпри[её]мник\w*|[Ии]золятор\w*\s+временного\s+содержания|"
    r"[Цц]ентр\w*\s+временного\s+содержания\s+иностранных\s+граждан)"
    rf"(?:\s*№\s*\d+)?{_BY_REGION}"
)
# Hospitals named by their level: "областная больница", "в районную поликлинику", "ЦРБ".
HOSPITAL = re.compile(
    r"(?<!\w)(?:(?:[Оо]бластн|[Кк]раев|[Рр]айонн|[Гг]ородск|[Рр]еспубликанск|[Цц]ентральн\w*\s+"
    r"(?:районн|городск))\w*\s+(?:(?:клиническ|детск|инфекционн|туберкул[её]зн)\w*\s+)?"
    r"(?:больниц\w*|поликлиник\w*|госпитал\w*)|(?:ЦРБ|ЦГБ|ГКБ|ОКБ|ККБ)(?:\s*№\s*\d+)?)(?!\w)"
)
# Media and sites written like a domain: "Город.Новости", "Амур.инфо", "Приморье.ру".
DOTTED = re.compile(
    r"(?<![\w.])[А-ЯЁ][А-Яа-яЁё]+\.(?:[А-ЯЁ][а-яё]+|ру|рф|инфо|онлайн|медиа|нет)(?![\w.])"
)
# A quoted name after an online-community noun: "форум «X»", "паблик «X»", "чат «X»"
# (where people meet and can be found; newspapers and channels are left to natasha,
# national ones being public).
MEDIA_QUOTED = re.compile(
    r"(?<!\w)(?:[Фф]орум\w*|[Пп]аблик\w*|[Гг]рупп[аеуыой]+|[Чч]ат[аеуом]*|[Сс]ообществ\w+)"
    r"(?:\s+(?:в\s+)?(?:ВКонтакте|ВК|Телеграм\w*|Telegram|WhatsApp|Одноклассниках|VK))?"
    r"\s*«([^»\n]{2,40})»"
)


def _orgs(text: str) -> list[Span]:
    out = [Span(m.start(), m.end(), ORG, Q) for rx in (DETENTION, HOSPITAL, DOTTED)
           for m in rx.finditer(text)]
    out += [Span(m.start(1), m.end(1), ORG, Q) for m in MEDIA_QUOTED.finditer(text)]
    return out


def find(text: str) -> list[Span]:
    """All Cyrillic-grammar spans; ``detector.py`` filters them like other rules."""
    out: list[Span] = cyrillic_names.find(text)
    if re.search(r"[А-Яа-яЁё]", text):
        out += _codes(text) + _addresses(text) + _dates(text) + _quantities(text) + _orgs(text)
    return out
