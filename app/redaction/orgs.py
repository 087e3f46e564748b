"""Organisations and work units: companies, churches, sites, brigades.

Dispatching companies ("Korea X Trading Company"), Russian employers ("X
LLC", "OOO X"), numbered units ("Brigade 7", "Sector 12") and named sites
identify a team, so they are QUASI. Hangul and Cyrillic forms are handled
in ``korean.py`` and ``russian.py``.
"""

from __future__ import annotations

import re

from app.redaction import authorities
from app.redaction.names import first_names
from app.redaction.spans import ORG, PLACE, IdType, Span
from app.redaction.stopwords import is_stopword

Q = IdType.QUASI


def _wordlist(words: str) -> list[str]:
    return words.split()

# A dot only inside a word ("U.S."), so "Kim Jong Il. Brigade leader" does
# not run across a sentence end.
CAPWORD = r"[A-Z](?:[\w'’&-]|\.(?!\s))*"
ORG_HEAD = (
    r"(?:Company|Corporation|Corp\.|Co\.|LLC|Ltd\.?|Limited|Inc\.?|Enterprise|Group|Holding|"
    r"Holdings|Factory|Mill|Mine|Farm|Church|Mission|Cathedral|Temple|University|Institute|"
    r"College|School|Academy|Hospital|Clinic|Shelter|Centre|Center|House|Prison|Studio|Bank|"
    r"Bureau|Agency|Association|Foundation|Fund|Trust|Cooperative|Combine|Complex|Works|"
    r"Law Centre|Court|Directorate|Prosecutor|Office|Department|Ministry|Tribunal|Board|Hotel|"
    r"Restaurant|Market|Camp|Base|Port|Shipyard|Plant|Navy|Society|Police|Brigade|Regiment|"
    # legal forms and trade heads of firms (general business vocabulary): "X & Y LLP",
    # "X Airways", "X Plumbing", a charity's "X Food Bank"
    r"LLP|PLC|plc|GmbH|Solicitors|Associates|Airways|Airlines|Aviation|Lettings|Estates|"
    r"Removals|Joinery|Carpentry|Plumbing|Roofing|Glazing|Electrical|Decorators|Food\s+Bank)"
)
EN_ORG = re.compile(
    # (a name does not run across a line break: "VISIT LOG\nSee X LLP")
    rf"\b(?:St\.[ \t]+)?(?:{CAPWORD}[ \t]+(?:(?:and|of|&)[ \t]+)?){{1,6}}{ORG_HEAD}"
    rf"(?:\s+(?:of|for)\s+(?:the\s+)?{CAPWORD}(?:\s+{CAPWORD}){{0,2}})?"
)
NAMEWORD = r"[A-Z][\w'’&-]*"
LATIN_COMPANY = re.compile(
    rf"\b(?:OOO|OAO|ZAO|AO|PAO)\s+"
    rf"(?:[\"“«][^\"”»\n]{{1,60}}[\"”»]|{NAMEWORD}(?:\s+{NAMEWORD})?)"
)
# "Myongchon County", "Kowon City", "Hwasong-gun": a unit below province level.
ADMIN_UNIT = re.compile(
    r"\b[A-Z][a-zŏŭ'’]+(?:-[a-z]+)?\s+(?:County|City|District|Township|Workers'? District)\b"
    r"|\b[A-Z][a-zŏŭ'’]+-(?:gun|kun|si|shi|guyok|kuyok|up|ŭp|eup|myon|myeon)\b"
)
UNIT = re.compile(
    r"\b(?:[Bb]rigade|[Tt]eam|[Uu]nit|[Ss]ector|[Ss]ection|[Ss]quad|[Pp]latoon|[Cc]amp|[Ss]ite|"
    r"[Ww]ork [Tt]eam|[Dd]ormitory|[Bb]lock|[Bb]arracks|[Pp]lot|[Ll]ine|[Ss]hift|[Cc]rew|"
    r"[Ww]orkshop|"
    r"[Dd]etachment|[Ww]orkgroup|[Gg]ang)\s+(?:no\.\s*|No\.\s*|number\s+|#)?"
    r"\d+(?:-\d+)?[A-Z]?\b"
)
# "the 12th Construction Brigade", "3rd Shock Brigade": ordinal work units.
ORDINAL_UNIT = re.compile(
    r"\b\d{1,3}(?:st|nd|rd|th)\s+(?:[A-Z][a-z]+\s+){0,2}(?:Brigade|Team|Unit|Section|Squad|"
    r"Battalion|Regiment|Company|Detachment|Work Team|Sector)\b"
)
# Russian firm names transliterated into Latin are built from a few stems
# ("Primtekhstroi", "Dalrybprom", "TaigaLes-Invest", "Amurstroy"): a
# capitalised word ending in one is a firm. Stems from general Russian
# business vocabulary (stroi = construction, prom = industry, torg = trade...).
_STEMS = _wordlist(
    """
    stroi stroy invest prom torg trans servis holding snab montazh tekh tech agro neft gaz
    rybprom produkt metall energo komplekt ekspert resurs trest mebel tekstil
    """
)
# Short stems that end ordinary names ("Charles", "Crystal") count only after a hyphen.
_HYPHEN_STEMS = ["les", "stal", "flot", "avto", "mash", "ryb"]
RU_FIRM_STEM = "(?:" + "|".join(f"[{s[0].upper()}{s[0]}]{s[1:]}" for s in _STEMS) + ")"
RU_LATIN_FIRM = re.compile(
    rf"\b[A-Z][a-z]{{2,}}(?:-?[A-Z]?[a-z]+)*?{RU_FIRM_STEM}(?:-[A-Z][a-z]+)?\b"
    rf"|\b[A-Z][a-z]{{2,}}-(?:{'|'.join(s.capitalize() for s in _HYPHEN_STEMS)})\b"
)
# A capitalised name in the slot of an employer: "worked for X", "a company, X".
EMPLOYER = re.compile(
    r"(?:\b(?:work(?:s|ed|ing)?|employed|hired|contracted|subcontracted|sent)\s+(?:for|by)|"
    r"\b(?i:company|contractor|subcontractor|employer|firm|agency)(?:\s+called|\s+named)?,?)"
    r"\s+((?:[A-Z][\w'’&-]+)(?:\s+[A-Z][\w'’&-]+){0,2})"
)
PRISON = re.compile(r"\b(?:HMP|HM Prison|HMYOI)\s+[A-Z][\w-]+")
# Where someone lives or works: "lives in Bristol", "practising in Oxfordshire".
RESIDENCE = re.compile(
    r"\b(?:lives?|lived|living|resides?|resided|residing|born|practising|practicing|based|"
    r"detained|settled|moved|works?|worked|working|stayed|hiding|hid)\s+(?:\w+\s+)?(?:in|at|to|near)\s+"
    r"((?:the\s+)?[A-ZÀ-ÖØ-ÞİŞÇĞÜÖ][\w’'-]+(?:(?:,\s*|\s+)[A-ZÀ-ÖØ-ÞİŞÇĞÜÖ][\w’'-]+)?)"
)


# A ship by its name and number after a word for a vessel: "a crab-processing
# ship out of Nakhodka, the Vostok-Sever 7", "the trawler Polar Star 3".
SHIP = re.compile(
    r"\b(?:ship|vessel|trawler|boat|tanker|freighter|seiner|factory\s+ship)\b[^.\n]{0,40}?"
    r"\bthe\s+([A-Z][a-z]+(?:-[A-Z][a-z]+)?(?:\s[A-Z][a-z]+)?\s\d{1,3})\b"
    r"|\b(?:trawler|vessel|ship|seiner)\s+((?:[A-Z][a-z]+(?:-[A-Z][a-z]+)?\s){1,2}\d{1,3})\b"
)
# A hospital ward or room: "Ward: 7 West", "палата 412", "в палату 407".
WARD = re.compile(
    r"\bWard\s*:\s*(\d{1,2}\s?[A-Z][a-z]+|[A-Z][a-z]+\s?\d{0,2})"
    r"|(?<!\w)(палат[аеуы]\s+№?\s?\d{1,4})(?!\d)"
)
# A Russian business by its quoted name after its kind: "клинику «Медина»".
# (the older sets mark the quoted name only, the kind word stays outside)
RU_QUOTED_BUSINESS = re.compile(
    r"(?<!\w)(?:клиник|больниц|аптек|кафе|ресторан|магазин|гостиниц|отел|хостел|столов|парикмахерск|"
    r"салон|автосервис|фирм|компани)[а-яё]*\s+(«[^»\n]{2,40}»)"
)
# A Korean quoted name with its kind outside the quotes: "'통일한마당' 동아리",
# "'평양관' 식당", "단체 '다리놓기'".
# (kinds of body and shop: general Korean vocabulary)
_KO_KIND = r"(?:동아리|식당|교회|단체|모임|센터|가게|회사|공장|업체|학원|카페|선교회)"
KO_QUOTED_KIND = re.compile(
    rf"['‘\"“][가-힣A-Za-z\d][가-힣A-Za-z\d ]{{0,18}}['’\"”]\s?{_KO_KIND}"
    r"(?=(?:에서|에게|으로|에|의|은|는|이|가|을|를|도|과|와|로)?(?![가-힣]))"
    rf"|{_KO_KIND}\s['‘\"“]([가-힣A-Za-z\d][가-힣A-Za-z\d ]{{0,18}})['’\"”]"
)
# Two names joined by an ampersand are a firm: "Harlow & Finch", "Birch & Okoro".
AMPERSAND_FIRM = re.compile(r"\b[A-Z][a-z]{2,}\s+&\s+[A-Z][a-z]{2,}\b")
# A parish by its dedication: "Holy Name parish", "St Innokenty parish".
EN_PARISH = re.compile(r"\b(?:St\.?\s+)?(?:[A-Z][a-z]+\s+){1,3}parish\b")
# Korean firms and associations by their legal form ("(주)X", "(사)X", "X(주)",
# "법무법인 X", "주식회사 X"), and banks and insurers by their head ("X은행",
# "X손해보험"): the employer, the witness's bank, the helping body.
_KO_NAME = r"[가-힣A-Za-z0-9]{2,15}"
KO_LEGAL_FORM = re.compile(
    rf"\((?:주|사|재|유|합|株)\)\s?{_KO_NAME}|(?<![가-힣\d]){_KO_NAME}\(주\)"
    r"|(?:법무법인|특허법인|회계법인|세무법인|노무법인|주식회사|유한회사|사단법인|재단법인|"
    r"의료법인)\s?"
    rf"(?:\(\w+\)\s?)?{_KO_NAME}"
    r"|(?<![가-힣])[가-힣]{2,6}(?:은행|손해보험|생명보험|캐피탈|증권)(?![가-힣]{2})"
)
_KO_PARTICLE_END = re.compile(
    r"(?:에서|으로|에게|까지|부터|이고|이며|의|에|은|는|을|를|와|과|로|가|도)$"
)


def _ko_firms(text: str) -> list[Span]:
    out: list[Span] = []
    for m in KO_LEGAL_FORM.finditer(text):
        end = m.end()
        tail = _KO_PARTICLE_END.search(m.group(0))
        if tail and not m.group(0).endswith(")") and len(m.group(0)) - len(tail.group(0)) >= 3:
            end -= len(tail.group(0))
        out.append(Span(m.start(), end, ORG, Q))
    return out


# Function words of an English heading (a closed class).
_HEADER_FUNCTION = frozenset(
    ["THE", "A", "AN", "AND", "OR", "OF", "FOR", "TO", "IN", "ON", "AT", "BY", "WITH", "FROM",
     "AS", "IS", "ARE", "WAS", "NOT", "NO"]
)


def _capital_headers(text: str) -> list[Span]:
    out: list[Span] = []
    # Stop words go to lower case, so "THE FACTS AND THE LAW" is no name.
    titled = re.sub(
        r"\b[A-Z]{2,}\b",
        lambda w: w.group(0).lower() if w.group(0) in _HEADER_FUNCTION else w.group(0).capitalize(),
        text,
    )
    offset = 0
    for line in titled.split("\n"):
        for m in EN_ORG.finditer(line):
            original = text[offset + m.start() : offset + m.end()]
            words = [w for w in original.split() if re.search(r"[A-Za-z]", w)]
            if len(words) >= 3 and all(w.upper() == w for w in words):
                out.append(Span(offset + m.start(), offset + m.end(), ORG, Q))
        offset += len(line) + 1
    return out


# Korean local police: a box ("원곡지구대", "X파출소") with its station ahead of it,
# or a station that ``authorities.local_police`` leaves to be masked.
KO_POLICE = re.compile(
    r"(?:[가-힣]{2,10}경찰서\s?)?[가-힣]{2,8}(?:지구대|파출소)|[가-힣]{2,10}경찰서"
)


def _ko_police(text: str) -> list[Span]:
    out: list[Span] = []
    for m in KO_POLICE.finditer(text):
        if m.group(0).endswith("경찰서") and not authorities.local_police(text, m):
            continue
        out.append(Span(m.start(), m.end(), ORG, Q))
    return out


def find(text: str) -> list[Span]:
    out: list[Span] = _ko_police(text) if "경찰" in text or "파출소" in text else []
    if re.search(r"[가-힣]", text):
        out += _ko_firms(text)
        for m in KO_QUOTED_KIND.finditer(text):
            g = 1 if m.group(1) else 0
            out.append(Span(m.start(g), m.end(g), ORG, Q))
    out += [Span(m.start(), m.end(), ORG, Q) for m in EN_PARISH.finditer(text)]
    out += [Span(m.start(), m.end(), ORG, Q) for m in AMPERSAND_FIRM.finditer(text)]
    out += [Span(m.start(1), m.end(1), ORG, Q) for m in RU_QUOTED_BUSINESS.finditer(text)]
    for rx, cat in ((SHIP, ORG), (WARD, PLACE)):
        for m in rx.finditer(text):
            g = 1 if m.group(1) else 2
            out.append(Span(m.start(g), m.end(g), cat, Q))
    # Capitals headers ("KINGSTON & MALDEN COMMUNITY FOOD BANK") are read
    # title-cased; only what lies in the capitals is taken.
    if re.search(r"\b[A-Z]{3,}\s+[A-Z]{3,}", text):
        out += _capital_headers(text)
    for m in EN_ORG.finditer(text):
        start = m.start()
        head = re.match(r"(?:The|This|That|A|An)\s+", m.group(0))
        if head:
            start += head.end()
        # "Denis Golovin of Primsoft LLC": a person of an organisation.
        left, sep, _ = m.group(0).partition(" of ")
        if sep and left.split()[0] in first_names():
            start = m.start() + len(left) + len(sep)
        if start < m.end():
            out.append(Span(start, m.end(), ORG, Q))
    for m in LATIN_COMPANY.finditer(text):
        out.append(Span(m.start(), m.end(), ORG, Q))
    for m in UNIT.finditer(text):
        out.append(Span(m.start(), m.end(), ORG, Q))
    for m in ADMIN_UNIT.finditer(text):
        if not is_stopword(m.group(0).split()[0].split("-")[0]):
            out.append(Span(m.start(), m.end(), PLACE, Q))
    for m in ORDINAL_UNIT.finditer(text):
        out.append(Span(m.start(), m.end(), ORG, Q))
    for m in RU_LATIN_FIRM.finditer(text):
        out.append(Span(m.start(), m.end(), ORG, Q))
    for m in EMPLOYER.finditer(text):
        words = m.group(1).split()
        if any(is_stopword(w) for w in words) or words[0] in first_names():
            continue
        out.append(Span(m.start(1), m.end(1), ORG, Q))
    for m in PRISON.finditer(text):
        out.append(Span(m.start(), m.end(), ORG, Q))
    for m in RESIDENCE.finditer(text):
        out.append(Span(m.start(1), m.end(1), PLACE, Q))
    return out

