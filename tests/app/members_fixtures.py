"""Helpers for the member, invitation and key tests (kept out of conftest.py,
which the sign-in tests also edit)."""

from __future__ import annotations

from typing import Any

from intake_data import CANARY
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.intake.service import IntakeAnswers, IntakeSubmission
from app.members import service as members
from app.models import AuditEvent, Case, Membership, Role, User
from app.storage import BlobStore


def file_case(db: Session, org: Any, blobs: BlobStore, narrative: str = CANARY) -> Case:
    """File a real sealed case through the intake service as the org's interviewer."""
    with IntakeSubmission(db, org.members[Role.INTERVIEWER], blobs) as submission:
        receipt = submission.commit(IntakeAnswers(
            values={"sector": "logging", "consent_scopes": ["internal_only"],
                    "source_connection": "witnessed", "name_dprk": "Pak"},
            narrative=narrative, indicators={}))
    return db.scalars(select(Case).where(Case.public_id == receipt.case_id)).one()


def events(db: Session, action: str) -> list[AuditEvent]:
    db.expire_all()
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)
                           .order_by(AuditEvent.seq)))


def fresh(db: Session, membership_id: int) -> Membership:
    db.expire_all()
    membership = db.get(Membership, membership_id)
    assert membership is not None
    return membership


def user_by_email(db: Session, email: str) -> User | None:
    db.expire_all()
    return db.scalar(select(User).where(User.email == email))


def token_from_page(html: str) -> str:
    marker = "/invite/"
    start = html.index(marker) + len(marker)
    end = start
    while end < len(html) and (html[end].isalnum() or html[end] in "-_"):
        end += 1
    return html[start:end]


def issue(db: Session, admin: Membership, email: str, role: Role, **kwargs: Any) -> str:
    from datetime import timedelta

    kwargs.setdefault("lifetime", timedelta(hours=72))
    return members.invite(db, admin, email, role, **kwargs).token
