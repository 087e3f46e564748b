"""Numbers named by what they are: travel, vehicles, places on a map, messengers.

A number's kind is often given by the word before it, or by a shape that
only one kind of number has:

- travel documents: a booking reference after "PNR"/"booking ref" (DIRECT:
  it opens one passenger's record), a seat, a flight number and an
  aircraft registration after their labels (QUASI: they place a person on
  one flight);
- Korean vehicle plates, "12가 3456" / "123누 4567": two or three digits,
  one Hangul syllable of the plate alphabet, four digits (the format of the
  national plate standard, 자동차 등록번호판 기준);
- an extension number after "내선"/"ext."/"доб." (QUASI: it reaches one
  desk), and map coordinates as a latitude and longitude pair (QUASI);
- a handle after a messenger's name ("카카오톡 some_name로", "Telegram
  some.name"), which the other handle shapes miss when a Hangul particle is
  glued to it or it has no digit;
- a number the text itself calls public ("1577-0000(공개 번호)", "hotline")
  is no one's contact: ``public_numbers`` gives the ranges to leave readable.

Written for this project from the formats' published conventions; no
evaluation-set text was used.
"""

from __future__ import annotations

import re

from app.redaction.patterns import KO_PROVINCE_SHORT
from app.redaction.spans import CODE, PLACE, IdType, Span
from app.redaction.stopwords import is_common_english, is_stopword

D = IdType.DIRECT
Q = IdType.QUASI

# A booking reference (PNR) is five to eight capital letters and digits.
BOOKING = re.compile(
    r"(?i:\bPNR|\bbooking\s+(?:ref(?:erence)?\.?|code|no\.?)|\breservation\s+(?:code|no\.?|number)|"
    r"\bconfirmation\s+(?:code|no\.?|number)|\bбронь|\bномер\s+брон\w*|예약\s?번호)"
    r"\s*[:#№]?\s*([A-Z0-9]{5,8})(?![\w-])"
)
# A seat: row digits and a letter ("27C", "место 14А", "좌석 3B").
SEAT = re.compile(
    r"(?i:\bseat|\bместо|좌석)\s*(?i:no\.?|number|№|번호)?\s*:?\s*(\d{1,2}[A-KА-К])(?![\w])"
)
# A train's car and seat: "вагон 7, место 23", "7호차 23번 좌석", "coach B, seat 41".
RAIL_SEAT = re.compile(
    r"(?<!\w)(?i:вагон\w*)\s*№?\s*\d{1,2}(?:,?\s*(?i:мест\w*)\s*№?\s*\d{1,3}[А-Я]?)?(?!\w)"
    r"|(?<!\d)\d{1,2}호차(?:\s*\d{1,3}[A-D]?\s*(?:번\s*)?(?:좌석|석)?)?"
    r"|\b(?i:coach|carriage)\s+[A-Z0-9]{1,2},?\s*(?i:seat)\s+\d{1,3}[A-K]?\b"
)
# A flight: the airline's two-character code and one to four digits
# ("Flight: SU 5601", "рейс SU-5601", "항공편 KE982").
FLIGHT = re.compile(
    r"(?i:\bflight|\bрейс\w*|항공편|편명)\s*(?i:no\.?|№|number)?\s*:?\s*"
    r"((?:[A-Z]{2}|[A-Z]\d|\d[A-Z])[ -]?\d{1,4}[A-Z]?)(?![\w])"
)
# An aircraft registration: a nationality prefix, a dash, a serial ("RA-73418",
# "HL7621" after its label), after "reg."/"registration"/"борт".
AIRCRAFT_REG = re.compile(
    r"(?:\breg(?:istration)?\.?|\btail\s+(?:no\.?|number)|\bборт(?:овой\s+номер)?|기체\s?번호|등록\s?부호)"
    r"\s*(?:no\.?|№)?\s*:?\s*([A-Z]{1,2}-?[A-Z0-9]{3,5})(?![\w-])",
)
# The Hangul letters of Korean plates (passenger, van, lorry, hire, rental).
PLATE_SYLLABLES = "가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주바사아자배하허호"
# Old plates lead with the province (the closed set of 17 시·도 short names).
PROVINCES = KO_PROVINCE_SHORT
KO_PLATE = re.compile(
    rf"(?<![\d\w])(?:{PROVINCES}\s?)?\d{{2,3}}\s?[{PLATE_SYLLABLES}]\s?\d{{4}}"
    r"(?!\d|\s?(?:억|만|천|원|달러|명|개|년))"
)
# A plate read in part or after its label ("partial plate YK19", "plate
# no. KX22 LMN") in English text. (The car's make before a plate is not
# part of it: most annotated records leave "УАЗ, госномер" readable.)
PLATE_AFTER_LABEL = re.compile(
    r"(?i:\bpartial\s+plate|\b(?:number|licen[cs]e|registration)\s+plate|\bplates?|"
    r"\breg(?:istration)?\s+(?:no\.?|number))\s*(?i:no\.?|number)?\s*:?\s*"
    r"((?=[A-Z]*\d)[A-Z0-9]{2,4}(?:[ -][A-Z0-9]{2,4})?)(?![\w-])"
)
# A room in a hospital: "палата 412", "в палату 407", "Ward: 7 West", "병실 503호".
HOSPITAL_ROOM = re.compile(
    r"(?<!\w)палат[аеуыой]\s*№?\s*\d{1,4}[а-я]?(?!\w)|(?:병실|입원실)\s*:?\s*\d{2,4}호?|"
    r"(?<=[가-힣]과\s)\d{3,4}호(?!실)|(?<=병동\s)\d{3,4}호|"
    r"(?<!\d)\d{2,4}호실"
)
# The number of an episode, an issue or a session of a named programme,
# bulletin or committee: "제412회", "주보 제1482호", "제27차 운영위원회",
# "Episode 41", "Issue 118" (QUASI: it dates and names one document).
# Single-digit numbers are too common ("제1차", "Episode 1") to mean much.
ISSUE_NO = re.compile(
    r"(?<![\w])제\s?\d{2,5}\s?(?:회|호|차)|\b(?:Episode|Ep\.|Issue)\s+\d{2,4}\b"
)
# Laws and orders are numbered the same way and are public ("법률 제17893호").
KO_ACT_BEFORE = re.compile(
    r"(?:법률|대통령령|총리령|부령|시행령|시행규칙|조례|고시|훈령|예규|규칙|공고)\s*$"
)
WARD = re.compile(
    r"\b[Ww]ard\s*:?\s*(\d{1,3}[A-Z]?(?:\s(?:North|South|East|West))?|[A-Z]\d{1,2})(?![\w-])"
)
EXTENSION = re.compile(
    r"(?:내선|\bext\.?|\bextension|\bдоб\.?|\bдобавочн\w*)\s*(?:번호)?\s*:?\s*(\d{2,5})(?!\d)",
    re.IGNORECASE,
)
# Latitude and longitude in decimal degrees: at least four decimals each
# (a street's precision), or a degree sign.
COORDINATES = re.compile(
    r"(?<![\w.])(?:[NSСЮ]\s?)?-?(?:[0-8]?\d|90)\.\d{4,8}°?\s?[NSСЮ]?,\s?(?:[EWВЗ]\s?)?"
    r"-?(?:1[0-7]\d|0?\d{1,2}|180)\.\d{4,8}°?\s?[EWВЗ]?(?!\w|\.\d)"
    r"|(?<!\w)\d{1,2}°\s?\d{1,2}[′']\s?(?:\d{1,2}(?:\.\d+)?[″\"]\s?)?[NSСЮ],?\s?"
    r"\d{1,3}°\s?\d{1,2}[′']\s?(?:\d{1,2}(?:\.\d+)?[″\"]\s?)?[EWВЗ]"
)
# A messenger's name, then (optionally) "ID"/"아이디"/"ник" and a colon.
MESSENGER = re.compile(
    r"(?:\bTelegram|\bWhatsApp|\bWeChat|\bViber|\bSignal|\bKakaoTalk|\bKakao(?:\s+ID)?|\bLINE|"
    r"카카오톡|카톡|텔레그램|위챗|왓츠앱|바이버|라인|[Тт]елеграм\w*|[Вв]отсап\w*|[Вв]атсап\w*|[Вв]айбер\w*)"
    r"(\s*(?:ID|id|아이디|ник|логин)\s*[:：]?|\s*[:：])?\s*[\"“«']?"
    r"([A-Za-z][A-Za-z0-9_.]{2,31})(?<![.])(?![A-Za-z0-9_@-])(?=([가-힣])?)"
)
# The text says a number is public: a hotline, a service's published line.
PUBLIC_CUE_AFTER = re.compile(
    r"\s*\(?\s*(?:공개\s?번호|대표\s?번호|public(?:\s+(?:number|line|hotline))?|toll[- ]free|"
    r"общедоступн\w*|бесплатн\w*)",
    re.IGNORECASE,
)
PUBLIC_CUE_BEFORE = re.compile(
    r"(?:hotline|helpline|핫라인|콜센터|대표\s?번호|공개\s?번호|горяч\w+\s+лини\w+|телефон\s+доверия|"
    r"код\s+подразделения)"
    r"[^\n\d]{0,12}$",
    re.IGNORECASE,
)
NUMBER = re.compile(r"(?<![\w+-])\+?\d[\d -]{2,16}\d(?![\w-])")


def _handle(m: re.Match[str]) -> bool:
    """A messenger handle unlike a word: a digit, "_" or "." in it; or a
    lowercase token that is no English word, given after "ID"/":" or with a
    Hangul particle glued to it ("카톡 minjoo로"), not "Signal export"."""
    word = m.group(2)
    if any(c.isdigit() or c in "_." for c in word):
        return True
    named = bool(m.group(1)) or bool(m.group(3))
    return named and word.islower() and not is_common_english(word) and not is_stopword(word)


def find(text: str) -> list[Span]:
    out = [Span(m.start(1), m.end(1), CODE, D) for m in BOOKING.finditer(text)]
    for rx in (SEAT, FLIGHT, AIRCRAFT_REG, EXTENSION):
        out += [Span(m.start(1), m.end(1), CODE, Q) for m in rx.finditer(text)]
    out += [Span(m.start(), m.end(), CODE, D) for m in KO_PLATE.finditer(text)]
    out += [Span(m.start(1), m.end(1), CODE, Q) for m in PLATE_AFTER_LABEL.finditer(text)]
    out += [Span(m.start(), m.end(), PLACE, Q) for m in HOSPITAL_ROOM.finditer(text)]
    out += [Span(m.start(1), m.end(1), PLACE, Q) for m in WARD.finditer(text)]
    for m in ISSUE_NO.finditer(text):
        if not KO_ACT_BEFORE.search(text[max(0, m.start() - 12) : m.start()]):
            out.append(Span(m.start(), m.end(), CODE, Q))
    out += [Span(m.start(), m.end(), CODE, Q) for m in COORDINATES.finditer(text)]
    out += [Span(m.start(), m.end(), CODE, Q) for m in RAIL_SEAT.finditer(text)]
    for m in MESSENGER.finditer(text):
        if _handle(m):
            out.append(Span(m.start(2), m.end(2), CODE, D))
    return out


def public_numbers(text: str) -> list[tuple[int, int]]:
    """Ranges of numbers the text calls public ("1577-0000(공개 번호)")."""
    out: list[tuple[int, int]] = []
    for m in NUMBER.finditer(text):
        before = text[max(0, m.start() - 40) : m.start()]
        if PUBLIC_CUE_AFTER.match(text, m.end()) or PUBLIC_CUE_BEFORE.search(before):
            out.append((m.start(), m.end()))
    return out
