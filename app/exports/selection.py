"""Which cases an export holds: a scope on coded columns, then the rules.

A case in scope is included only if its redaction is approved (approved or
archived after approval), its witness consented to the export's purpose,
and the admin building the export holds a wrap of its key. Everything here
reads coded columns only: nothing is decrypted to decide. What is left out
is reported as counts per reason, never as a list of cases.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Row, Select, exists, select
from sqlalchemy.orm import Session

from app.i18n import N_
from app.models import (
    Case,
    CaseCluster,
    CaseClusterMember,
    CaseIndicator,
    CaseKeyWrap,
    CaseStatus,
    ExportPurpose,
    Membership,
)

APPROVED_STATUSES = (CaseStatus.APPROVED, CaseStatus.ARCHIVED)

# Why a case in scope was left out, in the order the checks run.
NOT_APPROVED = "not_approved"
NO_CONSENT = "no_consent"
NO_KEY_ACCESS = "no_key_access"
EXCLUSION_LABELS = {
    NOT_APPROVED: N_("redaction not approved"),
    NO_CONSENT: N_("consent does not cover this purpose"),
    NO_KEY_ACCESS: N_("the exporting admin's key cannot open it"),
}

PURPOSE_LABELS = {
    ExportPurpose.AGGREGATE_STATS: N_("Anonymous statistics"),
    ExportPurpose.ANONYMISED_QUOTES: N_("Statistics and anonymised quotes"),
    ExportPurpose.SHARE_UN: N_("Redacted report for the UN"),
    ExportPurpose.SHARE_PROSECUTORS: N_("Evidence package for prosecutors"),
}


@dataclass(frozen=True)
class ExportScope:
    """Coded filters; an empty field does not filter. Dates are filing dates
    (the only dates kept in the clear), inclusive."""

    sector: str = ""
    indicator: str = ""
    cluster_public_id: str = ""
    filed_from: date | None = None
    filed_to: date | None = None

    def to_json(self) -> dict[str, Any]:
        return {key: (value.isoformat() if isinstance(value, date) else value)
                for key, value in asdict(self).items() if value}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ExportScope:
        def day(key: str) -> date | None:
            value = raw.get(key)
            return date.fromisoformat(value) if value else None
        return cls(sector=raw.get("sector", ""), indicator=raw.get("indicator", ""),
                   cluster_public_id=raw.get("cluster_public_id", ""),
                   filed_from=day("filed_from"), filed_to=day("filed_to"))

    def describe(self) -> str:
        parts = []
        if self.sector:
            parts.append(f"sector {self.sector}")
        if self.indicator:
            parts.append(f"indicator {self.indicator} present")
        if self.cluster_public_id:
            parts.append(f"cluster {self.cluster_public_id}")
        if self.filed_from:
            parts.append(f"filed from {self.filed_from.isoformat()}")
        if self.filed_to:
            parts.append(f"filed to {self.filed_to.isoformat()}")
        return "; ".join(parts) or "all cases"


def _in_scope(organisation_id: int,
              scope: ExportScope) -> Select[int, CaseStatus, list[str]]:
    query = select(Case.id, Case.status, Case.consent_scopes).where(
        Case.organisation_id == organisation_id)
    if scope.sector:
        query = query.where(Case.sector == scope.sector)
    if scope.indicator:
        query = query.where(exists().where(CaseIndicator.case_id == Case.id,
                                           CaseIndicator.indicator == scope.indicator,
                                           CaseIndicator.present == "yes"))
    if scope.cluster_public_id:
        query = query.where(exists().where(
            CaseClusterMember.case_id == Case.id,
            CaseClusterMember.cluster_id == CaseCluster.id,
            CaseCluster.public_id == scope.cluster_public_id,
            CaseCluster.organisation_id == organisation_id))
    if scope.filed_from:
        query = query.where(Case.created_at >= datetime.combine(scope.filed_from, time(),
                                                                tzinfo=UTC))
    if scope.filed_to:
        query = query.where(Case.created_at < datetime.combine(
            scope.filed_to + timedelta(days=1), time(), tzinfo=UTC))
    return query.order_by(Case.id)


@dataclass
class Selection:
    case_ids: list[int]
    excluded: Counter[str]

    @property
    def excluded_counts(self) -> dict[str, int]:
        return {reason: self.excluded[reason] for reason in EXCLUSION_LABELS
                if self.excluded[reason]}


def select_cases(session: Session, builder: Membership, purpose: ExportPurpose,
                 scope: ExportScope) -> Selection:
    """The ids of the cases the export holds (by id, so output order is stable)."""
    key = builder.current_key
    opened: set[int] = set()
    if key is not None:
        opened = set(session.scalars(select(CaseKeyWrap.case_id).where(
            CaseKeyWrap.member_key_id == key.id)))
    included: list[int] = []
    excluded: Counter[str] = Counter()
    for case_id, status, consent in _rows(session, builder.organisation_id, scope):
        if status not in APPROVED_STATUSES:
            excluded[NOT_APPROVED] += 1
        elif purpose.value not in (consent or []):
            excluded[NO_CONSENT] += 1
        elif case_id not in opened:
            excluded[NO_KEY_ACCESS] += 1
        else:
            included.append(case_id)
    return Selection(included, excluded)


def _rows(session: Session, organisation_id: int,
          scope: ExportScope) -> Iterator[Row[int, CaseStatus, list[str]]]:
    result = session.execute(_in_scope(organisation_id, scope).execution_options(
        yield_per=2000))
    yield from result
