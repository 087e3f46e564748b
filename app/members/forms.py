from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    widgets,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs predate 3.3
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from app.auth.passwords import MIN_PASSWORD_LENGTH
from app.models import NewCasesTo, Role
from crypto.identities import MIN_PASSPHRASE_LENGTH

ROLE_CHOICES = [
    SelectChoice(Role.INTERVIEWER.value,
                 _l("Interviewer (records interviews, holds no key)")),
    SelectChoice(Role.REVIEWER.value,
                 _l("Reviewer (holds a key, reads cases granted to them)")),
    SelectChoice(Role.ADMIN.value, _l("Admin (holds a key, manages members and exports)")),
]


class InviteForm(FlaskForm):
    # A plausibility check only: the admin hands the link over in person anyway.
    email = EmailField(_l("E-mail"), validators=[
        DataRequired(), Length(max=254),
        Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter an e-mail address."))])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, validators=[DataRequired()])


class ActionForm(FlaskForm):
    """A button that changes state: POST with a CSRF token, nothing else."""


NEW_CASES_TO_CHOICES = [
    SelectChoice(NewCasesTo.ALL_REVIEWERS.value, _l("Every reviewer and admin")),
    SelectChoice(NewCasesTo.TRIAGE_GROUP.value,
                 _l("Only the triage group and the admins (they grant cases to others)")),
]


class CheckboxesField(SelectMultipleField):
    """Checkboxes instead of a multi-select: usable without JavaScript."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class SettingsForm(FlaskForm):
    interviewer_totp_required = BooleanField(_l("Interviewers must use two-factor sign-in"))
    new_cases_to = RadioField(_l("Who can open a new case"), choices=NEW_CASES_TO_CHOICES,
                              default=NewCasesTo.ALL_REVIEWERS.value)
    # Choices (the active reviewers) are set by the view.
    triage_group = CheckboxesField(_l("Reviewers in the triage group"), coerce=int,
                                   validate_choice=True)


class _Password:
    # One field for both cases: the page must not tell whoever holds the link
    # whether an account with this e-mail exists (the admin who invited could).
    password = PasswordField(
        _l("Password: your current Witnessbox password if you already have an account "
        "with this e-mail address, otherwise a new one"), validators=[
            DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1024)])
    confirm_password = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The passwords differ."))])


class _Passphrase:
    passphrase = PasswordField(_l("Choose a key passphrase"), validators=[
        DataRequired(), Length(min=MIN_PASSPHRASE_LENGTH, max=1024)])
    confirm_passphrase = PasswordField(_l("Repeat the key passphrase"), validators=[
        DataRequired(), EqualTo("passphrase", message=_l("The passphrases differ."))])


class AcceptForm(_Password, FlaskForm):
    pass


class AcceptWithKeyForm(_Password, _Passphrase, FlaskForm):
    pass


def accept_form(holds_key: bool) -> FlaskForm:
    cls: type[FlaskForm] = AcceptWithKeyForm if holds_key else AcceptForm
    return cls()
