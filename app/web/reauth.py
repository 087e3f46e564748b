"""Re-authentication inside a session, for sensitive forms.

A signed-in session (perhaps on an unattended or shared computer) is not
enough for actions that outlive it: new recovery codes, a new password, a
new key. The member types their current password again (or, where a form
allows it, a code from their authenticator app), and a wrong one is counted
and audited like a failed sign-in, so a session cannot be used to guess
without limit: at the lockout threshold the account locks and the session ends.
"""

from __future__ import annotations

import logging

from flask import current_app, flash, redirect, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.audit.service import Action
from app.auth import service, totp
from app.auth.passwords import verify_password
from app.config import Settings
from app.db import get_session
from app.i18n import N_
from app.models import User
from app.web import sign_in

log = logging.getLogger(__name__)

# The sign-in page's message (app.auth.routes.SIGN_IN_FAILED).
_LOCKED_OUT = N_("Wrong e-mail or password. After repeated failures an account is "
               "locked for a few minutes.")


def looks_like_totp_code(secret: str) -> bool:
    # Passwords have at least 12 characters (MIN_PASSWORD_LENGTH): six digits
    # can only be a code from the app.
    stripped = secret.replace(" ", "")
    return len(stripped) == 6 and stripped.isascii() and stripped.isdigit()


def refused(user: User, secret: str, reason: str, *, allow_totp: bool = False
            ) -> Response | bool | None:
    """Check the current password (or, with ``allow_totp``, a TOTP code).

    None when it is right and the account is not locked. Otherwise the
    failure is counted and audited (``reason``); when that locks the account
    the session ends and the redirect to sign-in is returned, else True (the
    caller shows its form again with a 400 and changes nothing).
    """
    settings: Settings = current_app.config["WITNESSBOX"]
    db = get_session()
    is_code = allow_totp and looks_like_totp_code(secret) and totp.is_enrolled(user)
    if is_code:
        # A code is spent by checking it, as at sign-in: it cannot be replayed.
        matches = (not service.is_locked(user)
                   and totp.verify_code(db, user, secret.replace(" ", ""),
                                        settings.totp_seed_keys))
    else:
        matches = verify_password(user.password_hash, secret)
    if not service.is_locked(user) and matches:
        return None
    if service.is_locked(user):
        service.audit_user_event(db, Action.SIGN_IN_FAILED, user.id, reason=f"{reason}_locked")
        locked = True
    else:
        locked = service.register_failure(
            db, user, Action.TOTP_FAILED if is_code else Action.SIGN_IN_FAILED, reason=reason,
            threshold=settings.lockout_threshold, lock_minutes=settings.lockout_minutes)
    if locked:
        # Someone guessing at the password from inside a session loses the session.
        sign_in.end_session("locked_out")
        flash(_(_LOCKED_OUT), "error")
        return redirect(url_for("auth.login"))
    log.info("%s: wrong re-authentication user=%s", reason, user.id)  # never the secret
    flash(_("The password or code is wrong. After repeated failures the account is locked "
            "and you are signed out.") if allow_totp else
          _("The current password is wrong. After repeated failures the account is "
            "locked and you are signed out."), "error")
    return True
