"""Retention rules, a case's own retention date, legal holds, and applying them.

Admins set the rules (per status: "delete cases that have been archived for
more than N days"), a case's retention date (which replaces the rule for that
case) and legal holds (which block every deletion). Each function checks the
acting admin itself and scopes every query to the admin's organisation; every
change is audited with codes and numbers only.

Witnessbox has no "rejected" or "withdrawn" status (app.cases.workflow):
a rule applies to any of the real statuses, and a submission to be dropped
(a witness withdrawing consent, one filed in error) is deleted by an admin
from its case page with a reason code.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.errors import NotFound, PermissionDenied
from app.i18n import N_
from app.models import Case, CaseStatus, LegalHoldReason, Membership, RetentionRule, Role
from app.retention.shredding import (
    RETENTION_RUN,
    LegalHoldActive,
    ShredReason,
    ShredReceipt,
    shred_case,
)
from app.storage import BlobStore

MIN_KEEP_DAYS, MAX_KEEP_DAYS = 1, 100 * 366


class LiftReason(enum.StrEnum):
    MATTER_CLOSED = "matter_closed"
    SET_IN_ERROR = "set_in_error"
    OTHER = "other"


# Marked with N_: the pages translate them where they show them.
HOLD_LABELS: dict[LegalHoldReason, str] = {
    LegalHoldReason.LITIGATION: N_("Litigation (a court case uses it)"),
    LegalHoldReason.INVESTIGATION: N_("An investigation is under way"),
    LegalHoldReason.PRESERVATION_REQUEST: N_(
        "A request to preserve it (court, prosecutor, UN body)"),
    LegalHoldReason.OTHER: N_("Another legal reason"),
}
LIFT_LABELS: dict[LiftReason, str] = {
    LiftReason.MATTER_CLOSED: N_("The matter is closed"),
    LiftReason.SET_IN_ERROR: N_("The hold was set in error"),
    LiftReason.OTHER: N_("Another reason"),
}


class Refused(ValueError):
    """A permitted kind of change that cannot be made; the message says why."""


def require_admin(member: Membership) -> None:
    if not member.active or member.role is not Role.ADMIN:
        raise PermissionDenied("only admins manage retention")


def case_of(session: Session, admin: Membership, public_id: str) -> Case:
    """The admin's organisation's case (another organisation's does not exist)."""
    require_admin(admin)
    case = session.scalar(select(Case).where(
        Case.public_id == public_id, Case.organisation_id == admin.organisation_id))
    if case is None:
        raise NotFound(public_id)
    return case


# -- rules -------------------------------------------------------------------

def rules_for(session: Session, organisation_id: int) -> dict[CaseStatus, int]:
    return {rule.status: rule.keep_days for rule in session.scalars(
        select(RetentionRule).where(RetentionRule.organisation_id == organisation_id))}


def rules(session: Session, admin: Membership) -> dict[CaseStatus, int]:
    require_admin(admin)
    return rules_for(session, admin.organisation_id)


def set_rules(session: Session, admin: Membership,
              wanted: Mapping[CaseStatus, int | None]) -> int:
    """Make the organisation's rules ``wanted`` (None: keep cases of that
    status); return how many changed (each change audited)."""
    require_admin(admin)
    current = {rule.status: rule for rule in session.scalars(
        select(RetentionRule).where(RetentionRule.organisation_id == admin.organisation_id))}
    changed = 0
    for status, days in wanted.items():
        if days is not None and not MIN_KEEP_DAYS <= days <= MAX_KEEP_DAYS:
            raise Refused(f"keep cases between {MIN_KEEP_DAYS} and {MAX_KEEP_DAYS} days")
        rule = current.get(status)
        if (rule.keep_days if rule else None) == days:
            continue
        if days is None and rule is not None:
            session.execute(delete(RetentionRule).where(RetentionRule.id == rule.id))
        elif rule is not None and days is not None:
            rule.keep_days = days
        elif days is not None:
            session.add(RetentionRule(organisation_id=admin.organisation_id, status=status,
                                      keep_days=days))
        changed += 1
        audit.record(session, audit.Action.RETENTION_CHANGED,
                     organisation_id=admin.organisation_id, actor_user_id=admin.user_id,
                     target=f"organisation:{admin.organisation_id}", status=status.value,
                     keep_days=days if days is not None else "forever")
    session.flush()
    return changed


# -- a case's retention date and legal hold ----------------------------------

def set_delete_after(session: Session, admin: Membership, case: Case,
                     day: date | None) -> bool:
    """Give the case its own retention date (None: back to the rules)."""
    require_admin(admin)
    if case.organisation_id != admin.organisation_id:
        raise NotFound(case.public_id)
    if case.delete_after == day:
        return False
    case.delete_after = day
    session.flush()
    audit.record(session, audit.Action.RETENTION_CHANGED, organisation_id=case.organisation_id,
                 actor_user_id=admin.user_id, target=case.public_id,
                 delete_after=day.isoformat() if day else "rules")
    return True


def set_legal_hold(session: Session, admin: Membership, case: Case,
                   reason: LegalHoldReason) -> bool:
    require_admin(admin)
    if case.organisation_id != admin.organisation_id:
        raise NotFound(case.public_id)
    if case.legal_hold_reason is reason:
        return False
    case.legal_hold_reason = reason
    case.legal_hold_since = case.legal_hold_since or datetime.now(UTC)
    session.flush()
    audit.record(session, audit.Action.LEGAL_HOLD_SET, organisation_id=case.organisation_id,
                 actor_user_id=admin.user_id, target=case.public_id, reason=reason.value)
    return True


def lift_legal_hold(session: Session, admin: Membership, case: Case,
                    reason: LiftReason) -> bool:
    require_admin(admin)
    if case.organisation_id != admin.organisation_id:
        raise NotFound(case.public_id)
    if case.legal_hold_reason is None:
        return False
    held = case.legal_hold_reason
    case.legal_hold_reason = None
    case.legal_hold_since = None
    session.flush()
    audit.record(session, audit.Action.LEGAL_HOLD_LIFTED, organisation_id=case.organisation_id,
                 actor_user_id=admin.user_id, target=case.public_id, reason=reason.value,
                 was=held.value)
    return True


def held_cases(session: Session, admin: Membership) -> list[Case]:
    require_admin(admin)
    return list(session.scalars(select(Case).where(
        Case.organisation_id == admin.organisation_id, Case.legal_hold_reason.is_not(None))
        .order_by(Case.legal_hold_since, Case.id)))


# -- what is due, and applying it --------------------------------------------

@dataclass(frozen=True)
class Due:
    """A case the rules delete now (or would, but for a legal hold)."""

    case_id: int
    public_id: str
    status: CaseStatus
    reason: ShredReason
    # "archived for more than 1825 days" or "retention date 2027-01-31".
    why: str
    held: LegalHoldReason | None
    # The parts of `why` for the page, which words them in its own language.
    delete_after: date | None = None
    days: int | None = None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def due_cases(session: Session, organisation_id: int, now: datetime,
              case_id: int | None = None) -> list[Due]:
    """The organisation's cases the rules delete at ``now``, held ones included
    (marked). No authorisation: the command line's and the page's helper."""
    today = now.astimezone(UTC).date()
    rule_days = rules_for(session, organisation_id)
    conditions = [Case.delete_after <= today]
    for status, days in rule_days.items():
        conditions.append(and_(Case.delete_after.is_(None), Case.status == status,
                               Case.status_changed_at <= now - timedelta(days=days)))
    query = select(Case).where(Case.organisation_id == organisation_id, or_(*conditions))
    if case_id is not None:
        query = query.where(Case.id == case_id)
    found = []
    for case in session.scalars(query.order_by(Case.id)):
        if case.delete_after is not None:
            reason, why = ShredReason.RETENTION_DATE, f"retention date {case.delete_after}"
        else:
            days = rule_days[case.status]
            reason = ShredReason.RETENTION_RULE
            why = f"{case.status.value} for more than {days} day(s)"
        found.append(Due(case.id, case.public_id, case.status, reason, why,
                         case.legal_hold_reason, case.delete_after,
                         None if case.delete_after is not None else rule_days[case.status]))
    return found


def preview(session: Session, admin: Membership, now: datetime | None = None) -> list[Due]:
    """What the next retention run would delete in the admin's organisation."""
    require_admin(admin)
    return due_cases(session, admin.organisation_id, now or datetime.now(UTC))


@dataclass(frozen=True)
class Applied:
    due: Due
    receipt: ShredReceipt | None  # None: kept (legal hold, or no longer due)
    kept_because: str | None


def apply_one(session: Session, blob_store: BlobStore, organisation_id: int, case_id: int,
              now: datetime, *, shred_list_file: str | os.PathLike[str] | None
              ) -> Applied | None:
    """Shred one case if the rules still delete it, judged again now with its
    row locked (an admin may have changed its date or hold since the list was
    made). None: not due (any more). Flushes only."""
    case = session.scalar(select(Case).where(Case.id == case_id).with_for_update()
                          .execution_options(populate_existing=True))
    if case is None:
        return None
    found = due_cases(session, organisation_id, now, case_id=case_id)
    if not found:
        return None
    due = found[0]
    if due.held is not None:
        return Applied(due, None, f"on legal hold ({due.held.value})")
    try:
        receipt = shred_case(session, blob_store, case, reason=due.reason, actor=RETENTION_RUN,
                             shred_list_file=shred_list_file)
    except LegalHoldActive as exc:  # pragma: no cover - the locked read above saw no hold
        return Applied(due, None, f"on legal hold ({exc.reason.value})")
    return Applied(due, receipt, None)
