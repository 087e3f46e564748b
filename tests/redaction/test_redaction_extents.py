"""A mark or injury runs to its clause end; sentences written for these tests."""

from __future__ import annotations

from app.redaction import extents
from app.redaction.spans import DEM, IdType, Span


def _ext(text: str, core: str) -> list[str]:
    i = text.index(core)
    spans = [Span(i, i + len(core), DEM, IdType.QUASI)]
    return [text[s.start : s.end] for s in extents.extend(text, spans)]


def test_english_scar_takes_its_size_and_origin() -> None:
    text = "He has a scar on his left knee, about 3 cm, from a falling pipe. Later he left."
    assert _ext(text, "scar on his left knee") == [
        "scar on his left knee, about 3 cm, from a falling pipe"
    ]


def test_english_stops_at_a_new_clause() -> None:
    text = "A scar on her chin, which she hides."
    assert _ext(text, "scar on her chin") == []
    text = "two broken toes on his foot and cannot walk."
    assert _ext(text, "two broken toes") == ["two broken toes on his foot"]


def test_russian_location_before_and_chain_after() -> None:
    text = "На вид 40 лет. на левой щеке, у виска, шрам длиной 2 см, ожог кисти."
    got = _ext(text, "шрам длиной 2 см")
    assert got == ["на левой щеке, у виска, шрам длиной 2 см, ожог кисти"]


def test_russian_stops_before_a_past_verb() -> None:
    text = "ожог плеча, получил на кухне."
    assert _ext(text, "ожог плеча") == []


def test_korean_stops_at_the_predicate() -> None:
    text = "오른쪽 무릎에 동전만 한 흉터가 있어 반바지를 안 입음."
    assert _ext(text, "오른쪽 무릎에 동전만 한 흉터") == []
    text = "왼손 약지 절단(공장 사고), 만성 두통."
    assert _ext(text, "왼손 약지 절단") == ["왼손 약지 절단(공장 사고), 만성 두통"]


def test_russian_adjective_and_absence_before_the_core() -> None:
    assert _ext("у неё свежий ожог запястья, полученный вчера", "ожог запястья") == [
        "свежий ожог запястья"
    ]
    got = _ext("На вид 40, нет трёх нижних зубов, на шее шрам.", "нижних зуб")
    assert got == ["нет трёх нижних зубов, на шее шрам"]


def test_korean_unclosed_bracket_and_copula_noun_end_the_note() -> None:
    text = "- 오른팔 안쪽에 긴 흉터 (본인 말로는 어릴 때 다친 것"
    assert _ext(text, "오른팔 안쪽에 긴 흉터") == []
    text = "동료가 떨어져 발목이 부러진 일임. 그 뒤"
    assert _ext(text, "발목이 부러진") == []
