"""The web layer between the feature packages' routes and their services.

Services (``app/<feature>/service.py``) know nothing of Flask. Everything a
view needs from the request lives here: who is signed in and in which
organisation (:mod:`.access`, :mod:`.sign_in`), the unlocked key's cookie
half (:mod:`.unlock_cookie`), safe URLs (:mod:`.urls`), headers, error pages
and the one commit per request (:mod:`.transaction`). Routes import from
here and from services; services never import from here.
"""

from __future__ import annotations

from flask import Flask

from app.web import errors, language, navigation, transaction
from app.web.headers import security_headers
from app.web.urls import install_converters

__all__ = ["install_converters", "language", "register"]


def register(app: Flask) -> None:
    """After the blueprints: headers, error pages, and the request's commit
    (registered last, so it runs before the headers are set)."""
    app.after_request(security_headers)
    navigation.init_app(app)
    errors.register(app)
    transaction.init_app(app)
