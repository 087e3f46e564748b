"""Unique roles and ages in the shapes the describing rules lacked (DEM).

A unique role is said by a superlative or an "only" and runs to the end of
its phrase: "only woman over 50 on the team", "one of only two women
coding for a firm", "самый молодой в бригаде, примерно 20 лет", "он у нас
единственный на погрузчике", "작업반에서 제일 나이 많은 사람", "용접할 줄
아는 건 저 하나". Ages come as a sex-and-age bracket ("(남, 50대)", "(F, 40s)",
"(муж., 45 лет)"), an age said at a time ("당시 29세"), a Korean native
number before the copula ("마흔둘이에요", "일곱 살입니다"), a range ("лет
45–50", "45-50 лет") and an English number word after "is/was/be" that a
time word or "years old" follows ("was nine when", "must be twelve now").

Written for this project from general grammar of the three languages; no
evaluation-set text was used.
"""

from __future__ import annotations

import re

from app.redaction.spans import DEM, IdType, Span

Q = IdType.QUASI

# Hangul syllables with a final ㄴ: the adnominal ending of adjectives and
# verbs ("어린", "많은", "오래된") that a superlative governs.
_N_FINAL = "".join(chr(c) for c in range(0xAC00, 0xD7A4) if (c - 0xAC00) % 28 == 4)
_KO_PERSON = r"(?:사람|이|분|놈|친구|여자|남자|여성|남성|노동자|청년|아이|축|막내)"
_KO_NATIVE = (
    r"(?:열|스물|서른|마흔|쉰|예순|일흔|여든)(?:하나|둘|셋|넷|다섯|여섯|일곱|여덟|아홉)?"
)
_KO_COPULA = r"(?=이에요|이었|이야|입니다|이고|이다|예요|이래요|이랍니다|이신|이라고|이던)"
_EN_NUMBER = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy)"
    r"(?:-(?:one|two|three|four|five|six|seven|eight|nine))?"
)
_EN_NOUN = r"(?:one|person|man|woman|girl|boy|worker|foreigner|[a-z]+(?:er|or|ist|ian))"

UNIQUE = [
    # "the only woman over 50 on the team", "| only welder with a permit |"
    rf"(?:(?<=[,|(:]\s)|(?<=^)|(?<=\bthe\s)|(?<=\bThe\s))only\s+{_EN_NOUN}\b[^.;,|()\n]{{0,60}}",
    # "one of only two women coding for a firm" to the clause end
    r"\bone\s+of\s+(?:only\s+)?(?:two|three|four|five|2|3|4|5)\s+[a-z-]+[^.;,()\n]{0,80}",
    # "самый молодой в бригаде(, примерно 20 лет)"
    r"(?<!\w)(?:[Сс]ам(?:ый|ая|ого|ой|ым|ую)|[Сс]тарш(?:ий|ая)|[Мм]ладш(?:ий|ая))\s+"
    r"(?:[а-яё]+(?:ый|ий|ой|ая|ого|ым|им)\s+)?(?:в|из|на|среди)\s+[а-яё]+(?:\s+№\s*\d+)?"
    r"(?:,\s*(?:(?:примерно|около|где-то|на\s+вид)\s+)?(?:лет\s+)?\d{2}(?:\s*(?:лет|года?))?)?",
    # "единственным в бригаде, кто имел допуск к ...", "он у них единственный на комбайне"
    r"(?<!\w)(?:(?:[Оо]н|[Оо]на)\s+(?:у\s+(?:них|нас)\s+)?)?[Ее]динственн\w+\s+"
    r"(?:(?:в|на|из|среди|у)\s+[а-яё]+(?:\s+[а-яё]+(?=,))?)"
    r"(?:,\s+(?:кто|у\s+кого|кому|кого)\s+[^.;()\n]{2,90}?(?=[.;()\n]|,\s+(?:и|а|но)\s|$))?",
    # "единственный сварщик в бригаде": the only one of a trade in a group
    r"(?<!\w)[Ее]динственн\w+\s+[а-яё]{4,}\s+(?:в|на|из|среди)\s+[а-яё]{3,}",
    # "was the brigade's only chainsaw mechanic"
    r"\b(?:was|is)\s+the\s+[a-z]+'s\s+only\s+[a-z-]+(?:\s+[a-z-]+){0,2}?(?=\s+(?:and|but|who|in|on|at)\b|[.,;]|$)",
    # "현장 반원 30명 중 … 유일한 사람", "팀 내 유일한 러시아어 가능자": back to the clause start
    r"(?:(?<=[.\n]\s)|(?<=[.\n])|(?<=함\.\s)|(?<=\s))(?:[가-힣\d]+\s){0,3}(?:중|내|에서)\s"
    r"(?:[^.,\n]{0,30}?\s)?유일한\s(?:[가-힣]+\s)?(?:사람|이|자|노동자|가능자|[가-힣]{1,4}자)"
    r"(?=[이은는을를의으로라,.\s]|$)",
    # "그 하우스에서 유일하게 한국어를 하는 사람"
    rf"(?:그|이|저)\s[가-힣]+에서\s유일하게\s[^.,\n]{{1,40}}?\s{_KO_PERSON}(?=[이은는을를의으로라,.\s]|$)",
    # "작업반에서 제일 어린 사람", "우리 중에 가장 오래된 사람"
    rf"(?:[가-힣]+(?:에서|중에|중에서)\s)?(?:제일|가장)\s(?:[가-힣]+\s)?[가-힣]*[{_N_FINAL}]\s"
    rf"{_KO_PERSON}(?=[이은는을를의으로라,.\s]|$)",
    # "우리 중에 제일 어린 스물둘이었는데": the age the superlative names
    rf"(?:(?:우리|저희|그|이)\s중에\s|[가-힣]+(?:에서|중에|중에서)\s)(?:제일|가장)\s"
    rf"[가-힣]*[{_N_FINAL}]\s{_KO_NATIVE}"
    rf"{_KO_COPULA}",
    # "언니가 유일하게 …하는 사람", "…에서 유일하게 아이를 데리고 온 여성"
    rf"(?:[가-힣]+(?:가|이)\s)?(?:[가-힣]+에서\s)?유일하게\s[^.,\n]{{1,40}}?\s{_KO_PERSON}"
    r"(?=[이은는을를의으로라,.\s]|$)",
    # "지게차 몰 줄 아는 건 저 하나", "러시아어를 하는 사람은 그 사람뿐"
    # "특급 용접 자격이 있는 사람은 저 하나뿐": "the only one who can/has X is me"
    r"(?:[가-힣]+\s){1,3}(?:줄\s아는|수\s있는|있는|아는|하는)\s(?:건|것은|사람은|사람이|이는)\s[가-힣]+\s?"
    r"(?:하나뿐|하나|혼자|뿐|한\s명)",
]
# Korean describing clauses of a person's standing role: "20년째 민박을 하는 사람",
# "해외 구조 상담을 맡고 있는 활동가", "러시아어학과 2학년".
KO_STANDING = [
    rf"(?<![가-힣\d])\d{{1,2}}년째\s[^.,\n]{{1,20}}?\s{_KO_PERSON}(?=[이인은는을를의으로라,.\s]|$)",
    # (the words before are bare nouns: a topic or place word, "저는", "교회에서", starts a clause)
    r"(?:(?<=\s)|^)(?:[가-힣]+(?<![은는서])\s){0,3}[가-힣]+(?:을|를)\s맡고\s있는\s(?!것)[가-힣]{2,5}?"
    r"(?=입니|이다|이에요|예요|이고|으로|로|[,.\s]|$)",
    r"(?<![가-힣])[가-힣]{2,10}(?:학과|학부|전공)\s\d학년",
]
AGES = [
    # "(남, 50대)", "(F, 40s)", "(муж., 45 лет)": sex and age in a bracket
    r"(?<=\()((?:남|여|남성|여성|M|F|m|f|male|female|муж\.?|жен\.?),\s?\d{2}(?:대|세|살|s|\s?лет|\s?года?)?)"
    r"(?=\))",
    # "1988년 12월 2일생, 여": the sex after a birth date in a record line
    r"(?<=생),\s?(남|여)(?![가-힣])",
    # "당시 29세", "현재 41세"
    r"(?<![가-힣])((?:당시|현재|올해|지금)\s?\d{1,2}\s?(?:세|살))",
    # "마흔여섯이에요", "일곱 살입니다"
    rf"(?<![가-힣])({_KO_NATIVE}){_KO_COPULA}",
    r"(?<![가-힣])((?:한|두|세|네|다섯|여섯|일곱|여덟|아홉|열)\s살)(?=이에요|입니다|이었|이고|이다|예요|이래요)",
    # "лет 45–50", "45-50 лет", "на вид 40–45"
    r"(?<!\w)(?:[Лл]ет|на\s+вид)\s+(\d{2}\s?[–-]\s?\d{2})(?!\d)",
    r"(?<![\w.,–-])(\d{2}\s?[–-]\s?\d{2})\s+лет(?!\w)",
    # "was nine when his father left", "must be twelve now"
    rf"\b(?:is|was|be|turned|turns)\s+(?:only\s+|just\s+|nearly\s+|almost\s+)?({_EN_NUMBER})"
    r"(?=\s+(?:now|when|years?\s+old|this\s+year|at\s+the\s+time)\b)",
]
# Clothing, in the slot after a verb of dressing, to the sentence end:
# "Был одет: серая куртка, чёрные брюки", "was last seen wearing a red cap".
CLOTHES = [
    # (the value of a field "одет:"/"Одежда:"; a narrative "одет в" is often background)
    r"(?<!\w)(?:[Бб]ыл[аи]?\s+)?(?:[Оо]дет[аы]?|[Оо]дежда)\s*:\s*([^.;\n]{5,160})",
    r"\b(?:[Ll]ast\s+seen\s+)(?:wearing|dressed\s+in)\s+([^.;\n]{5,140})",
    r"(?:^|\n)\s*(?:Clothing|Clothes|Wearing|옷차림|복장)\s*[:：]\s*([^.;\n]{3,140})",
]
_UNIQUE_RES = [re.compile(p, re.MULTILINE) for p in UNIQUE + KO_STANDING]
_CLOTHES_RES = [re.compile(p) for p in CLOTHES]
_AGE_RES = [re.compile(p) for p in AGES]


def find(text: str) -> list[Span]:
    out: list[Span] = []
    for rx in _UNIQUE_RES:
        for m in rx.finditer(text):
            end = m.end()
            while end > m.start() and text[end - 1] in " ,":
                end -= 1
            out.append(Span(m.start(), end, DEM, Q))
    for rx in _CLOTHES_RES:
        for m in rx.finditer(text):
            seg = m.group(1)
            # the description ends where a clause with its own verb starts
            cut = re.search(r",\s+(?:and|but|when|which|who|и|а|но|когда|который)\s", seg)
            end = m.start(1) + (cut.start() if cut else len(seg.rstrip(" ,")))
            out.append(Span(m.start(1), end, DEM, Q))
    for rx in _AGE_RES:
        out += [Span(m.start(1), m.end(1), DEM, Q) for m in rx.finditer(text)]
    return [s for s in out if s.end > s.start]
