"""Conventions that put a name somewhere whatever its shape: booking names,
role abbreviations, log authors, quoted nicknames and pseudonym fields,
initials and logins in fields, "with X interpreting", "that is X". Every
example is invented for these tests."""

from __future__ import annotations

from redaction_helpers import covers, touches

from app.redaction import namings
from app.redaction.detector import Detector
from app.redaction.spans import PERSON


def test_booking_names_with_a_title_or_after_a_passenger_field() -> None:
    text = (
        "1. HALVORSEN/INGRID MS  seat 3F\n"
        "2. DUARTE/JOAO PEDROMR  seat 3E\n"
        "Passenger name: OKAFOR/CHIDI\n"
    )
    spans = namings.bookings(text)
    for needle in ("HALVORSEN/INGRID", "DUARTE/JOAO PEDRO", "OKAFOR/CHIDI"):
        assert covers(text, spans, needle), needle
    assert not touches(text, spans, "MS")
    assert all(s.category == PERSON for s in spans)


def test_slashes_that_are_not_bookings_are_left() -> None:
    text = "Use TCP/IP and the AND/OR gate. The route VVO/ICN was full.\n"
    assert namings.bookings(text) == []


def test_a_booking_name_spreads_by_its_parts() -> None:
    text = "Pax: BRANDT/LUKAS MR, seat 9C. Later Mr Brandt asked for water; Lukas slept.\n"
    spans = Detector().detect(text)
    for needle in ("BRANDT/LUKAS", "Brandt", "Lukas"):
        assert covers(text, spans, needle), needle


def test_names_after_role_abbreviations_and_spelled_titles() -> None:
    text = (
        "FA Teodora Lind served the meal; CA Brennagh told the captain.\n"
        "Senior Purser Ilsabet Varga wrote it up. PC Okwuosa took a statement.\n"
        "Cpl. Marchetti and TA Siobhan Quill were present.\n"
    )
    spans = namings.role_names(text)
    for needle in ("Teodora Lind", "Brennagh", "Ilsabet Varga", "Okwuosa", "Marchetti",
                   "Siobhan Quill"):
        assert covers(text, spans, needle), needle
    assert not touches(text, spans, "FA ")
    assert not touches(text, spans, "Senior Purser")


def test_role_abbreviations_before_ordinary_words_are_left() -> None:
    text = (
        "The Attorney General replied. He bought a PC Monday. DC United won.\n"
        "Ask the TA About the timetable.\n"
    )
    assert namings.role_names(text) == []


def test_log_entry_authors_in_brackets() -> None:
    text = (
        "- 2/9 (Wendell R.): Client arrived late.\n"
        "- 9/9 (priya s): no show.\n"
        "14:10 [Ottoline] - called back.\n"
        "- 16/9 (Ros Delacourt): parcel collected.\n"
    )
    spans = namings.log_authors(text)
    for needle in ("Wendell R.", "priya s", "Ottoline", "Ros Delacourt"):
        assert covers(text, spans, needle), needle


def test_bracketed_words_after_dates_that_are_not_authors() -> None:
    text = (
        "- 2/9 (update): moved.\n- 3/9 (draft): none.\n- 4/9 (note): call back.\n"
        "- 5/9 (HCA): bed moved.\n- 6/9 (Night): quiet.\n- 7/9 (Tynda): arrived.\n"
    )
    assert namings.log_authors(text) == []


def test_a_log_author_spreads_by_the_first_name() -> None:
    text = "- 2/9 (Wendell R.): Client quiet.\n- 9/9 (Ros D.): she asked for Wendell again.\n"
    spans = Detector().detect(text)
    assert covers(text, spans, "Wendell", occurrence=1)


def test_quoted_nickname_between_given_name_and_surname() -> None:
    text = 'A column by Theodora ("Teddy") Maple-Ashcombe, editor. Write to Teddy.\n'
    spans = Detector().detect(text)
    for needle in ("Theodora", "Teddy", "Maple-Ashcombe"):
        assert covers(text, spans, needle), needle
    assert covers(text, spans, "Teddy", occurrence=1)


def test_quoted_words_between_capitals_that_are_not_nicknames() -> None:
    text = 'The ("Blue") Line runs late. Open "Settings" Menu first.\n'
    assert namings.nicknames(text) == []


def test_pseudonym_fields_and_names_a_person_uses() -> None:
    text = (
        'Survivor (pseudonym): "Silver Birch"\n'
        "Alias: Wolfie\n"
        'At the depot she also used "Natalia" and is known at church as "Dasha".\n'
    )
    spans = namings.nicknames(text)
    for needle in ("Silver Birch", "Wolfie", "Natalia", "Dasha"):
        assert covers(text, spans, needle), needle


def test_used_with_a_quoted_common_word_is_not_a_name() -> None:
    text = 'He uses "Signal" with us, prefers "Telegram" for files and uses "Viber" too.\n'
    spans = namings.nicknames(text)
    for needle in ("Signal", "Telegram", "Viber"):
        assert not touches(text, spans, needle), needle


def test_a_quoted_pseudonym_of_common_words_spreads_only_whole() -> None:
    text = 'Victim (pseudonym): "Silver Birch"\nSister of "Silver Birch". A birch fell.\n'
    spans = Detector().detect(text)
    assert covers(text, spans, "Silver Birch", occurrence=1)
    assert not touches(text, spans, "birch fell")


def test_initials_and_logins_in_person_fields() -> None:
    text = (
        "Reviewer initials: KT      Supervising attorney: MB\n"
        "Exported by: j.novak on 2026-01-02\n"
        "Assigned to: dkowal2\n"
    )
    spans = namings.field_initials(text)
    for needle in ("KT", "MB", "j.novak", "dkowal2"):
        assert covers(text, spans, needle), needle


def test_acronyms_and_words_in_fields_are_left() -> None:
    text = (
        "Staff: UN\nModified by: system\nfollowed by logging and fishing\n"
        "Assigned to: triage   Owner: admin\n"
    )
    assert namings.field_initials(text) == []


def test_with_someone_interpreting_and_chat_presentations() -> None:
    text = (
        "We met twice, with Odile interpreting. Later, with Russian interpreting, less so.\n"
        "She spoke to the head (with Mrs Varga translating).\n"
        "who is the tall one?\nthat is Dmitri, he drives.\n"
    )
    spans = namings.agents(text)
    assert covers(text, spans, "Odile")
    assert covers(text, spans, "Varga")
    assert covers(text, spans, "Dmitri")
    assert not touches(text, spans, "Russian")


def test_chat_presentations_of_things_are_left() -> None:
    text = (
        "that is Monday, ok?\nthis is Important, read it.\nit's Fine.\n"
        "that is Tynda, the town.\nwith Google translating\n"
    )
    assert namings.agents(text) == []


def test_a_bracketed_given_name_and_initial_heads_a_remark() -> None:
    text = "Note (Bronagh K.): she phoned back. See (Plan B): the steps.\n"
    spans = namings.log_authors(text)
    assert covers(text, spans, "Bronagh K.")
    assert not touches(text, spans, "Plan B")


def test_latin_capitals_quoted_in_hangul_text() -> None:
    text = (
        "서류에는 이름이 PAK HYOK로 적혀 있었다. 그는 NGO 직원과 왔다.\n"
        "서류에 KIM SAID로 적혔다.\n"
    )
    spans = namings.latin_in_hangul(text)
    assert covers(text, spans, "PAK HYOK")
    assert not touches(text, spans, "NGO")
    assert not touches(text, spans, "SAID")


def test_role_names_take_apostrophes_and_inner_capitals() -> None:
    text = "Regrets: Fr. Tom O'Malley. PC Ewan McRae came later; CA DeSouza too.\n"
    spans = namings.role_names(text)
    for needle in ("Tom O'Malley", "Ewan McRae", "DeSouza"):
        assert covers(text, spans, needle), needle


def test_a_lowercase_surname_opening_a_note_clause() -> None:
    text = (
        "Client: Han Mi-rae.\n"
        "Note (RB): han wants the morning slot; she phoned twice.\n"
        "lim said no.\n"
    )
    spans = namings.lowercase_subjects(text)
    assert covers(text, spans, "han")
    # "Lim" is never written capitalised here: a lowercase word alone is not enough.
    assert not touches(text, spans, "lim said")


def test_a_lowercase_surname_inside_a_phrase_is_left() -> None:
    text = "Witness: Park Soo-jin.\nWe left the car in the park used by the school.\n"
    assert namings.lowercase_subjects(text) == []


def test_pnr_lines_lowercase_crew_titles_and_single_quoted_nicknames() -> None:
    text = (
        "1.1NOVAK/PAVEL MR 2.1NOVAK/IRENA MRS\n"
        "The purser Ines Vidal called nurse Kang Mi-ok. A private Korean firm paid.\n"
        "Thanks to Robert 'Bobby' Tuilagi. Visit 'Green' Park.\n"
    )
    spans = namings.find(text)
    for needle in ("NOVAK/PAVEL", "NOVAK/IRENA", "Ines Vidal", "Kang Mi-ok", "Bobby", "Tuilagi"):
        assert covers(text, spans, needle), needle
    for needle in ("Korean", "Green", "Park"):
        assert not touches(text, spans, needle), needle


def test_stacked_ranks_and_compounds_after_a_role() -> None:
    text = (
        "Det. Insp. Holloway and Lt. Col. Brandt met Cpt. R. Haddad.\n"
        "He won the FA Cup. Attorney Client Privilege applies. The Inspector General said.\n"
    )
    spans = namings.role_names(text)
    for needle in ("Holloway", "Brandt", "R. Haddad"):
        assert covers(text, spans, needle), needle
    for needle in ("Insp", "Col", "Cup", "Client", "Privilege", "General"):
        assert not touches(text, spans, needle), needle
