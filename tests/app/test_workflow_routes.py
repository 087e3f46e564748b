"""The status buttons and POST /cases/<id>/status through the real HTTP path."""

from __future__ import annotations

import re
from typing import Any

import pytest
from queue_data import generate, insert_cases
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import AuditEvent, Case, CaseStatus, Role

S = CaseStatus
BUTTON = re.compile(r'<form method="post" action="/cases/[^"]+/status" class="workflow-move">'
                    r'.*?<button type="submit"[^>]*>([^<]+)</button>', re.S)

# What each role may do by hand from each status (app.cases.workflow.TRANSITIONS).
EXPECTED: dict[Role, dict[CaseStatus, list[str]]] = {
    Role.REVIEWER: {
        S.SUBMITTED: ["Start review"],
        S.IN_REVIEW: ["Start redaction", "Return to the queue"],
        S.IN_REDACTION: ["Back to review"],
        S.AWAITING_APPROVAL: [],
        S.APPROVED: [],
        S.ARCHIVED: [],
    },
    Role.ADMIN: {
        S.SUBMITTED: ["Start review"],
        S.IN_REVIEW: ["Start redaction", "Return to the queue"],
        S.IN_REDACTION: ["Back to review"],
        S.AWAITING_APPROVAL: [],
        S.APPROVED: ["Archive", "Reopen the redaction"],
        S.ARCHIVED: ["Restore from the archive"],
    },
}


def key_id(org: Any, role: Role) -> int:
    key = org.members[role].current_key
    assert key is not None
    return int(key.id)


@pytest.fixture
def by_status(db: Session, demo_org: Any) -> dict[CaseStatus, str]:
    """One case in each status, granted to the reviewer and the admin."""
    cases = list(generate(len(S), seed=20))
    insert_cases(db, demo_org.organisation.id, cases,
                 wrap_to=[key_id(demo_org, Role.REVIEWER), key_id(demo_org, Role.ADMIN)])
    for case, status in zip(cases, S, strict=True):
        db.execute(update(Case).where(Case.public_id == case.public_id).values(status=status))
    db.commit()
    return {status: case.public_id for case, status in zip(cases, S, strict=True)}


def status_of(db: Session, public_id: str) -> CaseStatus:
    db.expire_all()
    return db.scalars(select(Case.status).where(Case.public_id == public_id)).one()


def status_events(db: Session) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == "status_changed")))


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ADMIN])
def test_the_buttons_are_the_moves_the_role_may_make_from_each_status(
        web: Any, demo_org: Any, by_status: dict[CaseStatus, str], role: Role) -> None:
    web.sign_in(demo_org.email(role))
    for status, public_id in by_status.items():
        page = web.client.get(f"/cases/{public_id}/status").get_data(as_text=True)
        assert BUTTON.findall(page) == EXPECTED[role][status], status
        words = {S.SUBMITTED: "submitted", S.IN_REVIEW: "in review",
                 S.IN_REDACTION: "in redaction", S.AWAITING_APPROVAL: "awaiting approval",
                 S.APPROVED: "approved", S.ARCHIVED: "archived"}[status]
        assert f'<strong class="case-status">{words}</strong>' in page
        # A move back asks for a reason, with a label for its select.
        backwards = page.count('name="reason"')
        assert backwards == sum(label in {"Return to the queue", "Back to review",
                                          "Reopen the redaction", "Restore from the archive"}
                                for label in EXPECTED[role][status])
        assert page.count("<label for=\"reason-") == backwards


def move(user: Any, public_id: str, **data: str) -> Any:
    token = user.csrf_token(f"/cases/{public_id}/status")
    return user.client.post(f"/cases/{public_id}/status", data={**data, "csrf_token": token})


def test_a_move_forward_redirects_to_the_page_it_came_from_and_is_audited(
        db: Session, web: Any, demo_org: Any, by_status: dict[CaseStatus, str]) -> None:
    web.sign_in(demo_org.email(Role.REVIEWER))
    case = by_status[S.SUBMITTED]
    response = move(web, case, target="in_review", next=f"/cases/{case}/status")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/cases/{case}/status"
    assert status_of(db, case) is S.IN_REVIEW
    [event] = status_events(db)
    assert event.details == {"from_status": "submitted", "to_status": "in_review"}


def test_a_move_back_with_a_reason_goes_to_the_queue_without_a_safe_next(
        db: Session, web: Any, demo_org: Any, by_status: dict[CaseStatus, str]) -> None:
    web.sign_in(demo_org.email(Role.REVIEWER))
    case = by_status[S.IN_REVIEW]
    response = move(web, case, target="submitted", reason="coding_error")
    assert (response.status_code, response.headers["Location"]) == (303, "/queue")
    assert status_of(db, case) is S.SUBMITTED
    case = by_status[S.IN_REDACTION]
    response = move(web, case, target="in_review", reason="other",
                    next="//evil.example/queue")
    assert response.status_code == 303
    assert "evil" not in response.headers["Location"]
    assert [e.details["reason"] for e in status_events(db)] == ["coding_error", "other"]


def test_a_move_back_without_a_reason_changes_nothing(
        db: Session, web: Any, demo_org: Any, by_status: dict[CaseStatus, str]) -> None:
    web.sign_in(demo_org.email(Role.REVIEWER))
    case = by_status[S.IN_REVIEW]
    response = move(web, case, target="submitted")
    assert response.status_code == 409
    assert "needs a reason" in response.get_data(as_text=True)
    assert move(web, case, target="submitted", reason="because").status_code == 400
    assert status_of(db, case) is S.IN_REVIEW
    assert status_events(db) == []


def test_refused_moves_change_nothing(
        db: Session, web: Any, demo_org: Any, by_status: dict[CaseStatus, str]) -> None:
    web.sign_in(demo_org.email(Role.REVIEWER))
    # Skipping a step, a move only the redaction service makes, an admin's move,
    # and no such status.
    assert move(web, by_status[S.SUBMITTED], target="approved").status_code == 409
    assert move(web, by_status[S.IN_REDACTION],
                target="awaiting_approval").status_code == 409
    assert move(web, by_status[S.APPROVED], target="archived").status_code == 403
    assert move(web, by_status[S.SUBMITTED], target="redacted").status_code == 400
    for status, public_id in by_status.items():
        assert status_of(db, public_id) is status
    assert status_events(db) == []


def test_a_status_change_needs_a_csrf_token(
        db: Session, web: Any, demo_org: Any, by_status: dict[CaseStatus, str]) -> None:
    web.sign_in(demo_org.email(Role.ADMIN))
    case = by_status[S.SUBMITTED]
    response = web.client.post(f"/cases/{case}/status", data={"target": "in_review"})
    assert response.status_code == 400
    assert status_of(db, case) is S.SUBMITTED


def test_a_reviewer_without_a_grant_can_neither_see_nor_move_the_case(
        db: Session, web: Any, demo_org: Any) -> None:
    cases = list(generate(1, seed=21))
    insert_cases(db, demo_org.organisation.id, cases, wrap_to=[key_id(demo_org, Role.ADMIN)])
    public_id = cases[0].public_id
    web.sign_in(demo_org.email(Role.REVIEWER))
    assert web.client.get(f"/cases/{public_id}/status").status_code == 404
    token = web.csrf_token("/queue")
    response = web.client.post(f"/cases/{public_id}/status",
                               data={"target": "in_review", "csrf_token": token})
    assert response.status_code == 404
    assert status_of(db, public_id) is cases[0].status
    assert status_events(db) == []
