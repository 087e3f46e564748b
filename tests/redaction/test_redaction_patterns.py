"""Deterministic layers: contacts, ID numbers, addresses, dates, ages, amounts."""

from __future__ import annotations

import pytest
from redaction_helpers import covers, touches

from app.redaction import patterns, quantities
from app.redaction.spans import ADDRESS, CODE, DATE, DEM, QUANTITY, IdType


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("call +7 924 318-56-07 tonight", "+7 924 318-56-07"),
        ("휴대전화: 010-6631-0958", "010-6631-0958"),
        ("тел. +7 914 377-52-01.", "+7 914 377-52-01"),
        ("mail yongho.lee79@daum.net now", "yongho.lee79@daum.net"),
        ("Telegram @myongi_sea", "@myongi_sea"),
        ("KakaoTalk ID gomdori86 (", "gomdori86"),
        ("passport No. 836412759;", "836412759"),
        ("Mine was number 745 219 683.", "745 219 683"),
        ("주민등록번호는 750402-1258113이다", "750402-1258113"),
        ("migration card 0518 № 4472930 (", "0518 № 4472930"),
        ("case number, 754-17C01193, and", "754-17C01193"),
        ("Паспорт КНДР № PS 472615 (со", "PS 472615"),
        ("(вх. № 27/19-ВУ-0413).", "27/19-ВУ-0413"),
        ("an application (no. 40593/04) against", "40593/04"),
    ],
)
def test_contacts_and_numbers_are_direct(text: str, needle: str) -> None:
    spans = patterns.find(text)
    assert covers(text, spans, needle)
    assert all(s.identifier_type == IdType.DIRECT for s in spans if s.category == CODE)


def test_money_is_not_an_id_number() -> None:
    text = "он получил 96 000 рублей и 2 100 долларов"
    assert not [s for s in patterns.id_numbers(text)]


@pytest.mark.parametrize(
    ("text", "needle", "category"),
    [
        ("address Hwarang-ro 14-gil 22, Apt 1104, Danwon-gu, Ansan · x",
         "Hwarang-ro 14-gil 22, Apt 1104, Danwon-gu, Ansan", ADDRESS),
        (
            "주소: 경기도 시흥시 정왕대로 233번길 17, 502동 1203호 /",
            "경기도 시흥시 정왕대로 233번길 17, 502동 1203호",
            ADDRESS,
        ),
        ("у знакомых на ул. Серышева (номер", "ул. Серышева", None),
    ],
)
def test_addresses(text: str, needle: str, category: str | None) -> None:
    spans = patterns.addresses(text)
    assert covers(text, spans, needle)
    if category:
        assert any(s.category == category for s in spans)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("Interview date: 14 November 2023.", "14 November 2023"),
        ("On the 13th of May 2022 we left", "the 13th of May 2022"),
        ("I left in October 2014 with", "October 2014"),
        ("Arrived Seoul Dec. 2019 (exact", "Dec. 2019"),
        ("in the summer of 2017, that", "the summer of 2017"),
        ("landed on 2020-02-21 and", "2020-02-21"),
        ("DOB 03/11/1991 (she", "03/11/1991"),
        ("г. Хабаровск, 28 октября 2019 г.", "28 октября 2019 г."),
        ("В феврале 2019 года я упал", "феврале 2019 года"),
        ("Хон Сон Гук, 14.09.1984 г. р., гражданин", "14.09.1984 г. р."),
        ("면담일: 2020년 8월 12일 / 장소", "2020년 8월 12일"),
        ("딸 리은정(2001년생), 아들", "2001년생"),
    ],
)
def test_dates_in_three_languages(text: str, needle: str) -> None:
    spans = quantities.dates(text)
    assert covers(text, spans, needle)
    assert all(s.category == DATE for s in spans)


def test_birth_date_is_direct_other_dates_quasi() -> None:
    text = "He was born on 22 July 1986. He crossed on 9 April 2017."
    spans = {text[s.start : s.end]: s.identifier_type for s in quantities.dates(text)}
    assert spans["22 July 1986"] == IdType.DIRECT
    assert spans["9 April 2017"] == IdType.QUASI


def test_generic_schedule_is_not_a_date() -> None:
    text = "Work ran from 6 a.m. until 2 a.m. In January the walls froze."
    assert not quantities.dates(text)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("She is aged 41 and", "aged 41"),
        ("дочь — Со Ын Ха (12 лет).", "12 лет"),
        ("당시 서른여덟 살이었다.", "서른여덟 살"),
    ],
)
def test_ages(text: str, needle: str) -> None:
    spans = quantities.ages(text)
    assert covers(text, spans, needle)
    assert spans[0].category == DEM


def test_personal_amounts_masked_general_practice_kept() -> None:
    text = (
        "His ledger line was 11,500 roubles. Usually $100 to $200 a month is withheld; "
        "обычно 100–200 долларов в месяц; 한 달에 100~200달러. 본인은 1,240달러를 받았다."
    )
    spans = quantities.amounts(text)
    assert covers(text, spans, "11,500 roubles")
    assert covers(text, spans, "1,240달러")
    assert not touches(text, spans, "$100 to $200")
    assert not touches(text, spans, "100–200 долларов")
    assert not touches(text, spans, "100~200달러")
    assert all(s.category == QUANTITY for s in spans)


def test_group_sizes() -> None:
    text = "He crossed with 41 other men. Нас было 36 человек. Там двое сыновей."
    spans = quantities.amounts(text)
    for needle in ("41 other men", "36 человек", "двое сыновей"):
        assert covers(text, spans, needle)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("they stay at ul. Baturina 22, garage block 6, Nakhodka, since May",
         "ul. Baturina 22, garage block 6, Nakhodka"),
        ("St Columba Hall\n9 Moray Place, Oamaru 9400, New Zealand",
         "9 Moray Place, Oamaru 9400"),
        ("사고 장소: 충북 음성군 대소면 대풍산단로 5길 입구 삼거리\n",
         "충북 음성군 대소면 대풍산단로 5길 입구 삼거리"),
    ],
)
def test_full_addresses_with_units_postcodes_and_crossings(text: str, needle: str) -> None:
    spans = patterns.addresses(text)
    assert covers(text, spans, needle)


def test_year_after_a_town_is_not_a_postcode() -> None:
    text = "He lived at 4 Elm Road, Leeds 2019 and then moved."
    spans = patterns.addresses(text)
    assert not touches(text, spans, "2019")


def test_country_after_an_address_stays_readable(detector: object) -> None:
    from app.redaction.detector import Detector

    assert isinstance(detector, Detector)
    text = "Write to: 9 Moray Place, Oamaru 9400, New Zealand. Канада и 뉴질랜드 тоже."
    spans = detector.detect(text)
    assert covers(text, spans, "9 Moray Place, Oamaru 9400")
    assert not touches(text, spans, "New Zealand")
    assert not touches(text, spans, "뉴질랜드")


def test_korean_buildings_with_flats_and_australian_postcodes() -> None:
    text = (
        "지금은 하늘마을아파트 208동 1104호에 산다. 주소 변경: 김포시 사우동 417-2 해솔빌라 201호. "
        "아파트 값이 올랐다. She stayed at Unit 6, 14 Pier Street, Hobart TAS 7000 then left."
    )
    spans = patterns.addresses(text)
    assert covers(text, spans, "하늘마을아파트 208동 1104호")
    assert covers(text, spans, "Unit 6, 14 Pier Street, Hobart TAS 7000")
    assert not touches(text, spans, "아파트 값")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("Office: Rybatskaya ul. 14, office 21, Vanino\n", "Rybatskaya ul. 14, office 21, Vanino"),
        ("Seller: ul. Volochaevskaya 8-3, Birobidzhan 679016 | tel",
         "ul. Volochaevskaya 8-3, Birobidzhan 679016"),
    ],
)
def test_latin_russian_streets_with_postposed_word_and_postcode(text: str, needle: str) -> None:
    assert covers(text, patterns.addresses(text), needle)


def test_capitalised_word_before_a_number_is_no_street() -> None:
    text = "Ivanova ulybnulas 3 times. Mr Sokolov paid 12, Khabarovsk prices."
    assert not patterns.RU_LATIN_ADDRESS.search(text)


def test_korean_home_in_a_masked_villa() -> None:
    text = "귀가 동행 (자택: 정왕동 다세대주택 ○○빌라 105호). 빌라 앞에서 헤어짐."
    spans = patterns.addresses(text)
    assert covers(text, spans, "정왕동 다세대주택 ○○빌라 105호")
    assert not touches(text, spans, "빌라 앞")
