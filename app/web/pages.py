"""The error page, shared by the error handlers and the request's commit."""

from __future__ import annotations

import logging

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)


def error_page(status: int, title: str, message: str) -> tuple[str, int]:
    return render_template("error.html", status=status, title=title, message=message), status


def database_unavailable(exc: SQLAlchemyError) -> tuple[str, int]:
    # The exception text can contain SQL parameters (sealed bytes, e-mails):
    # log only its class.
    original = getattr(exc, "orig", None)
    log.error("database unavailable: %s", type(original or exc).__name__)
    return error_page(503, _("Database unavailable"),
                      _("The database could not be reached. Nothing was stored; "
                      "please try again in a moment."))
