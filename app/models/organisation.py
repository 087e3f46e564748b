"""Organisations, people and their memberships and keys."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, string_enum, utcnow
from app.models.export import ExportApproval


class Role(enum.StrEnum):
    INTERVIEWER = "interviewer"
    REVIEWER = "reviewer"
    ADMIN = "admin"

    @property
    def holds_key(self) -> bool:
        """Reviewers and admins decrypt, so they have an age identity."""
        return self in {Role.REVIEWER, Role.ADMIN}


class NewCasesTo(enum.StrEnum):
    """Whose keys a new case's key is wrapped to (besides the admins and the
    recovery recipient, who always get it): see app.intake.service.case_readers."""

    ALL_REVIEWERS = "all_reviewers"
    TRIAGE_GROUP = "triage_group"


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Public half of the offline recovery key; the secret never reaches the server.
    recovery_recipient: Mapped[str] = mapped_column(String(100))
    # While a recovery rotation runs (app.recovery.service), its new recipient:
    # new cases' keys are wrapped to it, not to the one being replaced.
    recovery_recipient_next: Mapped[str | None] = mapped_column(String(100), default=None)
    # How the recovery identity is split among custodians (k of n, ssss shares);
    # None for one undivided identity (the demo, or organisations made before).
    recovery_custodians: Mapped[int | None] = mapped_column(default=None)
    recovery_threshold: Mapped[int | None] = mapped_column(default=None)
    # TOTP is always required of reviewers and admins; for interviewers the
    # organisation decides (field staff may lack a second device).
    interviewer_totp_required: Mapped[bool] = mapped_column(default=False)
    new_cases_to: Mapped[NewCasesTo] = mapped_column(string_enum(NewCasesTo),
                                                     default=NewCasesTo.ALL_REVIEWERS)
    # Whether an export needs a second admin's approval before download.
    export_approval: Mapped[ExportApproval] = mapped_column(
        string_enum(ExportApproval), default=ExportApproval.AUTO)
    # The export signing key's public half, as minisign's .pub file text;
    # the secret half is a file outside the database (app.exports.service).
    export_public_key: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="organisation")


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    # Set for bootstrap and reset passwords: the first sign-in must replace it.
    must_change_password: Mapped[bool] = mapped_column(default=True)
    # TOTP secret encrypted under a server key (crypto.SecretBox); a stolen
    # database alone does not yield second factors.
    totp_secret_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(default=None)
    # The last accepted 30-second step: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger, default=None)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    # Bumped by "sign out everywhere": sessions carrying an older value end.
    session_generation: Mapped[int] = mapped_column(default=0)
    # The interface language the member chose (en, ko, ru); None follows the
    # browser's Accept-Language (app.i18n).
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="user")


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(string_enum(Role))
    active: Mapped[bool] = mapped_column(default=True)
    # Set when an admin removes the member (inactive too): unlike a suspension,
    # a removal cannot be reinstated, only followed by a fresh invitation,
    # because the member's keys and case key wraps are gone.
    removed_at: Mapped[datetime | None] = mapped_column(default=None)
    # Reviewers in the triage group get every new case when the organisation
    # sends new cases to the triage group only (Organisation.new_cases_to).
    in_triage_group: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
    keys: Mapped[list[MemberKey]] = relationship(back_populates="membership")

    @property
    def current_key(self) -> MemberKey | None:
        live = [key for key in self.keys if key.retired_at is None]
        return max(live, key=lambda key: key.created_at) if live else None


class MemberKey(Base):
    """A member's age identity: public recipient plus passphrase-protected secret."""

    __tablename__ = "member_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("membership.id", ondelete="CASCADE"), index=True)
    recipient: Mapped[str] = mapped_column(String(100), unique=True)
    # An age file (scrypt recipient) holding the identity: `age -d` opens it.
    protected_identity: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(default=None)

    membership: Mapped[Membership] = relationship(back_populates="keys")
