"""Clusters of cases that belong together (same team, site, employer, incident).

Only a coded reason, never a free-text label: a label such as a team's or a
site's name could identify the witnesses.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.i18n import N_
from app.models.base import Base, string_enum, utcnow


class ClusterReason(enum.StrEnum):
    SAME_TEAM = "same_team"
    SAME_SITE = "same_site"
    SAME_EMPLOYER = "same_employer"
    SAME_INCIDENT = "same_incident"

    @property
    def label(self) -> str:
        return CLUSTER_REASON_LABELS[self]


CLUSTER_REASON_LABELS = {
    ClusterReason.SAME_TEAM: N_("The witnesses worked in the same team"),
    ClusterReason.SAME_SITE: N_("The witnesses worked at the same site"),
    ClusterReason.SAME_EMPLOYER: N_("The witnesses had the same employer"),
    ClusterReason.SAME_INCIDENT: N_("The testimonies describe the same incident"),
}


class CaseCluster(Base):
    __tablename__ = "case_cluster"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    # Random, shown to people and in URLs.
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    reason: Mapped[ClusterReason] = mapped_column(string_enum(ClusterReason))
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseClusterMember(Base):
    """One case in one cluster (the primary key keeps it there once)."""

    __tablename__ = "case_cluster_member"

    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("case_cluster.id", ondelete="CASCADE"), primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_record.id", ondelete="CASCADE"), primary_key=True, index=True)
    added_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
