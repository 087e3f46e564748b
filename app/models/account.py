"""Account security records: sign-in sessions, invitations, recovery codes, unlocked keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, string_enum, utcnow
from app.models.organisation import Organisation, Role, User


class Invitation(Base):
    """A single-use, expiring invitation; only the token's SHA-256 is stored."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(string_enum(Role))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_membership_id: Mapped[int | None] = mapped_column(
        ForeignKey("membership.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()


class RecoveryCode(Base):
    """A one-time second-factor recovery code; only its SHA-256 is stored."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_sha256: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship()


class UnlockedKey(Base):
    """A member's identity for one session (brief, decision 5).

    ``sealed_identity`` is the identity encrypted under a random key that
    exists only in the member's session cookie; this row alone opens nothing
    and is deleted at sign-out, expiry or "sign out everywhere".
    """

    __tablename__ = "unlocked_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("membership.id", ondelete="CASCADE"), index=True)
    member_key_id: Mapped[int] = mapped_column(ForeignKey("member_key.id", ondelete="CASCADE"))
    sealed_identity: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SignInSession(Base):
    """One signed-in browser, known to the server (brief, decision 9).

    The cookie carries a random token; only its SHA-256 is stored. A request
    whose token has no row is signed out, so deleting the row (sign-out,
    expiry, suspension, a password change) kills every copy of the cookie.
    """

    __tablename__ = "sign_in_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
