"""Deterministic detectors for contact details and identity numbers.

Everything here is a regular expression or a phone-number parse: no model,
no state, same answer every time. Dates, ages and amounts live in
``quantities.py``.
"""

from __future__ import annotations

import re

import phonenumbers

from app.redaction.spans import ADDRESS, CODE, PLACE, IdType, Span

D = IdType.DIRECT
Q = IdType.QUASI

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
# @handles (Telegram, Instagram); not the "@" of an e-mail address.
HANDLE = re.compile(r"(?<![\w.@])@[A-Za-z][A-Za-z0-9_.]{2,31}(?<![.])")
# "KakaoTalk ID gomdori86", "profile was "alexchen_dev"", "ник: ivan_k".
HANDLE_AFTER_KEYWORD = re.compile(
    r"(?:\bID|\bid|아이디|\bник|\bлогин|\busername|\bhandle|\bprofile(?:\s+(?:was|is))?)"
    r"\s*[:=]?\s*[\"“«']?([A-Za-z][A-Za-z0-9_.]{2,31})",
)
# Usernames look unlike words: letters glued to digits or underscores.
USERNAME_SHAPE = re.compile(
    r"(?<![\w@.-])[a-z][a-z]*(?:[_.][a-z0-9]+)*(?:_[a-z0-9]+|\d{2,})(?![\w@-])"
)

PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"\+\d{1,3}[\s-]?\(?\d{2,4}\)?(?:[\s-]?\d{2,4}){2,4}"  # international
    r"|0\d{1,2}-\d{3,4}-\d{4}"  # ROK domestic 010-1234-5678
    r"|8\s?\(?9\d{2}\)?[\s-]?\d{3}[\s-]?\d{2}[\s-]?\d{2}"  # RU domestic mobile
    r")(?![\w])"
)

# ID-like digit groups: passports ("745 219 683", "PS 472615"), RRN
# ("860722-1253418"), migration cards ("0518 № 4472930"), UNHCR case numbers
# ("754-17C01193"), Russian registry numbers ("27/19-ВУ-0413"), bank accounts.
ID_NUMBER = re.compile(
    r"(?<![\w.,])(?:[A-ZА-ЯЁ]{1,3}\s?)?\d(?:[\dA-ZА-ЯЁ/-]|\s?№\s?|\s(?=\d))*\d(?![0-9A-Za-zА-Яа-яЁё_])"
)
# ECHR and court application numbers: "no. 40593/04", "nos. 123/01".
APPLICATION_NO = re.compile(r"(?<![\w/])\d{1,6}/\d{2}(?![\w/])")
CURRENCY_AFTER = re.compile(
    r"\s*(?:тысяч\w*\s+)?(?:\$|dollars?|roubles?|rubles?|yuan|won|euros?|usd|rub|krw|cny|"
    r"руб\w*|доллар\w*|юан\w*|евро|달러|위안|원|루블)",
    re.IGNORECASE,
)
METER_BEFORE = re.compile(
    r"(?:спидометр\w*|одометр\w*|пробег\w*|показани\w+|odometer|mileage|meter\s+reading)"
    r"[^\d\n]{0,12}$",
    re.IGNORECASE,
)
CURRENCY_BEFORE = re.compile(r"(?:\$|€|£|USD|TRL|RUB|KRW|CNY)\s?$")

# Streets and addresses.
STREET_WORD = r"(?:Street|St\.|Avenue|Ave\.|Road|Rd\.|Prospekt|Lane|Boulevard|Embankment|Highway)"
# With a house number these are streets too ("4 Elm Close"); alone they are
# often not ("Red Square", "Stay Close").
NUMBERED_STREET_WORD = (
    rf"(?:{STREET_WORD[3:-1]}|Close|Drive|Crescent|Terrace|Gardens|Square|Way|Place|Grove|Mews|"
    r"Parade|Ave|Blvd|Dr|Cres|Ct|Pl|Hwy|Pkwy|Rd|St)(?![a-z])"
)
EN_STREET = re.compile(rf"\b(?:[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)\s{STREET_WORD}")
# "Svetlanskaya Street 45, Vladivostok", "45 Svetlanskaya Street, Apt 3": a full address.
# A UK postcode ("KT3 4PB", "SW1A 1AA") after the town.
UK_POSTCODE = (
    r"(?:,?\s+(?:[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}|(?:[A-Z]{2}\s+)?[A-Z]\d[A-Z]\s?\d[A-Z]\d"
    r"|[A-Z]{2}\s+\d{5}(?:-\d{4})?|(?:NSW|VIC|QLD|TAS|ACT|NT|SA|WA)\s+\d{4}"
    r"|(?!(?:19|20)\d\d\b)\d{4,5}(?=\s*(?:[,\n]|$)))\b)"
)  # UK, Canadian ("ON M9V 4K1"), US ("NY 10027"), Australian ("NSW 2000"), bare postcodes
EN_ADDRESS = re.compile(
    r"(?:\b(?:Flat|Apt\.?|Apartment|Unit|Room)\s*\d+[A-Za-z]?,?\s*)?"
    rf"(?:\b\d+[a-z]?\s+(?=[A-Z]))?\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?\s{NUMBERED_STREET_WORD}"
    r"(?:\s*\d+[a-z]?)?(?:,\s*(?:Apt\.?|Flat|Room|Apartment)\s*\d+)?"
    rf"(?:,\s*[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)?{UK_POSTCODE}?"
)
# Russian addresses in Latin transliteration: "ul. Lazo 41-17, Khabarovsk",
# "prospekt Mira 12, kv. 5".
# The house may be followed by its units ("garage block 4", "bldg. 2",
# "korp. 3", "office 12") before the town.
LATIN_UNIT = (
    r"(?:,?\s*(?:(?:garage|storage|office|residential)\s+)?(?:kv\.|apt\.?|flat|block|bldg\.?|building|"
    r"korp\.?|korpus|str\.|stroenie|office|room|unit|garage|box|entrance|pod\.|section)\s*\d+[A-Za-z]?)"
)
# The street word before the name ("ul. Lazo 9") or, as Russians also
# write, after it ("Portovaya ul. 9", "Leninsky prospekt 12"); a six-digit
# Russian postcode may close it ("…, Khabarovsk 680000").
_RU_LATIN_STREET = r"(?:ul\.|ulitsa|prospekt|pr-t|per\.|pereulok|shosse|naberezhnaya|bulvar)"
RU_LATIN_ADDRESS = re.compile(
    rf"(?:\b{_RU_LATIN_STREET}\s*[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?"
    rf"|\b[A-Z][a-z]+(?:ya|yy|iy|oy|aya|ogo|skaya|sky)\s+{_RU_LATIN_STREET})"
    rf"(?:,?\s*(?:d\.\s*)?\d+[a-z]?(?:[-/]\d+)?{LATIN_UNIT}*)"
    r"(?:,\s*[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?(?:,?\s+\d{6}(?!\d))?)?"
)
KR_ROMAN_ADDRESS = re.compile(
    r"\b[A-Z][a-z]+-(?:ro|gil|daero)\b(?:\s*\d+(?:-\d+)?(?:-(?:gil|ro))?)*"
    r"(?:,\s*(?:Apt\.?|Apartment|Unit|Room|No\.?)?\s*[\w-]*\d[\w-]*"
    r"|,\s*[A-Z][a-z]+-(?:gu|dong|si|gun|eup|myeon)\b"
    r"|,\s*[A-Z][a-z]+(?=\s*(?:[^\w\s]|$)))*"
)
# The road word is no particle ("출신으로 2019년", "버스로 3시간"): not 으로, and
# the number is not a year, a sum, a time or a count.
# Road addresses: province (also its short name, "경기"), city, district,
# town (읍/면), the road ("발안공단로", "서부로 12번길", "공단로 3길") and the
# building number; a crossing or entrance named by the road may close it
# ("…3길 입구 사거리").
# Building head words (빌라, 아파트 …) and the tail a building adds to an
# address: its name, block (동), floor (층) and flat (호).
KO_BUILDING = (
    r"[가-힣A-Za-z0-9○*]{1,12}(?:아파트|빌라|맨션|오피스텔|빌딩|타워|하이츠|캐슬|타운|하우스|주택|원룸|"
    r"고시원|고시텔|기숙사)"
)
KO_BUILDING_TAIL = (
    rf"(?:,?\s*{KO_BUILDING}(?=\s*\d))?(?:,?\s*\d+동)?(?:,?\s*(?:지하\s?)?\d+층)?(?:,?\s*\d+호)?"
)
# (The short names are the closed set of the 17 시·도.)
KO_PROVINCE_SHORT = (
    "(?:서울|부산|대구|인천|광주|대전|울산|세종|경기|강원|충북|충남|전북|전남|경북|경남|제주)"
)
HANGUL_ADDRESS = re.compile(
    rf"(?:(?:{KO_PROVINCE_SHORT}|[가-힣]+(?:특별시|광역시|도|시|군|구|읍|면))\s+)*"
    r"[가-힣]+(?<!으)(?:대로|로|길)\s*\d+"
    r"(?!\d|[,.]\d|\s*(?:년|월|일|만|천|백|명|살|세|시|분|초|개|원|달러|딸라|루블|위안|번(?!길)|회|층|km|킬로|미터))"
    r"(?:번?길)?"
    rf"(?:\s*\d+(?:-\d+)?)?{KO_BUILDING_TAIL}"
    r"(?:\s*(?:입구|초입|끝))?(?:\s*(?:사거리|삼거리|오거리|네거리|교차로|로터리))?"
)
# A residential building by its head word with its block and flat: "푸른마을아파트
# 105동 803호", "한솔빌라 302호" (the flat number makes it someone's home).
KO_BUILDING_FLAT = re.compile(
    r"(?<![가-힣A-Za-z0-9○*])(?:[가-힣]+(?:동|읍|면|리)\s+)?(?:(?:다세대|다가구|연립|단독)주택\s+)?"
    rf"{KO_BUILDING}\s*(?:\d{{1,4}}동\s*)?\d{{1,5}}호(?!실)"
)
RU_STREET = re.compile(
    r"(?:\bул\.|\bулиц[аеуы]|\bпр\.|\bпроспект[аеу]?|\bпер\.|\bпереул\w*|\bшоссе|\bнаб\.)"
    r"\s*[А-ЯЁ][а-яё-]+(?:\s*,?\s*(?:д\.|дом)\s*\d+[а-я]?(?:\s*,?\s*(?:кв\.|квартира)\s*\d+)?)?"
)


def _digits(s: str) -> int:
    return sum(ch.isdigit() for ch in s)


def contacts(text: str) -> list[Span]:
    """E-mail, messenger handles and phone numbers: all DIRECT."""
    out: list[Span] = []
    emails = [Span(m.start(), m.end(), CODE, D) for m in EMAIL.finditer(text)]
    out += emails

    def in_email(i: int) -> bool:
        return any(e.start <= i < e.end for e in emails)

    for m in HANDLE.finditer(text):
        if not in_email(m.start()):
            out.append(Span(m.start(), m.end(), CODE, D))
    for m in HANDLE_AFTER_KEYWORD.finditer(text):
        if any(c.isdigit() or c in "_." for c in m.group(1)) and not in_email(m.start(1)):
            out.append(Span(m.start(1), m.end(1), CODE, D))
    for m in USERNAME_SHAPE.finditer(text):
        if not in_email(m.start()):
            out.append(Span(m.start(), m.end(), CODE, D))
    out += [Span(m.start(), m.end(), CODE, D) for m in PHONE.finditer(text)]
    out += _phonenumbers(text)
    return out


def _phonenumbers(text: str) -> list[Span]:
    """Numbers libphonenumber accepts as valid in the regions witnesses use."""
    if _digits(text) < 7:
        return []
    out: list[Span] = []
    for region in ("KR", "RU", "CN"):
        leniency = phonenumbers.Leniency.VALID
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=leniency):
            out.append(Span(match.start, match.end, CODE, D))
    return out


# Russian vehicle plates: letter, three digits, two letters, region code
# ("А417КМ27", "а 417 км 125 RUS"); only the twelve letters Cyrillic and
# Latin share are used on plates.
PLATE = re.compile(
    r"(?<![\w])[АВЕКМНОРСТУХABEKMHOPCTYX]\s?\d{3}\s?[АВЕКМНОРСТУХABEKMHOPCTYX]{2}\s?\d{2,3}"
    r"(?:\s?RUS)?(?![\w])",
    re.IGNORECASE,
)
# Case references of NGOs and agencies: letters, then two or three groups of
# digits ("NKW-22-0417", "UNHCR/2019/0032", "KR-2021-118").
# (A Hangul particle may follow directly: "NKW-23-0201의".)
CASE_REF = re.compile(
    r"(?<![\w/-])[A-Z]{2,6}[-/]\d{2,4}[-/]\d{2,6}(?:[-/]\d{1,6})?(?![A-Za-z0-9_/-])"
)
# Russian passport series and number: "серия 05 12 № 345678", "паспорт 0512 345678".
RU_PASSPORT = re.compile(
    r"(?<!\w)(?:паспорт\w*|сери[яи])\s*(?:серии\s*)?(\d{2}\s?\d{2})\s*(?:№|N|номер)?\s*(\d{6})(?!\d)",
    re.IGNORECASE,
)


def codes(text: str) -> list[Span]:
    out = [Span(m.start(), m.end(), CODE, D) for m in PLATE.finditer(text)]
    out += [Span(m.start(), m.end(), CODE, D) for m in CASE_REF.finditer(text)]
    out += [Span(m.start(1), m.end(2), CODE, D) for m in RU_PASSPORT.finditer(text)]
    return out


def id_numbers(text: str) -> list[Span]:
    """Passport, registration, case and account numbers (DIRECT)."""
    out: list[Span] = []
    for m in ID_NUMBER.finditer(text):
        s, e = m.start(), m.end()
        value = m.group(0)
        if _digits(value) < 6:
            continue
        if CURRENCY_AFTER.match(text, e) or CURRENCY_BEFORE.search(text[max(0, s - 5) : s]):
            continue
        # Meter readings are no one's number: "показание спидометра 184 233".
        if METER_BEFORE.search(text[max(0, s - 30) : s]):
            continue
        # A bare "1,200" or "2017" is a number, not an ID; IDs have no decimal commas.
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}", value):
            continue
        out.append(Span(s, e, CODE, D))
    for m in APPLICATION_NO.finditer(text):
        out.append(Span(m.start(), m.end(), CODE, D))
    return out


def addresses(text: str) -> list[Span]:
    """Full street addresses are DIRECT; a street name alone is a QUASI place."""
    out: list[Span] = []
    for rx in (KR_ROMAN_ADDRESS, HANGUL_ADDRESS, KO_BUILDING_FLAT):
        for m in rx.finditer(text):
            out.append(Span(m.start(), m.end(), ADDRESS, D))
    for m in RU_STREET.finditer(text):
        has_number = any(c.isdigit() for c in m.group(0))
        category, id_type = (ADDRESS, D) if has_number else (PLACE, Q)
        out.append(Span(m.start(), m.end(), category, id_type))
    for m in EN_STREET.finditer(text):
        out.append(Span(m.start(), m.end(), PLACE, Q))
    for m in RU_LATIN_ADDRESS.finditer(text):
        out.append(Span(m.start(), m.end(), ADDRESS, D))
    for m in EN_ADDRESS.finditer(text):
        if any(c.isdigit() for c in m.group(0)):
            out.append(Span(m.start(), m.end(), ADDRESS, D))
    return out


def find(text: str) -> list[Span]:
    return contacts(text) + id_numbers(text) + codes(text) + addresses(text)
