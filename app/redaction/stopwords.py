"""Words that must never be spread through a document as if they were names.

Propagation searches every other mention of a detected name, so one wrong
part ("the" of the nickname "the Bear", "пастор" of "пастор Андрей") would
mask a word everywhere. These lists hold function words and the frequent
common nouns, titles and roles of the three languages (general knowledge,
lower-case; Korean forms as written).
"""

from __future__ import annotations

from functools import cache

_EN = """
a an the and or but nor of in on at to for from by with without as is are was were be been being
am he she it they we i you me him her them us his hers its their our my your mine this that these
those there here when where why how what who whom whose which not no yes so if then than also only
just very all any some each every both either neither one two three first last next other another
such same own more most less few many much up down out over under again once into onto about
above below after before between through during against among off per via upon while until since
do does did done have has had having can could will would shall should may might must let get got
mr mrs ms miss dr sir madam mister comrade brother sister uncle aunt auntie grandma grandpa
man men woman women boy girl boys girls people person child children son daughter wife husband
mother father mom dad mum friend friends boss chief leader foreman manager director guard officer
captain major colonel sergeant doctor teacher pastor father reverend professor judge driver cook
worker workers team brigade unit section site camp company office church house home room day days
night week month year time old big little young new good bad great small long short black white red
green blue gold golden iron stone bear fox wolf tiger dog cat bull snake eagle pig rat crow owl
north south east west northern southern eastern western far central upper lower new saint st
street road river lake mountain hill island bay sea city town village county district province
region state country station port airport border bridge market school hospital factory farm mine
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december spring summer autumn winter
"""
_RU = """
и в во на с со к ко у о об от до по за из под над при про для без через между а но или же не
ни да нет он она оно они мы вы я ты его её ее их им ей ему нам вам меня мне мной тебя себя свой
своя свои этот эта это эти тот та то те там тут здесь где когда как что кто чей который все всё
весь вся каждый один одна два две три был была были быть есть будет также только уже ещё еще
очень так потом тогда сейчас товарищ товарища товарищу господин госпожа гражданин гражданка дядя
тётя тетя брат сестра отец мать мама папа жена муж сын дочь друг подруга старик старший младший
бригадир бригада начальник мастер прораб пастор священник отец батюшка водитель повар рабочий
рабочие заявитель потерпевший свидетель рапорт протокол заявление объяснение справка дело
опрошенный опрошенная допрошенный допрошенная опрос опроса гражданина гражданки работник
компания фирма завод участок объект город район улица дом квартира день ночь месяц год время
большой маленький старый новый медведь лиса волк тигр собака бык змея орёл орел
"""
_KO = """
그 그는 그녀 그들 우리 저 저는 나 나는 너 이 이것 저것 그것 여기 거기 저기 지금 그때 이후 이전
이번 오늘 내일 어제 정도 조사 한편 사람 사람들 남자 여자 아이 아들 딸 아내 남편 어머니 아버지
엄마 아빠 형 누나 언니 오빠 동생 친구 동료 동무 동지 선생 선생님 씨 님 반장 작업반장 지도원
보위원 지배인 사장 소장 과장 부장 목사 집사 장로 회사 공장 식당 교회 작업 현장 숙소 여권
월급 한국 북한 중국 러시아 대장 큰형 아저씨 아줌마
아주머니
"""


def word_set(words: str) -> frozenset[str]:
    """The whitespace-separated words of a list written out in the source."""
    return frozenset(words.split())


@cache
def _words() -> frozenset[str]:
    return frozenset((_EN + _RU + _KO).split())


def is_stopword(word: str) -> bool:
    """True for a function word, title, role or frequent common noun."""
    w = word.strip(" \"“”'‘’«»,.;:()").lower().replace("ё", "е")
    return w in _words() or word.strip().lower() in _words()


_FUNCTION = """
a an the and or of in on at to for from by with as is was he she it they we i you his her
their our my this that there here not no so if then
и в на с к о от до по за из а но не он она они мы вы я его её ее их меня мне
그 그는 그녀 우리 저 나
"""
FUNCTION_WORDS = frozenset(_FUNCTION.split())


def is_function_word(word: str) -> bool:
    return word.strip(" \"“”'‘’«»,.;:()").lower() in FUNCTION_WORDS


@cache
def _common_english() -> frozenset[str]:
    from pathlib import Path

    path = Path(__file__).resolve().parent / "data" / "common_en.txt"
    lines = path.read_text("utf-8").splitlines()
    return frozenset(w for w in lines if w and not w.startswith("#"))


def is_common_english(word: str) -> bool:
    """A frequent English word (wordfreq, data/common_en.txt): "grace", "park", "understood"."""
    return word.strip(" \"“”'‘’,.;:()").lower() in _common_english()
