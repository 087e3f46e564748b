"""General shapes the first layers lacked (issue 10, second round).

Each pattern is a grammar of a kind of identifier, written from how such
things are formed in the language or the document type, never from one
sentence: record ids in trackers ("AB24-014"), masked resident numbers,
Korean court case numbers, numbers after a personnel-number label, partial
dates (quarters, month.year, day.month, month day), ages in apposition,
names of firms by their shape (CamelCase, word-number, guillemets), Russian
"Surname I. O." and English "I. Surname", Korean "X 모 씨" and pseudonym
phrases, Hangul names standing alone in table cells, Korean lot-number
addresses and Russian addresses led by region and postcode.
"""

from __future__ import annotations

import re

from app.redaction.names import hangul_surnames
from app.redaction.partial_dates import dates
from app.redaction.patterns import KO_BUILDING_TAIL, KO_PROVINCE_SHORT
from app.redaction.spans import (
    ADDRESS,
    CODE,
    DEM,
    MISC,
    ORG,
    PERSON,
    PLACE,
    QUANTITY,
    IdType,
    Span,
)
from app.redaction.stopwords import is_stopword

D = IdType.DIRECT
Q = IdType.QUASI

# --- codes -----------------------------------------------------------------
# Tracker and file ids: letters glued to digits, then a dash and a number.
RECORD_ID = re.compile(r"(?<![\w/-])[A-Z]{1,5}\d{1,4}-\d{2,6}(?![\w/-])")
# Korean resident registration number with the tail masked ("920312-1xxxxxx").
RRN_MASKED = re.compile(r"(?<!\d)\d{6}-[1-8][\dxX*]{6}(?![\w*])")
# Korean court case numbers: year, case-type code, serial ("2025고단3381",
# "2024머1187"). The codes are the closed set of the Supreme Court's rule on
# case-type letters (사건별 부호문자의 부여에 관한 예규): civil, conciliation,
# family, administrative, patent, criminal, insolvency and enforcement cases.
KO_CASE_TYPE = (
    r"(?:가합|가단|가소|가기|나|다|라|마|그|바|머|자|차전|차|카합|카단|카공|카담|카조|카기|카명|카구|"
    r"카확|카열|카임|카정|카경|카소|카불|카|타경|타채|타기|타배|드합|드단|르|므|스|즈단|즈합|즈기|"
    r"느합|느단|브|으|너|구합|구단|누|두|루|무|부|아|허|후|흐|고합|고단|고정|고약전|고약|노|도|로|모|"
    r"보|오|초기|초적|초보|초|코|감고|감노|감도|형제|재고단|회합|회단|하합|하단|하면|개회|개확|개보|즈)"
)
KO_CASE = re.compile(rf"(?<!\d)(?:19|20)\d{{2}}\s?{KO_CASE_TYPE}\d{{1,7}}(?!\d)")
# A number after a personnel, employee or service-number label.
LABELLED_NO = re.compile(
    r"(?:табельн\w+|личн\w+|служебн\w+|инвентарн\w+)\s*(?:номер|№|N)\s*(\d{2,10})"
    r"|\b(?:employee|staff|personnel|badge|service)\s+(?:no\.?|number|#|ID)\s*:?\s*(\d{2,10})"
    r"|사번\s*:?\s*(\d{2,10})",
    re.IGNORECASE,
)
# A route or trip number: "рейс № 512", "flight 512", "버스 512번".
TRIP_NO = re.compile(
    r"(?:рейс\w*|маршрут\w*)\s*№\s*\d{1,5}|\b(?:flight|bus|train)\s+(?:no\.?\s*)?\d{2,5}\b",
    re.IGNORECASE,
)


# The number of a document about a person: "ПРОТОКОЛ № 27 ХК 041526",
# "Регистрационный № ГВ-2025/117", "дело № 5-114/2025".
DOC_NO = re.compile(
    r"(?:протокол|регистрационн|дел[оау]\b|заявлени|справк|удостоверени|свидетельств|карточк|анкет)\w*"
    r"\s*№\s*(\d(?![\dА-ЯЁA-Z/-])|[\dА-ЯЁA-Z](?:[\dА-ЯЁA-Z/-]|\s(?=[\dА-ЯЁ]))*\d)",
    re.IGNORECASE,
)
# A bank's name and the account: "국민은행 482301-04-118273", "Sberbank 4276 ...".
BANK_ACCOUNT = re.compile(
    r"(?:[가-힣]{2,6}은행|[A-Z][a-z]+bank|Сбербанк\w*)\s*(?:계좌\s*)?(?:№\s*)?\d[\d -]{7,}\d"
)


def record_serials(text: str, spans: list[Span]) -> list[Span]:
    """"reported by 014" after row "RU24-014": a record's serial alone
    refers to the same record, in the document that holds the full id."""
    out: list[Span] = []
    serials = {m.group(1) for m in re.finditer(r"[A-Z]{1,5}\d{1,4}-(\d{3,6})", text)}
    coded = [s for s in spans if s.category == CODE]
    for serial in serials:
        for m in re.finditer(rf"(?<![\w.,/-]){serial}(?![\w.,/-])", text):
            if not any(c.start <= m.start() < c.end for c in coded):
                out.append(Span(m.start(), m.end(), CODE, D))
    return out


def codes(text: str) -> list[Span]:
    out = [Span(m.start(), m.end(), CODE, D) for m in RECORD_ID.finditer(text)]
    out += [Span(m.start(), m.end(), CODE, D) for m in RRN_MASKED.finditer(text)]
    out += [Span(m.start(), m.end(), CODE, D) for m in KO_CASE.finditer(text)]
    for m in LABELLED_NO.finditer(text):
        g = next(i for i in (1, 2, 3) if m.group(i))
        out.append(Span(m.start(g), m.end(g), CODE, D))
    out += [Span(m.start(), m.end(), CODE, Q) for m in TRIP_NO.finditer(text)]
    out += [Span(m.start(1), m.end(1), CODE, D) for m in DOC_NO.finditer(text)]
    out += [Span(m.start(), m.end(), CODE, D) for m in BANK_ACCOUNT.finditer(text)]
    return out


# --- ages ------------------------------------------------------------------
AGE_PHRASES = [
    # "man, 29, tiler", "woman, 38," — case files and trackers
    re.compile(r"\b(?:man|woman|boy|girl|male|female|M|F|m|f),\s*(\d{1,2})(?=\s*[,;)|])"),
    # "He turns 41", "is only 23", "she is 34."
    re.compile(
        r"\b(?:turns?|turned)\s+(\d{1,2})\b"
        r"|\b(?:is|was)\s+(?:only|just|now|barely)\s+(\d{1,2})\b(?!\s*(?:%|[a-z]+s\b))"
    ),
    # Korean native numerals: "마흔다섯쯤", "일곱 살", "나이는 서른"
    re.compile(
        r"(?<![가-힣])(?:(?:열|스물|서른|마흔|쉰|예순|일흔|여든)"
        r"(?:한|두|세|네|하나|둘|셋|넷|다섯|여섯|일곱|여덟|아홉)?"
        r"\s?(?:살|쯤|세)|(?:한|두|세|네|다섯|여섯|일곱|여덟|아홉|열)\s살)(?![가-힣]{2})"
    ),
    # Russian "34 года", "(29 лет)" after a name or "возраст"
    re.compile(r"(?<=возраст:\s)\d{1,2}|(?<![\w.,])\d{1,2}\s+года?(?=\s*[,;)])"),
]
RU_NUM = (
    r"(?:двадцат\w*|тридцат\w*|сорок\w*|пятьдесят|пятидесят\w*|шестьдесят|шестидесят\w*|"
    r"восемнадцат\w*|девятнадцат\w*|семнадцат\w*|шестнадцат\w*)"
    r"(?:\s+(?:один|одна|два|две|три|четыре|пять|шесть|семь|восемь|девять))?"
)
AGE_PHRASES += [
    re.compile(r"\b(\d{1,2}\s*y\.\s?o\.?)"),
    re.compile(r"\((\d{2}),\s*(?:female|male|f|m|жен\.?|муж\.?)\)", re.IGNORECASE),
    re.compile(
        r"\b(?:is|was)\s+(?:only\s+|just\s+|now\s+)?([1-9]\d)(?=\s*[.,;)]|\s+(?:and|when|but)\b)"
    ),
    re.compile(
        rf"(?<!\w)(?:[Пп]олных\s+лет|[Вв]озраст|[Лл]ет)\s*:?\s*(?:под\s+|около\s+)?(\d{{1,2}}|{RU_NUM})"
    ),
    re.compile(rf"(?<!\w)(?:[Ее]му|[Ее]й)\s+(?:уже\s+|почти\s+|около\s+|под\s+)?({RU_NUM}|\d{{1,2}})(?!\w)"),
]
# ", 34," after a person's name.
AGE_AFTER_NAME = re.compile(r",\s*(\d{1,2})(?=\s*[,;)])")


def ages(text: str, persons: list[Span]) -> list[Span]:
    out: list[Span] = []
    for rx in AGE_PHRASES:
        for m in rx.finditer(text):
            g = next((i for i in range(1, (m.lastindex or 0) + 1) if m.group(i)), 0)
            out.append(Span(m.start(g), m.end(g), DEM, Q))
    for p in persons:
        after = AGE_AFTER_NAME.match(text, p.end)
        if after and 14 <= int(after.group(1)) <= 99:
            out.append(Span(after.start(1), after.end(1), DEM, Q))
    return out


# --- organisations ---------------------------------------------------------
# Brand-like names: CamelCase ("UralSpetsMontazh", "АмурСтройМонтаж") and a
# capitalised word with a number ("Stroytrest-12", "Теплица-4").
CAMEL = re.compile(
    r"(?<![\w-])(?!Mc|Mac|De[A-Z]|Di[A-Z]|La[A-Z]|Le[A-Z]|Van[A-Z])"
    r"[A-ZА-ЯЁ][a-zа-яё]+(?:[A-ZА-ЯЁ][a-zа-яё]+)+(?:-(?:\d{1,3}|[A-ZА-ЯЁ]{1,3}))?(?![\w-])"
)
WORD_NUMBER = re.compile(r"(?<![\w-])[A-ZА-ЯЁ][a-zа-яё]{3,}-\d{1,3}(?![\w-])")
# Public platforms keep their names (general knowledge, not a list of
# employers): a messenger is not who the witness is.
PLATFORMS = frozenset(
    {"WhatsApp", "KakaoTalk", "WeChat", "YouTube", "TikTok", "LinkedIn", "PayPal", "FaceTime",
     "iPhone", "PowerPoint", "JavaScript", "ВКонтакте", "WhatsApp-е", "КакаоТок", "LiveJournal",
     "GitHub", "OpenStreetMap", "FaceBook"}
)
NOT_ORG_WORD = re.compile(r"(?i)covid|article|annex|section|part|chapter|item|brigade|unit")
# «Name» after a noun ("объект «…»", "надписью «…»", "база отдыха «…»"):
# guillemets mark names of firms, sites, groups. Not after a naming word
# ("по прозвищу «Хозяин»" is a person) nor standing alone (a quotation).
GUILLEMET = re.compile(r"(?<![\w-])([а-яёa-z]{3,})\s+«([А-ЯЁA-Z][^«»\n]{1,40})»")
GUILLEMET_ALONE = re.compile(
    r"(?:^|(?<=[(—–:;,.!?\s-]))(?<![а-яёa-z]\s)«([А-ЯЁ][а-яё]{1,15})»", re.MULTILINE
)
NAMING_WORD = re.compile(r"(?:прозвищ|кличк|звал|зовут|называ|имен|фамили|ник)", re.IGNORECASE)
# A quoted name after a venue word: "Kafe 'Arirang'", "the café "Moranbong"".
VENUE_QUOTED = re.compile(
    r"\b(?:[Kk]afe|[Cc]afe|[Cc]afé|restaurant|shop|hotel|bar|club|firm|company|camp|base|"
    r"workshop|store|market)\s+['‘\"“]([A-Z][^'’\"”\n]{1,30})['’\"”]"
)


# A quoted name with its head noun: '"Morskoy Briz" residential complex',
# '"Vostok-Ryba" processing plant'; a Russian legal form before a quoted
# name in Latin script: 'OOO "StroyVostok-DV"'.
QUOTED_HEAD = re.compile(
    r"[\"“«]([A-Z][^\"”»\n]{1,30})[\"”»]\s+(?:[a-z]+\s+)?"
    r"(?:complex|plant|factory|company|mine|shaft|site|yard|shipyard|farm|restaurant|hotel|cafe|"
    r"workshop|base|camp|centre|center|market|project)\b"
)
LEGAL_FORM_QUOTED = re.compile(
    r"\b(?:OOO|OAO|ZAO|PAO|AO|IP|LLC|Ltd)\s+[\"“«]([^\"”»\n]{2,30})[\"”»]"
)
# Military units: "the 8th Corps engineering battalion", "the 3rd Division".
MILITARY_UNIT = re.compile(
    r"\b(?:the\s+)?\d+(?:st|nd|rd|th)\s+(?:[A-Z][a-z]+\s+)?(?:Corps|Division|Brigade|Regiment|"
    r"Battalion|Army|Fleet|Squadron)(?:(?:\s+[a-z]+){0,2}\s+(?:battalion|regiment|company|unit))?\b"
)
# Membership that singles a person out: "a member of the local party committee".
MEMBER_OF = re.compile(
    r"\ba\s+member\s+of\s+(?:the\s+|a\s+)?(?:[\w-]+\s+){0,3}?(?:committee|union|council|"
    r"troupe|band|choir|ensemble|team|cell|league)\b"
)


# A transliterated name before an English head noun: "Zolotaya Bukhta housing
# complex", "Vostok-Stal shipyard annex", "Bridge of Hope Ministries".
NAME_HEAD = re.compile(
    r"\b(?!(?:North|South|East|West|The|A|An|Our|Their|His|Her)\b)"
    r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?\s+(?:housing\s+complex|residential\s+complex|shipyard|"
    r"plant|factory|mine|sawmill|yard|farm|camp|site|market|restaurant)(?:\s+annex)?\b"
    r"|\b(?:[A-Z][a-z]+\s+(?:of\s+)?){1,4}(?:Ministries|Fellowship|Mission|Foundation|Trading|"
    r"Watch|Outreach|Network|Alliance)\b"
)
# The writing organisation's name as a header in capitals, at a line start:
# "FREE HANDS | channel post", "NORTH STAR LABOUR WATCH".
CAPS_HEADER = re.compile(r"(?m)^[ \t]*((?:[A-Z]{2,}[ \t]){1,4}[A-Z]{2,})(?=[ \t]*(?:[|,\n]|$))")
HEADER_WORDS = frozenset(
    {"REPORT", "NOTES", "NOTE", "CONFIDENTIAL", "SUMMARY", "DRAFT", "INTERVIEW", "MEMO", "URGENT",
     "CASE", "FILE", "BULLETIN", "WEEKLY", "QUARTERLY", "ANNUAL", "DECISION", "JUDGMENT",
     "APPEAL", "TRANSCRIPT", "RECORD", "FORM", "PART", "SECTION", "INTERNAL", "ONLY", "USE",
     "FOR", "THE", "OF", "AND", "STATEMENT", "REASONS", "MINUTES", "UPDATE", "PRAYER", "LIST",
     "FACTS", "LAW", "AS", "TO", "CIRCUMSTANCES", "PROCEDURE", "ALLEGED", "VIOLATION", "ARTICLE",
     "RELEVANT", "DOMESTIC", "INTERNATIONAL", "COMPLAINTS", "CONCLUSION", "BACKGROUND", "IN",
     "ON", "AT", "BY", "A", "AN", "OR", "CLAIMS", "APPLICATION", "ASSESSMENT", "OPINION"}
)
# A town and a US state's postal code: "Annandale, VA".
US_STATE = (
    r"(?:AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|"
    r"NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY)"
)
US_TOWN = re.compile(rf"\b[A-Z][a-z]+(?:\s[A-Z][a-z]+)?,\s{US_STATE}\b")
# Russian institution abbreviation before a name in guillemets: "КГБУЗ «Амурская
# ЦРБ»"; a firm's name in guillemets with a company head noun.
RU_ABBR_QUOTED = re.compile(r"(?<!\w)[А-ЯЁ]{2,6}\s+«[^»\n]{2,40}»")
RU_COMPANY_QUOTED = re.compile(
    r"«([^»\n]{0,40}(?:компани|корпораци|трест|фирм|объединени|общество)\w*[^»\n]{0,30})»",
    re.IGNORECASE,
)
SITE_RU = re.compile(r"(?<!\w)(?:аэропорт\w*|станци\w+|вокзал\w*)\s+[А-ЯЁ][а-яё-]+")
UNIT_ABBR = re.compile(r"\bbrig\.\s*\d+|\bbr\.\s*\d+")


def organisations(text: str) -> list[Span]:
    out: list[Span] = []
    for rx in (CAMEL, WORD_NUMBER):
        for m in rx.finditer(text):
            word = m.group(0)
            if word.split("-")[0] in PLATFORMS or NOT_ORG_WORD.match(word):
                continue
            out.append(Span(m.start(), m.end(), ORG, Q))
    for m in GUILLEMET.finditer(text):
        inner = m.group(2).strip()
        # Long quotes are speech or titles of documents, not names.
        if len(inner.split()) > 4 or re.search(r"[.!?]\s", inner) or NAMING_WORD.match(m.group(1)):
            continue
        out.append(Span(m.start(2), m.start(2) + len(inner), ORG, Q))
    # One capitalised word in guillemets with no noun before it ("— «Юра».",
    # "(«Шера»)") is how Russian text gives a nickname or a source's cover name.
    for m in GUILLEMET_ALONE.finditer(text):
        out.append(Span(m.start(1), m.end(1), PERSON, D))
    out += [Span(m.start(1), m.end(1), ORG, Q) for m in VENUE_QUOTED.finditer(text)]
    out += [Span(m.start(), m.end(), ORG, Q) for m in QUOTED_HEAD.finditer(text)]
    for m in LEGAL_FORM_QUOTED.finditer(text):
        out += [Span(m.start(), m.end(), ORG, Q), Span(m.start(1), m.end(1), ORG, Q)]
    out += [Span(m.start(), m.end(), DEM, Q) for m in MILITARY_UNIT.finditer(text)]
    out += [Span(m.start(), m.end(), DEM, Q) for m in MEMBER_OF.finditer(text)]
    out += [Span(m.start(), m.end(), ORG, Q) for m in NAME_HEAD.finditer(text)]
    for m in CAPS_HEADER.finditer(text):
        # A heading is made of heading words; a name has a word of its own.
        if not set(m.group(1).split()) <= HEADER_WORDS:
            out.append(Span(m.start(1), m.end(1), ORG, Q))
    out += [Span(m.start(), m.end(), PLACE, Q) for m in US_TOWN.finditer(text)]
    out += [Span(m.start(), m.end(), ORG, Q) for m in RU_ABBR_QUOTED.finditer(text)]
    out += [Span(m.start(1), m.end(1), ORG, Q) for m in RU_COMPANY_QUOTED.finditer(text)]
    out += [Span(m.start(), m.end(), PLACE, Q) for m in SITE_RU.finditer(text)]
    out += [Span(m.start(), m.end(), ORG, Q) for m in UNIT_ABBR.finditer(text)]
    return out


# --- persons ---------------------------------------------------------------
# Russian order "Galiullina R. F.", "Гурьева Е. В."; English "M. Okonkwo-Hale".
SURNAME_INITIALS = re.compile(
    r"(?<![\w.])([A-ZА-ЯЁ][a-zа-яё]{2,}(?:-[A-ZА-ЯЁ][a-zа-яё]+)?)\s+[A-ZА-ЯЁ]\.\s?[A-ZА-ЯЁ]\.(?!\w)"
)
INITIAL_SURNAME = re.compile(
    r"(?<![\w.])(?:[A-ZА-ЯЁ]\.\s?){1,2}\s?([A-ZА-ЯЁ][a-zа-яё]{2,}(?:-[A-ZА-ЯЁ][a-zа-яё]+)?)(?![\w])"
)
# "최 모 씨", "김모씨": the Korean press convention for an unnamed person.
KO_MO = re.compile(
    r"(?<![가-힣])([가-힣])\s?모\s?(?:씨|군|양|여인|목사|집사)"
    r"|(?<![가-힣])([가-힣])\s모(?:가|는|의|를|와|에게|한테)(?![가-힣])"
)
# Pseudonyms and on-air names: "가명 '봄비'", "'봄비'라는 이름으로".
KO_PSEUDONYM = re.compile(
    r"(?:가명|예명|닉네임|대화명|호칭)\s*(?:은|는|이|:)?\s*['‘\"“]([^'’\"”\n]{1,10})['’\"”]"
    r"|['‘\"“]([가-힣A-Za-z]{1,10})['’\"”]\s*(?:이)?라는\s*(?:이름|가명|별명|닉네임|사람|분|남자|여자)"
)
# A Hangul name alone in a table cell or after a field label: "| 신금남 |", "구성: 배경민 /".
KO_CELL = re.compile(
    r"(?:(?<=[|/])|(?<=[가-힣]:)|(?<=^))[ \t]*([가-힣]{2,3})[ \t]*(?=[|/\n]|$)", re.MULTILINE
)
KO_LABEL = re.compile(r"(?<=[가-힣]:)[ \t]*([가-힣]{3})[ \t]*(?=[/|,\n]|$)", re.MULTILINE)


# Field notes in lowercase: "pastor noh", "auntie lyuba", "mr kim".
LOWER_TITLED = re.compile(
    r"\b(?:pastor|mr|mrs|ms|dr|auntie|aunt|uncle|comrade|elder|deacon|grandma|grandpa|"
    r"teacher|granny|landlady|landlord)\.?\s+([a-z][a-z'-]{1,11})\b"
)
# A Hangul name before the sex of a case file: "현은철, 남, 1990년".
KO_NAME_SEX = re.compile(r"(?<![가-힣])([가-힣]{2,4}),\s?(?:남|여)(?:성|자)?\s?[,(/]")
# After a role or field word: "윤 담당관", "(작성 문예린)", "작성자: 문예린".
KO_FIELD_NAME = re.compile(
    r"(?:작성자?|담당자?|기록자?|면담자|상담자|통역자?|번역자?|진행자?|성명|서명|확인자?)\s*:?\s*"
    r"([가-힣]{3})(?=[)\s,/|]|$)",
    re.MULTILINE,
)
KO_SURNAME_OFFICE = re.compile(
    r"(?<![가-힣])([가-힣])\s?(?:담당관|담당자|간사|간호사|사무관|조사관|상담사|상담원|활동가|"
    r"변호사|기자|수사관|형사|교수|원장|국장|센터장)(?:님)?"
)


def persons(text: str) -> list[Span]:
    out: list[Span] = []
    from app.redaction.names import first_names, latin_surnames

    surnames_latin, given = latin_surnames(), first_names()
    for m in LOWER_TITLED.finditer(text):
        word = m.group(1)
        if word.capitalize() in surnames_latin or word.capitalize() in given:
            out.append(Span(m.start(1), m.end(1), PERSON, D))
    for rx in (KO_NAME_SEX, KO_FIELD_NAME):
        for m in rx.finditer(text):
            if m.group(1)[0] in hangul_surnames():
                out.append(Span(m.start(1), m.end(1), PERSON, D))
    for m in KO_SURNAME_OFFICE.finditer(text):
        if m.group(1) in hangul_surnames():
            out.append(Span(m.start(1), m.end(1), PERSON, D))
    for rx in (SURNAME_INITIALS, INITIAL_SURNAME):
        for m in rx.finditer(text):
            if is_stopword(m.group(1).lower()):
                continue
            out.append(Span(m.start(), m.end(), PERSON, D))
    surnames = hangul_surnames()
    for m in KO_MO.finditer(text):
        g = 1 if m.group(1) else 2
        if m.group(g) in surnames:
            out.append(Span(m.start(g), m.end(g), PERSON, D))
    for m in KO_PSEUDONYM.finditer(text):
        g = 1 if m.group(1) else 2
        out.append(Span(m.start(g), m.end(g), PERSON, D))
    for rx in (KO_CELL, KO_LABEL):
        for m in rx.finditer(text):
            name = m.group(1)
            if name[0] in surnames and len(name) >= 2 and not _ko_common(name):
                out.append(Span(m.start(1), m.end(1), PERSON, D))
    return out


def _ko_common(word: str) -> bool:
    """True when kiwipiepy reads ``word`` as something other than one noun."""
    from app.redaction.korean import tokens

    toks = tokens(word)
    return len(toks) != 1 or not toks[0][1].startswith("NN") or toks[0][1] == "NNB"


# --- descriptors -----------------------------------------------------------
MARKS = [
    # Russian signs of a person: height, birthmark, metal tooth, glasses, scars
    r"(?<!\w)рост\s+(?:около\s+|примерно\s+|под\s+)?\d{3}\s*см",
    r"(?<!\w)(?:на\s+\w+(?:\s+(?:слева|справа))?\s+)?родимое\s+пятно[^.;\n]{0,40}",
    r"(?<!\w)(?:передн\w+\s+|золот\w+\s+|металлическ\w+\s+){1,2}зуб(?:ы)?(?:\s+металлическ\w+|\s+золот\w+)?",
    r"(?<!\w)(?:в\s+очках,?\s+)?со?\s+шрам\w*\s+на\s+\w+",
    # English injuries and conditions that single a person out
    r"\b(?:two|three|several|both)?\s*broken\s+(?:fingers?|ribs?|arms?|legs?|toes?)"
    r"(?:\s+on\s+(?:his|her)\s+(?:left|right)\s+(?:hand|foot))?",
    r"\b(?:left|right)\s+(?:index|middle|ring|little)?\s*(?:finger|thumb|hand|eye|ear)\s+missing\b",
    r"\ba\s+(?:heart|lung|kidney|liver|skin|eye)\s+(?:condition|disease)\b",
    r"\bthe\s+only\s+(?:[A-Z][a-z]+\s+){0,2}(?:woman|man|girl|boy|person|foreigner|Korean)"
    r"(?:\s+(?:at|in|on)\s+(?:the\s+)?\w+)?",
    r"(?<!\w)единственн\w+\s+(?:женщин|мужчин|коре|иностран)\w*(?:\s+(?:в|на)\s+\w+)?",
    # Korean marks: "왼쪽 눈썹에 칼자국", "손가락 두 개"
    r"(?:왼쪽|오른쪽)\s?[가-힣]{1,3}에\s?(?:칼자국|흉터|점|문신|화상\s?자국)",
    r"(?:손가락|발가락)\s?(?:한|두|세|네)\s?(?:개|마디)",
]
MARKS += [
    r"\b(?:an?\s+)?(?:(?:small|large|big|long|short|deep|old|faint|thin|wide|visible)\s+)+"
    r"(?:burn\s+mark|scar|burn|tattoo|birthmark|mole)\b[^.;\n\"”]{0,70}",
    r"(?<!\w)(?:[А-ЯЁа-яё]+(?:ой|ый|ий|ая)\s+)?(?:[Шш]рам|[Тт]атуировк|[Рр]одинк)\w*"
    r"[^.;\n]{0,60}",
    r"(?<!\w)(?:у\s+(?:него|неё|нее)\s+)?нет\s+половины\s+\w+\s+\w+|(?<!\w)без\s+пол-\w+",
    r"(?:왼손|오른손|왼쪽|오른쪽)?\s?[가-힣]*(?:약지|검지|중지|엄지|새끼손가락|손가락|끝마디)"
    r"[가-힣\s]{0,12}?(?:없어요|없다|없음|결손|절단)",
]
MARK_RES = [re.compile(p) for p in MARKS]
# The value of an occupation field: "профессия: вальщик леса", "Job: welder",
# "파견 전 직업: 군 피복공장 재봉 반장".
JOB_FIELD = re.compile(
    r"(?:[Пп]рофессия|[Дд]олжность|[Сс]пециальность|[Oo]ccupation|[Jj]ob|[Pp]rofession|[Pp]osition|"
    r"직업|직종|직책)(?:은|는)?\s*[:：]\s*([^\n.;]{2,60}?)\s*(?=[\n.;]|$)"
)
# The value of a health field: "Диагноз: открытый перелом ...", "Injuries: ...".
HEALTH_FIELD = re.compile(
    r"(?:[Дд]иагноз|[Тт]равм\w*(?:\s*/\s*здоровье)?|[Dd]iagnosis|[Ii]njur(?:y|ies)|진단명?|부상)"
    r"\s*[:：]\s*([^\n]{3,90}?)(?=\.\s|\.$|\n|$|;\s)"
)
MILITARY_RU = re.compile(r"(?<!\w)военнослужащ\w+(?:\s+[А-ЯЁ]{2,5}){1,2}")
# Time in a job: "стаж работы ...: 3 года 4 месяца"; a headcount "24 чел.".
RU_TENURE = re.compile(
    r"стаж\w*[^:\n]{0,40}:\s*(\d+\s+(?:года|год|лет)(?:\s+\d+\s+месяц\w*)?)", re.IGNORECASE
)
RU_HEADCOUNT = re.compile(r"(?<![\w.,])\d{1,4}\s*чел\.")
# Korean: "직업은 현장 배관공", "저는 트랙터 운전수였어요", "유일한 타일공",
# "작업반 부반장으로"; a training cohort "하나원 제281기".
KO_JOB = re.compile(
    r"(?:직업은|저는|나는|그는)\s+((?:[가-힣]+\s)?[가-힣]+(?:공|수|사|원|꾼))(?=였|이었|입니|이다|[.,]|\s*$)"
    r"|((?:[가-힣\d]+의\s)?유일한\s[가-힣]+(?:공|수|사|원|꾼|자))"
    r"|((?:작업반\s)?(?:부반장|분조장|부조장|조장|부소대장))(?=으로|이었|였)",
    re.MULTILINE,
)
# A training cohort and a trainee's number in it: "제281기", "제248기 37번".
# (Without 제 only with the trainee's number: "20기가" is gigabytes.)
KO_COHORT = re.compile(
    r"(?<![\w])(?:제\s?\d{2,4}기(?:\s?\d{1,3}번)?|\d{2,4}기\s?\d{1,3}번)(?!\d)"
)
# Russian "работал водителем погрузчика", "устроилась промывщицей на драге".
RU_WORKED_AS = re.compile(
    r"(?<!\w)(?:работал\w*|устроил\w*|числил\w*|являл\w*)\s+"
    r"((?:[а-яё]+(?:ым|ой|им)\s+)?[а-яё]{4,}(?:ом|ем|ой|ей|ицей|щицей)"
    r"(?:\s+(?:на|в)\s+[а-яё]+|\s+[а-яё]+(?:а|я|ов|ей))?)"
)
# Russian agentive job nouns standing as a list item: ", закройщица;"
RU_JOB_NOUN = re.compile(
    r"(?<=,\s)([а-яё]{3,}(?:щица|щик|чица|чик|истка|ист|ница|тель))(?=\s*[;,.\n])"
)
OCCUPATION_BARE = re.compile(
    r"(?<![\w-])(?:plasterer|welder|carpenter|bricklayer|tiler|roofer|crane operator|"
    r"excavator operator|seamstress|tailor|waitress|waiter|foreman|driver|logger|cook|"
    r"electrician|plumber|painter|rigger|scaffolder|mechanic|loader|cleaner|nanny|"
    r"housekeeper|caregiver|dishwasher)(?![\w-])"
    r"(?!\s+[A-Z])"
)
# Korean work done: a noun glued to 일 ("미장일 했던"), a clause before 일
# ("통나무 싣는 일 했어요"), a machine before 운전 ("지게차 운전을 하며").
KO_WORK = re.compile(
    r"(?<![가-힣])((?:[가-힣]+\s)?[가-힣]+(?:는|던)\s일|[가-힣]{1,4}일"
    r"|[가-힣]{2,4}\s(?:운전|용접|미장|벌목|배관))"
    r"(?:을|를)?\s?(?:했|하며|하고|합니|하는|하던)"
)
# Words ending in 일 that are days or times, not work (general vocabulary).
KO_NOT_WORK = re.compile(
    r"(?:매일|내일|휴일|평일|생일|주일|당일|종일|하루일|요일|[월화수목금토]요일|무슨일|그일|이일|"
    r"이런일|그런일|같은일|별일|큰일|딴일|다른일|한일|많은일|어떤일|일)"
)


def descriptors(text: str) -> list[Span]:
    out = [Span(m.start(), m.end(), DEM, Q) for rx in MARK_RES for m in rx.finditer(text)]
    for rx in (JOB_FIELD, RU_WORKED_AS, RU_JOB_NOUN, HEALTH_FIELD):
        out += [Span(m.start(1), m.end(1), DEM, Q) for m in rx.finditer(text)]
    out += [Span(m.start(), m.end(), DEM, Q) for m in MILITARY_RU.finditer(text)]
    for m in KO_JOB.finditer(text):
        g = next(i for i in (1, 2, 3) if m.group(i))
        out.append(Span(m.start(g), m.end(g), DEM, Q))
    out += [Span(m.start(), m.end(), MISC, Q) for m in KO_COHORT.finditer(text)]
    out += [Span(m.start(1), m.end(1), QUANTITY, Q) for m in RU_TENURE.finditer(text)]
    out += [Span(m.start(), m.end(), QUANTITY, Q) for m in RU_HEADCOUNT.finditer(text)]
    for m in OCCUPATION_BARE.finditer(text):
        out.append(Span(m.start(), m.end(), DEM, Q))
    for m in KO_WORK.finditer(text):
        phrase = m.group(1)
        if KO_NOT_WORK.fullmatch(phrase) or len(phrase) < 2:
            continue
        out.append(Span(m.start(1), m.end(1), DEM, Q))
    return [s for s in out if s.end > s.start]


# --- addresses -------------------------------------------------------------
# Lot-number addresses: province (or its short name), city or county,
# district, town (읍/면) and village (리) or 동, the lot ("산 12-3번지"), the
# building and the flat ("…612-3, 201호").
KO_LOT_ADDRESS = re.compile(
    rf"(?:(?:[가-힣]+(?:특별시|광역시|특별자치시|특별자치도|도)|{KO_PROVINCE_SHORT})\s+)?"
    r"[가-힣]+(?:시|군|구)\s+"
    r"(?:[가-힣]+구\s+)?(?:[가-힣]+(?:읍|면)\s+)?[가-힣]+(?:동|읍|면|리|가)\s+(?:산\s?)?\d+(?:-\d+)?(?:번지)?"
    rf"{KO_BUILDING_TAIL}"
)
RU_REGION_ADDRESS = re.compile(
    r"(?:\d{6},\s*)?(?:[А-ЯЁ][а-яё]+(?:ий|ый|ая)\s+(?:край|обл\.|область|р-н|район),\s*)*"
    r"(?:г\.|пос\.|с\.)\s*[А-ЯЁ][а-яё-]+,\s*"
    r"(?:ул\.|улица|пр\.|проспект|пер\.|переулок|[А-ЯЁ][а-яё]+\s+(?:проезд|шоссе|тупик))\s*"
    r"[А-ЯЁ]?[а-яё-]*,?\s*(?:д\.\s*)?\d+[а-я]?(?:,\s*(?:кв\.|корп\.|стр\.)\s*\d+)*"
)


# A Russian street with its number and the flat, office or plot after it,
# the house number with or without "д.": "ул. Набережная, 36, кв. 2".
_RU_UNIT = r"(?:кв\.|квартира|корп\.|корпус|стр\.|строение|оф\.|офис|уч\.|участок|комн\.)"
RU_STREET_FULL = re.compile(
    r"(?:(?:\d{6},\s*)?(?:[А-ЯЁ][а-яё]+(?:ий|ый|ая)\s+(?:край|обл\.|область),\s*)?"
    r"(?:г\.|пос\.|с\.)\s*[А-ЯЁ][а-яё-]+,\s*)?"
    r"(?<!\w)(?:ул\.|улица|пр\.|проспект|пер\.|переулок|наб\.|шоссе)\s*[А-ЯЁ][а-яё-]+"
    rf",?\s*(?:д\.|дом)?\s*\d+[а-я]?(?:/\d+)?(?:\s*,?\s*{_RU_UNIT}\s*\d+[а-я]?)*"
    r"(?:\s*\((?:общежитие|квартира|офис)\))?"
    # the town and postcode may follow the house: "…, оф. 12, г. Артём, 692760"
    r"(?:,\s*(?:г\.|город|пос\.|с\.)\s*[А-ЯЁ][а-яё-]+(?:,\s*\d{6}(?!\d))?)?"
)
# The same in Latin transliteration: "ul. Lazo 9, apt. 41", "ulitsa Aleutskaya 17".
RU_STREET_LATIN = re.compile(
    r"\b(?:ul\.|ulitsa|pr\.|prospekt|per\.|pereulok)\s*[A-Z][a-z-]+,?\s*(?:d\.\s*)?\d+[a-z]?"
    r"(?:\s*,?\s*(?:apt\.?|kv\.|flat|office)\s*\d+)?"
)
# Korean addresses in romanisation led by floor and number and closed by a
# postcode: "4F, 27 Seosomun-ro 11-gil, Jung-gu, Seoul 04516".
KR_ROMAN_FULL = re.compile(
    r"(?:\b(?:\d+F|B\d+|Room\s+\d+),\s*)?\b\d+(?:-\d+)?\s+[A-Z][a-z]+-(?:ro|gil|daero)"
    r"(?:\s+\d+(?:beon)?-gil)?(?:,\s*[A-Z][a-z]+-(?:gu|dong|si|gun|eup|myeon))*"
    r"(?:,\s*[A-Z][a-z]+(?:\s+\d{5})?)?"
)


def addresses(text: str) -> list[Span]:
    out = [Span(m.start(), m.end(), ADDRESS, D) for m in KO_LOT_ADDRESS.finditer(text)]
    for rx in (RU_STREET_FULL, RU_STREET_LATIN, KR_ROMAN_FULL):
        out += [Span(m.start(), m.end(), ADDRESS, D) for m in rx.finditer(text)]
    out += [Span(m.start(), m.end(), ADDRESS, D) for m in RU_REGION_ADDRESS.finditer(text)]
    return out


def find(text: str) -> list[Span]:
    return (
        codes(text) + dates(text) + organisations(text) + persons(text)
        + descriptors(text) + addresses(text)
    )
