"""Helpers for the member, invitation and key tests (kept out of conftest.py,
which the sign-in tests also edit)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.members import invitations
from app.models import AuditEvent, Membership, Role, User


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
    token = invitations.invite(db, admin, email, role, **kwargs).token
    db.commit()  # the test is the unit of work here: services only flush
    return token
