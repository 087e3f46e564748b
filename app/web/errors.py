"""Error pages that never echo content; an error abandons the request's unit of work."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, request
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from app.errors import NotFound, PermissionDenied, TamperedCase, TransitionRefused
from app.web.language import translated
from app.web.pages import database_unavailable
from app.web.pages import error_page as _error_page
from app.web.transaction import abandon_request

log = logging.getLogger(__name__)


Handler = Callable[[Any], tuple[str, int]]


def _abandoning(app: Flask, error: type[Exception] | int) -> Callable[[Handler], Handler]:
    def decorator(handler: Handler) -> Handler:
        @wraps(handler)
        def wrapped(exc: Any) -> tuple[str, int]:
            abandon_request()
            return handler(exc)
        app.register_error_handler(error, wrapped)
        return wrapped
    return decorator


def register(app: Flask) -> None:
    """Every handler here answers a request that failed: what it changed is
    rolled back (app.web.transaction) before the error page is made."""

    @_abandoning(app, CSRFError)
    def _csrf(_exc: CSRFError) -> tuple[str, int]:
        log.warning("csrf: %s", _exc.description)
        return _error_page(400, _("Form expired"),
                           _("The form's security token was missing or expired. "
                           "Go back, reload the page and submit again. Nothing was stored."))

    # Services enforce authorisation themselves; a refusal that reaches here
    # (a view forgot its own check) is still a refusal, never a 500.
    @_abandoning(app, PermissionDenied)
    def _denied(_exc: PermissionDenied) -> tuple[str, int]:
        return _error_page(403, _("Forbidden"), _("You do not have access to this."))

    @_abandoning(app, NotFound)
    def _not_found(_exc: NotFound) -> tuple[str, int]:
        return _error_page(404, _("Not found"), _("There is nothing here."))

    @_abandoning(app, TransitionRefused)
    def _transition(exc: TransitionRefused) -> tuple[str, int]:
        # The message names statuses only.
        return _error_page(409, _("Status not changed"),
                           _("%(refusal)s. Nothing was changed.", refusal=translated(str(exc))))

    @_abandoning(app, TamperedCase)
    def _tampered(exc: TamperedCase) -> tuple[str, int]:
        # The message names the case id and what differs; never content.
        log.error("tampered case refused: %s", exc)
        return _error_page(409, _("Case refused"),
                           _("This case's stored material does not match the receipt signed when "
                           "it was filed, so it was not opened. Tell your administrator."))

    @_abandoning(app, 413)
    def _too_large(_exc: HTTPException) -> tuple[str, int]:
        limit = app.config["WITNESSBOX"].max_upload_mb
        return _error_page(413, _("Upload too large"),
                           _("The submission is larger than the %(limit)s MB limit. "
                             "Nothing was stored.", limit=format_decimal(limit)))

    @_abandoning(app, DBAPIError)  # OperationalError (a lost connection) included
    def _database(exc: DBAPIError) -> tuple[str, int]:
        return database_unavailable(exc)

    @_abandoning(app, HTTPException)
    def _http(exc: HTTPException) -> tuple[str, int]:
        status = exc.code or 500
        # Werkzeug's own names and descriptions are English; ours are
        # translated where they are raised (abort(..., description=_(...))).
        return _error_page(status, translated(exc.name), translated(exc.description))

    @_abandoning(app, Exception)
    def _unexpected(exc: Exception) -> tuple[str, int]:
        if app.testing:
            raise exc  # tests must see the real failure, not the generic page
        # Never the message or traceback: either may carry testimony text.
        log.error("unhandled %s on %s %s", type(exc).__name__, request.method,
                  request.url_rule.rule if request.url_rule else "?")
        return _error_page(500, _("Something went wrong"),
                           _("The request failed and nothing was stored."))
