"""Forms of the case view: coded fields a reviewer sets, and notes."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.cases.service import NOTE_LIMIT
from app.intake import schema
from app.intake.forms import options


class NoteForm(FlaskForm):
    text = TextAreaField(_l("New note"), validators=[DataRequired(), Length(max=NOTE_LIMIT)])


class _CodedBase(FlaskForm):
    reliability = SelectField(_l("Reliability of the testimony"),
                              choices=options(schema.RELIABILITY, blank=True),
                              validators=[Optional()])

    def indicator_rows(self) -> list[tuple[str, Field, Field, Field]]:
        return [(label, self[f"ilo_{name}_present"], self[f"ilo_{name}_basis"],
                 self[f"ilo_{name}_frequency"]) for name, label in schema.ILO_INDICATORS]

    def indicator_answers(self) -> dict[str, dict[str, str | None]]:
        return {name: {part: (self[f"ilo_{name}_{part}"].data or None)
                       for part in ("present", "basis", "frequency")}
                for name, _label in schema.ILO_INDICATORS}


def _coded_form_class() -> type[_CodedBase]:
    fields: dict[str, Any] = {}
    for name, label in schema.ILO_INDICATORS:
        fields[f"ilo_{name}_present"] = SelectField(
            _l("%(indicator)s: present", indicator=_l(label)), choices=options(schema.PRESENCE),
            validators=[DataRequired()], default="unknown")
        fields[f"ilo_{name}_basis"] = SelectField(
            _l("%(indicator)s: how the witness knows", indicator=_l(label)),
            choices=options(schema.BASIS, blank=True),
            validators=[Optional()])
        fields[f"ilo_{name}_frequency"] = SelectField(
            _l("%(indicator)s: how often", indicator=_l(label)),
            choices=options(schema.FREQUENCY, blank=True),
            validators=[Optional()])
    return type("CodedForm", (_CodedBase,), fields)


CodedForm = _coded_form_class()


def coded_form_for(case: Any, formdata: Any = None) -> _CodedBase:
    """The form, filled from the case's current coded answers (or ``formdata``)."""
    rows = {row.indicator: row for row in case.indicators}
    data: dict[str, Any] = {"reliability": case.reliability or ""}
    for name, _label in schema.ILO_INDICATORS:
        row = rows.get(name)
        data[f"ilo_{name}_present"] = row.present if row else "unknown"
        data[f"ilo_{name}_basis"] = (row.basis if row else None) or ""
        data[f"ilo_{name}_frequency"] = (row.frequency if row else None) or ""
    if formdata is not None:
        return CodedForm(formdata=formdata)
    return CodedForm(formdata=None, data=data)
