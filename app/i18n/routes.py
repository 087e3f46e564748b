"""The language switcher's one route: a POST with a CSRF token, no JavaScript."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, redirect, request
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.service import set_language
from app.db import get_session
from app.i18n import is_language
from app.i18n.forms import LanguageForm
from app.web.language import COOKIE
from app.web.urls import safe_redirect_target

bp = Blueprint("i18n", __name__)


@bp.post("/language")
def choose() -> Response:
    form = LanguageForm()
    target = safe_redirect_target(form.next.data)
    response = redirect(target, code=303)
    if not form.validate() or not is_language(form.language.data):
        return response
    language = str(form.language.data)
    if current_user.is_authenticated:
        set_language(get_session(), int(current_user.id), language)
    # Also kept in a cookie: the sign-in page after signing out stays in it.
    response.set_cookie(COOKIE, language, max_age=int(timedelta(days=365).total_seconds()),
                        httponly=True, samesite="Strict",
                        secure=request.is_secure)
    return response
