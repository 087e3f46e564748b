"""Codes and numbers named by their label or shape (codes.py, references.py).

Every sentence is invented for these tests; none is taken from an
evaluation record.
"""

from __future__ import annotations

import pytest
from redaction_helpers import covers, touches

from app.redaction import codes, references
from app.redaction.detector import Detector
from app.redaction.spans import IdType


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("Escorted by security officer Dana Holt (badge ID TR-40917).", "TR-40917"),
        ("Member card no.: HWLS-7720 issued at the front desk.", "HWLS-7720"),
        ("Paid by transfer (receipt from Kestrel Plumbing, no. KP-8812).", "KP-8812"),
        ("Interpreter Mr Baek, ID QS-20455, joined by phone.", "QS-20455"),
    ],
)
def test_labelled_letter_prefix_ids(text: str, needle: str) -> None:
    assert covers(text, codes.find(text), needle)


def test_model_names_without_a_label_stay_readable() -> None:
    text = "They rode in a ПАЗ-32054 and later an old GAZ-3302; the MiG-29 flew over."
    spans = codes.find(text)
    for needle in ("ПАЗ-32054", "GAZ-3302", "MiG-29"):
        assert not touches(text, spans, needle), needle


def test_hash_numbers_but_not_years_or_ranks() -> None:
    text = "Safeguarding log #40311 opened. He was #3 on the list; the #2026 tag trended."
    spans = codes.find(text)
    assert covers(text, spans, "#40311")
    assert not touches(text, spans, "#3")
    assert not touches(text, spans, "#2026")


def test_register_numbers_with_many_segments() -> None:
    text = "Запись в реестре: № 27/204-н/27-2025-3-1180, взыскано по тарифу."
    assert covers(text, codes.find(text), "27/204-н/27-2025-3-1180")


def test_partial_number_after_last_digits_word() -> None:
    text = "카드(번호 끝자리 …-7731)를 돌려받았다. Card ending ...9920 was blocked."
    spans = codes.find(text)
    assert covers(text, spans, "7731")


def test_english_flat_is_the_whole_phrase_russian_flat_the_number() -> None:
    text = "The neighbour in Flat 7C heard it. Сосед из кв. 31 слышал."
    spans = codes.find(text)
    assert covers(text, spans, "Flat 7C")
    assert covers(text, spans, "31")
    assert not touches(text, spans, "кв.")


def test_travel_codes() -> None:
    text = (
        "Passenger 2: seat 31F, PNR ZK4MTQ, on Flight: HZ 5210, aircraft reg.: RA-89044.\n"
        "Booking ref: LQ8PRD. Место 14А в вагоне."
    )
    spans = references.find(text)
    assert covers(text, spans, "ZK4MTQ")
    assert covers(text, spans, "LQ8PRD")
    for needle in ("31F", "HZ 5210", "RA-89044", "14А"):
        assert covers(text, spans, needle), needle
    kinds = {text[s.start : s.end]: s.identifier_type for s in spans}
    assert kinds["ZK4MTQ"] == IdType.DIRECT
    assert kinds["31F"] == IdType.QUASI


def test_travel_words_without_codes() -> None:
    text = "The flight in 2019 was long; my seat was broken and the booking code was lost."
    assert references.find(text) == []


def test_korean_plates_and_not_sums() -> None:
    text = "차량 57머 2214(흰색), 서울 31가 9087 차량도 봤다. 매출은 12조 3456억 원이었다."
    spans = references.find(text)
    assert covers(text, spans, "57머 2214")
    assert covers(text, spans, "서울 31가 9087")
    assert not touches(text, spans, "12조 3456억")
    assert not touches(text, spans, "차량")


def test_extensions_and_coordinates() -> None:
    text = (
        "담당: 상담원(내선 2290). Call ext. 514. Место: 48.1127, 135.0643; "
        "GPA 3.41, 4.5 scale; 1.25, 2.5 kg."
    )
    spans = references.find(text)
    for needle in ("2290", "514", "48.1127, 135.0643"):
        assert covers(text, spans, needle), needle
    assert not touches(text, spans, "3.41")
    assert not touches(text, spans, "1.25, 2.5")


def test_partial_plates_and_hospital_rooms() -> None:
    text = (
        "A van with partial plate KD21 drove off. A plate of rice.\n"
        "Ward: 4 North. Больного перевели в палату 215. 병실 608호."
    )
    spans = references.find(text)
    for needle in ("KD21", "4 North", "палату 215", "병실 608호"):
        assert covers(text, spans, needle), needle
    assert not touches(text, spans, "plate of rice")


def test_messenger_handles() -> None:
    text = (
        "카카오톡 mirae_help로 연락 주세요. 카톡 아이디: sorim 입니다. "
        "Напишите в Телеграм kolya_dv88. Signal export failed; on Telegram yesterday."
    )
    spans = references.find(text)
    for needle in ("mirae_help", "sorim", "kolya_dv88"):
        assert covers(text, spans, needle), needle
    assert not touches(text, spans, "export")
    assert not touches(text, spans, "yesterday")


def test_public_numbers_stay_readable(detector: Detector) -> None:
    text = (
        "기관 안내 전화 1588-1234(공개 번호)로 문의하세요. 제 번호는 010-4417-2290입니다.\n"
        "Паспорт выдан 01.02.2015, код подразделения 270-011."
    )
    spans = detector.detect(text)
    assert not touches(text, spans, "1588-1234")
    assert not touches(text, spans, "270-011")
    assert covers(text, spans, "010-4417-2290")


def test_train_seats_and_prefixed_coordinates() -> None:
    text = (
        "Билет: вагон 12, место 7. 4호차 11번 좌석. Coach C, seat 52. "
        "Точка: N 44.2061, E 132.4417. The coach was late."
    )
    spans = references.find(text)
    for needle in ("вагон 12, место 7", "4호차 11번 좌석", "Coach C, seat 52",
                   "N 44.2061, E 132.4417"):
        assert covers(text, spans, needle), needle
    assert not touches(text, spans, "The coach was late")


def test_issue_and_episode_numbers_but_not_law_numbers() -> None:
    text = (
        "「바다 건너 편지」 제317회 원고. 소식지 제58호. 제14차 총회. 법률 제17893호에 따라. "
        "제3조. Episode 27 aired. Issue 5 is out."
    )
    spans = references.find(text)
    for needle in ("제317회", "제58호", "제14차", "Episode 27"):
        assert covers(text, spans, needle), needle
    assert not touches(text, spans, "제17893호")
    assert not touches(text, spans, "제3조")
    assert not touches(text, spans, "Issue 5")


def test_short_codes_after_room_and_participant_labels() -> None:
    text = "Interview held in Room B-17 with participant R-12. They flew a Su-27 and an F-16."
    spans = codes.find(text)
    assert covers(text, spans, "B-17")
    assert covers(text, spans, "R-12")
    assert not touches(text, spans, "Su-27")
    assert not touches(text, spans, "F-16")


def test_hospital_room_after_a_department() -> None:
    text = "환자는 시립병원 내과 612호에 입원 중. 회의는 3층에서."
    spans = references.find(text)
    assert covers(text, spans, "612호")
