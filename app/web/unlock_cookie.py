"""The cookie side of an unlocked key: the random key K and the row id live in
the member's signed session cookie, never on the server (brief, decision 5).

The service (app.keys.service) takes both as arguments; only this module and
the views touch Flask's session.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask import session as cookie
from sqlalchemy.orm import Session

import crypto
from app.keys.service import Unlocked, open_unlocked
from app.models import Membership

SESSION_KEY = "unlock_key"
UNLOCKED_KEY_ID = "unlocked_key_id"


def encode_session_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode("ascii")


def _session_values() -> tuple[int, bytes] | None:
    row_id, encoded = cookie.get(UNLOCKED_KEY_ID), cookie.get(SESSION_KEY)
    if not isinstance(row_id, int) or not isinstance(encoded, str):
        return None
    try:
        return row_id, base64.urlsafe_b64decode(encoded.encode("ascii"))
    except (binascii.Error, ValueError):
        return None


def session_limits() -> tuple[timedelta, datetime]:
    """The idle window and the absolute end of the current sign-in session."""
    settings = current_app.config["WITNESSBOX"]
    started = cookie.get("started_at")
    start = (datetime.fromtimestamp(started, UTC) if isinstance(started, int | float)
             else datetime.now(UTC))
    return (timedelta(minutes=settings.session_idle_minutes),
            start + timedelta(hours=settings.session_absolute_hours))


def remember(unlocked: Unlocked) -> None:
    cookie[UNLOCKED_KEY_ID] = unlocked.row_id
    cookie[SESSION_KEY] = encode_session_key(unlocked.session_key)


def current_row_id() -> int | None:
    """The row this session unlocked, even if its key K is missing or damaged:
    sign-out must still delete the row."""
    row_id = cookie.get(UNLOCKED_KEY_ID)
    return row_id if isinstance(row_id, int) else None


def unlocked_identity(session: Session, membership: Membership) -> crypto.Identity | None:
    """The signed-in member's unlocked identity for this request, or None.

    Each successful use slides the expiry by the idle timeout, capped by the
    session's absolute lifetime. A dead reference is dropped from the cookie.
    """
    values = _session_values()
    if values is None:
        return None
    idle, not_after = session_limits()
    identity = open_unlocked(session, membership, values[0], values[1],
                             idle=idle, not_after=not_after)
    if identity is None:
        forget()
    return identity


def forget() -> None:
    cookie.pop(UNLOCKED_KEY_ID, None)
    cookie.pop(SESSION_KEY, None)
