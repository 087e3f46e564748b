"""Partial dates and dates in document conventions (partial_dates.py).

Every sentence is invented for these tests; none is taken from an
evaluation record.
"""

from __future__ import annotations

from redaction_helpers import covers, touches

from app.redaction import partial_dates


def test_birth_phrase_dotted_korean_dates_and_bare_day_month() -> None:
    text = (
        "Mr LEE (born 4 June 1988) and his wife, born on May 2, 1990.\n"
        "면담일: 2025. 9. 3.(화) / 2021. 7. 입국 / 등록 2025-10-01 07:45경\n"
        "Смена 12.08 ночью. Подписала 03.11). Цена 12.10 руб., вес 14.05 кг.\n"
        "Posted Oct 7, 8:30 PM."
    )
    spans = partial_dates.dates(text)
    for part in ("born 4 June 1988", "born on May 2, 1990", "2025. 9. 3.(화)", "2021. 7.",
                 "2025-10-01 07:45경", "12.08", "03.11", "Oct 7"):
        assert covers(text, spans, part), part
    assert not touches(text, spans, "12.10")
    assert not touches(text, spans, "14.05")
    born = next(s for s in spans if text[s.start : s.end].startswith("born 4"))
    assert born.identifier_type.value == "DIRECT"


def test_korean_festivals_of_a_year_and_open_ranges() -> None:
    text = (
        "사진은 2023년 추석에 찍었다. 2024년 설 연휴에 왔다. "
        "2021년 4월부터 6월까지 일했다. 2025년 설명회."
    )
    spans = partial_dates.dates(text)
    for part in ("2023년 추석", "2024년 설 연휴", "2021년 4월부터 6월까지"):
        assert covers(text, spans, part), part
    assert not touches(text, spans, "설명회")


def test_russian_notarial_dates_in_words() -> None:
    text = (
        "город Находка\nПервое декабря две тысячи двадцать пятого года\n"
        "Доверенность на три года; в первом квартале."
    )
    spans = partial_dates.dates(text)
    assert covers(text, spans, "Первое декабря две тысячи двадцать пятого года")
    assert not touches(text, spans, "три года")


def test_header_dates_with_weekdays_and_russian_abbreviated_months() -> None:
    text = (
        "보낸 날짜: 2025년 3월 14일 (금) 오전 9:05\n"
        "Visit: Wed 04/03/2026 at noon\n"
        "Дата: Ср, 11 февр. 2026, 18:40\n"
        "Ольга · 17 сент. в 08:15\n"
        "12 марта он ушёл; 3 월 회의."
    )
    spans = partial_dates.dates(text)
    for part in ("2025년 3월 14일 (금) 오전 9:05", "Wed 04/03/2026", "Ср, 11 февр. 2026, 18:40",
                 "17 сент."):
        assert covers(text, spans, part), part
    assert not touches(text, spans, "12 марта")
