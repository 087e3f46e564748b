"""The signed-in session on the web side: flask-login, the session cookie's
timestamps and token, and the check every request passes.

Every request by a signed-in member passes :func:`enforce_session`: a
session ends when it is idle too long, too old, older than the member's
last "sign out everywhere", or gone from the server (signed out elsewhere,
suspended, password changed); a member who must have two-factor sign-in but
has not enrolled can reach nothing but the enrolment page.
"""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from app.auth import service, totp
from app.config import Settings
from app.db import get_session
from app.models import User
from app.web import unlock_cookie

login_manager = LoginManager()
login_manager.login_view = "auth.login"
# "strong" drops the session when the client's IP or agent changes.
login_manager.session_protection = "strong"

# The cookie's half of the server-side session record (app.models.SignInSession).
SESSION_TOKEN = "session_token"  # noqa: S105 - the cookie key's name, not a secret
# Reachable by a member who must enrol in two-factor sign-in and has not yet.
ENROLMENT_ENDPOINTS = frozenset({"auth.totp_enrol", "auth.logout", "auth.logout_everywhere",
                                 "static"})


def _session_identifier() -> str:
    """What "strong" protection binds a session to: the client address as
    the WSGI server (or ProxyFix, for trusted_proxy_hops) saw it, and the
    user agent. flask-login's own version reads X-Forwarded-For, which any
    client can write."""
    agent = request.headers.get("User-Agent", "")
    return hashlib.sha512(f"{request.remote_addr}|{agent}".encode()).hexdigest()


login_manager._session_identifier_generator = _session_identifier


class LoginUser(UserMixin):
    """What flask-login keeps per request: ids and flags, never secrets."""

    def __init__(self, user: User, *, must_enrol: bool = False) -> None:
        self.id = str(user.id)
        self.email = user.email
        self.must_change_password = user.must_change_password
        self.session_generation = user.session_generation
        self.totp_enrolled = totp.is_enrolled(user)
        self.must_enrol = must_enrol
        self.language = user.language


def login_user_for(user: User) -> LoginUser:
    enrolled = totp.is_enrolled(user)
    must_enrol = not enrolled and totp.requires_totp(get_session(), user.id)
    return LoginUser(user, must_enrol=must_enrol)


@login_manager.user_loader
def _load_user(user_id: str) -> LoginUser | None:
    if not user_id.isdigit():
        return None
    user = get_session().get(User, int(user_id))
    return login_user_for(user) if user else None


def _settings() -> Settings:
    settings: Settings = current_app.config["WITNESSBOX"]
    return settings


def current_user_id() -> int:
    return int(current_user.get_id())


def session_token() -> str | None:
    token = session.get(SESSION_TOKEN)
    return token if isinstance(token, str) else None


def start_session(user: User) -> None:
    """Both factors passed: a fresh cookie (no fixation) naming a new server session."""
    token = service.open_session(get_session(), user.id)
    session.clear()
    login_user(login_user_for(user))
    now = time.time()
    session[SESSION_TOKEN] = token
    session["generation"] = user.session_generation
    session["started_at"] = now
    session["last_seen"] = now


def end_session(reason: str) -> None:
    """Sign out this session: its server record and unlocked key (if any) go with it."""
    if current_user.is_authenticated:
        service.sign_out(get_session(), current_user_id(), unlock_cookie.current_row_id(),
                         reason, session_token())
    drop_cookie()


def drop_cookie() -> None:
    logout_user()
    session.clear()


def enforce_session() -> ResponseReturnValue | None:
    """Expire idle, old and revoked sessions; hold un-enrolled members at enrolment.

    Timestamps live in the signed session cookie and the session's record on
    the server: a stolen cookie stops working once the member is idle or signs
    out, whatever the browser does.
    """
    if not current_user.is_authenticated:
        return None
    settings = _settings()
    now = time.time()
    started = session.setdefault("started_at", now)
    last_seen = session.get("last_seen", now)
    if session.get("generation") != current_user.session_generation:
        # "Sign out everywhere" already deleted the keys and wrote the audit event.
        drop_cookie()
        flash(_("You were signed out on every device."), "info")
        return redirect(url_for("auth.login"))
    if now - last_seen > settings.session_idle_minutes * 60:
        end_session("idle")
        flash(_("You were signed out after a period of inactivity."), "info")
        return redirect(url_for("auth.login"))
    if now - started > settings.session_absolute_hours * 3600:
        end_session("expired")
        flash(_("Your session reached its maximum length. Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    alive = service.session_alive(
        get_session(), current_user_id(), session_token(),
        idle=timedelta(minutes=settings.session_idle_minutes),
        lifetime=timedelta(hours=settings.session_absolute_hours))
    if not alive:
        # Signed out, expired, suspended or a changed password elsewhere: this
        # cookie (or a copy of it) no longer names a session on the server.
        end_session("session_ended")
        flash(_("Your session has ended. Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    session["last_seen"] = now
    if current_user.must_enrol and request.endpoint not in ENROLMENT_ENDPOINTS:
        return redirect(url_for("auth.totp_enrol"))
    return None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.before_request(enforce_session)
