"""Recovery rotations: replacing an organisation's offline recovery identity.

A rotation re-wraps every case key wrapped to the old recovery recipient to
a new one, in batches, and can be resumed after an interruption; this row is
its progress. It holds only public values: the recipients, counts and the
cursor. The new identity exists only on the custodians' share sheets.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, string_enum, utcnow


class RotationState(enum.StrEnum):
    # Shares issued; case keys are being re-wrapped (new cases already go to
    # the new recipient).
    RUNNING = "running"
    # Every recovery wrap is to the new recipient; the organisation uses it.
    FINISHED = "finished"


class RecoveryRotation(Base):
    __tablename__ = "recovery_rotation"
    __table_args__ = (
        # At most one running rotation per organisation, decided by the database.
        Index("uq_recovery_rotation_running", "organisation_id", unique=True,
              sqlite_where=text("state = 'running'"),
              postgresql_where=text("state = 'running'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    old_recipient: Mapped[str] = mapped_column(String(100))
    new_recipient: Mapped[str] = mapped_column(String(100))
    custodians: Mapped[int] = mapped_column(Integer)
    threshold: Mapped[int] = mapped_column(Integer)
    state: Mapped[RotationState] = mapped_column(string_enum(RotationState),
                                                 default=RotationState.RUNNING)
    # The id of the last case_key_wrap re-wrapped: the next batch starts after it.
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    # Recovery wraps to the old recipient when the rotation started, and how
    # many have been re-wrapped (cases filed meanwhile are wrapped to the new
    # recipient at intake and need none; shredded ones need none either).
    total: Mapped[int] = mapped_column(Integer, default=0)
    rewrapped: Mapped[int] = mapped_column(Integer, default=0)
    batches: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
