from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs predate 3.3
from wtforms.validators import DataRequired

from app.i18n import LANGUAGES


class LanguageForm(FlaskForm):
    # Each language is named in itself: a reader who cannot read the current
    # interface still finds their own.
    language = SelectField(_l("Language"), choices=[
        SelectChoice(code, name) for code, name in LANGUAGES.items()],
        validators=[DataRequired()])
    next = HiddenField()
