"""Word lists for the Hangul rules (``hangul.py``, ``korean.py``).

Written for this project from general Korean vocabulary and general
knowledge of Russian and Central Asian given names; no evaluation-set text.
"""

from __future__ import annotations

# Stems of nationality and language words: "카자흐인", "중국어", "조선족" are
# never persons (a stem, then 인 "person", 족 "people", 어 "language").
NATION_STEMS = frozenset(
    {
        "한국", "북한", "남한", "조선", "북조선", "남조선", "중국", "러시아", "로씨야", "고려",
        "몽골", "일본",
        "미국", "영국", "독일", "프랑스", "베트남", "태국", "우즈베크", "우즈베키스탄", "카자흐",
        "카자흐스탄", "키르기스", "키르기즈", "타지크", "투르크멘", "우크라이나", "벨라루스",
        "아르메니아", "조지아", "그루지야", "아제르바이잔", "타타르", "부랴트", "야쿠트", "체첸",
        "필리핀", "인도네시아", "캄보디아", "라오스", "미얀마", "네팔", "인도", "파키스탄",
        "터키", "튀르키예", "이란", "이라크", "시리아", "아랍", "유대", "만주", "한", "중", "일",
    }
)
NATION_SUFFIX = ("인", "족", "어", "계", "말")

# Hangul spellings of Russian and Central Asian given names and their
# everyday short forms, as Korean texts write them.
FOREIGN_GIVEN_NAMES = frozenset(
    {
        "알렉산드르", "알렉산더", "알렉세이", "아나톨리", "안드레이", "안톤", "아르카디",
        "아르세니", "아르툠", "아르촘", "보리스", "바딤", "바짐", "발렌틴", "발레리", "바실리",
        "빅토르", "비탈리", "블라디미르", "뱌체슬라프", "브세볼로드", "게오르기", "겐나디",
        "그리고리", "글레브", "다닐", "데니스", "드미트리", "예브게니", "예고르", "에두아르드",
        "페도르", "표도르", "필리프", "이고르", "일리야", "이반", "이노켄티", "키릴", "콘스탄틴",
        "레프", "레오니드", "막심", "마트베이", "미하일", "니키타", "니콜라이", "올레그", "파벨",
        "표트르", "로만", "루슬란", "세르게이", "스타니슬라프", "스테판", "티모페이", "티무르",
        "야코프", "유리", "야로슬라프", "제냐", "사샤", "샤샤", "사쉬카", "볼로댜", "바냐",
        "바네치카", "코랴", "콜랴", "미샤", "페탸", "세료자", "디마", "지마", "댜마", "알료샤",
        "안드류샤", "토랴", "톨랴", "슬라바", "발로댜", "보바", "그리샤", "가랴", "고샤",
        "쿠지마", "스탸스", "파샤", "로마", "료샤", "레냐", "테마", "다냐", "알라", "알료나",
        "알비나", "안나", "안나스타샤", "아나스타시야", "안토니나", "발렌티나", "발레리야",
        "베라", "빅토리야", "갈리나", "다리야", "예카테리나", "옐레나", "엘레나", "옐리자베타",
        "잔나", "지나이다", "인나", "이리나", "카리나", "크세니야", "크리스티나", "라리사",
        "리디야", "류보피", "류드밀라", "마르가리타", "마리나", "마리야", "나데즈다", "나탈리야",
        "나탈리아", "니나", "옥사나", "올가", "폴리나", "라이사", "스베틀라나", "소피야",
        "타마라", "타티야나", "타치아나", "울리야나", "율리야", "야나", "나타샤", "나댜", "카탸",
        "마샤", "다샤", "소냐", "타냐", "레나", "올랴", "율랴", "스베타", "류다", "알랴", "조야",
        "베로니카", "예바", "엘비라", "알리셰르", "바흐티요르", "자수르", "파르호드", "우미드",
        "쇼히다", "딜노자", "굴나라", "루스탐", "라시드", "아지즈", "누르잔", "누를란",
        "아스카르", "아이굴", "아이잔", "베크잔", "다니야르", "에르란", "보흐단", "타라스",
        "미콜라",
    }
)

# Surnames of Koryo-saram (Koreans of the former Soviet Union) in Hangul
# beside the Korean table: 텐 (Тен), 티 (Ти), 뎨 (Де), 니 (Ни), 톈, 쵸이.
KORYO_SURNAMES = frozenset({"텐", "티", "뎨", "니", "톈", "쵸이", "초이", "뗀", "헤가이", "티가이"})

# Determiners, pronouns and generic person nouns that stand before 씨/님
# without being a name ("그 씨", "사람 씨").
NOT_NAME_BEFORE_TITLE = frozenset(
    {"그", "이", "저", "각", "두", "세", "네", "한", "몇", "웬", "새", "헌", "옛", "큰"}
    | {"모", "아무", "어느", "사람", "남자", "여자", "아이", "손님", "학생", "노인", "아가"}
)

# Field labels and site roles that head lines of a comment thread without
# being a commenter's handle (general vocabulary of Korean forums).
THREAD_FIELDS = frozenset(
    {
        "작성자", "글쓴이", "관리자", "운영자", "운영진", "답변", "답글", "질문", "질문자",
        "답변자",
        "참고", "공지", "내용", "제목", "댓글", "추가", "수정", "삭제", "메모", "주의", "알림",
        "신고", "출처", "링크", "사진", "첨부", "요약", "결론", "정리", "비고", "날짜", "시간",
        "장소", "일시", "연락처", "전화", "주소", "문의", "기자", "사회자", "진행자", "문", "답",
    }
)

# Words that follow a province without being a place inside it.
NOT_PLACE_AFTER_PROVINCE = frozenset(
    {
        "출신", "지역", "일대", "전역", "주민", "사람", "도당", "쪽", "방면", "지방", "내",
        "북부", "남부", "동부", "서부", "중부", "일원", "소재", "전체", "각지", "농촌", "산골",
        "국경", "도시", "당국", "경찰", "보안서", "보위부", "인민위원회", "사투리", "말씨",
        "출생", "태생", "에서", "에", "의", "으로", "로", "과", "와", "및", "등", "근처", "주변",
        "어딘가", "어디", "시골", "고향", "바닷가", "해안", "국경지대",
    }
)


def not_a_name(form: str) -> bool:
    """Words whose shape says they are no person: a people's or language's
    name ("카자흐인", "중국어", "조선족", "남조선") or a holiday ("태양절",
    "광복절": three or more syllables ending in 절 "festival day")."""
    if form in NATION_STEMS:
        return True
    if len(form) >= 3 and form[-1] in NATION_SUFFIX and form[:-1] in NATION_STEMS:
        return True
    return len(form) >= 3 and form.endswith("절")
