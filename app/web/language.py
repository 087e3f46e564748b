"""The interface language: Flask-Babel and the locale of each request.

The locale is the member's own setting (``User.language``), else the
language chosen with the switcher on a signed-out page (a cookie), else the
best match of the browser's ``Accept-Language`` among the three catalogs,
else English. Catalogs live in app/translations (docs/glossary.md keeps the
key terms); ``make setup`` compiles the ``.mo`` files.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from babel import Locale
from babel.dates import format_skeleton
from flask import Flask, request
from flask_babel import Babel, format_decimal, get_locale, gettext
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from app.i18n import DEFAULT, LANGUAGES, ROLE_LABELS, is_language

# The signed-out visitor's choice; a signed-in member's lives on the account.
COOKIE = "language"

babel = Babel()


def select_locale() -> str:
    member_choice = _member_language()
    if member_choice:
        return member_choice
    cookie = request.cookies.get(COOKIE)
    if is_language(cookie):
        return str(cookie)
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT) or DEFAULT


def _member_language() -> str | None:
    try:
        if current_user.is_authenticated:
            language = getattr(current_user, "language", None)
            return language if is_language(language) else None
    except SQLAlchemyError:
        # The database is down and this is its error page: the browser's
        # language still applies.
        return None
    return None


def current_language() -> str:
    locale = get_locale()
    return str(locale.language) if locale is not None else DEFAULT


def init_app(app: Flask) -> None:
    from app.config import PROJECT_ROOT

    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(PROJECT_ROOT / "app" / "translations")
    babel.init_app(app, locale_selector=select_locale)

    # {% trans %} blocks are whitespace-normalised, as babel.cfg extracts them.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    install_filters(app)

    @app.context_processor
    def _language() -> dict[str, Any]:
        return {"current_language": current_language, "languages": LANGUAGES}


# Dates and times shown to people, per locale, always in UTC (the column
# headers say so): the locale's own medium date and 24-hour time, joined as
# the locale joins them ("Dec 6, 2026, 20:45", "2026년 12월 6일 20:45",
# "6 дек. 2026 г., 20:45").
def _locale() -> Locale:
    return get_locale() or Locale.parse(DEFAULT)


def format_day(value: datetime | date) -> str:
    return format_skeleton("yMMMd", value, locale=_locale())


def format_clock(value: datetime, seconds: bool = False) -> str:
    return format_skeleton("Hms" if seconds else "Hm", _utc(value), tzinfo=UTC,
                           locale=_locale())


def format_when(value: datetime, seconds: bool = False) -> str:
    """``seconds`` for the audit log, where the order of events within a minute matters."""
    joiner = str(_locale().datetime_formats["medium"])
    return joiner.replace("{1}", format_day(_utc(value))).replace(
        "{0}", format_clock(value, seconds))


def format_number(value: int | float) -> str:
    return str(format_decimal(value))


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def translated(text: str | None) -> str:
    """``text`` from the catalogs when it is there (a label marked with N_, a
    service's refusal), else as it is. Never gettext(""): that is the
    catalog's header."""
    return str(gettext(text)) if text else ""


def role_label(role: Any) -> str:
    """A role (enum or code) as the page names it, in the page's language."""
    code = str(getattr(role, "value", role))
    return str(gettext(ROLE_LABELS[code])) if code in ROLE_LABELS else code


def install_filters(app: Flask) -> None:
    app.jinja_env.filters.update(when=format_when, day=format_day, clock=format_clock,
                                 number=format_number, role=role_label,
                                 translated=translated)
