"""Redaction layers: every save of the redaction editor is a new sealed version.

The layer itself (which spans are masked, with what pseudonym, the second
sweep's decisions, an approver's comment) is sealed to the case recipient;
only who saved, when, and coded counts of what changed are in the clear.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, string_enum, utcnow


class LayerEvent(enum.StrEnum):
    """Why a version was saved: an edit, the submission for approval (the
    submitter is a redactor even with nothing left to change), or a return."""

    EDITED = "edited"
    SUBMITTED = "submitted"
    RETURNED = "returned"


class RedactionVersion(Base):
    __tablename__ = "redaction_version"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_record.id", ondelete="CASCADE"), index=True)
    # 1, 2, 3... per case; unique, so two racing saves cannot both be version n.
    number: Mapped[int] = mapped_column(Integer)
    author_membership_id: Mapped[int | None] = mapped_column(
        ForeignKey("membership.id", ondelete="SET NULL"))
    event: Mapped[LayerEvent] = mapped_column(string_enum(LayerEvent), default=LayerEvent.EDITED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # age file to the case recipient: JSON of spans, sweep decisions, comment.
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    # What changed, as counts only (never a word of the text).
    added_count: Mapped[int] = mapped_column(Integer, default=0)
    accepted_count: Mapped[int] = mapped_column(Integer, default=0)
    rejected_count: Mapped[int] = mapped_column(Integer, default=0)
    swept_count: Mapped[int] = mapped_column(Integer, default=0)
