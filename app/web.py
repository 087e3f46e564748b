"""Response hardening and error pages that never echo content."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from app.errors import NotFound, PermissionDenied

log = logging.getLogger(__name__)

CSP = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
])


def _security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Permissions-Policy"] = (
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()")
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    # Every dynamic page may show case material or a form about it: no caching.
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
    return response


def _error_page(status: int, title: str, message: str) -> tuple[str, int]:
    return render_template("error.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
    app.after_request(_security_headers)

    @app.errorhandler(CSRFError)
    def _csrf(_exc: CSRFError) -> tuple[str, int]:
        log.warning("csrf: %s", _exc.description)
        return _error_page(400, "Form expired",
                           "The form's security token was missing or expired. "
                           "Go back, reload the page and submit again. Nothing was stored.")

    # Services enforce authorisation themselves; a refusal that reaches here
    # (a view forgot its own check) is still a refusal, never a 500.
    @app.errorhandler(PermissionDenied)
    def _denied(_exc: PermissionDenied) -> tuple[str, int]:
        return _error_page(403, "Forbidden", "You do not have access to this.")

    @app.errorhandler(NotFound)
    def _not_found(_exc: NotFound) -> tuple[str, int]:
        return _error_page(404, "Not found", "There is nothing here.")

    @app.errorhandler(413)
    def _too_large(_exc: HTTPException) -> tuple[str, int]:
        limit = app.config["WITNESSBOX"].max_upload_mb
        return _error_page(413, "Upload too large",
                           f"The submission is larger than the {limit} MB limit. "
                           "Nothing was stored.")

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def _database(exc: DBAPIError) -> tuple[str, int]:
        # The exception text can contain SQL parameters (sealed bytes, e-mails):
        # log only its class.
        log.error("database unavailable: %s", type(exc.orig).__name__ if exc.orig else "?")
        return _error_page(503, "Database unavailable",
                           "The database could not be reached. Nothing was stored; "
                           "please try again in a moment.")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> tuple[str, int]:
        status = exc.code or 500
        return _error_page(status, exc.name, exc.description or "")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[str, int]:
        if app.testing:
            raise exc  # tests must see the real failure, not the generic page
        # Never the message or traceback: either may carry testimony text.
        log.error("unhandled %s on %s %s", type(exc).__name__, request.method,
                  request.url_rule.rule if request.url_rule else "?")
        return _error_page(500, "Something went wrong",
                           "The request failed and nothing was stored.")
