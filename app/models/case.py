"""Cases: coded columns in the clear, everything else in sealed objects."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, string_enum, utcnow


class CaseStatus(enum.StrEnum):
    """Where a case is in review; the allowed moves are app.cases.workflow's table."""

    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    IN_REDACTION = "in_redaction"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    ARCHIVED = "archived"


class Priority(enum.IntEnum):
    """Stored as a small integer so that the queue sorts by it with an index."""

    LOW = 0
    NORMAL = 1
    HIGH = 2
    URGENT = 3


class SealedKind(enum.StrEnum):
    NARRATIVE = "narrative"
    FIELDS = "fields"
    ATTACHMENT = "attachment"


class Storage(enum.StrEnum):
    INLINE = "inline"
    BLOB = "blob"


class WrapPurpose(enum.StrEnum):
    MEMBER = "member"
    RECOVERY = "recovery"


class LegalHoldReason(enum.StrEnum):
    """Why a case is kept whatever the retention rules say (a code, never free text)."""

    LITIGATION = "litigation"
    INVESTIGATION = "investigation"
    PRESERVATION_REQUEST = "preservation_request"
    OTHER = "other"


class Case(Base):
    __tablename__ = "case_record"
    # The queue's keyset pages (app.queue.service): one index per sort order,
    # each ending in the id that breaks ties between rows filed at the same instant.
    __table_args__ = (
        Index("ix_case_record_queue_filed", "organisation_id", "created_at", "id"),
        Index("ix_case_record_queue_status", "organisation_id", "status", "created_at", "id"),
        Index("ix_case_record_queue_priority", "organisation_id", "priority", "created_at",
              "id"),
        Index("ix_case_record_queue_filer", "created_by_membership_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, shown to people; never derived from names or dates.
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    created_by_membership_id: Mapped[int | None] = mapped_column(
        ForeignKey("membership.id", ondelete="SET NULL"))
    status: Mapped[CaseStatus] = mapped_column(string_enum(CaseStatus),
                                               default=CaseStatus.SUBMITTED)
    # Who is working on the case now (a reviewer or admin of the organisation).
    assignee_membership_id: Mapped[int | None] = mapped_column(
        ForeignKey("membership.id", ondelete="SET NULL"), index=True, default=None)
    priority: Mapped[int] = mapped_column(SmallInteger, default=int(Priority.NORMAL))
    # Public half of the case key: sealed material of this case is encrypted to it.
    case_recipient: Mapped[str] = mapped_column(String(100))
    # Coded tier: non-identifying answers from app.intake.schema, by field name.
    sector: Mapped[str | None] = mapped_column(String(40), index=True)
    source_connection: Mapped[str | None] = mapped_column(String(40))
    recruitment: Mapped[str | None] = mapped_column(String(40))
    contract: Mapped[str | None] = mapped_column(String(40))
    recontact_allowed: Mapped[bool] = mapped_column(default=False)
    reliability: Mapped[str | None] = mapped_column(String(40))
    consent_scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    conditions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Base64 Ed25519 signature over the public id, the recipient and every
    # sealed object's ciphertext hash (app.cases.receipts), made at intake
    # with the key outside the database. None only for cases from before it.
    receipt_signature: Mapped[str | None] = mapped_column(String(88))
    # SHA-256 of the intake form's one-time submission token: unique, so a
    # reload or a double click cannot file the same interview twice, even
    # when two requests race (the database decides). The token is not stored.
    submission_token_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # When the case entered its current status (app.cases.workflow sets it):
    # retention rules count from here ("archived for more than N days").
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # This case's own retention: deleted by the next retention run on or after
    # this day, in place of the organisation's rule for its status.
    delete_after: Mapped[date | None] = mapped_column(Date, default=None)
    # A legal hold blocks every deletion of the case (by hand and by rule)
    # until an admin lifts it; set and lifted with a reason code, audited.
    legal_hold_reason: Mapped[LegalHoldReason | None] = mapped_column(
        string_enum(LegalHoldReason), default=None)
    legal_hold_since: Mapped[datetime | None] = mapped_column(default=None)

    indicators: Mapped[list[CaseIndicator]] = relationship(
        back_populates="case", cascade="all, delete-orphan")
    sealed_objects: Mapped[list[SealedObject]] = relationship(
        back_populates="case", cascade="all, delete-orphan")
    key_wraps: Mapped[list[CaseKeyWrap]] = relationship(
        back_populates="case", cascade="all, delete-orphan")


class CaseIndicator(Base):
    """One ILO forced-labour indicator answer for a case (coded tier)."""

    __tablename__ = "case_indicator"
    # The queue's "indicator present" filter, from the indicator's side.
    __table_args__ = (Index("ix_case_indicator_queue", "indicator", "present", "case_id"),)

    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_record.id", ondelete="CASCADE"), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(40), primary_key=True)
    present: Mapped[str] = mapped_column(String(10))
    basis: Mapped[str | None] = mapped_column(String(20))
    frequency: Mapped[str | None] = mapped_column(String(20))

    case: Mapped[Case] = relationship(back_populates="indicators")


class SealedObject(Base):
    """An age file encrypted to the case recipient, inline or in the blob store."""

    __tablename__ = "sealed_object"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_record.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SealedKind] = mapped_column(string_enum(SealedKind))
    # Coded media kind (audio, photo, document) for attachments; the file name
    # and type are sealed inside the case's fields object.
    media_kind: Mapped[str | None] = mapped_column(String(20))
    # For attachments: whether identifying metadata was removed before sealing
    # ("removed", "none found" or "not removed"), so the receipt can say so
    # without opening the case. Says nothing of the content.
    metadata_outcome: Mapped[str | None] = mapped_column(String(16))
    storage: Mapped[Storage] = mapped_column(string_enum(Storage))
    inline_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    blob_path: Mapped[str | None] = mapped_column(String(300))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="sealed_objects")


class CaseKeyWrap(Base):
    """The case key encrypted to one recipient (a member key or the recovery key)."""

    __tablename__ = "case_key_wrap"
    __table_args__ = (
        UniqueConstraint("case_id", "recipient"),
        # "Is this case granted to this key?" for every row of the queue.
        Index("ix_case_key_wrap_member_key_case", "member_key_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_record.id", ondelete="CASCADE"), index=True)
    member_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("member_key.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[WrapPurpose] = mapped_column(string_enum(WrapPurpose))
    recipient: Mapped[str] = mapped_column(String(100))
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="key_wraps")
