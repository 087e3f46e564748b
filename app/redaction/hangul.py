"""Hangul shapes the other layers have no rule for.

Each rule is a class of identifying detail in Korean text, written from how
Korean court papers, notes and letters are written (not from any record):

- masked names of court style, a surname and masking marks (``홍○○``,
  ``홍○동``, ``홍**``);
- a one- or two-syllable name before an address word (``텐 씨``, ``뎨 선생``),
  whatever the surname table says, and Russian given names in Hangul with a
  one-syllable surname (``세르게이 텐``);
- given names called by vocative or hypocoristic endings (``은솔아``,
  ``은솔이``), where kiwipiepy reads a vocative particle;
- masked resident numbers (``85****-1******``), road-name addresses
  (``경기도 수원시 팔달구 효원로 12, 301호``);
- court-style dates (``2023. 4. 초순경``, ``같은 달 9.``);
- amounts in Korean numerals and currency words (``5만 5천 루블``,
  ``1인당 3천 딸라``, ``두 달에 3만``);
- organisations by head noun after a name (``샛별 봉사팀``, ``X 네트워크``,
  ``X 교회``), quoted names with an organisation head, works sites
  (``X 공사 현장``), squares (``X광장``), and places named after a province
  (``함경남도 X``) or carrying an administrative suffix after a place.
"""

from __future__ import annotations

import re

from app.redaction import gazetteer, hangul_names, korean
from app.redaction import hangul_words as words
from app.redaction.names import hangul_surnames
from app.redaction.spans import ADDRESS, CODE, DATE, ORG, PERSON, PLACE, QUANTITY, IdType, Span

D = IdType.DIRECT
Q = IdType.QUASI

# A word boundary on the left for Hangul: not inside a longer Hangul word.
_L = r"(?<![가-힣])"
# After a name: a particle or ending may follow, then no more Hangul.
_PARTICLE = hangul_names.NAME_PARTICLE
_R = rf"(?={_PARTICLE}(?![가-힣]))"

# --- persons ----------------------------------------------------------------
# Court style: surname, then one or two masking marks, or a mark and a syllable.
MASK = r"[○◯〇●◎OＯ*＊xX]"
MASKED_NAME = re.compile(
    rf"{_L}([가-힣])({MASK}[가-힣]|{MASK}{{1,2}}|[가-힣]{MASK})(?!{MASK}|[A-Za-z])"
)
# A name masked whole ("피해자 ○○○에게"); "○○시" is a masked city, not this.
ALL_MASKED = re.compile(rf"(?<![○◯〇\w])[○◯〇]{{2,3}}{_R}")
# A short name, then an address word ("텐 씨", "뎨 선생님", "니 집사").
TITLE = (
    r"(?:씨|님|선생님|선생|사장님|사장|집사님|집사|권사님|권사|동무|동지|목사님|목사|"
    r"아저씨|아주머니|할머니|할아버지|쌤|샘|자매님|자매|형제님|형제|성도님|성도)"
)
_KIN_WORD = (
    r"(?:삼촌|이모|고모|언니|누나|오빠|형님|형|아재|아줌마|할매|할배|반장|과장|부장|어머니|아버지|"
    r"엄마|아빠)"
)
SHORT_TITLED = re.compile(rf"{_L}([가-힣]{{1,2}})\s({TITLE}){_R}")
# A Russian given name in Hangul with a one-syllable surname ("세르게이 텐").
_GIVEN = "|".join(sorted(words.FOREIGN_GIVEN_NAMES, key=len, reverse=True))
GIVEN_SURNAME = re.compile(rf"{_L}(?:{_GIVEN})\s([가-힣]){_R}")
GIVEN_TITLED = re.compile(rf"{_L}((?:{_GIVEN}))\s?{TITLE}")
# --- codes, addresses, dates ------------------------------------------------
RRN_STARRED = re.compile(r"(?<![\d*])[\d*]{6}-[1-8*][\d*]{6}(?![\d*])")
PROVINCE = (
    r"(?:서울특별시|서울시|서울|부산광역시|부산|대구광역시|대구|인천광역시|인천|광주광역시|대전광역시|"
    r"울산광역시|세종특별자치시|경기도|강원도|강원특별자치도|충청북도|충청남도|충북|충남|전라북도|"
    r"전북특별자치도|전라남도|전북|전남|경상북도|경상남도|경북|경남|제주특별자치도|제주도|"
    r"평안남도|평안북도|함경남도|함경북도|자강도|양강도|량강도|황해남도|황해북도|평양시|남포시|라선시)"
)
ROAD_ADDRESS = re.compile(
    rf"(?:{PROVINCE}\s(?:[가-힣]{{1,5}}(?:시|군)\s)?|[가-힣]{{1,5}}(?:시|군)\s)"
    r"(?:[가-힣]{1,5}(?:구|읍|면)\s)?"
    r"[가-힣\d]{0,11}[가-힣\d](?<!으)(?:로|길)(?:\s?\d{1,3}(?:번)?길)?\s\d{1,5}(?:-\d{1,5})?"
    r"(?:(?:,\s?|\s)(?:\d{1,4}동\s?)?\d{1,5}(?:호|층))?(?![\d가-힣])"
)
DAY_PART = r"(?:초순경|중순경|하순경|말경|초경|초순|중순|하순|말|초|경)"
# After "같은 달" a part of the month stands alone ("같은 달 말경").
MONTH_PART = r"(?:초순경|중순경|하순경|말경|초경|초순|중순|하순)"
COURT_DATE = re.compile(
    rf"(?<![\d.])(?:19|20)\d{{2}}\.\s?\d{{1,2}}\.\s?(?:\d{{1,2}}\.\s?)?{DAY_PART}"
    rf"|(?:같은|이듬|그)\s(?:해|달)\s(?:\d{{1,2}}\.(?:\s?\d{{1,2}}\.)?(?:\s?{DAY_PART})?|{MONTH_PART})"
)

# --- amounts ----------------------------------------------------------------
# 원 "won", not the first syllable of a word ("3 원칙", "2 원래").
CURRENCY = r"(?:달러|딸라|불|루블|로블|원화|원(?![칙래인장형자료리소])|위안|엔|유로)"
_NUM = r"\d[\d,]*(?:\.\d+)?"
_UNIT = r"(?:천만|백만|억|만|천|백)"
AMOUNT_CORE = rf"(?:{_NUM}\s?{_UNIT}(?:\s?{_NUM}\s?{_UNIT})*(?:\s?{_NUM})?|{_NUM})"
PER = r"(?:1인당|인당|한\s사람당|한\s명당|일인당|월|매달|매월|일당|주급|월급|연봉)"
PERIOD = r"(?:한|두|석|세|넉|네|다섯|여섯|\d{1,2})\s?(?:달|개월|주|해|년)(?:에|동안|간|치)?"
AMOUNT = re.compile(
    rf"(?<![\w])(?:{PER}\s)?{AMOUNT_CORE}\s?{CURRENCY}"
    rf"|(?<![\w]){PERIOD}\s{_NUM}\s?(?:억|만|천)(?:\s?{_NUM}\s?(?:만|천))?(?![\d가-힣])"
    rf"(?!\s?{CURRENCY})"
)

NEAR = re.compile(r"([가-힣]{2,8})\s(?:근처|옆|인근|앞|외곽|부근)(?:의)?\s$")
RANGE_BEFORE = re.compile(r"[~〜–-]\s?$")
RANGE_AFTER = re.compile(r"\s?[~〜–]")

# --- organisations and places -------------------------------------------------
# Heads that make any name before them an organisation ("샛별 봉사팀") ...
DISTINCT_HEAD = (
    r"자원봉사팀|봉사팀|봉사단|선교팀|선교단|선교회|지원팀|구조팀|네트워크|후원회|공동체|핫라인|"
    r"트레스트|콤비나트|아그로텍|아그로|그룹|홀딩스|로지스틱스|로지스틱|인터내셔널|컴퍼니"
)
# ... and heads common enough that the name must look like one ("동네 교회" is none).
GENERIC_HEAD = (
    r"연합회|협의회|협회|위원회|재단|지원센터|센터|상담소|쉼터|모임|교회|성당|탄광|광산|기업소|제련소|"
    r"연대"
)
ORG_HEAD = rf"(?:{DISTINCT_HEAD}|{GENERIC_HEAD})"
_DISTINCT = re.compile(rf"(?:{DISTINCT_HEAD})")
NAMED_ORG = re.compile(rf"{_L}([가-힣A-Za-z\d]{{2,10}})\s({ORG_HEAD})(?:-\d{{1,3}})?{_R}")
# Two words before a distinctive head: "이주민 인권 네트워크".
NAMED_ORG2 = re.compile(
    rf"{_L}([가-힣A-Za-z\d]{{2,10}})\s([가-힣A-Za-z\d]{{2,10}})\s({DISTINCT_HEAD}){_R}"
)
QUOTED = re.compile(r"['‘\"“]([가-힣A-Za-z\d][가-힣A-Za-z\d\- ]{1,24})['’\"”]")
QUOTED_ORG_AFTER = re.compile(
    r"\s?(?:물류창고|창고|공사|현장|공장|회사|소속|식당|농장|지사|사무실|에서\s(?:일|지급|받|근무))"
)
SITE = re.compile(
    rf"{_L}([가-힣]{{2,6}})\s(?:공사|건설|신축|철거)\s?현장{_R}"
    rf"|(?<![가-힣])([가-힣]{{2,8}})\s현장{_R}"
)
SQUARE = re.compile(rf"{_L}[가-힣]{{2,8}}(?:광장|공원|정류장)(?=[가-힣]{{0,2}}(?![가-힣]))")
# Written apart, the name must be a proper noun where it stands ("X 정류장";
# "먼 거리" is a distance).
SPACED_SQUARE = re.compile(rf"{_L}([가-힣]{{2,8}})\s(?:광장|공원|정류장|거리){_R}")
# A quoted word, then a naming verb: "다들 '두꺼비'라고 불렀다", "'곰'이라는 사람".
NAMED_AS = re.compile(
    r"['‘\"“]([가-힣A-Za-z\d][가-힣A-Za-z\d ]{0,14})['’\"”]\s?(?:이?라고|이?라는|이?란|이?라(?=\s))"
    r"(?:\s[가-힣]{1,6}){0,2}\s?(?:불렀|부르|불러|불린|불리|부른|부를|부름|했|하는|하던|별명)"
)
# A handle: "@두만강바람"; the commenters of a forum thread, one a line after
# a "댓글" (comments) header: " 두만강바람: 감사합니다".
HANDLE = re.compile(r"(?<![\w@])@([가-힣A-Za-z\d_]{2,20})(?!\w|\.\w)")
# The header may be ruled ("─── 댓글 7 ───") and the lines below it flush left.
COMMENTS = re.compile(r"^[\s─━—–=*#\[]*└?\s*댓글", re.MULTILINE)
COMMENTER = re.compile(r"^[ \t]*(?:[└↳]\s*)?([가-힣A-Za-z\d_]{2,12}):\s", re.MULTILINE)
# A programme's or work's title in corner brackets: 「새벽 소식」; a law's
# title (「출입국관리법」) is public and stays.
TITLE_BRACKET = re.compile(r"[「『]([가-힣A-Za-z\d ,!?·]{2,24})[」』]")
LAW_TITLE = re.compile(r"(?:법|령|규칙|조약|협약|규정|선언|헌장)$")
# A school's or firm's branch: "X대학 Y캠퍼스", "X회사 Y지사".
BRANCH = re.compile(
    r"(?<![가-힣])[가-힣A-Za-z]{2,12}(?:대학교|대학|회사|공사|그룹|은행)\s[가-힣]{2,8}"
    r"(?:캠퍼스|분교|지점|지사|공장|사업소|사무소|분원)"
)
SQUARE_HEAD = re.compile(r"광장|공원|정류장")
AFTER_PROVINCE = re.compile(
    rf"{_L}{PROVINCE}\s([가-힣]{{2,4}}?){_R}(?:\s([가-힣]{{1,4}}(?:동|리|구역|군|읍|면|노동자구)){_R})?"
)
UNIT_SUFFIX = re.compile(r"[가-힣]{1,4}(?:동|리|구역|노동자구)$")
# "a certain workplace" in a named city: "카잔의 한 자동차 정비소에서".
CERTAIN_WORKPLACE = re.compile(
    r"([가-힣]{2,10})의\s한\s((?:[가-힣]{2,6}\s)?[가-힣]{0,6}"
    r"(?:정비소|공장|식당|회사|농장|가게|상점|창고|호텔|카페|세탁소|목장|벌목장|공사장|건설사|업체))"
    rf"{_R}"
)
SITE_HEAD = re.compile(r"(?:탄광|광산|기업소|공장|농장|제련소|발전소|건설장)")

# Words that stand before 공사 현장 without naming it ("그 공사 현장").
_GENERIC = frozenset({"그", "이", "저", "같은", "다른", "우리", "여러", "모든", "한", "어느", "새"})
# Ordinary modifiers of an organisation's head: "동네 교회", "상담 센터".
_MODIFIERS = frozenset(
    {
        "동네", "근처", "시내", "지역", "마을", "시골", "도시", "지방", "현지", "개신", "천주",
        "가톨릭", "불교", "기독교", "정부", "국제", "민간", "공공", "종교", "지하", "가정",
        "상담", "지원", "주민", "고객", "복지", "청소년", "노인", "여성", "아동", "보건", "의료",
        "시민", "국립", "공립", "사립", "대형", "소형", "작은", "큰", "예전", "이전", "다음",
        "첫", "인근", "주변", "각", "모든", "여러", "우리", "저희", "그들", "친구", "가족",
        "회사", "학교", "단체", "인권", "봉사", "자원", "청년", "청년부", "교인", "신자",
        "탈북", "이주", "노동", "노동자",
    }
)


def find(text: str) -> list[Span]:
    """Spans of the shapes above, in any Hangul text."""
    if not re.search(r"[가-힣]", text):
        return []
    out: list[Span] = []
    out += _persons(text)
    out += [Span(m.start(), m.end(), CODE, D) for m in RRN_STARRED.finditer(text)
            if "*" in m.group(0) and re.search(r"\d", m.group(0))]
    out += [Span(m.start(), m.end(), ADDRESS, D) for m in ROAD_ADDRESS.finditer(text)]
    out += [Span(m.start(), m.end(), DATE, Q) for m in COURT_DATE.finditer(text)]
    # A range ("100~200달러") is general practice, not one person's pay.
    out += [Span(m.start(), m.end(), QUANTITY, Q) for m in AMOUNT.finditer(text)
            if not RANGE_BEFORE.search(text, max(0, m.start() - 2), m.start())
            and not RANGE_AFTER.match(text, m.end())]
    out += _orgs_places(text)
    return out


PROVINCE_BEFORE = re.compile(rf"{_L}{PROVINCE}\s$")


def after_province(text: str, start: int) -> bool:
    """True when a province name stands just before ``start``: the word there
    is a place inside it ("함경남도 단천"), even one that is also a common noun."""
    return PROVINCE_BEFORE.search(text, max(0, start - 12), start) is not None


_TRAILING_TITLE = re.compile(rf"\s{TITLE}$")


# A Latin name, then Hangul words: "Rustam 있어요" keeps "Rustam".
_LATIN_THEN_HANGUL = re.compile(r"^[A-Za-z][A-Za-z'’.-]*(?:\s[A-Za-z][A-Za-z'’.-]*)*(?=\s[가-힣])")


def trim_person(text: str, span: Span) -> Span:
    """A model's Hangul person without the address word after the name
    ("안드레이 샘", "나타샤 씨" keep the name): the word is no part of it; nor
    is a word the model cut out of one ("빅토르 아저|씨"), nor the Korean
    predicate after a Latin name ("Rustam 있어요")."""
    if span.category != PERSON:
        return span
    surface = span.text(text)
    latin = _LATIN_THEN_HANGUL.match(surface)
    if latin is not None:
        return Span(span.start, span.start + latin.end(), span.category, span.identifier_type)
    cut = re.search(r"\s([가-힣]+)$", surface)
    if cut is not None and cut.start() > 0:
        word_end = span.end
        while word_end < len(text) and "가" <= text[word_end] <= "힣":
            word_end += 1
        if word_end > span.end and re.match(TITLE, cut.group(1) + text[span.end:word_end]):
            return Span(span.start, span.start + cut.start(), span.category, span.identifier_type)
    m = _TRAILING_TITLE.search(surface)
    if m is None or m.start() == 0:
        return span
    return Span(span.start, span.start + m.start(), span.category, span.identifier_type)


def _persons(text: str) -> list[Span]:
    surnames = hangul_surnames()
    out: list[Span] = []
    for m in MASKED_NAME.finditer(text):
        if m.group(1) in surnames:
            out.append(Span(m.start(), m.end(), PERSON, D))
    out += [Span(m.start(), m.end(), PERSON, D) for m in ALL_MASKED.finditer(text)]
    for m in SHORT_TITLED.finditer(text):
        g = 1 if m.group(1) else 3
        name = m.group(g)
        if name in words.NOT_NAME_BEFORE_TITLE or name in words.NATION_STEMS:
            continue
        # One syllable: a surname of either table. Two: kiwipiepy must read
        # it as a noun, not a verb form or a determiner ("그런 씨").
        if len(name) == 1 and name not in surnames and name not in words.KORYO_SURNAMES:
            continue
        # Two syllables only before 씨: "담임 선생님", "식당 사장" are roles.
        if len(name) == 2 and (not m.group(2).startswith("씨") or not _noun_shape(name)):
            continue
        out.append(Span(m.start(g), m.end(g), PERSON, D))
    for rx in (GIVEN_SURNAME,):
        for m in rx.finditer(text):
            if m.group(1) in surnames or m.group(1) in words.KORYO_SURNAMES:
                out.append(Span(m.start(), m.end(1), PERSON, D))
    for m in GIVEN_TITLED.finditer(text):
        out.append(Span(m.start(1), m.end(1), PERSON, D))
    out += hangul_names.vocatives(text)
    for m in NAMED_AS.finditer(text):
        inner = m.group(1).strip()
        # Several words are a firm's or a place's name, unless the last is an
        # address word: "바다 삼촌", "블라디 사장" are how a person is called.
        kin = re.search(rf"\s(?:{TITLE}|{_KIN_WORD})$", inner) is not None
        cat = ORG if re.search(r"[\d\s]", inner) and not kin else PERSON
        out.append(Span(m.start(1), m.start(1) + len(inner), cat, Q))
    out += [Span(m.start(1), m.end(1), PERSON, D) for m in HANDLE.finditer(text)]
    section = COMMENTS.search(text)
    if section is not None:
        # Below a comments header an indented "X: " line is a commenter's handle.
        # Below a comments header a "X: " line is a commenter's handle, unless
        # the label is a field or a site's role ("작성자:", "답변:", "참고:").
        for m in COMMENTER.finditer(text, section.end()):
            if m.group(1) not in words.THREAD_FIELDS:
                out.append(Span(m.start(1), m.end(1), PERSON, D))
    out += hangul_names.find(text)
    return out


def _context_tokens(text: str, start: int, end: int) -> list[tuple[str, str]]:
    """kiwipiepy's tokens inside text[start:end], read in their line (short
    words read alone split oddly: "단천" alone is a determiner and a numeral)."""
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    le = len(text) if le < 0 else le
    return [(f, t) for f, t, s, n in korean.tokens(text[ls:le]) if start <= ls + s < end]


def _noun_in_context(text: str, start: int, end: int) -> bool:
    toks = _context_tokens(text, start, end)
    return bool(toks) and toks[0][1] != "NP" and all(t[0] in "NJSX" for _f, t in toks)


def _nation_word(word: str) -> bool:
    """"고려인", "조선족": a people's name, which a church or team may bear."""
    return word[-1] in words.NATION_SUFFIX and word[:-1] in words.NATION_STEMS


def _name_like(word: str) -> bool:
    """A noun that is not one general noun of kiwipiepy's dictionary: a proper
    noun or an unknown word it splits ("새벽별" yes, "동네" no)."""
    toks = korean.tokens(word)
    return _bare_noun(word) and not (len(toks) == 1 and toks[0][1] == "NNG")


def _noun_shape(word: str) -> bool:
    """A bare noun, or a noun and a noun-making suffix ("철용" -> 철 + 용): a
    given name kiwipiepy splits; not a plural ("사람들")."""
    toks = korean.tokens(word)
    return bool(toks) and toks[-1][0] != "들" and all(
        t[1].startswith("NN") or t[1] in ("XR", "XSN") for t in toks
    )


def _bare_noun(word: str) -> bool:
    toks = korean.tokens(word)
    return bool(toks) and all(t[1].startswith("NN") or t[1] == "XR" for t in toks)


def _orgs_places(text: str) -> list[Span]:
    out: list[Span] = []
    for m in NAMED_ORG.finditer(text):
        name = m.group(1)
        if name in _GENERIC or name in _MODIFIERS or name in words.NATION_STEMS:
            continue
        if not _noun_in_context(text, m.start(1), m.end(1)):
            continue
        if not (_DISTINCT.fullmatch(m.group(2)) or _name_like(name) or _nation_word(name)):
            continue
        out.append(Span(m.start(), m.end(), ORG, Q))
    for m in NAMED_ORG2.finditer(text):
        first, second = m.group(1), m.group(2)
        if first in _GENERIC or first in _MODIFIERS or second in _GENERIC:
            continue
        if _noun_in_context(text, m.start(1), m.end(2)):
            out.append(Span(m.start(), m.end(), ORG, Q))
    for m in QUOTED.finditer(text):
        inner = m.group(1).strip()
        after = text[m.end(): m.end() + 14]
        headed = re.search(rf"{ORG_HEAD}$", inner) is not None
        if (headed or QUOTED_ORG_AFTER.match(after)) and len(inner) >= 2:
            out.append(Span(m.start(1), m.start(1) + len(inner), ORG, Q))
    for m in SITE.finditer(text):
        g = 1 if m.group(1) else 2
        word = m.group(g)
        # A city's works ("모스크바 현장") name the city, which the gazetteer has.
        if word in _GENERIC or word in words.NATION_STEMS or gazetteer.is_known_place(word):
            continue
        # A site is named by a proper noun ("X 공사 현장"); "아파트 공사 현장"
        # is a kind of site, unless a named place locates it ("X 근처 도로 공사 현장").
        near = NEAR.search(text, max(0, m.start() - 16), m.start())
        named = any(t == "NNP" for _f, t in _context_tokens(text, m.start(g), m.end(g)))
        if near and g == 1:
            place = _context_tokens(text, near.start(1), near.end(1))
            named = named or any(t == "NNP" for _f, t in place)
        if not named:
            continue
        out.append(Span(m.start(g), m.end(), ORG, Q))
    for m in CERTAIN_WORKPLACE.finditer(text):
        city = m.group(1)
        if gazetteer.is_known_place(city) or any(
            t == "NNP" for _f, t in _context_tokens(text, m.start(1), m.end(1))
        ):
            out.append(Span(m.start(2), m.end(2), ORG, Q))
    for m in SPACED_SQUARE.finditer(text):
        if any(t == "NNP" for _f, t in _context_tokens(text, m.start(1), m.end(1))):
            out.append(Span(m.start(), m.end(), PLACE, Q))
    for m in TITLE_BRACKET.finditer(text):
        if not LAW_TITLE.search(m.group(1).strip()):
            out.append(Span(m.start(1), m.end(1), ORG, Q))
    out += [Span(m.start(), m.end(), ORG, Q) for m in BRANCH.finditer(text)]
    for m in SQUARE.finditer(text):
        head = SQUARE_HEAD.search(m.group(0))
        if head is not None and _name_like(m.group(0)[: head.start()]):
            out.append(Span(m.start(), m.start() + head.end(), PLACE, Q))
    for m in AFTER_PROVINCE.finditer(text):
        word = m.group(1)
        # A plural ("사람들") is people from the province, not a place in it.
        ok = word not in words.NOT_PLACE_AFTER_PROVINCE and not word.endswith(("도", "들"))
        if ok and _noun_in_context(text, m.start(1), m.end(1)):
            out.append(Span(m.start(1), m.end(1), PLACE, Q))
            # The place's works: "X 탄광" after "함경남도 X" is the mine.
            for w in re.finditer(rf"{_L}{word}\s({SITE_HEAD.pattern})", text):
                out.append(Span(w.start(), w.end(), ORG, Q))
        if m.group(2) and UNIT_SUFFIX.fullmatch(m.group(2)):
            out.append(Span(m.start(2), m.end(2), PLACE, Q))
    return out
