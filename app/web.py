"""Response hardening and error pages that never echo content."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask, abort, current_app, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Response

from app.errors import NotFound, PermissionDenied, TamperedCase

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


HSTS = "max-age=63072000; includeSubDomains"
# Id columns are INTEGER, 32 bits signed on PostgreSQL (not BIGINT): a larger
# number names nothing, and sent to the driver it is an overflow, not a miss.
MAX_ID = 2**31 - 1


def safe_redirect_target(target: str | None) -> str:
    """``target`` if it is a path on this site, else the index page.

    Browsers read "/\t/evil.com", "/\\evil.com" and "https:evil.com" as other
    sites, so only printable ASCII is kept, starting with exactly one "/",
    with no scheme or host, both as given and once more percent-decoded.
    """
    if target and all(_same_site_path(candidate) for candidate in (target, unquote(target))):
        return target
    return url_for("main.index")


def _same_site_path(path: str) -> bool:
    if not path.startswith("/") or path[1:2] in {"/", "\\"} or "\\" in path:
        return False
    if any(not "!" <= char <= "~" for char in path):  # controls, spaces, non-ASCII
        return False
    parts = urlsplit(path)
    return not parts.scheme and not parts.netloc


def query_id(name: str) -> int | None:
    """An id from the query string: absent or empty is None; anything but
    ASCII digits within the id columns' range is a 400 naming ``name``."""
    raw = request.args.get(name, "")
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10 or int(raw) > MAX_ID:
        abort(400, description=f"The {name} filter must be a member number.")
    return int(raw)


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` that stops at :data:`MAX_ID`: a larger number is a 404, not an
    overflow in the database driver."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def absolute_url(endpoint: str, **values: Any) -> str:
    """A link for outside the browser (an invitation): on the configured
    ``base_url``, never on the request's Host header, which the client sets."""
    base: str = current_app.config["WITNESSBOX"].base_url
    return base + url_for(endpoint, **values)


def install_converters(app: Flask) -> None:
    """Before any blueprint is registered: rules bind their converters then."""
    app.url_map.converters["int"] = BoundedIntConverter


def _security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Permissions-Policy"] = (
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()")
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if not current_app.config["WITNESSBOX"].demo_mode:  # demo mode runs on plain http
        response.headers["Strict-Transport-Security"] = HSTS
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

    @app.errorhandler(TamperedCase)
    def _tampered(exc: TamperedCase) -> tuple[str, int]:
        # The message names the case id and what differs; never content.
        log.error("tampered case refused: %s", exc)
        return _error_page(409, "Case refused",
                           "This case's stored material does not match the receipt signed when "
                           "it was filed, so it was not opened. Tell your administrator.")

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
