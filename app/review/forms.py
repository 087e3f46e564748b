"""Forms of the redaction editor and the approval page (CSRF on every one)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs predate 3.3
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from app.cases.workflow import REASON_LABELS, Reason
from app.review.layers import ACCEPTED, CATEGORY_LABELS, ID_TYPE_LABELS, REJECTED


def _every_of_type(label: str) -> str:
    return str(_("Every suggestion of type: %(kind)s", kind=_(label).lower()))


GROUPS = [
    SelectChoice("DIRECT", _l("Every direct identifier")),
    SelectChoice("QUASI", _l("Every quasi-identifier")),
    *(SelectChoice(code, LazyString(_every_of_type, label))
      for code, label in CATEGORY_LABELS.items()),
]


def _choices(labels: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(code, _l(label)) for code, label in labels.items()]


class DecideForm(FlaskForm):
    """Accept or reject one suggestion (the button pressed says which)."""

    span = HiddenField(validators=[DataRequired(), Length(max=200)])
    decision = HiddenField(validators=[AnyOf([ACCEPTED, REJECTED])])


class GroupForm(FlaskForm):
    group = SelectField(_l("Accept all undecided suggestions of"), choices=GROUPS)


class PhraseForm(FlaskForm):
    phrase = StringField(_l("Exact words to mask"), validators=[DataRequired(), Length(max=500)])
    category = SelectField(_l("What it is"), choices=_choices(CATEGORY_LABELS), default="PERSON")
    id_type = SelectField(_l("How identifying"), choices=_choices(ID_TYPE_LABELS),
                          default="DIRECT")
    # Filled by redaction.js when the words were selected in the text.
    field = HiddenField(validators=[Optional(), Length(max=60)])
    start = IntegerField(validators=[Optional()], render_kw={"hidden": True})
    end = IntegerField(validators=[Optional()], render_kw={"hidden": True})


class SharedForm(FlaskForm):
    """Mask one entity shared with related cases (its id), or every one (no id)."""

    entity = HiddenField(validators=[Optional(), Length(max=32)])


class SweepForm(FlaskForm):
    """The sweep's decisions are radio groups named ``sweep-<item>``, read by the view."""


class SubmitForm(FlaskForm):
    """Send the redaction to a second reviewer."""


class ApproveForm(FlaskForm):
    """Approve the redaction as it stands."""


class ReturnForm(FlaskForm):
    reason = SelectField(_l("Why it goes back"),
                         choices=[SelectChoice(r.value, _l(REASON_LABELS[r])) for r in Reason],
                         default=Reason.IDENTIFYING_DETAIL_LEFT.value)
    comment = TextAreaField(_l("Comment for the redactor (sealed with the case)"),
                            validators=[Optional(), Length(max=4000)])
