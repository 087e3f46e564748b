"""The export page's forms: scope and purpose, approval, settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs predate 3.3
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.exports.selection import PURPOSE_LABELS
from app.intake import schema
from app.models import ExportApproval

_AGE_RECIPIENT = [Optional(), Length(max=100),
                  Regexp(r"^\s*age1[0-9a-z]{58}\s*$",
                         message=_l("Enter an age public key: it starts with age1."))]


def _any(choices: schema.Choices) -> list[SelectChoice]:
    return [SelectChoice("", _l("Any")),
            *(SelectChoice(value, _l(label)) for value, label in choices)]


class ExportForm(FlaskForm):
    purpose = RadioField(_l("Purpose"), choices=[
        SelectChoice(purpose.value, _l(label)) for purpose, label in PURPOSE_LABELS.items()],
        validators=[DataRequired(message=_l("Choose what the export is for."))])
    sector = SelectField(_l("Sector"), choices=_any(schema.SECTORS), default="")
    indicator = SelectField(_l("Forced-labour indicator reported as present"),
                            choices=_any(schema.ILO_INDICATORS), default="")
    cluster_public_id = StringField(_l("Cluster number"), validators=[
        Optional(), Length(max=32), Regexp(r"^\s*[0-9A-Za-z-]+\s*$",
                                           message=_l("Enter a cluster number."))])
    filed_from = DateField(_l("Filed on or after"), validators=[Optional()])
    filed_to = DateField(_l("Filed on or before"), validators=[Optional()])
    prosecutor = StringField(_l("Prosecutor's age public key (evidence packages only)"),
                             validators=_AGE_RECIPIENT)
    encrypt_to = StringField(_l("Encrypt the whole bundle to this age public key (optional)"),
                             validators=_AGE_RECIPIENT)
    submit = SubmitField(_l("Build the export"))


class ActionForm(FlaskForm):
    """Approve, or download: a POST with only the CSRF token."""


class ApprovalSettingForm(FlaskForm):
    export_approval = SelectField(_l("A second admin approves each export"), choices=[
        SelectChoice(ExportApproval.AUTO.value,
                     _l("When the organisation has two or more admins")),
        SelectChoice(ExportApproval.ALWAYS.value, _l("Always")),
        SelectChoice(ExportApproval.NEVER.value,
                     _l("Never (evidence packages still need it)")),
    ])
    save = SubmitField(_l("Save"))
