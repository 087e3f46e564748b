"""Name layers: Korean names in three scripts, titles, given names, kiwi, natasha."""

from __future__ import annotations

import pytest
from redaction_helpers import covers

from app.redaction import korean, names, russian
from app.redaction.spans import ORG, PERSON, PLACE


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("The witness, Kim Chol-su (", "Kim Chol-su"),
        ("forms spell it Kim Cheol-soo.", "Kim Cheol-soo"),
        ("and a son, Kim Hyok, and", "Kim Hyok"),
        ("leader was O Kil-nam. And", "O Kil-nam"),
        ("Chŏng Kwang-ch'ŏl in our files", "Chŏng Kwang-ch'ŏl"),
        ("since then Kum-ok has", "Kum-ok"),
    ],
)
def test_latin_korean_names(text: str, needle: str) -> None:
    assert covers(text, names.latin_korean(text), needle)


def test_hyphenated_place_is_not_a_person() -> None:
    spans = names.latin_korean("born in Sunam-dong, Chongjin")
    assert [s.category for s in spans] == [PLACE]


def test_english_words_are_not_korean_names() -> None:
    assert names.latin_korean("Kim River flows. So On Street") == []


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("represented by Mr E. Kanar, a lawyer", "Mr E. Kanar"),
        ("Agents, Mr C.A. Whomersley and", "Mr C.A. Whomersley"),
        ("Pastor Lim's number", "Pastor Lim"),
        ("называли «товарищ Чо».", "товарищ Чо"),
    ],
)
def test_titled_names(text: str, needle: str) -> None:
    assert covers(text, names.titled(text), needle)


def test_given_name_led_and_initials() -> None:
    text = "A driver, Valery Kan, and the witness (C.S.) met Peter Le Petit."
    spans = names.given_name_led(text) + names.initials(text)
    for needle in ("Valery Kan", "C.S.", "Peter Le Petit"):
        assert covers(text, spans, needle)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("Бригадир Пак Ён Чхоль собрал", "Пак Ён Чхоль"),
        ("Сведения: Хон Сон Гук (홍", "Хон Сон Гук"),
        ("Отметка: Хон С. Г. просит", "Хон С. Г."),
    ],
)
def test_cyrillic_korean_names(text: str, needle: str) -> None:
    assert covers(text, names.cyrillic_korean(text), needle)


def test_kiwi_hangul_names_and_places() -> None:
    text = (
        "증언자 리성철(남)은 함경북도 청진시 포항구역 남강동에서 태어났다. "
        "아내 박옥순과 딸 리은정이 있다."
    )
    spans = korean.find(text)
    for needle in ("리성철", "박옥순", "리은정", "포항구역", "남강동"):
        assert covers(text, spans, needle), needle
    cats = {text[s.start : s.end]: s.category for s in spans}
    assert cats["리성철"] == PERSON
    assert cats["남강동"] == PLACE


def test_hangul_org_and_role() -> None:
    text = "'조선은덕림산무역회사'를 통해 파견되었다. 보위지도원 '최 지도원'이 왔다."
    spans = korean.find(text)
    assert covers(text, spans, "조선은덕림산무역회사")
    assert any(s.category == ORG for s in spans)
    assert covers(text, spans, "최 지도원")


def test_natasha_russian_names_in_mixed_text() -> None:
    text = "The driver (Валерий Кан) met her. Опрос провела адвокат Орлова Наталья Викторовна."
    spans = russian.find(text)
    assert covers(text, spans, "Валерий Кан")
    assert covers(text, spans, "Орлова Наталья Викторовна")


def test_russian_companies_and_units() -> None:
    text = "Генподрядчик — ООО «ДальСтройИнвест». Я был звеньевым в бригаде № 4."
    spans = russian.find(text)
    assert covers(text, spans, "ООО «ДальСтройИнвест»")
    assert covers(text, spans, "бригаде № 4")
