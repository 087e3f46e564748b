"""Initials, ciphers, glosses, kinship names, code shapes, non-Latin speaker
labels and chat headers, lowercase Cyrillic names. Invented examples."""

from __future__ import annotations

from redaction_helpers import covers, touches

from app.redaction import aliases, codes, labels
from app.redaction.detector import Detector
from app.redaction.spans import ADDRESS, CODE, PERSON


def test_editor_initials_in_brackets_and_after_a_dash() -> None:
    text = "He left [PdV: check the date] in May (KT). Fine by me. — RB]"
    spans = aliases.find(text)
    for needle in ("PdV", "KT", "RB"):
        assert covers(text, spans, needle), needle


def test_acronyms_in_brackets_are_not_initials() -> None:
    text = "A report to the (UN) and [NGO: pending] (TB) and [INT: yes]"
    assert aliases.find(text) == []


def test_anonymity_ciphers_after_party_labels() -> None:
    text = "Between: KLM (anonymity order)\nIn this decision she is KLM."
    spans = aliases.find(text)
    assert covers(text, spans, "KLM")
    assert covers(text, spans, "KLM", occurrence=1)


def test_korean_initial_consonants_and_letter_before_ssi() -> None:
    text = "대상자 ㅂㅈㅎ(가명) 면담. ㅁ 자매가 왔다. B씨는 귀가. ㅋㅋㅋ ㅇㅇ 알겠어요"
    spans = aliases.find(text)
    for needle in ("ㅂㅈㅎ", "ㅁ", "B"):
        assert covers(text, spans, needle), needle
    assert not touches(text, spans, "ㅋㅋㅋ")
    assert not touches(text, spans, "ㅇㅇ")


def test_surname_first_with_comma() -> None:
    text = "Client: PAK, Un-hye (preferred name Ellie)"
    assert covers(text, aliases.find(text), "PAK, Un-hye")


def test_names_after_kinship_words() -> None:
    text = "She came with her cousin Dariga. 남동생 은호에 대한 걱정. 아들 살아 있다는 소식."
    spans = aliases.find(text)
    assert covers(text, spans, "Dariga")
    assert covers(text, spans, "은호")
    assert not touches(text, spans, "살아")


def test_hanja_gloss_and_quoted_nickname_beside_a_name(detector: Detector) -> None:
    text = '성명: 박철호 (朴哲浩)\n| "Beanpole" (Ri Chol-nam) | welder |'
    spans = detector.detect(text)
    assert covers(text, spans, "朴哲浩")
    assert covers(text, spans, "Beanpole")


def test_code_shapes_in_three_scripts() -> None:
    text = "Case KRF-27-114, file ПП-2031/07-К, 접수-2030-0042, order № 52-лс, ep.12."
    spans = codes.find(text)
    for needle in ("KRF-27-114", "ПП-2031/07-К", "접수-2030-0042", "52-лс", "ep.12"):
        assert covers(text, spans, needle), needle
    assert all(s.category == CODE for s in spans)


def test_measures_ordinals_models_and_laws_are_not_codes() -> None:
    text = (
        "10-15명, 14-16h, 3-5 кг, в 2020-м, 5-й этаж, F-16, ПАЗ-4234, закон № 109-ФЗ, "
        "37.2도, COVID-19, 200/month, 1990s, 02-555-0101입니다"
    )
    assert codes.find(text) == []


def test_profile_links_and_handles() -> None:
    text = "See vk.com/ivan_petrov_77 or ok.ru/profile/5512; his id is tiger_lee09, also jmk1984."
    spans = codes.find(text)
    for needle in ("vk.com/ivan_petrov_77", "ok.ru/profile/5512", "tiger_lee09", "jmk1984"):
        assert covers(text, spans, needle), needle


def test_hangul_and_cyrillic_speaker_labels_that_recur() -> None:
    text = (
        "진행자: 어디서 오셨어요?\n하윤: 나홋카요.\n진행자: 언제요?\n하윤: 작년이요.\n"
        "상담원: 확인\n상담원: 종료\n"
        "Вопрос: где?\nВопрос: когда?\nГульнара: не знаю\nГульнара: да\n"
    )
    spans = labels.other_speakers(text)
    assert covers(text, spans, "하윤")
    assert covers(text, spans, "Гульнара")
    for role in ("진행자", "상담원", "Вопрос"):
        assert not touches(text, spans, role), role


def test_chat_headers_name_then_time() -> None:
    text = (
        "Руслан Ахмедов 10:02\nпривет\nРуслан Ахмедов 10:05\nты где?\n"
        "Mina.K 2031.02.03. 09:40\nok"
    )
    spans = labels.other_speakers(text)
    assert covers(text, spans, "Руслан Ахмедов")
    assert covers(text, spans, "Mina.K")


def test_address_fields_and_id_numbers() -> None:
    text = "Address: Unit 5, 77 Birch Ave, Mississauga ON L5B 2C9\nGuide (phone): Seo-yun (ID 5521)"
    spans = labels.addresses(text)
    assert covers(text, spans, "Unit 5, 77 Birch Ave, Mississauga ON L5B 2C9")
    assert any(s.category == ADDRESS for s in spans)
    assert covers(text, spans, "5521")


def test_lowercase_cyrillic_names_spread_when_only_names(detector: Detector) -> None:
    text = "Карина Лаптева написала. карина сказала, что роза завяла. Роза Юн пришла."
    spans = detector.detect(text)
    assert covers(text, spans, "карина")
    assert not touches(text, spans, "роза завяла")


def test_known_given_name_alone_inside_a_sentence() -> None:
    """A rare given name alone is a name; one that is also a frequent word is
    left to the other layers ("by the Grace of God")."""
    text = "We drove there without Nikolai's help, by the Grace of God."
    spans = aliases.find(text)
    assert covers(text, spans, "Nikolai")
    assert not touches(text, spans, "Grace")
    assert all(s.category == PERSON for s in spans)


def test_surname_before_an_office_and_nickname_after_a_role() -> None:
    text = '열쇠는 탁 지배인의 서랍에. 담당은 변 경위. 보위원 "여우"가 봤다. 그 과장은 몰랐다.'
    spans = aliases.find(text)
    for needle in ("탁", "변", "여우"):
        assert covers(text, spans, needle), needle
    assert not touches(text, spans, "그 과장")


def test_cyrillic_initials_signing_a_note() -> None:
    text = "Замечание устранено. — К. Л.\n\nПроверено. — Т.\n"
    spans = aliases.find(text)
    assert covers(text, spans, "К. Л.")
    assert covers(text, spans, "Т.")


def test_roles_and_place_codes_in_brackets_are_not_initials() -> None:
    text = (
        "She went to Mrs Adeyemi (TA) at once. Signed: P. Lowe (DSL).\n"
        "Route: Murmansk (MMK) - Oslo (OSL). Visitor: Petra Lind (PL).\n"
    )
    spans = aliases.find(text)
    for needle in ("(TA)", "(DSL)", "(MMK)", "(OSL)"):
        assert not touches(text, spans, needle), needle
    assert covers(text, spans, "PL")
