"""Occupations (DEM) in English, Russian and Korean, with the phrase around them.

Annotators mark a job as the whole phrase that names it: "the crew's
chainsaw mechanic", "водитель лесовоза", "монтажником металлоконструкций",
"건설현장 미장공". The lexicons below give the head noun; a small grammar
takes its modifiers (possessives and bare nouns before an English head,
agreeing adjectives before and genitive nouns after a Russian head, a bare
compound noun before a Korean head).

All word lists here were written for this project from general vocabulary of
the three languages; no evaluation-set text was used.
"""

from __future__ import annotations

import re
from functools import lru_cache

from app.redaction.spans import DEM, IdType, Span
from app.redaction.stopwords import is_stopword

Q = IdType.QUASI


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())

# Source: written for this project from general vocabulary (construction,
# logging, fishing, farming, garment, medical, transport, service, office).
OCC_EN = _words("""
plasterer welder carpenter joiner bricklayer mason stonemason concreter electrician plumber
painter decorator tiler roofer glazier scaffolder rigger signaller slinger fitter pipefitter
steelfixer ironworker labourer laborer handyman foreman surveyor draughtsman architect engineer
technician mechanic machinist turner millwright blacksmith welder-fitter insulator plasterer-painter
excavator-operator bulldozer-driver lumberjack logger feller sawyer woodcutter chainsawyer
forester ranger trapper hunter fisherman fisher deckhand boatswain skipper trawlerman sailor
seaman navigator stoker docker stevedore longshoreman packer sorter gutter filleter processor
farmer farmhand shepherd herdsman milkmaid tractorist beekeeper gardener greenhouse-worker
vegetable-grower fruit-picker picker harvester groom stableman seamstress tailor dressmaker
sewer cutter embroiderer knitter weaver spinner dyer presser ironer shoemaker cobbler
doctor physician surgeon medic paramedic nurse midwife orderly pharmacist dentist
veterinarian vet therapist radiologist psychiatrist psychologist caregiver carer
driver chauffeur trucker lorry-driver bus-driver cabbie taxi-driver courier dispatcher
conductor pilot mechanic-driver forklift-driver loader porter mover warehouseman storekeeper
cook chef baker butcher waiter waitress bartender barman dishwasher cleaner janitor caretaker
housekeeper maid nanny babysitter governess hairdresser barber beautician manicurist masseur
masseuse singer dancer musician accordionist pianist guitarist actor actress artist painter-artist
sculptor photographer editor writer poet teacher
lecturer professor tutor instructor coach librarian clerk  typist bookkeeper accountant
cashier teller salesman saleswoman shopkeeper vendor peddler trader merchant broker dealer
programmer developer coder designer analyst administrator manager supervisor inspector
watchman guard sentry bodyguard doorman security-guard policeman policewoman soldier sergeant
corporal lieutenant miner driller blaster shotfirer quarryman prospector geologist
crane-operator operator dredger welder-cutter boilerman firefighter fireman lineman
""")
# Encountered rather than described: "nobody took him to a doctor", "the
# guard shouted". These count only with a cue that they describe someone
# (a possessive or modifier, "as a", "is a", apposition after a name).
CUED_EN = _words(
    "doctor physician nurse driver guard teacher priest soldier policeman operator "
    "manager supervisor inspector interpreter translator broker dealer trader merchant vendor "
    "cook sentry foreman cleaner officer"
)
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_EN_MOD = re.compile(r"(?:[a-z][a-z-]*|[A-Z][a-z]+)(?:['’]s)?")
_EN_CUE_BEFORE = re.compile(
    r"(?:\b(?:as|is|was|became|become|be|been|being|works?|worked|job)\s+(?:an?|the)?\s*"
    r"|['’]s\s+|^\s*|[,(:;]\s*)$",
    re.IGNORECASE,
)
_EN_COMPLEMENT = re.compile(
    r"\s+(?:of|at|in|on|for|with)\s+(?:the|a|an)\s+(?:[a-z-]+\s+){0,2}?"
    r"(?:troupe|band|choir|ensemble|hospital|clinic|school|restaurant|kitchen|canteen|workshop|"
    r"factory|plant|mine|yard|shipyard|farm|office|team|crew|brigade|unit|camp|site|port|"
    r"line|church|market|garage|depot|mill|sawmill|quarry|boat|trawler|ship|vessel)s?\b"
)
_BEFORE_NAME = re.compile(r"\s+[A-Z][a-z]")
_SENT_START = re.compile(r"(?:^|[.!?:\n]\s*|^\s*)$")


def _english(text: str) -> list[Span]:
    out: list[Span] = []
    for m in _EN_WORD.finditer(text):
        word = m.group(0).lower()
        # A capitalised head mid-sentence is a title ("the Secretary").
        lead = text[max(0, m.start() - 3) : m.start()]
        if m.group(0)[0].isupper() and not _SENT_START.search(lead):
            continue
        head = word[:-1] if word.endswith("s") and word[:-1] in OCC_EN else word
        # Plural jobs are usually the group ("the welders"), not a person.
        if head not in OCC_EN or head != word:
            continue
        # Two-word heads: "crane operator", "taxi driver", "security guard".
        start = m.start()
        mods = 0
        pos = start
        while mods < 2:
            prev = re.search(r"([A-Za-z][A-Za-z'’-]*)\s+$", text[max(0, pos - 30) : pos])
            if not prev:
                break
            w = prev.group(1)
            bare = re.sub(r"['’]s$", "", w).lower()
            # "the brigade's only crane signaller": "only" sits inside the phrase.
            if bare == "only" and mods < 2:
                pos -= len(prev.group(0))
                continue
            poss = w.endswith(("'s", "’s"))
            if not _EN_MOD.fullmatch(w) or (is_stopword(bare) and not poss) or bare.endswith(
                ("ed", "ly")
            ):
                break
            if w[0].isupper() and not w.endswith(("'s", "’s")) and not re.fullmatch(
                r"[A-Z][a-z]+(?:an|ese|ish|ic)", w
            ):
                break
            pos -= len(prev.group(0))
            mods += 1
        possessive = bool(re.search(r"['’]s\s", text[pos : m.start()]))
        # The determiner of a common-noun possessor is part of the phrase:
        # "the crew's pump mechanic" (a name's possessive has none).
        if possessive and re.search(r"\b[Tt]he\s$", text[max(0, pos - 4) : pos]):
            pos -= 4
        start = pos
        end = m.end()
        if _BEFORE_NAME.match(text, end):
            continue
        cued = _EN_CUE_BEFORE.search(text[max(0, start - 25) : start])
        # "a Russian driver" is someone met; "the crew's driver" is described.
        if head in CUED_EN and not possessive and not cued:
            continue
        comp = _EN_COMPLEMENT.match(text, end)
        if comp:
            end = comp.end()
        out.append(Span(start, end, DEM, Q))
    return out


# Source: written for this project from general vocabulary; lemmas (nominative
# singular, masculine and feminine forms where both are in use).
OCC_RU = _words("""
штукатур штукатур-маляр маляр плиточник облицовщик каменщик бетонщик арматурщик монтажник
сварщик электросварщик газосварщик электрик электромонтёр электромонтер сантехник слесарь
плотник столяр кровельщик жестянщик стекольщик отделочник паркетчик стропальщик такелажник
крановщик крановщица машинист экскаваторщик бульдозерист трактористка тракторист
тракторист-машинист комбайнёр комбайнер водитель шофёр шофер дальнобойщик таксист экспедитор
механик моторист автослесарь автомеханик токарь фрезеровщик кузнец литейщик изолировщик
землекоп разнорабочий подсобник грузчик кладовщик  упаковщик упаковщица фасовщик
фасовщица сортировщик сортировщица лесоруб вальщик раскряжёвщик раскряжевщик сучкоруб
чокеровщик пильщик лесник егерь рыбак рыбачка матрос боцман шкипер моряк рыбообработчик
рыбообработчица обработчик обработчица раздельщик раздельщица филейщик филейщица резчик
резчица засольщик засольщица докер тальман фермер доярка пастух скотник птичница овощевод
садовник агроном полевод батрак сезонник швея швея-мотористка портной портниха закройщик
закройщица вязальщица ткачиха ткач гладильщица утюжильщица раскройщик обувщик сапожник
врач доктор хирург фельдшер медсестра медбрат санитар санитарка акушерка фармацевт провизор
стоматолог ветеринар сиделка няня гувернантка повар повариха кондитер пекарь мясник официант
официантка бармен посудомойщица посудомойка уборщик уборщица дворник горничная кастелянша
парикмахер массажист массажистка маникюрша певец певица танцор танцовщица музыкант баянист
аккордеонист артист художник фотограф редактор
 учитель учительница преподаватель воспитатель воспитательница библиотекарь
бухгалтер счетовод кассир кассирша  делопроизводитель продавец продавщица торговец
коммерсант предприниматель программист разработчик дизайнер инженер технолог геодезист
геолог топограф сторож охранник вахтёр вахтер проводник лётчик летчик
шахтёр шахтер горняк рабочий  взрывник бурильщик проходчик промывщик старатель
прораб десятник нормировщик табельщик завхоз комендант кладовщица мастер-наладчик наладчик
оператор диспетчер экспедитор-водитель электросварщик газорезчик резчик-сварщик

""")
# Generic heads count only with a modifier or complement ("подсобный рабочий");
# people one meets ("врач не смотрел") only with a cue that they are described.
WEAK_RU = frozenset(["рабочий"])
CUED_RU = _words("врач доктор водитель шофёр шофер охранник сторож  "
    "продавец продавщица повар фельдшер медсестра таксист торговец"
)
_RU_NAME_AFTER = re.compile(r"\s*[—–]\s*[«\"]?[А-ЯЁ][а-яё]+\s+[А-ЯЁ][а-яё]+")
_RU_AT = re.compile(r"\s+(?:на|в)\s+([а-яё]{3,})(?!\w)")
_RU_FROM = re.compile(r"\s+(?:с|со|из)\s+((?:[а-яё-]{3,}\s+){0,1}[а-яё-]{3,})(?!\w)")
_RU_TIME = re.compile(
    r"(?:утра|вечера|ночи|дня|начала|конца|детства|года|прошлого|весны|лета|осени|зимы)"
)
_RU_WHERE = re.compile(r"\s+(?:в|на)\s+(?:п\.|с\.|г\.|пос\.|д\.)\s?[А-ЯЁ][а-яё-]+")
_RU_APPOSITION = re.compile(r"[,(—–:]\s*$")
_RU_WORD = re.compile(r"[А-ЯЁа-яё][а-яё-]*|[А-ЯЁ]{2,6}")
_RU_ABBR = re.compile(r"[А-ЯЁ]{2,6}")
# Leaders are QUASI persons by role (triggers.ROLE) when a name follows.
_RU_ROLE_BEFORE_NAME = re.compile(r"\s+[А-ЯЁ][а-яё]+")


@lru_cache(maxsize=16384)
def _ru_parses(word: str) -> tuple[tuple[str, str], ...]:
    """(lemma, tag) of every reading of a Cyrillic word, likeliest first."""
    from app.redaction.russian import parses

    return tuple((p.normal_form, str(p.tag)) for p in parses(word.lower()))


def _ru_parse(word: str) -> tuple[str, str]:
    parses = _ru_parses(word)
    return parses[0] if parses else (word.lower(), "")


def _ru_occupation(word: str) -> tuple[str, str] | None:
    """The singular occupation reading of a word, if it has one ("рабочим"
    is plural dative first, singular instrumental second)."""
    readings = [(lm, t) for lm, t in _ru_parses(word) if lm in OCC_RU and "sing" in t]
    # A noun reading first: "рабочим" is a noun after "подсобным".
    for lemma, tag in sorted(readings, key=lambda r: "NOUN" not in r[1]):
        if "NOUN" in tag or ("ADJF" in tag and lemma in ("разнорабочий", "рабочий")):
            return lemma, tag
    return None


def _russian(text: str) -> list[Span]:
    out: list[Span] = []
    words = list(_RU_WORD.finditer(text))
    for i, m in enumerate(words):
        w = m.group(0)
        occ = _ru_occupation(w) if not _RU_ABBR.fullmatch(w) else None
        if occ is None:
            continue
        start, end = m.start(), m.end()
        # Agreeing adjectives before: "подсобный рабочий", "старший повар".
        j = i - 1
        while j >= 0 and i - j <= 2 and text[words[j].end() : start].strip() == "":
            _lemma, tag = _ru_parse(words[j].group(0))
            if "ADJF" not in tag or "Apro" in tag or is_stopword(words[j].group(0).lower()):
                break
            start = words[j].start()
            j -= 1
        # Genitive nouns and abbreviations after: "водитель лесовоза",
        # "монтажником металлоконструкций", "повар столовой участка", "фельдшер ФАП".
        k = i + 1
        while k < len(words) and k - i <= 3 and text[end : words[k].start()] in (" ",):
            nxt = words[k].group(0)
            _lemma, tag = _ru_parse(nxt)
            if _RU_ABBR.fullmatch(nxt) or (("gent" in tag) and ("NOUN" in tag or "ADJF" in tag)
                                           and not nxt[0].isupper()):
                end = words[k].end()
                k += 1
                # "повар того же кафе": the particle after a genitive pronoun
                if k < len(words) and words[k].group(0) == "же" and "Apro" in tag:
                    end = words[k].end()
                    k += 1
                continue
            break
        # Where the worker comes from: "водитель с соевого поля", "сторож из соседнего склада".
        src = _RU_FROM.match(text, end)
        if (
            src
            and end == m.end()
            and "nomn" in occ[1]
            and not _RU_TIME.match(src.group(1))
            and all(any("gent" in t for _l, t in _ru_parses(w)) for w in src.group(1).split())
        ):
            end = src.end()
        # Where a job "worked as" is done: "работал промывщиком на драге".
        if "ablt" in occ[1] and end == m.end():
            place = _RU_AT.match(text, end)
            if place and any("loct" in t or "loc2" in t for _l, t in _ru_parses(place.group(1))):
                end = place.end()
        # Where the job is held: "настоятель храма в п. Лесном".
        where = _RU_WHERE.match(text, end)
        if where and end > m.end():
            end = where.end()
        lemma, tag = occ
        bare = start == m.start() and end == m.end()
        # "подсобный рабочий" is a job; "рабочего времени" is an adjective.
        if lemma in WEAK_RU and (start == m.start() or "NOUN" not in tag):
            continue
        # A job before a name is the title of someone met ("уехал с водителем
        # лесовоза — Игорь ...", "트럭 운전사 '사샤'"), as in English.
        if _RU_NAME_AFTER.match(text, end):
            continue
        # A field label ("Водитель: ...") names a slot, not a person's job.
        if bare and (_RU_ROLE_BEFORE_NAME.match(text, end) or text[end : end + 1] == ":"):
            continue
        line_before = text[text.rfind("\n", 0, start) + 1 : start]
        cued = "ablt" in tag or _RU_APPOSITION.search(line_before)
        if bare and lemma in CUED_RU and not cued:
            continue
        out.append(Span(start, end, DEM, Q))
    return out


# Source: written for this project from general vocabulary (South and North
# Korean usage): full occupation words, and stems that take the agentive
# suffixes 공 (worker), 원 (member/staff), 수 (hand), 사 (professional).
OCC_KO = _words("""
미장공 용접공 목수 벌목공 운전수 운전사 운전기사 요리사 조리사 재봉공 재봉사 기계공 전기공
철근공 형틀공 조적공 타일공 배관공 도장공 도색공 방수공 비계공 발파공 굴착공 착암공 선반공
용접사 정비공 정비사 수리공 목공 석공 석수 미장이 페인트공 크레인기사 중장비기사 트랙터운전수
어부 선원 어로공 갑판원 기관사 항해사 가공공 수산가공공 포장공 선별공 농부 농민 목동 양봉가
원예사 재단사 재단공 편직공 방직공 봉제공 미싱사 간호사 간호원 조산사 약사 치과의사
수의사 의무원 위생원 간병인 보모 가정부 파출부 청소부 미화원 경비원 경호원 경찰관
군인 광부 채탄공 굴진공 운반공 하역공 짐꾼 창고원 판매원
점원 상인 장사꾼 봉사원 접대원 식당원 급양원 회계원 부기원 경리 사무원 통계원 타자수
교원 교사 강사 교수 작가 가수 무용수 악사 연주가 이발사
미용사 제빵사 정육점주인 택시기사 화물차기사 버스기사 지게차기사 프로그래머 프로그라머 개발자
설계사 기술자 기술원 측량사 측량원 지질탐사원
간호조무사 물리치료사 방사선사 영양사 보육교사 유치원교사 사육사 해녀 선장 갑판장 기관장 조타수
조종사 우편배달부 배달원 택배기사 소방관 소방대원 환경미화원 철도원 역무원 승무원 안내원 매표원
검표원 관리원 관리인 집배원 보안요원 회사원 은행원 세무사 회계사 건축가 도배공 도배사 보일러공
제철공 주물공 단조공 압연공 연마공 조립공 검사원 재단원 편물공 직포공 염색공 세탁원 세탁공 이용사
제화공 식품가공원 제과원 양어공 벌채공 집재공 운재공 제재공 양돈공 축산원 농장원 협동농장원
기중기운전공 굴착기운전공 지게차운전공 트랙터운전사 화물운전사 유리공 철골공 판금공 도금공
""")
_KO_WORD = re.compile(r"[가-힣]+")
# Particles and copula endings after the noun (general grammar).
_KO_TAIL = re.compile(
    r"(?:들)?(?:이었|였|이에요|예요|입니다|이다|이라|라|으로|로|을|를|이|가|은|는|의|와|과|도|만|"
    r"에게|한테|이고|이며|이래|래|이랑|랑|이니까|니까)?(?:[다요고서데는어음]|습니다|는데|어요)*"
)
_KO_NAME_AFTER = re.compile(r"\s?['‘\"“][가-힣A-Za-z]")
# Workplace nouns (general vocabulary) that form a compound with the job.
_KO_WORKPLACE = re.compile(
    r"(?:현장|사업소|기업소|공장|탄광|광산|농장|목장|식당|병원|학교|회사|공사장|작업장|건설|정문|후문|"
    r"창고|부두|항구|선박|어선|수산|봉제|건축|토목|벌목장|제재소|상점|시장|호텔|사무소|진료소)$"
)


def _korean_head(word: str) -> int:
    """Length of the occupation the word starts with (after an optional
    compound prefix inside it), 0 if none: "미장공으로" -> 3."""
    for n in range(min(len(word), 7), 1, -1):
        for off in range(0, len(word) - n + 1):
            cand = word[off : off + n]
            if cand in OCC_KO and (off == 0 or n >= 3) and _KO_TAIL.fullmatch(word[off + n :]):
                return off + n
    return 0


def _korean(text: str) -> list[Span]:
    out: list[Span] = []
    words = list(_KO_WORD.finditer(text))
    for i, m in enumerate(words):
        n = _korean_head(m.group(0))
        if not n:
            continue
        start, end = m.start(), m.start() + n
        # A workplace noun before it is a compound ("건설현장 미장공", "정문 경비원").
        if i > 0 and text[words[i - 1].end() : m.start()] == " ":
            prev = words[i - 1].group(0)
            if 2 <= len(prev) <= 7 and _KO_WORKPLACE.search(prev):
                start = words[i - 1].start()
        if _KO_NAME_AFTER.match(text, m.end()):
            continue
        out.append(Span(start, end, DEM, Q))
    return out


def find(text: str) -> list[Span]:
    out: list[Span] = []
    if re.search(r"[A-Za-z]", text):
        out += _english(text)
    if re.search(r"[А-ЯЁа-яё]", text):
        out += _russian(text)
    if re.search(r"[가-힣]", text):
        out += _korean(text)
    return out
