from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs predate 3.3
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.cases.workflow import STATUS_LABELS
from app.grants.service import Scope
from app.intake import schema

SCOPE_CHOICES = [
    SelectChoice(Scope.CASE.value, _l("One case, by its number")),
    SelectChoice(Scope.FILTER.value, _l("Every case matching the filter below")),
    SelectChoice(Scope.CLUSTER.value, _l("Every case of a cluster")),
]


def _any(choices: schema.Choices | list[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice("", _l("Any")),
            *(SelectChoice(value, _l(label)) for value, label in choices)]


_NUMBER = [Optional(), Length(max=32), Regexp(r"^\s*[0-9A-Za-z-]+\s*$",
                                              message=_l("Enter a case or cluster number."))]


class GrantForm(FlaskForm):
    # Choices are the organisation's members, set by the view; the service
    # checks the organisation again.
    member = SelectField(_l("Member"), coerce=int, validate_choice=False,
                         validators=[DataRequired()])
    scope = RadioField(_l("Which cases"), choices=SCOPE_CHOICES, default=Scope.CASE.value,
                       validators=[DataRequired()])
    case_public_id = StringField(_l("Case number"), validators=_NUMBER)
    sector = SelectField(_l("Sector"), choices=_any(schema.SECTORS), default="")
    status = SelectField(_l("Status"), choices=_any(
        [(status.value, label) for status, label in STATUS_LABELS.items()]), default="")
    indicator = SelectField(_l("Forced-labour indicator reported as present"),
                            choices=_any(schema.ILO_INDICATORS), default="")
    cluster_public_id = StringField(_l("Cluster number"), validators=_NUMBER)
    # Where to go afterwards (the case page's access panel sends its own path).
    next = HiddenField()
    grant = SubmitField(_l("Grant access"))
    revoke = SubmitField(_l("Revoke access"))


class ChooseMemberForm(FlaskForm):
    """GET form: whose access the page shows (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    member = SelectField(_l("Member"), coerce=int, validate_choice=False)


class ActionForm(FlaskForm):
    """A button that changes state: POST with a CSRF token, nothing else."""
