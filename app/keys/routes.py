"""Unlocking and locking a reviewer's or admin's key for this session."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

import crypto
from app.auth.passwords import verify_password
from app.db import get_session
from app.keys import rekey as rekeying
from app.keys import service
from app.keys.forms import ChangePassphraseForm, LockForm, NewKeyForm, RekeyForm, UnlockForm
from app.models import Role
from app.security.limits import sensitive_limit
from app.web import reauth
from app.web import unlock_cookie as key_cookie
from app.web.access import current_membership, membership_required, signed_in_membership
from app.web.transaction import abandon_request
from app.web.urls import safe_redirect_target

bp = Blueprint("keys", __name__)



@bp.app_context_processor
def _unlock_status() -> dict[str, object]:
    """``key_unlocked_until()`` for templates: when this session's key locks
    again, or None. A function, so pages that never ask never query."""
    def key_unlocked_until() -> datetime | None:
        membership = current_membership()
        row_id = key_cookie.current_row_id()
        if membership is None or row_id is None:
            return None
        return service.unlocked_until(get_session(), membership, row_id)
    return {"key_unlocked_until": key_unlocked_until}


def _page(form: UnlockForm, status: int = 200,
          passphrase_form: ChangePassphraseForm | None = None,
          rekey_form: RekeyForm | None = None,
          new_key_form: NewKeyForm | None = None) -> ResponseReturnValue:
    membership = signed_in_membership()
    row_id = key_cookie.current_row_id()
    until = service.unlocked_until(get_session(), membership, row_id) if row_id else None
    return render_template("keys/unlock.html", form=form, lock_form=LockForm(),
                           passphrase_form=passphrase_form or ChangePassphraseForm(),
                           rekey_form=rekey_form or RekeyForm(),
                           new_key_form=new_key_form or NewKeyForm(),
                           unlocked_until=until, has_key=membership.current_key is not None
                           ), status


@bp.get("/key")
@membership_required(Role.REVIEWER, Role.ADMIN)
def status() -> ResponseReturnValue:
    return _page(UnlockForm())


@bp.post("/key/unlock")
@sensitive_limit
@membership_required(Role.REVIEWER, Role.ADMIN)
def unlock() -> ResponseReturnValue:
    form = UnlockForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    db = get_session()
    idle, not_after = key_cookie.session_limits()
    lifetime = min(idle, not_after - datetime.now(not_after.tzinfo))
    try:
        unlocked = service.unlock(db, signed_in_membership(), form.passphrase.data or "",
                                  lifetime=lifetime, replaces=key_cookie.current_row_id())
    except service.WrongPassphrase:
        flash(_("That passphrase does not open your key."), "error")
        return _page(UnlockForm(), 400)
    key_cookie.remember(unlocked)
    flash(_("Your key is unlocked for this session."), "info")
    return redirect(_next_page())


@bp.post("/key/passphrase")
@sensitive_limit
@membership_required(Role.REVIEWER, Role.ADMIN)
def change_passphrase() -> ResponseReturnValue:
    form = ChangePassphraseForm()
    if not form.validate_on_submit():
        return _page(UnlockForm(), 400, passphrase_form=form)
    try:
        service.change_passphrase(get_session(), signed_in_membership(),
                                  form.current_passphrase.data or "",
                                  form.new_passphrase.data or "",
                                  keep_row_id=key_cookie.current_row_id())
    except service.WrongPassphrase:
        flash(_("That is not your current key passphrase. Nothing was changed."), "error")
        # A fresh form: typed passphrases are never echoed back into the page.
        return _page(UnlockForm(), 400)
    except service.WeakPassphrase:
        flash(_("The new passphrase is too short. Nothing was changed."), "error")
        return _page(UnlockForm(), 400)
    flash(_("Your key passphrase is changed. Use the new one from now on."), "info")
    return redirect(url_for("keys.status"))


def _session_lifetime() -> timedelta:
    idle, not_after = key_cookie.session_limits()
    return min(idle, not_after - datetime.now(not_after.tzinfo))


def _new_key_refused(form: RekeyForm | NewKeyForm, reason: str) -> ResponseReturnValue | None:
    """Re-authentication and the new passphrase's checks that need no scrypt;
    None when the request may go on. A refusal changes nothing but the
    failure count of a wrong password or code."""
    user = signed_in_membership().user
    secret = form.reauth.data or ""
    refused = reauth.refused(user, secret, reason, allow_totp=True)
    if isinstance(refused, Response):
        return refused
    if refused:
        return _page(UnlockForm(), 400)
    # The password is typed at every sign-in; the key passphrase must not fall with it.
    if verify_password(user.password_hash, form.new_passphrase.data or ""):
        flash(_("The key passphrase must differ from your password. Nothing was changed."),
              "error")
        return _page(UnlockForm(), 400)
    return None


@bp.post("/key/rekey")
@sensitive_limit
@membership_required(Role.REVIEWER, Role.ADMIN)
def rekey() -> ResponseReturnValue:
    """"My key may be compromised": a new key, every case of the old one moved to it."""
    form = RekeyForm()
    if not form.validate_on_submit():
        return _page(UnlockForm(), 400, rekey_form=form)
    db = get_session()
    membership = signed_in_membership()
    identity = key_cookie.unlocked_identity(db, membership)
    if identity is None:
        flash(_("Unlock your key first: its cases are moved to the new key with it. "
              "If you cannot unlock it, make a new key below instead."), "error")
        return _page(UnlockForm(), 400)
    refusal = _new_key_refused(form, "rekey")
    if refusal is not None:
        return refusal
    try:
        done = rekeying.rekey(db, membership, identity, form.new_passphrase.data or "",
                              lifetime=_session_lifetime(),
                              replaces=key_cookie.current_row_id())
    except rekeying.SamePassphrase:
        flash(_("That passphrase opens your old key: choose a new one. Nothing was changed."),
              "error")
        return _page(UnlockForm(), 400)
    except crypto.CryptoError:
        # A wrap the old key does not open (damaged or tampered with): all or nothing.
        abandon_request()
        flash(_("One of your cases' keys does not open with your key, so nothing was "
              "changed. Tell an admin."), "error")
        return _page(UnlockForm(), 409)
    assert done.unlocked is not None  # a self-service re-key unlocks the new key
    key_cookie.remember(done.unlocked)
    flash(ngettext("You have a new key: %(num)d case key(s) moved to it, the old key is "
                   "destroyed and unlocked copies elsewhere are locked. Use the new passphrase "
                   "from now on.",
                   "You have a new key: %(num)d case key(s) moved to it, the old key is "
                   "destroyed and unlocked copies elsewhere are locked. Use the new passphrase "
                   "from now on.", done.wraps), "info")
    return redirect(url_for("keys.status"))


@bp.post("/key/new")
@sensitive_limit
@membership_required(Role.REVIEWER, Role.ADMIN)
def new_key() -> ResponseReturnValue:
    """A new key without the old one (lost passphrase): an admin re-grants the cases."""
    form = NewKeyForm()
    if not form.validate_on_submit():
        return _page(UnlockForm(), 400, new_key_form=form)
    db = get_session()
    membership = signed_in_membership()
    if key_cookie.unlocked_identity(db, membership) is not None:
        flash(_("Your key is unlocked: use \"My key may be compromised\" instead, which "
              "keeps every case you can open. Nothing was changed."), "error")
        return _page(UnlockForm(), 400)
    refusal = _new_key_refused(form, "new_key")
    if refusal is not None:
        return refusal
    try:
        done = rekeying.replace_lost_key(db, membership, form.new_passphrase.data or "")
    except rekeying.SamePassphrase:
        flash(_("That passphrase opens your old key: choose a new one, or unlock the old "
              "key with it. Nothing was changed."), "error")
        return _page(UnlockForm(), 400)
    key_cookie.forget()
    flash(ngettext("You have a new key; the old one is destroyed with its %(num)d case "
                   "key(s). Ask an admin to re-grant your former cases (Case access, "
                   "\"Re-grant their former cases\"); until then you can open none of them.",
                   "You have a new key; the old one is destroyed with its %(num)d case "
                   "key(s). Ask an admin to re-grant your former cases (Case access, "
                   "\"Re-grant their former cases\"); until then you can open none of them.",
                   done.wraps), "info")
    return redirect(url_for("keys.status"))


@bp.post("/key/lock")
@membership_required(Role.REVIEWER, Role.ADMIN)
def lock() -> ResponseReturnValue:
    form = LockForm()
    if form.validate_on_submit():
        row_id = key_cookie.current_row_id()
        if row_id is not None:
            service.lock(get_session(), signed_in_membership(), row_id)
        key_cookie.forget()
        flash(_("Your key is locked."), "info")
    return redirect(url_for("keys.status"))


def _next_page() -> str:
    # Only local paths: an open redirect would let a link send people elsewhere.
    return safe_redirect_target(request.args.get("next"))
