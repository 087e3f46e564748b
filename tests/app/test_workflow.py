"""The review workflow: one table of moves, enforced and audited by the service."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from intake_data import file_case
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.cases import workflow
from app.errors import PermissionDenied, TransitionRefused
from app.models import AuditEvent, CaseKeyWrap, CaseStatus, Role
from app.storage import BlobStore

S = CaseStatus


def test_every_status_is_reachable_forward_and_has_a_way_back() -> None:
    forward = [S.SUBMITTED, S.IN_REVIEW, S.IN_REDACTION, S.AWAITING_APPROVAL, S.APPROVED,
               S.ARCHIVED]
    for source, target in itertools.pairwise(forward):
        move = workflow.find(source, target)
        assert move is not None
        assert not move.backwards
        back = workflow.find(target, source) or workflow.find(target, S.IN_REDACTION)
        assert back is not None, f"no way back from {target}"
        assert back.backwards
    assert set(workflow.STATUS_LABELS) == set(CaseStatus)


def test_a_case_cannot_skip_a_step(db: Session, demo_org: Any, blobs: BlobStore) -> None:
    case = file_case(db, demo_org, blobs)
    with pytest.raises(TransitionRefused):
        workflow.change_status(db, case, S.APPROVED, actor=demo_org.members[Role.ADMIN])
    assert case.status is S.SUBMITTED


def test_a_move_is_audited_with_codes_only(db: Session, demo_org: Any, blobs: BlobStore) -> None:
    case = file_case(db, demo_org, blobs)
    reviewer = demo_org.members[Role.REVIEWER]
    workflow.change_status(db, case, S.IN_REVIEW, actor=reviewer)
    workflow.change_status(db, case, S.SUBMITTED, actor=reviewer,
                           reason=workflow.Reason.NEEDS_MORE_INFORMATION)
    events = db.scalars(select(AuditEvent).where(
        AuditEvent.action == "status_changed").order_by(AuditEvent.id)).all()
    assert [(e.details["from_status"], e.details["to_status"]) for e in events] == [
        ("submitted", "in_review"), ("in_review", "submitted")]
    assert events[1].details["reason"] == "needs_more_information"
    assert all(e.target == case.public_id for e in events)


def test_moving_back_needs_a_reason(db: Session, demo_org: Any, blobs: BlobStore) -> None:
    case = file_case(db, demo_org, blobs)
    reviewer = demo_org.members[Role.REVIEWER]
    workflow.change_status(db, case, S.IN_REVIEW, actor=reviewer)
    with pytest.raises(TransitionRefused, match="reason"):
        workflow.change_status(db, case, S.SUBMITTED, actor=reviewer)
    assert case.status is S.IN_REVIEW


def test_submitting_and_approving_are_not_done_by_hand(db: Session, demo_org: Any,
                                                       blobs: BlobStore) -> None:
    case = file_case(db, demo_org, blobs)
    reviewer = demo_org.members[Role.REVIEWER]
    workflow.change_status(db, case, S.IN_REVIEW, actor=reviewer)
    workflow.change_status(db, case, S.IN_REDACTION, actor=reviewer)
    with pytest.raises(TransitionRefused, match="redaction page"):
        workflow.change_status(db, case, S.AWAITING_APPROVAL, actor=reviewer)
    assert [t.target for t in workflow.available(db, case, reviewer)] == [S.IN_REVIEW]


def test_only_admins_archive(db: Session, demo_org: Any, blobs: BlobStore) -> None:
    case = file_case(db, demo_org, blobs)
    case.status = S.APPROVED
    with pytest.raises(PermissionDenied):
        workflow.change_status(db, case, S.ARCHIVED, actor=demo_org.members[Role.REVIEWER])
    workflow.change_status(db, case, S.ARCHIVED, actor=demo_org.members[Role.ADMIN])
    assert case.status is S.ARCHIVED


def test_a_reviewer_without_a_grant_cannot_move_the_case(db: Session, demo_org: Any,
                                                         blobs: BlobStore) -> None:
    case = file_case(db, demo_org, blobs)
    reviewer = demo_org.members[Role.REVIEWER]
    db.execute(delete(CaseKeyWrap).where(CaseKeyWrap.member_key_id == reviewer.current_key.id))
    assert workflow.available(db, case, reviewer) == ()
    with pytest.raises(PermissionDenied):
        workflow.change_status(db, case, S.IN_REVIEW, actor=reviewer)


def test_interviewers_and_other_organisations_cannot_move_it(
        db: Session, demo_org: Any, make_org: Any, blobs: BlobStore) -> None:
    case = file_case(db, demo_org, blobs)
    for outsider in (demo_org.members[Role.INTERVIEWER], make_org("beta").members[Role.ADMIN]):
        with pytest.raises(PermissionDenied):
            workflow.change_status(db, case, S.IN_REVIEW, actor=outsider)
    assert case.status is S.SUBMITTED
