from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length


class UnlockForm(FlaskForm):
    passphrase = PasswordField("Key passphrase", validators=[DataRequired(), Length(max=1024)])


class LockForm(FlaskForm):
    """Locking is a POST with a CSRF token like every other state change."""
