"""URLs in and out: local redirects only, ids from the query string and the URL,
and absolute links built on the configured base URL."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask, abort, current_app, request, url_for
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

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
        abort(400, description=_("The %(name)s filter must be a member number.", name=name))
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
