"""Authentication, lockout and the active membership, independent of Flask views.

Lockout lives in the database, per account: whatever address an attacker
uses, ``lockout_threshold`` consecutive wrong passwords or second-factor
codes lock the account for ``lockout_minutes``. While locked, even the right
password fails, with the same message as a wrong one, so the lock tells an
attacker nothing about the password. Audit events carry ids only.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, selectinload

from app.audit.service import Action, record
from app.auth import totp
from app.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password
from app.i18n import N_
from app.keys import service as keys
from app.models import Membership, SignInSession, User

DEFAULT_LOCKOUT_THRESHOLD = 5
DEFAULT_LOCKOUT_MINUTES = 15
# Moving a session's last-seen time on every request would be a write per
# request; it moves when this much of the idle window has passed.
_SESSION_SLIDE = timedelta(seconds=30)


class PasswordPolicyError(ValueError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; both backends store UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def is_locked(user: User, now: datetime | None = None) -> bool:
    return user.locked_until is not None and _aware(user.locked_until) > (now or _now())


def audit_user_event(session: Session, action: Action, user_id: int | None,
                     **details: str | int | bool | None) -> None:
    """Record ``action`` in the log of every organisation the user belongs to.

    Each organisation's admins then see their own member's sign-in events;
    an unknown e-mail is recorded once, with no organisation and no actor.
    """
    organisation_ids: list[int | None] = []
    if user_id is not None:
        organisation_ids.extend(session.scalars(
            select(Membership.organisation_id)
            .where(Membership.user_id == user_id, Membership.active.is_(True))
            .order_by(Membership.organisation_id)))
    for organisation_id in organisation_ids or [None]:
        record(session, action, organisation_id=organisation_id, actor_user_id=user_id,
               target=f"user:{user_id}" if user_id is not None else None, **details)


def register_failure(session: Session, user: User, action: Action, *, reason: str,
                     threshold: int = DEFAULT_LOCKOUT_THRESHOLD,
                     lock_minutes: int = DEFAULT_LOCKOUT_MINUTES,
                     now: datetime | None = None) -> bool:
    """Count one wrong password or code; lock at ``threshold``.

    The increment happens in SQL so that parallel guesses are all counted.
    Returns True when this failure locked the account.
    """
    failures = session.execute(
        update(User).where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
        .execution_options(synchronize_session=False)).scalar_one()
    user.failed_logins = failures
    audit_user_event(session, action, user.id, reason=reason)
    if failures < threshold:
        return False
    # The counter restarts so that, once the lock lifts, N more guesses lock again.
    user.failed_logins = 0
    user.locked_until = (now or _now()) + timedelta(minutes=lock_minutes)
    audit_user_event(session, Action.LOCKED_OUT, user.id, minutes=lock_minutes)
    return True


def authenticate(session: Session, email: str, password: str, *,
                 threshold: int = DEFAULT_LOCKOUT_THRESHOLD,
                 lock_minutes: int = DEFAULT_LOCKOUT_MINUTES,
                 now: datetime | None = None) -> User | None:
    """The user if the password matches and the account is not locked.

    None otherwise, after the same argon2 work whichever the reason. Failures
    are counted and audited (the audit events are durable: they are kept even
    if the request is then abandoned).
    """
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    matches = verify_password(user.password_hash if user else None, password)
    if user is None:
        audit_user_event(session, Action.SIGN_IN_FAILED, None, reason="unknown_account")
        return None
    if is_locked(user, now):
        audit_user_event(session, Action.SIGN_IN_FAILED, user.id, reason="locked")
        return None
    if not matches:
        register_failure(session, user, Action.SIGN_IN_FAILED, reason="password",
                         threshold=threshold, lock_minutes=lock_minutes, now=now)
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.flush()
    return user


def complete_sign_in(session: Session, user: User, method: str) -> None:
    """Both factors passed: reset the failure counter and record the sign-in."""
    user.failed_logins = 0
    user.locked_until = None
    if method == "recovery_code":
        audit_user_event(session, Action.RECOVERY_CODE_USED, user.id)
    audit_user_event(session, Action.SIGN_IN, user.id, method=method)


# --- sign-in sessions known to the server ------------------------------------

def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def open_session(session: Session, user_id: int, now: datetime | None = None) -> str:
    """Record a new signed-in session; the token goes into the cookie only."""
    now = now or _now()
    token = secrets.token_urlsafe(32)
    session.add(SignInSession(token_sha256=_token_digest(token), user_id=user_id,
                              created_at=now, last_seen_at=now))
    session.flush()
    return token


def session_alive(session: Session, user_id: int, token: str | None, *, idle: timedelta,
                  lifetime: timedelta, now: datetime | None = None) -> bool:
    """Whether the cookie's session still exists on the server for this user.

    An idle or too old session is deleted here, so a copy of its cookie that
    still looks fresh dies with it. A live one has its last-seen time moved.
    """
    if not token:
        return False
    now = now or _now()
    row = session.scalar(select(SignInSession).where(
        SignInSession.token_sha256 == _token_digest(token), SignInSession.user_id == user_id))
    if row is None:
        return False
    if now - _aware(row.last_seen_at) > idle or now - _aware(row.created_at) > lifetime:
        session.delete(row)
        session.flush()
        return False
    if now - _aware(row.last_seen_at) >= _SESSION_SLIDE:
        row.last_seen_at = now
        session.flush()
    return True


def end_sessions(session: Session, user_id: int, *, keep_token: str | None = None) -> None:
    """Delete the user's sessions on the server (all, or all but ``keep_token``'s)."""
    query = delete(SignInSession).where(SignInSession.user_id == user_id)
    if keep_token:
        query = query.where(SignInSession.token_sha256 != _token_digest(keep_token))
    session.execute(query)


def sign_out(session: Session, user_id: int, unlocked_key_id: int | None, reason: str,
             token: str | None = None) -> None:
    """End one session: its server record and unlocked key go with it."""
    if token:
        session.execute(delete(SignInSession).where(
            SignInSession.token_sha256 == _token_digest(token),
            SignInSession.user_id == user_id))
    if unlocked_key_id is not None:
        keys.forget(session, user_id=user_id, row_id=unlocked_key_id)
    audit_user_event(session, Action.SIGN_OUT, user_id, reason=reason)


def sign_out_everywhere(session: Session, user_id: int) -> None:
    """End every session of the user: a newer generation makes old cookies stale."""
    session.execute(update(User).where(User.id == user_id)
                    .values(session_generation=User.session_generation + 1)
                    .execution_options(synchronize_session=False))
    keys.forget(session, user_id=user_id)
    end_sessions(session, user_id)
    audit_user_event(session, Action.SIGN_OUT_EVERYWHERE, user_id)


def end_other_sessions(session: Session, user: User, keep_unlocked_key_id: int | None,
                       keep_token: str | None = None) -> int:
    """After a password change: every other session ends, this one goes on.

    Returns the new generation for the caller to store in this session.
    """
    user.session_generation += 1
    if keep_unlocked_key_id is None:
        keys.forget(session, user_id=user.id)
    else:
        keys.forget(session, user_id=user.id, keep_row_id=keep_unlocked_key_id)
    end_sessions(session, user.id, keep_token=keep_token)
    return user.session_generation


class NotEnrolled(ValueError):
    """Recovery codes belong to two-factor sign-in, which this account has not set up."""


def regenerate_recovery_codes(session: Session, user: User) -> list[str]:
    """Replace every recovery code of ``user``; the new ones are returned once.

    The caller checked the current password: a session left open on a shared
    computer must not be enough to mint codes that outlive it.
    """
    if not totp.is_enrolled(user):
        raise NotEnrolled(N_("Set up two-factor sign-in first."))
    codes = totp.replace_recovery_codes(session, user)
    audit_user_event(session, Action.RECOVERY_CODES_REGENERATED, user.id, count=len(codes))
    return codes


def set_password(session: Session, user: User, new_password: str) -> None:
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    session.flush()


def active_memberships(session: Session, user_id: int) -> list[Membership]:
    return list(session.scalars(
        select(Membership)
        .options(selectinload(Membership.organisation))
        .where(Membership.user_id == user_id, Membership.active.is_(True))
        .order_by(Membership.id)
    ))


def ended_memberships(session: Session, user_id: int) -> list[Membership]:
    """The user's suspended or removed memberships (for the page that says so)."""
    return list(session.scalars(
        select(Membership)
        .options(selectinload(Membership.organisation))
        .where(Membership.user_id == user_id, Membership.active.is_(False))
        .order_by(Membership.id)
    ))


def load_membership(session: Session, user_id: int, membership_id: int) -> Membership | None:
    """The membership only if it belongs to this user and is active."""
    return session.scalar(select(Membership).where(
        Membership.id == membership_id, Membership.user_id == user_id,
        Membership.active.is_(True)))


def set_language(db: Session, user_id: int, language: str) -> None:
    """The member's interface language; the caller checked it is one of app.i18n's."""
    user = db.get(User, user_id)
    if user is not None:
        user.language = language
        db.flush()
