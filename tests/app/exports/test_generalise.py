"""Generalisation of sealed quasi-identifiers for redacted exports."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from importlib import resources
from typing import Any

import pytest

from app.exports.generalise import (
    EXPORTED_FIELDS,
    OCCUPIED_UKRAINE,
    STATUS_NOT_DISCLOSED,
    apply_province_threshold,
    birth_band,
    dprk_province,
    dprk_provinces,
    federal_district,
    federal_districts,
    federal_subjects,
    generalise_export,
    generalise_fields,
    year_band,
)
from app.intake import schema

FAR_EAST = "Far Eastern Federal District"
SIBERIA = "Siberian Federal District"
CENTRAL = "Central Federal District"

# Which sealed field each export column is generalised from.
SOURCE_OF_COLUMN = {
    "birth_band": "birth_year",
    "sex": "sex",
    "hometown_province": "hometown_province",
    "federal_district": "russian_location",
    "dispatch_start_band": "dispatch_start",
    "dispatch_end_band": "dispatch_end",
    "loyalty_fee_band": "loyalty_fee_per_month",
    "withheld_band": "withheld_per_month",
    "current_status": "current_status",
}


# --- bands ---------------------------------------------------------------------------

@pytest.mark.parametrize(("year", "expected"), [
    (1989, "1980-1989"), (1990, "1990-1999"), (1980, "1980-1989"), (2001, "2000-2009"),
    ("1989", "1980-1989"), (" 1990 ", "1990-1999"),
    (None, None), ("", None), ("nineteen ninety", None), ("19890", None), (True, None),
])
def test_birth_band_is_the_decade(year: Any, expected: str | None) -> None:
    assert birth_band(year) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("2015-01-01", "2015-2019"), ("2019-12-31", "2015-2019"), ("2020-01-01", "2020-2024"),
    (date(2017, 6, 1), "2015-2019"), ("2014", "2010-2014"), ("2016-03", "2015-2019"),
    (None, None), ("", None), ("last spring", None), ("03/2016", None),
])
def test_year_band_is_five_years_aligned_on_multiples_of_five(value: Any,
                                                              expected: str | None) -> None:
    assert year_band(value) == expected


def test_year_band_width_is_a_parameter() -> None:
    assert year_band("2017-06-01", width=10) == "2010-2019"
    assert year_band("2017-06-01", width=1) == "2017-2017"
    with pytest.raises(ValueError, match="one year"):
        year_band("2017-06-01", width=0)


# --- DPRK provinces -------------------------------------------------------------------

@pytest.mark.parametrize("spelling", [
    "North Hamgyong", "north hamgyong province", "N. Hamgyong", "Hamgyong North",
    "Hamgyŏng-bukto", "Hamgyongbuk-do", "  HAMGYONG-PUKTO ", "Hamgyeongbuk-do",
    "함경북도", "함북", "함경 북도",
    "Северный Хамгён", "Северная Хамгён", "провинция Хамгён-Пукто", "Хамген-Пукто",
])
def test_north_hamgyong_spelled_in_three_languages(spelling: str) -> None:
    assert dprk_province(spelling) == "North Hamgyong"


@pytest.mark.parametrize(("spelling", "canonical"), [
    ("South Pyongan", "South Pyongan"), ("P'yŏngan-namdo", "South Pyongan"),
    ("평안남도", "South Pyongan"), ("Южный Пхёнан", "South Pyongan"),
    ("량강도", "Ryanggang"), ("양강도", "Ryanggang"), ("Yanggang Province", "Ryanggang"),
    ("Рянгандо", "Ryanggang"),
    ("Kangwon-do", "Kangwon"), ("강원도", "Kangwon"), ("Канвондо", "Kangwon"),
    ("Jagang", "Chagang"), ("자강도", "Chagang"), ("Чагандо", "Chagang"),
    ("S. Hwanghae", "South Hwanghae"), ("황해남도", "South Hwanghae"),
    ("Pyongyang City", "Pyongyang"), ("평양직할시", "Pyongyang"), ("Пхеньян", "Pyongyang"),
    ("Rajin-Sonbong", "Rason"), ("나선", "Rason"), ("Расон", "Rason"),
    ("Nampho", "Nampo"), ("남포특별시", "Nampo"), ("Кэсон", "Kaesong"),
])
def test_province_spellings_reach_the_canonical_name(spelling: str, canonical: str) -> None:
    assert dprk_province(spelling) == canonical


def test_gazetteer_has_the_thirteen_first_level_divisions() -> None:
    assert set(dprk_provinces()) == {
        "North Hamgyong", "South Hamgyong", "North Pyongan", "South Pyongan",
        "North Hwanghae", "South Hwanghae", "Kangwon", "Chagang", "Ryanggang",
        "Pyongyang", "Rason", "Nampo", "Kaesong"}


@pytest.mark.parametrize("city", [
    "Chongjin", "청진", "Чхонджин", "Hamhung", "함흥", "Sinuiju", "신의주", "Hyesan", "혜산",
    "Wonsan", "Chongjin City", "Chongjin, North Hamgyong",
])
def test_a_city_typed_as_province_is_not_guessed(city: str) -> None:
    assert dprk_province(city) is None


@pytest.mark.parametrize("text", [None, "", "Hamgyong", "Hwanghae", "somewhere in the north",
                                  "Gyeonggi-do"])
def test_unknown_or_undivided_province_is_none(text: str | None) -> None:
    assert dprk_province(text) is None


# --- Russian federal districts ----------------------------------------------------------

@pytest.mark.parametrize(("text", "district"), [
    ("construction site near Vladivostok", FAR_EAST),
    ("Приморский край, г. Находка", FAR_EAST),
    ("연해주 블라디보스토크", FAR_EAST),
    ("블라디보스토크에서 일했다", FAR_EAST),
    ("во Владивостоке", FAR_EAST),
    ("в Хабаровске, потом в Комсомольске-на-Амуре", FAR_EAST),
    ("в Амурской области", FAR_EAST),
    ("Amur Oblast / Амурская область", FAR_EAST),
    ("Tynda", FAR_EAST), ("Yuzhno-Sakhalinsk", FAR_EAST), ("사할린", FAR_EAST),
    ("Petropavlovsk-Kamchatsky", FAR_EAST), ("Магадан", FAR_EAST), ("Якутске", FAR_EAST),
    ("Primorye", FAR_EAST), ("Приморье", FAR_EAST), ("나홋카", FAR_EAST),
    ("Irkutsk", SIBERIA), ("Красноярске", SIBERIA), ("노보시비르스크", SIBERIA),
    ("Tomsk", SIBERIA),
    ("Yekaterinburg", "Ural Federal District"), ("в Казани", "Volga Federal District"),
    ("в Нижнем Новгороде", "Volga Federal District"),
    ("Veliky Novgorod", "Northwestern Federal District"),
    ("St. Petersburg", "Northwestern Federal District"),
    ("в Санкт-Петербурге", "Northwestern Federal District"),
    ("Moscow", CENTRAL), ("в Москве", CENTRAL), ("모스크바", CENTRAL),
    ("Rostov-on-Don", "Southern Federal District"), ("Sochi", "Southern Federal District"),
    ("Grozny", "North Caucasian Federal District"),
    ("Дальневосточный федеральный округ", FAR_EAST),
])
def test_federal_district_of_places(text: str, district: str) -> None:
    assert federal_district(text) == district


@pytest.mark.parametrize("text", [
    "Ulan-Ude", "Улан-Удэ", "в Бурятии", "Republic of Buryatia", "부랴티야",
    "Chita", "в Чите", "Zabaykalsky Krai", "Забайкальский край", "자바이칼",
])
def test_buryatia_and_zabaykalsky_are_far_eastern_since_2018(text: str) -> None:
    assert federal_district(text) == FAR_EAST


def test_names_from_two_districts_are_ambiguous() -> None:
    assert federal_district("Moscow, then Vladivostok") is None
    assert federal_district("из Иркутска в Хабаровск") is None
    # Two names in one district are not ambiguous.
    assert federal_district("Khabarovsk and Blagoveshchensk") == FAR_EAST


def test_a_longer_name_wins_over_a_name_inside_it() -> None:
    # "Novgorod" alone is Veliky Novgorod (Northwestern); inside "Nizhny
    # Novgorod" it must not make the answer ambiguous.
    assert federal_district("Nizhny Novgorod") == "Volga Federal District"
    assert federal_district("Novgorod") == "Northwestern Federal District"


@pytest.mark.parametrize("text", [
    None, "", "logging camp in the taiga", "работал на шахте, кому это надо",
    "건설 현장 기숙사", "ул. Кирова", "Tomskaya street", "Vladivostokski",
])
def test_nothing_known_is_none(text: str | None) -> None:
    assert federal_district(text) is None


def test_a_street_named_kirov_does_not_add_a_district() -> None:
    assert federal_district("ул. Кирова, Владивосток") == FAR_EAST


def test_occupied_ukrainian_territory_is_never_a_federal_district() -> None:
    assert federal_district("Sevastopol") == OCCUPIED_UKRAINE
    assert federal_district("в Крыму") == OCCUPIED_UKRAINE
    assert federal_district("Mariupol") == OCCUPIED_UKRAINE
    assert federal_district("Crimea, then Krasnodar") is None


def test_every_subject_has_one_of_the_eight_districts() -> None:
    districts = set(federal_districts())
    assert len(districts) == 8
    subjects = federal_subjects()
    # The 83 internationally recognised subjects (SOURCES.md says why not 89).
    assert len(subjects) == 83
    assert set(subjects.values()) <= districts
    assert Counter(subjects.values()) == {
        CENTRAL: 18, "Northwestern Federal District": 11, "Southern Federal District": 6,
        "North Caucasian Federal District": 7, "Volga Federal District": 14,
        "Ural Federal District": 6, SIBERIA: 10, FAR_EAST: 11}
    assert subjects["Republic of Buryatia"] == FAR_EAST
    assert subjects["Zabaykalsky Krai"] == FAR_EAST
    raw = json.loads(resources.files("app.exports").joinpath("data", "russian_regions.json")
                     .read_text("utf-8"))
    occupied = [t["en"] for t in raw["occupied_territories_of_ukraine"]["territories"]]
    assert len(occupied) == 6
    assert not set(occupied) & set(subjects)


def test_every_subject_and_its_cities_map_to_its_own_district() -> None:
    raw = json.loads(resources.files("app.exports").joinpath("data", "russian_regions.json")
                     .read_text("utf-8"))
    district_name = {d["id"]: d["en"] for d in raw["districts"]}
    wrong = []
    for subject in raw["subjects"]:
        expected = district_name[subject["district"]]
        for name in [subject["en"], subject["ru"], *subject["aliases"],
                     *(spelling for city in subject["cities"] for spelling in city)]:
            if federal_district(name) != expected:
                wrong.append((name, federal_district(name), expected))
    assert wrong == []


# --- one case ---------------------------------------------------------------------------

def _realistic_sealed() -> dict[str, Any]:
    return {
        "interview_date": "2024-03-01", "interview_place": "Seoul office",
        "interviewer_name": "Interviewer Kim", "name_dprk": "Ri Chol-su",
        "birth_year": 1990, "sex": "male", "hometown_province": "함경북도",
        "hometown_city": "Chongjin", "hometown_county": "Songpyong", "hometown_ri": "Ri 3",
        "current_status": "in_rok", "russian_location": "стройка во Владивостоке",
        "dispatch_start": "2016-04-01", "dispatch_end": "2019-11-30",
        "employer": "OOO Stroy", "team_size": "40",
        "loyalty_fee_per_month": "700", "withheld_per_month": 250,
        "attachments": [{"filename": "voice.m4a"}],
    }


def test_generalise_fields_of_a_realistic_case() -> None:
    assert generalise_fields(_realistic_sealed()) == {
        "birth_band": "1990-1999", "sex": "male", "hometown_province": "North Hamgyong",
        "federal_district": FAR_EAST, "dispatch_start_band": "2015-2019",
        "dispatch_end_band": "2015-2019", "loyalty_fee_band": "500-999",
        "withheld_band": "200-499", "current_status": "in_rok",
    }


def test_dispatch_dates_may_be_date_objects() -> None:
    exported = generalise_fields({"dispatch_start": date(2014, 12, 31),
                                  "dispatch_end": date(2015, 1, 1)})
    assert (exported["dispatch_start_band"], exported["dispatch_end_band"]) == \
        ("2010-2014", "2015-2019")


def test_missing_answers_are_none_not_errors() -> None:
    assert generalise_fields({}) == dict.fromkeys(EXPORTED_FIELDS)


def test_no_sealed_field_passes_except_in_generalised_form() -> None:
    marker = "Zq9Marker"
    sealed: dict[str, Any] = {}
    for spec in schema.sealed_fields():
        if spec.kind in {schema.Kind.TEXT, schema.Kind.LONG_TEXT}:
            sealed[spec.name] = f"{marker} {spec.name}"
        elif spec.kind is schema.Kind.DATE:
            sealed[spec.name] = "2018-07-09"
        elif spec.kind is schema.Kind.NUMBER:
            sealed[spec.name] = 1987 if spec.name == "birth_year" else 123
        else:
            sealed[spec.name] = spec.choices[0][0]
    exported = generalise_fields(sealed)

    assert tuple(exported) == EXPORTED_FIELDS
    allowed_sources = set(SOURCE_OF_COLUMN.values())
    for spec in schema.sealed_fields():
        if spec.name not in allowed_sources:
            assert spec.name not in exported, spec.name
    for column, value in exported.items():
        assert value is None or marker not in value, column
        # An exact figure or date never comes out: only bands.
        assert value not in {"2018-07-09", "1987", "123"}, column
    assert exported["birth_band"] == "1980-1989"
    assert exported["dispatch_start_band"] == "2015-2019"
    assert exported["loyalty_fee_band"] == "100-199"


@pytest.mark.parametrize("status", ["in_russia", "unknown"])
def test_in_russia_is_never_exported(status: str) -> None:
    exported = generalise_fields({**_realistic_sealed(), "current_status": status})
    assert exported["current_status"] == STATUS_NOT_DISCLOSED
    assert "in_russia" not in json.dumps(exported)


def test_other_statuses_pass_and_unknown_codes_do_not() -> None:
    assert generalise_fields({"current_status": "in_rok"})["current_status"] == "in_rok"
    assert generalise_fields({"current_status": "returned_dprk"})["current_status"] == \
        STATUS_NOT_DISCLOSED
    assert generalise_fields({"current_status": "Vladivostok"})["current_status"] is None
    assert generalise_fields({"sex": "Kim"})["sex"] is None


@pytest.mark.parametrize("amount", [-5, "-5", "seven hundred", 1.5])
def test_unusable_amounts_have_no_band(amount: Any) -> None:
    assert generalise_fields({"loyalty_fee_per_month": amount})["loyalty_fee_band"] is None


def test_a_city_in_the_province_field_does_not_pass() -> None:
    sealed = {**_realistic_sealed(), "hometown_province": "Chongjin"}
    assert generalise_fields(sealed)["hometown_province"] is None


# --- the export-wide province threshold ------------------------------------------------

def _rows(province: str | None, count: int) -> list[dict[str, str | None]]:
    return [{"hometown_province": province, "sex": "male"} for _ in range(count)]


def test_province_shared_by_five_cases_is_kept() -> None:
    rows = _rows("North Hamgyong", 5) + _rows(None, 3)
    published = apply_province_threshold(rows)
    assert [row["hometown_province"] for row in published] == ["North Hamgyong"] * 5 + [None] * 3


def test_province_shared_by_four_cases_is_withheld() -> None:
    rows = _rows("Ryanggang", 4) + _rows("North Hamgyong", 5)
    published = apply_province_threshold(rows)
    assert [row["hometown_province"] for row in published] == [None] * 4 + \
        ["North Hamgyong"] * 5
    # Unknown provinces do not count towards a province's five.
    assert all(row["hometown_province"] is None
               for row in apply_province_threshold(_rows("Ryanggang", 4) + _rows(None, 10)))


def test_threshold_keeps_other_columns_and_leaves_input_alone() -> None:
    rows = _rows("Kangwon", 2)
    published = apply_province_threshold(rows, minimum=2)
    assert published == rows
    assert apply_province_threshold(rows, minimum=3)[0] == {"hometown_province": None,
                                                             "sex": "male"}
    assert rows[0]["hometown_province"] == "Kangwon"


def test_generalise_export_applies_the_threshold_across_cases() -> None:
    cases = [{**_realistic_sealed(), "hometown_province": spelling}
             for spelling in ("함경북도", "North Hamgyong", "Северный Хамгён", "함북",
                              "N. Hamgyong", "량강도", "Ryanggang")]
    provinces = [row["hometown_province"] for row in generalise_export(cases)]
    # Five spellings of one province make five cases; two of another do not.
    assert provinces == ["North Hamgyong"] * 5 + [None, None]
