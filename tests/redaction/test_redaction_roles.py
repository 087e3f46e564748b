"""Unique roles and ages (DEM); sentences written for these tests."""

from __future__ import annotations

from app.redaction import roles


def _found(text: str) -> list[str]:
    return [text[s.start : s.end] for s in roles.find(text)]


def test_english_only_and_one_of_only_to_the_phrase_end() -> None:
    assert "only woman over 40 in the kitchen" in _found(
        "| 7 | Mi-ok | cook, 48, only woman over 40 in the kitchen |"
    )
    got = _found("she was one of only three men sorting mail for a shop, he said")
    assert "one of only three men sorting mail for a shop" in got


def test_russian_superlative_and_single_one() -> None:
    text = "Ли (самый старший в смене, около 50 лет)"
    assert "самый старший в смене, около 50 лет" in _found(text)
    assert "единственным в смене, кто умел водить погрузчик" in _found(
        "Был единственным в смене, кто умел водить погрузчик."
    )
    assert "он у нас единственный на тракторе" in _found("он у нас единственный на тракторе")


def test_korean_superlative_by_adnominal_form() -> None:
    assert "작업반에서 제일 나이 많은 사람" in _found("그는 작업반에서 제일 나이 많은 사람이었다")
    assert "우리 중에 제일 어린 열아홉" in _found("철이는 우리 중에 제일 어린 열아홉이었는데")
    assert "용접할 줄 아는 건 저 하나" in _found("용접할 줄 아는 건 저 하나였어요")


def test_ages_in_other_shapes() -> None:
    assert _found("조장(남, 40대)이 말했다") == ["남, 40대"]
    assert _found("그 동료는 당시 31세였다") == ["당시 31세"]
    assert _found("저 쉰둘이에요.") == ["쉰둘"]
    assert _found("딸은 여덟 살입니다.") == ["여덟 살"]
    assert _found("На вид лет 30–35, худой.") == ["30–35"]
    assert _found("His daughter was eleven when he left.") == ["eleven"]
    assert _found("It was nine o'clock.") == []


def test_korean_missing_parts_marks_and_children() -> None:
    from app.redaction import descriptors

    def dem(text: str) -> list[str]:
        return [text[s.start : s.end] for s in descriptors.dem_phrases(text)]

    assert "오른쪽 손가락 세 개가 없는" in dem("오른쪽 손가락 세 개가 없는 사람")
    assert "오른쪽 턱 밑에 콩알만 한 점이 있음" in dem("- 오른쪽 턱 밑에 콩알만 한 점이 있음(사진)")
    assert "자녀 3명" in dem("- 남편과 자녀 3명.")
    assert "р. 52" in dem("Нужны: зимняя куртка р. 52, обувь")
    assert dem("일손이 없다") == []


def test_clothing_field_and_last_seen() -> None:
    got = _found("Был одет: серая куртка с капюшоном, чёрные брюки, кеды. Дальше")
    assert got == ["серая куртка с капюшоном, чёрные брюки, кеды"]
    got = _found("He was last seen wearing a green padded jacket, when he left.")
    assert got == ["a green padded jacket"]
    assert _found("Он был одет в куртку.") == []


def test_korean_the_only_one_who_has_it_is_me() -> None:
    got = _found("작업반 20명 중 고급 운전 면허가 있는 사람은 저 하나뿐이었다")
    assert "고급 운전 면허가 있는 사람은 저 하나뿐" in got


def test_superlative_with_an_estimated_age_round_six() -> None:
    got = _found("Он самый старший в смене, на вид лет 55.")
    assert "самый старший в смене, на вид лет 55" in got


def test_only_one_of_a_trade_and_korean_unique_clauses_round_six() -> None:
    assert "единственный крановщик в бригаде" in _found("он единственный крановщик в бригаде.")
    got = _found("He was the team's only crane operator and was paid more.")
    assert "was the team's only crane operator" in got
    got = _found("성실함. 작업반 20명 중 중국어를 할 수 있는 유일한 사람이었다.")
    assert "작업반 20명 중 중국어를 할 수 있는 유일한 사람" in got
    assert "반 내 유일한 운전 가능자" in _found("그는 반 내 유일한 운전 가능자라 바빴다.")
    got = _found("그 식당에서 유일하게 러시아어를 하는 사람이었다.")
    assert "그 식당에서 유일하게 러시아어를 하는 사람" in got
    got = _found("(говорит по-китайски, единственная в смене, кто знает язык) пришла")
    assert "единственная в смене, кто знает язык" in got


def test_korean_standing_roles_round_six() -> None:
    assert "15년째 세탁소를 하는 사람" in _found("저는 부산에서 15년째 세탁소를 하는 사람인데요.")
    got = _found("저는 교회에서 청년부 통역을 맡고 있는 간사입니다.")
    assert "청년부 통역을 맡고 있는 간사" in got
    assert "중국어학과 3학년" in _found("소속: 한국대학교 중국어학과 3학년 / 학번")
    assert _found("그 일을 맡고 있는 것이다.") == []
