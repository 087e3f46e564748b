"""Export bundles: what was asked for, by whom, who approved it, and where the
finished bundle is. Nothing here says anything about a person: the scope is
coded filters, the counts are counts, and a refusal names a case and a
category, never the string that leaked.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, string_enum, utcnow


class ExportPurpose(enum.StrEnum):
    """The intake's consent scopes an export can serve: a case is included
    only if its witness consented to exactly this purpose."""

    AGGREGATE_STATS = "aggregate_stats"
    ANONYMISED_QUOTES = "anonymised_quotes"
    SHARE_UN = "share_un"
    SHARE_PROSECUTORS = "share_prosecutors"


class ExportStatus(enum.StrEnum):
    # Queued or being built by a worker (app.exports.jobs); progress below.
    BUILDING = "building"
    AWAITING_APPROVAL = "awaiting_approval"
    READY = "ready"
    # The leak check (or another check) refused the bundle; nothing was kept.
    REFUSED = "refused"
    # The build broke (a worker died, a key went missing); nothing was kept.
    FAILED = "failed"


class ExportApproval(enum.StrEnum):
    """The organisation's rule for a second admin's approval of exports."""

    # On when the organisation has two or more active admins.
    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


class Export(Base):
    __tablename__ = "export_bundle"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, shown to people and in the bundle's name.
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    created_by_membership_id: Mapped[int | None] = mapped_column(
        ForeignKey("membership.id", ondelete="SET NULL"))
    approved_by_membership_id: Mapped[int | None] = mapped_column(
        ForeignKey("membership.id", ondelete="SET NULL"), default=None)
    purpose: Mapped[ExportPurpose] = mapped_column(string_enum(ExportPurpose))
    # Coded filters only (sector, status, indicator, cluster id, dates of filing).
    scope: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[ExportStatus] = mapped_column(string_enum(ExportStatus))
    needs_approval: Mapped[bool] = mapped_column(default=False)
    included_count: Mapped[int] = mapped_column(Integer, default=0)
    # {"consent": 3, "not_approved": 12, "no_key_access": 0}: counts only.
    excluded_counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # age public key the whole bundle is encrypted to, if any.
    encrypted_to: Mapped[str | None] = mapped_column(String(100), default=None)
    # Where the packed bundle is, relative to the export directory.
    bundle_path: Mapped[str | None] = mapped_column(String(300), default=None)
    bundle_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    bundle_size: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # Why a refused or failed export was: "a string masked in case C00002
    # (category PERSON) appears in cases.json"; never the string itself.
    refusal: Mapped[str | None] = mapped_column(String(300), default=None)
    # Cases read so far out of included_count, while building, and when the
    # build last said so (a build silent for long died with its process).
    progress: Mapped[int] = mapped_column(Integer, default=0)
    progress_at: Mapped[datetime | None] = mapped_column(default=None)
    # The prosecutor's age public key, for an evidence package.
    prosecutor: Mapped[str | None] = mapped_column(String(100), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(default=None)
