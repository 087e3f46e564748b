"""Session-bound unlocked keys (brief, decision 5).

A reviewer types their key passphrase once per session. The identity it
opens is re-sealed under a fresh random key K: the sealed copy goes into an
``UnlockedKey`` row, K only into the member's session cookie. Neither half
opens anything alone, so a stolen database or backup yields no identity, and
the row expires with the session (idle timeout, capped by the absolute
lifetime) and is deleted at lock, sign-out, suspension and removal.

The pure functions take everything as parameters; :func:`unlocked_identity`
and :func:`forget` are the thin Flask-aware layer that reads the cookie.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

import crypto
from app.audit import service as audit
from app.errors import PermissionDenied
from app.models import MemberKey, Membership, UnlockedKey
from crypto.identities import MIN_PASSPHRASE_LENGTH

# SecretBox purpose; the row id and K live in the cookie (app.keys.cookie).
_PURPOSE = "unlocked-identity"
# Extending the row's expiry on every request would be a write per request;
# only move it when it has used up more than this much of its idle window.
_SLIDE_GRANULARITY = timedelta(seconds=60)


class WrongPassphrase(Exception):
    """The passphrase does not open the member's key (audited as unlock_failed)."""


class WeakPassphrase(Exception):
    """The new passphrase is shorter than MIN_PASSPHRASE_LENGTH."""


@dataclass(frozen=True)
class Unlocked:
    row_id: int
    # K: goes into the session cookie and nowhere else.
    session_key: bytes = field(repr=False)
    expires_at: datetime


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _context(membership_id: int, member_key_id: int) -> bytes:
    # Binds the sealed identity to its row's owner and key: a row copied onto
    # another member (or key) no longer opens.
    return f"unlocked-key:{membership_id}:{member_key_id}".encode("ascii")


def key_of(membership: Membership) -> MemberKey:
    """The member's current key; PermissionDenied if they may hold none or hold none."""
    if not membership.active or not membership.role.holds_key:
        raise PermissionDenied("only active reviewers and admins hold keys")
    key = membership.current_key
    if key is None:
        raise PermissionDenied("member holds no key")
    return key


def unlock(session: Session, membership: Membership, passphrase: str, *,
           lifetime: timedelta, replaces: int | None = None,
           now: datetime | None = None) -> Unlocked:
    """Open the member's key with ``passphrase`` and park it for ``lifetime``.

    ``replaces`` is the row this session held before, deleted so one session
    holds one row. Other sessions' rows of the same member are left alone.
    """
    now = now or datetime.now(UTC)
    key = key_of(membership)
    try:
        identity = crypto.unprotect_identity(key.protected_identity, passphrase)
    except crypto.CryptoError:
        audit.record(session, audit.Action.UNLOCK_FAILED,
                     organisation_id=membership.organisation_id,
                     actor_user_id=membership.user_id, target=f"member_key:{key.id}")
        raise WrongPassphrase from None
    if str(identity.recipient) != key.recipient:  # pragma: no cover - a swapped key file
        raise WrongPassphrase
    return unlock_identity(session, membership, identity, lifetime=lifetime,
                           replaces=replaces, now=now)


def unlock_identity(session: Session, membership: Membership, identity: crypto.Identity, *,
                    lifetime: timedelta, replaces: int | None = None,
                    now: datetime | None = None) -> Unlocked:
    """Park ``identity``, already opened (or just made), as the member's
    current key unlocked for ``lifetime``; audited as an UNLOCK."""
    now = now or datetime.now(UTC)
    key = key_of(membership)
    if str(identity.recipient) != key.recipient:
        raise PermissionDenied("the identity is not the member's current key")
    session_key = crypto.SecretBox.random_key()
    sealed = crypto.SecretBox.derive(session_key, _PURPOSE).seal(
        identity.to_age_identity_file(), _context(membership.id, key.id))
    purge_expired(session, membership, now)
    if replaces is not None:
        forget(session, membership_id=membership.id, row_id=replaces)
    row = UnlockedKey(membership_id=membership.id, member_key_id=key.id,
                      sealed_identity=sealed, expires_at=now + lifetime)
    session.add(row)
    session.flush()
    audit.record(session, audit.Action.UNLOCK, organisation_id=membership.organisation_id,
                 actor_user_id=membership.user_id, target=f"member_key:{key.id}")
    return Unlocked(row.id, session_key, row.expires_at)


def change_passphrase(session: Session, membership: Membership, current: str,
                      new: str, *, keep_row_id: int | None = None) -> None:
    """Re-protect the member's identity under ``new`` after ``current`` opens it.

    The identity itself, and so the recipient and every case wrap, stays as
    it is: only the scrypt envelope of the key file changes. The unlocked
    copies of other sessions are forgotten (all but ``keep_row_id``, the
    changing session's own): a passphrase is changed because it may have
    leaked, and a session unlocked with the old one must not outlive it.
    A wrong ``current`` is a guess at the passphrase like a failed unlock
    and is recorded as one (durably, whatever the request does).
    """
    key = key_of(membership)
    # Checked before scrypt runs: a too-short new passphrase costs no guess.
    if len(new) < MIN_PASSPHRASE_LENGTH:
        raise WeakPassphrase
    try:
        identity = crypto.unprotect_identity(key.protected_identity, current)
    except crypto.CryptoError:
        audit.record(session, audit.Action.UNLOCK_FAILED,
                     organisation_id=membership.organisation_id,
                     actor_user_id=membership.user_id, target=f"member_key:{key.id}",
                     purpose="change_passphrase")
        raise WrongPassphrase from None
    if str(identity.recipient) != key.recipient:  # pragma: no cover - a swapped key file
        raise WrongPassphrase
    key.protected_identity = crypto.protect_identity(identity, new)
    session.flush()
    forget(session, membership_id=membership.id, keep_row_id=keep_row_id)
    audit.record(session, audit.Action.KEY_PASSPHRASE_CHANGED,
                 organisation_id=membership.organisation_id,
                 actor_user_id=membership.user_id, target=f"member_key:{key.id}")


def open_unlocked(session: Session, membership: Membership, row_id: int, session_key: bytes,
                  *, idle: timedelta | None = None, not_after: datetime | None = None,
                  now: datetime | None = None) -> crypto.Identity | None:
    """The identity parked in row ``row_id``, or None if it cannot be had.

    None when the row is missing, belongs to someone else, is expired
    (then deleted), was made for a key that is no longer current, or does not
    open with ``session_key``. With ``idle`` the expiry slides to
    ``now + idle``, never past ``not_after``.
    """
    now = now or datetime.now(UTC)
    row = session.scalar(select(UnlockedKey).where(UnlockedKey.id == row_id,
                                                   UnlockedKey.membership_id == membership.id))
    if row is None:
        return None
    if _aware(row.expires_at) <= now:
        session.delete(row)
        session.flush()
        return None
    key = membership.current_key if membership.active else None
    if key is None or key.id != row.member_key_id:
        return None
    try:
        identity = crypto.parse_identity(crypto.SecretBox.derive(session_key, _PURPOSE).open(
            row.sealed_identity, _context(membership.id, key.id)))
    except crypto.CryptoError:
        return None
    if str(identity.recipient) != key.recipient:  # pragma: no cover - needs a forged row
        return None
    if idle is not None:
        extended = now + idle
        if not_after is not None:
            extended = min(extended, not_after)
        if extended - _aware(row.expires_at) >= _SLIDE_GRANULARITY:
            row.expires_at = extended
            session.flush()
    return identity


def unlocked_until(session: Session, membership: Membership, row_id: int,
                   now: datetime | None = None) -> datetime | None:
    """When this session's unlocked key expires (for display; opens nothing)."""
    now = now or datetime.now(UTC)
    expires = session.scalar(select(UnlockedKey.expires_at).where(
        UnlockedKey.id == row_id, UnlockedKey.membership_id == membership.id))
    return _aware(expires) if expires is not None and _aware(expires) > now else None


def lock(session: Session, membership: Membership, row_id: int) -> None:
    forget(session, membership_id=membership.id, row_id=row_id)


def forget(session: Session, *, user_id: int | None = None, membership_id: int | None = None,
           row_id: int | None = None, keep_row_id: int | None = None) -> int:
    """Delete unlocked keys: the one place that does (lock, sign-out, password
    change, suspension, removal). Scoped to a user's memberships or to one
    membership; optionally only row ``row_id``, or all but ``keep_row_id``.
    Returns how many were deleted.
    """
    if (user_id is None) == (membership_id is None):
        raise ValueError("forget unlocked keys of exactly one user or one membership")
    query = delete(UnlockedKey)
    if membership_id is not None:
        query = query.where(UnlockedKey.membership_id == membership_id)
    else:
        query = query.where(UnlockedKey.membership_id.in_(
            select(Membership.id).where(Membership.user_id == user_id)))
    if row_id is not None:
        query = query.where(UnlockedKey.id == row_id)
    if keep_row_id is not None:
        query = query.where(UnlockedKey.id != keep_row_id)
    result = session.execute(query.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0))


def purge_expired(session: Session, membership: Membership | None = None,
                  now: datetime | None = None) -> None:
    """Delete expired rows (of one member, or all)."""
    query = delete(UnlockedKey).where(UnlockedKey.expires_at <= (now or datetime.now(UTC)))
    if membership is not None:
        query = query.where(UnlockedKey.membership_id == membership.id)
    # SQLite returns naive datetimes, which Python cannot compare with `now`.
    session.execute(query.execution_options(synchronize_session="fetch"))
