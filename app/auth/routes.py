"""Sign-in (password, then a second factor), enrolment, organisation choice,
password change, sign-out and sign-out everywhere.

Every request by a signed-in member passes :func:`_enforce_session`: a
session ends when it is idle too long, too old, or older than the member's
last "sign out everywhere"; a member who must have two-factor sign-in but
has not enrolled can reach nothing but the enrolment page.
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
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

from app.audit.service import Action
from app.auth import service, totp
from app.auth.forms import (
    ChangePasswordForm,
    ChooseOrganisationForm,
    ConfirmTotpForm,
    LoginForm,
    LogoutForm,
    SecondFactorForm,
)
from app.auth.passwords import MIN_PASSWORD_LENGTH, verify_password
from app.config import Settings
from app.db import get_session
from app.keys import cookie as key_cookie
from app.models import User
from app.security.limits import login_limit, second_factor_limit, sensitive_limit

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
# "strong" drops the session when the client's IP or agent changes.
login_manager.session_protection = "strong"


def _session_identifier() -> str:
    """What "strong" protection binds a session to: the client address as
    the WSGI server (or ProxyFix, for trusted_proxy_hops) saw it, and the
    user agent. flask-login's own version reads X-Forwarded-For, which any
    client can write."""
    agent = request.headers.get("User-Agent", "")
    return hashlib.sha512(f"{request.remote_addr}|{agent}".encode()).hexdigest()


login_manager._session_identifier_generator = _session_identifier

log = logging.getLogger(__name__)

# One message for an unknown e-mail, a wrong password and a locked account:
# the answer must not tell an attacker which of the three it was.
SIGN_IN_FAILED = ("Wrong e-mail or password. After repeated failures an account is "
                  "locked for a few minutes.")
CODE_FAILED = ("Wrong or already used code. After repeated failures an account is "
               "locked for a few minutes.")
# How long the password step stays valid while the member finds their phone.
PENDING_SECONDS = 300
# Reachable by a member who must enrol in two-factor sign-in and has not yet.
ENROLMENT_ENDPOINTS = frozenset({"auth.totp_enrol", "auth.logout", "auth.logout_everywhere",
                                 "static"})


class LoginUser(UserMixin):
    """What flask-login keeps per request: ids and flags, never secrets."""

    def __init__(self, user: User, *, must_enrol: bool = False) -> None:
        self.id = str(user.id)
        self.email = user.email
        self.must_change_password = user.must_change_password
        self.session_generation = user.session_generation
        self.totp_enrolled = totp.is_enrolled(user)
        self.must_enrol = must_enrol


def _login_user_for(user: User) -> LoginUser:
    enrolled = totp.is_enrolled(user)
    must_enrol = not enrolled and totp.requires_totp(get_session(), user.id)
    return LoginUser(user, must_enrol=must_enrol)


@login_manager.user_loader
def _load_user(user_id: str) -> LoginUser | None:
    if not user_id.isdigit():
        return None
    user = get_session().get(User, int(user_id))
    return _login_user_for(user) if user else None


def _settings() -> Settings:
    settings: Settings = current_app.config["WITNESSBOX"]
    return settings


def _totp_seed_keys() -> tuple[str, ...]:
    return _settings().totp_seed_keys


def _session_unlocked_key() -> int | None:
    return key_cookie.current_row_id()


# The cookie's half of the server-side session record (app.models.SignInSession).
SESSION_TOKEN = "session_token"  # noqa: S105 - the cookie key's name, not a secret


def _end_session(reason: str) -> None:
    """Sign out this session: its server record and unlocked key (if any) go with it."""
    if current_user.is_authenticated:
        service.sign_out(get_session(), int(current_user.get_id()), _session_unlocked_key(),
                         reason, session.get(SESSION_TOKEN))
    logout_user()
    session.clear()


@bp.before_app_request
def _enforce_session() -> ResponseReturnValue | None:
    """Expire idle, old and revoked sessions; hold un-enrolled members at enrolment.

    Timestamps live in the signed session cookie; a stolen cookie stops
    working once the member is idle, whatever the browser does.
    """
    if not current_user.is_authenticated:
        return None
    settings = _settings()
    now = time.time()
    started = session.setdefault("started_at", now)
    last_seen = session.get("last_seen", now)
    if session.get("generation") != current_user.session_generation:
        # "Sign out everywhere" already deleted the keys and wrote the audit event.
        logout_user()
        session.clear()
        flash("You were signed out on every device.", "info")
        return redirect(url_for("auth.login"))
    if now - last_seen > settings.session_idle_minutes * 60:
        _end_session("idle")
        flash("You were signed out after a period of inactivity.", "info")
        return redirect(url_for("auth.login"))
    if now - started > settings.session_absolute_hours * 3600:
        _end_session("expired")
        flash("Your session reached its maximum length. Please sign in again.", "info")
        return redirect(url_for("auth.login"))
    db = get_session()
    alive = service.session_alive(
        db, int(current_user.get_id()), session.get(SESSION_TOKEN),
        idle=timedelta(minutes=settings.session_idle_minutes),
        lifetime=timedelta(hours=settings.session_absolute_hours))
    if not alive:
        # Signed out, expired, suspended or a changed password elsewhere: this
        # cookie (or a copy of it) no longer names a session on the server.
        _end_session("session_ended")
        db.commit()
        flash("Your session has ended. Please sign in again.", "info")
        return redirect(url_for("auth.login"))
    db.commit()  # the session's last-seen time, when it moved
    session["last_seen"] = now
    if current_user.must_enrol and request.endpoint not in ENROLMENT_ENDPOINTS:
        return redirect(url_for("auth.totp_enrol"))
    return None


def _finish_sign_in(user: User, method: str) -> Response:
    db = get_session()
    token = service.open_session(db, user.id)
    service.complete_sign_in(db, user, method)
    session.clear()  # a fresh session for a fresh sign-in: no fixation
    login_user(_login_user_for(user))
    now = time.time()
    session[SESSION_TOKEN] = token
    session["generation"] = user.session_generation
    session["started_at"] = now
    session["last_seen"] = now
    memberships = service.active_memberships(db, user.id)
    if len(memberships) == 1:
        session["membership_id"] = memberships[0].id
    log.info("sign-in user=%s method=%s", user.id, method)
    if not totp.is_enrolled(user) and totp.requires_totp(db, user.id):
        return redirect(url_for("auth.totp_enrol"))
    if user.must_change_password:
        return redirect(url_for("auth.change_password"))
    return redirect(url_for("main.index"))


@bp.route("/login", methods=["GET", "POST"])
@login_limit
def login() -> ResponseReturnValue:
    form = LoginForm()
    if form.validate_on_submit():
        settings = _settings()
        db = get_session()
        user = service.authenticate(db, form.email.data or "", form.password.data or "",
                                    threshold=settings.lockout_threshold,
                                    lock_minutes=settings.lockout_minutes)
        if user is None:
            log.info("sign-in failed")  # never the e-mail or password
            flash(SIGN_IN_FAILED, "error")
            return render_template("auth/login.html", form=form), 401
        if not totp.is_enrolled(user):
            return _finish_sign_in(user, "password")
        # Half signed in: nothing but the code page accepts this session.
        session.clear()
        session["pending_user_id"] = user.id
        session["pending_since"] = time.time()
        return redirect(url_for("auth.second_factor"))
    return render_template("auth/login.html", form=form)


@bp.route("/login/code", methods=["GET", "POST"])
@second_factor_limit
def second_factor() -> ResponseReturnValue:
    user_id = session.get("pending_user_id")
    since = session.get("pending_since")
    if (not isinstance(user_id, int) or not isinstance(since, int | float)
            or time.time() - since > PENDING_SECONDS):
        session.clear()
        flash("Please sign in again.", "info")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        settings = _settings()
        db = get_session()
        user = db.get(User, user_id)
        if user is None:
            session.clear()
            return redirect(url_for("auth.login"))
        code = form.code.data or ""
        method = "recovery_code" if totp.looks_like_recovery_code(code) else "totp"
        accepted = False
        if not service.is_locked(user):
            accepted = (totp.use_recovery_code(db, user, code) if method == "recovery_code"
                        else totp.verify_code(db, user, code, _totp_seed_keys()))
        if not accepted:
            if service.is_locked(user):
                service.audit_user_event(db, Action.SIGN_IN_FAILED, user.id, reason="locked")
            else:
                service.register_failure(db, user, Action.TOTP_FAILED, reason=method,
                                         threshold=settings.lockout_threshold,
                                         lock_minutes=settings.lockout_minutes)
            db.commit()
            log.info("second factor failed user=%s", user.id)  # never the code
            flash(CODE_FAILED, "error")
            return render_template("auth/code.html", form=form), 401
        return _finish_sign_in(user, method)
    return render_template("auth/code.html", form=form)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@second_factor_limit
@login_required
def totp_enrol() -> ResponseReturnValue:
    """Enrol the signed-in member, and only them: no user id is read from the request."""
    db = get_session()
    user = db.get(User, int(current_user.get_id()))
    if user is None:
        return redirect(url_for("auth.login"))
    if totp.is_enrolled(user):
        return redirect(url_for("auth.account"))
    form = ConfirmTotpForm()
    status = 200
    if form.validate_on_submit():
        codes = totp.confirm_enrolment(db, user, form.code.data or "", _totp_seed_keys())
        if codes is not None:
            service.audit_user_event(db, Action.TOTP_ENROLLED, user.id)
            db.commit()
            log.info("totp enrolled user=%s", user.id)
            # Shown once, in this response only (no-store); the database keeps hashes.
            return render_template("auth/recovery_codes.html", codes=codes)
        service.audit_user_event(db, Action.TOTP_FAILED, user.id, reason="enrolment")
        db.commit()
        flash("That code does not match. Check the phone's clock and try the next code.",
              "error")
        status = 400
    enrolment = totp.pending_enrolment(db, user, _totp_seed_keys())
    return render_template("auth/totp_enrol.html", form=form, enrolment=enrolment,
                           required=current_user.must_enrol), status


@bp.get("/account")
@login_required
def account() -> ResponseReturnValue:
    db = get_session()
    user = db.get(User, int(current_user.get_id()))
    if user is None:
        return redirect(url_for("auth.login"))
    return render_template("auth/account.html", enrolled=totp.is_enrolled(user),
                           codes_left=totp.recovery_codes_left(db, user),
                           logout_form=LogoutForm())


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
@sensitive_limit
@login_required
def change_password() -> ResponseReturnValue:
    """Change the password; the current one is guarded like sign-in (lockout, limits)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        settings = _settings()
        db = get_session()
        user = db.get(User, int(current_user.get_id()))
        if user is None:
            return redirect(url_for("auth.login"))
        current = form.current_password.data or ""
        matches = verify_password(user.password_hash, current)
        if service.is_locked(user) or not matches:
            if service.is_locked(user):
                service.audit_user_event(db, Action.SIGN_IN_FAILED, user.id,
                                         reason="password_change_locked")
                locked = True
            else:
                locked = service.register_failure(
                    db, user, Action.SIGN_IN_FAILED, reason="password_change",
                    threshold=settings.lockout_threshold, lock_minutes=settings.lockout_minutes)
            if locked:
                # Someone guessing at the password from inside a session loses the session.
                _end_session("locked_out")
                db.commit()
                flash(SIGN_IN_FAILED, "error")
                return redirect(url_for("auth.login"))
            db.commit()
            log.info("password change: wrong current password user=%s", user.id)
            flash("The current password is wrong. After repeated failures the account is "
                  "locked and you are signed out.", "error")
            return render_template("auth/password.html", form=form), 400
        new_password = form.new_password.data or ""
        if len(new_password) < MIN_PASSWORD_LENGTH:
            flash(f"Use at least {MIN_PASSWORD_LENGTH} characters.", "error")
            return render_template("auth/password.html", form=form), 400
        if new_password == current:
            flash("The new password must differ from the current one.", "error")
            return render_template("auth/password.html", form=form), 400
        # Whoever knew the old password may hold a session: end every other one.
        session["generation"] = service.end_other_sessions(db, user, _session_unlocked_key(),
                                                           session.get(SESSION_TOKEN))
        service.audit_user_event(db, Action.PASSWORD_CHANGED, user.id)
        service.set_password(db, user, form.new_password.data or "")  # commits
        flash("Password changed.", "info")
        return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    form = LogoutForm()
    if form.validate_on_submit():
        _end_session("sign_out")
    return redirect(url_for("auth.login"))


@bp.post("/logout/everywhere")
@login_required
def logout_everywhere() -> Response:
    """End every session of this member, on every device, this one included."""
    form = LogoutForm()
    if form.validate_on_submit():
        service.sign_out_everywhere(get_session(), int(current_user.get_id()))
        logout_user()
        session.clear()
        flash("You were signed out on every device.", "info")
    return redirect(url_for("auth.login"))
