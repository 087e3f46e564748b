"""The intake form, generated from app.intake.schema.

CSRF is checked by the view before any attachment is sealed (the body is
streamed, so flask-wtf's automatic check cannot read it); the form itself
therefore runs with ``csrf=False`` and only validates values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs predate 3.3
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
)

from app.i18n import N_
from app.intake import schema
from app.intake.schema import FieldSpec, IntakeAnswers, Kind

TEXT_LIMIT = 2_000
LONG_TEXT_LIMIT = 20_000
NARRATIVE_LIMIT = 400_000


NARRATIVE = "narrative"
# Said beside the question and in the summary at the top: what to do, not what went wrong.
CHOOSE_ONE = _l("Choose one of the answers.")
WRITE_SOMETHING = _l("Write an answer here.")
GIVE_A_DATE = _l("Give the date: day, month and year.")
WRITE_THE_NARRATIVE = _l("Write down what the witness told, even a few lines.")
# Headings of the form's parts after the narrative, and what each holds.
# Marked for the catalogs (app.i18n.N_); the template translates them.
PART_TITLES = {**schema.SECTION_LABELS, "indicators": N_("Signs of forced labour (ILO)"),
               "attachments": N_("Recordings, photos and documents")}
PART_NOTES = {
    "case": N_("Date, place, who was there, what the witness agreed to"),
    "witness": N_("Names, contacts, hometown, family, how they left"),
    "deployment": N_("When, where, in what work and for whom"),
    "conditions": N_("Hours, pay, passport, freedom, threats, injuries"),
    "indicators": N_("Eleven indicators, each answered yes, no or not known"),
    "attachments": N_("Up to five files"),
}


@dataclass(frozen=True)
class Part:
    key: str
    title: str
    note: str
    required: int
    open: bool


class AtLeastOne:
    """Like DataRequired for a checkbox group, but without the HTML ``required``
    flag: browsers put it on every box and then demand that all be ticked."""

    def __call__(self, _form: Any, field: Field) -> None:
        if not field.data:
            raise StopValidation(_("Tick at least one."))


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes instead of a multi-select: usable without JavaScript."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def options(choices: schema.Choices, *, blank: bool = False) -> list[SelectChoice]:
    """wtforms 3.3 declares options as SelectChoice; a blank first option
    makes an unanswered question visible instead of silently picking one."""
    pairs = [("", "—"), *choices] if blank else list(choices)
    return [SelectChoice(value, _l(label) if value else label) for value, label in pairs]


def _field_for(spec: FieldSpec) -> Field:
    required = [InputRequired(WRITE_SOMETHING)] if spec.required else [Optional()]
    kwargs: dict[str, Any] = {"description": _l(spec.help) if spec.help else ""}
    validators: list[Any]
    if spec.kind is Kind.CHOICE:
        validators = [DataRequired(CHOOSE_ONE)] if spec.required else [Optional()]
        return SelectField(_l(spec.label), choices=options(spec.choices, blank=True),
                           validators=validators, **kwargs)
    if spec.kind is Kind.MULTI:
        validators = [AtLeastOne()] if spec.required else [Optional()]
        return MultiCheckboxField(_l(spec.label), choices=options(spec.choices),
                                  validators=validators, **kwargs)
    if spec.kind is Kind.BOOLEAN:
        return BooleanField(_l(spec.label), **kwargs)
    if spec.kind is Kind.NUMBER:
        return IntegerField(_l(spec.label), validators=[*required, NumberRange(spec.minimum,
                                                                           spec.maximum)],
                            **kwargs)
    if spec.kind is Kind.DATE:
        return DateField(_l(spec.label), validators=[InputRequired(GIVE_A_DATE)] if spec.required
                         else [Optional()], **kwargs)
    limit = LONG_TEXT_LIMIT if spec.kind is Kind.LONG_TEXT else TEXT_LIMIT
    field_class = TextAreaField if spec.kind is Kind.LONG_TEXT else StringField
    return field_class(_l(spec.label), validators=[*required, Length(max=limit)], **kwargs)


def _indicator_fields(name: str, label: str) -> dict[str, Field]:
    return {
        f"ilo_{name}_present": SelectField(_l(label), choices=options(schema.PRESENCE),
                                           default="unknown", validators=[DataRequired()]),
        f"ilo_{name}_basis": SelectField(_l("Basis"), choices=options(schema.BASIS, blank=True),
                                         validators=[Optional()]),
        f"ilo_{name}_frequency": SelectField(
            _l("Frequency"), choices=options(schema.FREQUENCY, blank=True),
            validators=[Optional()]),
    }


class IntakeForm(FlaskForm):
    class Meta:
        csrf = False

    narrative = TextAreaField(_l("What happened"),
                              validators=[InputRequired(WRITE_THE_NARRATIVE),
                                          Length(max=NARRATIVE_LIMIT)])

    def answers(self) -> IntakeAnswers:
        """Values by field name, coded and sealed, as the service expects."""
        values: dict[str, Any] = {}
        for spec in schema.FIELDS:
            value = self[spec.name].data
            if isinstance(value, str):
                value = value.strip() or None
            elif spec.kind is Kind.DATE and value is not None:
                value = value.isoformat()
            values[spec.name] = value
        indicators = {
            name: {part: (self[f"ilo_{name}_{part}"].data or None)
                   for part in ("present", "basis", "frequency")}
            for name, _label in schema.ILO_INDICATORS
        }
        return IntakeAnswers(values=values, narrative=self.narrative.data or "",
                              indicators=indicators)

    @classmethod
    def grouped(cls, form: IntakeForm) -> dict[str, list[Field]]:
        """Fields per section, in schema order, for the template."""
        return {section: [form[spec.name] for spec in schema.FIELDS if spec.section == section]
                for section in schema.SECTIONS}

    def error_links(self) -> list[tuple[str, str, str]]:
        """(element id, label, message) per field in error, in the order of the page,
        for the summary at the top: each links to its question."""
        names = [NARRATIVE, *(spec.name for spec in schema.FIELDS),
                 *(f"ilo_{name}_{part}" for name, _label in schema.ILO_INDICATORS
                   for part in ("present", "basis", "frequency"))]
        return [(self[name].id, self[name].label.text, " ".join(map(str, self[name].errors)))
                for name in names if self[name].errors]

    def parts(self) -> list[Part]:
        """The collapsible parts of the page after the narrative. A part starts open
        when it holds a required question, an error or anything already answered
        (a form sent back after a failed check shows every kept answer)."""
        result = []
        for key in (*schema.SECTIONS, "indicators", "attachments"):
            names = self._part_fields(key)
            required = sum(1 for name in names
                           if name in schema.BY_NAME and schema.BY_NAME[name].required)
            answered = any(self._answered(name) for name in names)
            errors = any(self[name].errors for name in names)
            result.append(Part(key, PART_TITLES[key], PART_NOTES[key], required,
                               bool(required) or answered or errors or key == "attachments"))
        return result

    def _part_fields(self, key: str) -> list[str]:
        if key == "indicators":
            return [f"ilo_{name}_{part}" for name, _label in schema.ILO_INDICATORS
                    for part in ("present", "basis", "frequency")]
        return [spec.name for spec in schema.FIELDS if spec.section == key]

    def _answered(self, name: str) -> bool:
        data = self[name].data
        if name.endswith("_present"):
            return data not in (None, "", "unknown")
        return data not in (None, "", [], False)


for _spec in schema.FIELDS:
    setattr(IntakeForm, _spec.name, _field_for(_spec))
for _name, _label in schema.ILO_INDICATORS:
    for _field_name, _field in _indicator_fields(_name, _label).items():
        setattr(IntakeForm, _field_name, _field)
