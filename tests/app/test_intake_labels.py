"""Every choice reads as words a person uses, not as a code with its underscores gone."""

from __future__ import annotations

from app.intake import schema

# Codes whose plain reading was checked and is already what a person says.
READ_AS_WRITTEN = frozenset({"unfinished_building"})


def _generated(code: str) -> str:
    return code.replace("_", " ").capitalize()


def test_no_multi_word_choice_label_is_generated_from_its_code() -> None:
    generated = [(spec.name, code, label)
                 for spec in schema.FIELDS for code, label in spec.choices
                 if "_" in code and code not in READ_AS_WRITTEN and label == _generated(code)]
    assert generated == []


def test_labels_people_asked_for_read_as_words() -> None:
    consent = dict(schema.CONSENT_SCOPES)
    assert consent["share_un"] == "Share with the UN"
    labels = {label for spec in schema.FIELDS for _code, label in spec.choices}
    assert not labels & {"Share un", "In rok", "Fishing seafood", "Returned dprk"}
    status = dict(next(s for s in schema.FIELDS if s.name == "current_status").choices)
    assert status["returned_dprk"] == "Returned to the DPRK"


def test_every_field_has_distinct_labels_for_its_choices() -> None:
    for spec in schema.FIELDS:
        labels = [label for _code, label in spec.choices]
        assert len(labels) == len(set(labels)), spec.name


# Question labels whose plain reading of the field name is already what a person asks.
QUESTIONS_AS_NAMED = frozenset({"sex", "contract", "days_off_per_year"})


def test_question_labels_are_written_not_generated_from_field_names() -> None:
    generated = [spec.name for spec in schema.FIELDS
                 if spec.name not in QUESTIONS_AS_NAMED and spec.label == _generated(spec.name)]
    assert generated == []
    assert set(schema.SECTION_LABELS) == set(schema.SECTIONS)


def test_the_queue_filter_and_exports_use_the_intake_s_own_words() -> None:
    from app.exports.tables import SECTOR_LABELS as EXPORT_SECTORS
    from app.queue.forms import SECTOR_LABELS as QUEUE_SECTORS

    assert dict(schema.SECTORS) == QUEUE_SECTORS
    assert dict(schema.SECTORS).items() <= EXPORT_SECTORS.items()
