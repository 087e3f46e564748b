"""Korean names that the other Hangul rules have no shape for.

Each rule is a convention of Korean records, letters and community sites
(written from how such texts are built, not from any record):

- a lone surname as the value of a record-keeping field ("(확인: 윤)",
  "작성: 김"): whoever checked or wrote the record;
- a name written in spaced syllables in a name field or before its romanised
  echo ("성명: 송 미 란", "송 미 란 (SONG MI RAN)"), with its unspaced forms;
- a quoted name before a verb of calling ('"마리아"로 불러 달라고');
- a naming frame, "이름은 (그냥) X라고/이에요/로", with X in Hangul or in
  romanised capitals ("이름이 PAK SONG로 적혀");
- a Latin name or handle glued to the honorific 님 ("sunny_kim님"), which
  only people and their handles take;
- the handle in a Q&A or forum post header whose fields are split by "|";
- a lone surname after an office, read by kiwipiepy as a proper noun
  ("보위원 리가");
- an unidentified person numbered as a name ("신원미상 남성 2").

Once the other layers have found names, ``again`` adds the surname of a found
full name standing alone before an address word ("김 군", "박 양") or after
the office that stood before the full name.
"""

from __future__ import annotations

import re

from app.redaction import korean
from app.redaction.hangul_words import NATION_STEMS
from app.redaction.names import hangul_surnames
from app.redaction.spans import PERSON, IdType, Span

D = IdType.DIRECT
Q = IdType.QUASI

_L = r"(?<![가-힣])"
# After a name: a particle or ending may follow, then no more Hangul.
NAME_PARTICLE = (
    r"(?:이|가|은|는|을|를|의|에게|에게서|한테|한테서|께|께서|로부터|와|과|랑|이랑|도|만|씨|"
    r"이나|나|라고|이라고|하고|이하고|에|에서|으로|로)?"
)
# Case particles and the topic marker that may follow a name.
_PARTICLE = r"(?:은|는|이|가|을|를|의|에게|한테|께서|께|도|와|과|만|이나|나|랑|이랑)?"
_END = rf"(?={_PARTICLE}(?![가-힣]))"

# Record-keeping verbs (nouns) that label who did it: a closed class.
SIGN_OFF = re.compile(
    r"(?m)(?:확인|작성|작성자|기록|기록자|검토|승인|결재|서명|담당|담당자|접수|접수자|처리|입력|점검|"
    r"면담|상담|상담자)\s*[:：]\s*([가-힣])(?=\s*(?:[)\]」/,]|\(인\)|$))"
)
# A name field ("성명:", "이름:", "본명:"); its value may be in spaced syllables.
_NAME_FIELD = r"(?:성명|성함|이름|본명|가명|실명|name|Name|NAME)\s*[:：]\s*"
SPACED = re.compile(rf"{_L}([가-힣]) ([가-힣]) ([가-힣])(?![가-힣])")
NAME_FIELD_BEFORE = re.compile(rf"{_NAME_FIELD}$")
LATIN_ECHO = re.compile(r"\s*\(\s*(?:영문\s*)?[A-Z][A-Za-z'’]*(?:[ -][A-Z][A-Za-z'’]*){1,3}\s*\)")
# A quoted name, then "로/으로" and a verb of calling: '"마리아"로 불러'.
CALLED = re.compile(
    r"['‘\"“]([가-힣A-Za-z][가-힣A-Za-z ]{0,12})['’\"”]\s?(?:으로|로)\s?"
    r"(?:불러|부르|불리|불린|불렀|불려|칭하|칭했|통하|통했)"
)
# Words that are called out without being names: kin and office terms.
CALLED_NOT_NAME = frozenset(
    {"형님", "언니", "누나", "오빠", "형", "선생님", "선생", "아저씨", "아줌마", "아주머니",
     "할머니", "할아버지", "이모", "삼촌", "동무", "동지", "사장님", "반장님", "어머니", "아버지",
     "엄마", "아빠", "목사님", "집사님", "자매", "형제", "손님", "본명", "가명", "별명"}
)
# "이름은 (그냥) X 언니라고 할게요", "이름이 PAK SONG로 되어": the value of a naming frame.
_KIN = r"(?:언니|누나|오빠|형|이모|삼촌|아저씨|아줌마|할머니|할아버지|씨|님|동생)"
NAME_FRAME = re.compile(
    r"이름(?:은|이|을)\s(?:그냥\s|편의상\s|대충\s|그냥요\s)?"
    rf"([가-힣]{{1,4}}|[A-Z]{{1,8}}(?:[ -][A-Z]{{1,8}}){{1,2}})(?:\s{_KIN})?(?:\s뭐|\s뭐시기)?"
    r"(?=\s?(?:이?라고|이?라는|입니다|이에요|예요|이고|이며|이다|이래요|래요|으로|로)(?![가-힣]))"
)
# A kin word, a two-syllable word and a bracket with an age: "여동생 은비(열 살)".
KIN_AGED = re.compile(
    r"(?:아내|남편|딸|아들|동생|여동생|남동생|누나|언니|오빠|형|조카|손녀|손자|사촌)\s([가-힣]{2})"
    r"(?=\(\s?(?:\d{1,2}\s?(?:살|세)|만\s?\d|[가-힣]{1,4}\s?살))"
)
# A Latin word glued to the honorific 님 (not an office's capitals: "PD님", "CEO님").
LATIN_HONORIFIC = re.compile(r"(?<![\w@.])([A-Za-z][A-Za-z\d_.]*[A-Za-z\d])(?=님)")
# A post header: fields split by "|" on one line that also carries a date.
POST_LINE = re.compile(r"(?m)^[^\n|]*\|[^\n]*$")
POST_DATE = re.compile(r"\d{4}[./-]\s?\d{1,2}[./-]\s?\d{1,2}")
FIELD_PREFIX = re.compile(r"^\s*(?:[QA]\.|[가-힣]{2,4}\s*[:：])?\s*")
HANDLE_FIELD = re.compile(r"[가-힣A-Za-z\d_.]{2,20}")
# An office, then a lone surname with a particle: "보위원 리가", "지도원 한은".
OFFICE = (
    r"(?:보위원|보위지도원|지도원|당비서|비서|지배인|책임자|반장|작업반장|위원|조정위원|위원장|판사|검사|"
    r"경위|경사|경장|순경|경감|팀장|과장|부장|실장|소장|사장|대표|목사|전도사|간사|담당관|통역원|"
    r"통역|조장|감독|관리인|관리자)"
)
OFFICE_SURNAME = re.compile(
    rf"{_L}{OFFICE}\s([가-힣])(?=(?:은|는|이|가|을|를|의|에게|한테|께서)(?![가-힣]))"
)
# An unidentified person numbered as a name: "신원미상 남성 2", "무연고 여성 1호".
UNIDENTIFIED = re.compile(
    r"(?:신원\s?미상|신원\s?불명|무연고)(?:의)?\s?(?:남성|여성|남자|여자|환자|사망자|노동자)\s?"
    r"(?:\d{1,3}|[A-Z])(?:호|번)?(?![\d])(?=(?:은|는|이|가|을|를|의|에게|도|와|과)?(?![가-힣]))"
)


def find(text: str) -> list[Span]:
    """Spans of the shapes above, in any text with Hangul."""
    if not re.search(r"[가-힣]", text):
        return []
    surnames = hangul_surnames()
    out: list[Span] = []
    out += [Span(m.start(1), m.end(1), PERSON, D) for m in SIGN_OFF.finditer(text)
            if m.group(1) in surnames]
    out += _spaced(text, surnames)
    for m in CALLED.finditer(text):
        inner = m.group(1).strip()
        if inner not in CALLED_NOT_NAME:
            out.append(Span(m.start(1), m.start(1) + len(inner), PERSON, D))
    for m in NAME_FRAME.finditer(text):
        if _frame_value(m.group(1), text, m.start(1), m.end(1)):
            out.append(Span(m.start(1), m.end(1), PERSON, D))
    for m in LATIN_HONORIFIC.finditer(text):
        word = m.group(1)
        if not (word.isupper() and len(word) <= 4):
            out.append(Span(m.start(1), m.end(1), PERSON, D))
    out += _post_handles(text)
    for m in OFFICE_SURNAME.finditer(text):
        if m.group(1) in surnames and _proper_at(text, m.start(1), m.end(1)):
            out.append(Span(m.start(1), m.end(1), PERSON, Q))
    out += [Span(m.start(), m.end(), PERSON, D) for m in UNIDENTIFIED.finditer(text)]
    out += [Span(m.start(1), m.end(1), PERSON, D) for m in KIN_AGED.finditer(text)]
    return out


def _spaced(text: str, surnames: frozenset[str]) -> list[Span]:
    """"송 미 란" in a name field or before "(SONG MI RAN)"; then "송미란" and
    "미란" wherever they stand, as the name is also written."""
    out: list[Span] = []
    for m in SPACED.finditer(text):
        if m.group(1) not in surnames:
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        in_field = NAME_FIELD_BEFORE.search(text, line_start, m.start()) is not None
        if not (in_field or LATIN_ECHO.match(text, m.end())):
            continue
        out.append(Span(m.start(), m.end(), PERSON, D))
        full = m.group(1) + m.group(2) + m.group(3)
        for form in (full, full[1:]):
            out += [Span(x.start(), x.end(), PERSON, D)
                    for x in re.finditer(rf"{_L}{form}{_END}", text)]
    return out


def _frame_value(value: str, text: str, start: int, end: int) -> bool:
    """The value of "이름은 X라고" is a name unless kiwipiepy reads it as one
    common word ("이름은 비밀이라고"); a closed syllable with the hypocoristic
    이 ("복이", "철이") is a name whatever the syllable means alone."""
    if not re.search(r"[가-힣]", value):
        return True
    if len(value) == 2 and value[1] == "이" and _closed(value[0]):
        return True
    # One syllable before "뭐라고" ("이름이 현 뭐라고"): the surname remembered.
    if len(value) == 1:
        return value in hangul_surnames() and text.startswith(" 뭐", end)
    toks = korean.tokens(value)
    if len(toks) == 1 and toks[0][1] in ("NNG", "NNB", "NP", "NR", "MAG", "XR"):
        return False
    return all(t[1].startswith(("NN", "XR")) or t[1] == "SL" for t in toks) or (
        korean.plausible_name(value) and not korean.common_noun_at(text, start, end)
    )


def _closed(syllable: str) -> bool:
    """True when the Hangul syllable ends in a consonant (has a final)."""
    code = ord(syllable) - 0xAC00
    return 0 <= code < 11172 and code % 28 != 0


def _post_handles(text: str) -> list[Span]:
    """A field of a dated post header that is one token: the poster's handle
    ("A. 채택된 답변 | 바람개비123 (등급: 고수) | 2026.01.02.")."""
    out: list[Span] = []
    for line in POST_LINE.finditer(text):
        if not POST_DATE.search(line.group(0)):
            continue
        pos = line.start()
        for field in line.group(0).split("|"):
            start = pos
            pos += len(field) + 1
            core = re.sub(r"\s*\([^)]*\)\s*$", "", field)
            prefix = FIELD_PREFIX.match(core)
            skip = prefix.end() if prefix else 0
            value = core[skip:].strip()
            if not HANDLE_FIELD.fullmatch(value) or POST_DATE.search(value) or value.isdigit():
                continue
            if not re.search(r"[가-힣]", value) and not re.search(r"[_\d]", value):
                continue  # a Latin word alone ("Admin") is no handle by shape
            b = start + core.index(value, skip)
            if re.search(r"[가-힣]", value) and not _compound(value):
                continue
            out.append(Span(b, b + len(value), PERSON, D))
    return out


def _compound(value: str) -> bool:
    """A handle is not one dictionary word ("답변", "조회", "관리자"): kiwipiepy
    reads it as several pieces or as a proper noun."""
    toks = korean.tokens(value)
    return not (len(toks) == 1 and toks[0][1] in ("NNG", "NNB", "NP", "VV", "VA"))


def _proper_at(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    return any(
        line_start + s == start and tag == "NNP" and n == end - start
        for _f, tag, s, n in korean.tokens(text[line_start:line_end])
    )


# --- vocatives ----------------------------------------------------------------

# Vocative endings: 아 after a closed syllable, 야 after an open one.
VOCATIVE = re.compile(rf"{_L}([가-힣]{{2}})(아|야)(?=\s*[,!.~…]|\s*$)", re.MULTILINE)



def _line_tokens(text: str, start: int, end: int) -> list[tuple[str, str]]:
    """kiwipiepy's tokens inside text[start:end], read in their line."""
    ls, toks = korean.line_tokens(text, start, end)
    return [(f, t) for f, t, s, _n in toks if start <= ls + s < end]


def vocatives(text: str) -> list[Span]:
    """"은솔아," names 은솔: kiwipiepy reads 아/야 there as a vocative particle
    and the ending agrees with the stem's last syllable. The stem is then
    masked wherever it stands with 이 (the hypocoristic suffix) or alone."""
    stems: set[str] = set()
    for m in VOCATIVE.finditer(text):
        stem, ending = m.group(1), m.group(2)
        if _closed(stem[-1]) != (ending == "아"):
            continue
        if stem in NATION_STEMS or not _vocative_read(text, m.start(), m.end()):
            continue
        stems.add(stem)
    out: list[Span] = []
    for stem in stems:
        # A closed stem takes the hypocoristic 이 and then particles ("은솔이가");
        # an open one only particles, so "만수무강" is not 만수.
        tail = r"이[가-힣]{0,3}|아" if _closed(stem[-1]) else "야"
        rx = re.compile(rf"{_L}{stem}(?=(?:{tail}|{NAME_PARTICLE})(?![가-힣]))")
        out += [Span(m.start(), m.end(), PERSON, D) for m in rx.finditer(text)]
    return out


def _vocative_read(text: str, start: int, end: int) -> bool:
    toks = _line_tokens(text, start, end)
    if not toks or toks[-1][1] != "JKV":
        return False
    # A common noun called out ("친구야", "엄마야") is no name: kiwipiepy reads
    # the stem as one general noun; a name reads as a proper noun or splits.
    stem = toks[:-1]
    return not (len(stem) == 1 and stem[0][1] == "NNG")



# --- after the other layers ----------------------------------------------------

# Address words a surname takes alone: "김 군" (a young man), "박 양", "최 학생".
SURNAME_ADDRESS = r"(?:군|양|학생|씨|님|선생님|선생)"
_HANGUL_NAME = re.compile(r"([가-힣]{3})$")
_WORD_BEFORE = re.compile(r"([가-힣]{2,6})\s$")


def again(text: str, persons: list[Span]) -> list[Span]:
    """The surname of a found three-syllable name alone before an address word,
    or after the office word that stood before the full name."""
    surnames = hangul_surnames()
    found: set[str] = set()
    offices: set[tuple[str, str]] = set()
    for s in persons:
        m = _HANGUL_NAME.search(s.text(text))
        if m is None or m.group(1)[0] not in surnames:
            continue
        name_start = s.start + m.start(1)
        if name_start > s.start and text[name_start - 1] not in " \t":
            continue
        found.add(m.group(1)[0])
        before = _WORD_BEFORE.search(text, max(0, name_start - 8), name_start)
        if before is not None:
            offices.add((before.group(1), m.group(1)[0]))
    out: list[Span] = []
    for surname in found:
        rx = re.compile(rf"{_L}({surname})\s?{SURNAME_ADDRESS}{_END}")
        out += [Span(m.start(1), m.end(1), PERSON, D) for m in rx.finditer(text)]
    for office, surname in offices:
        rx = re.compile(rf"{_L}{office}\s({surname}){_END}")
        out += [Span(m.start(1), m.end(1), PERSON, Q) for m in rx.finditer(text)]
    return out
