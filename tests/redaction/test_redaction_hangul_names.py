"""Korean names without a shape elsewhere (app/redaction/hangul_names.py, and the
Hangul fixes in hangul.py and korean.py), on sentences written for these tests."""

from __future__ import annotations

from redaction_helpers import covers, touches

from app.redaction import hangul_names
from app.redaction.detector import Detector
from app.redaction.spans import PERSON, IdType, Span


def names(text: str) -> set[str]:
    return {text[s.start : s.end] for s in hangul_names.find(text) if s.category == PERSON}


def test_lone_surname_in_a_sign_off_field() -> None:
    assert names("다음 주 재방문 예정.\n(기록 확인: 남)") == {"남"}
    assert names("작성: 배\n") == {"배"}


def test_sign_off_field_needs_a_surname_and_a_record_label() -> None:
    # 성별 is no record-keeping label; "확인: 완" has no surname.
    assert not names("성별: 남\n(확인: 완)")


def test_spaced_syllables_in_a_name_field_or_with_echo() -> None:
    text = "성명: 송 미 란   소속: 물류팀\n미란 씨는 성실하다. 송미란은 야간조."
    got = names(text)
    assert {"송 미 란", "미란", "송미란"} <= got
    assert "송 미 란" in names("담당 직원 송 미 란 (SONG MI RAN) 입니다")


def test_spaced_syllables_elsewhere_are_no_name() -> None:
    # Three spaced syllables without a name field or an echo: "이 두 개".
    assert not names("이 두 개 중 하나를 고르세요. 김 한 장 주세요.")


def test_quoted_name_before_a_verb_of_calling() -> None:
    assert "마리아" in names('세례명은 따로 있고, 모임에서는 "마리아"로 불러 달라고 했다.')
    # A kin or office word called out is no name.
    assert not names('다들 그를 "형님"으로 불렀다.')


def test_naming_frame_in_hangul_and_romanised_capitals() -> None:
    assert "복이" in names("그분 이름은 그냥 복이 누나라고 할게요.")
    assert "PAK SONG" in names("증명서에는 이름이 PAK SONG로 적혀 있었다.")
    # A common word as the value: "비밀".
    assert not names("이름은 비밀이라고 했다.")


def test_latin_handle_with_the_honorific() -> None:
    assert names("sunny_kim님 말씀대로 할게요. Daniel님도 오세요.") == {"sunny_kim", "Daniel"}
    # An office in capitals takes 님 too.
    assert not names("PD님과 CEO님께 보고했다.")


def test_handle_in_a_dated_post_header() -> None:
    text = "A. 채택된 답변 | 새벽종소리 (등급: 고수) | 답변 2025.03.02.\n본문입니다."
    assert names(text) == {"새벽종소리"}


def test_post_header_fields_that_are_words_are_left() -> None:
    text = "분류 | 답변 | 조회 2025.03.02.\n"
    assert not names(text)


def test_lone_surname_after_an_office() -> None:
    assert "리" in names("그때 지도원 리가 여권을 가져갔다.")


def test_office_before_a_common_noun_is_left() -> None:
    assert not names("반장 차를 타고 갔다. 지배인 방을 청소했다.")


def test_unidentified_person_numbered() -> None:
    assert names("신원미상 남성 2가 병원에 이송되었다.") == {"신원미상 남성 2"}


def _at(text: str, name: str) -> Span:
    start = text.index(name)
    return Span(start, start + len(name), PERSON, IdType.DIRECT)


def test_surname_of_a_found_name_before_address_words() -> None:
    text = "지원 대상: 오태윤\n오 군은 성실하다. 위원장 한미경이 말했다. 위원장 한은 동의했다."
    persons = [_at(text, "오태윤"), _at(text, "한미경")]
    got = {text[s.start : s.end] for s in hangul_names.again(text, persons)}
    assert got == {"오", "한"}


def test_surname_alone_elsewhere_is_left() -> None:
    text = "지원 대상: 오태윤\n오늘 오 분 늦었다."
    assert not hangul_names.again(text, [_at(text, "오태윤")])


def test_detector_name_read_as_village_and_given_name_with_title(detector: Detector) -> None:
    text = "장학 대상: 문승리 (영문 MUN SEUNGRI)\n승리 학생은 성실합니다. 문 군을 추천합니다."
    spans = detector.detect(text)
    assert covers(text, spans, "문승리")
    assert covers(text, spans, "승리", 1)
    start = text.index("문 군")
    assert any(s.start == start and s.end == start + 1 for s in spans)


def test_detector_commenters_flush_left_under_ruled_header(detector: Detector) -> None:
    text = "본문 내용입니다.\n─── 댓글 3 ───\n김치찌개러버: 응원해요\n작성자: 감사합니다\n"
    spans = detector.detect(text)
    assert covers(text, spans, "김치찌개러버")
    assert not touches(text, spans, "작성자")


def test_detector_common_noun_after_a_kin_word_is_no_name(detector: Detector) -> None:
    text = "북한 노동자 여권을 관리자가 걷어 간다. 공사장 위치는 비밀이다."
    spans = detector.detect(text)
    assert not touches(text, spans, "여권을")
    assert not touches(text, spans, "위치는")


def test_detector_given_name_with_an_animate_particle(detector: Detector) -> None:
    text = "고향의 여동생 은비에게 돈을 보낸다."
    assert covers(text, detector.detect(text), "은비")


def test_detector_name_after_a_legal_party_word(detector: Detector) -> None:
    text = "위 사람은 피해자 하정수에 대한 사건의 참고인이다. 피해자 진술에 따르면 그렇다."
    spans = detector.detect(text)
    assert covers(text, spans, "하정수")
    assert not touches(text, spans, "진술에")
    text = "피고인 변호인이 이의를 제기하였다."
    assert not touches(text, detector.detect(text), "변호인")


def test_detector_copula_after_a_closing_quote_is_no_name(detector: Detector) -> None:
    text = '본명은 못 밝히고 "강변 삼촌"이라고 부를게요.'
    spans = detector.detect(text)
    assert covers(text, spans, "강변 삼촌")
    assert not touches(text, spans, "이라고")


def test_remembered_surname_in_a_naming_frame() -> None:
    assert names("그 감독 이름이 탁 뭐라고 하던데 잘 모르겠다.") == {"탁"}
    # Not a surname: "이름이 뭐 뭐라고" names nobody.
    assert not names("이름이 뭐 뭐라고 했는데.")


def test_kin_word_and_a_name_with_an_age_in_brackets() -> None:
    assert "은비" in names("고향에 딸 은비(12살)를 두고 왔다.")
    # Without the bracketed age the two syllables may be any noun.
    assert not names("딸 학교에 다녀왔다.")
