"""Document furniture that names people: field labels, signatures, sign-offs,
speaker labels, naming phrases and reference numbers (Latin script).

Records arrive as forms, e-mails, call logs and transcripts. Whoever fills
the "Interpreter:" field, signs an e-mail below "--", ends a message with
"H." or "- tw", or speaks as "MINHO:" in a transcript is named there, often in
a form no name grammar expects (a lowercase volunteer, a bare initial, a
Western first name). The layout says it is a person, so these rules read the
layout, not the name. Every label and closing word below is general English
office vocabulary written for this project (no evaluation-set text).
"""

from __future__ import annotations

import re
from collections import Counter

from app.redaction.korean import hangul_name_reading
from app.redaction.spans import ADDRESS, CODE, PERSON, IdType, Span
from app.redaction.stopwords import is_common_english, is_stopword, word_set

D = IdType.DIRECT



# Form fields whose value is a person ("Interpreter: Yuna Seo-Park").
PERSON_FIELD = (
    r"interpreter|translator|volunteer(?:\s+on\s+duty)?|duty\s+volunteer|clinician|doctor|gp|"
    r"nurse|midwife|case\s?worker|case\s+officer|case\s+manager|social\s+worker|support\s+worker|"
    r"key\s+worker|author|written\s+by|prepared\s+by|reviewed\s+by|recorded\s+by|reported\s+by|"
    r"compiled\s+by|taken\s+by|entered\s+by|logged\s+by|checked\s+by|approved\s+by|signed\s+by|"
    r"interviewer|interviewee|respondent|witness|client|patient|name|full\s+name|first\s+name|"
    r"surname|family\s+name|given\s+name|alias|contact(?:\s+person)?|emergency\s+contact|"
    r"next\s+of\s+kin|host|co-host|guest|producer|reporter|journalist|photographer|fixer|"
    r"lawyer|solicitor|counsel|legal\s+representative|representative|advocate|signed|"
    r"signature|from|to|cc|bcc|attendees?|present|chair|minutes|staff|duty\s+officer|operator|"
    r"call\s+taker|mentor|sponsor|applicant|claimant|appellant|petitioner|complainant|caller|"
    r"referred\s+by|referrer|pastor|priest|driver|guide|escort|handler|attn|fao|for\s+the\s+attention\s+of|"
    r"victim|survivor|attorney|supervisor|student|pupil|assigned\s+to|assignee"
)
# A qualifier may lead the label ("Shift volunteer:", "Second interpreter:").
# A bracket may qualify it ("Legal name (as in passport):"), and a form may put
# a second field on the line after a wide gap ("Student: ...    Supervisor: ...").
FIELD_RE = re.compile(
    rf"(?im)(?:^|\||(?<=\S[ \t]{{3}}))[ \t]*(?:[A-Za-z]+[ \t]+)?(?:{PERSON_FIELD})"
    r"(?:[ \t]*\([^)\n]{1,30}\))?[ \t]*:[ \t]*"
)
# Fields that take a list of people ("To: Daniel Yoo; Sergei M.").
LIST_FIELD_RE = re.compile(r"(?i)^(?:to|cc|bcc|attendees?|present|staff)\b")

NAME_WORD_RX = r"(?:[A-Za-z][A-Za-z'’-]*\.?|[A-Z]\.)"
TITLE = re.compile(r"(?i)^(?:mr|mrs|ms|miss|dr|prof|rev|fr|sr)\.?$")
# Field values that are not a name.
NOT_A_NAME = word_set(
    """
    none n/a na nil unknown withheld anonymous redacted tbc tbd pending self same yes no not
    korean russian english chinese uzbek tajik kyrgyz kazakh ukrainian mongolian french
    german japanese vietnamese thai nepali filipino turkish arabic polish belarusian phone
    telephone video remote in person online by via per see below above male female man woman
    unnamed various multiple several requested declined refused
    """
)
# Offices and bodies that sign letters or fill fields without naming anyone.
OFFICE_WORDS = word_set(
    """
    un special rapporteur rapporteurs working group secretariat office team committee
    council commission ngo staff department unit desk service services centre center
    programme program coordinator officer director manager administrator volunteers hotline
    helpline line project
    """
)
STOP_AT = re.compile(r"[,(|<\[;/—–]|\s{2,}|\s-\s|\n")

# E-mail signature: the line after "--" starts with the sender's name.
SIGNATURE_RE = re.compile(r"(?m)^--[ \t]*\n[ \t]*([^\n|,<(]{3,60})")
# A closing word on its own line, the name on the next ("Thanks,\nHannah").
CLOSING_RE = re.compile(
    r"(?im)^[ \t]*(?:thanks|thank\s+you|many\s+thanks|best|best\s+wishes|all\s+the\s+best|"
    r"regards|kind\s+regards|best\s+regards|warm\s+regards|cheers|sincerely|yours(?:\s+sincerely|"
    r"\s+faithfully|\s+truly)?|love|warmly|take\s+care|speak\s+soon|with\s+thanks)[ \t]*[,.!]?"
    r"[ \t]*\n[ \t]*([^\n|,<(]{1,40})$"
)
# A bare sign-off line: "H.", "D. K.", "JS", "- tw" between blank lines; a
# romanised Russian initial may be a digraph ("A. Zh.", "E. Ts."); a letter's
# reference line gives the author's and the typist's initials ("KL/mp").
INITIALS_LINE_RE = re.compile(
    r"(?m)(?:^|\n)[ \t]*\n[ \t]*(?:[-–—~][ \t]?)?"
    r"((?:[A-Z]\.[ \t]?){1,3}|[A-Z]\.[ \t]?(?:Zh|Kh|Ts|Ch|Sh|Yu|Ya|Yo|Ye)\.|[A-Z]{2,3}/[a-z]{2,3}|"
    r"[A-Z]{2,3}|[a-z]{2,3})[ \t]*(?=\n[ \t]*(?:\n|-{2,}|$)|\s*$)"
)

# Short lines that are words, not initials.
CHAT_WORDS = word_set("ok okay yes no hi hey bye thx ty lol pls ps fyi asap re fw fwd end tba tbc")

# "[00:01:13] MINHO:", "Margot:", "12:04 Sasha:" at the start of a line.
SPEAKER_RE = re.compile(
    r"(?m)^[ \t]*(?:\[?\d{1,2}:\d{2}(?::\d{2})?\]?[ \t]+)?"
    r"([A-Z][A-Za-z'’-]{1,20}(?:[ \t][A-Z][A-Za-z'’-]{1,20})?)[ \t]*:(?!\d)"
)
# In a chat export ("21:14 Rustam taxi:") a saved contact name may go on in lowercase.
CHAT_SPEAKER_RE = re.compile(
    r"(?m)^[ \t]*\[?\d{1,2}:\d{2}(?::\d{2})?\]?[ \t]+"
    r"([A-Z][A-Za-z'’-]{1,20}[ \t][a-z]{2,12})[ \t]*:"
)
# Hangul and Cyrillic speaker labels ("수진:", "바다 삼촌:", "↳ Азамат:").
SPEAKER_OTHER_RE = re.compile(
    r"(?m)^[ \t]*(?:↳[ \t]*)?(?:\[?\d{1,2}:\d{2}(?::\d{2})?\]?[ \t]+)?"
    r"([가-힣]{1,6}(?:[ \t][가-힣]{1,4})?|[А-ЯЁ][а-яё]{1,20}(?:[ \t][А-ЯЁ][а-яё]{1,20})?)"
    r"[ \t]*:(?!\d)"
)
# Roles and public offices that head lines without naming a private person.
ROLE_SPEAKERS_OTHER = frozenset(
    [
        "기자",
        "사회자",
        "진행자",
        "질문",
        "답변",
        "문",
        "답",
        "자막",
        "메모",
        "편집",
        "참고",
        "비고",
        "주",
        "출처",
        "일시",
        "장소",
        "안건",
        "결정",
        "내용",
        "제목",
        "통역",
        "작가",
        "나레이션",
        "내레이션",
        "효과음",
        "위원장",
        "위원",
        "의원",
        "장관",
        "차관",
        "원장",
        "청장",
        "대표",
        "판사",
        "검사",
        "변호인",
        "피고인",
        "피의자",
        "증인",
        "참석자",
        "결론",
        "요약",
        "전화",
        "주소",
        "연락처",
        "이메일",
        "직업",
        "성명",
        "이름",
        "생년월일",
        "국적",
        "주거",
        "вопрос",
        "ответ",
        "ведущий",
        "корреспондент",
        "модератор",
        "примечание",
        "дата",
        "место",
        "тема",
        "итог",
        "автор",
        "админ",
        "администратор",
        "переводчик",
        "следователь",
        "судья",
        "прокурор",
        "адрес",
        "телефон",
        "тел",
        "итого",
        "подпись",
        "основание",
    ]
)
# Chat and comment headers: a name then a time ("Тимур Сагинбаев 21:47",
# "Yuna.P 2026.11.03. 12:30").
HEADER_RE = re.compile(
    r"(?m)^[ \t]*(?:↳[ \t]*)?([A-ZА-ЯЁ][\w.]{1,20}(?:[ \t][A-ZА-ЯЁ][\w.]{1,20})?)[ \t]+"
    r"(?:\d{4}[.-]\d{2}[.-]\d{2}\.?[ \t]+)?\d{1,2}:\d{2}(?::\d{2})?[ \t]*$"
)

# Speaker labels that name a role, not a person.
ROLE_SPEAKERS = word_set(
    """
    q a int resp host co-host interviewer interviewee respondent narrator translator
    interpreter producer voice announcer moderator all both note notes source editor unknown
    male female caller operator volunteer witness answer question speaker audience crowd
    reporter presenter anchor officer judge clerk prosecutor defence defense counsel lawyer
    chair chairman chairperson member members subject summary comment comments action date
    time place location re subject from to cc bcc sent attachment attachments ref tel phone
    fax email e-mail mobile address status outcome follow-up update background
    """
)

# Naming phrases the nickname rules do not cover ("calling him "Minho"",
# "call me Seventeen", "knows him only as "Kolya"", "name sounded like Ryu").
NAMING_RE = re.compile(
    r"(?:\bcall(?:ing|ed|s)?\s+(?:him|her|them|me|us)|\bknows?\s+(?:(?:him|her|them)\s+)?(?:only\s+)?as|"
    r"\bname\s+(?:sounded|sounds)\s+like|\bgoes\s+by|\bwent\s+by|\bintroduced\s+(?:him|her)self\s+as|"
    r"\bsigns?\s+(?:off\s+)?as|\bknown\s+(?:here\s+|to\s+us\s+)?only\s+as)"
    r"\s+(?:[\"“'‘]([^\"”'’\n\s]+(?:\s[^\"”'’\n\s]+){0,2})[\"”'’]|"
    r"([A-Z][A-Za-z'’-]+(?:\s(?-i:[A-Z])[A-Za-z'’-]+)?))",
    re.IGNORECASE,
)

# "Ref.: AL RUS 9/2026", "Our ref: HO/2024/11873", "Case no. KX-118".
REFERENCE_RE = re.compile(
    r"(?i)\b(?:ref(?:erence)?|our\s+ref|your\s+ref|file|case|case\s+ref|claim|ticket|dossier|"
    r"application|home\s+office\s+ref|uan|episode)\.?(?:\s*(?:no|number|#)\.?)?\s*[:#]?\s*"
    r"(?-i:([A-Z0-9][A-Z0-9]*(?:[ /.-][A-Z0-9]+){0,4}))"
)


def _name_run(text: str, start: int, end: int, allow_lower: bool) -> tuple[int, int] | None:
    """The name at the head of ``text[start:end]``: title dropped, 1-4 name tokens."""
    stop = STOP_AT.search(text, start, end)
    limit = stop.start() if stop else end
    tokens = list(re.finditer(r"\S+", text[start:limit]))
    words: list[re.Match[str]] = []
    for t in tokens:
        w = t.group(0)
        if not re.fullmatch(NAME_WORD_RX, w):
            break
        if not words and TITLE.match(w):
            continue
        bare = w.strip(".").lower()
        if bare in NOT_A_NAME or bare in OFFICE_WORDS:
            return None
        # "Understood." ends a sentence: a name token ends in a dot only as an initial.
        if w.endswith(".") and len(w) > 2 and not TITLE.match(w):
            return None
        if is_stopword(w) and not re.fullmatch(r"[A-Za-z]\.", w):
            break
        if w[0].islower() and not allow_lower:
            break
        words.append(t)
        if len(words) == 4:
            break
    if not words:
        return None
    b = start + words[0].start()
    e = start + words[-1].end()
    # A field holds a name and perhaps a bracket or a list; a line that goes on
    # in words ("Interpreter: Understood, thank you") is speech, not a field.
    rest = text[e:end].lstrip(" \t")
    if rest and rest[0] not in "(,|<;[—–-/" and not text[e:end].startswith("  "):
        return None
    surface = text[b:e]
    # A single word after a label may be an ordinary one ("Understood", "see").
    if len(words) == 1 and (len(surface) < 3 or is_common_english(surface)):
        return None
    return b, e


def fields(text: str) -> list[Span]:
    out: list[Span] = []
    for m in FIELD_RE.finditer(text):
        label = m.group(0).strip(" \t|:").lower()
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        pos = m.end()
        while pos < line_end:
            run = _name_run(text, pos, line_end, allow_lower=True)
            if run is None:
                break
            out.append(Span(run[0], run[1], PERSON, D))
            if not LIST_FIELD_RE.match(label):
                break
            nxt = re.compile(r"[ \t]*(?:<[^>\n]*>)?[ \t]*[;,][ \t]*").match(text, run[1])
            if not nxt:
                break
            pos = nxt.end()
    return out


def signatures(text: str) -> list[Span]:
    out: list[Span] = []
    for rx, lower in ((SIGNATURE_RE, False), (CLOSING_RE, False)):
        for m in rx.finditer(text):
            run = _name_run(text, m.start(1), m.end(1), allow_lower=lower)
            if run is not None:
                out.append(Span(run[0], run[1], PERSON, D))
    for m in INITIALS_LINE_RE.finditer(text):
        if m.group(1).lower() in CHAT_WORDS or is_stopword(m.group(1)):
            continue
        out.append(Span(m.start(1), m.end(1), PERSON, D))
    return out


def speakers(text: str) -> list[Span]:
    """Transcript speaker labels that recur and are not roles are people."""
    hits = [*SPEAKER_RE.finditer(text), *CHAT_SPEAKER_RE.finditer(text)]
    counts = Counter(m.group(1).lower() for m in hits)
    out: list[Span] = []
    for m in hits:
        label = m.group(1)
        key = label.lower()
        if counts[key] < 2 or key in ROLE_SPEAKERS or is_stopword(label):
            continue
        if any(part in ROLE_SPEAKERS for part in key.split()):
            continue
        out.append(Span(m.start(1), m.end(1), PERSON, D))
    return out


HANGUL_LABEL = re.compile(r"[가-힣]")


def other_speakers(text: str) -> list[Span]:
    """Hangul and Cyrillic speaker labels that recur, and chat headers."""
    hits = list(SPEAKER_OTHER_RE.finditer(text))
    counts = Counter(m.group(1) for m in hits)
    out: list[Span] = []
    for m in hits:
        label = m.group(1)
        words = label.lower().split()
        if counts[label] < 2 or any(w in ROLE_SPEAKERS_OTHER for w in words):
            continue
        if is_stopword(label) or words[-1] in ROLE_SPEAKERS_OTHER:
            continue
        if HANGUL_LABEL.match(label) and not hangul_name_reading(text, m.start(1), m.end(1)):
            continue  # "상담원:", "발신:", "조치:": a field or a role, not a name
        out.append(Span(m.start(1), m.end(1), PERSON, D))
    headers = list(HEADER_RE.finditer(text))
    counts = Counter(m.group(1) for m in headers)
    for m in headers:
        label = m.group(1)
        recurs = counts[label] >= 2 or "." in label.strip(".")
        if recurs and not any(
            is_stopword(w) or w.lower() in ROLE_SPEAKERS_OTHER for w in label.split()
        ):
            out.append(Span(m.start(1), m.end(1), PERSON, D))
    return out


def naming_phrases(text: str) -> list[Span]:
    out: list[Span] = []
    for m in NAMING_RE.finditer(text):
        g = 1 if m.group(1) else 2
        value = m.group(g)
        if g == 2 and is_stopword(value):
            continue
        out.append(Span(m.start(g), m.end(g), PERSON, D))
    return out


# "Address: ...", "Home address: ...", "Адрес: ...", "주소: ...": the whole value.
ADDRESS_FIELD_RE = re.compile(
    r"(?im)^[ \t]*(?:(?:home|current|postal|mailing|residential)\s+)?(?:address|адрес"
    r"(?:\s+проживания|\s+регистрации)?|주\s*소|거주지|현\s*주소)[ \t]*:[ \t]*([^\n]{6,120})$"
)
# "ID 4417", "ID: 55-102", "badge no. 4471": a personal number after a label.
ID_LABEL_RE = re.compile(
    r"\b(?:ID|badge|staff|employee|member)(?:\s+(?:no\.?|number|#))?[ \t]*:?[ \t]*(\d[\d-]{2,})\b"
)


def addresses(text: str) -> list[Span]:
    out: list[Span] = []
    for m in ADDRESS_FIELD_RE.finditer(text):
        value = m.group(1).rstrip(" .;")
        if any(c.isdigit() for c in value):
            out.append(Span(m.start(1), m.start(1) + len(value), ADDRESS, D))
    for m in ID_LABEL_RE.finditer(text):
        out.append(Span(m.start(1), m.end(1), CODE, D))
    return out


def references(text: str) -> list[Span]:
    out: list[Span] = []
    for m in REFERENCE_RE.finditer(text):
        value = m.group(1)
        if not re.search(r"\d", value) or len(value) < 3:
            continue
        out.append(
            Span(
                m.start(1),
                m.end(1),
                CODE,
                D if "episode" not in m.group(0).lower() else IdType.QUASI,
            )
        )
    return out


def find(text: str) -> list[Span]:
    return (
        fields(text)
        + signatures(text)
        + speakers(text)
        + other_speakers(text)
        + naming_phrases(text)
        + references(text)
        + addresses(text)
    )
