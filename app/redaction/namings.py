"""Conventions by which English-language records name people (Latin script).

The name grammars (``names.py``) know how names are built; these rules know
where a document puts a name whatever its shape:

* airline and booking style, surname first with a slash and a title
  ("SMITH/JOHN MR", "LEE/ANNA MS"), as PNRs, manifests and boarding passes
  print it;
* a name after a crew, police, school or care role written as an
  abbreviation or a title ("CA Rossi", "PC Hale", "TA Okoro", "Senior Purser
  Ines Vidal"), as incident and shift reports write them;
* the author of a log entry in brackets after the bullet or the date
  ("- 4/2 (Tom R.):", "12:05 (sara k) -");
* a nickname quoted between a given name and a surname ('Margaret ("Peggy")
  Lund'), a pseudonym field ('Survivor (pseudonym): "Linden"'), a name a
  person uses ('also uses "Dasha" at work');
* initials and logins in person fields ("Reviewer initials: KT",
  "Modified by: j.novak");
* a name made the subject of a clause by an absolute construction ("with Ada
  interpreting") or presented in a chat ("that is Tomas, he ...").

Every word list here is a closed class of English office, crew, police,
school and care vocabulary written for this project (no evaluation-set text).
"""

from __future__ import annotations

import re

from app.redaction.abbreviations import ACRONYMS, BRACKETED_ROLES, ROLE_ABBREVIATIONS
from app.redaction.spans import PERSON, IdType, Span
from app.redaction.stopwords import is_common_english, is_stopword

D = IdType.DIRECT



# Booking names: SURNAME/GIVEN (one or two words each) and the passenger title,
# with or without a space ("SMITH/JOHNMR" is the PNR form).
_UP = r"[A-Z][A-Z'’-]{1,24}"
BOOKING_TITLE = r"(?:MRS|MR|MS|MISS|MSTR|DR|PROF|REV|CHD|INF)"
BOOKING = re.compile(
    # a PNR numbers its passengers ("1.1KIM/MINA MS")
    rf"(?<![A-Za-z/])({_UP}(?:[ ]{_UP})?/{_UP}(?:[ ](?!{BOOKING_TITLE}\b){_UP})?)"
    rf"[ ]?{BOOKING_TITLE}\b"
)
# Without a title only after a passenger field ("Pax: KIM/MINA").
BOOKING_FIELD = re.compile(
    rf"(?im)\b(?:pax(?:\s+[A-Z0-9])?|passenger(?:\s+name)?|traveller|traveler|guest|name)[ \t]*:"
    rf"[ \t]*(?-i:({_UP}/{_UP}(?:[ ]{_UP})?))(?![\w/])"
)

ROLE_ABBREVIATION = "(?:" + "|".join(sorted(ROLE_ABBREVIATIONS, key=len, reverse=True)) + ")"
ROLE_TITLE = (
    r"(?:(?:Senior|Chief|Lead|Head|Junior|Deputy|Assistant|Staff|Charge|Ward|Duty|Police|"
    r"Detective|Special|Community)\s+)?"
    r"(?:Purser|Flight\s+Attendant|Cabin\s+Attendant|Cabin\s+Crew|Cabin\s+Manager|Steward|"
    r"Stewardess|First\s+Officer|Second\s+Officer|Constable|Detective|Sergeant|Inspector|"
    r"Superintendent|Corporal|Private|Nurse|Sister|Matron|Midwife|Headteacher|Head\s+Teacher|"
    r"Teaching\s+Assistant|Caseworker|Case\s+Worker|Counsellor|Councillor|Attorney|Advocate|"
    r"Chaplain|Warden|Guard|Officer)"
)
# A name word: an initial, a capitalised word (also "O'Malley", "McRae",
# "Okonedo-Grant") or one in capitals.
_NAME_WORD = (
    r"(?:[A-Z]\.|[A-Z](?:[a-zà-ÿ]{0,2}['’]?[A-Z])?[a-zà-ÿ'’]+(?:-[A-Za-z][a-zà-ÿ'’]+)*|"
    r"[A-Z]{2,}(?:-[A-Z]{2,})?)"
)
# Spelled-out crew, police and care titles also in lowercase ("the purser
# Ines Vidal", "nurse Kang"); not the words that are also adjectives or kin
# ("private", "sister", "guard").
ROLE_TITLE_LOWER = (
    r"(?:senior\s+|chief\s+|head\s+|staff\s+|police\s+)?(?:purser|flight\s+attendant|"
    r"cabin\s+attendant|cabin\s+crew|steward|stewardess|first\s+officer|constable|detective|"
    r"sergeant|inspector|nurse|midwife|headteacher|teaching\s+assistant|caseworker|counsellor|"
    r"chaplain)"
)
ROLE_NAME = re.compile(
    rf"(?<![\w.])(?:({ROLE_ABBREVIATION})\.?|{ROLE_TITLE}|{ROLE_TITLE_LOWER})"
    # ranks and roles may be stacked: "Det. Insp. Holloway", "Lt. Col. Brandt"
    rf"(?:[ \t]+{ROLE_ABBREVIATION}\.?(?=[ \t]))*[ \t]+"
    rf"({_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}})"
)

# A log entry signed by its author in brackets: "- 4/2 (Tom R.):",
# "12:05 (sara k) -", "* 2026-03-01 [Dee]:".
_DATE_LEAD = (
    r"(?:\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?|\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}|"
    r"\d{1,2}\s+[A-Z][a-z]{2}\.?)"
)
LOG_AUTHOR = re.compile(
    rf"(?m)^[ \t]*(?:(?:[-*•–][ \t]*)?{_DATE_LEAD}|[-*•–])[ \t,]*[(\[]"
    r"([A-Za-z][A-Za-z'’-]*\.?(?:[ \t][A-Za-z][A-Za-z'’-]*\.?){0,2})[)\]][ \t]*[:—–-]"
)
INITIAL = re.compile(r"[A-Za-z]\.?")
# Anywhere, a bracketed given name and initial heading a remark: "Note (Tom R.):".
INITIALLED_AUTHOR = re.compile(
    r"(?<![\w(\[])[(\[]([A-Za-z][a-z'’-]+[ \t][A-Za-z]\.?)[)\]][ \t]*:"
)

# A nickname quoted between the given name and the surname: 'Margaret
# ("Peggy") Lund', 'Tomasz "Tom" Nowak-Berg'.
_CAP = r"[A-Z][a-zà-ÿ'’]+"
QUOTED_MIDDLE = re.compile(
    rf"(?<![\w-])({_CAP})[ \t]+\(?[\"“'‘]({_CAP}(?:[ -]{_CAP})?)[\"”'’]\)?[ \t]+"
    rf"({_CAP}(?:-{_CAP})?)(?![\w-])"
)
# A field for the name a person goes by: 'Survivor (pseudonym): "Linden"',
# "Alias: Big Oleg", "Preferred name: Dasha".
PSEUDONYM_FIELD = re.compile(
    r"(?im)^[ \t]*[^\n:]{0,40}?\b(?:pseudonym|alias(?:es)?|nick\s?name|code\s?name|cover\s+name|"
    r"a\.?k\.?a\.?|also\s+known\s+as|preferred\s+name|known\s+as|other\s+names?(?:\s+used)?)\b"
    r"[^\n:]{0,20}:[ \t]*(?:[\"“]([^\"”\n]{1,40})[\"”]|([A-Z][\w'’-]*(?:[ \t][A-Z][\w'’-]*){0,2}))"
)
# The name a person uses: 'also uses "Dasha" at work', 'prefers "Min"'.
USES_NAME = re.compile(
    r"\b(?:uses|used|prefers|preferred|answers\s+to|answered\s+to|goes\s+by|went\s+by)\s+"
    r"(?:the\s+name\s+)?[\"“]([A-Z][\w'’-]+(?:\s[A-Z][\w'’-]+)?)[\"”]"
)
# Known-as with a place or group between: 'known in class as "Bo"',
# 'known at the market as "Auntie Lyuba"'.
KNOWN_AS = re.compile(
    r"\bknown\s+(?:(?:in|at|on|among|around|to)\s+(?:[\w'’-]+\s+){1,3})as\s+"
    r"[\"“]([^\"”\n]{2,30})[\"”]"
)

# Initials in a person field: "Reviewer initials: KT", "Supervising attorney: RC".
INITIALS_FIELD = re.compile(
    r"(?im)(?:^|(?<=[ \t]{2})|(?<=\|))[ \t]*(?:[A-Za-z'’]+[ \t]+){0,2}"
    r"(?:initials|attorney|supervisor|student|interviewer|reviewer|author|worker|officer|"
    r"volunteer|interpreter|translator|counsel|advocate|solicitor|clinician|nurse|teacher|"
    r"witness|staff|signed|signature|by)[ \t]*:[ \t]*(?-i:([A-Z]{2,3}))"
    r"(?=[ \t]*(?:$|[,;(]|[ \t]{2}))"
)
# A login in a field that names a user: "Exported by: j.novak", "Owner: kpark".
LOGIN_FIELD = re.compile(
    r"(?im)\b(?:[a-z]+ed\s+by|user(?:\s?name)?|login|owner|assignee|assigned\s+to|account|"
    r"uploader|operator)[ \t]*:[ \t]*(?-i:([a-z][a-z0-9]*(?:[._][a-z][a-z0-9]*)+|[a-z]{3,}\d+))"
    r"(?![\w@.-])"
)

# An absolute construction makes the name the agent: "with Ada interpreting".
WITH_AGENT = re.compile(
    r"\bwith\s+(?:(Mr|Mrs|Ms|Miss|Dr)\.?\s+)?((?:[A-Z][a-z'’]+)(?:[ -][A-Z][a-z'’]+)?)\s+"
    r"(?:interpreting|translating|"
    r"driving|chairing|presiding|minuting|taking\s+notes|assisting|observing|facilitating|"
    r"supervising|co-facilitating)\b"
)
# A chat presents a person: "that is Tomas, he ...", "this is Yuri from ...".
PRESENTED = re.compile(
    r"\b(?:[Tt]hat|[Tt]his|[Ii]t)(?:\s+is|\s+was|['’]s)\s+([A-Z][a-z]+(?:-[a-z]+)?)"
    r"(?=\s*[,;!?)]|\s*$|\s+(?:from|who|he|she|with|and|in)\b)",
    re.MULTILINE,
)


def _name_word(word: str) -> bool:
    """A word that may be (part of) a name where a convention puts one."""
    from app.redaction.names import ENGLISH_NOT_NAME

    bare = word.strip(".")
    return bool(bare) and not is_stopword(bare) and bare.capitalize() not in ENGLISH_NOT_NAME


def _known_name(word: str) -> bool:
    from app.redaction.names import first_names, latin_surnames

    return word in first_names() or word in latin_surnames()


def _person_name_shape(word: str) -> bool:
    """A single word that reads as a person's name: a known given name or
    surname, or a romanised Korean shape, not a common word nor a known place
    ("that is Seoul", "with Google translating")."""
    from app.redaction.gazetteer import is_known_place
    from app.redaction.names import korean_given_shape

    if not _name_word(word) or is_known_place(word):
        return False
    if _known_name(word):
        return True
    return not is_common_english(word) and korean_given_shape(word)


def bookings(text: str) -> list[Span]:
    out = [Span(m.start(1), m.end(1), PERSON, D) for m in BOOKING.finditer(text)]
    out += [Span(m.start(1), m.end(1), PERSON, D) for m in BOOKING_FIELD.finditer(text)]
    return out


def _common_word(word: str) -> bool:
    if INITIAL.fullmatch(word):
        return False  # "R." of "Cpt. R. Haddad"
    return is_common_english(word.strip(".")) and not _known_name(word.strip("."))


def role_names(text: str) -> list[Span]:
    out: list[Span] = []
    for m in ROLE_NAME.finditer(text):
        words = list(re.finditer(r"\S+", m.group(2)))
        # The name ends before a word that is not one ("PC Hale On Monday").
        kept: list[re.Match[str]] = []
        for w in words:
            if not _name_word(w.group(0)) or (kept and _common_word(w.group(0))):
                break
            kept.append(w)
        if not kept or (len(kept) == 1 and INITIAL.fullmatch(kept[0].group(0))):
            continue
        # A common English word after the role makes a compound, not a name
        # ("DC United", "PC Windows", "Attorney General", "Attorney Client").
        if _common_word(kept[0].group(0)):
            continue
        out.append(Span(m.start(2) + kept[0].start(), m.start(2) + kept[-1].end(), PERSON, D))
    return out


def log_authors(text: str) -> list[Span]:
    out: list[Span] = []
    for m in INITIALLED_AUTHOR.finditer(text):
        first = m.group(1).split()[0]
        if (_name_word(first) and not is_common_english(first)) or _known_name(first.capitalize()):
            out.append(Span(m.start(1), m.end(1), PERSON, D))
    for m in LOG_AUTHOR.finditer(text):
        words = m.group(1).split()
        core = [w for w in words if not INITIAL.fullmatch(w)]
        if not core or len(core) > 2 or not all(_name_word(w) for w in core):
            continue
        from app.redaction.labels import ROLE_SPEAKERS

        if any(w.lower().strip(".") in ROLE_SPEAKERS or w in BRACKETED_ROLES for w in core):
            continue
        # An initial after the word marks it as a name ("mike t", "Gail P.");
        # a word alone must not be an ordinary one ("(update)", "(Draft)").
        initialled = len(core) < len(words)
        if not initialled and len(core) == 1 and is_common_english(core[0]):
            continue
        if not initialled and core[0][0].islower():
            continue
        from app.redaction.gazetteer import is_known_place

        if is_known_place(" ".join(core)):
            continue  # "- 2/3 (Tynda):" dates a place, not an author
        out.append(Span(m.start(1), m.end(1), PERSON, D))
    return out


def nicknames(text: str) -> list[Span]:
    out: list[Span] = []
    for m in QUOTED_MIDDLE.finditer(text):
        given, surname = m.group(1), m.group(3)
        if not (_name_word(given) and _name_word(surname)):
            continue
        if is_common_english(given) and not _known_name(given):
            continue  # 'Visit "Green" Park
        for g in (1, 2, 3):
            out.append(Span(m.start(g), m.end(g), PERSON, D))
    for m in PSEUDONYM_FIELD.finditer(text):
        g = 1 if m.group(1) else 2
        value = m.group(g).strip()
        if not value or is_stopword(value) or len(value.split()) > 4:
            continue
        from app.redaction.labels import NOT_A_NAME

        if value.lower() in NOT_A_NAME:
            continue
        s = m.start(g) + (len(m.group(g)) - len(m.group(g).lstrip()))
        out.append(Span(s, s + len(value), PERSON, D))
    for m in USES_NAME.finditer(text):
        # "uses "Viber"": only a name a person could go by, not an app.
        if not _person_name_shape(m.group(1).split()[0]):
            continue
        out.append(Span(m.start(1), m.end(1), PERSON, D))
    for m in KNOWN_AS.finditer(text):
        value = m.group(1).strip()
        if value and len(value.split()) <= 3 and not is_stopword(value):
            s = m.start(1) + (len(m.group(1)) - len(m.group(1).lstrip()))
            out.append(Span(s, s + len(value), PERSON, D))
    return out


def field_initials(text: str) -> list[Span]:
    out = [
        Span(m.start(1), m.end(1), PERSON, D)
        for m in INITIALS_FIELD.finditer(text)
        if m.group(1) not in ACRONYMS
    ]
    for m in LOGIN_FIELD.finditer(text):
        out.append(Span(m.start(1), m.end(1), PERSON, D))
    return out


def agents(text: str) -> list[Span]:
    out: list[Span] = []
    for m in WITH_AGENT.finditer(text):
        name = m.group(2)
        first = name.split()[0].split("-")[0]
        # "with Korean interpreting": a language; "with Google translating": a tool.
        if not _name_word(first) or re.fullmatch(r"[A-Z][a-z]+(?:ish|ese|ian|ean|ic|i)", first):
            continue
        # After a title any word is a surname; alone, it must read as a name.
        if not m.group(1) and " " not in name and not _person_name_shape(name):
            continue
        out.append(Span(m.start(2), m.end(2), PERSON, D))
    for m in PRESENTED.finditer(text):
        if not _person_name_shape(m.group(1)):
            continue
        out.append(Span(m.start(1), m.end(1), PERSON, D))
    return out


# Hangul text quoting a name from a Latin-script document, a particle
# attached: "이름이 RI CHOL로", "KIM HYOK이".
CAPS_IN_HANGUL = re.compile(
    r"(?<=[가-힣][ \t])([A-Z]{1,4}(?:[ \t][A-Z]{2,6}){1,2})(?=[가-힣]|[ \t]*[가-힣(,.])"
)


def latin_in_hangul(text: str) -> list[Span]:
    from app.redaction.names import korean_given_shape, latin_surnames

    out: list[Span] = []
    for m in CAPS_IN_HANGUL.finditer(text):
        surname, *given = m.group(1).split()
        if surname.capitalize() not in latin_surnames() or len(surname) < 2:
            continue
        if all(korean_given_shape(g.lower()) for g in given):
            out.append(Span(m.start(1), m.end(1), PERSON, D))
    return out


# A surname in hurried lowercase opening a clause of a note, as the subject of
# a verb ("...: kim uses the back door", "; lee said no"), when the document
# also writes it capitalised.
LOWER_SUBJECT = re.compile(
    r"(?:^|[:;.!?][ \t]+|\n[ \t]*)([a-z]{2,5})[ \t]+"
    r"([a-z]{2,12}(?:s|ed)|said|told|came|went|left|knew|got|has|had|is|was|will|can)\b"
)


def lowercase_subjects(text: str) -> list[Span]:
    from app.redaction.names import latin_surnames

    out: list[Span] = []
    for m in LOWER_SUBJECT.finditer(text):
        word = m.group(1)
        surname = word.capitalize()
        if surname not in latin_surnames() or len(word) < 3 or is_stopword(word):
            continue
        if not re.search(rf"\b{surname}\b(?!-)", text):
            continue
        out.append(Span(m.start(1), m.end(1), PERSON, D))
    return out


def find(text: str) -> list[Span]:
    return (
        bookings(text)
        + role_names(text)
        + log_authors(text)
        + nicknames(text)
        + field_initials(text)
        + agents(text)
        + latin_in_hangul(text)
        + lowercase_subjects(text)
    )
