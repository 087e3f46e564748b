"""Organisations, triggers (nicknames, roles, marks) and propagation."""

from __future__ import annotations

from redaction_helpers import covers

from app.redaction import orgs, propagation, triggers
from app.redaction.spans import PERSON, IdType, Span


def test_english_orgs_and_units() -> None:
    text = (
        "recruited by the Korea Haebit General Trading Company and sold to "
        "Amur Forest Products LLC. "
        "He was in Brigade 7; OOO SevZapStroi-Holding paid."
    )
    spans = orgs.find(text)
    for needle in ("Korea Haebit General Trading Company", "Amur Forest Products LLC", "Brigade 7",
                   "OOO SevZapStroi-Holding"):
        assert covers(text, spans, needle), needle


def test_long_quotes_are_speech_not_names() -> None:
    text = '"They wanted men who already knew concrete," he said.'
    assert orgs.find(text) == []


def test_nicknames_three_languages() -> None:
    text = (
        'I called her "natasha-imo". '
        "В бригаде его звали «гуги». 동료들은 그를 '털보'라고 불렀다."
    )
    spans = triggers.nicknames(text)
    for needle in ("natasha-imo", "гуги", "털보"):
        assert covers(text, spans, needle), needle
    assert all(s.category == PERSON and s.identifier_type == IdType.DIRECT for s in spans)


def test_ordinary_words_after_called_are_not_nicknames() -> None:
    """An unquoted word after "called" is a verb phrase, not a name."""
    text = "The foreman called again at night; they called back, then called off the search."
    assert triggers.nicknames(text) == []


def test_role_makes_person_quasi() -> None:
    text = "Brigade leader Ri Man-sik collected passports. His wife, Choe Kum-ok, stayed."
    ri = Span(text.index("Ri Man"), text.index("Ri Man") + 10, PERSON, IdType.DIRECT)
    choe = Span(text.index("Choe"), text.index("Choe") + 12, PERSON, IdType.DIRECT)
    assert triggers.role_before(text, ri)
    assert not triggers.role_before(text, choe)
    text_ru = "Бригадир — Ким Гён Сик; жена — Пэк Сун Ок."
    kim = Span(text_ru.index("Ким"), text_ru.index("Ким") + 11, PERSON)
    assert triggers.role_before(text_ru, kim)


def test_descriptors_marks_jobs_incidents() -> None:
    text = (
        "He still has a 6 cm scar above his left ear. He worked as a plasterer. "
        "On that day he fell from the fourth-floor scaffold. Я бетонщик. "
        "У меня шишка на левом плече. 왼쪽 뺨에 손바닥만 한 화상 흉터가 있다."
    )
    spans = triggers.descriptors(text)
    for needle in (
        "a 6 cm scar above his left ear",
        "a plasterer",
        "fell from the fourth-floor scaffold",
        "бетонщик",
        "шишка на левом плече",
        "왼쪽 뺨에 손바닥만 한 화상 흉터",
    ):
        assert covers(text, spans, needle), needle


def test_propagation_partial_names_other_scripts_and_cases() -> None:
    text = (
        "Valery Kan (Валерий Кан) helped. Later Valery called. "
        "Водитель Игорь Ткаченко помог; у Ткаченко дома. Kim Chol-su left; Chol-su said, Mr Kim... "
        "리성철 씨는 말했다. 성철은 울었다."
    )
    seeds = [
        Span(0, 10, PERSON, IdType.DIRECT),
        Span(text.index("Игорь"), text.index("Игорь") + 14, PERSON, IdType.DIRECT),
        Span(text.index("Kim Chol"), text.index("Kim Chol") + 11, PERSON, IdType.DIRECT),
        Span(text.index("리성철"), text.index("리성철") + 3, PERSON, IdType.DIRECT),
    ]
    spans = seeds + propagation.propagate(text, seeds, [])
    for needle in ("Валерий Кан", "Valery", "Ткаченко", "Chol-su", "Kim", "성철"):
        assert covers(text, spans, needle, occurrence=0), needle
    assert covers(text, spans, "Valery", occurrence=1)
    assert covers(text, spans, "Ткаченко", occurrence=1)
    assert covers(text, spans, "성철", occurrence=1)


def test_propagation_respects_protected_names() -> None:
    text = "Kim Hyok met Kim Jong Un."
    start = text.index("Kim Jong")
    seeds = [Span(0, 8, PERSON, IdType.DIRECT)]
    extra = propagation.propagate(text, seeds, [(start, start + 11)])
    assert all(s.end <= start or s.start >= start + 11 for s in extra)


def test_nickname_after_calls_him_only_and_name_was_with_a_quote() -> None:
    text = (
        'The men call him only "the Quartermaster". '
        'She said her name was "Odalys, but everyone says Oda". '
        "The ticket was bought in the name of R. HOLMQVIST.\n"
    )
    spans = triggers.find(text)
    for needle in ("the Quartermaster", "Odalys", "R. HOLMQVIST"):
        assert covers(text, spans, needle), needle


def test_in_the_name_of_a_common_word_is_not_a_name() -> None:
    text = "They acted in the name of the people and in the name of progress.\n"
    assert not [s for s in triggers.named(text) if s.category == PERSON]
