"""The interface languages, Flask-free.

Flask-Babel and the locale of each request are in :mod:`app.web.language`;
this package holds what services may use too: the list of languages and
:func:`N_`, the marker for text that is translated where it is shown.
"""

from __future__ import annotations

# Order matters only for the switcher's options; English is the fallback.
# Each language is named in itself: a reader who cannot read the current
# interface still finds their own.
LANGUAGES: dict[str, str] = {"en": "English", "ko": "한국어", "ru": "Русский"}
DEFAULT = "en"


def N_(text: str) -> str:  # noqa: N802 - the gettext convention pybabel looks for
    """Marks ``text`` for the catalogs without translating it: services stay
    free of Flask, and the page translates the label when it shows it."""
    return text


def is_language(code: object) -> bool:
    return isinstance(code, str) and code in LANGUAGES


# Roles as a page names them (the stored values are codes).
ROLE_LABELS: dict[str, str] = {
    "interviewer": N_("interviewer"),
    "reviewer": N_("reviewer"),
    "admin": N_("admin"),
}
