"""Describing phrases (DEM) and unique incidents (MISC); sentences written for these tests."""

from __future__ import annotations

from app.redaction import descriptors, incidents, occupations


def _found(fn: object, text: str) -> list[str]:
    assert callable(fn)
    return [text[s.start : s.end] for s in fn(text)]


def test_english_job_takes_its_possessive_and_modifier() -> None:
    text = "By then he was the brigade's pump mechanic and a good roofer."
    got = _found(occupations.find, text)
    assert "the brigade's pump mechanic" in got
    assert "roofer" in got


def test_english_people_met_are_no_job_without_a_cue() -> None:
    text = "Nobody took her to a doctor. A Russian driver waited."
    assert _found(occupations.find, text) == []
    assert _found(occupations.find, "She worked as a nurse.") == ["nurse"]


def test_english_plural_jobs_are_the_group() -> None:
    assert _found(occupations.find, "The welders ate together.") == []


def test_russian_job_with_adjective_and_genitive() -> None:
    text = "Работал подсобным рабочим на стройке. Потом сестра стала поваром детского сада."
    got = _found(occupations.find, text)
    assert "подсобным рабочим на стройке" in got
    assert "поваром детского сада" in got


def test_russian_adjective_reading_is_no_job() -> None:
    assert _found(occupations.find, "Конец рабочего времени в восемь.") == []


def test_russian_person_met_needs_apposition_or_instrumental() -> None:
    assert _found(occupations.find, "Врач не пришёл.") == []
    text = "Орлов Игорь, водитель автобуса — подпись"
    assert _found(occupations.find, text) == ["водитель автобуса"]


def test_korean_job_with_workplace_compound() -> None:
    got = _found(occupations.find, "그는 원래 공장 용접공이었다. 정문 경비원과 얘기했다.")
    assert "공장 용접공" in got
    assert "정문 경비원" in got


def test_injury_phrases_three_languages() -> None:
    got = _found(descriptors.dem_phrases, "Her right knee badly swollen.")
    # the possessive or article belongs to the phrase ("the left index finger is missing")
    assert "Her right knee badly swollen" in got
    assert "missing tip of the left index finger" in _found(
        descriptors.dem_phrases, "He has a missing tip of the left index finger."
    )
    got = _found(descriptors.dem_phrases, "У неё ожог на правой руке.")
    assert "ожог на правой руке" in got
    assert any("무릎에 멍" in g for g in _found(descriptors.dem_phrases, "무릎에 멍이 들었다."))


def test_unique_role_and_family() -> None:
    got = _found(descriptors.dem_phrases, "She was the only one in the kitchen who spoke Chinese.")
    assert any("the only one in the kitchen who spoke Chinese" in g for g in got)
    got = _found(descriptors.dem_phrases, "Он единственный, кто умел водить кран.")
    assert any("единственный, кто умел водить кран" in g for g in got)
    got = _found(descriptors.dem_phrases, "Жена и трое детей остались дома.")
    assert "Жена и трое детей" in got


def test_ages_extend_shapes() -> None:
    assert "about 30" in _found(descriptors.dem_phrases, "The cook, about 30, was new.")
    assert "лет 40" in _found(descriptors.dem_phrases, "Мужчина лет 40 подошёл.")
    assert "마흔둘" in _found(descriptors.dem_phrases, "그 사람 나이 마흔둘, 키가 크다.")


def test_incident_clause_with_particular_cue() -> None:
    text = "In May 2023 the foreman kicked him down the stairs, breaking his wrist."
    got = _found(incidents.find, text)
    assert got
    assert got[0].startswith("May 2023")
    assert got[0].endswith("breaking his wrist")


def test_general_practice_is_no_incident() -> None:
    assert _found(incidents.find, "Workers were beaten every week.") == []
    assert _found(incidents.find, "He was not beaten.") == []
    assert _found(incidents.find, "Вас били?") == []


def test_russian_perfective_event_clause() -> None:
    text = "Прораб накричал на нас, и ночью 3 марта Петя упал с крыши склада."
    got = _found(incidents.find, text)
    assert got
    assert "упал с крыши склада" in got[0]
    assert "накричал" not in got[0]


def test_korean_event_and_escape() -> None:
    got = _found(incidents.find, "작년 3월 6층 비계가 무너졌다.")
    assert got == ["작년 3월 6층 비계가 무너졌다"]
    assert _found(incidents.find, "밤에 화장실 창문으로 빠져나왔대요")


def test_phrase_is_cut_around_a_public_name() -> None:
    text = "On 2 May he was held for two days by Russia at the border."
    start = text.index("Russia")
    spans = descriptors.find(text, [(start, start + len("Russia"))])
    assert spans
    assert not any(s.start < start + 6 and start < s.end for s in spans)


def test_habit_is_judged_on_the_event_clause() -> None:
    text = "On 2 June the guard struck him with a stick because he asked when they would eat."
    got = _found(incidents.find, text)
    assert got
    assert "struck him with a stick" in got[0]
    assert "would" not in got[0]


def test_abbreviation_does_not_end_the_sentence() -> None:
    got = _found(incidents.find, "Зимой 2021 г. его заперли в бане на ночь.")
    assert got == ["Зимой 2021 г. его заперли в бане на ночь"]


def test_words_with_an_everyday_sense_are_no_event() -> None:
    assert _found(incidents.find, "The war broke out in 1950 and he was born later.") == []
    assert _found(incidents.find, "3월에 돈이 다 떨어졌다.") == []


def test_fall_from_a_height_is_an_event() -> None:
    got = _found(incidents.find, "2019년 5월 동료가 지붕에서 떨어졌다.")
    assert got == ["2019년 5월 동료가 지붕에서 떨어졌다"]


def test_abstract_subjects_and_figures_are_no_event() -> None:
    assert _found(incidents.find, "The prices collapsed in 2020.") == []
    assert _found(incidents.find, "I was crushed by the news.") == []
    assert _found(incidents.find, "Цены упали в 2020 году.") == []


def test_sizes() -> None:
    assert "Shoe size 41" in _found(descriptors.dem_phrases, "Needs boots. Shoe size 41.")
    assert "38 размера" in _found(descriptors.dem_phrases, "Нужны ботинки 38 размера.")


def test_job_before_a_name_is_a_title() -> None:
    assert _found(occupations.find, "Уехал с водителем автобуса — Пётр Ильич.") == []
    assert _found(occupations.find, "트럭 운전사 '미샤'가 도와줬다.") == []


def test_russian_job_with_its_origin_and_pronoun_genitive() -> None:
    got = _found(occupations.find, "это я, водитель с овощной базы у вокзала, помнишь")
    assert "водитель с овощной базы" in got
    assert "повар того же ресторана" in _found(occupations.find, "Ким, повар того же ресторана")
    assert _found(occupations.find, "Я встретил водителя с утра") == []


def test_a_language_named_after_a_country_stays_in_the_phrase() -> None:
    text = "공장에서 유일하게 러시아어 통역을 하던 사람이었다"
    at = text.index("러시아")
    got = [text[s.start : s.end] for s in descriptors.find(text, [(at, at + 3)])]
    assert "공장에서 유일하게 러시아어 통역을 하던 사람" in got


def test_a_bracket_after_a_name_that_opens_with_a_job_is_one_description() -> None:
    from app.redaction.spans import PERSON, IdType, Span

    text = "Звонил Игорь Ли (водитель, немного говорит по-китайски), — потом"
    name = Span(text.index("Игорь"), text.index(" ("), PERSON, IdType.DIRECT)
    got = [text[s.start : s.end] for s in descriptors.find(text, [], [name])]
    assert "водитель, немного говорит по-китайски" in got


def test_a_korean_job_before_a_name_is_a_title() -> None:
    from app.redaction.spans import PERSON, IdType, Span

    text = "그리고 화물 트럭 기사 미샤가 도와줬다"
    name = Span(text.index("미샤"), text.index("미샤") + 2, PERSON, IdType.DIRECT)
    got = [text[s.start : s.end] for s in descriptors.find(text, [], [name])]
    assert "화물 트럭 기사" not in got


def test_possessive_job_takes_the_determiner_and_no_bare_article_is_left() -> None:
    got = _found(occupations.find, "He was the team's pump mechanic.")
    assert got == ["the team's pump mechanic"]
    from app.redaction.spans import ORG, IdType, Span

    text = "He was the team's pump mechanic."
    org = Span(text.index("team's"), text.index("team's") + 6, ORG, IdType.QUASI)
    got = [text[s.start : s.end] for s in descriptors.find(text, [], [org])]
    assert "the" not in got


def test_injuries_with_bones_counts_and_articles_round_six() -> None:
    got = _found(descriptors.dem_phrases, "He has a closed fracture of the left tibia now.")
    assert "a closed fracture of the left tibia" in got
    got = _found(descriptors.dem_phrases, "a crush injury to two toes of the right foot")
    assert "a crush injury to two toes of the right foot" in got
    got = _found(descriptors.dem_phrases, "перелом правой лучевой кости и ушиб")
    assert any(g.startswith("перелом правой лучевой кости") for g in got)
    got = _found(descriptors.dem_phrases, "Сидел на лавке с забинтованной рукой, без шапки.")
    assert "с забинтованной рукой" in got
    got = _found(descriptors.dem_phrases, "нет трёх верхних зубов")
    assert "нет трёх верхних зубов" in got
    got = _found(descriptors.dem_phrases, "이마와 왼손에 화상 흉터가 있다")
    assert any(g.startswith("이마와 왼손에 화상") for g in got)
    got = _found(descriptors.dem_phrases, "등에 주먹만 한 멍 자국이 있었다.")
    assert any(g.startswith("등에 주먹만 한 멍 자국") for g in got)


def test_family_pairs_and_relatives_described_round_six() -> None:
    got = _found(descriptors.dem_phrases, "북에 남은 아버지와 여동생이 걱정이다.")
    assert "아버지와 여동생이" in got
    text = "Father and a sister who works at the county post office."
    got = _found(descriptors.dem_phrases, text)
    assert any(g.startswith("a sister who works at the county post office") for g in got)
    got = _found(descriptors.dem_phrases, "his elder brother, a miner at the coal pit, lives")
    assert any(g.startswith("his elder brother, a miner at the coal pit") for g in got)
    got = _found(descriptors.dem_phrases, "Остались жена и две дочери-студентки.")
    assert "жена и две дочери-студентки" in got
    # a kin word alone or a pair that is no household stays
    assert _found(descriptors.dem_phrases, "어머니 말씀을 들었다. 남녀가 함께 왔다.") == []


def test_description_fields_round_six() -> None:
    got = _found(descriptors.dem_phrases, " 신장/체격: 175cm, 통통한 편\n 기타: 없음")
    assert "175cm, 통통한 편" in got
    got = _found(descriptors.dem_phrases, "Distinguishing marks: mole under the right eye. Next")
    assert "mole under the right eye" in got
    got = _found(descriptors.dem_phrases, "Особые приметы: шрам на подбородке.")
    assert "шрам на подбородке" in got
    # the words inside a sentence are no field
    assert _found(descriptors.dem_phrases, "The height: of the season.") == []


def test_korean_fingers_supports_and_licences_round_six() -> None:
    got = _found(descriptors.dem_phrases, "그 사고로 왼손 중지 끝마디가 없습니다.")
    assert "왼손 중지 끝마디가 없습니다" in got
    got = _found(descriptors.dem_phrases, "오른쪽 무릎에 철심이 박혀 있다")
    assert any(g.startswith("오른쪽 무릎에 철심") for g in got)
    assert any(g.startswith("오른쪽 뺨 아래 2cm 흉터") for g in _found(
        descriptors.dem_phrases, "오른쪽 뺨 아래 2cm 흉터."))
    got = _found(descriptors.dem_phrases, "굴착기 면허 있음(2021년 취득). 성실함.")
    assert any(g.startswith("굴착기 면허 있음") for g in got)
    # a pronoun is no mark: "с такой рукой" says nothing of the hand
    assert _found(descriptors.dem_phrases, "пришёл с такой рукой домой") == []


def test_coordinated_jobs_and_their_complements_round_six() -> None:
    def spans(text: str) -> list[str]:
        return [text[s.start : s.end] for s in descriptors.find(text, [], [])]

    text = "С мая 2023 года я работала уборщицей и посудомойкой в столовой."
    assert any("уборщицей и посудомойкой" in g for g in spans(text))
    text = "She worked as a cook for the refugee support group."
    assert any(g.endswith("cook for the refugee support group") for g in spans(text))
    # a time after the job is no complement of it
    text = "He worked as a welder at the time."
    assert not any("the time" in g for g in spans(text))


def test_heights_glasses_and_a_tooth_round_six() -> None:
    got = _found(descriptors.dem_phrases, "남자는 40대, 키 165 정도, 검은 점퍼")
    assert "키 165 정도" in got
    assert any(g.startswith("рост около 180 см") for g in _found(
        descriptors.dem_phrases, "мужчина, рост около 180 см, худой"))
    got = _found(descriptors.dem_phrases, "Носит очки с толстыми стёклами, тихий.")
    assert "Носит очки с толстыми стёклами" in got
    assert any(g.startswith("앞니 하나가 금니") for g in _found(
        descriptors.dem_phrases, "그분은 앞니 하나가 금니였다"))
    # a bare number after 키 that is no height stays ("키 12개" is a count of keys)
    assert _found(descriptors.dem_phrases, "열쇠 키 12개") == []
