"""Cyrillic person names and handles, beside natasha (the other half of cyrillic.py).

Forum and messenger handles by their shape (an inner underscore, lower case running
into upper) and place (a post header, after "пользователя"); given names and
diminutives by pymorphy2's ``Name`` tag (OpenCorpora dictionary) and natasha's
first-name list, wherever they stand, also in short Cyrillic runs inside Korean or
English text; Latin spellings of Russian diminutives confirmed by the same
dictionary; a Cyrillic Korean name with its Latin capitals in brackets; Korean
address terms spelt in Cyrillic; quoted nicknames after a verb of naming.

Written for this project from general knowledge of Russian; no evaluation-set text.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources

from app.redaction.russian import parses as _parses
from app.redaction.spans import CODE, PERSON, IdType, Span
from app.redaction.stopwords import is_stopword
from app.redaction.translit import to_latin

D = IdType.DIRECT
Q = IdType.QUASI

# --- handles -----------------------------------------------------------------

# Forum and chat post headers: "Сообщение #7 | some_name | 12.03.2026".
POST_HEADER = re.compile(
    r"(?m)^[ \t]*(?:Сообщение|Ответ|Комментарий|Пост|Message|Post|Reply|Comment)\s*#?\s*\d+\s*"
    r"[|│]\s*([^|│\n]{2,40}?)\s*[|│]"
)
# Tokens no dictionary word has: an inner underscore, or lower case running into upper.
# (A "#" before it makes a hashtag, a topic, not an account.)
HANDLE_SHAPE = re.compile(
    r"(?<![\w@.#-])(?:[A-Za-zА-Яа-яЁё][A-Za-zА-Яа-яЁё0-9]*_[A-Za-zА-Яа-яЁё0-9_]*[A-Za-zА-Яа-яЁё0-9]"
    r"|[a-zа-яё]{2,}[A-ZА-ЯЁ][A-Za-zА-Яа-яЁё0-9]*)(?![\w@-])"
)
# "пользователя X", "под ником X", "ник X": the next token is a handle whatever its shape.
HANDLE_AFTER = re.compile(
    r"(?<!\w)(?:пользовател[ьяюем]+|ник(?:ом|а|у)?|никнейм\w*|логин\w*|аккаунт\w*|автор[ау]?:)"
    r"\s*[:«\"']?\s*"
    r"([A-Za-zА-Яа-яЁё][\wА-Яа-яЁё.-]{2,30}[\wА-Яа-яЁё])",
    re.IGNORECASE,
)


def _handles(text: str) -> list[Span]:
    out = [Span(m.start(1), m.end(1), PERSON, D) for m in POST_HEADER.finditer(text)]
    out += [Span(m.start(), m.end(), CODE, D) for m in HANDLE_SHAPE.finditer(text)]
    for m in HANDLE_AFTER.finditer(text):
        token = m.group(1)
        if not is_stopword(token) and not (token.islower() and _known_word(token)):
            out.append(Span(m.start(1), m.end(1), CODE, D))
    return out


# --- names ---------------------------------------------------------------------

# (A Hangul particle may follow: "Светлана씨", "Коля는".)
_CYR_WORD = re.compile(r"(?<![\w-])[А-ЯЁ][а-яё]{2,}(?![A-Za-zА-Яа-яЁё0-9-])")
_NOT_A_PERSON_BEFORE = re.compile(
    r"(?:ул\.|улиц\w+|пр\.|проспект\w*|пер\.|переул\w+|пл\.|площад\w+|им\.|имени|бульвар\w*|"
    r"наб\.|шоссе)\s*$",
    re.IGNORECASE,
)


@lru_cache(maxsize=16384)
def _known_word(word: str) -> bool:
    return any(p.is_known for p in _parses(word.lower()))


@cache
def _natasha_first() -> frozenset[str]:
    """natasha's first-name dictionary (natasha/data/dict/first.txt, MIT): nominative
    given names of many origins ("азиз", "айгуль") that pymorphy2 lacks."""
    text = resources.files("natasha").joinpath("data", "dict", "first.txt").read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if len(w.strip()) >= 3)


_NAMEY = {"Name", "Surn", "Patr"}


@lru_cache(maxsize=16384)
def given_name(word: str, sentence_start: bool = True) -> bool:
    """The word is read as a given name or its diminutive ("Света", "Колей", "Мишу").

    At a sentence start the capital says nothing, so the dictionary's readings must
    lean to the name (half the probability or more: "Вера", "Слава" stay words);
    inside a sentence the capital is the evidence and any name reading will do.
    A name natasha lists and pymorphy2 does not know as another word also counts.
    """
    parses = _parses(word)
    name_score = sum(p.score for p in parses if p.is_known and "Name" in p.tag)
    if name_score >= 0.5 or (name_score > 0 and not sentence_start):
        return True
    if word.lower() not in _natasha_first():
        return False
    return not any(p.is_known and not (_NAMEY & set(str(p.tag).replace(" ", ",").split(",")))
                   for p in parses)


_CLAUSE_START = re.compile(r"(?:^|[.!?:;\n…])[\s\"«„“'(\[—–-]*$")


def _given_names(text: str) -> list[Span]:
    out: list[Span] = []
    for m in _CYR_WORD.finditer(text):
        before = text[max(0, m.start() - 12) : m.start()]
        if is_stopword(m.group(0)) or _NOT_A_PERSON_BEFORE.search(before):
            continue
        # "8 Марта", "1 Мая": a date, not a person.
        if re.search(r"\d\s*$", before):
            continue
        if given_name(m.group(0), bool(_CLAUSE_START.search(before))):
            out.append(Span(m.start(), m.end(), PERSON, D))
    return out


# Names in capitals, as form headers write them: "ЗАЯВИТЕЛЬ: ПЕТРЕНКО АННА ИЛЬИНИЧНА".
_CAPS_RUN = re.compile(r"(?<![\w-])[А-ЯЁ]{2,}(?:[ -][А-ЯЁ]{2,}){1,2}(?![\w-])")


@lru_cache(maxsize=4096)
def _name_part(word: str) -> str:
    """"Name", "Patr" or "Surn" when the dictionary's best reading of the word is one."""
    parses = [p for p in _parses(word.capitalize()) if p.is_known]
    for tag in ("Name", "Patr", "Surn"):
        # Indeclinable surnames spread their probability over the cases: sum them.
        if sum(p.score for p in parses if tag in p.tag) >= 0.3:
            return tag
    return ""


def _caps_names(text: str) -> list[Span]:
    out: list[Span] = []
    for m in _CAPS_RUN.finditer(text):
        parts = [_name_part(w) for w in re.split(r"[ -]", m.group(0))]
        # Every word a name part, and a given name or patronymic among them
        # (a surname alone may be a place: "КОРСАКОВ").
        if all(parts) and ("Name" in parts or "Patr" in parts):
            out.append(Span(m.start(), m.end(), PERSON, D))
    return out


# Russian diminutives in Latin letters end like Russian words: "Kolya", "Sasha", "Anya".
_LATIN_DIMINUTIVE = re.compile(
    r"(?<![\w-])[A-Z][a-z]{1,8}(?:ya|sha|sya|zha|cha|nka|shka|ochka|ik)(?![\w-])"
)
_TO_CYR = [
    ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ch", "ч"), ("sh", "ш"),
    ("ts", "ц"), ("yo", "ё"), ("yu", "ю"), ("ya", "я"), ("a", "а"), ("b", "б"), ("v", "в"),
    ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"), ("i", "и"), ("y", "й"), ("k", "к"),
    ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"),
    ("t", "т"), ("u", "у"), ("f", "ф"), ("h", "х"),
]


def _to_cyrillic(word: str) -> str:
    w, out = word.lower(), ""
    while w:
        for lat, cyr in _TO_CYR:
            if w.startswith(lat):
                out, w = out + cyr, w[len(lat) :]
                break
        else:
            return ""
    return out


def _latin_diminutives(text: str) -> list[Span]:
    out: list[Span] = []
    for m in _LATIN_DIMINUTIVE.finditer(text):
        cyr = _to_cyrillic(m.group(0))
        if cyr and not is_stopword(m.group(0)) and given_name(cyr) and given_name(cyr.capitalize()):
            out.append(Span(m.start(), m.end(), PERSON, D))
    return out


# A Cyrillic name with its Latin capitals in brackets: "Ли Мён Хо (LI MYONG HO)".
_ECHO = re.compile(
    r"(?<!\w)([А-ЯЁ][а-яё]+(?:[ -][А-ЯЁ][а-яё]+){1,3})\s*\(\s*"
    r"([A-Z][A-Z'-]*(?:[ -][A-Z][A-Z'-]*){1,3})\s*\)"
)
# Vowels match each other (Korean ㅡ is "Ы" in Cyrillic and "U" or "EU" in Latin);
# "Дж" is "J".
_LETTER_CLASSES = ["KGCHQ", "TDCJ", "PB", "SZJC", "AEIOUYWJ", "RL", "MN", "VBW", "F", "X"]


def _same_letter(a: str, b: str) -> bool:
    return a == b or any(a in c and b in c for c in _LETTER_CLASSES)


def _echoes(text: str) -> list[Span]:
    out: list[Span] = []
    for m in _ECHO.finditer(text):
        cyr = re.split(r"[ -]", m.group(1))
        lat = re.split(r"[ -]", m.group(2))
        if len(cyr) != len(lat):
            continue
        if all(_same_letter(to_latin(c)[:1].upper(), x[:1]) for c, x in zip(cyr, lat, strict=True)):
            out.append(Span(m.start(1), m.end(1), PERSON, D))
            out.append(Span(m.start(2), m.end(2), PERSON, D))
    return out


# Korean address terms spelt in Cyrillic after a name: "Пак-дончжи" (동지, comrade),
# "Ким-сонсэнним" (선생님), "Мин-сси" (씨). The name with its term is how the person is known.
KOREAN_TERM = re.compile(
    r"(?<![\w-])[А-ЯЁ][а-яё]+(?:[ -][А-ЯЁ][а-яё]+)?[ -]?(?:дончжи|донджи|тончжи|тонджи|"
    r"сонсэнним|сонсэн|сонсенним|сси|ссi)(?![\w-])"
)


def _korean_terms(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), PERSON, Q) for m in KOREAN_TERM.finditer(text)]


# A quoted nickname after a verb of naming whose object is a person: "его все называют
# «X»", "которого кличут «X»", "меня прозвали «X»". (Without the person a quoted term
# is a word for a practice: "это называют «план»".)
NICKNAME = re.compile(
    r"(?<!\w)(?:(?:его|её|ее|меня|тебя|которого|которую|кого)(?:\s+[а-яё]+){0,2}\s+"
    r"(?:зовут|зов[её]т|звали|звал[аи]?|называ(?:ют|ет|ли|л|ла)|назвал[аи]?|прозвал[аи]?|"
    r"кличут|кличет|кликали|величают|величали|окрестили)|"
    r"(?:зовут|зов[её]т|звали|звал[аи]?|называ(?:ют|ет|ли|л|ла)|назвал[аи]?|прозвал[аи]?|"
    r"кличут|кличет|кликали|величают|величали|окрестили)(?:\s+[а-яё]+)?\s+"
    r"(?:его|её|ее|меня|тебя))"
    r"(?:\s+[а-яё]+){0,2}\s*«([^»\n]{2,30})»",
    re.IGNORECASE,
)


def _nicknames(text: str) -> list[Span]:
    return [Span(m.start(1), m.end(1), PERSON, D) for m in NICKNAME.finditer(text)]


# --- chat logs, initials, unidentified persons ------------------------------------

# A chat export's message header: who wrote, then ", 19:31" on a line of its own
# ("Вадим 3 подъезд, 19:31", "Соседка Г.Н., 20:03"). The whole label is how
# the chat knows the writer, qualifiers (flat, entrance, office) included.
CHAT_HEADER = re.compile(
    r"(?m)^[ \t]*([A-Za-zА-Яа-яЁё][^\n,:|]{1,47}?),?[ \t]+\d{1,2}:\d{2}[ \t]*$"
)
_INITIALS = re.compile(r"(?<![\w.])[А-ЯЁA-Z]\.\s?[А-ЯЁA-Z]\.")
# A surname and one initial: "м/с Лыткина О.", "сдал Воронцов П." (two initials
# are shapes.py's); the surname by the dictionary or by its ending.
SURNAME_INITIAL = re.compile(
    r"(?<![\w.-])([А-ЯЁ][а-яё]{2,}(?:-[А-ЯЁ][а-яё]{2,})?)\s([А-ЯЁ])\."
    r"(?![ \t]?[А-ЯЁ]\.)(?![\wА-Яа-яЁё])"
)
_SURNAME_END = re.compile(
    r"(?:ов|ев|ёв|ин|ын|ова|ева|ёва|ина|ына|ский|цкий|ская|цкая|ко|ук|юк|ич|ян|дзе|швили|ых|их)$"
)
# A person not yet identified, numbered or entered as a record's name:
# "Неизвестный мужчина № 3", "Пациент: Неизвестная женщина".
UNIDENTIFIED = re.compile(
    r"(?<![\w-])(?:[Нн]еизвестн|[Нн]еустановленн|[Нн]еопознанн)(?:ый|ая|ого|ой|ому|ым)\s+"
    r"(?:мужчин|женщин|пациент|гражданин|гражданк|лиц|больн)[а-яё]*\s*№\s*\d{1,4}"
    r"|(?<=:\s)(?:Неизвестн|Неустановленн|Неопознанн)(?:ый|ая)\s+(?:мужчина|женщина|пациент|пациентка)"
)


def _chat_headers(text: str) -> list[Span]:
    """Message headers of a chat log: three or more on lines of their own, each
    followed by its message; a label counts when it holds a name, initials or a
    handle, or recurs, and is not one common word ("Администратор")."""
    headers = list(CHAT_HEADER.finditer(text))
    if len(headers) < 3:
        return []
    counts: dict[str, int] = {}
    for m in headers:
        counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    starts = {m.start() for m in headers}
    out: list[Span] = []
    for m in headers:
        label = m.group(1).strip()
        nxt = m.end() + 1
        if nxt >= len(text) or text[nxt:nxt + 1] == "\n" or nxt in starts:
            continue  # a list of times (a programme), not messages
        words = re.findall(r"[A-Za-zА-Яа-яЁё]+", label)
        if len(words) == 1 and (is_stopword(words[0]) or _known_common(words[0])):
            continue
        cue = (
            _INITIALS.search(label) is not None
            or re.search(r"_|\d", label) is not None
            or any(w[0].isupper() and (_name_part(w) or given_name(w, False)) for w in words
                   if re.match(r"[А-ЯЁ]", w))
            or counts[m.group(1)] >= 2
        )
        if cue:
            b = m.start(1) + m.group(1).index(label)
            out.append(Span(b, b + len(label), PERSON, D))
    return out


def _commenters(text: str) -> list[Span]:
    """Below a "Комментарии" header, a line of one to three capitalised words
    (an emoji may follow) with the comment on the next line is its author:
    "ЛЕНОЧКА 🌸", "Оксана Т.", "Серж (Михайловка)"."""
    header = COMMENTS_RU.search(text)
    if header is None:
        return []
    out: list[Span] = []
    for m in COMMENT_AUTHOR.finditer(text, header.end()):
        nxt = text[m.end() + 1 : m.end() + 2]
        if not nxt or nxt == "\n":
            continue
        words = re.findall(r"[A-Za-zА-Яа-яЁё]+", m.group(1))
        word = words[0].capitalize() if len(words) == 1 else ""
        # One common word ("Спасибо", "Итог") is a line of the comment, not its author.
        if word and (is_stopword(word) or _known_common(word)) and not given_name(word, False):
            continue
        out.append(Span(m.start(1), m.end(1), PERSON, D))
    return out


COMMENTS_RU = re.compile(r"(?m)^[ \t]*(?:Комментари[иейя]\w*|Ответы|Отзывы)\b[^\n]*$")
COMMENT_AUTHOR = re.compile(
    r"(?m)^[ \t]*([А-ЯЁA-Z][\wА-Яа-яЁё.-]*(?:[ \t][А-ЯЁA-Z(][\wА-Яа-яЁё.()-]*){0,2})"
    r"[ \t]*(?:[^\w\s\d.,!?:;]{1,3})?[ \t]*$"
)


@lru_cache(maxsize=4096)
def _known_common(word: str) -> bool:
    """A Cyrillic word the dictionary knows only as a common word."""
    if not re.fullmatch(r"[А-Яа-яЁё]+", word):
        return False
    parses = [p for p in _parses(word.lower()) if p.is_known]
    return bool(parses) and not any(_NAMEY & set(str(p.tag).replace(" ", ",").split(","))
                                    for p in parses)


def _surname_initials(text: str) -> list[Span]:
    out: list[Span] = []
    for m in SURNAME_INITIAL.finditer(text):
        word = m.group(1)
        if is_stopword(word) or not (_name_part(word) == "Surn" or _SURNAME_END.search(word)):
            continue
        out.append(Span(m.start(), m.end(), PERSON, D))
    return out


def find(text: str) -> list[Span]:
    out = _handles(text) + _latin_diminutives(text)
    if re.search(r"[А-Яа-яЁё]", text):
        out += _given_names(text) + _echoes(text) + _korean_terms(text) + _nicknames(text)
        out += _caps_names(text) + _chat_headers(text) + _surname_initials(text)
        out += _commenters(text)
        out += [Span(m.start(), m.end(), PERSON, D) for m in UNIDENTIFIED.finditer(text)]
    return out
