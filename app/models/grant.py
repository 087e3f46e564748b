"""Who was given a case's key, by whom and until when: the history behind the wraps.

The wraps (app.models.case.CaseKeyWrap) decide who can open a case; this
table only remembers. An open row (``revoked_at`` None) means "this person
holds, or held until their key was retired, access to the case": a member
removed and invited back, or given a new key, can be re-granted exactly
those cases. Intake records a row per member it wraps a new case to
(``granted_by_user_id`` None); an explicit revoke closes the row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class CaseGrant(Base):
    __tablename__ = "case_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_record.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # None: wrapped at intake (the organisation's rule for new cases decided).
    granted_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
