"""Precision filters for the models' Hangul spans (app/redaction/hangul_precision.py),
on sentences written for these tests."""

from __future__ import annotations

import pytest

from app.redaction import hangul_precision as hp
from app.redaction.detector import Detector
from app.redaction.spans import DATE, ORG, PERSON, PLACE, IdType, Span


@pytest.fixture(scope="module")
def det() -> Detector:
    d = Detector()
    d.warm()
    return d


def masked_words(det: Detector, text: str) -> set[str]:
    return {text[s.start : s.end] for s in det.detect(text, "ko")}


def span_of(text: str, word: str, category: str = PERSON, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return Span(start, start + len(word), category, IdType.QUASI)


def kept(text: str, span: Span, crf: bool = True) -> list[str]:
    return [s.text(text) for s in hp.filter_model_spans(text, [span], crf=crf)]


@pytest.mark.parametrize("word", ["손가락", "민원실", "고용주", "악몽", "지도교수", "신빙성"])
def test_dictionary_nouns(word: str) -> None:
    assert hp.dictionary_noun(word)


@pytest.mark.parametrize("word", ["강명수", "볼로댜", "우정남", "용철"])
def test_names_are_not_dictionary_nouns(word: str) -> None:
    # Unknown to kiwipiepy, or split into a one-syllable noun as names are.
    assert not hp.dictionary_noun(word)


def test_organisation_compound_needs_one_noun_unless_it_has_no_head() -> None:
    text = "그는 작년까지 재활의학과에서 일했고 지금은 항만물류센터에서 일한다."
    assert kept(text, span_of(text, "재활의학과", ORG)) == []
    assert kept(text, span_of(text, "항만물류센터", ORG)) == ["항만물류센터"]


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("오늘 아침에 손가락이 얼어서 펴지지 않았다.", "손가락"),
        ("그날 밤 민원실에는 아무도 없었다.", "민원실"),
        ("진술의 신빙성을 따로 따져 보았다.", "신빙성"),
    ],
)
def test_common_noun_from_the_model_is_dropped(text: str, word: str) -> None:
    assert kept(text, span_of(text, word)) == []


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("[두꺼비] [오후 3:10] 지금 출발했어요", "두꺼비"),  # a chat nickname
        ("식당 이름은 '바닷가'였다.", "바닷가"),  # a quoted name
        ("그 일은 거북이 씨가 맡았다.", "거북이"),  # an address word after it
        ("아내 정숙에게 돈을 보냈다.", "정숙"),  # a kinship word before it
        ("모임은 복지관 2층에서 한다.", "복지관"),  # a floor locates it
    ],
)
def test_common_word_that_the_layout_names_is_kept(text: str, word: str) -> None:
    assert kept(text, span_of(text, word)) == [word]


@pytest.mark.parametrize(
    ("text", "piece"),
    [
        ("다들 그를 최 반장이라고 불렀다.", "이라고"),  # starts on the copula
        ("○ 위원장 한두리: 다음 안건입니다.", "위"),  # a piece of 위원장
    ],
)
def test_model_span_that_cuts_a_word_is_dropped(text: str, piece: str) -> None:
    assert kept(text, span_of(text, piece), crf=False) == []


def test_model_span_that_runs_into_a_word_is_trimmed() -> None:
    text = "가게 주인 안드레이 아저씨께 물어보세요."
    assert kept(text, span_of(text, "안드레이 아저")) == ["안드레이"]


def test_address_word_glued_to_a_surname_keeps_it() -> None:
    text = '그는 "맹씨라고만 불러 달라"고 했다.'
    assert kept(text, span_of(text, "맹"), crf=False) == ["맹"]


def test_field_label_at_line_head() -> None:
    labels = (("비고: 본인이 원하지 않음", "비고"), ("- 슈퍼바이저: 정 교수", "슈퍼바이저"))
    for text, label in labels:
        assert kept(text, span_of(text, label), crf=False) == []
    # A word heading line after line is a speaker, not a field.
    text = "은별: 어디야?\n은별: 지금 가요."
    assert kept(text, span_of(text, "은별"), crf=False) == ["은별"]
    # A name unknown to the dictionary heading a line is a speaker, not a label.
    text = "볼로댜: 어디 있어?"
    assert kept(text, span_of(text, "볼로댜"), crf=False) == ["볼로댜"]


@pytest.mark.parametrize(
    ("text", "month", "keep"),
    [
        ("[12월 모임 안내] 이번에는 토요일에 모입니다.", "12월", False),
        ("3월 공지 올립니다.", "3월", False),
        ("피고인을 징역 2년 4월에 처한다.", "2년 4월", False),
        ("그는 11월에 공장에서 다쳤다.", "11월", True),
        ("다음 방문은 12월 둘째 주입니다.", "12월", True),
        ("다음 보고는 9월 14일입니다.", "9월", True),
    ],
)
def test_bare_month_before_a_noun_is_no_date(text: str, month: str, keep: bool) -> None:
    span = Span(text.index(month), text.index(month) + len(month), DATE, IdType.QUASI)
    assert kept(text, span) == ([month] if keep else [])


def test_place_category_is_filtered_too() -> None:
    text = "그 도시에는 처음 가 보았다."
    assert kept(text, span_of(text, "도시", PLACE)) == []


def test_detector_keeps_names_and_drops_common_nouns(det: Detector) -> None:
    text = (
        "상담 기록\n담당: 윤가람\n\n"
        "내담자 고명식 씨는 손가락 동상으로 치료를 받았다. 악몽 때문에 잠을 못 잔다고 함.\n"
        "고명식 씨의 동생 고명희는 아직 북에 있다."
    )
    words = masked_words(det, text)
    assert "고명식" in words
    assert "손가락" not in words
    assert "악몽" not in words


def test_trimmed_span_that_ends_on_a_prefix_goes() -> None:
    # "주 대표" of "주 대표기도" (the week's prayer) is no surname and office.
    text = "다음 주 대표기도: 문가온 권사 / 헌금: 여선교회"
    assert kept(text, span_of(text, "주 대표"), crf=False) == []


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("지난주 한도윤 성도님이 등록하셨습니다.", "성도"),
        ("멀리서 오신 성도님들을 환영합니다.", "성도"),
    ],
)
def test_title_with_honorific_after_a_word_is_dropped(text: str, word: str) -> None:
    assert kept(text, span_of(text, word), crf=False) == []


def test_name_with_honorific_at_line_start_is_kept() -> None:
    text = "수진님, 내일 뵐게요."
    assert kept(text, span_of(text, "수진"), crf=False) == ["수진"]


def test_one_syllable_head_of_a_longer_word_is_dropped() -> None:
    text = "○ 위원장 한두리: 다음 안건입니다."
    spans = [span_of(text, "위"), span_of(text, "한두리")]
    assert [s.text(text) for s in hp.drop_cut_syllables(text, spans)] == ["한두리"]


@pytest.mark.parametrize("text", ["허씨 아저씨가 왔다.", "엄 동무가 말했다.", "김동무는 떠났다."])
def test_surname_before_an_address_word_is_kept(text: str) -> None:
    span = Span(0, 1, PERSON, IdType.QUASI)
    assert hp.drop_cut_syllables(text, [span]) == [span]


@pytest.mark.parametrize("word", ["피보험자", "피상속인"])
def test_prefixed_party_nouns(word: str) -> None:
    assert hp.prefixed_noun(word)


@pytest.mark.parametrize("word", ["피성호", "반가람", "미하일로프"])
def test_names_led_by_a_prefix_syllable_are_not_party_nouns(word: str) -> None:
    assert not hp.prefixed_noun(word)


def test_party_noun_after_a_field_colon_is_still_dropped() -> None:
    text = "참고: 피보험자 진술로는 보행자가 먼저 뛰어들었다고 함."
    assert kept(text, span_of(text, "피보험자"), crf=False) == []


def _misc(text: str, phrase: str) -> Span:
    return Span(text.index(phrase), text.index(phrase) + len(phrase), "MISC", IdType.QUASI)


@pytest.mark.parametrize(
    ("text", "phrase", "trimmed"),
    [
        (
            "그리고 창고 지붕에서 떨어져 다리가 부러졌대요",
            "그리고 창고 지붕에서 떨어져 다리가 부러졌",
            "창고 지붕에서 떨어져 다리가 부러졌",
        ),
        (
            "그런데 이분은 부두에서 동료가 다치는 것을 보았습니다.",
            "그런데 이분은 부두에서 동료가 다치는 것을 보았",
            "부두에서 동료가 다치는 것을 보았",
        ),
        ("그는 제재소에서 손을 다쳤다.", "그는 제재소에서 손을 다쳤", "제재소에서 손을 다쳤"),
    ],
)
def test_phrase_starts_after_a_conjunction_or_pronoun(
    text: str, phrase: str, trimmed: str
) -> None:
    out = hp.trim_leading_grammar(text, [_misc(text, phrase)])
    assert [s.text(text) for s in out] == [trimmed]


def test_phrase_without_leading_grammar_is_unchanged() -> None:
    text = "창고 지붕에서 떨어져 다리가 부러졌다."
    span = _misc(text, "창고 지붕에서 떨어져 다리가 부러졌")
    assert hp.trim_leading_grammar(text, [span]) == [span]
    # Person spans are never trimmed here.
    name = Span(0, 2, PERSON, IdType.DIRECT)
    assert hp.trim_leading_grammar(text, [name]) == [name]


def test_party_noun_with_an_agent_suffix() -> None:
    assert hp.prefixed_noun("피진정인")


def test_quoted_share_word_is_dropped_but_quoted_name_is_kept() -> None:
    text = "월급에서 '계획분'을 떼고 '바닷가'에서 밥을 먹었다."
    assert kept(text, span_of(text, "계획분"), crf=False) == []
    assert kept(text, span_of(text, "바닷가"), crf=False) == ["바닷가"]


def test_word_of_a_numbered_heading_is_no_name() -> None:
    text = "[메모 1] 야간 근무 희망.\n[메모 2] 이사 예정.\n※ 본 메모란은 열람 제한."
    i = text.index("메모란")
    assert hp.filter_model_spans(text, [Span(i, i + 2, PERSON, IdType.QUASI)], crf=False) == []


@pytest.mark.parametrize(("text", "name"), [
    ("피고인 구성만에 대한 사건을 심리하였다.", "구성만"),
    ("참고인 지도만의 진술에 따르면 그렇다.", "지도만"),
])
def test_name_read_as_noun_and_particle_is_kept_after_a_party_word(
        det: Detector, text: str, name: str) -> None:
    # kiwipiepy reads 구성+만: after a party to a procedure it is a name.
    assert name in masked_words(det, text)


def test_noun_after_a_party_word_without_a_name_shape_stays_readable(det: Detector) -> None:
    assert "사건" not in masked_words(det, "피고인 사건에 대한 심리를 마쳤다.")
