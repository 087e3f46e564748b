"""The review workflow: which status may follow which, for whom, and why.

submitted → in review → in redaction → awaiting approval → approved →
archived, and back with a reason. Every allowed move is one row of
``TRANSITIONS``; nothing else in the code changes ``Case.status``. Two moves
are not made by hand: a redaction is submitted for approval, and approved or
returned, only by the redaction service, which checks that the second sweep is
done and that the approver is not the redactor.

A reason is a code from ``Reason``, never free text: the audit log keeps it,
and the audit log must never hold a word about a witness.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.errors import PermissionDenied, TransitionRefused
from app.i18n import N_
from app.models import Case, CaseKeyWrap, CaseStatus, Membership, Role

S = CaseStatus
KEY_HOLDERS = frozenset({Role.REVIEWER, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})

STATUS_LABELS: dict[CaseStatus, str] = {
    S.SUBMITTED: N_("Submitted"),
    S.IN_REVIEW: N_("In review"),
    S.IN_REDACTION: N_("In redaction"),
    S.AWAITING_APPROVAL: N_("Awaiting approval"),
    S.APPROVED: N_("Approved"),
    S.ARCHIVED: N_("Archived"),
}


class Reason(enum.StrEnum):
    NEEDS_MORE_INFORMATION = "needs_more_information"
    IDENTIFYING_DETAIL_LEFT = "identifying_detail_left"
    REDACTION_INCOMPLETE = "redaction_incomplete"
    CODING_ERROR = "coding_error"
    CONSENT_QUESTION = "consent_question"
    ASSIGNED_IN_ERROR = "assigned_in_error"
    OTHER = "other"


REASON_LABELS: dict[Reason, str] = {
    Reason.NEEDS_MORE_INFORMATION: N_("Needs more information from the interviewer"),
    Reason.IDENTIFYING_DETAIL_LEFT: N_("An identifying detail is still visible"),
    Reason.REDACTION_INCOMPLETE: N_("The redaction is not finished"),
    Reason.CODING_ERROR: N_("A coded answer is wrong"),
    Reason.CONSENT_QUESTION: N_("The witness's consent needs checking"),
    Reason.ASSIGNED_IN_ERROR: N_("Moved forward by mistake"),
    Reason.OTHER: N_("Another reason (say it in a sealed note)"),
}


@dataclass(frozen=True)
class Transition:
    source: CaseStatus
    target: CaseStatus
    label: str
    roles: frozenset[Role]
    # Moving back needs a reason code.
    backwards: bool = False
    # False: only the redaction service makes this move, after its own checks.
    by_hand: bool = True


TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.SUBMITTED, S.IN_REVIEW, N_("Start review"), KEY_HOLDERS),
    Transition(S.IN_REVIEW, S.IN_REDACTION, N_("Start redaction"), KEY_HOLDERS),
    Transition(S.IN_REDACTION, S.AWAITING_APPROVAL, N_("Submit the redaction for approval"),
               KEY_HOLDERS, by_hand=False),
    Transition(S.AWAITING_APPROVAL, S.APPROVED, N_("Approve the redaction"), KEY_HOLDERS,
               by_hand=False),
    Transition(S.APPROVED, S.ARCHIVED, N_("Archive"), ADMINS),
    Transition(S.IN_REVIEW, S.SUBMITTED, N_("Return to the queue"), KEY_HOLDERS, backwards=True),
    Transition(S.IN_REDACTION, S.IN_REVIEW, N_("Back to review"), KEY_HOLDERS, backwards=True),
    Transition(S.AWAITING_APPROVAL, S.IN_REDACTION, N_("Return to the redactor"), KEY_HOLDERS,
               backwards=True, by_hand=False),
    Transition(S.APPROVED, S.IN_REDACTION, N_("Reopen the redaction"), ADMINS, backwards=True),
    Transition(S.ARCHIVED, S.APPROVED, N_("Restore from the archive"), ADMINS, backwards=True),
)
_BY_MOVE = {(t.source, t.target): t for t in TRANSITIONS}


def find(source: CaseStatus, target: CaseStatus) -> Transition | None:
    return _BY_MOVE.get((source, target))


def _holds_wrap(session: Session, case: Case, membership: Membership) -> bool:
    key = membership.current_key
    if key is None:
        return False
    return session.scalar(select(CaseKeyWrap.id).where(
        CaseKeyWrap.case_id == case.id, CaseKeyWrap.member_key_id == key.id)) is not None


def may_act_on(session: Session, case: Case, membership: Membership) -> bool:
    """Admins act on any case of their organisation; reviewers on those granted to them."""
    if not membership.active or case.organisation_id != membership.organisation_id:
        return False
    if membership.role is Role.ADMIN:
        return True
    return membership.role is Role.REVIEWER and _holds_wrap(session, case, membership)


def available(session: Session, case: Case, membership: Membership) -> Sequence[Transition]:
    """The moves this member may make by hand on this case now (for buttons)."""
    if not may_act_on(session, case, membership):
        return ()
    return tuple(t for t in TRANSITIONS if t.source is case.status and t.by_hand
                 and membership.role in t.roles)


def change_status(session: Session, case: Case, target: CaseStatus, *, actor: Membership,
                  reason: Reason | None = None, by_hand: bool = True) -> Transition:
    """Move ``case`` to ``target`` if the table allows it for ``actor``; audited.

    ``by_hand=False`` is for the redaction service only (submit, approve,
    return), which has made its own checks first.
    """
    if not may_act_on(session, case, actor):
        raise PermissionDenied("member may not act on this case")
    transition = find(case.status, target)
    if transition is None:
        raise TransitionRefused(f"a case cannot go from {case.status} to {target}")
    if actor.role not in transition.roles:
        raise PermissionDenied(f"{actor.role} may not {transition.label.lower()}")
    if by_hand and not transition.by_hand:
        raise TransitionRefused(f"{transition.label} is done from the redaction page")
    if transition.backwards and reason is None:
        raise TransitionRefused("moving a case back needs a reason")
    source = case.status
    case.status = target
    case.status_changed_at = datetime.now(UTC)  # retention rules count from here
    audit.record(session, audit.Action.STATUS_CHANGED, organisation_id=case.organisation_id,
                 actor_user_id=actor.user_id, target=case.public_id,
                 from_status=source.value, to_status=target.value,
                 reason=reason.value if reason else None)
    session.flush()
    return transition
