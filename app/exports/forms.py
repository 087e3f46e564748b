"""The export page's forms: scope and purpose, approval, settings."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs predate 3.3
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.exports.selection import PURPOSE_LABELS
from app.intake import schema
from app.models import ExportApproval

_AGE_RECIPIENT = [Optional(), Length(max=100),
                  Regexp(r"^\s*age1[0-9a-z]{58}\s*$",
                         message="Enter an age public key: it starts with age1.")]


def _any(choices: schema.Choices) -> list[SelectChoice]:
    return [SelectChoice("", "Any"), *(SelectChoice(value, label) for value, label in choices)]


class ExportForm(FlaskForm):
    purpose = RadioField("Purpose", choices=[
        SelectChoice(purpose.value, label) for purpose, label in PURPOSE_LABELS.items()],
        validators=[DataRequired(message="Choose what the export is for.")])
    sector = SelectField("Sector", choices=_any(schema.SECTORS), default="")
    indicator = SelectField("Forced-labour indicator reported as present",
                            choices=_any(schema.ILO_INDICATORS), default="")
    cluster_public_id = StringField("Cluster number", validators=[
        Optional(), Length(max=32), Regexp(r"^\s*[0-9A-Za-z-]+\s*$",
                                           message="Enter a cluster number.")])
    filed_from = DateField("Filed on or after", validators=[Optional()])
    filed_to = DateField("Filed on or before", validators=[Optional()])
    prosecutor = StringField("Prosecutor's age public key (evidence packages only)",
                             validators=_AGE_RECIPIENT)
    encrypt_to = StringField("Encrypt the whole bundle to this age public key (optional)",
                             validators=_AGE_RECIPIENT)
    submit = SubmitField("Build the export")


class ActionForm(FlaskForm):
    """Approve, or download: a POST with only the CSRF token."""


class ApprovalSettingForm(FlaskForm):
    export_approval = SelectField("A second admin approves each export", choices=[
        SelectChoice(ExportApproval.AUTO.value, "When the organisation has two or more admins"),
        SelectChoice(ExportApproval.ALWAYS.value, "Always"),
        SelectChoice(ExportApproval.NEVER.value, "Never (evidence packages still need it)"),
    ])
    save = SubmitField("Save")
