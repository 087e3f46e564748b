"""Who is signed in, in which organisation, with which role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import abort, g, redirect, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.service import load_membership
from app.db import get_session
from app.errors import PermissionDenied
from app.models import Membership, Role

P = ParamSpec("P")
R = TypeVar("R")


def current_membership() -> Membership | None:
    if "membership" not in g:
        membership = None
        membership_id = session.get("membership_id")
        if current_user.is_authenticated and isinstance(membership_id, int):
            membership = load_membership(get_session(), int(current_user.get_id()), membership_id)
        g.membership = membership
    result: Membership | None = g.membership
    return result


def signed_in_membership() -> Membership:
    """The membership of a view behind ``membership_required`` (which has
    already sent anyone without one elsewhere); a refusal, never None."""
    membership = current_membership()
    if membership is None:
        raise PermissionDenied("no membership")
    return membership


def membership_required(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R | Response]]:
    """Require sign-in, a chosen organisation and (optionally) one of ``roles``.

    Services check again: this only gives the user a helpful redirect or 403.
    """
    def decorator(view: Callable[P, R]) -> Callable[P, R | Response]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R | Response:
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login"))
            # Also enforced for every request in app.auth.routes; repeated here so a
            # view is safe even if that hook is ever bypassed.
            if current_user.must_enrol:
                return redirect(url_for("auth.totp_enrol"))
            if current_user.must_change_password:
                return redirect(url_for("auth.change_password"))
            membership = current_membership()
            if membership is None:
                return redirect(url_for("auth.choose_organisation"))
            if roles and membership.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator
