"""Person names in Latin and Cyrillic script without a statistical model.

Korean names follow a closed set of surnames and a small syllable grammar,
so "Kim Chol-su", "Choi Sung-il", "Хон Сон Гук" are recognised by shape.
Other names are found by a title ("Mr", "Pastor", "товарищ"), by a known
given name ("Valery Kan", "Ian Le Petit"), or as initials ("C.S.").
Russian names in running Cyrillic text come from natasha (``russian.py``);
Hangul names from kiwipiepy (``korean.py``).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from app.redaction.romanise import is_korean_given
from app.redaction.spans import PERSON, PLACE, IdType, Span
from app.redaction.stopwords import is_stopword

D = IdType.DIRECT


@cache
def _surnames() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    data = resources.files("app.redaction").joinpath("data", "korean_surnames.tsv")
    text = data.read_text("utf-8")
    hangul: set[str] = set()
    latin: set[str] = set()
    cyr: set[str] = set()
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        h, lat, c = line.split("\t")
        hangul.update(h.split("|"))
        latin.update(lat.split("|"))
        cyr.update(c.split("|"))
    return frozenset(hangul), frozenset(latin), frozenset(cyr)


@cache
def first_names() -> frozenset[str]:
    text = resources.files("app.redaction").joinpath("data", "first_names.txt").read_text("utf-8")
    return frozenset(
        w for line in text.splitlines() if not line.startswith("#") for w in line.split()
    )


def hangul_surnames() -> frozenset[str]:
    return _surnames()[0]


def latin_surnames() -> frozenset[str]:
    return _surnames()[1]


def cyrillic_surnames() -> frozenset[str]:
    return _surnames()[2]


# One romanised Korean syllable (McCune-Reischauer, Revised Romanization and
# ad-hoc spellings): optional initial, vowel cluster, optional final.
_SYL = (
    r"(?:ch'|ch|k'|kk|p'|pp|t'|tt|ss|jj|ts|[bcdghjklmnprstwy])?"
    r"(?:wae|wea|yeo|yae|yeu|ae|ai|eo|eu|ui|oe|wi|wo|wa|we|ya|yo|yu|ye|oo|ee|ou|[aeiouŏŭ]|ŏ|ŭ)"
    r"(?:ng|n|m|l|k|p|t|r)?"
)
KOREAN_WORD = re.compile(rf"(?:{_SYL}){{1,3}}", re.IGNORECASE)
GIVEN_HYPHEN = r"[A-Z][a-zŏŭ']{0,7}-[a-zA-Zŏŭ'][a-zŏŭ']{0,7}"
CAP = r"[A-Z][a-zŏŭ']{0,8}"
LATIN_FULL = re.compile(
    rf"\b([A-Z][a-zŏŭ']{{0,5}})\s+({GIVEN_HYPHEN}|{CAP}(?:\s+{CAP})?)(?![\w-])"
)
HYPHEN_GIVEN = re.compile(rf"(?<![\w-])({GIVEN_HYPHEN})(?![\w-])")
PLACE_SUFFIX = re.compile(r"-(?:dong|ri|gu|gun|kun|si|ro|gil|eup|myeon|guyok|ku|do)$")
ENGLISH_NOT_NAME = frozenset(
    {
        "The", "A", "An", "And", "Or", "Of", "In", "On", "At", "To", "For", "From", "By", "With",
        "As", "Is", "Was", "Were", "Be", "Been", "He", "She", "It", "They", "We", "I", "You", "His",
        "Her", "Their", "Our", "My", "Your", "This", "That", "These", "Those", "There", "Here",
        "When", "Where", "Why", "How", "What", "Who", "Not", "No", "Yes", "But", "So", "If", "Then",
        "Also", "Only", "Just", "Street", "Road", "River", "Mountain", "Company", "University",
        "Team", "Unit", "Brigade", "Province", "County", "City", "Village", "Station", "Airport",
        "Church", "Office", "Bank", "Court", "Party", "Army", "Day", "Night", "Monday", "Sunday",
        "Trading", "Group", "Sector", "January", "March", "May", "June", "July",
    }
)

TITLE = (
    r"(?:Mr|Mrs|Ms|Miss|Dr|Mr\.|Mrs\.|Ms\.|Dr\.|Judge|Pastor|Reverend|Rev\.|Father|Comrade|"
    r"Professor|Prof\.|Senator|Sergeant|Sgt\.|Captain|Major|Colonel|Lieutenant|Officer|"
    r"Auntie|auntie|Aunt|aunt|Uncle|uncle|Brother|Sister|Grandma|Grandpa|Elder|Deacon|"
    r"Missionary|Bishop|Evangelist|Imam|Rabbi|landlady|landlord|neighbour|neighbor|cousin|"
    r"nephew|niece|Teacher|Instructor|Foreman|Manager|Director|Boss|Chief|Inspector|Minder)"
)
NAME_TOKEN = r"(?:[A-Z]\.(?:\s?[A-Z]\.)*|[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’-]*)"  # noqa: S105 -- a regex, not a secret
# After an initial the space is optional ("C.A.Whomersley"); otherwise required.
NAME_SEP = r"(?:(?<=\.)\s*|\s+)(?:(?:van der|van|de|von|Le|La|Mac)\s)?"
TITLED = re.compile(rf"\b{TITLE}\s+((?:{NAME_TOKEN})(?:{NAME_SEP}{NAME_TOKEN}){{0,3}})")
INITIALS = re.compile(r"(?<![\w.])(?:[A-Z]\.\s?){2,3}(?![\w])|(?<=witness\s)[A-Z]{2,4}\b")
CAP_SEQ = re.compile(rf"\b{NAME_TOKEN}(?:\s+(?:Le\s|La\s|de\s|van\s|von\s)?{NAME_TOKEN}){{0,3}}")

CYR_CAP = r"[А-ЯЁ][а-яё]{0,5}"
CYR_KOREAN = re.compile(
    rf"(?<![\w])([А-ЯЁ][а-яё]{{0,4}})((?:\s+{CYR_CAP}(?![\w.])){{1,2}}|(?:\s*[А-ЯЁ]\.){{1,2}})"
)
CYR_TITLED = re.compile(
    r"(?:товарищ[аеу]?|господин[аеу]?|госпож[аеи]|дяд[яеию]|тёт[яеию]|тет[яеию]|пастор[аеу]?|"
    r"адвокат|переводчи(?:к|ца))\s+([А-ЯЁ][а-яё]+(?:\s+[А-ЯЁ][а-яё]+)?)"
)


def _korean_given(token: str) -> bool:
    parts = re.split(r"[- ]", token.replace("’", "'"))
    return all(p and KOREAN_WORD.fullmatch(p) for p in parts)


def korean_given_shape(token: str) -> bool:
    """True when ``token`` is made of romanised Korean syllables ("mi-rae")."""
    return _korean_given(token)


def latin_korean(text: str) -> list[Span]:
    out: list[Span] = []
    surnames = latin_surnames()
    for m in LATIN_FULL.finditer(text):
        sur, given = m.group(1), m.group(2)
        if sur not in surnames or given.split()[0] in ENGLISH_NOT_NAME:
            continue
        if not _korean_given(given) or any(w in ENGLISH_NOT_NAME for w in given.split()):
            continue
        # Single-letter surnames ("O", "I") only with a hyphenated given name.
        if len(sur) == 1 and "-" not in given:
            continue
        if PLACE_SUFFIX.search(given):
            continue
        out.append(Span(m.start(), m.end(), PERSON, D))
    for m in HYPHEN_GIVEN.finditer(text):
        word = m.group(1)
        if PLACE_SUFFIX.search(word):
            out.append(Span(m.start(), m.end(), PLACE, IdType.QUASI))
        elif _korean_given(word):
            out.append(Span(m.start(), m.end(), PERSON, D))
    return out


# Korean names in any case, as field notes and UN reports write them:
# "pyon hak-rim", "CHU Myong-hak", "SIN Pok-nyo", "KIM Chol Su". The surname
# comes from the surname table, the given name from the syllable inventory.
ANYCASE_FULL = re.compile(
    r"(?<![\w-])([A-Za-z][A-Za-z']{0,5})\s+"
    r"([A-Za-zŏŭ']{1,8}-[A-Za-zŏŭ']{1,8}|[A-Z][a-zŏŭ']{0,7}\s+[A-Z][a-zŏŭ']{0,7})(?![\w-])"
)
# Speaker labels in transcripts: "BANG:", "WANG:" at the start of a line.
SPEAKER = re.compile(r"(?m)^[ \t]*([A-Z][A-Za-z']{1,6})[ \t]*:")
# Chinese familiar forms: "lao wang", "Xiao Li", "old Zhang".
FAMILIAR = re.compile(r"(?<![\w-])(?:[Ll]ao|[Xx]iao|LAO|XIAO)\s+([A-Za-z]{1,6})(?![\w-])")


# Hanyu Pinyin: initials x finals, a closed inventory (over-generating a
# little, which is harmless beside a surname).
_PY_INITIALS = ("", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "zh",
                "ch", "sh", "r", "z", "c", "s", "y", "w")
_PY_FINALS = ("a", "o", "e", "i", "u", "v", "ai", "ei", "ao", "ou", "an", "en", "ang", "eng",
              "ong", "er", "ia", "ie", "iao", "iu", "ian", "in", "iang", "ing", "iong", "ua",
              "uo", "uai", "ui", "uan", "un", "uang", "ue", "van", "vn")
PINYIN = frozenset(i + f for i in _PY_INITIALS for f in _PY_FINALS)
CHINESE_FULL = re.compile(
    r"(?<![\w-])([A-Z][a-z]{0,5}|[A-Z]{2,6})\s+([A-Z][a-z]{0,11}(?:-[a-z]{1,6})?)(?![\w-])"
)


@cache
def chinese_surnames() -> frozenset[str]:
    text = resources.files("app.redaction").joinpath("data", "chinese_surnames.txt")
    return frozenset(
        w.lower() for line in text.read_text("utf-8").splitlines()
        if not line.startswith("#") for w in line.split()
    )


def _pinyin_given(word: str) -> bool:
    """One or two pinyin syllables: "Fang", "Xiaoming", "Xiao-ming"."""
    w = word.lower().replace("-", "")
    if w in PINYIN:
        return True
    return any(w[:k] in PINYIN and w[k:] in PINYIN for k in range(1, len(w)))


def chinese(text: str) -> list[Span]:
    out: list[Span] = []
    for m in CHINESE_FULL.finditer(text):
        sur, given = m.group(1), m.group(2)
        if sur.lower() not in chinese_surnames() or not _pinyin_given(given):
            continue
        if is_stopword(given) or (is_stopword(sur) and not sur.isupper()):
            continue
        if given.lower() in ENGLISH_WORDS_PINYIN:
            continue
        out.append(Span(m.start(), m.end(), PERSON, D))
    return out


# English words that are also pinyin syllables, which follow a surname-shaped
# word in ordinary prose ("Long Men", "Ma Can"...).
ENGLISH_WORDS_PINYIN = frozenset({
    "he", "men", "pan", "ban", "can", "fan", "man", "ran", "tan", "van", "wan", "hen", "ten",
    "den", "pen", "sun", "gun", "bun", "run", "fun", "die", "tie", "pie", "lie", "bin", "tin",
    "pin", "sin", "win", "kin", "fin", "din", "gin", "ring", "king", "sing", "wing", "ping",
    "long", "song", "hang", "bang", "gang", "sang", "tang", "wang", "dong", "bong", "tong",
    "a", "o", "e", "yo", "ma", "pa", "la", "me", "we", "ye", "she", "sue", "hue", "due",
    "cue", "rue", "shin", "chin", "zen", "nun", "mao", "tao", "lei", "bei",
    "so", "go", "no", "to", "do", "lo", "mo", "ho", "gong", "bao", "chao", "ciao",
})


def _case_shape(word: str) -> str:
    if word.isupper():
        return "upper"
    if word.islower():
        return "lower"
    return "title" if word[0].isupper() and word[1:].islower() else "mixed"


def anycase_korean(text: str) -> list[Span]:
    surnames = {s.lower() for s in latin_surnames()}
    out: list[Span] = []
    for m in ANYCASE_FULL.finditer(text):
        sur, given = m.group(1), m.group(2)
        shape = _case_shape(sur)
        if sur.lower() not in surnames or shape == "mixed" or len(sur) == 1:
            continue
        parts = re.split(r"[- ]", given)
        if not is_korean_given(given) or PLACE_SUFFIX.search(given.lower()):
            continue
        if any(is_stopword(p) for p in parts) or (is_stopword(sur) and shape != "upper"):
            continue
        if " " in given and shape != "upper":
            continue  # "Kim Chol Su" is found by latin_korean; lowercase needs a hyphen
        if shape == "lower" and not given.islower():
            continue
        if shape == "title" and not given[0].isupper():
            continue
        out.append(Span(m.start(), m.end(), PERSON, D))
    return out


# A bare lowercase surname as the subject of speech in notes: "yun said".
LOWER_SPEAKER = re.compile(
    r"(?<![\w'’-])([a-z]{2,6})\s+(?:said|says|told|tells|asked|asks|answered|replied|wrote|"
    r"writes|explained|recalled|whispered|shouted)\b"
)
# Lowercase forms that are words before a speech verb as well.
_LOWER_SURNAME_WORDS = frozenset({"ma", "pa", "ha", "ho", "na", "no", "so", "on", "an", "do",
                                  "to", "go", "in", "im", "um", "ok", "son", "sun", "moon",
                                  "bang", "wang", "ban", "pan", "han", "nam"})


def lowercase_speakers(text: str) -> list[Span]:
    surnames = {s.lower() for s in latin_surnames()} | chinese_surnames()
    return [
        Span(m.start(1), m.end(1), PERSON, D)
        for m in LOWER_SPEAKER.finditer(text)
        if m.group(1) in surnames and m.group(1) not in _LOWER_SURNAME_WORDS
        and not is_stopword(m.group(1))
    ]


def speaker_labels(text: str) -> list[Span]:
    surnames = {s.lower() for s in latin_surnames()}
    labels = [m for m in SPEAKER.finditer(text) if m.group(1).lower() in surnames]
    counts: dict[str, int] = {}
    for m in labels:
        counts[m.group(1).lower()] = counts.get(m.group(1).lower(), 0) + 1
    out: list[Span] = []
    for m in labels:
        word = m.group(1)
        # "BANG:" is a label anywhere; "Bang:" only in a transcript where the
        # label repeats, and never a function word ("So:", "No:").
        if word.isupper() or (counts[word.lower()] >= 2 and not is_stopword(word)):
            out.append(Span(m.start(1), m.end(1), PERSON, D))
    return out


# Russian diminutives written in lowercase in hurried notes ("sasha drove").
# Latin only: in Cyrillic natasha reads case. "pasha" and "lena" are also
# words (a title, a river), so they need a capital.
LOWER_DIMINUTIVE = re.compile(
    r"(?<![\w-])(?:natasha|sasha|lyosha|alyosha|misha|dima|kolya|vanya|seryozha|volodya|vova|"
    r"tanya|olya|katya|zhenya|petya|yura|galya|nadya|sveta|lyuda|valya|masha|andryusha)(?![\w-])"
)


def lowercase_diminutives(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), PERSON, D) for m in LOWER_DIMINUTIVE.finditer(text)]


def familiar(text: str) -> list[Span]:
    return [
        Span(m.start(), m.end(), PERSON, D)
        for m in FAMILIAR.finditer(text)
        if not is_stopword(m.group(1))
    ]


# A Korean surname after a work title: "Section Chief Ro", "Instructor Pak".
ROLE_TITLED = re.compile(
    r"\b(?i:(?:(?:section|department|unit|team|brigade|site|work|political|security)\s+)?"
    r"(?:chief|manager|director|instructor|foreman|leader|secretary|officer|boss|head|"
    r"captain|commander|supervisor|comrade|mister|mr\.?|uncle|auntie|aunt|grandpa|grandma))"
    r"\s+([A-Z][a-zŏŭ']{0,5})(?![\w-])"
)


def titled(text: str) -> list[Span]:
    out: list[Span] = []
    for m in ROLE_TITLED.finditer(text):
        if m.group(1) in latin_surnames():
            # "Section Chief Ro" is how he is addressed; in "foreman Choe" the
            # lower-case role only describes him.
            start = m.start() if m.group(0)[0].isupper() else m.start(1)
            out.append(Span(start, m.end(), PERSON, IdType.QUASI))
    for m in TITLED.finditer(text):
        name = m.group(1)
        if name.split()[0] in ENGLISH_NOT_NAME:
            continue
        out.append(Span(m.start(), m.end(), PERSON, D))
    for m in CYR_TITLED.finditer(text):
        # The title is part of the mention: "товарищ Чо" is how he is known.
        out.append(Span(m.start(), m.end(), PERSON, D))
    return out


# UN and NGO style puts the surname in capitals: "IVANOV Sergei", "Sergei IVANOV".
UPPER_SURNAME = re.compile(
    r"(?<![\w-])(?:([A-Z]{2,14})\s+([A-Z][a-z]+)|([A-Z][a-z]+)\s+([A-Z]{2,14}))(?![\w-])"
)


def upper_surname(text: str) -> list[Span]:
    given = first_names()
    out: list[Span] = []
    for m in UPPER_SURNAME.finditer(text):
        sur, name = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        if name in given and not is_stopword(sur) and len(sur) >= 3:
            out.append(Span(m.start(), m.end(), PERSON, D))
    return out


def given_name_led(text: str) -> list[Span]:
    """Capitalised sequences that start with a known given name."""
    names = first_names()
    out: list[Span] = []
    for m in CAP_SEQ.finditer(text):
        words = m.group(0).split()
        if words[0] in names:
            out.append(Span(m.start(), m.end(), PERSON, D))
    return out


def initials(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), PERSON, D) for m in INITIALS.finditer(text)]


# Russian name with a patronymic: "Лариса Викторовна Ни", "Галина Петровна",
# "Сидоренко Виктор Петрович".
PATRONYMIC = re.compile(
    r"(?<![\w-])(?:[А-ЯЁ][а-яё-]+\s+)?[А-ЯЁ][а-яё]+\s+[А-ЯЁ][а-яё]+(?:вич|вна|ична|ич|ьича|вича|вны|"
    r"вной|вичу|вне|вичем)(?:\s+[А-ЯЁ][а-яё-]+)?(?![\w-])"
)


def patronymic(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), PERSON, D) for m in PATRONYMIC.finditer(text)]


# The same name in capitals, as passports, permits and registers print it
# ("ПАК ЁН ХИ"): a known surname, then one or two short syllable words.
CYR_KOREAN_UPPER = re.compile(
    r"(?<![\w])([А-ЯЁ]{1,4})((?:[ \t]+[А-ЯЁ]{1,4}(?![\w.])){1,2})(?![ \t]+[А-ЯЁ]{2})"
)
CYR_FUNCTION = frozenset(
    ["И", "В", "НА", "ПО", "С", "К", "ОТ", "ДО", "ЗА", "ИЗ", "О", "У", "НЕ", "ДЛЯ", "ПРИ", "ИЛИ"]
)


def cyrillic_korean(text: str) -> list[Span]:
    surnames = cyrillic_surnames()
    out: list[Span] = []
    for m in CYR_KOREAN.finditer(text):
        if m.group(1) in surnames:
            out.append(Span(m.start(), m.end(), PERSON, D))
    for m in CYR_KOREAN_UPPER.finditer(text):
        given = m.group(2).split()
        if m.group(1).capitalize() in surnames and not any(g in CYR_FUNCTION for g in given):
            out.append(Span(m.start(), m.end(), PERSON, D))
    return out


def find(text: str) -> list[Span]:
    return (
        latin_korean(text)
        + anycase_korean(text)
        + speaker_labels(text)
        + lowercase_speakers(text)
        + familiar(text)
        + lowercase_diminutives(text)
        + chinese(text)
        + titled(text)
        + given_name_led(text)
        + upper_surname(text)
        + initials(text)
        + cyrillic_korean(text)
        + patronymic(text)
    )
