"""Describing phrases (DEM): injuries and health, unique roles, family, sizes, ages.

Annotators mark these as whole phrases ("left hand badly burned", "сломан
палец левой руки", "조에서 유일하게 결혼 안 한 사람", "жена и двое детей"),
and the scorer counts a mention only when every word of it is masked, so the
patterns here aim at the phrase, not a key word. Jobs are in
``occupations.py``, unique incidents (MISC) in ``incidents.py``; ``find``
returns all three. The ages here extend ``shapes.ages`` with shapes it has
not (an "Age:" field, "about 25" in apposition, "лет 20", "나이 서른넷",
"김 씨(37)"); the forms it has are not repeated.

All word lists were written for this project from general vocabulary of the
three languages; no evaluation-set text was used.
"""

from __future__ import annotations

import itertools
import re

from app.redaction import extents, incidents, occupations, roles, slots, traits
from app.redaction.spans import ADDRESS, CODE, DATE, DEM, ORG, PERSON, PLACE, IdType, Span

Q = IdType.QUASI

# Source: written for this project from general anatomy vocabulary.
BODY_EN = (
    r"(?:hands?|palms?|arms?|forearms?|elbows?|legs?|shins?|thighs?|feet|foot|heels?|"
    r"(?:(?:index|middle|ring|little)\s+)?fingers?|fingertips?|thumbs?|wrists?|ankles?|knees?|"
    r"toes?|back|spine|neck|chest|ribs?|collarbone|clavicle|shoulders?|hips?|pelvis|"
    r"face|cheek|chin|jaw|nose|lips?|teeth|tooth|eyes?|eyebrows?|forehead|ears?|skull|head|scalp|"
    r"stomach|belly|lungs?|kidneys?|liver|tibia|fibula|femur|shinbone|kneecap|wrist\s+bone)"
)
INJURY_EN = (
    r"(?:burned|burnt|broken|fractured|crushed|cut|gashed|bruised|swollen|scarred|frostbitten|"
    r"injured|hurt|infected|dislocated|sprained|paralysed|paralyzed|amputated|missing|"
    r"deformed|blistered|scalded)"
)
INJURY_NOUN_EN = (
    r"(?:cut|gash|wound|burns?|bruises?|bruising|fracture|scar|blisters?|frostbite|swelling|"
    r"laceration|stitches|tip|nail|injury|injuries)"
)
# Source: written for this project from general medical vocabulary.
DISEASE_EN = (
    r"(?:TB|tuberculosis|hepatitis(?:\s+[ABC])?|HIV|diabetes|asthma|epilepsy|malaria|"
    r"pneumonia|hernia|stroke|heart\s+attack|ulcer)"
)
_SIDE_EN = r"(?:(?:left|right|both|upper|lower)\s+)?"
_POSS_EN = r"(?:(?:his|her|my|their|the|a|an|one|both)\s+)?"
INJURIES_EN = [
    # "left hand badly burned", "right knee swollen"
    rf"\b{_SIDE_EN}{BODY_EN}\s+(?:(?:was|were|is|are|got)\s+)?(?:(?:badly|severely|still|"
    rf"partly|completely)\s+)?{INJURY_EN}\b",
    # "Missing tip of left ring finger", "a deep cut across his palm", "burns on both arms"
    rf"\b(?:(?:a|an)\s+)?(?:(?:deep|long|bad|old|fresh|large|small|open|healed|closed|crush|"
    rf"compound|serious)\s+)*"
    rf"(?:missing\s+)?{INJURY_NOUN_EN}\s+(?:of|on|across|to|over|in)\s+{_POSS_EN}"
    rf"(?:(?:two|three|four|2|3|4)\s+)?{_SIDE_EN}"
    rf"{BODY_EN}(?:\s+of\s+{_POSS_EN}{_SIDE_EN}{BODY_EN})?\b",
    rf"\bmissing\s+(?:the\s+)?(?:tip|top|half|end)\s+of\s+{_POSS_EN}{_SIDE_EN}{BODY_EN}\b",
    # "TB treated 2022, completed 6-month course": the disease and its clause
    rf"\b{DISEASE_EN}\s+(?:treated|diagnosed|cured|since)\b[^.;\n]{{0,50}}",
]
# Source: written for this project from general Russian vocabulary.
BODY_RU = (
    r"(?:рук\w*|кист\w*|ладон\w*|пал(?:ец|ьц)\w*|локт\w*|плеч\w*|предплеч\w*|ног\w*|стоп\w*|"
    r"пятк\w*|колен\w*|бедр\w*|спин\w*|поясниц\w*|позвоночник\w*|ше[еияю]|шея|груд\w*|"
    r"р[её]бр\w*|ключиц\w*|лиц\w*|щек\w*|скул\w*|нос\w*|губ\w*|зуб\w*|глаз\w*|бров\w*|лб\w*|"
    r"лоб|ух[оа]\w*|уш\w*|голов\w*|затыл\w*|живот\w*|кост[ьиею]\w*|череп\w*|позвон\w*)"
)
INJURY_RU = (
    r"(?:синяк\w*|ссадин\w*|ушиб\w*|ожог\w*|обожж[её]н\w*|перелом\w*|сломан\w*|рассечен\w*|"
    r"рассечён\w*|разбит\w*|рана|раны|ранен\w*|порез\w*|гематом\w*|вывих\w*|отморож\w*|"
    r"обморожен\w*|опух\w*|распух\w*|повреждён\w*|поврежден\w*|ампутирован\w*)"
)
_SIDE_RU = r"(?:(?:лев|прав|обе|обеих|обоих)\w*\s+)?"
_ADJ_RU = r"(?:[а-яё]{4,}(?:ой|ого|ых|ым|ая|ую|ее|ей)\s+)?"
_BODY_PHRASE_RU = (
    rf"(?:(?:на|в|у|по|обеих|обоих)\s+)?{_SIDE_RU}{_ADJ_RU}{BODY_RU}(?:\s+{_SIDE_RU}{BODY_RU})?"
)
_INJ_PHRASE_RU = (
    rf"(?:(?:закрыт|открыт|оскольчат|старый|стар|множественн|глубок|свеж)\w*\s+)?{INJURY_RU}"
    rf"(?:\s+{_BODY_PHRASE_RU})?"
)
INJURIES_RU = [
    # "сломан палец левой руки и рассечена бровь", "ссадины на ладонях и коленях", "синяк"
    rf"(?<!\w){_INJ_PHRASE_RU}(?:\s+и\s+(?:{_INJ_PHRASE_RU}|{BODY_RU}))?",
    # "на лице синяк", "левая рука обожжена", "на шее татуировка в виде змеи"
    rf"(?<!\w){_SIDE_RU}(?:на\s+)?{BODY_RU}\s+(?:{INJURY_RU}|(?:татуировк|шрам|родинк)\w*"
    r"(?:\s+в\s+виде\s+[а-яё]+)?)",
    r"(?<!\w)в\s+очках",
    # "Носит очки с сильной коррекцией": glasses worn, with what they are
    r"(?<!\w)[Нн]осит\s+очки(?:\s+с\s+[а-яё]+\s+[а-яё]+)?",
    # a height said with its unit: "рост около 170 см", "키 170 정도"
    r"(?<!\w)[Рр]ост\s+(?:около\s+|примерно\s+|под\s+)?\d{3}\s?см",
    r"(?<![가-힣])키\s?\d{3}\s?(?:cm|센티)?(?:\s?(?:정도|쯤|가량))?",
    # "с перевязанной рукой", "с золотым зубом": a mark said by "с" + instrumental
    rf"(?<!\w)с\s+(?!(?:так|эт|т|сво|мо|тво|наш|ваш|кот|как)(?:ой|им|ими|ыми)\s)"
    rf"[а-яё]+(?:ой|ым|ыми|ими)\s+{BODY_RU}",
    # "нет двух нижних передних зубов", "отсутствуют два пальца": a part that is gone
    rf"(?<!\w)(?:[Нн]ет|[Оо]тсутству\w+)\s+(?:(?:одного|двух|трёх|трех|два|три|[а-яё]+(?:их|ых))\s+)"
    rf"{{0,3}}{BODY_RU}",
]
# Source: written for this project from general Korean vocabulary.
BODY_KO = (
    r"(?:손가락|발가락|손목|발목|손바닥|손등|약지|검지|중지|엄지|새끼손가락|끝마디|마디|앞니|어금니|"
    r"손|발|팔|다리|다리뼈|정강이|허벅지|무릎|허리|등|"
    r"척추|목|가슴|갈비뼈|어깨|쇄골|얼굴|뺨|턱|코|입술|이빨|눈|눈썹|이마|귀|머리)"
)
INJURY_KO = (
    r"(?:동상|화상|멍|상처|흉터|골절|타박상|찰과상|열상|부상|염증|물집|철심|붕대|깁스|금니|"
    r"부러졌|부러져|부러진|까맣|까매|퉁퉁|부었|부어|찢어|찢겼|잘렸|잘려|잘린|데었|데인|으스러|"
    # a part that is gone: "손가락 두 개가 없는", "발가락 세 개를 절단했다"
    r"없는|없음|없다|없어요|없습니다|절단)"
)
INJURIES_KO = [
    # "발에 동상이 심하대요", "등에 멍", "왼쪽 다리뼈가 부러졌다", "발가락 두 개가 까맣다고"
    rf"(?<![가-힣])(?:{BODY_KO}(?:과|와)\s)?(?:(?:왼쪽|오른쪽|왼|오른|양)\s?)?{BODY_KO}"
    rf"(?:\s{BODY_KO}){{0,2}}(?:에|이|가|을|를|도)?\s?"
    rf"(?:(?:(?:한|두|세|네|다섯)\s?(?:개|군데)|하나|둘)(?:가|이|에|를|을)?\s)?(?:심하게\s|크게\s)?"
    rf"{INJURY_KO}[가-힣]*",
    # "왼쪽 귀 뒤에 콩알만 한 검은 점이 있음": a mark at a place on the body; a
    # record's telegraphic "있음" belongs to the note, a sentence's "있습니다" does not
    rf"(?<![가-힣])(?:(?:왼쪽|오른쪽|왼|오른|양)\s?)?{BODY_KO}\s?(?:(?:뒤|위|아래|밑|옆|안쪽|바깥쪽)에?|에)\s"
    r"[^.,\n]{0,20}?(?:점|흉터|문신|반점|사마귀|자국|혹|모반)(?:(?:이|가)\s있음)?"
    r"(?=(?:이|가|은|는|을|를|도|과|와)?(?![가-힣]))",
]

UNIQUE = [
    # "the only one in his crew who could read Russian", "the only welder with a permit"
    r"\b(?:was\s+|is\s+)?the\s+only\s+(?:one|person|man|woman|worker|[a-z]+er)\b[^.;:\n]{0,60}?"
    r"\b(?:who|that|with|allowed|able)\b[^.;\n]{2,60}?(?=[.;,\n]|$)",
    r"\bone\s+of\s+(?:only\s+)?(?:two|three|four)\s+[a-z-]+\s+[a-z-]+(?:\s+(?:in|on|at)\s+"
    r"(?:the|a|his|her)\s+[a-z-]+(?:\s+of\s+[a-z-]+\s+[a-z-]+)?)?",
    # "она единственная, кто немного говорит по-русски", "единственный из рабочих, кто ..."
    r"(?<!\w)(?:(?:[Оо]н|[Оо]на)\s+)?единственн\w+(?:\s+[а-яё]{4,}(?:ом|ем|ой|ей|ым|им))?(?:\s+из\s+[а-яё]+\s+[а-яё]+)?,?\s+(?:кто|у\s+кого|"
    r"кому|с\s+\w+|на\s+\w+)[^.;,(\n]{2,80}",
    # "조에서 유일하게 결혼 안 한 사람", "조에서 로어를 제일 잘하는 사람", "저 하나뿐"
    r"(?:[가-힣]+에서\s)?유일하게\s[^.,\n]{1,30}?(?:사람|이|자|원)(?=[이은는을를의으로라,.\s]|$)",
    r"[가-힣]+에서\s(?:[가-힣]+(?:를|을)\s)?(?:제일|가장)\s[가-힣]+(?:는|한)\s(?:사람|이)",
    r"[가-힣]+\s(?:자격이|자격증이|면허가)\s있는\s사람은\s[가-힣]+\s하나뿐",
]
# Source: written for this project from general kinship vocabulary.
KIN_RU = (
    r"(?:жена|муж|мать|мама|отец|папа|сын|дочь|дочка|брат|сестра|бабушка|дедушка|"
    r"(?:младш|старш)\w+\s+(?:брат|сестра|сын|дочь))"
)
NUM_RU = r"(?:двое|трое|четверо|пятеро|один|одна|два|две|три)"
FAMILY = [
    # a number or "младший" makes the household particular ("мать и брат" alone is common)
    rf"(?<!\w)(?:[Жж]ена|[Мм]уж|[Мм]ать|[Оо]тец|[Мм]ама)\s+и\s+(?:{NUM_RU}\s+(?:детей|дет\w*|"
    rf"сыновей|дочерей|сына|дочери)(?:-[а-яё]+)?|(?:младш|старш)\w+\s+(?:брат|сестра|сын|дочь)\w*)",
    r"\b(?:(?:a|his|her|my)\s+)?(?:wife|husband|mother|father)\s+and\s+(?:(?:two|three|four|"
    r"a|an|one|younger|older|little|baby)\s+){1,2}(?:children|kids|sons?|daughters?|brothers?|"
    r"sisters?)\b",
    # children counted: "자녀 2명", "아들 둘", "딸 하나"
    r"(?<![가-힣])(?:자녀|아들|딸|자식|손자|손녀)\s?(?:\d\s?명|하나|둘|셋|한\s명|두\s명|세\s명)(?![가-힣])",
    r"(?:아내|처|남편|어머니|아버지|엄마)(?:와|과|하고|랑)\s(?:[가-힣]+\s)?(?:아들|딸|자녀|아이)"
    r"(?:\s(?:하나|둘|셋|한\s명|두\s명|세\s명))?",
]
# Source: written for this project from general Korean kinship vocabulary.
KIN_KO = (
    r"(?:어머니|아버지|엄마|아빠|노모|노부|부모님|부모|남편|아내|아들|딸|형님|형|오빠|누나|언니|남동생|"
    r"여동생|동생|할머니|할아버지|외조모|외조부|외할머니|외할아버지|조모|조부|이모|고모|삼촌|외삼촌|"
    r"사촌|손자|손녀|장모|장인|시어머니|시아버지)"
)
# Source: general English kinship vocabulary.
_KIN_EN = (
    r"(?:brother|sister|son|daughter|husband|wife|mother|father|cousin|uncle|aunt|nephew|niece)"
)
FAMILY += [
    # "어머니와 남동생이", "외조모와 이모가", "노모와 여동생 둘": who of the family
    # is left behind, as a pair (the subject particle with it, as annotated)
    rf"(?<![가-힣]){KIN_KO}(?:와|과)\s?{KIN_KO}(?:\s?(?:하나|둘|셋|한\s?명|두\s?명|세\s?명))?"
    r"(?:이|가)?(?![가-힣])",
    # "a brother who is a soldier", "sister who teaches at a kindergarten"
    rf"\b(?:(?:a|an|his|her|my|their|one)\s+)?(?:(?:younger|older|elder|little|big)\s+)?{_KIN_EN}"
    r"\s+who\s+(?:is|was|works|worked|teaches|taught|serves|served|runs|ran|drives|drove)\b"
    r"[^.;,()\n]{2,60}",
    # "his younger sister, a nurse at the county hospital"
    rf"\b(?:his|her|my|their)\s+(?:(?:younger|older|elder|little|big)\s+)?{_KIN_EN},\s+"
    r"(?:a|an)\s+[a-z]+(?:\s+(?:at|in|on|for|of)\s+(?:the|a|an)\s+[a-z]+(?:\s+[a-z]+)?)?",
]
# A licence held: "지게차 면허 있음(2022년 취득)", "용접 자격증 보유".
LICENCE_KO = re.compile(
    r"(?<![가-힣])(?:[가-힣A-Za-z]{1,8}\s?){1,2}(?:면허|자격증|자격)\s?(?:있음|보유|소지|취득)"
    r"(?:\s?\([^()\n]{1,20}\))?"
)
# Fields of a description: "신장/체격: 168cm, 마른 편", "인상착의: …", "Особые
# приметы: …", "Distinguishing marks: …": the value to the first full stop.
MARK_FIELDS = re.compile(
    r"(?:^|\n)[ \t]*(?:신장|키|체격|인상착의|신체\s?특징|특이\s?사항|Особые\s+приметы|Приметы|"
    r"Телосложение|Рост|(?i:distinguishing\s+(?:marks|features)|height|build|physical\s+description))"
    r"(?:\s?/\s?[가-힣A-Za-zА-Яа-яё]+)?\s*[:：]\s*([^.\n]{2,120})"
)
# Work done, named by its activity: "worked fish processing", "works bricklaying".
ACTIVITY = [r"(?<=\b[Ww]orked\s)(?:[a-z]+\s)?[a-z]{3,}ing\b(?!\s+(?:hours|days|for|with|on|in))"]
SIZES = [
    r"(?<![\w.])\d{2}(?:[.,]5)?\s+размер[аеу]?(?!\w)|(?<!\w)размер\s+(?:обуви|одежды)\s*:?\s*\d{2}",
    # "куртка р. 52", "одежда р-р 50": a clothing size by its abbreviation
    r"(?:(?<=одежда\s)|(?<=куртка\s)|(?<=брюки\s)|(?<=штаны\s)|(?<=обувь\s)|(?<=пальто\s))"
    r"(?:р\.|р-р)\s?\d{2}(?:[-–]\d{2})?(?!\d)",
    r"\b(?:shoe|boot|clothing|collar)\s+size\s*:?\s*\d{1,2}(?:\.5)?\b|\bsize\s+\d{1,2}\s+(?:shoes|boots)\b",
    r"(?:신발|구두|발)\s?(?:사이즈|치수)?\s?\d{3}\s?(?:mm|밀리|미리)?",
]
_KO_NATIVE = (
    r"(?:열|스물|서른|마흔|쉰|예순|일흔)(?:하나|둘|셋|넷|다섯|여섯|일곱|여덟|아홉|한|두|세|네)?"
)
AGES = [
    r"\b[Aa]ge\s*[:：]\s*(\d{1,3})\b",
    r",\s*((?:about|around|maybe|roughly|approximately|probably)\s+\d{2})(?=\s*[,;)])",
    r"(?<!\w)([Лл]ет\s+(?:под\s+|около\s+)?\d{2})(?!\d)",
    rf"나이(?:는|가)?\s?({_KO_NATIVE}|\d{{2}})(?![가-힣]{{2}})",
    r"(?<=씨)\s?\((\d{2})(?:세|살)?\)",
]

_INJURY_RES = [re.compile(p) for p in INJURIES_RU + INJURIES_KO]
_INJURY_RES += [re.compile(p, re.IGNORECASE) for p in INJURIES_EN]
_INJURY_CI = [re.compile(p, re.IGNORECASE) for p in INJURIES_RU]
_PHRASE_RES = [re.compile(p) for p in UNIQUE + FAMILY + ACTIVITY]
_PHRASE_RES += [re.compile(p, re.IGNORECASE) for p in SIZES]
_AGE_RES = [re.compile(p) for p in AGES]


# The determiner before an English body part belongs to the phrase ("the left
# index finger is missing"); looked up behind the match, which is cheaper than
# an optional prefix tried at every word.
_DET_BEFORE = re.compile(r"\b(?:the|his|her|my|their|one)\s+$", re.IGNORECASE)
_FIRST_EN_INJURY = _INJURY_RES[len(INJURIES_RU + INJURIES_KO)]


# A pattern whose literals are all Cyrillic (or all Hangul) cannot match a
# text without that script, so such a text skips it (the Russian and Korean
# patterns cost most of this layer on English text). Decided from the
# pattern itself: escapes and group syntax removed, any Latin letter left, or
# both scripts, keeps the pattern for every text.
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
_HANGUL_SYLLABLE = re.compile(r"[가-힣]")
_SYNTAX = re.compile(r"\\[A-Za-z]|\(\?(?:<[=!]|[:!=]|P<\w+>)")


def _only(script: re.Pattern[str], other: re.Pattern[str], rx: re.Pattern[str]) -> bool:
    literals = _SYNTAX.sub("", rx.pattern)
    return bool(script.search(literals)) and not other.search(literals) and not re.search(
        r"[A-Za-z]", literals
    )


_ALL_PHRASES = _INJURY_RES + _INJURY_CI + _PHRASE_RES
_NEEDS_CYRILLIC = frozenset(
    id(rx) for rx in _ALL_PHRASES if _only(_CYRILLIC, _HANGUL_SYLLABLE, rx)
)
_NEEDS_HANGUL = frozenset(id(rx) for rx in _ALL_PHRASES if _only(_HANGUL_SYLLABLE, _CYRILLIC, rx))


def dem_phrases(text: str) -> list[Span]:
    out: list[Span] = []
    skip: set[int] = set()
    if not _CYRILLIC.search(text):
        skip |= _NEEDS_CYRILLIC
    if not _HANGUL_SYLLABLE.search(text):
        skip |= _NEEDS_HANGUL
    for rx in _ALL_PHRASES:
        if id(rx) in skip:
            continue
        for m in rx.finditer(text):
            start = m.start()
            if rx is _FIRST_EN_INJURY:
                det = _DET_BEFORE.search(text, max(0, start - 7), start)
                if det:
                    start = det.start()
            out.append(Span(start, m.end(), DEM, Q))
    for rx in _AGE_RES:
        out += [Span(m.start(1), m.end(1), DEM, Q) for m in rx.finditer(text)]
    out += [Span(m.start(1), m.end(1), DEM, Q) for m in MARK_FIELDS.finditer(text)]
    if "면허" in text or "자격" in text:
        out += [Span(m.start(), m.end(), DEM, Q) for m in LICENCE_KO.finditer(text)]
    return [s for s in out if s.end > s.start]


def _outside(spans: list[Span], blocked: list[tuple[int, int]], text: str) -> list[Span]:
    """Cut long phrases around what must stay apart: a public name inside
    ("... held by the Russian border guard") stays readable, and a person,
    place or date inside keeps its own span (merging would turn "Han Chol-jin"
    into part of an incident and lose the referent). A space is left between
    the pieces so the merge does not glue them back."""
    out: list[Span] = []
    for s in spans:
        pieces = [(s.start, s.end)]
        for b, e in blocked:
            nxt: list[tuple[int, int]] = []
            for ps, pe in pieces:
                if pe <= b or e <= ps:
                    nxt.append((ps, pe))
                    continue
                for rs, re_ in ((ps, b), (e, pe)):
                    while rs < re_ and not text[rs].isalnum():
                        rs += 1
                    while re_ > rs and not text[re_ - 1].isalnum():
                        re_ -= 1
                    # a piece that is only a function word ("the") describes nothing
                    if re_ - rs >= 2 and not _FUNCTION_PIECE.fullmatch(text[rs:re_]):
                        nxt.append((rs, re_))
            pieces = nxt
        out += [Span(ps, pe, s.category, s.identifier_type) for ps, pe in pieces]
    return out


# (or, with 인, a person's nationality: "러시아인 손님", which is not annotated as the country)
_FUNCTION_PIECE = re.compile(
    r"(?i:the|an?|of|in|on|at|to|for|and|or|with|by|from|his|her|their|its|my|our|и|в|на|с|у|по|из|к)"
)
_LANGUAGE_AFTER = re.compile(
    r"(?:어|인)(?:를|을|로|는|도|의|가|와|만|이|에게)?(?![가-힣])|어(?:학과|학부|과|학|문학)"
)
# Categories that keep their own span inside a describing phrase.
_KEEP_APART = frozenset({PERSON, PLACE, ORG, ADDRESS, CODE, DATE})


_BRACKET_REST = re.compile(r"[^()\n]{1,80}?(?=\))")


def _bracket_after_name(text: str, spans: list[Span], persons: list[Span]) -> list[Span]:
    ends = {p.end for p in persons}
    out: list[Span] = []
    for s in spans:
        if s.category != DEM or s.start < 2 or text[s.start - 1] != "(":
            continue
        if s.start - 2 not in ends and s.start - 1 not in ends:
            continue
        rest = _BRACKET_REST.match(text, s.end)
        if rest and rest.end() > s.end:
            out.append(Span(s.start, rest.end(), DEM, Q))
    return out


def find(
    text: str, protected: list[tuple[int, int]] | None = None, found: list[Span] | None = None
) -> list[Span]:
    persons = [p for p in found or [] if p.category == PERSON]
    # A job right before a name is the title of someone met ("트럭 기사 사샤"), as
    # the English and Russian job rules already hold.
    starts = {p.start for p in persons}
    by_slot = [s for s in slots.find(text) if s.end + 1 not in starts and s.end not in starts]
    jobs = occupations.find(text) + by_slot
    spans = dem_phrases(text) + jobs + roles.find(text) + _complements(text, jobs, found or [])
    spans += traits.find(text)
    spans += incidents.find(text)
    # "Stanislav Pak (driver, speaks some Korean)": a bracket after a name that opens
    # with a job describes the person as a whole.
    spans += _bracket_after_name(text, spans, persons)
    # A mark or injury runs to its clause end, whichever layer found its core.
    spans += extents.extend(text, spans + [s for s in found or [] if s.category == DEM])
    # A country glued to 어 is a language ("러시아어 통역"), not the public name.
    blocked = [(b, e) for b, e in protected or [] if not _LANGUAGE_AFTER.match(text, e)]
    blocked += [(s.start, s.end) for s in found or [] if s.category in _KEEP_APART]
    return _coordinated(text, _outside(spans, sorted(blocked), text))


# Two describing phrases joined by "и"/"and"/"or" are one ("официанткой и певицей").
_COORDINATION = re.compile(r"\s+(?:и|или|and|or)\s+|\s?/\s?")


def _coordinated(text: str, spans: list[Span]) -> list[Span]:
    dem = sorted((s for s in spans if s.category == DEM), key=lambda s: s.start)
    joined = [
        Span(a.start, b.end, DEM, Q)
        for a, b in itertools.pairwise(dem)
        if a.end < b.start <= a.end + 6 and _COORDINATION.fullmatch(text, a.end, b.start)
    ]
    return spans + joined


# The complement of a job in common words: "coordinator of the refugee
# settlement group" (a named workplace after it keeps its own span; the sets
# disagree on whether "at the" goes with the job, and most leave it out),
# "учительница корейского языка в интернате", "повариха из столовой той же стройки".
_EN_COMPLEMENT = re.compile(
    r"\s+(?:of|at|in|for|on|with)\s+(?:the|a|an)\s+"
    r"(?!(?:time|moment|end|start|beginning|age|same|weekend|night|day|week|month|year)\b)"
    r"(?:[a-z-]+\s+){0,3}[a-z-]+"
    r"(?=[.,;:)\n]|\s+(?:at|in|and|for|since|who|from|until)\b|$)"
)
_RU_COMPLEMENT = re.compile(
    r"(?:\s+[а-яё]{3,}(?:ого|его|ой|ых)\s+[а-яё]{3,}(?:а|я|ы|и))?"
    r"\s+(?:в|на|из|при)\s+[а-яё]{3,}(?:е|и|ой|ом|а|ы)(?:\s+(?:той\s+же\s+|того\s+же\s+)?"
    r"[а-яё]{3,}(?:ого|ой|и|ы|а))?(?=[.,;:)\n]|$)"
)


def _complements(text: str, jobs: list[Span], found: list[Span]) -> list[Span]:
    starts = {s.start for s in found if s.category in _KEEP_APART}
    out: list[Span] = []
    for s in jobs:
        m = _EN_COMPLEMENT.match(text, s.end) or _RU_COMPLEMENT.match(text, s.end)
        if not m:
            continue
        end = m.end()
        if end == m.start() or (text[end - 1].isspace() and end not in starts):
            continue
        out.append(Span(s.start, end, DEM, Q))
    return out
