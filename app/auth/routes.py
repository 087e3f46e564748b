"""Sign-in (password, then a second factor), enrolment, organisation choice,
password change, sign-out and sign-out everywhere.

The session's cookie and the check every request passes live in
app.web.sign_in; the rules (lockout, server-side sessions) in app.auth.service.
"""

from __future__ import annotations

import logging
import time

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
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
    NewRecoveryCodesForm,
    SecondFactorForm,
)
from app.auth.passwords import MIN_PASSWORD_LENGTH
from app.config import Settings
from app.db import get_session
from app.i18n import N_
from app.models import User
from app.security.limits import login_limit, second_factor_limit, sensitive_limit
from app.web import reauth, sign_in, unlock_cookie
from app.web.language import translated

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)

# One message for an unknown e-mail, a wrong password and a locked account:
# the answer must not tell an attacker which of the three it was.
SIGN_IN_FAILED = N_("Wrong e-mail or password. After repeated failures an account is "
                  "locked for a few minutes.")
CODE_FAILED = N_("Wrong or already used code. After repeated failures an account is "
               "locked for a few minutes.")
# How long the password step stays valid while the member finds their phone.
PENDING_SECONDS = 300


def _settings() -> Settings:
    settings: Settings = current_app.config["WITNESSBOX"]
    return settings


def _totp_seed_keys() -> tuple[str, ...]:
    return _settings().totp_seed_keys


def _finish_sign_in(user: User, method: str) -> Response:
    db = get_session()
    service.complete_sign_in(db, user, method)
    sign_in.start_session(user)
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
            flash(_(SIGN_IN_FAILED), "error")
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
        flash(_("Please sign in again."), "info")
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
            log.info("second factor failed user=%s", user.id)  # never the code
            flash(_(CODE_FAILED), "error")
            return render_template("auth/code.html", form=form), 401
        return _finish_sign_in(user, method)
    return render_template("auth/code.html", form=form)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@second_factor_limit
@login_required
def totp_enrol() -> ResponseReturnValue:
    """Enrol the signed-in member, and only them: no user id is read from the request."""
    db = get_session()
    user = db.get(User, sign_in.current_user_id())
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
            log.info("totp enrolled user=%s", user.id)
            # Shown once, in this response only (no-store); the database keeps hashes.
            return render_template("auth/recovery_codes.html", codes=codes)
        service.audit_user_event(db, Action.TOTP_FAILED, user.id, reason="enrolment")
        flash(_("That code does not match. Check the phone's clock and try the next code."),
              "error")
        status = 400
    enrolment = totp.pending_enrolment(db, user, _totp_seed_keys(),
                                       current_app.config["WITNESSBOX"].base_url)
    return render_template("auth/totp_enrol.html", form=form, enrolment=enrolment,
                           required=current_user.must_enrol), status


@bp.get("/account")
@login_required
def account() -> ResponseReturnValue:
    db = get_session()
    user = db.get(User, sign_in.current_user_id())
    if user is None:
        return redirect(url_for("auth.login"))
    return _account_page(user, NewRecoveryCodesForm())


def _account_page(user: User, codes_form: NewRecoveryCodesForm) -> str:
    return render_template("auth/account.html", enrolled=totp.is_enrolled(user),
                           codes_left=totp.recovery_codes_left(get_session(), user),
                           logout_form=LogoutForm(), codes_form=codes_form)


@bp.route("/organisation", methods=["GET", "POST"])
@login_required
def choose_organisation() -> ResponseReturnValue:
    db = get_session()
    memberships = service.active_memberships(db, sign_in.current_user_id())
    form = ChooseOrganisationForm()
    form.membership.choices = [SelectChoice(str(m.id), f"{m.organisation.name} ({m.role.value})")
                               for m in memberships]
    if not memberships:
        # Not an empty chooser: say what happened and who can change it.
        ended = service.ended_memberships(db, sign_in.current_user_id())
        return render_template("auth/no_access.html", ended=ended,
                               logout_form=LogoutForm()), 403
    if form.validate_on_submit():
        session["membership_id"] = form.membership.data
        return redirect(url_for("main.index"))
    return render_template("auth/choose.html", form=form)


def _current_password_refused(user: User, password: str, reason: str) -> Response | bool | None:
    """Check the current password typed into a sensitive form like a sign-in
    (app.web.reauth: counted, audited, locks and signs out at the threshold)."""
    return reauth.refused(user, password, reason)


@bp.post("/account/recovery-codes")
@sensitive_limit
@login_required
def regenerate_recovery_codes() -> ResponseReturnValue:
    """New recovery codes for the signed-in member; the old ones stop working."""
    db = get_session()
    user = db.get(User, sign_in.current_user_id())
    if user is None:
        return redirect(url_for("auth.login"))
    form = NewRecoveryCodesForm()
    if not form.validate_on_submit():
        flash(_("Type your current password to make new recovery codes."), "error")
        return _account_page(user, form), 400
    refused = _current_password_refused(user, form.current_password.data or "",
                                        "recovery_codes")
    if refused is not None:
        return refused if isinstance(refused, Response) else (_account_page(user, form), 400)
    try:
        codes = service.regenerate_recovery_codes(db, user)
    except service.NotEnrolled as exc:
        flash(translated(str(exc)), "error")
        return _account_page(user, form), 400
    log.info("recovery codes regenerated user=%s", user.id)
    # Shown once, in this response only (no-store); the database keeps hashes.
    return render_template("auth/recovery_codes.html", codes=codes, regenerated=True)


@bp.route("/password", methods=["GET", "POST"])
@sensitive_limit
@login_required
def change_password() -> ResponseReturnValue:
    """Change the password; the current one is guarded like sign-in (lockout, limits)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        db = get_session()
        user = db.get(User, sign_in.current_user_id())
        if user is None:
            return redirect(url_for("auth.login"))
        current = form.current_password.data or ""
        refused = _current_password_refused(user, current, "password_change")
        if refused is not None:
            return refused if isinstance(refused, Response) else (
                render_template("auth/password.html", form=form), 400)
        new_password = form.new_password.data or ""
        if len(new_password) < MIN_PASSWORD_LENGTH:
            flash(_("Use at least %(num)d characters.", num=MIN_PASSWORD_LENGTH), "error")
            return render_template("auth/password.html", form=form), 400
        if new_password == current:
            flash(_("The new password must differ from the current one."), "error")
            return render_template("auth/password.html", form=form), 400
        # Whoever knew the old password may hold a session: end every other one.
        session["generation"] = service.end_other_sessions(
            db, user, unlock_cookie.current_row_id(), sign_in.session_token())
        service.audit_user_event(db, Action.PASSWORD_CHANGED, user.id)
        service.set_password(db, user, form.new_password.data or "")
        flash(_("Password changed."), "info")
        return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    form = LogoutForm()
    if form.validate_on_submit():
        sign_in.end_session("sign_out")
    return redirect(url_for("auth.login"))


@bp.post("/logout/everywhere")
@login_required
def logout_everywhere() -> Response:
    """End every session of this member, on every device, this one included."""
    form = LogoutForm()
    if form.validate_on_submit():
        service.sign_out_everywhere(get_session(), sign_in.current_user_id())
        sign_in.drop_cookie()
        flash(_("You were signed out on every device."), "info")
    return redirect(url_for("auth.login"))
