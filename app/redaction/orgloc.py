"""Organisations, workplaces, lodgings and addresses by their grammar (en/ru/ko).

What ``orgs.py`` and ``hangul.py`` leave out, as classes of phrase rather
than names:

- English organisation names ending in the head nouns of NGOs, service
  providers and small firms ("X Legal Aid", "X Resettlement Services",
  "X Rights Network", "X Code Solutions"), also in capitals, with their
  acronym defined in parentheses and their short form (the words before the
  head) where they recur;
- named facilities ("X bus station", "X Terminal 4", "X residential block")
  and a workplace phrase located by a named place ("a port construction site
  in X", "the X tower project in Y");
- where workers slept: a lodging noun phrase after a verb of living ("lived
  in two containers behind the barn", "жили в вагончиках за складом");
- Russian workplaces by head noun after в/на ("на рыбокомбинате", "на
  строительстве тепличного комплекса"), Korean compound workplaces ("자동차
  부품 공장", "물류창고 건설 현장") before a particle;
- addresses: North American (unit, number, street type, city, province or
  state code, postcode), a Russian street adjective with a house number
  ("на Ленинградскую, 58"), garden partnerships ("СНТ «X», 4-я линия, уч.
  12") and Hangul renderings of foreign streets ("X 시, Y 거리 14-37").

Word lists here are written for this project from general vocabulary of
the three languages; no evaluation-set text.
"""

from __future__ import annotations

import re

from app.redaction.orgloc_addresses import KO_FOREIGN_STREET, NA_ADDRESS, RU_DACHA, RU_STREET_NUMBER
from app.redaction.spans import ADDRESS, DEM, ORG, PLACE, IdType, Span
from app.redaction.stopwords import is_common_english, is_stopword

D = IdType.DIRECT
Q = IdType.QUASI

# Head nouns of civil-society bodies, service providers and small firms
# (orgs.ORG_HEAD has the companies, churches, schools, bodies of state).
EN_HEAD = (
    r"(?:Legal\s+Aid|Legal\s+Clinic|Services|Service|Network|Collective|Solutions|Processing|"
    r"Link|Partners|Partnership|Initiative|Alliance|Coalition|Project|Watch|Fellowship|"
    r"Ministries|Outreach|Support|Rescue|Relief|Aid|Action|Forum|Circle|Union|Federation|"
    r"Charity|Trading|Logistics|Construction|Constructions|Industries|Systems|Technologies|"
    r"Consulting|Motors|Foods|Fisheries|Seafood|Seafoods|Textiles|Garments|Apparel|Fashion|"
    r"Tailoring|Cafe|Café|Bakery|Salon|Store|Stores|Shop|Kitchen|Diner|Bistro|Canteen|Tavern|"
    r"Transport|Shipping|Freight|Cargo|Builders|Contractors|Engineering|Developers|Labs?|"
    r"Media|Consultancy|Agencies|Recruitment|Staffing|Manpower|Cleaning|Laundry|"
    r"Refuge|Hostel|Haven|Friends|Friendship|Volunteers|Advocates|Advocacy|"
    r"Counselling|Counseling|Care|Mission|Centre|Center)"
)
_CAP = r"[A-Z][\w'’&-]*"
_CALENDAR = re.compile(
    r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|January|February|March|April|May|June|July|"
    r"August|September|October|November|December|Night|Morning|Evening|Day|Week"
)
_NATIONALITY = re.compile(r"[A-Z][a-z]+(?:an|ese|ish|ic|i)")
EN_NAMED = re.compile(rf"\b((?:{_CAP}[ \t]+){{1,5}}?){EN_HEAD}\b")
_PLACE_AFTER_HEAD = re.compile(r" ([A-Z][a-z]{2,})(?=[.,;:)\n]|$)")
ACRONYM_DEF = re.compile(r"\s*\(([A-Z][A-Z&]{1,9})\)")
# Determiners and words that open a sentence without naming anything.
_LEAD = frozenset(
    [
        "the", "a", "an", "this", "that", "these", "those", "our", "my", "his", "her", "their",
        "your", "its", "every", "each", "any", "some", "no", "social", "legal", "health",
        "public", "local", "city", "state", "federal", "national", "international"
    ]
)
# Function words that open a noun phrase's run without being its modifier.
_FUNCTION = frozenset(
    [
        "one", "from", "of", "to", "for", "with", "at", "in", "on", "by", "and", "or", "that",
        "this", "the", "a", "an"
    ]
)
# A capitalised word or place, then a facility: "Zeya bus station".
FACILITY = re.compile(
    rf"\b((?:{_CAP}\s+){{1,3}})(?:(?:bus|railway|train|coach|ferry|petrol|gas|metro|police)\s+"
    r"station|station|bus\s+stop|depot|terminal|residential\s+(?:block|complex|site)|"
    r"(?:tower|housing|building|construction)\s+(?:project|site)|workshop|shipyard|dockyard|"
    r"warehouse|market|bazaar|dormitory|hostel|sawmill|landing)\b"
    r"(?:\s+\d{1,3}[A-Z]?\b)?"
    rf"|\b{_CAP}\s+(?:Terminal|Gate|Pier|Berth|Platform)\s+\d{{1,3}}[A-Z]?\b"
)
# A workplace phrase located by a named place: "a port construction site in X".
EN_WORK_HEAD = (
    r"(?:site|project|plant|factory|yard|workshop|warehouse|farm|mine|camp|block|shipyard|"
    r"restaurant|market|mill|sawmill|greenhouse|kitchen|canteen|depot|quarry)"
)
EN_LOCATED = re.compile(
    rf"\b(?:a|an|the)\s+((?:[A-Za-z][\w-]+\s+){{0,3}}{EN_WORK_HEAD})\s+(?:in|on|at|near)\s+"
    rf"(?:the\s+)?((?:ulitsa\s+|Ulitsa\s+)?{_CAP}(?:\s+{_CAP}){{0,2}})"
)
# Lodgings after a verb of living: the whole noun phrase is where they were.
EN_LODGING = re.compile(
    r"\b(?:lived|lives|living|stayed|staying|slept|sleeping|housed|kept|put\s+up|accommodated)"
    r"\s+(?:in|at|inside)\s+((?:(?:a|an|the|two|three|four|five|several|old|small|"
    r"[a-z]+ed|[a-z]+ing)\s+){0,3}(?:[a-z]+\s+)?(?:containers?|barns?|sheds?|trailers?|wagons?|"
    r"dormitor(?:y|ies)|hostels?|barracks|huts?|cabins?|basements?|tents?|garages?|warehouses?|"
    r"caravans?|portakabins?|cabins)(?:\s+(?:behind|next\s+to|near|beside|under|above|at|on)\s+"
    r"(?:the\s+)?(?:[a-z]+\s+)?[a-z]+)?)"
)
# Russian: a lodging after a verb of living, up to a clause break.
RU_LODGING = re.compile(
    r"(?<!\w)(?i:жил[аи]?|живут|живёт|живет|проживал[аи]?|проживают|проживает|ночевал[аи]?|"
    r"поселили|разместили|размещены|размещались|спали)\s+(?:вместе\s+[^,.;\n]{0,30}?\s+)?"
    r"(?:в|во|на)\s+((?:(?:двух|трёх|трех|четырёх|[а-яё]+(?:ом|ем|ой|ых|их))\s+){0,2}"
    r"(?:вагончик|вагон-домик|бытовк|общежити|барак|ангар|контейнер|подвал|казарм|палатк|гараж|"
    r"времянк|балк)[а-яё]*(?:\s+[а-яё]+(?:ого|его|ой|ых|ка|ки|ка)){0,2}"
    r"(?:\s+(?:за|на|при|у|возле|около)\s+(?!территори)(?:ул\.\s*)?[А-ЯЁа-яё-]+){0,2})"
)
# Russian workplaces by head noun after в/на (the dative/prepositional form).
RU_WORK = re.compile(
    r"(?<!\w)(?:на|в)\s+((?:[а-яё]+(?:ом|ой|ем|ых)\s+){0,2}(?:рыбокомбинат|комбинат|завод|фабрик|"
    r"стройплощадк|стройк|строительств|лесозаготовк|лесопилк|пилорам|автомойк|автосервис|"
    r"рудник|шахт|верфи|судоверфи|плодоовощн\w+\s+баз|овощебаз|птицефабрик|свиноферм|"
    r"тепличном\s+комплекс|рыбозавод|цех)(?:е|у|и|ах)"
    r"(?:\s+(?:[а-яё]+(?:ого|его|ой|ых)\s+)?(?:комплекс|объект|дом|завод|корпус|цех|порт|"
    r"моста|дороги|школы|больницы)[а-яё]*)?"
    # the settlement it stands in: "на тепличном комплексе в с. Михайловка"
    r"(?:\s+(?:в|во|под|около)\s+(?:с\.|п\.|пос\.|г\.|д\.|пгт)\s*[А-ЯЁ][а-яё-]+)?)(?!\w)"
)
RU_NEAR = re.compile(
    r"(?<!\w)в\s+районе\s+((?:железнодорожного|автобусного|морского|речного|центрального)\s+"
    r"(?:вокзала|порта|рынка))(?!\w)"
)
# A stop or a farm by its quoted name: "на остановке «X»", "автобусной остановке «X»",
# "крестьянского (фермерского) хозяйства «X»"; a hospital or school named after
# someone: "БСМП им. X", "школа № 5 им. X".
RU_NAMED_PLACE = re.compile(
    r"(?<!\w)(?:[а-яё]+(?:ой|ая|ую)\s+)?(?:остановк|станци|платформ)[а-яё]*\s+«[^»\n]{2,40}»"
)
RU_NAMED_ORG = re.compile(
    r"(?<!\w)(?i:крестьянск\w+\s+\(фермерск\w+\)\s+хозяйств\w+)\s*«[^»\n]{2,40}»"
    r"|(?<!\w)(?:БСМП|ГКБ|ГБ|ЦРБ|КГБУЗ|ГБУЗ|ГАУЗ|(?i:больниц\w*|поликлиник\w*|школ\w*|гимнази\w*|"
    r"лице[йя]\w*|училищ\w*|колледж\w*))(?:\s*№\s*\d+)?\s+им\.\s*[А-ЯЁ][а-яё-]+"
    r"(?:\s+[А-ЯЁ]\.(?:\s?[А-ЯЁ]\.)?)?"
)
# English: a quoted name after a business noun ("the sign says \"X\"", "the
# restaurant (\"X\", ...)"); a capitalised place before a lowercase district.
EN_QUOTED_BUSINESS = re.compile(
    r"\b(?:restaurant|cafe|café|shop|store|sign|signboard|firm|company|workshop|factory|"
    r"market|bar|canteen|hotel|brand|label|bakery|salon|sauna|club|boat|vessel|trawler|ship)"
    r"\b[^\"“\n]{0,20}?[\"“]([A-Z][^\"”\n]{1,40})[\"”]"
)
EN_LOWER_DISTRICT = re.compile(
    r"\b[A-Z][a-z]{3,}(?:-[A-Z]?[a-z]+)?\s+(?:district|county|raion|region)\b"
)
# Compound works named by their product ("рыбокомбинат", "птицефабрика"): one
# word that is already a particular kind of plant.
_RU_COMPOUND = re.compile(r"(?:рыбо|птице|овоще|судо|мясо|молоко|хлебо|деревообр|свино)")
# Korean: a quoted name holding its own head ("'X 식당'", "'X TV'", "'X-7호'")
KO_QUOTED_ORG = re.compile(
    r"['‘\"“]([가-힣A-Za-z\d][가-힣A-Za-z\d\- ]{0,20}(?:식당|교회|선교회|센터|TV|티비|채널|방송|"
    r"공장|회사|무역|상사|협회|재단|모임|쉼터|네트워크|연대|-\d{1,3}호))['’\"”]"
)
# A firm whose name is masked ("○○금속", "**건설") and an industrial estate
# ("X공단", "X산업단지"): a firm and the place it stands.
KO_MASKED_FIRM = re.compile(
    r"(?:[○●◯Ｏ*]{2,3}|[A-Z]{1,2}\s?)(?:금속|산업|건설|무역|물산|상사|공업|전자|식품|수산|기업|회사|"
    r"물류|섬유|기계|정밀|화학|테크|플라스틱|농장|식당)"
)
KO_ESTATE = re.compile(
    r"(?<![가-힣])[가-힣]{2,6}(?:공단|산업단지|산단|농공단지)(?=[가-힣]{0,2}(?![가-힣]))"
)
_KO_JOB_AFTER = re.compile(r"\s([가-힣]{1,5}(?:공|원|수|사|부|꾼|장))(?:으로|로|이|였|을|은|,|\s)")
# Korean compound workplaces: one to three nouns ahead of a workplace head.
_KO_HEAD = (
    # (a team of a plant first: "제2공장 포장팀" is one unit)
    r"(?:공장\s?[가-힣]{1,3}팀|가공\s?공장|부품\s?공장|공장|건설\s?현장|신축\s?현장|공사\s?현장|현장|사업소|조선소|"
    r"물류\s?창고|냉동\s?창고|창고|벌목장|가공장|작업장|농장|양식장|제재소|정비소|봉제\s?공장|"
    r"공사장|건설장|채석장|탄광|광산|목장|도축장|세차장|정비공장|"
    # shops, greenhouses and depots where resettled workers are employed
    r"비닐하우스|반찬가게|물류센터(?:\s?현장)?|편의점)"
)
KO_WORK = re.compile(
    rf"(?<![가-힣])((?:[가-힣\d]{{1,6}} |[A-Z]{{2,5}} ){{1,4}}{_KO_HEAD}(?: ?{_KO_HEAD})?"
    rf"|(?:[가-힣\d]{{1,6}} )?[가-힣][가-힣\d]{{1,4}}{_KO_HEAD})"
    r"(?=에서|에|의|으로|로|은|는|이|가|을|를|였|이었|입니|이다|과|와|도|만|(?![가-힣]))"
)
_KO_GENERIC = frozenset(
    [
        "그", "이", "저", "한", "같은", "다른", "우리", "여러", "모든",
        "어느", "새", "큰", "작은", "이런", "그런", "저런", "어떤", "각",
        "해당", "그곳", "이곳", "여기", "거기", "있는", "없는", "일하는",
        "일했던", "다니는", "다녔던", "가서", "가면", "와서", "대부분",
        "많은", "러시아", "중국", "북한", "한국", "남한", "조선", "지방",
        "당시", "회사", "때", "후", "전", "뒤", "중", "동네", "아파트", "건설", "공사", "신축",
        "직장", "일터", "근무지", "원래", "예전", "지금", "현재", "요즘"
    ]
)



def _en_orgs(text: str) -> list[Span]:
    out: list[Span] = []
    # Capitals headers ("MAPLE HARBOUR RESETTLEMENT SERVICES") are read title-cased.
    titled = re.sub(
        r"\b[A-Z]{2,}\b",
        lambda m: m.group(0) if is_stopword(m.group(0).lower()) else m.group(0).capitalize(),
        text,
    )
    for m in EN_NAMED.finditer(titled):
        words = m.group(1).split()
        start = m.start()
        while words and (words[0].lower() in _LEAD or words[0].lower() in _FUNCTION):
            start = titled.index(words[1], start + len(words[0])) if len(words) > 1 else m.end(1)
            words = words[1:]
        if not words or all(is_stopword(w) for w in words):
            continue
        # A name at a sentence start that is a single ordinary word ("Support")
        # names nothing; one word is enough only when it is no stop word.
        if len(words) == 1 and (is_stopword(words[0]) or words[0].lower() in _LEAD):
            continue
        # "Russian Federation", "Korean Church", "European Union": a nationality
        # and a head name a kind or a state, not an organisation; the big
        # international rights NGOs ("Human Rights Watch") are public.
        if all(_NATIONALITY.fullmatch(w) or is_stopword(w) for w in words):
            continue
        if words[:2] == ["Human", "Rights"]:
            continue
        # One everyday word before the head is a kind of service ("Customer
        # Service", "Family Support"); a calendar word is a schedule.
        if len(words) == 1 and is_common_english(words[0].lower()):
            continue
        if any(_CALENDAR.fullmatch(w) for w in words):
            continue
        # A place after the head names the branch ("Refugee Support Sheffield",
        # "Open Gate Korea"): one capitalised word that ends the phrase.
        end = m.end()
        place = _PLACE_AFTER_HEAD.match(text, end)
        if place and not is_common_english(place.group(1).lower()) and not _CALENDAR.fullmatch(
            place.group(1)
        ):
            end = place.end(1)
        out.append(Span(start, end, ORG, Q))
        name = text[start : m.end()]
        acr = ACRONYM_DEF.match(text, m.end())
        if acr:
            out += _every(text, acr.group(1))
        # Its short form recurs: "Open Hands Legal Collective" ... "for Open Hands".
        short = text[start : m.start(1) + len(m.group(1).rstrip())]
        if short != name and (len(words) >= 2 or "-" in words[0]):
            out += _every(text, short, ORG)
    return out


def _every(text: str, word: str, category: str = ORG) -> list[Span]:
    rx = re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])")
    return [Span(m.start(), m.end(), category, Q) for m in rx.finditer(text)]


def _en_places(text: str) -> list[Span]:
    out: list[Span] = []
    for m in FACILITY.finditer(text):
        start = m.start()
        words = m.group(0).split()
        while len(words) > 2 and (words[0].lower() in _LEAD or is_stopword(words[0])):
            start = text.index(words[1], start + len(words[0]))
            words = words[1:]
        if words[0].lower() in _LEAD or is_stopword(words[0]):
            continue
        out.append(Span(start, m.end(), PLACE, Q))
    out += [Span(m.start(1), m.end(1), ORG, Q) for m in EN_QUOTED_BUSINESS.finditer(text)]
    for m in EN_LOWER_DISTRICT.finditer(text):
        if not is_stopword(m.group(0).split()[0]):
            out.append(Span(m.start(), m.end(), PLACE, Q))
    for m in EN_LOCATED.finditer(text):
        if _NATIONALITY.fullmatch(m.group(2).split()[0]):
            continue
        start, words = m.start(1), m.group(1).split()
        for i, w in enumerate(words[:-1]):
            if w.lower() in _FUNCTION:
                start = text.index(words[i + 1], start + len(w))
        out.append(Span(start, m.end(2), PLACE, Q))
    for m in EN_LODGING.finditer(text):
        # "in a basement" alone is any lodging; a count, a modifier or a
        # locating phrase makes it theirs ("two containers behind the barn").
        if len(m.group(1).split()) >= 3:
            out.append(Span(m.start(1), m.end(1), PLACE, Q))
    return out


def _ru_places(text: str) -> list[Span]:
    out: list[Span] = []
    for rx, cat in ((RU_LODGING, PLACE), (RU_WORK, ORG), (RU_NEAR, PLACE)):
        for m in rx.finditer(text):
            # A bare head ("на стройке", "в цехе") is any workplace; a
            # modifier or complement makes it one place ("на рыбокомбинате"
            # is a compound and counts).
            if " " not in m.group(1) and not (rx is RU_WORK and _RU_COMPOUND.match(m.group(1))):
                continue
            if rx is RU_WORK and re.match(r"(?:этой|той|нашей|вашей|моей|своей)\s", m.group(1)):
                continue
            out.append(Span(m.start(1), m.end(1), cat, Q))
    out += [Span(m.start(), m.end(), PLACE, Q) for m in RU_NAMED_PLACE.finditer(text)]
    out += [Span(m.start(), m.end(), ORG, Q) for m in RU_NAMED_ORG.finditer(text)]
    for m in RU_STREET_NUMBER.finditer(text):
        out.append(Span(m.start(1), m.end(1), ADDRESS, D))
    out += [Span(m.start(), m.end(), ADDRESS, D) for m in RU_DACHA.finditer(text)]
    return out


def _ko_places(text: str) -> list[Span]:
    out: list[Span] = []
    for m in KO_WORK.finditer(text):
        phrase = m.group(1)
        head = re.search(rf"{_KO_HEAD}$", phrase)
        if not head:
            continue
        # The modifiers kept are the run of bare nouns right before the head
        # ("X의 자동차 부품 공장" keeps "자동차 부품"; "여권은 공장", "그는
        # 벌목장" keep none); a place with 의 ahead is the gazetteer's.
        mods = phrase[: head.start()].split()
        kept = 0
        for w in reversed(mods):
            if (
                w in _KO_GENERIC
                or w.endswith(("의", "도"))
                or re.search(r"\d(?:년|월|일)$", w)
                or w.isdigit()
            ):
                break
            if not _bare_noun(w):
                break
            kept += 1
        if not kept:
            continue
        lead = " ".join(mods[len(mods) - kept :])
        start = m.start(1) + phrase.rindex(lead, 0, head.start())
        # A workplace right before a job ("수산사업소 냉동공으로") is part of
        # how the job is described: one describing phrase with the job.
        job = _KO_JOB_AFTER.match(text, m.end(1))
        if job:
            out.append(Span(start, job.end(1), DEM, Q))
            continue
        out.append(Span(start, m.end(1), ORG, Q))
    out += [Span(m.start(1), m.end(1), ORG, Q) for m in KO_QUOTED_ORG.finditer(text)]
    out += [Span(m.start(), m.end(), ORG, Q) for m in KO_MASKED_FIRM.finditer(text)]
    out += [Span(m.start(), m.end(), PLACE, Q) for m in KO_ESTATE.finditer(text)]
    for m in KO_FOREIGN_STREET.finditer(text):
        out.append(Span(m.start(), m.end(), ADDRESS, D))
    return out


# Endings that make a Hangul word no bare noun: particles, adnominal and verb
# endings ("여권은", "그는", "일하는", "다니던", "큰"). A closed set of the
# grammar, cheaper than a morphological reading per word (kiwipiepy costs
# tens of milliseconds a call on short words).
_KO_NOT_NOUN = re.compile(
    r"(?:은|는|을|를|에|의|와|과|도|만|서|면|며|다|요|지|게|던|된|한|할|운|적|께|든|랑|데|니|로|"
    r"명이|에서|으로|에게|하고|처럼|까지|부터|보다)$"
)
# Adverbs that stand before a noun without modifying it ("스스로 공장 생활을").
_KO_ADVERB = frozenset(
    [
        "스스로", "특히", "함께", "같이", "바로", "다시", "또", "더", "잘", "이미", "아직", "모두",
        "먼저", "곧", "그냥", "직접", "계속", "처음", "결국", "아마", "정말", "진짜", "너무",
    ]
)


def _bare_noun(word: str) -> bool:
    return (
        bool(re.fullmatch(r"[가-힣\d]+|[A-Z]{2,5}", word))
        and not _KO_NOT_NOUN.search(word)
        and word not in _KO_ADVERB
    )


def find(text: str) -> list[Span]:
    out: list[Span] = []
    if re.search(r"[A-Za-z]", text):
        out += _en_orgs(text) + _en_places(text)
        out += [Span(m.start(), m.end(), ADDRESS, D) for m in NA_ADDRESS.finditer(text)]
    if re.search(r"[А-ЯЁа-яё]", text):
        out += _ru_places(text)
    if re.search(r"[가-힣]", text):
        out += _ko_places(text)
    return out


# Words that place an organisation ahead of its name: "X시 Y교회", "서울 Y구 Z센터".
_KO_PLACE_WORD = re.compile(
    r"[가-힣]{1,8}(?:시|도|주|구|군|동|읍|면|리)|서울|부산|대구|인천|광주|대전|울산|세종|제주|러시아|"
    r"한국|중국|북한|남한"
)
_KO_ORG_END = re.compile(r"(?:교회|선교회|센터|협회|재단|연대|네트워크|쉼터|모임|선교부|선교단)$")


def extend(text: str, spans: list[Span], protected: list[tuple[int, int]]) -> list[Span]:
    """A Hangul organisation takes the places written ahead of it as its name.

    "연해주 X선교회", "서울 Y구 Z교회", "러시아 이주노동자 인권센터": the place
    words are part of how the body names itself; a province or country alone
    stays readable, but inside the name it goes with it.
    """
    places = {(s.start, s.end) for s in spans if s.category == PLACE} | set(protected)
    out: list[Span] = []
    for s in spans:
        if s.category == ORG and _KO_ORG_END.search(s.text(text)):
            start = s.start
            while True:
                m = re.search(r"([가-힣]{2,8})\s$", text[max(0, start - 10) : start])
                if not m:
                    break
                a = start - len(m.group(0))
                word_end = a + len(m.group(1))
                if not (_KO_PLACE_WORD.fullmatch(m.group(1)) or (a, word_end) in places):
                    break
                start = a
            if start != s.start:
                s = Span(start, s.end, s.category, s.identifier_type, s.entity)
        out.append(s)
    return out
