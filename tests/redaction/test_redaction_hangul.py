"""Hangul shapes (app/redaction/hangul.py), on sentences written for these tests."""

from __future__ import annotations

import pytest

from app.redaction import hangul
from app.redaction.detector import Detector


def found(text: str) -> set[tuple[str, str]]:
    return {(text[s.start : s.end], s.category) for s in hangul.find(text)}


@pytest.fixture(scope="module")
def det() -> Detector:
    d = Detector()
    d.warm()
    return d


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("증인 홍○○의 진술에 의하면", "홍○○"),
        ("피해자의 동생 홍○동으로부터 돈을 받았다.", "홍○동"),
        ("피고인은 박**에게 연락했다.", "박**"),
        ("신고인 윤OO, 참고인 윤◯◯", "윤OO"),
    ],
)
def test_masked_court_names(text: str, name: str) -> None:
    assert (name, "PERSON") in found(text)


def test_name_masked_whole_but_not_a_masked_city() -> None:
    got = found("피해자 ○○○에게 상해를 가하였다. ○○시에 살았다.")
    assert got == {("○○○", "PERSON")}


def test_court_dates_with_parts_of_a_month() -> None:
    got = found("2021. 6. 초경 만났고 같은 달 말경 다시 만났다.")
    assert ("2021. 6. 초경", "DATE") in got
    assert ("같은 달 말경", "DATE") in got


def test_address_with_province_and_district_only() -> None:
    text = "주소 부산 사하구 다대로 123번길 45, 2층"
    assert ("부산 사하구 다대로 123번길 45, 2층", "ADDRESS") in found(text)


def test_mask_letters_inside_latin_words_are_no_names() -> None:
    assert not any(c == "PERSON" for _, c in found("고OK 버튼을 눌렀다. 내용이* 참고"))


def test_short_name_before_address_word() -> None:
    text = "뎨 선생님 말로는 그렇다. 보람 씨가 전화했다. 그 씨앗을 심었다."
    got = found(text)
    assert ("뎨", "PERSON") in got
    assert ("보람", "PERSON") in got
    assert not any(w in {"그", "씨앗"} for w, _ in got)


def test_roles_before_title_are_not_names() -> None:
    assert not any(c == "PERSON" for _, c in found("담임 선생님과 식당 사장님이 왔다."))


def test_russian_given_name_with_koryo_surname() -> None:
    got = found("통역은 세르게이 텐이 맡았다. 나탈리야씨도 왔다.")
    assert ("세르게이 텐", "PERSON") in got
    assert ("나탈리야", "PERSON") in got


def test_vocative_given_name_and_its_other_mentions() -> None:
    text = "해솔아, 아빠가 미안하다.\n오늘은 해솔이 입학식이다. 해솔이가 보고 싶다."
    spans = [s for s in hangul.find(text) if s.category == "PERSON"]
    assert [text[s.start : s.end] for s in spans] == ["해솔", "해솔", "해솔"]


def test_vocative_of_common_noun_is_no_name() -> None:
    assert not found("친구야, 밥 먹자. 엄마야!")


def test_masked_resident_number_and_road_address() -> None:
    text = "피고인 (71****-2******)\n주거 충청남도 천안시 서북구 쌍용대로 45, 1203호\n"
    got = found(text)
    assert ("71****-2******", "CODE") in got
    assert ("충청남도 천안시 서북구 쌍용대로 45, 1203호", "ADDRESS") in got


def test_a_particle_is_no_road() -> None:
    assert not any(c == "ADDRESS" for _, c in found("그는 우수리스크시 쪽으로 3년 전에 갔다."))


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("피고인은 2022. 7. 하순경 피해자를 만나", "2022. 7. 하순경"),
        ("이어 같은 달 15. 다시 송금받았다.", "같은 달 15."),
        ("같은 해 9. 3. 출국하였다.", "같은 해 9. 3."),
    ],
)
def test_court_style_dates(text: str, date: str) -> None:
    assert (date, "DATE") in found(text)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("월급은 4만 2천 루블이었다.", "4만 2천 루블"),
        ("손에 쥔 건 월 5천 루블뿐", "월 5천 루블"),
        ("브로커는 1인당 3천 딸라를 달라고", "1인당 3천 딸라"),
        ("이번 달 계획분 500딸라를 냈다.", "500딸라"),
        ("받은 건 두 달에 3만.", "두 달에 3만"),
    ],
)
def test_amounts(text: str, amount: str) -> None:
    assert (amount, "QUANTITY") in found(text)


def test_won_starting_a_word_is_no_currency() -> None:
    assert not any(c == "QUANTITY" for _, c in found("제3 원칙에 따라"))
    assert ("52만 원", "QUANTITY") in found("모인 돈 52만 원을 보냈다")


def test_range_is_general_practice() -> None:
    assert not found("보통 100~300달러를 받았다.")


def test_organisations_by_head_noun() -> None:
    text = (
        "해오름 봉사팀 님과 대화. 고려인 교회 근처. 동네 교회, 우리 교회. "
        "회사(동해건설 트레스트-3)가."
    )
    got = found(text)
    assert ("해오름 봉사팀", "ORG") in got
    assert ("고려인 교회", "ORG") in got
    assert ("동해건설 트레스트-3", "ORG") in got
    assert ("동네 교회", "ORG") not in got
    assert ("우리 교회", "ORG") not in got


def test_quoted_organisation() -> None:
    got = found("통역비는 '새길 네트워크'에서 지급. '타이가 로지스틱' 물류창고 공사에 인부들.")
    assert ("새길 네트워크", "ORG") in got
    assert ("타이가 로지스틱", "ORG") in got


def test_works_site_needs_a_name() -> None:
    assert not any(c == "ORG" for _, c in found("하바롭스크의 아파트 공사 현장에서 일했다."))


def test_square_named_by_proper_noun() -> None:
    got = found("푸시킨광장 앞에서 만났다. 버스정류장 옆.")
    assert ("푸시킨광장", "PLACE") in got
    assert not any(w.startswith("버스") for w, _ in got)


def test_place_after_province_and_its_mine(det: Detector) -> None:
    text = "함경남도 단천 출신. 전 직장 단천 탄광. 평안북도 의주 남산동. 함경북도 출신으로 왔다."
    got = {(text[s.start : s.end], s.category) for s in det.detect(text, "ko")}
    assert ("단천 탄광", "ORG") in got
    assert ("의주 남산동", "PLACE") in got  # city and dong, merged
    assert any(w == "단천" for w, _ in got)
    assert not any("함경" in w or "출신" in w for w, _ in got)


def test_peoples_languages_and_holidays_are_no_persons(det: Detector) -> None:
    text = "시장에서 카자흐인 상인과 중국어로 말했다. 태양절에는 쉬었다. 고려인 할머니가 왔다."
    got = {text[s.start : s.end] for s in det.detect(text, "ko") if s.category == "PERSON"}
    assert not got & {"카자흐인", "중국어", "태양절", "고려인"}


def test_bracketed_common_noun_is_no_name(det: Detector) -> None:
    text = "검사 한지수 (구형), 변호인 노재민 (변론)"
    got = {text[s.start : s.end] for s in det.detect(text, "ko") if s.category == "PERSON"}
    assert "구형" not in got
    assert "변론" not in got
    assert "한지수" in got


def test_address_word_left_out_of_surname_span(det: Detector) -> None:
    text = "그때 량 씨가 말했다. 보위원 구 동무가 여권을 가져갔다."
    got = {text[s.start : s.end] for s in det.detect(text, "ko") if s.category == "PERSON"}
    assert "량" in got
    assert "구" in got
    assert not any("씨" in w or "동무" in w for w in got)


def test_quoted_name_before_naming_verb() -> None:
    got = found("다들 '두꺼비'라고 뒤에서 불렀다. \"제3 작업장\"이라고 부르는 곳")
    assert ("두꺼비", "PERSON") in got
    assert ("제3 작업장", "ORG") in got


def test_forum_handles_and_commenters() -> None:
    text = "└ 댓글 (2)\n 백두산호랑이: 힘내요.\n 솔바람: @백두산호랑이 감사합니다."
    names = [w for w, c in found(text) if c == "PERSON"]
    assert "솔바람" in names
    assert "백두산호랑이" in names


def test_mail_domain_is_no_handle() -> None:
    got = found("메일은 @gmail.com 으로, 트위터는 @freedom_nk 계정.")
    assert [w for w, c in got if c == "PERSON"] == ["freedom_nk"]


def test_city_works_and_generic_networks_are_left() -> None:
    text = "모스크바 현장으로 옮겼다. 인권 단체 네트워크에 연락했다. 북한 선교회에서 왔다."
    assert not found(text)


def test_people_of_a_province_are_no_place() -> None:
    assert not found("양강도 사람들은 다 안다. 그 사람 씨가 좋다.")


def test_title_in_corner_brackets_but_not_a_law() -> None:
    got = found("「새벽 소식」 제3회, 「출입국관리법」 위반")
    assert ("새벽 소식", "ORG") in got
    assert not any("출입국" in w for w, _ in got)


def test_branch_and_two_word_organisation() -> None:
    got = found("한국기술대학 북인천캠퍼스에서 배웠다. 이주민 인권 핫라인 — 야간. 우리 동네 봉사팀")
    assert ("한국기술대학 북인천캠퍼스", "ORG") in got
    assert ("이주민 인권 핫라인", "ORG") in got
    assert not any("동네" in w for w, _ in got)


def test_spaced_stop_needs_a_proper_noun() -> None:
    got = found("11시에 볼쇼이 정류장 뒤에서. 먼 거리를 걸었다.")
    assert ("볼쇼이 정류장", "PLACE") in got
    assert not any("거리" in w for w, _ in got if w != "볼쇼이 정류장")


@pytest.mark.parametrize(
    "text",
    [
        "피해자는 양강도 출신으로 2018년 파견되었다.",
        "한 달에 중국 돈으로 3천 위안",
        "버스로 3시간 걸렸다.",
    ],
)
def test_particle_before_a_number_is_no_road(text: str) -> None:
    from app.redaction import patterns

    assert patterns.addresses(text) == []


def test_road_address_with_unit_after_comma() -> None:
    from app.redaction import patterns

    text = "주소는 중앙로 45, 702호이다."
    assert [text[s.start : s.end] for s in patterns.addresses(text)] == ["중앙로 45, 702호"]


def test_model_person_loses_trailing_address_word() -> None:
    from app.redaction.spans import Span

    text = "안드레이 샘 감사해요."
    trimmed = hangul.trim_person(text, Span(0, 6, "PERSON"))
    assert text[trimmed.start : trimmed.end] == "안드레이"
    assert hangul.trim_person(text, Span(5, 6, "PERSON")) == Span(5, 6, "PERSON")


def test_foreign_given_name_before_address_word(det: Detector) -> None:
    text = "러시아 사람 블라디미르 씨가 차로 데려갔다. 안드레이 샘 감사해요."
    got = {text[s.start : s.end] for s in det.detect(text, "ko") if s.category == "PERSON"}
    assert got == {"블라디미르", "안드레이"}


def test_certain_workplace_in_a_named_city() -> None:
    got = found("지금은 하바롭스크의 한 자동차 정비소에서 일한다. 시내의 한 식당에 갔다.")
    assert ("자동차 정비소", "ORG") in got
    assert not any("식당" in w for w, _ in got)


def test_two_syllable_name_split_by_a_suffix_before_ssi() -> None:
    # kiwipiepy splits 봉길 into a noun and a suffix; a plural is no name.
    assert ("봉길", "PERSON") in found("우리 반 봉길 씨가 먼저 왔다.")
    assert not found("사람들 씨가 좋다고 했다.")


def test_foreign_given_name_before_church_address_words() -> None:
    assert ("아이잔", "PERSON") in found("아이잔 자매님이 새로 오셨다.")


def test_quoted_nickname_with_an_address_word_is_a_person() -> None:
    got = found('이름은 못 밝히고 "산골 이모"라고 부를게요.')
    assert ("산골 이모", "PERSON") in got


def test_trim_person_drops_cut_titles_and_korean_predicates() -> None:
    from app.redaction.spans import PERSON, IdType, Span

    text = "안톤 아저씨께 전해 주세요. 친구 Farrukh 있어요. 안나 씨"
    cases = {"안톤 아저": "안톤", "Farrukh 있어요": "Farrukh", "안나 씨": "안나"}
    for surface, kept in cases.items():
        start = text.index(surface)
        span = hangul.trim_person(text, Span(start, start + len(surface), PERSON, IdType.DIRECT))
        assert text[span.start : span.end] == kept
    # A surname after the given name stays ("안톤 김").
    text = "안톤 김이 왔다."
    span = hangul.trim_person(text, Span(0, 4, PERSON, IdType.DIRECT))
    assert text[span.start : span.end] == "안톤 김"


def test_glued_predicate_read_as_proper_noun_is_no_person() -> None:
    # kiwipiepy sometimes tags a glued predicate as one proper noun.
    from app.redaction import korean
    from app.redaction.names import hangul_surnames

    assert korean._classify("추상적입니", 0, 5, hangul_surnames(), "") is None
    got = korean._classify("블라디미르", 0, 5, hangul_surnames(), "")
    assert got is not None
    assert got.category == "PERSON"


def test_nickname_quoted_before_ra_and_the_noun_of_calling() -> None:
    got = found("이웃 할머니(본인은 '국수 할머니'라 부름)에게 신세를 졌다.")
    assert ("국수 할머니", "PERSON") in got
