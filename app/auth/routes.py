"""Sign-in, organisation choice, password change and sign-out."""

from __future__ import annotations

import logging
import time

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import (
    LoginManager,
    UserMixin,
    current_user,
    login_required,
    login_user,
    logout_user,
)
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs predate 3.3

from app.auth import service
from app.auth.forms import ChangePasswordForm, ChooseOrganisationForm, LoginForm, LogoutForm
from app.auth.passwords import verify_password
from app.db import get_session
from app.models import User

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
# "strong" drops the session when the client's IP or agent changes.
login_manager.session_protection = "strong"
log = logging.getLogger(__name__)


class LoginUser(UserMixin):
    """What flask-login keeps per request: ids and flags, never secrets."""

    def __init__(self, user: User) -> None:
        self.id = str(user.id)
        self.email = user.email
        self.must_change_password = user.must_change_password


@login_manager.user_loader
def _load_user(user_id: str) -> LoginUser | None:
    if not user_id.isdigit():
        return None
    user = get_session().get(User, int(user_id))
    return LoginUser(user) if user else None


@bp.before_app_request
def _expire_idle_sessions() -> ResponseReturnValue | None:
    """Sign out after the configured idle time or absolute lifetime.

    Timestamps live in the signed session cookie; a stolen cookie stops
    working once the member is idle, whatever the browser does.
    """
    if not current_user.is_authenticated:
        return None
    settings = current_app.config["WITNESSBOX"]
    now = time.time()
    started = session.setdefault("started_at", now)
    last_seen = session.get("last_seen", now)
    if (now - last_seen > settings.session_idle_minutes * 60
            or now - started > settings.session_absolute_hours * 3600):
        logout_user()
        session.clear()
        flash("You were signed out after a period of inactivity.", "info")
        return redirect(url_for("auth.login"))
    session["last_seen"] = now
    return None


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    if form.validate_on_submit():
        db = get_session()
        user = service.authenticate(db, form.email.data or "", form.password.data or "")
        if user is None:
            log.info("sign-in failed")  # never the e-mail or password
            flash("Wrong e-mail or password.", "error")
            return render_template("auth/login.html", form=form), 401
        session.clear()  # a fresh session for a fresh sign-in: no fixation
        login_user(LoginUser(user))
        memberships = service.active_memberships(db, user.id)
        if len(memberships) == 1:
            session["membership_id"] = memberships[0].id
        log.info("sign-in user=%s", user.id)
        if user.must_change_password:
            return redirect(url_for("auth.change_password"))
        return redirect(url_for("main.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/organisation", methods=["GET", "POST"])
@login_required
def choose_organisation() -> ResponseReturnValue:
    db = get_session()
    memberships = service.active_memberships(db, int(current_user.get_id()))
    form = ChooseOrganisationForm()
    form.membership.choices = [SelectChoice(str(m.id), f"{m.organisation.name} ({m.role.value})")
                               for m in memberships]
    if form.validate_on_submit():
        session["membership_id"] = form.membership.data
        return redirect(url_for("main.index"))
    if not memberships:
        flash("Your account belongs to no organisation.", "error")
    return render_template("auth/choose.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        db = get_session()
        user = db.get(User, int(current_user.get_id()))
        if user is None or not verify_password(user.password_hash, form.current_password.data
                                               or ""):
            flash("The current password is wrong.", "error")
            return render_template("auth/password.html", form=form), 400
        try:
            service.set_password(db, user, form.new_password.data or "")
        except service.PasswordPolicyError as exc:
            flash(str(exc), "error")
            return render_template("auth/password.html", form=form), 400
        flash("Password changed.", "info")
        return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    form = LogoutForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
    return redirect(url_for("auth.login"))
