"""Hangul layer: kiwipiepy proper nouns, Korean names, places and organisations.

kiwipiepy ships its model inside the ``kiwipiepy-model`` wheel, so loading
needs no network. The analyser is built once per process (``_kiwi``).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

from app.redaction import gazetteer
from app.redaction.hangul_words import not_a_name
from app.redaction.names import hangul_surnames
from app.redaction.script import HANGUL, runs
from app.redaction.spans import ORG, PERSON, PLACE, IdType, Span

D = IdType.DIRECT
Q = IdType.QUASI

# Administrative units below province level are QUASI (county, city, district, ri, dong).
PLACE_UNIT = re.compile(r"[가-힣]{1,5}(?:시|군|구역|구|읍|면|리|동|로동자구|지구)$")
ORG_SUFFIX = re.compile(
    r"[가-힣\d]{1,12}(?:무역회사|회사|기업소|총회사|연합기업소|공장|광산|탄광|농장|교회|선교회|쉼터|"
    r"작업반|돌격대|건설대|사업소|대학|병원|합작회사|발전소|제철소|제련소|조선소|수산기지|무역국|"
    r"관리국|협동농장|성당|선교센터|상사|센터|의원|무역|재단|협회|핫라인|물류|엔지니어링|지사)"
)
GENERIC_ORG = re.compile(
    r"(?:봉제|가공|수산물?|건설|제조|식품|목재|벌목|의류|신발|시멘트|벽돌|제지|기계|자동차|무역|"
    r"수산물가공|피복|가구|철강|화학|비료|건재|연합|합작|외국|러시아|중국|북한|한국)?"
    r"(?:공장|회사|기업소|사업소|농장|병원|대학|교회|무역회사|건설회사)"
)
WORK_UNIT = re.compile(r"제?\d+\s*(?:작업반|소대|중대|대대|연대|여단|돌격대|반)")
# A Hangul surname, then a role or address word: "최 지도원", "한 반장", "김 씨".
SURNAME_ROLE = re.compile(
    r"(?<![가-힣])([가-힣])\s?(?:지도원|반장|작업반장|동무|동지|선생|씨|아저씨|아주머니|아줌마|목사|사장|소장|"
    r"과장|부장|집사|장로|권사|전도사|선교사|기사|대표|실장|팀장|주임|이모|삼촌|할머니|할아버지)(?:님)?"
)
ADDRESS_WORD = re.compile(r"\s?(?:씨|동무|동지|님)")
KIN = (
    r"(?:아내|남편|처|딸|아들|어머니|아버지|엄마|아빠|형|누나|언니|오빠|동생|여동생|남동생|"
    r"동료|친구|증언자|운전사|목사|작업반장|반장|이름은|씨는|지배인|책임자|지도원|보위원|"
    r"사장|소장|대표|집사|선교사|통역|브로커|중개인|할머니|할아버지|삼촌|이모|고모|처제|"
    r"사촌|조카|손녀|손자|약혼자|애인|종업원|노동자|증인|피의자|피고인|피해자|고소인|피고소인|"
    r"신청인|참고인|진술인|내담자|의뢰인)"
    r"(?:인)?"
)
# The parties of legal papers among the kin and role words above.
LEGAL_ROLE = re.compile(r"피의자|피고인|피해자|고소인|피고소인|신청인|참고인|진술인|내담자|의뢰인")
# Nouns that follow a party word in legal papers and begin like a surname.
LEGAL_NOUNS = frozenset(
    {"대리인", "변호인", "변호사", "보호자", "대표자", "명의로", "주소지", "진술서", "주장과",
     "신청서", "고소장", "진정서", "조서에", "소송대", "유족들", "가족들"}
)
# A name, then a title or address word: "천영호 목사", "우성민 집사님", "남기철 지배인".
NAME_TITLE = re.compile(
    r"(?<![가-힣])([가-힣]{3})\s?(?=(?:목사|집사|장로|전도사|선교사|선생|씨|동무|동지|지도원|반장|"
    r"작업반장|사장|소장|과장|부장|대표|지배인|아저씨|아주머니|권사|성도|자매|형제|위원장|위원|"
    r"회장|총무|간사|작가|기자)(?:님)?(?:[은는이가을를의에께]|\s|$))"
)
# Foreign given names in Hangul, alone or with a surname: "세르게이 김", "알라".
FOREIGN_GIVEN = (
    r"(?:세르게이|알렉산드르|알렉산더|알렉세이|안드레이|드미트리|블라디미르|이반|니콜라이|빅토르|"
    r"발레리|발레리야|유리|미하일|막심|파벨|올레그|이고르|예브게니|콘스탄틴|표도르|보리스|"
    r"올가|나탈리야|나타샤|타티야나|옐레나|엘레나|이리나|스베틀라나|마리나|류드밀라|갈리나|"
    r"안나|마리야|예카테리나|율리야|알라|다니엘|데이비드|존|마이클|폴|피터|제임스|사무엘|요한)"
)
FOREIGN_NAME = re.compile(
    # One syllable after the given name is a surname ("세르게이 김"), unless it
    # is an address word ("안나 씨", "안드레이 샘").
    rf"(?<![가-힣]){FOREIGN_GIVEN}(?:\s(?![씨샘쌤님군양])[가-힣](?=[의이가은는을를과와에도]?(?:[^가-힣]|$))|"
    r"\s[가-힣]{2,5}(?:프|코|스키|나|바|예프|노프|체프))?(?=[의이가은는을를과와에도]?(?:[^가-힣]|$))"
)
# Self-introduction: "저는 옥성민이고", "제 이름은 옥성민입니다".
SELF_NAME = re.compile(
    r"(?:저는|나는|본인은|제\s*이름은|이름은)\s*([가-힣]{3})"
    r"(?=이고|입니|이며|이다|이에|예요|이라|라고|[,.]|\s*\()"
)
QUOTED_ORG = re.compile(
    r"(?:식당|회사|교회|기업소|공장|레스토랑|상점)\s*['‘\"“]([가-힣A-Za-z\d ]{2,15})['’\"”]"
)
# A three-syllable Hangul name after a kinship or role word ("아들 리은철이"),
# or standing alone in brackets or quotes ("(박명희)", "'이성철'이며").
KIN_NAME = re.compile(
    rf"{KIN}(?:\s*['‘\"“]?([가-힣]{{3}})|(?:은|는|이|가)\s*['‘\"“]?([가-힣]{{3}})"
    r"(?=이었|였|입니|이다|이며|이고|이라|라는|씨|[,.;)'’\"”]|$))"
)
BRACKET_NAME = re.compile(r"[(（'‘\"“;]\s*([가-힣]{2,4})\s*(?=[)）'’\"”,;])")
NOT_NAMES = frozenset(
    {"이번", "이후", "이상", "이제", "정도", "조사", "한국", "김치", "한편", "오늘"}
)


@cache
def _kiwi() -> Any:
    from kiwipiepy import Kiwi

    return Kiwi()


def _hangul_runs(text: str) -> list[tuple[int, int]]:
    return [(r.start, r.end) for r in runs(text) if r.script == HANGUL]


def find(text: str) -> list[Span]:
    spans: list[Span] = []
    segments = _hangul_runs(text)
    if not segments:
        return spans
    surnames = hangul_surnames()
    quoted_orgs = [(m.start(1), m.end(1)) for m in QUOTED_ORG.finditer(text)]
    for rx in (KIN_NAME, BRACKET_NAME, NAME_TITLE, SELF_NAME):
        for m in rx.finditer(text):
            g = 1 if m.group(1) else m.lastindex or 1
            name = m.group(g)
            if (m.start(g), m.end(g)) in quoted_orgs:
                continue
            if name[0] not in surnames or name in NOT_NAMES or _noun_and_particle(name):
                continue
            # "노동자 여권을", "공사장 위치는": a common noun and its particle;
            # but "여동생 성미에게": 에게/한테 take only the living, so the noun
            # is a two-syllable given name.
            legal = rx is KIN_NAME and LEGAL_ROLE.match(m.group(0)) is not None
            if legal and name in LEGAL_NOUNS:
                continue  # "피고인 변호인": the party's counsel, not a name
            if rx is KIN_NAME and _copula_at(text, m.start(g)):
                continue  # '"바다 삼촌"이라고': the copula after a closing quote
            # (A particle of its own after the three syllables, "조성만에", makes
            # them the word: a name read as 조성 + 만 stays.)
            glued = re.match(r"[가-힣]", text[m.end(g): m.end(g) + 1]) is not None
            if (rx is KIN_NAME and len(name) == 3 and not glued
                    and _noun_then_particle_at(text, m.start(g))):
                if ANIMATE_PARTICLE.match(text, m.start(g) + 2):
                    spans.append(Span(m.start(g), m.start(g) + 2, PERSON, D))
                continue
            # "(기소)", "(공판)": a two-syllable word in brackets that kiwipiepy
            # reads as a common noun there is a note, not a name.
            if rx is BRACKET_NAME and len(name) == 2 and common_noun_at(text, m.start(g), m.end(g)):
                continue
            spans.append(Span(m.start(g), m.end(g), PERSON, D))
    spans += [Span(m.start(), m.end(), PERSON, D) for m in FOREIGN_NAME.finditer(text)]
    spans += [Span(m.start(1), m.end(1), ORG, Q) for m in QUOTED_ORG.finditer(text)]
    kiwi = _kiwi()
    for start, end in segments:
        chunk = text[start:end]
        tokens = kiwi.tokenize(chunk)
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            form, tag = tok.form, tok.tag
            s, e = start + tok.start, start + tok.start + tok.len
            if tag == "NNP":
                # kiwi sometimes splits an unknown name "박옥순" into 박/NNP 옥/NNG 순/NNG:
                # glue following single-syllable nouns written without a space.
                j = i + 1
                while (
                    j < len(tokens)
                    and tokens[j].tag.startswith("NN")
                    and start + tokens[j].start == e
                    and len(form) < 4
                    and len(tokens[j].form) == 1
                ):
                    form += tokens[j].form
                    e = start + tokens[j].start + tokens[j].len
                    j += 1
                span = _classify(form, s, e, surnames, text)
                if span is not None:
                    spans.append(span)
                i = j
                continue
            i += 1
        for rx, cat, idt in ((ORG_SUFFIX, ORG, Q), (WORK_UNIT, ORG, Q)):
            for m in rx.finditer(chunk):
                if GENERIC_ORG.fullmatch(m.group(0)):
                    continue  # "봉제공장", "무역회사": a kind of workplace, not a name
                spans.append(Span(start + m.start(), start + m.end(), cat, idt))
        for m in SURNAME_ROLE.finditer(chunk):
            glued = chunk[m.end(1): m.end(1) + 1] not in (" ", "") and not ADDRESS_WORD.match(
                chunk, m.end(1)
            )
            if glued and _one_noun_at(text, start + m.start(), start + m.end()):
                continue  # "공사장" is a building site, not 공 사장
            if m.group(1) in surnames:
                # An address word (씨, 동무) is not part of the name: "김 씨"
                # masks 김. A role stays with it ("최 사장" is how he is known).
                end = m.end(1) if ADDRESS_WORD.match(chunk, m.end(1)) else m.end()
                spans.append(Span(start + m.start(), start + end, PERSON, Q))
    return spans


def _classify(form: str, s: int, e: int, surnames: frozenset[str], text: str) -> Span | None:
    if form in NOT_NAMES:
        return None
    if not_a_name(form):
        return None
    if gazetteer.is_known_place(form):
        return Span(s, e, PLACE, Q)
    if PLACE_UNIT.fullmatch(form) and len(form) >= 2:
        # "변승리", "김길동": a surname and a given name ending like a unit
        # ("리" a village, "동" a ward) is the person the document addresses.
        if not (len(form) == 3 and form[0] in surnames and used_as_person(text, form)):
            return Span(s, e, PLACE, Q)
        return Span(s, e, PERSON, D)
    if ORG_SUFFIX.fullmatch(form):
        return Span(s, e, ORG, Q)
    if 2 <= len(form) <= 4 and form[0] in surnames and re.fullmatch(r"[가-힣]+", form):
        return Span(s, e, PERSON, D)
    # Other proper nouns (foreign names in Hangul, nicknames): keep as QUASI
    # only when long enough to be a name rather than an abbreviation. (Not
    # re-read alone by kiwi as the model spans are: a short foreign name
    # read alone splits into a noun and a particle, "타이가" -> 타이 + 가.)
    # Four syllables or more that hold a copula, an ending or a verb-making
    # suffix read alone ("구체적입니") are a predicate kiwi glued, not a name.
    if len(form) >= 4 and any(
        t[1] in ("VCP", "XSV", "XSA") or t[1].startswith("E") for t in tokens(form)
    ):
        return None
    if len(form) >= 2:
        return Span(s, e, PERSON, D)
    return None


# Words after a name that only a person takes: address words, or a romanised
# echo in brackets ("(영문 KIM ...)").
_PERSON_AFTER = (
    r"(?:\s?(?:씨|님|군|양|학생|선생|동무|동지|집사|목사|자매|형제)(?![가-힣])|"
    r"\s?(?:씨|님|군|양|학생|선생)[은는이가을를의께에]|\s?\(\s*(?:영문\s*)?[A-Z]{2,})"
)


def used_as_person(text: str, form: str) -> bool:
    """The document treats ``form`` (or its given part) as a person somewhere:
    an address word or a romanised echo follows it."""
    rx = rf"(?<![가-힣])(?:{form}|{form[1:]}){_PERSON_AFTER}"
    return re.search(rx, text) is not None


# Nouns that follow a kinship or role word as its possession ("딸 이름이",
# "노동자 진술과", "반장 얘기는"): general vocabulary, not names.
POSSESSED = frozenset(
    {"이름", "진술", "얘기", "이야기", "사진", "번호", "소식", "연락", "전화", "주소", "편지",
     "부탁", "생각", "의견", "증언", "사정", "말씀", "가족", "고향", "나이", "직업", "건강",
     "상태", "문제"}
)


@lru_cache(maxsize=4096)
def tokens(chunk: str) -> tuple[tuple[str, str, int, int], ...]:
    """kiwipiepy's reading of ``chunk`` as (form, tag, start, length), cached:
    the filters below ask about the same words and lines many times."""
    return tuple((t.form, t.tag, t.start, t.len) for t in _kiwi().tokenize(chunk))


def readings(form: str) -> tuple[tuple[str, str, bool], ...]:
    """kiwipiepy's reading of ``form`` alone: (form, tag, out of its vocabulary)."""
    return tuple((t.form, t.tag, bool(t.oov)) for t in _kiwi().tokenize(form))


def _noun_and_particle(word: str) -> bool:
    """"이름이", "진술과": a possessed common noun and a particle, not a
    three-syllable name after a kinship or role word."""
    toks = tokens(word)
    return len(toks) == 2 and toks[0][0] in POSSESSED and toks[1][1].startswith("J")


ANIMATE_PARTICLE = re.compile(r"(?:에게|한테|께서|께)(?![가-힣])")


def _noun_then_particle_at(text: str, start: int) -> bool:
    """kiwipiepy reads, in its line, a two-syllable common noun at ``start``
    and then a particle: "여권을" (passport + object marker) is no name."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    toks = tokens(text[line_start:line_end])
    for i, (_form, tag, t_start, t_len) in enumerate(toks):
        if line_start + t_start == start:
            nxt = toks[i + 1][1] if i + 1 < len(toks) else ""
            return tag == "NNG" and t_len == 2 and nxt.startswith("J")
    return False


def _copula_at(text: str, start: int) -> bool:
    """kiwipiepy reads a copula, an ending or a particle at ``start``."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    return any(
        line_start + s == start and (tag == "VCP" or tag.startswith(("E", "J")))
        for _f, tag, s, _n in tokens(text[line_start:line_end])
    )


def line_tokens(
    text: str, start: int, end: int | None = None
) -> tuple[int, tuple[tuple[str, str, int, int], ...]]:
    """kiwipiepy's reading of the line that holds text[start:end] (the line
    of ``start`` when ``end`` is None): the line's start and its tokens, with
    offsets relative to that start. Words are read in their line because
    kiwipiepy's reading of a word depends on its neighbours."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start if end is None else end)
    line_end = len(text) if line_end < 0 else line_end
    return line_start, tokens(text[line_start:line_end])


def _one_noun_at(text: str, start: int, end: int) -> bool:
    """kiwipiepy reads text[start:end], in its line, as one common noun."""
    line_start, toks = line_tokens(text, start, end)
    return any(
        line_start + s == start and tag == "NNG" and n == end - start for _f, tag, s, n in toks
    )


def common_noun_at(text: str, start: int, end: int) -> bool:
    """True when kiwipiepy reads text[start:end], in its line, as a common
    noun: "통화했고" (a phone call) is not 통화 the city, "청진상" not 청진."""
    line_start, toks = line_tokens(text, start, end)
    for _form, tag, t_start, t_len in toks:
        if line_start + t_start == start:
            return tag in ("NNG", "XR") or t_len > end - start
    return False


def hangul_name_reading(text: str, start: int, end: int) -> bool:
    """kiwipiepy, reading the line, takes text[start:end] for a proper noun, or
    cannot read it as one word (an unknown name: "은철" -> 은 + 철): not a common
    noun ("명화", "상담원") and not a verb or an ending ("살아")."""
    line_start, toks = line_tokens(text, start, end)
    for _form, tag, t_start, t_len in toks:
        if line_start + t_start == start:
            if tag == "NNP":
                return True
            if tag in ("NNG", "XR", "NP", "NR", "NNB") and t_len >= end - start:
                return False
            return not tag.startswith(("V", "E", "M", "X"))
    return False


def plausible_name(form: str) -> bool:
    """False when kiwipiepy reads ``form`` alone as a word with a particle,
    an ending, a pronoun, a numeral or a bound noun ("안녕하세요", "저희",
    "킬로헤르츠"): a model's person span must be a bare noun. A form led by
    a surname is kept at two or three syllables; longer, only an ending, a
    particle or a verb-making suffix rules it out ("안녕하세요")."""
    if not re.fullmatch(r"[가-힣]{2,6}", form):
        return True
    if not_a_name(form):
        return False
    tags = [t[1] for t in tokens(form)]
    if form[0] in hangul_surnames():
        # Two or three syllables led by a surname is the shape of a name,
        # whatever kiwi makes of it alone ("고철남" -> 고철 + 나 + ㅁ).
        if len(form) <= 3:
            return True
        strict = ("XSA", "XSV", "VCP", "NP", "IC")
        return not any(t[0] in "EJ" or t in strict for t in tags)
    return not any(t[0] in "EJX" or t in ("NP", "NNB", "VCP", "IC", "NR") for t in tags)


def given_name(full: str) -> str | None:
    """"리성철" -> "성철": Koreans are often called by given name alone."""
    if 3 <= len(full) <= 4 and full[0] in hangul_surnames():
        return full[1:]
    return None
