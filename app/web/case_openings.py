"""Auditing each opening of a case once per visit, not once per request.

A visit is one member reading one case in one sign-in session: the page,
its reloads and every attachment and range request its player makes within
:data:`VISIT` of the first. The first request of a visit records DECRYPT;
the others only re-check the wrap and decrypt.

What is remembered goes into the member's signed session cookie, keyed by
an HMAC (the app's secret key) over the sign-in session's token, the
membership and the case's public id: the cookie does not say which cases
were opened, an entry cannot be moved to another session, case or member,
and a new sign-in (a cleared cookie and a new token) starts a new visit.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import current_app
from flask import session as cookie

from app.models import Membership
from app.web.sign_in import session_token

OPENINGS = "case_openings"
VISIT_SECONDS = 30 * 60
# At most this many visits are remembered; the oldest are dropped first
# (dropping one only means its next request is audited again).
MAX_REMEMBERED = 16


def _tag(membership: Membership, public_id: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    message = f"case-opening|{session_token() or ''}|{membership.id}|{public_id}"
    return hmac.new(secret, message.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def _remembered(now: float) -> dict[str, float]:
    stored = cookie.get(OPENINGS)
    if not isinstance(stored, dict):
        return {}
    return {tag: opened for tag, opened in stored.items()
            if isinstance(tag, str) and isinstance(opened, int | float)
            and 0 <= now - opened < VISIT_SECONDS}


def already_opened(membership: Membership, public_id: str) -> bool:
    """Whether this request belongs to a visit whose opening was recorded."""
    return _tag(membership, public_id) in _remembered(time.time())


def remember_opening(membership: Membership, public_id: str) -> None:
    """Call after the DECRYPT event of a visit's first request was recorded."""
    now = time.time()
    openings = _remembered(now)
    openings[_tag(membership, public_id)] = now
    newest = sorted(openings.items(), key=lambda item: item[1])[-MAX_REMEMBERED:]
    cookie[OPENINGS] = dict(newest)
