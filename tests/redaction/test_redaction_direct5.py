"""Round 5 DIRECT classes: numbers named by the word before them, initials in
minutes and sign-offs, Korean surnames before committee/church/kin offices,
Hangul glosses of a foreign name. Every sentence is invented for these tests."""

from __future__ import annotations

from redaction_helpers import covers, touches

from app.redaction.detector import Detector


def test_numbers_named_by_the_word_before_them(detector: Detector) -> None:
    text = (
        "Жалоба от жильца кв. 83 на соседей из квартиры № 19.\n"
        "Перевод на карту, оканчивающуюся на 5521.\n"
        "The refund went to the card ending 6630. His number, half of it: 913...207.\n"
        "Зарегистрировано в КУСП за № 5512, рапорт № 2207 от 03.03.2026.\n"
        "소견서 (면허번호 제 55120호)"
    )
    spans = detector.detect(text)
    for part in ("83", "19", "5521", "6630", "913...207", "5512", "2207", "55120"):
        assert covers(text, spans, part), part


def test_public_acts_and_measures_are_no_codes(detector: Detector) -> None:
    text = "Согласно приказу Минтруда № 318 от 12.01.2021, площадь 54 кв. м не меняется."
    spans = detector.detect(text)
    assert not touches(text, spans, "318")
    assert not touches(text, spans, "54")


def test_minutes_initials_and_sign_offs(detector: Detector) -> None:
    text = (
        "3. Housing\nRB to phone the landlord on Tuesday.\n"
        "Action: TQ / WZ (reply to the council by PL).\n"
        "Notes typed by JV. The UNHCR to be told.\n"
        "[End of call log. JV]\n\nBest,\n\nI. Zh.\n\nRB/kd\n"
    )
    spans = detector.detect(text)
    for part in ("RB", "TQ", "WZ", "PL", "JV", "I. Zh.", "RB/kd"):
        assert covers(text, spans, part), part
    assert not touches(text, spans, "UNHCR")


def test_org_acronym_before_to_is_no_person(detector: Detector) -> None:
    text = "The ITUC raised it again.\nITUC to publish a note next week."
    spans = detector.detect(text)
    assert not touches(text, spans, "ITUC to")


def test_korean_surname_before_committee_church_and_kin_words(detector: Detector) -> None:
    text = (
        "윤 위원장: 예산부터 보겠습니다.\n설 부위원장은 반대했다. 봉 작가 검토 후 수정.\n"
        "지난주 우태민 성도님과 기보라 권사님이 오셨다. 남 형님이 도와주셨다."
    )
    spans = detector.detect(text)
    for part in ("윤", "설", "봉", "우태민", "기보라", "남"):
        assert covers(text, spans, part), part


def test_legislature_committee_members_stay_readable(detector: Detector) -> None:
    text = "국회 외교통일위원회 회의록\n윤 위원: 정부 입장을 묻겠습니다."
    spans = detector.detect(text)
    assert not touches(text, spans, "윤")


def test_hangul_gloss_of_a_foreign_name_spreads(detector: Detector) -> None:
    text = "새로 오신 Гульнара Каримова(굴나라) 자매님을 환영합니다. 굴나라 자매님은 간호사입니다."
    spans = detector.detect(text)
    assert covers(text, spans, "굴나라", 0)
    assert covers(text, spans, "굴나라", 1)


def test_cyrillic_korean_names_in_capitals(detector: Detector) -> None:
    text = "Изъят паспорт на имя РИ ЁН ХИ, а также патент (ПАК СОН МИ). ГУ МВД ПО КРАЮ уведомлено."
    spans = detector.detect(text)
    assert covers(text, spans, "РИ ЁН ХИ")
    assert covers(text, spans, "ПАК СОН МИ")
    assert not touches(text, spans, "МВД")


def test_dotted_handles_in_comment_threads(detector: Detector) -> None:
    text = (
        "mira.cooks.daily: has anyone seen her?\n"
        " ↳ tae.hoon (creator): please stop\n"
        "original sound - mira.cooks.daily\nreport.pdf: attached"
    )
    spans = detector.detect(text)
    assert covers(text, spans, "mira.cooks.daily", 0)
    assert covers(text, spans, "mira.cooks.daily", 1)
    assert covers(text, spans, "tae.hoon")
    assert not touches(text, spans, "report.pdf")
