from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from crypto.identities import MIN_PASSPHRASE_LENGTH


class UnlockForm(FlaskForm):
    passphrase = PasswordField("Key passphrase", validators=[DataRequired(), Length(max=1024)])


class LockForm(FlaskForm):
    """Locking is a POST with a CSRF token like every other state change."""


class ChangePassphraseForm(FlaskForm):
    current_passphrase = PasswordField("Current key passphrase", validators=[
        DataRequired(), Length(max=1024)])
    new_passphrase = PasswordField(
        f"New key passphrase (at least {MIN_PASSPHRASE_LENGTH} characters)", validators=[
            DataRequired(), Length(min=MIN_PASSPHRASE_LENGTH, max=1024)])
    confirm_passphrase = PasswordField("Repeat the new key passphrase", validators=[
        DataRequired(), EqualTo("new_passphrase", message="The passphrases differ.")])
