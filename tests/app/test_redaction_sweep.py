"""The second sweep's token rules: what looks like a name, place, number or date."""

from __future__ import annotations

import pytest

from app.review.sweep import DATE, NAME, NUMBER, PLACE, candidates


def listed(text: str) -> list[tuple[str, str]]:
    return [(text[c.start:c.end], c.kind) for c in candidates(text)]


def test_a_capital_inside_a_sentence_is_listed_but_not_at_its_start() -> None:
    assert listed("The guard took us to Sanbong. Then we slept.") == [("Sanbong", NAME)]


def test_words_in_capitals_are_listed_even_at_a_sentence_start() -> None:
    assert ("KPA", NAME) in listed("KPA officers came.")


@pytest.mark.parametrize(("text", "expected"), [
    ("Мы жили в Хабаровске с Иваном.", [("Хабаровске", NAME), ("Иваном", NAME)]),
    ("우리는 청진시에서 김철수를 만났다.", [("청진시에서", PLACE), ("김철수를", NAME)]),
    ("Paid 1500 roubles on 3.05.2019", [("1500", NUMBER), ("3.05.2019", DATE)]),
    ("1998년 5월에 왔다", [("1998년", DATE), ("5월", DATE)]),
    ("we may leave in May, в мае", [("May", DATE), ("мае", DATE)]),
])
def test_script_aware_rules(text: str, expected: list[tuple[str, str]]) -> None:
    assert listed(text) == expected


def test_ordinary_lower_case_words_and_i_are_not_listed() -> None:
    assert listed("I worked there and I was tired.") == []
