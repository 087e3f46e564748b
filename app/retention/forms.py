"""Forms of the retention pages (CSRF on each, as every FlaskForm)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs predate 3.3
from wtforms.validators import DataRequired, NumberRange, Optional

from app.cases.workflow import STATUS_LABELS
from app.models import CaseStatus
from app.retention.service import (
    HOLD_LABELS,
    LIFT_LABELS,
    MAX_KEEP_DAYS,
    MIN_KEEP_DAYS,
)
from app.retention.shredding import BY_HAND, REASON_LABELS


class _RulesBase(FlaskForm):
    def field_for(self, status: CaseStatus) -> Any:
        return self[f"keep_{status.value}"]

    def wanted(self) -> dict[CaseStatus, int | None]:
        return {status: self.field_for(status).data for status in CaseStatus}


def _rules_form_class() -> type[_RulesBase]:
    fields: dict[str, Any] = {
        f"keep_{status.value}": IntegerField(
            _l("%(status)s: delete after (days)", status=_l(label)),
            validators=[Optional(), NumberRange(
                MIN_KEEP_DAYS, MAX_KEEP_DAYS,
                message=_l("Number must be between %(min)s and %(max)s."))])
        for status, label in STATUS_LABELS.items()}
    return type("RulesForm", (_RulesBase,), fields)


RulesForm = _rules_form_class()


def rules_form(current: dict[CaseStatus, int]) -> _RulesBase:
    return RulesForm(data={f"keep_{status.value}": days for status, days in current.items()})


class HoldForm(FlaskForm):
    reason = SelectField(_l("Reason for the hold"), validators=[DataRequired()],
                         choices=[SelectChoice(r.value, _l(label))
                                  for r, label in HOLD_LABELS.items()],
                         id="hold-reason")  # three forms on one page: distinct ids


class LiftForm(FlaskForm):
    reason = SelectField(_l("Why the hold ends"), validators=[DataRequired()],
                         choices=[SelectChoice(r.value, _l(label))
                                  for r, label in LIFT_LABELS.items()],
                         id="lift-reason")


class DateForm(FlaskForm):
    delete_after = DateField(_l("Delete this case on or after"), validators=[Optional()])
    save = SubmitField(_l("Set the date"))
    clear = SubmitField(_l("Follow the organisation's rules"))


class DeleteForm(FlaskForm):
    reason = SelectField(_l("Why"), validators=[DataRequired()],
                         choices=[SelectChoice(r.value, _l(REASON_LABELS[r])) for r in BY_HAND],
                         id="delete-reason")
    confirm = StringField(_l("Type the case's id to confirm"), validators=[DataRequired()])
