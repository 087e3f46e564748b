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
