"""Four-eyes approval through HTTP: the redactor cannot approve (admins neither),
a second reviewer approves or returns the redaction with a sealed comment."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from review_fixtures import (
    SECOND_REVIEWER,
    add_second_reviewer,
    editor_url,
    file_in_redaction,
    page,
    post,
    signed_in,
)
from sqlalchemy import select
from sqlalchemy.orm import Session
from web_support import IdentityPool, OrgFixture, TotpRegistry

from app.models import AuditEvent, CaseStatus, RedactionVersion, Role
from app.storage import BlobStore

COMMENT = "Please mask the shop next to the dormitory, Zebra Market"


@pytest.fixture
def second(db: Session, demo_org: OrgFixture, identity_pool: IdentityPool,
           totp_registry: TotpRegistry) -> Any:
    # Before the case is filed, so intake wraps the case key to them too.
    return add_second_reviewer(db, demo_org, identity_pool, totp_registry)


@pytest.fixture
def case(second: Any, db: Session, demo_org: OrgFixture, blobs: BlobStore) -> Any:
    return file_in_redaction(db, demo_org, blobs)


def approval_url(case: Any) -> str:
    return f"/cases/{case.public_id}/approval"


def redact_and_submit(user: Any, case: Any) -> None:
    """Accept every suggestion, call every sweep item safe, submit."""
    for group in ("DIRECT", "QUASI"):
        post(user, f"{editor_url(case)}/accept-group", {"group": group},
             csrf_from=editor_url(case))
    html = page(user, editor_url(case))
    items = {f"sweep-{key}": "safe" for key in set(re.findall(r'name="sweep-([^"]+)"', html))}
    post(user, f"{editor_url(case)}/sweep", items, csrf_from=editor_url(case))
    response = post(user, f"{editor_url(case)}/submit", {}, csrf_from=editor_url(case))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(approval_url(case))


def _actions(db: Session, action: str) -> list[AuditEvent]:
    db.expire_all()
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.mark.parametrize("redactor_role", [Role.REVIEWER, Role.ADMIN])
def test_the_redactor_cannot_approve_their_own_work(
        app: Flask, case: Any, db: Session, demo_org: OrgFixture, totp_registry: TotpRegistry,
        redactor_role: Role) -> None:
    redactor = signed_in(app, totp_registry, demo_org.email(redactor_role))
    redact_and_submit(redactor, case)
    assert "a second reviewer must approve" in page(redactor, approval_url(case))
    response = post(redactor, f"{approval_url(case)}/approve", {},
                    csrf_from=approval_url(case))
    assert response.status_code == 403
    assert "cannot approve your own redaction" in response.get_data(as_text=True)
    returned = post(redactor, f"{approval_url(case)}/return",
                    {"reason": "other", "comment": "fine"}, csrf_from=approval_url(case))
    assert returned.status_code == 403
    db.expire_all()
    assert case.status is CaseStatus.AWAITING_APPROVAL
    assert _actions(db, "approval") == []


def test_a_second_reviewer_approves_and_it_is_audited(
        app: Flask, case: Any, db: Session, demo_org: OrgFixture,
        totp_registry: TotpRegistry) -> None:
    redact_and_submit(signed_in(app, totp_registry, demo_org.email(Role.REVIEWER)), case)
    approver = signed_in(app, totp_registry, SECOND_REVIEWER)
    html = page(approver, approval_url(case))
    assert "Our foreman [PERSON A] took our passports" in html
    assert "Kim Chol-su" not in html
    response = post(approver, f"{approval_url(case)}/approve", {},
                    csrf_from=approval_url(case))
    assert response.status_code == 303
    db.expire_all()
    assert case.status is CaseStatus.APPROVED
    (approval,) = _actions(db, "approval")
    assert approval.target == case.public_id
    assert approval.details["event"] == "approved"
    (submitted,) = _actions(db, "redaction")
    assert submitted.details["event"] == "submitted"


def test_a_return_seals_the_comment_in_a_new_version(
        app: Flask, case: Any, db: Session, demo_org: OrgFixture, second: Any,
        totp_registry: TotpRegistry) -> None:
    redactor = signed_in(app, totp_registry, demo_org.email(Role.REVIEWER))
    redact_and_submit(redactor, case)
    approver = signed_in(app, totp_registry, SECOND_REVIEWER)
    response = post(approver, f"{approval_url(case)}/return",
                    {"reason": "identifying_detail_left", "comment": COMMENT},
                    csrf_from=approval_url(case))
    assert response.status_code == 303
    db.expire_all()
    assert case.status is CaseStatus.IN_REDACTION
    latest = db.scalars(select(RedactionVersion).where(
        RedactionVersion.case_id == case.id).order_by(RedactionVersion.number.desc())).first()
    assert latest is not None
    assert latest.event.value == "returned"
    assert latest.author_membership_id == second.id
    # Nowhere in the clear: not in the version row, not in the audit log.
    assert b"Zebra" not in latest.ciphertext
    for event in db.scalars(select(AuditEvent)):
        assert "Zebra" not in str(event.details)
    (moved,) = [e for e in _actions(db, "status_changed")
                if e.details["to_status"] == "in_redaction"
                and e.details["from_status"] == "awaiting_approval"]
    assert moved.details["reason"] == "identifying_detail_left"
    # The redactor, with their key, reads it in the history.
    assert COMMENT in page(redactor, editor_url(case))


def test_after_a_return_the_approver_who_returned_it_may_approve_the_next_round(
        app: Flask, case: Any, db: Session, demo_org: OrgFixture,
        totp_registry: TotpRegistry) -> None:
    redactor = signed_in(app, totp_registry, demo_org.email(Role.REVIEWER))
    redact_and_submit(redactor, case)
    approver = signed_in(app, totp_registry, SECOND_REVIEWER)
    post(approver, f"{approval_url(case)}/return", {"reason": "other", "comment": ""},
         csrf_from=approval_url(case))
    # Resubmitted unchanged: the submitter is still the redactor of this round.
    post(redactor, f"{editor_url(case)}/submit", {}, csrf_from=editor_url(case))
    db.expire_all()
    assert case.status is CaseStatus.AWAITING_APPROVAL
    # The redactor still cannot approve; the returning reviewer can.
    assert post(redactor, f"{approval_url(case)}/approve", {},
                csrf_from=approval_url(case)).status_code == 403
    assert post(approver, f"{approval_url(case)}/approve", {},
                csrf_from=approval_url(case)).status_code == 303
    db.expire_all()
    assert case.status is CaseStatus.APPROVED


def test_approving_needs_a_csrf_token(app: Flask, case: Any, db: Session,
                                      demo_org: OrgFixture, totp_registry: TotpRegistry) -> None:
    redact_and_submit(signed_in(app, totp_registry, demo_org.email(Role.REVIEWER)), case)
    approver = signed_in(app, totp_registry, SECOND_REVIEWER)
    assert approver.client.post(f"{approval_url(case)}/approve").status_code == 400
    db.expire_all()
    assert case.status is CaseStatus.AWAITING_APPROVAL


def test_an_interviewer_cannot_open_the_approval_page(
        app: Flask, case: Any, demo_org: OrgFixture, totp_registry: TotpRegistry) -> None:
    user = signed_in(app, totp_registry, demo_org.email(Role.INTERVIEWER), unlocked=False)
    assert user.client.get(approval_url(case)).status_code == 403
