from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs predate 3.3
from wtforms.validators import DataRequired, Length, Regexp

from app.models import CLUSTER_REASON_LABELS

REASON_CHOICES = [SelectChoice(reason.value, _l(label))
                  for reason, label in CLUSTER_REASON_LABELS.items()]

# Case numbers are random hex (app.intake.service.new_case_id).
_CASE_NUMBER = [DataRequired(), Length(max=32),
                Regexp(r"^\s*[0-9A-Za-z-]+\s*$", message=_l("Enter a case number."))]


class CreateClusterForm(FlaskForm):
    reason = RadioField(_l("Why these cases belong together"), choices=REASON_CHOICES,
                        validators=[DataRequired()])
    case_public_id = StringField(_l("Number of the first case"), validators=_CASE_NUMBER)


class AddCaseForm(FlaskForm):
    case_public_id = StringField(_l("Number of the case to add"), validators=_CASE_NUMBER)


class ActionForm(FlaskForm):
    """A button that changes state: POST with a CSRF token, nothing else."""
