"""Describing phrases found by their syntactic slot rather than by a lexicon (DEM).

A job, a skill or a description is named by the position it stands in as
much as by its words: whatever follows "worked as a" is a job, whatever
fills a "Job:" field or the job column of a table is a job, "NP(으)로
일했다" and "работал кем" put the job in a fixed slot. Lexicons of heads miss
the job nobody listed ("concrete finisher", "기능공"); a slot does not.
The head of an English noun phrase in a weaker slot (predicate, apposition)
is recognised by the agentive suffixes of English word formation (-er, -or,
-ist, -ian, -man) so that a predicate such as "is a good man" stays out.

Written for this project from general grammar of the three languages; no
evaluation-set text was used.
"""

from __future__ import annotations

import re

from app.redaction.occupations import OCC_EN, OCC_KO, _ru_parses, _words
from app.redaction.spans import DEM, IdType, Span

Q = IdType.QUASI

# -- English ------------------------------------------------------------------
_EN_NP_WORD = r"[a-z][a-z-]*"
# The slot "worked as (a) NP": every lower-case word of the NP up to a
# preposition, a conjunction or punctuation belongs to the job.
_EN_AS = re.compile(
    r"\b(?:work(?:s|ed|ing)?|employed|trained|served|hired|taken\s+on|started|job)\s+as\s+"
    r"(?:an?\s+|the\s+)?((?:[a-z][a-z'’-]*\s+){0,3}[a-z][a-z-]*)",
    re.IGNORECASE,
)
# Agentive suffixes: a head of this shape is a person by what they do.
_AGENT = re.compile(
    r"[a-z-]{2,}(?:er|or|ist|ian|man|woman|ess|ant|ic)", re.IGNORECASE
)
# Words of that shape that name no job (general vocabulary).
_NOT_AGENT = _words(
    "other another brother mother father sister daughter neither either whether rather "
    "later never ever however together after under over number order corner border water "
    "paper letter matter winter summer dinner power weather manner member-state error "
    "colour color floor door interior exterior major minor mirror honour honor anchor "
    "human woman german russian asian korean persian ukrainian christian italian "
    "american african european shower tower ancestor anger danger hunger master-plan "
    "chapter quarter register computer container trailer tractor harvester elevator "
    "monitor generator radiator counter meter liter litre centimeter kilometer answer "
    "poster sticker marker trigger fever cancer tumor tumour prayer dollar collar cellar "
    "plastic music logic clinic panic traffic republic topic public garlic fabric "
    # legal and document roles: the party to a case, not a job
    "holder bearer applicant appellant claimant petitioner defendant respondent plaintiff "
    "complainant informant participant resident tenant owner user sender reader viewer "
    "sector factor vector motor terror visitor"
)
# Function words end a noun phrase (general English grammar).
_FUNC = _words(
    "a an the of at in on for with from by to into onto over under after before since until "
    "and or but nor so yet as than that which who whom whose when where while because if "
    "he she it they we i you him her them us me his its their our my your this these those "
    "is was are were be been being has had have do did does will would can could may might "
    "shall should must not no some any all both each every few many much more most such "
    "then there here now also just even still very too about around"
)


def _func(word: str) -> bool:
    return word.lower() in _FUNC


_EN_PRED = re.compile(
    r"\b(?:is|was|became|becomes|remains|remained)\s+(?:an?|the)\s+"
    r"((?:[a-z][a-z-]*\s+){0,2}[a-z][a-z-]*)(?=\s+(?:who|from|at|in|on|with|for)\b|\s*[,.;)])"
)
# ", a concrete pump operator from X", "Daniel Roh, field coordinator at X,"
_EN_APPOS = re.compile(
    r",\s+(?:an?\s+)?((?:[a-z][a-z-]*\s+){0,2}[a-z][a-z-]*)"
    r"(?=\s+(?:who|from|at|in|of|with|for|on)\s|\s*[,.;)—–])"
)
# "Name, who sells pirozhki from a kiosk opposite the gate": what someone
# does, said in the present after a name, to the end of the clause.
_EN_WHO = re.compile(
    r"(?<=[A-Za-z]),\s+(who\s+(?!is\b|was\b|has\b|does\b|says\b|said\b|speaks\b)[a-z]+s\b[^,.;:\n\"”]{3,80})"
)
# "my younger sister, who is a nurse in Chongjin": a relative described by a relative clause.
_EN_KIN_WHO = re.compile(
    r"\b((?:(?:younger|older|elder|little|big|eldest|youngest)\s+)?(?:sister|brother|son|daughter|"
    r"wife|husband|mother|father|cousin|uncle|aunt|nephew|niece),\s+who\s+(?:is|was|works|worked|"
    r"still\s+works)\s+[^,.;:\n\"”]{3,60})"
)
_NAME_BEFORE = re.compile(r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+)+$")
# Table rows: a cell that holds a job is masked whole ("tractor driver, state farm").
_CELL = re.compile(r"(?<=\|)[ \t]*([^|\n]{3,80}?)[ \t]*(?=\|)")
_EN_TOKEN = re.compile(r"[A-Za-z][a-z-]*")


def _en_head(phrase: str, strict: bool) -> bool:
    """Whether the last word of a phrase is a job head."""
    words = phrase.split()
    if not words:
        return False
    last = words[-1].lower()
    if last in OCC_EN:
        return True
    return bool(_AGENT.fullmatch(last)) and last not in _NOT_AGENT and (
        not strict or len(last) > 4
    )


def _english(text: str) -> list[Span]:
    out: list[Span] = []
    for m in _EN_AS.finditer(text):
        words: list[str] = []
        for w in m.group(1).split():
            if _func(w) or (w.lower().endswith(("ing", "ed")) and words):
                break
            words.append(w)
        if words and not any(w[0].isupper() for w in words[1:]):
            np = " ".join(words)
            s = m.start(1)
            out.append(Span(s, s + len(np), DEM, Q))
    for rx, strict in ((_EN_PRED, True), (_EN_APPOS, True)):
        for m in rx.finditer(text):
            np = m.group(1)
            if any(_func(w) for w in np.split()) or not _en_head(np, strict):
                continue
            if np.split()[-1].endswith("s") and np.split()[-1][:-1] in OCC_EN:
                continue
            out.append(Span(m.start(1), m.end(1), DEM, Q))
    for m in _EN_WHO.finditer(text):
        if _NAME_BEFORE.search(text, 0, m.start()):
            out.append(Span(m.start(1), m.start(1) + len(m.group(1).rstrip()), DEM, Q))
    out += [Span(m.start(1), m.end(1), DEM, Q) for m in _EN_KIN_WHO.finditer(text)]
    for m in _CELL.finditer(text):
        cell = m.group(1)
        tokens = [t.group(0).lower() for t in _EN_TOKEN.finditer(cell)]
        first = re.split(r"[,;(]", cell)[0]
        if any(t in OCC_EN for t in tokens) and _en_head(first.strip(), False):
            out.append(Span(m.start(1), m.end(1), DEM, Q))
    return out


# -- Korean -------------------------------------------------------------------
# A job word ends in an agentive suffix or head noun of Korean word formation.
_KO_HEAD = re.compile(
    r"[가-힣]{1,6}(?:공|원|수|기사|사|부|반장|조장|장|병|관|인|가)$"
)
# Words with those endings that are places or things, not people.
_KO_NOT_HEAD = re.compile(
    r"(?:^(?:정원|지원|위원|인원|전원|내원|후원|동원|복원|회원|신원|제공|압수|수공|세공)|병원|학원|공원|의원|회원국|사원증|대학원|요양원|고아원|유치원|동물원|수원|"
    r"식수|생수|점수|횟수|회사|검사|조사|감사|기사문|행사|역사|사고사|인사|대사관|여관|"
    r"도서관|기관|세관|영사관|시장|공장|현장|농장|광장|작업장|주차장|사장님|부인|주인공|"
    r"노인|외국인|한국인|북한인|러시아인|고려인|중국인|조선인|개인|본인|타인|범인|증인|"
    r"국가|휴가|가가|물가|평가|부부|정부|본부|간부|전부|일부|대부분|내부|외부|수수|"
    r"연수|보수|정수|교수님|공공|성공|시공|가공|방공|천공|항공|인공)$"
)
# "NP(으)로 (N년) 일했다 / 근무했다 / 복무했다": the NP is the job.
_KO_AS = re.compile(
    r"(?<![가-힣\d])((?:[가-힣]+ ){0,2}[가-힣]+?)(?<![에의])(?:으로|로)\s(?:[가-힣\d]+\s)?"
    r"(?:일하|일했|일해|일한|근무|복무|살다|살았|취직|채용|있었|뛰었|들어갔)"
)
# "NP 운전을 했어요", "통역 봉사했어요": work named by its activity noun.
_KO_DOING = re.compile(
    r"((?:[가-힣]+\s){0,2}(?:운전|통역|재단|용접|미장|경비|청소|배달|요리|정비|수리|봉사))"
    r"(?:을|를)?\s?(?:했|하고|하다|해요|합니다|했어요|했습니다|봉사)"
)
# A compound modifier: a bare noun without a particle ("감자농장", "지게차").
_KO_PARTICLE_END = re.compile(
    r"(?:은|는|이|가|을|를|의|에|에서|도|만|로|으로|와|과|께|까지|부터|처럼|보다|랑|"
    # verbal endings, spelled out: a bare "고", "서", "다" also ends nouns (창고, 부서, 바다)
    r"[하있었았였했되]고|[하되]여|[해와가아어]서|[했이한었았였된있없]다|요|며|면|는데|인데|지만|게|던|"
    r"한|된|하는|있는|했던)$"
)
_KO_WORD = re.compile(r"[가-힣]+")
# Job words after a description: copula or particle ("기사이신데", "원으로").
_KO_TAIL = re.compile(
    r"(?:이신데|이신|이십니다|이에요|예요|입니다|이었|였|이다|이고|으로|로|이|가|은|는|을|를|의|"
    r"이라|라|와|과|도)?"
)


# Voluntary work named with 봉사: "통역 봉사", "의료 봉사".
_KO_SERVICE = re.compile(r"(?<![가-힣])(?:통역|번역|의료|간호|급식|자원|교육|상담)\s?봉사")


def _ko_modifiers(text: str, start: int, limit: int) -> int:
    """Start of up to ``limit`` bare nouns before ``start`` (a compound)."""
    pos = start
    for _ in range(limit):
        m = re.search(r"(?:^|(?<=[\s(\[:]))([가-힣]{2,6}) $", text[max(0, pos - 8) : pos])
        if not m:
            break
        word = m.group(1)
        if _KO_PARTICLE_END.search(word) or word in _KO_NOT_MOD:
            break
        pos -= len(m.group(0))
    return pos


def _korean(text: str) -> list[Span]:
    out: list[Span] = []
    for m in _KO_AS.finditer(text):
        words = m.group(1).split()
        # keep the trailing bare nouns only
        keep: list[str] = []
        for w in reversed(words):
            if keep and (_KO_PARTICLE_END.search(w) or w in _KO_NOT_MOD):
                break
            keep.insert(0, w)
        np = " ".join(keep)
        if not np or (_KO_PARTICLE_END.search(np) and not _KO_HEAD.search(np)):
            continue
        head = keep[-1]
        if _KO_NOT_HEAD.search(head) or not (_KO_HEAD.search(head) or head in OCC_KO):
            continue
        s = m.end(1) - len(np)
        out.append(Span(s, m.end(1), DEM, Q))
    for m in _KO_DOING.finditer(text):
        words = m.group(1).split()
        keep = []
        for w in reversed(words):
            if keep and _KO_PARTICLE_END.search(w):
                break
            keep.insert(0, w)
        if len(keep) >= 2 and keep[0] not in _KO_NOT_MOD:
            np = " ".join(keep)
            out.append(Span(m.end(1) - len(np), m.end(1), DEM, Q))
    out += [Span(m.start(), m.end(), DEM, Q) for m in _KO_SERVICE.finditer(text)]
    # A head word (suffix or lexicon) after bare nouns: "물류센터 지게차 운전원".
    for m in _KO_WORD.finditer(text):
        word = m.group(0)
        tail = None
        for n in range(len(word), 1, -1):
            core = word[:n]
            if (core in OCC_KO or _KO_HEAD.fullmatch(core)) and _KO_TAIL.fullmatch(word[n:]):
                tail = n
                break
        if tail is None:
            continue
        core = word[:tail]
        if _KO_NOT_HEAD.search(core) or (core not in OCC_KO and not _SEP_HEAD.fullmatch(core)):
            continue
        start = _ko_modifiers(text, m.start(), 2)
        if start == m.start() and core not in OCC_KO:
            continue
        mod = text[start : m.start()].split()
        if mod and _name_like(mod[-1]):
            continue
        if len(mod) > 1 and _name_like(mod[0]):
            start += len(mod[0]) + 1
        if re.match(r" ?['‘\"“]", text[m.start() + tail :]):
            continue
        out.append(Span(start, m.start() + tail, DEM, Q))
    return out


# Nouns that stand before a job without forming a compound with it.
_KO_NOT_MOD = _words(
    "소속 출신 담당 당시 아직 우리 저희 다음 현재 지금 모든 여러 같은 이번 그때 당시에 전직 "
    "지금은 원래 예전 과거 나중 작년 올해 내년 거기서 여기서 저기서 거기 여기 저기 그곳 이곳"
)
# A title after a person's name ("노지현 상담원") is no job: a three-syllable
# word that starts with a common surname.
_KO_SURNAME = frozenset(
    "김이박최정강조윤장임한오서신권황안송류홍전고문양손배백허남심노하곽성차주우구민진나지엄채원천방"
    "현함변염여추도석선설길연표명기반왕금옥육맹탁국편용"
)
def _name_like(word: str) -> bool:
    return len(word) == 3 and word[0] in _KO_SURNAME


# Heads that stand as a separate word after their modifiers ("택시 기사").
_SEP_HEAD = re.compile(
    r"(?:기사|운전원|운전수|운전사|반장|부반장|조장|[가-힣]{2,4}(?:공|원))"
)


# -- Russian ------------------------------------------------------------------
# The instrumental after a verb of working is the job: "работал кем".
_RU_WORK = re.compile(
    r"(?<!\w)(?:работал[аио]?|работает|работают|работаю|работаешь|трудил(?:ся|ась|ись)|"
    r"трудится|числил(?:ся|ась)|числится|устроил(?:ся|ась|ись)|служил[аи]?|назначен[аы]?|"
    r"оформлен[аы]?|нанял(?:ся|ась)|взяли)\s+"
    r"((?:[а-яё-]{3,}\s+){0,1}[а-яё-]{3,})"
    r"((?:\s+(?:на|в)\s+(?:[а-яё-]{3,}\s+){0,1}[а-яё-]{3,})?)"
)
# "муж, работающий на лесозаготовках": a participle of working with its place.
_RU_PART = re.compile(
    r"(?<!\w)(?:работающ\w+|работавш\w+|трудящ\w+)\s+(?:на|в)\s+(?!(?:том|той|этом|этой|тех|одном|одной)\s)"
    r"(?:[а-яё-]{3,}\s+){0,1}[а-яё-]{3,}"
)
_RU_KIN = re.compile(
    r"(?<!\w)(?:муж|жена|сын|дочь|брат|сестра|отец|мать)(?=,\s+(?:работающ|работавш|трудящ))"
)
# "старшая по кухне", "ответственный за склад": a duty named by its domain.
_RU_DUTY = re.compile(
    r"(?<!\w)(?:старш(?:ий|ая|его|ей|им|ую)|ответственн(?:ый|ая|ого|ой|ому|ым)|дежурн(?:ый|ая|ого|ой)|"
    r"заведующ\w+)\s+"
    r"(?:по|за)\s+[а-яё]+(?:\s+[а-яё]+(?=\s*[,.;)]))?"
    r"|(?<!\w)заведующ\w+\s+[а-яё]+(?:ом|ем|ой|ей|ами|ями|ием)(?!\w)"
)
def _russian(text: str) -> list[Span]:
    out: list[Span] = []
    for m in _RU_WORK.finditer(text):
        words = m.group(1).split()
        if not words:
            continue
        tags = [[t for _l, t in _ru_parses(w)] for w in words]
        head_i = -1
        for i, ts in enumerate(tags):
            if any("ablt" in t and "NOUN" in t and "sing" in t and "Name" not in t
                   and "Surn" not in t for t in ts):
                head_i = i
        if head_i < 0:
            continue
        # a modifier before the head must be an instrumental adjective
        first = 0
        if head_i == 1 and not any("ablt" in t and "ADJF" in t for t in tags[0]):
            first = 1
        s = m.start(1) + (len(words[0]) + 1 if first else 0)
        e = m.start(1) + len(" ".join(words[: head_i + 1]))
        place = m.group(2)
        # "на рыбоперерабатывающем заводе" describes the job; a bare "в бригаде" does not.
        if place and len(place.split()) == 3:
            pw = place.split()[1:]
            if all(any("loct" in t or "loc2" in t for _l, t in _ru_parses(w)) for w in pw):
                e = m.end(2)
        out.append(Span(s, e, DEM, Q))
    for rx in (_RU_PART, _RU_DUTY):
        out += [Span(m.start(), m.end(), DEM, Q) for m in rx.finditer(text)]
    for m in _RU_KIN.finditer(text):
        p = _RU_PART.search(text, m.end(), m.end() + 60)
        if p:
            out.append(Span(m.start(), p.end(), DEM, Q))
    return out


def find(text: str) -> list[Span]:
    out: list[Span] = []
    if re.search(r"[A-Za-z]", text):
        out += _english(text)
    if re.search(r"[가-힣]", text):
        out += _korean(text)
    if re.search(r"[А-ЯЁа-яё]", text):
        out += _russian(text)
    return [s for s in out if s.end > s.start]
