from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from crypto.identities import MIN_PASSPHRASE_LENGTH


class UnlockForm(FlaskForm):
    passphrase = PasswordField(_l("Key passphrase"), validators=[DataRequired(), Length(max=1024)])


class LockForm(FlaskForm):
    """Locking is a POST with a CSRF token like every other state change."""


class ChangePassphraseForm(FlaskForm):
    current_passphrase = PasswordField(_l("Current key passphrase"), validators=[
        DataRequired(), Length(max=1024)])
    new_passphrase = PasswordField(
        _l("New key passphrase (at least %(num)d characters)", num=MIN_PASSPHRASE_LENGTH),
        validators=[
            DataRequired(), Length(min=MIN_PASSPHRASE_LENGTH, max=1024)])
    confirm_passphrase = PasswordField(_l("Repeat the new key passphrase"), validators=[
        DataRequired(), EqualTo("new_passphrase", message=_l("The passphrases differ."))])
