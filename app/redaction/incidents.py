"""Unique incidents (MISC): the clause that tells a beating, accident, death,
detention or escape.

Annotators mark an incident that singles people out (a particular event),
not general conditions: "the foreman struck him with a pipe on 3 May" is an
incident, "workers were beaten" or "they hit us every day" is practice. So a
clause counts only when its predicate is an event verb (past tense; in
Russian a perfective verb, whose aspect itself says "once") and the sentence
has a cue of a particular event: a singular person, a date or time, a
numbered place; and no habitual marker ("every", "always", "каждый",
"매일"), and it is not a question. The span runs from the start of the clause
holding the predicate (after a comma or clause break) to the end of the
sentence (or ";"), because annotators take the whole event with its
circumstances, and the scorer needs every word of it.

Word lists were written for this project from general vocabulary of the
three languages; no evaluation-set text was used.
"""

from __future__ import annotations

import re

from app.redaction.occupations import _ru_parses, _words
from app.redaction.spans import MISC, IdType, Span

Q = IdType.QUASI

# Source: written for this project from general vocabulary (simple past and
# past participles of violence, accident, death, detention verbs).
EVENT_EN = re.compile(
    r"\b(?:struck|beat|beaten|kicked|punched|slapped|stabbed|whipped|thrashed|battered|"
    r"clubbed|assaulted|attacked|strangled|choked|tortured|fell\s+(?:from|off|onto|into|on|down)|"
    r"collapsed|caved\s+in|gave\s+way|burst|exploded|blew\s+up|caught\s+fire|(?:fire|blaze)\s+broke\s+out|"
    r"crushed|pinned|pinning|trapped|electrocuted|drowned|suffocated|hanged|hung\s+himself|"
    r"killed(?:\s+(?:himself|herself))?|committed\s+suicide|took\s+(?:his|her)\s+own\s+life|"
    r"locked\s+(?:up|in|him|her|me)|locked\s+for|was\s+locked|"
    # Arrest by the authorities is procedure; held for a time, it is an event.
    r"(?:detained|arrested|jailed|imprisoned|held)\s+(?:for|in\s+\w+\s+for)\s+(?:\w+\s+)?"
    r"(?:days?|nights?|weeks?|hours?|months?)|handcuffed|abducted|kidnapped|"
    r"dragged\s+(?:away|off|out)|kicked\s+back|severed|amputated|cut\s+off|"
    # losing a body part is one event: "lost the tip of his thumb on the saw"
    r"lost\s+(?:the\s+(?:top|tip|end|use|sight)\s+of\s+)?(?:his|her|my|a|an|two|three|one)\s+"
    r"(?:[a-z]+\s+){0,2}(?:fingers?|thumbs?|hands?|eyes?|legs?|arms?|feet|foot|toes?|ears?)|"
    r"burned\s+(?:it|them|his|her|the)|froze\s+to\s+death)\b",
    re.IGNORECASE,
)
# An escape act is particular by itself: out through a window, over a fence.
ESCAPE_EN = re.compile(
    r"\b(?:left|climbed|jumped|got|slipped|escaped|fled|crawled|went|ran)\b[^.;\n]{0,40}?"
    r"\b(?:through|out\s+of|over|from|off)\s+(?:the|a|an|his|her|our)\s+(?:[a-z-]+\s+){0,2}?"
    r"(?:window|fence|wall|roof|balcony|gate|toilet|bathroom)s?\b",
    re.IGNORECASE,
)
# Source: as above; Russian lemmas of event verbs (checked for perfective aspect).
EVENT_RU = _words("""
ударить избить побить пнуть толкнуть швырнуть столкнуть изнасиловать зарезать застрелить
задушить упасть сорваться рухнуть обрушиться обвалиться провалиться погибнуть утонуть
повеситься задохнуться отравиться разбиться покончить придавить раздавить задавить зажать
прищемить завалить запереть утащить избиться сломать обжечь отрубить
отрезать оторвать взорваться
загореться вспыхнуть лопнуть прорвать убить
раздробить размозжить прижечь обварить ошпарить травмировать покалечить искалечить
поссориться подраться избивать замёрзнуть замерзнуть отобрать сжечь
""")
# An accident named by its noun opens the event: "произошёл несчастный случай: …".
EVENT_RU_NOUN = re.compile(
    r"(?<!\w)(?:несчастный\s+случай|авария|обрушение|[Пп]адение\s+с|[Пп]адения\s+с|[Дд]рака)(?!\w)"
)
ESCAPE_RU = re.compile(
    r"(?<!\w)(?:вышл\w*|вышел|вылез\w*|выпрыгнул\w*|спустил\w*|перелез\w*|сбежал\w*|убежал\w*|"
    r"ушл\w*|ушёл|ушел|бежал\w*|выбрал\w*)[^.;\n]{0,30}?(?:через|из|по|с)\s+(?:\w+\s+)?"
    r"(?:окн|забор|балкон|крыш|стен|простын|ворот|подвал)\w*",
    re.IGNORECASE,
)
# Source: as above; Korean event stems as written (past or noun forms).
EVENT_KO = re.compile(
    r"(?:때렸|때림|때리고|때려서|맞았|얻어맞|폭행|구타|걷어찼|발로\s?찼|찔렀|"
    r"떨어져\s?(?:죽|숨|다쳤|크게)|에서\s?떨어졌|추락|무너졌|무너져|무너지|붕괴|깔려|깔렸|끼었|끼여|끼는\s사고|"
    r"숨졌|숨지|목을\s?매|목매|자살|익사|빠져\s?죽|질식|감전|폭발|화재|불이\s?났|"
    r"\d+일간\s?구금|감금|갇혔|가뒀|가두었|끌려갔|끌려가|잡혀갔|체포|연행|강제\s?송환|송환됐|"
    r"뛰어내렸|뛰어내려|뛰어내린|절단|부러졌|부러져|갇혀|갇힌|얼어\s?죽|얼어\s?숨|"
    r"(?:성추행|성폭행|추행|폭언|폭행|학대|협박)(?:을|를)?\s?당했|위협했|위협한|협박했)"
)
ESCAPE_KO = re.compile(r"(?:창문|창|담|담장|철조망|지붕|베란다|화장실)(?:을|를|에서|으로|로)?\s?"
                       r"(?:넘|뛰어내|빠져나|기어나|나왔|나가|탈출)")

# A particular event: a singular person, a time, a date, a numbered place.
CUE_EN = re.compile(
    r"\b(?:him|her|me|himself|herself|my|his|he|she|I|one\s+(?:man|woman|worker|of)|"
    r"(?:a|the)\s+(?:man|woman|boy|girl|worker|friend|colleague)|last\s+\w+|that\s+(?:night|day|"
    r"morning|evening|week)|yesterday|(?:19|20)\d\d|January|February|March|April|May|June|July|"
    r"August|September|October|November|December|night|morning|\d+(?:st|nd|rd|th)\s+floor)\b"
    r"|(?<=[a-z,]\s)[A-Z][a-z]+|\bM(?:r|s|rs)\.?\s+[A-Z]"
    r"|\b(?:for|within)\s+(?:\w+\s+)?(?:days?|hours?|nights?|weeks?)\b"
)
CUE_RU = re.compile(
    r"(?<!\w)(?:его|её|ее|меня|мне|ему|ей|он|она|я|себя|один|одна|одного|одну|парень|парня|"
    r"девушк\w+|рабоч\w+|товарищ\w*|друг\w*|вчера|ночью|утром|вечером|зимой|летом|весной|"
    r"осенью|эт\.|\d{1,2}\.\d{2}|\d{4}|январ\w+|феврал\w+|март\w*|апрел\w+|ма[йя]\w*|июн\w+|июл\w+|"
    r"август\w*|сентябр\w+|октябр\w+|ноябр\w+|декабр\w+|этаж\w*)(?!\w)|(?<=[а-яё,]\s)[А-ЯЁ][а-яё]+"
)
CUE_KO = re.compile(
    r"\d+월|\d+일|\d{4}년|작년|지난|그날|어제|새벽|밤에|\d+층|동료|친구|형이|형은|제가|저는|내가|나는|"
    r"저를|나를|그가|그를|씨가|씨는|씨를|이가|이는|한\s?명|[가-힣]{2,3}(?:이가|이는|가|는)\s"
    # "…한 것이 계기였다": the occasion of a decision is one event
    r"|계기"
)
HABITUAL = re.compile(
    r"\b(?:every|always|often|usually|regularly|sometimes|routinely|constantly|would|used\s+to|"
    r"whenever|any(?:one|body)\s+who)\b|(?<!\w)(?:кажд\w+|всегда|часто|обычно|иногда|постоянно|"
    r"регулярно|бывало|кто\s+бы)(?!\w)|(?:매일|자주|항상|늘|가끔|보통|종종|때마다|일쑤)"
    r"|[가-힣](?:으면|면)\s",
    re.IGNORECASE,
)
# Abstract subjects and figures of speech: "prices collapsed in 2020", "I was
# crushed by the news", "цены упали", "упал духом", "값이 떨어졌다".
FIGURATIVE = re.compile(
    r"\b(?:prices?|wages?|rates?|roubles?|rubles?|dollars?|market|economy|sales|temperatures?|"
    r"news|hopes?|dreams?|promises?|spirits?|heart)\b|(?<!\w)(?:цен[аыу]|курс\w*|зарплат\w*|"
    r"рубл[ья]|доллар\w*|температур\w*|духом|сердцем|надежд\w*|настроени\w*)(?!\w)|"
    r"(?:값|가격|물가|환율|월급|기온|인기)",
    re.IGNORECASE,
)
# Sentence and clause breaks. A full stop after an abbreviation ("г.", "No.",
# "Mr.") or before a lower-case word does not end the sentence.
STOP = re.compile(r"[.!?](?=\s|$)|[;\n]")
ABBREV = re.compile(
    r"(?:^|[\s(])(?:г|гг|ул|д|п|с|пос|обл|им|т|эт|No|no|Nr|Mr|Mrs|Ms|Dr|St|ч|мин|[A-ZА-ЯЁ])$"
)


def _sentences(text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    start = 0
    for m in STOP.finditer(text):
        if m.group(0) == ".":
            after = text[m.end() : m.end() + 3].lstrip()
            if ABBREV.search(text[max(0, m.start() - 5) : m.start()]) and not after[:1].isupper():
                continue
        out.append((start, m.end()))
        start = m.end()
    out.append((start, len(text)))
    return out
CLAUSE_BREAK = re.compile(r",\s+|\s+[—–-]\s+|:\s+|ㅠ+|\s+→\s+|\s+when\s+|\(")
# Words that open a clause but are not part of the event ("и ударил", "that he fell").
# ("On", "In" before a date: the date has its own span, and the scorer does
# not need the preposition.)
LEAD = re.compile(
    r"(?:и|а|но|что|and|but|that|then|so|says|said|потом|затем|on|in|at)\s+", re.IGNORECASE
)
# A Korean event noun ends the event when a particle and another verb follow
# ("크레인 붕괴 사고를 언급했다"), as does an embedded "…는 것" ("숨지는 것을 봤다").
KO_NOUN_END = re.compile(
    r"(?:폭행|구타|추락|붕괴|사고|구금|감금|화재|폭발|자살|익사|질식|감전|체포|연행)(?:\s?사고)?"
    # (not when the noun is the object of a passive "당하다": "폭행을 당했다" goes on)
    r"(?=(?:을|를|로|으로|은|는|이|가|에|\)|과|와)(?:\s|$))(?!(?:을|를)\s?당)"
    r"|(?<=[는은]\s)것(?=[을이]\s)"
)
# A predicate is negated just before it: "he was not beaten", "не упал", "안 맞았다".
NEGATED = re.compile(
    r"(?:\b(?:not|never|n't)|(?<!\w)(?:не|ни)|(?<![가-힣])(?:안|못))\s+(?:\w+\s+)?$"
)
# After the predicate, a new subject starts another event ("... and the
# minder told everyone"); the span stops there.
NEW_SUBJECT = re.compile(
    r"\s+(?:and|but)\s+(?:the|he|she|they|we|I|it|[A-Z][a-z]+)\b(?![^.;\n]{0,40}?"
    r"(?:fell|struck|beat|kicked|hit|broke|died))"
    r"|,?\s+(?:но|а)\s+(?:он|она|они|я|мы)(?!\w)|,\s+(?:и\s+)?(?:он|она|они|я|мы)\s+(?:потом|после)"
    r"|\)|,\s+(?:so|which|because)\b|\s+(?:after|because)\s+(?:his|her|the|a|he|she|they|I|we)\b|\s+и\s+потом|,?\s+и\s+(?:его|её|ее|их|он|она|они|я|мы|меня)(?!\w)"
    r"|,\s+и\s+(?=[А-ЯЁ])|,\s+(?:когда|потому\s+что|так\s+как|поэтому|чтобы)(?!\w)|(?<=때)\s"
    # a dash before another clause; a Korean concessive ("당했으나 …") opens the next event
    r"|\s[—–-]\s|(?<=으나|지만)\s",
)
_RU_WORD = re.compile(r"[А-ЯЁа-яё]+")


def _ru_event(sentence: str) -> int:
    """Offset of the first perfective event verb (or participle) in a
    Russian sentence, -1 if none."""
    for m in _RU_WORD.finditer(sentence):
        for lemma, tag in _ru_parses(m.group(0)):
            # Perfective past (or participle): one event, already happened.
            if lemma in EVENT_RU and "perf" in tag and (
                ("VERB" in tag and "past" in tag) or "PRT" in tag or "GRND" in tag
            ):
                return m.start()
    return -1


def _event_at(sentence: str) -> int:
    best = -1
    for rx in (EVENT_EN, EVENT_KO, EVENT_RU_NOUN, ESCAPE_EN, ESCAPE_RU, ESCAPE_KO):
        m = rx.search(sentence)
        if m and (best < 0 or m.start() < best):
            best = m.start()
    if re.search(r"[А-ЯЁа-яё]", sentence):
        r = _ru_event(sentence)
        if r >= 0 and (best < 0 or r < best):
            best = r
    return best


def _particular(sentence: str) -> bool:
    if ESCAPE_EN.search(sentence) or ESCAPE_RU.search(sentence) or ESCAPE_KO.search(sentence):
        return True
    return bool(CUE_EN.search(sentence) or CUE_RU.search(sentence) or CUE_KO.search(sentence))


def find(text: str) -> list[Span]:
    out: list[Span] = []
    for s_start, s_end in _sentences(text):
        sentence = text[s_start:s_end]
        if len(sentence) < 8 or sentence.rstrip().endswith("?"):
            continue
        at = _event_at(sentence)
        if at < 0 or not _particular(sentence) or NEGATED.search(sentence[max(0, at - 20) : at]):
            continue
        start = 0
        for b in CLAUSE_BREAK.finditer(sentence, 0, at):
            start = b.end()
        end = len(sentence.rstrip(" .!?;\n"))
        cut = NEW_SUBJECT.search(sentence, at, end)
        if cut:
            end = cut.start()
        ko_end = KO_NOUN_END.search(sentence, at, end)
        if ko_end:
            end = ko_end.end()
        while start < end and not sentence[start].isalnum():
            start += 1
        lead = LEAD.match(sentence, start)
        while lead and lead.end() < at:
            start = lead.end()
            lead = LEAD.match(sentence, start)
        # Habit is judged on the event's own clause: "... because he asked
        # when they would be paid" does not make the beating a habit.
        clause = sentence[start:end]
        if end - start >= 4 and not HABITUAL.search(clause) and not FIGURATIVE.search(clause):
            out.append(Span(s_start + start, s_start + end, MISC, Q))
    return out
