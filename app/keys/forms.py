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


class _NewKeyFields(FlaskForm):
    new_passphrase = PasswordField(
        _l("Passphrase for the new key (at least %(num)d characters, not the old one)",
           num=MIN_PASSPHRASE_LENGTH), validators=[
            DataRequired(), Length(min=MIN_PASSPHRASE_LENGTH, max=1024)])
    confirm_passphrase = PasswordField(_l("Repeat the new passphrase"), validators=[
        DataRequired(), EqualTo("new_passphrase", message=_l("The passphrases differ."))])
    reauth = PasswordField(
        _l("To confirm it is you: your sign-in password, or the current code from your "
           "authenticator app"), validators=[DataRequired(), Length(max=1024)],
        render_kw={"autocomplete": "current-password"})


class RekeyForm(_NewKeyFields):
    """"My key may be compromised" while the key is unlocked: cases move to a new key.

    Prefixed: the passphrase-change form on the same page has fields of the
    same names."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "rekey")
        super().__init__(*args, **kwargs)


class NewKeyForm(_NewKeyFields):
    """A new key without the old one (lost passphrase): an admin re-grants the cases."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "newkey")
        super().__init__(*args, **kwargs)
