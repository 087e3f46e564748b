"""The intake form, generated from app.intake.schema.

CSRF is checked by the view before any attachment is sealed (the body is
streamed, so flask-wtf's automatic check cannot read it); the form itself
therefore runs with ``csrf=False`` and only validates values.
"""

from __future__ import annotations

from typing import Any

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

from app.intake import schema
from app.intake.schema import FieldSpec, IntakeAnswers, Kind

TEXT_LIMIT = 2_000
LONG_TEXT_LIMIT = 20_000
NARRATIVE_LIMIT = 400_000


class AtLeastOne:
    """Like DataRequired for a checkbox group, but without the HTML ``required``
    flag: browsers put it on every box and then demand that all be ticked."""

    def __call__(self, _form: Any, field: Field) -> None:
        if not field.data:
            raise StopValidation("Choose at least one.")


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes instead of a multi-select: usable without JavaScript."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def options(choices: schema.Choices, *, blank: bool = False) -> list[SelectChoice]:
    """wtforms 3.3 declares options as SelectChoice; a blank first option
    makes an unanswered question visible instead of silently picking one."""
    pairs = [("", "—"), *choices] if blank else list(choices)
    return [SelectChoice(value, label) for value, label in pairs]


def _field_for(spec: FieldSpec) -> Field:
    required = [InputRequired()] if spec.required else [Optional()]
    kwargs: dict[str, Any] = {"description": spec.help}
    validators: list[Any]
    if spec.kind is Kind.CHOICE:
        validators = [DataRequired()] if spec.required else [Optional()]
        return SelectField(spec.label, choices=options(spec.choices, blank=True),
                           validators=validators, **kwargs)
    if spec.kind is Kind.MULTI:
        validators = [AtLeastOne()] if spec.required else [Optional()]
        return MultiCheckboxField(spec.label, choices=options(spec.choices),
                                  validators=validators, **kwargs)
    if spec.kind is Kind.BOOLEAN:
        return BooleanField(spec.label, **kwargs)
    if spec.kind is Kind.NUMBER:
        return IntegerField(spec.label, validators=[*required, NumberRange(spec.minimum,
                                                                           spec.maximum)],
                            **kwargs)
    if spec.kind is Kind.DATE:
        return DateField(spec.label, validators=required, **kwargs)
    limit = LONG_TEXT_LIMIT if spec.kind is Kind.LONG_TEXT else TEXT_LIMIT
    field_class = TextAreaField if spec.kind is Kind.LONG_TEXT else StringField
    return field_class(spec.label, validators=[*required, Length(max=limit)], **kwargs)


def _indicator_fields(name: str, label: str) -> dict[str, Field]:
    return {
        f"ilo_{name}_present": SelectField(label, choices=options(schema.PRESENCE),
                                           default="unknown", validators=[DataRequired()]),
        f"ilo_{name}_basis": SelectField("Basis", choices=options(schema.BASIS, blank=True),
                                         validators=[Optional()]),
        f"ilo_{name}_frequency": SelectField(
            "Frequency", choices=options(schema.FREQUENCY, blank=True), validators=[Optional()]),
    }


class IntakeForm(FlaskForm):
    class Meta:
        csrf = False

    narrative = TextAreaField("Narrative",
                              validators=[InputRequired(), Length(max=NARRATIVE_LIMIT)])

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


for _spec in schema.FIELDS:
    setattr(IntakeForm, _spec.name, _field_for(_spec))
for _name, _label in schema.ILO_INDICATORS:
    for _field_name, _field in _indicator_fields(_name, _label).items():
        setattr(IntakeForm, _field_name, _field)
