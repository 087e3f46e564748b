"""Precision filters for the Hangul spans of the models (kiwipiepy, Hangul CRF).

The models propose Hangul names where the rules have no shape for them; on
Korean records they also propose words that are no name at all. This module
reads each model span with kiwipiepy (the analyser ``korean`` already holds;
line readings come from its cache) and drops or trims the kinds that are
grammar, not names:

- a span that starts on a particle, an ending or the copula ("이라고" cut
  from "반장이라고", "로만"), or that stops inside a dictionary word
  ("위" of "위원장", "빅토르 아저" of "아저씨"): the model cut a word;
- a common noun of kiwipiepy's dictionary, alone or as a compound of
  dictionary nouns ("손가락", "민원실", "지도교수"), unless the layout or
  an address word makes it a name (``[곰돌이]``, "'고향집'", "X 씨");
- a field label ("비고:", "슈퍼바이저:") at the head of a line;
- a bare month the CRF reads as a date where it only heads a noun
  ("12월 공지", "[11월 현장 보고]"), and a count of months after a count of
  years ("징역 1년 6월", a duration).

No list of words from any record is used: the tests are kiwipiepy's
part-of-speech tags and its out-of-vocabulary flag, and closed grammatical
classes (address words, calendar subdivisions).
"""

from __future__ import annotations

import re
from functools import lru_cache

from app.redaction import korean
from app.redaction.spans import DATE, ORG, PERSON, Span

# A Hangul surface of the models (spaces allowed between words).
_HANGUL_SURFACE = re.compile(r"[가-힣]+(?: [가-힣]+)*")
# Address words and honorifics that follow a name (closed class of Korean
# address terms): "곰돌이 씨", "용철 형제", "은주님".
_ADDRESS_AFTER = re.compile(r"\s?(?:씨|님|형제|자매|동무|동지)|\s(?:군|양)(?![가-힣])")
# Kinship terms (closed class) before a given name: "여동생 성미에게".
_KIN_BEFORE = re.compile(
    r"(?:아내|남편|처|딸|아들|어머니|아버지|엄마|아빠|형|누나|언니|오빠|동생|여동생|남동생|"
    r"할머니|할아버지|삼촌|이모|고모|사촌|조카|손녀|손자)\s$"
)
# A floor or room number after a noun locates a place: "센터 3층", "교회 2호".
_ROOM_AFTER = re.compile(r"\s?\d+\s?(?:층|호실|호)")
# Brackets and quotes that mark a name in chat headers and quotations.
_OPEN = "[『「'‘\"“"
_CLOSE = "]』」'’\"”"
# Calendar subdivisions that may follow a bare month as part of the date
# (closed class: ordinals of weeks, parts of a month).
_MONTH_PART = re.compile(
    r"\s*(?:\d|첫|둘째|셋째|넷째|다섯째|마지막|초|중순|하순|상순|초순|말|중|께|경|무렵|이후|이전|부터|까지)"
)
_ONE_SYLLABLE = re.compile(r"[가-힣]")
# A numbered heading in brackets at the head of a line ("[메모 2]"): its word
# names a part of the form wherever it stands.
_NUMBERED_HEADING = re.compile(r"(?m)^[ \t]*\[([가-힣]{2,6})[ \t]*\d{1,3}\]")
# Bullets, numbers and brackets that may open a line before a field label.
_LINE_HEAD = " \t-•·○□*[(0123456789."
_BARE_MONTH = re.compile(r"\d{1,2}\s*월")
_YEARS_MONTHS = re.compile(r"\d{1,3}\s*년\s*\d{1,2}\s*월")
# Tags that never start a name: particles, endings, the copula, suffixes.
_GRAMMAR_START = ("J", "E", "VCP", "VCN", "XSN", "XSV", "XSA")
_COMMON = ("NNG", "XSN", "XPN", "NNB")


@lru_cache(maxsize=8192)
def _alone(form: str) -> tuple[tuple[str, str, bool], ...]:
    """kiwipiepy's reading of ``form`` alone: (form, tag, out-of-vocabulary)."""
    return korean.readings(form)


def _line_tokens(text: str, start: int) -> tuple[int, tuple[tuple[str, str, int, int], ...]]:
    return korean.line_tokens(text, start)


def dictionary_noun(form: str, compounds: bool = True) -> bool:
    """True when kiwipiepy knows ``form`` (less its particles) as a common
    noun of its dictionary: one noun of two syllables or more ("손가락",
    "민원실"), or a compound of such nouns and noun affixes ("지도교수",
    "신빙성"). Unknown words (names are mostly unknown) and compounds with a
    one-syllable noun ("우정" + "남", the way kiwi splits many names) are not."""
    toks = list(_alone(form.replace(" ", "")))
    while toks and toks[-1][1].startswith("J"):
        toks.pop()
    if not toks or any(oov or tag not in _COMMON for _, tag, oov in toks):
        return False
    nouns = [f for f, tag, _ in toks if tag == "NNG"]
    if not compounds and len(toks) > 1:
        return False
    return bool(nouns) and all(len(f) >= 2 for f in nouns)


# Sino-Korean derivational prefixes (a closed class of 접두사): 피(被) "the
# one who undergoes", 비(非), 미(未), 무(無), 반(反), 재(再), 탈(脫).
_NOUN_PREFIX = frozenset("피비미무반재탈")


def prefixed_noun(form: str) -> bool:
    """A prefix and a dictionary noun of three syllables or more: "피보험자",
    "피신청인" name a party to a procedure, never a person."""
    if len(form) < 4 or form[0] not in _NOUN_PREFIX:
        return False
    # The rest is a noun, or kiwipiepy reads the prefix and a noun itself
    # ("피" + "진정" + "인" read as the copula's ending).
    if dictionary_noun(form[1:]):
        return True
    toks = _alone(form)
    return (
        len(toks) >= 2 and toks[0][1] == "XPN" and toks[1][1] == "NNG"
        and len(toks[1][0]) >= 2 and not any(oov for _, _, oov in toks)
    )


def bound_noun_tail(form: str) -> bool:
    """"계획분": a noun closed by a bound noun (분, 치, 짜리) is a quantity
    or a share, not a name, even in quotes."""
    toks = [t for t in _alone(form) if not t[1].startswith("J")]
    return len(toks) > 1 and toks[-1][1] == "NNB"


def _named_by_layout(text: str, span: Span) -> bool:
    """Brackets, quotes, a field's value or an address word make a common
    word a name or a nickname: "[곰돌이]", "'고향집'", "성명: X", "X 씨"."""
    before = text[max(0, span.start - 1) : span.start]
    after = text[span.end : span.end + 1]
    if before and after and before in _OPEN and after in _CLOSE:
        return True
    if _ADDRESS_AFTER.match(text, span.end) or _ROOM_AFTER.match(text, span.end):
        return True
    if _KIN_BEFORE.search(text[max(0, span.start - 6) : span.start]):
        return True
    # A party to a procedure before it names the person: "피의자 조성만에".
    if re.search(rf"(?:{korean.LEGAL_ROLE.pattern})\s$", text[max(0, span.start - 6) : span.start]):
        return True
    return bool(re.search(r":\s*$", text[max(0, span.start - 3) : span.start]))


def _field_label(text: str, span: Span) -> bool:
    """"비고: …", "슈퍼바이저: 정 교수": a known word heading a line before a
    colon, once in the text, labels a field. A speaker's name heads the lines
    of a transcript again and again (the layout layer finds those)."""
    if not re.match(r"\s*:", text[span.end :]):
        return False
    line_start = text.rfind("\n", 0, span.start) + 1
    if text[line_start : span.start].strip(_LINE_HEAD):
        return False
    surface = span.text(text)
    heads = re.findall(rf"(?m)^[{re.escape(_LINE_HEAD)}]*{re.escape(surface)}\s*:", text)
    if len(heads) > 1:
        return False
    return not any(oov for _, _, oov in _alone(surface.replace(" ", "")))


def _cut_word(text: str, span: Span) -> Span | None:
    """Trim a span that stops inside a dictionary word back to the last word
    boundary; None when it starts on grammar or nothing is left."""
    line_start, toks = _line_tokens(text, span.start)
    end = span.end
    # "방씨라고만": an address word glued to a name is not a longer word
    # (but "빅토르 아저" still stops inside "아저씨").
    glued_address = bool(_ADDRESS_AFTER.match(text, span.end))
    for form, tag, t_start, t_len in toks:
        a, b = line_start + t_start, line_start + t_start + t_len
        if a >= span.end or b <= span.start:
            continue  # a token outside the span cannot cut it
        if a == span.start and tag.startswith(_GRAMMAR_START):
            return None
        if a < span.start < b and tag != "NNP" and not any(o for _, _, o in _alone(form)):
            return None
        glued = glued_address and a == span.start
        if a < end < b and not glued and tag != "NNP" and not any(o for _, _, o in _alone(form)):
            end = a
    if end < span.end and text[end - 1 : end].isalnum() and text[end : end + 1].isalnum():
        # Cut inside a word: what is left must end on a noun ("주 대" of
        # "주 대표기도" ends on a prefix and goes).
        last = [tag for _, tag, t_start, t_len in toks if line_start + t_start + t_len == end]
        if not last or last[-1] not in ("NNP", "NNG"):
            return None
    while end > span.start and not text[end - 1].isalnum():
        end -= 1
    if end <= span.start:
        return None
    return span if end == span.end else Span(span.start, end, span.category, span.identifier_type)


def _title(text: str, span: Span) -> bool:
    """"최광명 성도님", "중앙아시아 성도님들": a dictionary word with the
    honorific 님 after another word is a title or a form of address."""
    if not text.startswith("님", span.end) or span.category != PERSON:
        return False
    if not re.search(r"[가-힣] $", text[max(0, span.start - 2) : span.start]):
        return False
    return not any(oov for _, _, oov in _alone(span.text(text)))


def drop_cut_syllables(text: str, spans: list[Span]) -> list[Span]:
    """A one-syllable Hangul person span of any layer that is the head of a
    longer dictionary word ("위" of "위원장") is no surname."""
    out: list[Span] = []
    for s in spans:
        if (
            s.category == PERSON
            and _ONE_SYLLABLE.fullmatch(s.text(text))
            and _ONE_SYLLABLE.match(text, s.end)
            and _cut_word(text, s) != s
        ):
            continue
        out.append(s)
    return out


def _attributive_month(text: str, span: Span) -> bool:
    """A bare month before a noun heads it ("12월 공지", "11월 현장 보고"),
    and "1년 6월" counts months: neither is the date of an event."""
    surface = span.text(text)
    if _YEARS_MONTHS.fullmatch(surface):
        return True
    if not _BARE_MONTH.fullmatch(surface):
        return False
    rest = text[span.end : span.end + 12]
    if not rest[:1].isspace() or _MONTH_PART.match(rest):
        return False
    word = rest.split()[0] if rest.split() else ""
    if not re.match(r"[가-힣]", word):
        return False
    tags = [t for _, t, _ in _alone(word)]
    return bool(tags) and tags[0] in ("NNG", "VV", "VA")


def filter_model_spans(text: str, spans: list[Span], crf: bool) -> list[Span]:
    """The model spans of ``spans`` that hold up as names, some trimmed.

    ``crf`` marks the Hangul CRF's spans: it reads characters, not words, so
    its dictionary nouns are dropped whatever their category; kiwipiepy's
    own proper nouns lose only dictionary common nouns."""
    out: list[Span] = []
    headings = set(_NUMBERED_HEADING.findall(text))
    for s in spans:
        surface = s.text(text)
        if surface in headings:
            continue
        if s.category == DATE:
            if crf and _attributive_month(text, s):
                continue
            out.append(s)
            continue
        if not _HANGUL_SURFACE.fullmatch(surface):
            out.append(s)
            continue
        if _field_label(text, s) or _title(text, s):
            continue
        cut = _cut_word(text, s)
        if cut is None:
            continue
        # Workplaces are compounds of common nouns ("물류센터", "수산사업소")
        # and are annotated: an organisation compound is kept when it ends
        # on an organisation's head noun (the grammar of ``korean``).
        head = cut.text(text).split()[-1]
        compounds = s.category != ORG or not korean.ORG_SUFFIX.fullmatch(head)
        word = cut.text(text)
        if re.fullmatch(r"[가-힣]+", word) and prefixed_noun(word):
            continue
        if dictionary_noun(word, compounds) and (
            bound_noun_tail(word) or not _named_by_layout(text, cut)
        ):
            continue
        out.append(cut)
    return out


def _leading_grammar(toks: tuple[tuple[str, str, int, int], ...], i: int) -> int:
    """How many tokens from ``i`` on are a conjunction (MAJ), a pronoun and
    its particle ("그는"), or a demonstrative, a bound noun and a particle
    ("이분은", "그분이"); 0 when none is."""
    tags = [t[1] for t in toks[i : i + 3]]
    if tags[:1] == ["MAJ"]:
        return 1
    if tags[:1] == ["NP"] and len(tags) > 1 and tags[1].startswith("J"):
        return 2
    if (
        len(tags) == 3 and tags[0] == "MM" and toks[i][0] in "이그저"
        and tags[1] == "NNB" and tags[2].startswith("J")
    ):
        return 3
    return 0


def trim_leading_grammar(text: str, spans: list[Span]) -> list[Span]:
    """A describing phrase or workplace does not start on a conjunction or a
    pronoun subject: "그리고 숙소에서 …", "그런데 이분은 현장에서 …" start
    after them."""
    out: list[Span] = []
    for s in spans:
        if s.category == PERSON or not _ONE_SYLLABLE.match(text, s.start):
            out.append(s)
            continue
        line_start, toks = _line_tokens(text, s.start)
        start = s.start
        i = next((k for k, t in enumerate(toks) if line_start + t[2] == start), -1)
        while 0 <= i < len(toks):
            n = _leading_grammar(toks, i)
            if not n:
                break
            last = toks[i + n - 1]
            end = line_start + last[2] + last[3]
            while end < s.end and text[end].isspace():
                end += 1
            if end >= s.end:
                break
            start, i = end, i + n
            if i < len(toks) and line_start + toks[i][2] != start:
                break
        if start != s.start and s.end - start >= 2:
            s = Span(start, s.end, s.category, s.identifier_type)
        out.append(s)
    return out
