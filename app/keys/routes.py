"""Unlocking and locking a reviewer's or admin's key for this session."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.db import get_session
from app.keys import service
from app.keys.forms import ChangePassphraseForm, LockForm, UnlockForm
from app.models import Role
from app.security.limits import sensitive_limit
from app.web import unlock_cookie as key_cookie
from app.web.access import current_membership, membership_required, signed_in_membership
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
          passphrase_form: ChangePassphraseForm | None = None) -> ResponseReturnValue:
    membership = signed_in_membership()
    row_id = key_cookie.current_row_id()
    until = service.unlocked_until(get_session(), membership, row_id) if row_id else None
    return render_template("keys/unlock.html", form=form, lock_form=LockForm(),
                           passphrase_form=passphrase_form or ChangePassphraseForm(),
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
