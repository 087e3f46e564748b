"""TOTP second factor and one-time recovery codes.

The secret is sealed with :class:`crypto.SecretBox` under a key derived from
the first of the ``totp_seed_keys`` setting (never the cookie-signing
SECRET_KEY), bound to the user id: a stolen database alone yields no second
factors, and a sealed secret copied onto another account does not open. Any
key of the list opens a seal, so a new key can be put first, ``witnessbox
totp rekey`` run, and the old key then dropped. A code is accepted at most
once: the last accepted 30-second step is stored and only later steps pass,
claimed with a conditional UPDATE so two concurrent requests cannot both
spend the same code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pyotp
import segno
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from app.models import Membership, RecoveryCode, User
from crypto import CryptoError, SecretBox

ISSUER = "Witnessbox"
STEP_SECONDS = 30
# One step either side absorbs clock drift on the phone.
VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


def _box(seed_key: str) -> SecretBox:
    return SecretBox.derive(seed_key.encode(), "totp-secret")


def _seal_seed(user: User, secret: str, seed_keys: Sequence[str]) -> bytes:
    if not seed_keys:
        raise CryptoError("no TOTP seed key configured")
    return _box(seed_keys[0]).seal(secret.encode(), _context(user))


def _context(user: User) -> bytes:
    return f"user:{user.id}".encode()


def requires_totp(session: Session, user_id: int) -> bool:
    """Reviewers and admins always; interviewers when their organisation says so."""
    memberships = session.scalars(select(Membership).where(
        Membership.user_id == user_id, Membership.active.is_(True)))
    return any(m.role.holds_key or m.organisation.interviewer_totp_required
               for m in memberships)


def is_enrolled(user: User) -> bool:
    return user.totp_enabled_at is not None and user.totp_secret_sealed is not None


@dataclass(frozen=True)
class Enrolment:
    secret: str = ""
    qr_data_uri: str = ""
    # The entry's name in the authenticator app, to show beside the QR code.
    label: str = ""


def pending_enrolment(session: Session, user: User, seed_keys: Sequence[str],
                      site: str = "") -> Enrolment:
    """The not yet confirmed secret for ``user``, made on first call.

    Reusing a pending secret lets a reload show the QR code already scanned.
    """
    if is_enrolled(user):
        raise ValueError("two-factor sign-in is already enabled")
    secret = _open_secret(user, seed_keys) if user.totp_secret_sealed else None
    if secret is None:
        secret = pyotp.random_base32()
        user.totp_secret_sealed = _seal_seed(user, secret, seed_keys)
        session.flush()
    issuer, account = authenticator_label(session, user, site)
    uri = pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)
    qr_uri: str = segno.make(uri, error="m").png_data_uri(scale=5, border=4)
    return Enrolment(secret=secret, qr_data_uri=qr_uri, label=f"{issuer}: {account}")


def authenticator_label(session: Session, user: User, site: str = "") -> tuple[str, str]:
    """(issuer, account) as the authenticator app shows the entry:
    "Witnessbox (Alpha Human Rights)" and the member's e-mail address.

    A member with several codes on one phone must tell them apart ("Witnessbox:account 2"
    said nothing). The organisation names the entry when the member belongs to exactly
    one; otherwise the site's host name (``base_url``) does. The entry does show who the
    member is and for whom they work, to anyone who sees the unlocked phone; the
    secret itself never leaves the QR code.
    """
    organisations = sorted({m.organisation.name for m in session.scalars(
        select(Membership).where(Membership.user_id == user.id,
                                 Membership.active.is_(True)))})
    where = organisations[0] if len(organisations) == 1 else urlsplit(site).hostname or ""
    # A colon separates issuer and account in the otpauth label: none may appear in either.
    where = " ".join(where.replace(":", " ").split())
    issuer = f"{ISSUER} ({where})" if where else ISSUER
    return issuer, user.email.replace(":", "")


def _open_secret(user: User, seed_keys: Sequence[str]) -> str | None:
    """The seed, opened with whichever of ``seed_keys`` sealed it; None if none did."""
    if user.totp_secret_sealed is None:
        return None
    for key in seed_keys:
        try:
            return _box(key).open(user.totp_secret_sealed, _context(user)).decode()
        except CryptoError:
            continue  # sealed under another key, or copied from another account
    return None


@dataclass(frozen=True)
class RekeyCounts:
    resealed: int = 0
    unreadable: int = 0


def rekey_all(session: Session, seed_keys: Sequence[str]) -> RekeyCounts:
    """Re-seal every stored seed (enrolled or pending) under ``seed_keys[0]``.

    Seeds no key opens are left untouched and counted. Only flushes; the
    caller's unit of work commits once, so the re-seal is one transaction.
    """
    resealed = unreadable = 0
    for user in session.scalars(select(User).where(User.totp_secret_sealed.is_not(None))):
        secret = _open_secret(user, seed_keys)
        if secret is None:
            unreadable += 1
            continue
        user.totp_secret_sealed = _seal_seed(user, secret, seed_keys)
        resealed += 1
    session.flush()
    return RekeyCounts(resealed=resealed, unreadable=unreadable)


def install_secret(user: User, secret: str, seed_keys: Sequence[str]) -> None:
    """Seal ``secret`` for ``user`` and turn TOTP on, skipping the confirmation.

    For provisioning tools and test fixtures; members enrol through
    :func:`pending_enrolment` and :func:`confirm_enrolment`.
    """
    user.totp_secret_sealed = _seal_seed(user, secret, seed_keys)
    user.totp_enabled_at = datetime.now(UTC)
    user.totp_last_step = None


def _matching_step(secret: str, code: str, now: float) -> int | None:
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(now) // STEP_SECONDS
    found = None
    # Compare against every candidate, in constant time, before deciding.
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def _claim_step(session: Session, user: User, step: int) -> bool:
    """Record ``step`` as used unless it (or a later one) already was."""
    result = session.execute(
        update(User)
        .where(User.id == user.id,
               or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False))
    claimed: bool = result.rowcount == 1  # type: ignore[attr-defined]  # CursorResult
    if claimed:
        user.totp_last_step = step
    return claimed


def verify_code(session: Session, user: User, code: str, seed_keys: Sequence[str],
                now: float | None = None) -> bool:
    """True once per valid code of an enrolled user."""
    if not is_enrolled(user):
        return False
    secret = _open_secret(user, seed_keys)
    if secret is None:
        return False
    step = _matching_step(secret, code, time.time() if now is None else now)
    return step is not None and _claim_step(session, user, step)


def confirm_enrolment(session: Session, user: User, code: str, seed_keys: Sequence[str],
                      now: float | None = None) -> list[str] | None:
    """Turn TOTP on after a first valid code; returns the recovery codes (shown once).

    The code spends its step, so the code typed here cannot sign anyone in.
    """
    if is_enrolled(user):
        return None
    secret = _open_secret(user, seed_keys)
    if secret is None:
        return None
    step = _matching_step(secret, code, time.time() if now is None else now)
    if step is None or not _claim_step(session, user, step):
        return None
    user.totp_enabled_at = datetime.now(UTC)
    return replace_recovery_codes(session, user)


def _normalise_recovery(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _recovery_hash(code: str) -> str:
    return hashlib.sha256(_normalise_recovery(code).encode()).hexdigest()


def replace_recovery_codes(session: Session, user: User) -> list[str]:
    """Discard old recovery codes and make new ones; only their SHA-256 is stored."""
    for old in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")  # 50 bits each
        session.add(RecoveryCode(user_id=user.id, code_sha256=_recovery_hash(raw)))
    session.flush()
    return codes


def looks_like_recovery_code(code: str) -> bool:
    return len(_normalise_recovery(code)) == 10


def use_recovery_code(session: Session, user: User, code: str) -> bool:
    """True once per recovery code."""
    if not looks_like_recovery_code(code):
        return False
    wanted = _recovery_hash(code)
    match = None
    for candidate in session.scalars(select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))):
        if hmac.compare_digest(candidate.code_sha256, wanted):
            match = candidate
    if match is None:
        return False
    result = session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == match.id, RecoveryCode.used_at.is_(None))
        .values(used_at=datetime.now(UTC))
        .execution_options(synchronize_session=False))
    used: bool = result.rowcount == 1  # type: ignore[attr-defined]  # CursorResult
    return used


def recovery_codes_left(session: Session, user: User) -> int:
    return len(list(session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))))
