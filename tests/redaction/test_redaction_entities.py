"""Propagation guards, naming triggers and referent-consistent pseudonyms."""

from __future__ import annotations

import re

from redaction_helpers import covers, touches

from app.redaction.detector import Detector
from app.redaction.pseudonymise import Pseudonymiser
from app.redaction.romanise import key, surname_class
from app.redaction.spans import PERSON

RECORD = (
    "The witness, Ri Song-hyok (리성혁), born 14 February 1990 in Hoeryong, was sent to "
    "Russia in May 2018 by the Sungri General Trading Corporation. He worked under foreman "
    "Choe Yong-nam, whom the men called \"the Bear\". Song-hyok says the Bear drank. The "
    "security officer, a man named Jang, kept their passports. In August 2020 a tree fell "
    "on his co-worker Han Chol-jin; Han was sent home. Ri escaped with help from Viktor "
    "Sokolov. Kim Jong Un and Vladimir Putin signed the treaty in June 2024."
)


def test_function_words_never_propagate(detector: Detector) -> None:
    spans = detector.detect(RECORD)
    for m in re.finditer(r"\bthe\b", RECORD):
        if RECORD[m.start() : m.start() + 8] != "the Bear":
            hit = any(s.start <= m.start() < s.end for s in spans)
            assert not hit, RECORD[m.start() - 20 :]
    # The nickname itself spreads whole, both times.
    assert covers(RECORD, spans, "the Bear", 0)
    assert covers(RECORD, spans, "the Bear", 1)


def test_title_and_common_words_do_not_propagate(detector: Detector) -> None:
    text = (
        "Мне помог пастор Андрей Ковальчук. Телефон пастора был у брата. "
        "Я благодарен Ковальчуку."
    )
    spans = detector.detect(text)
    assert covers(text, spans, "Андрей Ковальчук")
    assert covers(text, spans, "Ковальчуку")
    assert not touches(text, spans, "пастора")


def test_bare_name_after_naming_phrase(detector: Detector) -> None:
    for text, name in (
        ("The security officer, a man named Jang, kept the passports.", "Jang"),
        ("A taxi driver she knew only as Lyosha drove her.", "Lyosha"),
        ("Охранник по фамилии Чан забрал паспорта.", "Чан"),
    ):
        spans = detector.detect(text)
        assert covers(text, spans, name), text


def test_public_event_date_stays_readable(detector: Detector) -> None:
    spans = detector.detect(RECORD)
    assert not touches(RECORD, spans, "June 2024")
    assert covers(RECORD, spans, "May 2018")


def test_romanisation_keys_cross_scripts() -> None:
    assert key("성혁") == key("Song-hyok") == key("Seong-hyeok") == key("Сон Хёк")
    assert key("향미") == key("Hyang-mi") == key("Хян Ми")
    assert key("회령") == key("Hoeryong") == key("Хверён")
    assert surname_class("Ri") == surname_class("Ли") == surname_class("리")
    assert surname_class("Han") != surname_class("Ri")


def test_one_label_per_referent_across_scripts(detector: Detector) -> None:
    spans = detector.detect(RECORD)
    by_text = {s.text(RECORD): s.entity for s in spans if s.category == PERSON}
    witness = by_text["Ri Song-hyok"]
    assert witness is not None
    assert by_text["리성혁"] == by_text["Song-hyok"] == by_text["Ri"] == witness
    assert by_text["Han"] == by_text["Han Chol-jin"] != witness
    assert by_text["the Bear"] == by_text["Choe Yong-nam"]
    out = Pseudonymiser().render(RECORD, spans)
    assert out.count("[PERSON A]") == 4, out
    assert len(set(re.findall(r"\[PERSON [A-Z]+\]", out))) == 5, out


def test_partial_name_joins_nearest_full_name(detector: Detector) -> None:
    text = (
        "Han Chol-jin lost a finger. Han was sent home. Later Han Myong-il arrived; "
        "Han worked nights."
    )
    spans = [s for s in detector.detect(text) if s.category == PERSON]
    ids = [s.entity for s in spans]
    assert ids[0] == ids[1] != ids[2] == ids[3], [(s.text(text), s.entity) for s in spans]


def test_cyrillic_case_forms_and_three_scripts_share_a_label(detector: Detector) -> None:
    text = (
        "The witness, Chu Hyang-mi (주향미; Russian papers: Чу Хян Ми), met Tak Yong-su. "
        "Hyang-mi left first."
    )
    out = Pseudonymiser().render(text, detector.detect(text))
    assert out.count("[PERSON A]") == 4, out
    assert "[PERSON B]" in out


def test_labels_carry_across_documents_of_a_case(detector: Detector) -> None:
    mapping = Pseudonymiser()
    doc1 = "Kim Chol-su worked in Chongjin with Pak Man-sik."
    doc2 = "김철수 said that Chol-su never met Kim Hyok."
    out1 = mapping.render(doc1, detector.detect(doc1))
    out2 = mapping.render(doc2, detector.detect(doc2))
    assert out1.startswith("[PERSON A]")
    assert out2.count("[PERSON A]") == 2, out2
    assert "[PERSON C]" in out2


def test_titles_and_surname_words(detector: Detector) -> None:
    text = (
        "The guard, comrade Jang, took the passports. Jang was cruel. Everyone called the "
        "foreman 'Big Kim'. Big Kim beat us. Her mother, Son Myong-ja, was questioned; Son "
        "cried. So he left. An officer came."
    )
    spans = detector.detect(text)
    assert covers(text, spans, "Jang", 1)
    assert covers(text, spans, "Big Kim", 1)
    assert covers(text, spans, "Son", 1)  # a surname that is also an English word
    assert not touches(text, spans, "So he")
    assert not touches(text, spans, "An officer")


def test_role_title_surname_and_cyrillic_korean_name(detector: Detector) -> None:
    text = (
        "The security man, Section Chief Ro, took them. Ro laughed. The witness (리영호, "
        "Ли Ён Хо in his Russian papers, Ri Yong-ho in ours) left."
    )
    out = Pseudonymiser().render(text, detector.detect(text))
    assert out.count("[PERSON A]") == 2, out
    assert out.count("[PERSON B]") == 3, out


def test_span_running_into_a_region_is_trimmed_not_dropped(detector: Detector) -> None:
    text = "8 августа 2020 г., с. Хороль Приморского края. The Diyarbakır State Security Court."
    spans = detector.detect(text)
    assert covers(text, spans, "Хороль")
    assert not touches(text, spans, "Приморского края")
    assert covers(text, spans, "Diyarbakır State Security Court")


def test_nickname_of_the_speaker_and_russian_forms(detector: Detector) -> None:
    text = (
        "Q: What is your name?\nA: Yang Chol-min. At home everyone called me \"Chol-i\".\n"
        "Я, Лариса Викторовна Ни, отвезла Соль Мён Чхоля к пастору. Мён Чхоль уехал. "
        "Бригадир Хо Гиль Су по прозвищу «Хозяин» злился; «Хозяина» боялись."
    )
    spans = [s for s in detector.detect(text) if s.category == PERSON]
    ids = {s.text(text): s.entity for s in spans}
    assert ids["Yang Chol-min"] == ids["Chol-i"]
    assert ids["Мён Чхоль"] == ids["Соль Мён Чхоля"]
    assert ids["Хозяин"] == ids["Хозяина"] == ids["Хо Гиль Су"]
    assert "Лариса Викторовна Ни" in ids
