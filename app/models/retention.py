"""Retention rules: how long an organisation keeps cases, by status."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, string_enum, utcnow
from app.models.case import CaseStatus


class RetentionRule(Base):
    """Cases of the organisation that have been in ``status`` for more than
    ``keep_days`` are crypto-shredded by the next retention run (unless on
    legal hold, or given a retention date of their own). No row: kept."""

    __tablename__ = "retention_rule"
    __table_args__ = (UniqueConstraint("organisation_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    status: Mapped[CaseStatus] = mapped_column(string_enum(CaseStatus))
    keep_days: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
