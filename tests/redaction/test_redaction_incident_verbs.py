"""More event verbs and clause ends for incidents (MISC); sentences written for these tests."""

from __future__ import annotations

from app.redaction import incidents


def _found(text: str) -> list[str]:
    return [text[s.start : s.end] for s in incidents.find(text)]


def test_losing_a_body_part_is_an_event() -> None:
    assert _found("he lost the tip of his left thumb on the saw in May.") == [
        "he lost the tip of his left thumb on the saw in May"
    ]


def test_russian_perfective_verbs_of_harm() -> None:
    assert "раздавило ногу погрузчиком" in _find_one("В марте ему раздавило ногу погрузчиком.")
    got = _find_one("Вечером бригадир прижёг ему руку сигаретой - потом все молчали.")
    assert got.endswith("сигаретой")


def _find_one(text: str) -> str:
    got = _found(text)
    assert len(got) == 1
    return got[0]


def test_korean_confinement_and_concessive_end() -> None:
    got = _find_one("작년 3월 동료가 창고에 갇혀 여섯 시간을 버텼다.")
    assert "갇혀" in got
    got = _find_one("2019년 5월 손님에게 폭행을 당했으나 관리인이 신고를 막았다.")
    assert got.endswith("당했으나")


def test_fall_by_noun_with_floor_abbreviations() -> None:
    text = "Запись. Падение с 5 эт. на леса 4 эт. монтажника бригады № 2 Ли. Дальше"
    assert _find_one(text).startswith("Падение с 5 эт. на леса 4 эт.")


def test_korean_occasion_makes_a_threat_particular() -> None:
    assert "위협한 것" in _find_one("관리인이 여권을 태우겠다고 위협한 것이 계기였습니다.")
