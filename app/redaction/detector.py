"""Public API: ``detect(text, lang=None) -> list[Span]``.

Layers run in a fixed order: deterministic patterns, gazetteers, name
shapes, organisations, context triggers, then the language models on the
runs of their script (kiwipiepy for Hangul, natasha for Cyrillic). Results
are filtered against the allow-list, person roles set the identifier type,
and document-level propagation masks every other mention before merging.
"""

from __future__ import annotations

import re
import threading

from app.redaction import (
    aliases,
    authorities,
    codes,
    counts,
    cyrillic,
    descriptors,
    entities,
    gazetteer,
    hangul,
    hangul_names,
    hangul_precision,
    korean,
    labels,
    learned,
    names,
    namings,
    orgloc,
    orgs,
    patterns,
    propagation,
    quantities,
    references,
    russian,
    shapes,
    stopwords,
    triggers,
)
from app.redaction.script import HANGUL_RE
from app.redaction.spans import (
    CODE,
    DATE,
    DEM,
    MISC,
    ORG,
    PERSON,
    PLACE,
    IdType,
    Span,
    merge_spans,
)


def _trim(text: str, span: Span, protected: list[tuple[int, int]]) -> Span:
    """Cut a span that runs into a protected name back to the part before it.

    "Хороль Приморского" (a village, then the region) keeps "Хороль".
    """
    if span.category in (CODE, DATE):
        return span
    for b, e in protected:
        # Only a span that stops inside the protected name is cut; one that
        # contains it whole ("Diyarbakır State Security Court") stays.
        if span.start < b < span.end < e:
            end = b
            while end > span.start and not text[end - 1].isalnum():
                end -= 1
            if end - span.start >= 2:
                return Span(span.start, end, span.category, span.identifier_type)
    return span


def _drop_places_over_names(spans: list[Span], protected: list[tuple[int, int]]) -> list[Span]:
    """A place that holds a public name and runs on into a person is two things
    glued: "гражданин Корейской Народно-Демократической Республики ПАК ИР" is
    the state (readable) and the person (found on its own)."""
    persons = [s for s in spans if s.category == PERSON]
    out: list[Span] = []
    for s in spans:
        if (
            s.category == PLACE
            and any(s.start <= b and e < s.end for b, e in protected)
            and any(p.start >= s.start and p.end <= s.end for p in persons)
        ):
            continue
        out.append(s)
    return out


def _allowed(span: Span, protected: list[tuple[int, int]]) -> bool:
    """A span survives unless it sits inside, or cuts into, a protected name.

    A span that strictly contains a protected name keeps it masked: "Korea"
    is public but "Korea Kumsusan Trading Company" is an employer.
    """
    if span.category in (CODE, DATE):
        return True
    for b, e in protected:
        if span.start < e and b < span.end:
            contains = span.start <= b and e <= span.end and (span.end - span.start) > (e - b)
            if not contains:
                return False
    return True


class Detector:
    """Holds the language models; build once, call ``detect`` many times."""

    def __init__(self, use_models: bool = True, use_learned: bool = True) -> None:
        self.use_models = use_models
        # The CRFs can be switched off alone, to measure what they add.
        self.use_learned = use_learned
        self._lock = threading.Lock()
        self._warm = False

    def warm(self) -> None:
        """Load kiwipiepy and natasha now rather than on the first call."""
        with self._lock:
            if not self._warm:
                gazetteer.gazetteer()
                if self.use_models:
                    korean.find("김철수")
                    russian.find("Иван Петров")
                    russian.common_word("Настоящим")
                    learned.find("Kim Chol-su met Anna Lee.")
                    learned.find_hangul("김철수가 왔다.")
                self._warm = True

    def detect(self, text: str, lang: str | None = None) -> list[Span]:
        # ``lang`` is a hint only: scripts are routed per run, so an English
        # report quoting a Hangul or Cyrillic name is handled either way.
        del lang
        if not text.strip():
            return []
        places, protected = gazetteer.find(text)
        bodies = authorities.find(text)
        protected = protected + bodies
        found: list[Span] = []
        found += patterns.find(text)
        found += quantities.find(text)
        found += counts.find(text)
        found += places
        found += names.find(text)
        found += orgs.find(text)
        found += orgloc.find(text)
        found += triggers.find(text)
        found += labels.find(text)
        found += aliases.find(text)
        found += namings.find(text)
        found += codes.find(text)
        found += shapes.find(text)
        found += cyrillic.find(text)
        found += hangul.find(text)
        if self.use_models:
            found += hangul_precision.filter_model_spans(text, korean.find(text), crf=False)
            found += russian.find(text)
            if self.use_learned:
                found += _learned(text, found, protected)
        # After the models: describing phrases are cut around the names they hold.
        found += descriptors.find(text, protected, found)
        found += shapes.ages(text, [s for s in found if s.category == PERSON])
        found += aliases.glosses(text, [s for s in found if s.category == PERSON])
        found += hangul_names.again(text, [s for s in found if s.category == PERSON])
        found += shapes.record_serials(text, found)
        found = counts.extend(text, found)
        found = orgloc.extend(text, found, protected)
        found = hangul_precision.trim_leading_grammar(text, found)
        found = [s for s in found if not _function_words_only(text, s)]
        # Inside a public body or a law's citation nothing is masked, not
        # even its date or number ("закон от 25.07.2002 № 115-ФЗ").
        found = [s for s in found if not any(b <= s.start and s.end <= e for b, e in bodies)]
        # A number the text calls public ("1577-0000(공개 번호)") is no one's.
        public = references.public_numbers(text)
        found = [s for s in found if not any(b <= s.start and s.end <= e for b, e in public)]
        found = [_trim(text, s, protected) for s in found]
        found = _drop_places_over_names(found, protected)
        found = [s for s in found if _allowed(s, protected)]
        found = _drop_public_dates(text, found, protected)
        found = _apply_roles(text, found)
        found = hangul_precision.drop_cut_syllables(text, found)
        found += propagation.propagate(text, found, protected)
        found = [s for s in found if _allowed(s, protected)]
        # A Hangul proper noun the model took for a person but that is a
        # known or propagated place ("희천" of "희천시") is the place.
        places_at = {(s.start, s.end) for s in found if s.category == PLACE}
        found = [
            s for s in found
            if s.category != PERSON or (s.start, s.end) not in places_at
            or not HANGUL_RE.search(s.text(text))
        ]
        found = [s for s in found if not _pet(text, s)]
        found = [
            s for s in found
            if not _korean_word_not_place(text, s) or hangul.after_province(text, s.start)
        ]
        found = [s for s in found if not _section_initials(text, s)]
        return entities.link(text, merge_spans(found, text))


# Capitalised titles the model takes for names: "Counsel", "President of the
# Court", "Director of the Bank" describe an office, not who holds it.
_OFFICE = re.compile(
    r"\b(?:president|vice-president|director|counsel|judge|justice|registrar|minister|"
    r"secretary|ambassador|governor|lord|chairman|chairperson|commissioner|prosecutor|"
    r"agent|applicant|government|court|chamber|section|deputy|head|chief|general|"
    r"rapporteur|mayor|king|queen|prince|princess)\b",
    re.IGNORECASE,
)
# State bodies are public: "Department of Foreign Affairs", "Ministry of
# State Security", "Supreme Court", "National Assembly".
_PUBLIC_BODY = re.compile(
    r"^(?:the\s+)?(?:(?:Supreme|Constitutional|High|Federal|National|State|General)\s+)?"
    r"(?:Ministry|Department|Government|Parliament|Assembly|Court|Commission|Council|Senate|"
    r"Congress|Cabinet|Presidency|Procuracy|Prosecutor's Office)\b"
)
# Adjectives of nationality are not annotated ("Irish", "Chinese", "Uzbek").
_NATIONALITY = re.compile(r"[A-Z][a-z]+(?:ish|ese|ian|ean|ic)")


def _learned(text: str, rules: list[Span], protected: list[tuple[int, int]]) -> list[Span]:
    """The CRF's names, where the rules have nothing of their own.

    Rules are precise about what they know (dates, codes, units, public
    names); the model adds persons, places and organisations the rules
    miss. A model span that overlaps a rule span of another kind is dropped
    so the rule's category and extent win.
    """
    out: list[Span] = []
    hangul_spans = [hangul.trim_person(text, x) for x in learned.find_hangul(text)]
    proposals = [hangul.trim_person(text, x) for x in learned.find(text)]
    proposals += hangul_precision.filter_model_spans(text, hangul_spans, crf=True)
    for s in proposals:
        surface = s.text(text)
        if any(r.overlaps(s) and r.category != s.category for r in rules):
            continue
        # Date patterns know their extent: "2015년" stays short of "한 해 동안".
        if s.category == DATE and any(r.overlaps(s) for r in rules):
            continue
        # Public names stay readable: the model may not grow into them.
        if any(s.start < e and b < s.end for b, e in protected):
            continue
        if s.category == PERSON and _OFFICE.search(surface):
            continue
        # (Given names alone, "상혁", "성미", come only from the Hangul CRF:
        # a surname is not required, only a bare noun.)
        if s.category == PERSON and HANGUL_RE.search(surface) and not korean.plausible_name(
            surface
        ):
            continue
        if s.category == PLACE and " " not in surface and _NATIONALITY.fullmatch(surface):
            continue
        if s.category == ORG and _PUBLIC_BODY.match(surface):
            continue
        out.append(s)
    return out


# An animal word just before a name: "our dog Rex", "a cat called Misty",
# "собака по кличке Шарик", "강아지 이름은 바둑이".
_PET_BEFORE = re.compile(
    r"(?:\b(?:dog|dogs|puppy|cat|cats|kitten|horse|pony|pig|goat|cow|ox|rabbit|parrot|bird|"
    r"hamster|pet|mare|stallion|bull|donkey)\b[,]?\s*(?:(?:was\s+|is\s+)?(?:named|called)\s*)?"
    r"|(?<!\w)(?:собак[аиеуой]?|пс[аеу]|пёс|пес|кошк[аиеуой]?|кот(?:а|у|ом|е|ик|ёнок|енок)?|"
    r"щен(?:ок|ка|ку)|лошад[ьиеюя]|коз[аыеуой]?)\s*,?\s*(?:по\s+кличке\s*)?"
    r"|(?:강아지|고양이|돼지)(?:\s*이름은)?\s*|(?:개|말|소)\s*이름은\s*)[\"“'«]?$",
    re.IGNORECASE,
)


def _function_words_only(text: str, span: Span) -> bool:
    """A describing phrase cut down to its function words ("is a", "그 는")
    describes nothing: what it was cut around is masked by its own span."""
    if span.category not in (DEM, MISC):
        return False
    words = re.findall(r"\w+", span.text(text))
    return bool(words) and all(stopwords.is_function_word(w) for w in words)


def _korean_word_not_place(text: str, span: Span) -> bool:
    """A short Hangul place name that is read, where it stands, as a common
    noun or inside a longer word ("통화했고", "청진상")."""
    surface = span.text(text)
    if span.category != PLACE or len(surface) > 2 or not re.fullmatch(r"[가-힣]+", surface):
        return False
    return korean.common_noun_at(text, span.start, span.end)


# Initials alone on a line are headings (medical notes: "C.C.", "P.I.", "S.H.").
_HEADING_LINE = re.compile(r"(?:^|\n)[ \t]*$")
_INITIALS = re.compile(r"[A-Z]\.[A-Z]\.?(?:[A-Z]\.?)?\s*")


def _section_initials(text: str, span: Span) -> bool:
    if span.category != PERSON or not _INITIALS.fullmatch(span.text(text)):
        return False
    before = text[max(0, span.start - 5) : span.start]
    after = text[span.end : span.end + 3].lstrip(".")
    return bool(_HEADING_LINE.search(before)) and (after[:1] in ("\n", "") or after.isspace())


def _pet(text: str, span: Span) -> bool:
    if span.category != PERSON:
        return False
    return bool(_PET_BEFORE.search(text[max(0, span.start - 40) : span.start]))


# Between a public figure and a date: nothing that brings the witness back in.
_PUBLIC_GAP = re.compile(
    r"^[^.!?\n;]{0,60}$"
)
_PERSONAL = re.compile(
    r"\b(?:I|we|he|she|my|our|his|her|me|him|us)\b|(?<!\w)(?:я|мы|он|она|меня|его|её|ее)(?!\w)"
    r"|(?:그는|그녀|저는|나는|우리)",
    re.IGNORECASE,
)


def _drop_public_dates(
    text: str, spans: list[Span], protected: list[tuple[int, int]]
) -> list[Span]:
    """"Kim Jong Un and Putin signed the treaty in June 2024" is public history."""
    if not protected:
        return spans
    # A figure inside a larger name ("Kim Il Sung University") is no event.
    figures = [
        (b, e) for b, e in gazetteer.figures(text)
        if not any(s.start < b or e < s.end for s in spans if s.start < e and b < s.end)
    ]
    if not figures:
        return spans
    out: list[Span] = []
    for s in spans:
        if s.category == DATE and s.identifier_type != IdType.DIRECT:
            gaps = [text[e : s.start] for _, e in figures if e <= s.start]
            if any(_PUBLIC_GAP.match(g) and not _PERSONAL.search(g) for g in gaps):
                continue
        out.append(s)
    return out


def _apply_roles(text: str, spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for s in spans:
        if s.category == PERSON and triggers.role_before(text, s):
            s = Span(s.start, s.end, s.category, IdType.QUASI)
        out.append(s)
    return out


_default: Detector | None = None
_default_lock = threading.Lock()


def default_detector() -> Detector:
    global _default
    with _default_lock:
        if _default is None:
            _default = Detector()
        return _default


def detect(text: str, lang: str | None = None) -> list[Span]:
    return default_detector().detect(text, lang)
