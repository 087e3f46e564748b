"""Other ways a record names a person: initials, ciphers, glosses, kinship.

* Initials in brackets or after a dash, as editors and translators sign
  their notes: "[JMcK: ...]", "(LC)", "— J.]".
* Anonymity ciphers after a party label: "Between: RJH", "he is RJH".
* Korean initial consonants for a name (ㅊㅇㅎ, "ㄱ 형제") and a Latin letter
  before 씨 ("A씨"), the Korean way of writing "Mr A".
* A surname in capitals before the given name, comma-separated, as files
  list people ("SON, Hye-ryon").
* The gloss of a found name in brackets: its Hanja ("한명철 (韓明哲)"), and
  the nickname quoted before a bracketed name ('"Sunny" (Ri Sun-hui)').
* A name after a kinship or friendship word: "my friend Harpreet", "his
  cousin Arman", "남동생 은철", "여동생 명화(…)".

Every word list here is general vocabulary written for this project.
"""

from __future__ import annotations

import re

from app.redaction.abbreviations import ACRONYMS, BRACKETED_ROLES
from app.redaction.korean import hangul_name_reading
from app.redaction.spans import PERSON, IdType, Span
from app.redaction.stopwords import is_common_english, is_stopword, word_set

D = IdType.DIRECT



BRACKETED_INITIALS = re.compile(
    r"(?:[\[(]|[—–-]\s)((?:[A-Z][a-z]?){1,3}[A-Z]|[A-Z]\.)(?=\s*(?:[:)\]=]|\s*$))", re.MULTILINE
)
# A note signed with Cyrillic initials after a dash: "— Б. Д.", "— Д."
CYRILLIC_SIGN_OFF = re.compile(r"[—–-]\s((?:[А-ЯЁ]\.\s?){1,3})(?=\s*$)", re.MULTILINE)
# A surname before a rank or office ("엄 지배인", "오 경위", "현 과장"), and a
# nickname quoted after a role ('보위원 "곰"', 'brigade leader "Bear"').
KO_OFFICE = (
    r"(?:지배인|과장|부장|차장|대리|주임|팀장|실장|소장|반장|부반장|조장|작업반장|경위|경사|경장|순경|경감|"
    r"형사|대표|사장|부사장|국장|목사|전도사|장로|교수|박사|기사|원장|간호사|지도원|보위원|책임자|"
    r"담당|담당관|선생|선생님|대장|중대장|소대장|비서|당비서|"
    # Committees, associations, churches, media and kin address (written for
    # this project from general vocabulary; no evaluation-set text): minutes and
    # bulletins name members by surname and office ("윤 위원장:", "설 권사님").
    r"위원장|부위원장|위원|회장|부회장|총무|이사장|이사|간사|서기|감사|사무국장|사무장|국장|처장|"
    r"작가|기자|피디|앵커|아나운서|편집장|코치|변호사|검사|판사|의사|약사|교사|교장|교감|강사|"
    r"상담사|상담원|통역사|활동가|연구원|조사관|수사관|영사|참사관|"
    r"권사|집사|성도|전도사|선교사|형제|자매|"
    r"형님|언니|누님|오빠|아저씨|아주머니|아줌마|할머니|할아버지|이모|삼촌|고모)"
)
KO_SURNAME_OFFICE = re.compile(
    rf"(?<![가-힣])([가-힣])\s{KO_OFFICE}(?=[의이가은는을를에께도와과님만]|[^가-힣]|$)"
)
# Minutes assign actions to people by initials: "KL to call the landlord",
# "Action: KL / MP (by Friday)", "draft by RT", "Transcribed by JB on ...",
# and an editor closes a bracket with them ("[End of notes. JB]").
_INI = r"[A-Z]{2,3}"
ACTION_LEAD = re.compile(
    rf"(?m)(?:^[ \t]*(?:[-*•][ \t]*)?(?:\d+[.)][ \t]*)?({_INI}(?:[ \t]*(?:/|&|,|and)[ \t]*{_INI})*)"
    rf"(?=[ \t]+(?:to|will|should|must)[ \t]+[a-z])|"
    rf"\b(?:Actions?|Owners?|Lead|Responsible|Who)[ \t]*:[ \t]*"
    rf"({_INI}(?:[ \t]*(?:/|&|,|and)[ \t]*{_INI})*)"
    rf"(?=[ \t]*(?:[(.;,\n]|$|[ \t]+(?:to|will)\b)))"
)
BY_INITIALS = re.compile(
    rf"\b(?:[A-Za-z]+ed|[Ww]ritten|done|sent|seen|drafted)[ \t]+by[ \t]+({_INI})(?=[\s).,;:\]]|$)|"
    rf"^[ \t]*Actions?:.*?\bby[ \t]+({_INI})(?=[\s).,;:]|$)|"
    rf"(?<=[.;!?])[ \t]+({_INI})(?=\])",
    re.MULTILINE,
)
INITIALS_TOKEN = re.compile(_INI)


def _org_acronym(text: str, value: str) -> bool:
    """An acronym an organisation goes by: it takes an article ("the ITF") or
    is defined in brackets ("Transport Workers' Federation (ITF)")."""
    return (
        value in ACRONYMS
        or re.search(rf"\b(?:the|The|THE)\s+{value}\b|\w\s+\({value}\)", text) is not None
    )


def _minutes_initials(text: str) -> list[Span]:
    out: list[Span] = []
    for rx in (ACTION_LEAD, BY_INITIALS):
        for m in rx.finditer(text):
            g = next(i for i in range(1, (rx.groups or 0) + 1) if m.group(i))
            for t in INITIALS_TOKEN.finditer(text, m.start(g), m.end(g)):
                if not _org_acronym(text, t.group(0)):
                    out.append(Span(t.start(), t.end(), PERSON, D))
    return out


LEGISLATURE = re.compile(r"국회|(?:[시도군구]|지방)의회|청문회|국정감사|상임위원회")
ROLE_NICKNAME = re.compile(
    r"(?:보위원|반장|작업반장|지도원|감독|지배인|책임자|감시원|brigade\s+leader|foreman|minder|"
    r"security\s+(?:officer|man|agent)|supervisor|бригадир|надзиратель|охранник|начальник)"
    r"\s*[\"“'‘«]([^\"”'’»\n]{1,12})[\"”'’»]",
    re.IGNORECASE,
)
CIPHER = re.compile(
    r"(?:\b(?:Between|Appellant|Claimant|Applicant|Respondent|Petitioner|Complainant|Witness)"
    r"\s*:?\s+|\b(?:he|she)\s+is\s+|\breferred\s+to\s+as\s+|\bknown\s+as\s+)([A-Z]{2,4})\b"
)
JAMO_INITIALS = re.compile(r"(?<![가-힣ㄱ-ㅎA-Za-z])([ㄱ-ㅎ]{1,4})(?![ㄱ-ㅎ가-힣])")
JAMO_TITLE = re.compile(r"\s?(?:형제|자매|씨|님|선생|집사|권사|군|양|목사|동무)")
# Chat shorthand written in initial consonants ("ㅇㅇ" = yes, "ㅋㅋ" = laughter).
JAMO_SHORTHAND = word_set(
    "ㅇㅇ ㄴㄴ ㅇㅋ ㄱㄱ ㅅㄱ ㄷㄷ ㅈㅅ ㄳ ㅊㅋ ㅎㅇ ㅂㅂ ㅃㅃ ㄱㅅ ㅁㄹ ㅇㄷ"
)
LETTER_SSI = re.compile(r"(?<![A-Za-z])([A-Z])\s?씨")
INVERTED_NAME = re.compile(r"\b([A-Z]{2,}),\s+([A-Z][a-z]+(?:-[a-z]+)?)\b")
HANJA_GLOSS = re.compile(r"\s*[(（]\s*([\u4e00-\u9fff]{1,4})\s*[)）]")
# A Latin or Cyrillic name glossed in Hangul ("Ольга Пак(올가)"): the
# transcription is the same person, and later mentions use it.
HANGUL_GLOSS = re.compile(r"\s*[(（]\s*([가-힣]{2,5})\s*[)）]")
QUOTED_BEFORE = re.compile(r"[\"“]([^\"”\n]{2,20})[\"”]\s*\(\s*$")

KIN_EN = (
    r"(?:friend|cousin|brother|sister|son|daughter|wife|husband|mother|father|uncle|aunt|"
    r"nephew|niece|colleague|co-worker|coworker|neighbour|neighbor|roommate|fianc[ée]e?|"
    r"girlfriend|boyfriend|grandson|granddaughter|grandmother|grandfather|partner|mate)"
)
KIN_EN_RE = re.compile(
    rf"\b(?:my|his|her|our|their|your)\s+(?:(?:late|little|elder|older|younger|eldest|"
    rf"youngest|best|old)\s+)?{KIN_EN}\s+([A-Z][a-z]+(?:[- ][A-Z][a-z]+)?)\b"
)
KIN_KO_RE = re.compile(
    r"(?<![가-힣])(?:어머니|아버지|엄마|아빠|남동생|여동생|동생|형|오빠|누나|언니|아들|딸|아내|"
    r"남편|삼촌|이모|고모|외삼촌|사촌|조카|친구|동료|손자|손녀|막내)\s+([가-힣]{2,3}?)"
    r"(?=이가|이는|이를|이의|이와|이도|이에게|이랑|에게|한테|이|가|은|는|을|를|의|와|과|도|야|아|에"
    r"|\s|$|[,.(\)])"
)


# "Vladivostok (VVO)": a code in brackets after the one word it abbreviates.
WORD_BEFORE_BRACKET = re.compile(r"(?<![A-Z][a-z]\s)(?<![A-Z][a-z][a-z]\s)\b([A-Z][a-z]+)\s*\($")


def _code_of_word_before(text: str, start: int, value: str) -> bool:
    m = WORD_BEFORE_BRACKET.search(text, max(0, start - 30), start)
    return m is not None and len(value) >= 3 and m.group(1)[0] == value[0]


def _initials(text: str) -> list[Span]:
    out: list[Span] = []
    for m in BRACKETED_INITIALS.finditer(text):
        value = m.group(1)
        if value.strip(".") in ACRONYMS or value in BRACKETED_ROLES:
            continue
        if text[m.start() : m.start() + 1] == "(" and _code_of_word_before(text, m.start(1), value):
            continue
        out.append(Span(m.start(1), m.end(1), PERSON, D))
    for m in CIPHER.finditer(text):
        if m.group(1) not in ACRONYMS:
            out.append(Span(m.start(1), m.end(1), PERSON, D))
    for m in JAMO_INITIALS.finditer(text):
        value = m.group(1)
        if len(value) == 1:
            if not JAMO_TITLE.match(text, m.end()):
                continue
        elif len(set(value)) == 1 or value in JAMO_SHORTHAND:
            continue
        out.append(Span(m.start(1), m.end(1), PERSON, D))
    for m in LETTER_SSI.finditer(text):
        out.append(Span(m.start(1), m.end(1), PERSON, D))
    for m in CYRILLIC_SIGN_OFF.finditer(text):
        out.append(Span(m.start(1), m.start(1) + len(m.group(1).rstrip()), PERSON, D))
    return out


def _offices(text: str) -> list[Span]:
    from app.redaction.names import hangul_surnames

    surnames = hangul_surnames()
    # In a legislature's record a committee member is a public figure ("최
    # 위원님" of a 국회 hearing), not a member of a support group's committee.
    public_committee = LEGISLATURE.search(text) is not None
    out = [
        Span(m.start(1), m.end(1), PERSON, IdType.QUASI)
        for m in KO_SURNAME_OFFICE.finditer(text)
        if m.group(1) in surnames
        and not (public_committee and text[m.end(1) :].lstrip().startswith(("위원", "부위원")))
    ]
    out += [
        Span(m.start(1), m.end(1), PERSON, IdType.QUASI)
        for m in ROLE_NICKNAME.finditer(text)
        if not is_stopword(m.group(1))
    ]
    return out


def _inverted(text: str) -> list[Span]:
    from app.redaction.names import latin_surnames

    surnames = latin_surnames()
    out: list[Span] = []
    for m in INVERTED_NAME.finditer(text):
        if m.group(1).capitalize() in surnames and not is_stopword(m.group(2)):
            out.append(Span(m.start(), m.end(), PERSON, D))
    return out


def _kin(text: str) -> list[Span]:
    out: list[Span] = []
    for m in KIN_EN_RE.finditer(text):
        name = m.group(1)
        if is_stopword(name) or is_common_english(name.split()[0]):
            continue
        out.append(Span(m.start(1), m.end(1), PERSON, D))
    for m in KIN_KO_RE.finditer(text):
        if not is_stopword(m.group(1)) and hangul_name_reading(text, m.start(1), m.end(1)):
            out.append(Span(m.start(1), m.end(1), PERSON, D))
    return out


GIVEN_CANDIDATE = re.compile(r"(?<![\w'’-])[A-Z][a-z]{2,}(?![\w-])")


def _given_alone(text: str) -> list[Span]:
    """A known given name standing alone inside a sentence ("without Nikolai's
    car", "ask Sasha to print"), when it is not also a frequent English word
    ("Grace", "Will") and not the sentence's first word."""
    from app.redaction.names import first_names

    given = first_names()
    out: list[Span] = []
    for m in GIVEN_CANDIDATE.finditer(text):
        word = m.group(0)
        if word not in given or is_common_english(word) or is_stopword(word):
            continue
        before = text[: m.start()].rstrip(" \t\"“'‘«(")
        if not before or before[-1] in ".!?\n:;—–-":
            continue
        out.append(Span(m.start(), m.end(), PERSON, D))
    return out


def find(text: str) -> list[Span]:
    return (
        _initials(text)
        + _minutes_initials(text)
        + _inverted(text)
        + _kin(text)
        + _given_alone(text)
        + _offices(text)
    )


def glosses(text: str, persons: list[Span]) -> list[Span]:
    """The Hanja after a found name, and a nickname quoted before one."""
    out: list[Span] = []
    for p in persons:
        m = HANJA_GLOSS.match(text, p.end)
        if m:
            out.append(Span(m.start(1), m.end(1), PERSON, D))
        h = HANGUL_GLOSS.match(text, p.end)
        if (
            h
            and not re.search("[가-힣]", text[p.start : p.end])
            and hangul_name_reading(text, h.start(1), h.end(1))
        ):
            out.append(Span(h.start(1), h.end(1), PERSON, D))
        q = QUOTED_BEFORE.search(text, max(0, p.start - 30), p.start)
        if q and not is_stopword(q.group(1)):
            out.append(Span(q.start(1), q.end(1), PERSON, D))
    return out
