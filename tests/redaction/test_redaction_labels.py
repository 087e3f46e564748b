"""Layout that names people (fields, signatures, sign-offs, speakers), case
variants in propagation, firm stems, spelled sums, UK and transliterated
Russian addresses. Every example is invented for these tests."""

from __future__ import annotations

from redaction_helpers import covers, touches

from app.redaction import labels, orgs, patterns, quantities
from app.redaction.detector import Detector
from app.redaction.spans import CODE, ORG, PERSON, QUANTITY


def test_person_fields_take_lowercase_and_hyphenated_names() -> None:
    text = (
        "Shift volunteer: bartek k.\n"
        "Interpreter: Mina Cho-Ellis (Korean, by phone)\n"
        "Prepared by: Dr Olwen Pryce\n"
    )
    spans = labels.fields(text)
    for needle in ("bartek k.", "Mina Cho-Ellis", "Olwen Pryce"):
        assert covers(text, spans, needle), needle
    assert not touches(text, spans, "Dr")
    assert all(s.category == PERSON for s in spans)


def test_list_fields_take_every_name() -> None:
    text = "To: Petra Lind <p.lind@example.org>; Omar Haddad\n"
    spans = labels.fields(text)
    assert covers(text, spans, "Petra Lind")
    assert covers(text, spans, "Omar Haddad")


def test_field_values_that_are_not_names_are_left() -> None:
    text = (
        "Interpreter: Korean (by phone)\n"
        "Client: withheld\n"
        "INTERPRETER: Understood, thank you.\n"
        "Interpreter: Understood. Thank you.\n"
        "Author: Special Rapporteur\n"
    )
    assert labels.fields(text) == []


def test_signature_closing_and_initials_sign_offs() -> None:
    text = (
        "Can you call the landlord?\n\nThanks,\nBeata\n\n---\n\n"
        "Done, he agreed.\n\nR.\n\n--\nRowan Achebe | Outreach\n\n"
        "Left a note on the desk.\n\n- jm\n"
    )
    spans = labels.signatures(text)
    for needle in ("Beata", "R", "Rowan Achebe", "jm"):
        assert covers(text, spans, needle), needle


def test_short_chat_words_on_their_own_line_are_not_initials() -> None:
    text = "Are you coming?\n\nok\n\nsee you\n"
    assert labels.signatures(text) == []


def test_recurring_speaker_labels_are_people_but_roles_are_not() -> None:
    text = (
        "[00:00:03] HOST: Welcome back.\n"
        "[00:00:05] DAEHO: Thank you.\n"
        "[00:00:09] HOST: Where were you?\n"
        "[00:00:12] DAEHO: In the port.\n"
        "Note: one-off label\n"
    )
    spans = labels.speakers(text)
    assert covers(text, spans, "DAEHO")
    assert covers(text, spans, "DAEHO", occurrence=1)
    assert not touches(text, spans, "HOST")
    assert not touches(text, spans, "Note")


def test_naming_phrases_quoted_and_bare() -> None:
    text = (
        'On air we are calling her "Sunny". He said to call him Twelve. '
        'The driver, whom she knows only as "Vitya", drove. Her name sounded like Bora.'
    )
    spans = labels.naming_phrases(text)
    for needle in ("Sunny", "Twelve", "Vitya", "Bora"):
        assert covers(text, spans, needle), needle


def test_long_quoted_descriptions_after_call_are_not_names() -> None:
    text = 'They called him "the one who never sleeps at all" behind his back.'
    assert labels.naming_phrases(text) == []


def test_reference_numbers_after_labels() -> None:
    text = "Our ref: HX/2031/4471\nRef.: UA KOR 3/2030\nreference to the law"
    spans = labels.references(text)
    assert covers(text, spans, "HX/2031/4471")
    assert covers(text, spans, "UA KOR 3/2030")
    assert all(s.category == CODE for s in spans)


def test_names_spread_in_lower_and_upper_case(detector: Detector) -> None:
    text = "Arkady Volkov drove us. later arkady came back. VOLKOV: hello."
    spans = detector.detect(text)
    assert covers(text, spans, "arkady")
    assert covers(text, spans, "VOLKOV")


def test_ordinary_words_do_not_spread_from_names(detector: Detector) -> None:
    """A name that is also a frequent word stays capitalised only."""
    text = "Grace Adeyemi met us. There was no grace in how they treated us."
    spans = detector.detect(text)
    assert covers(text, spans, "Grace Adeyemi")
    assert not touches(text, spans, "grace in")


def test_russian_firm_stems_in_latin_script() -> None:
    text = "He worked for Dalneftstroi, then Kedr-Les, then SibAgro-Trans."
    spans = orgs.find(text)
    for needle in ("Dalneftstroi", "Kedr-Les", "SibAgro-Trans"):
        assert covers(text, spans, needle), needle
    assert all(s.category == ORG for s in spans)


def test_names_ending_like_firm_stems_are_not_firms() -> None:
    text = "Charles and Crystal visited Marseilles."
    assert orgs.find(text) == []


def test_employer_slot_names_a_firm() -> None:
    text = "They were hired by Zarya Nord and later a company, Belfort, paid them."
    spans = orgs.find(text)
    assert covers(text, spans, "Zarya Nord")
    assert covers(text, spans, "Belfort")


def test_spelled_sums_need_a_personal_transaction() -> None:
    text = "Her brother paid three thousand dollars. They keep a hundred, two hundred dollars back."
    spans = [s for s in quantities.find(text) if s.category == QUANTITY]
    assert covers(text, spans, "three thousand dollars")
    assert not touches(text, spans, "two hundred dollars")


def test_uk_and_transliterated_russian_addresses() -> None:
    text = "Flat 7, 19 Orchard Close, Little Hadley HX4 9QT. Then ul. Kirova 12-3, Tynda."
    spans = patterns.addresses(text)
    assert covers(text, spans, "Flat 7, 19 Orchard Close, Little Hadley HX4 9QT")
    assert covers(text, spans, "ul. Kirova 12-3, Tynda")


def test_festival_dates_and_weekday_dates(detector: Detector) -> None:
    text = "We left after Lunar New Year 2021. Call logged Tue 3 Mar 2026, 21:40."
    spans = detector.detect(text)
    assert covers(text, spans, "Lunar New Year 2021")
    assert covers(text, spans, "Tue 3 Mar 2026, 21:40")


def test_un_organs_mandates_and_local_councils_stay_readable(detector: Detector) -> None:
    text = (
        "The Special Rapporteur on torture wrote to the Human Rights Council and to "
        "Harlow District Council. Security Council resolution 2270 of 2 March 2016 applies. "
        "Mr Ri Chol-jin, a welder, was detained."
    )
    spans = detector.detect(text)
    for public in ("Special Rapporteur", "Human Rights Council", "Harlow District Council",
                   "2 March 2016"):
        assert not touches(text, spans, public), public
    assert covers(text, spans, "Ri Chol-jin")


def test_call_me_takes_a_two_word_capitalised_name() -> None:
    text = "At the yard they call me Lucky Seven, nobody uses my name.\n"
    assert covers(text, labels.naming_phrases(text), "Lucky Seven")
    text = "Please call me Tomasz and not sir.\n"
    spans = labels.naming_phrases(text)
    assert covers(text, spans, "Tomasz")
    assert not touches(text, spans, "and")


def test_fields_with_a_bracketed_qualifier_and_a_second_field_on_the_line() -> None:
    text = (
        "Legal name (as in passport): Odette Ramsay-Kerr\n"
        "Student: tobias venn     Supervisor: Ilse Marten\n"
        "Victim: Ruslan Ode\n"
    )
    spans = labels.fields(text)
    for needle in ("Odette Ramsay-Kerr", "tobias venn", "Ilse Marten", "Ruslan Ode"):
        assert covers(text, spans, needle), needle
    assert not touches(text, spans, "Supervisor")


def test_a_label_word_inside_a_sentence_is_not_a_second_field() -> None:
    text = "We asked the pupil who her supervisor: was it the teacher?\n"
    assert labels.fields(text) == []
