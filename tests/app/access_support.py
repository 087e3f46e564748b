"""Helpers for the grants, triage and clusters tests: extra key holders,
cases filed with chosen coded answers, and the HTTP steps an admin takes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from intake_data import CANARY, receipt_key
from sqlalchemy import select
from sqlalchemy.orm import Session
from web_support import PASSPHRASE, PASSWORD, IdentityPool, TotpRegistry

import crypto
from app.cases import service as cases
from app.errors import NoKeyAccess
from app.intake.schema import IntakeAnswers
from app.intake.sealing import AGE_SEALER
from app.intake.service import IntakeSubmission
from app.models import Case, CaseKeyWrap, Membership, Role
from app.orgs.service import add_member, add_member_key
from app.storage import BlobStore


@dataclass
class KeyHolder:
    membership: Membership
    identity: crypto.Identity
    email: str


def add_key_holder(db: Session, org: Any, pool: IdentityPool, totp: TotpRegistry,
                   name: str, role: Role = Role.REVIEWER, *, pool_index: int = 4) -> KeyHolder:
    """Another reviewer (or admin) of ``org`` with a key and TOTP, committed.

    ``pool_index``: a key of the identity pool that make_org does not use
    (it takes two per organisation; 4 is free with two organisations), and
    distinct per holder within a test.
    """
    email = f"{name}@{org.organisation.slug}.test"
    membership = add_member(db, org.organisation, email, PASSWORD, role,
                            must_change_password=False)
    identity, protected = pool.get(pool_index)
    add_member_key(db, membership, protected, identity.recipient)
    totp.enrol(db, membership.user)
    db.commit()
    return KeyHolder(membership, identity, email)


def file_coded_case(db: Session, org: Any, blobs: BlobStore, *, sector: str = "logging",
                    indicators: dict[str, dict[str, str | None]] | None = None) -> Case:
    """A sealed case filed through the intake service with the coded answers given."""
    with IntakeSubmission(db, org.members[Role.INTERVIEWER], blobs, AGE_SEALER) as submission:
        receipt = submission.store(IntakeAnswers(
            values={"sector": sector, "consent_scopes": ["internal_only"],
                    "source_connection": "witnessed", "name_dprk": "Pak"},
            narrative=CANARY, indicators=indicators or {}), receipt_key(db))
    db.commit()
    return db.scalars(select(Case).where(Case.public_id == receipt.case_id)).one()


def can_open(db: Session, membership: Membership, identity: crypto.Identity,
             case: Case) -> bool:
    """Whether the member opens the case with unlock_case_key (and reads it)."""
    db.expire_all()
    member = db.get(Membership, membership.id)
    fresh = db.get(Case, case.id)
    assert member is not None
    assert fresh is not None
    try:
        key = cases.unlock_case_key(db, member, fresh, identity)
    except NoKeyAccess:
        db.rollback()
        return False
    assert cases.read_narrative(fresh, key) == CANARY
    db.rollback()  # the DECRYPT event is this test's business only
    return True


def wraps_of(db: Session, membership: Membership) -> list[CaseKeyWrap]:
    db.expire_all()
    member = db.get(Membership, membership.id)
    assert member is not None
    key_ids = [key.id for key in member.keys]
    return list(db.scalars(select(CaseKeyWrap).where(CaseKeyWrap.member_key_id.in_(key_ids))))


def unlock_key(web: Any) -> None:
    response = web.client.post("/key/unlock", data={
        "passphrase": PASSPHRASE, "csrf_token": web.csrf_token("/key")})
    assert response.status_code == 302, response.get_data(as_text=True)


def change_access(web: Any, member_id: int, *, revoke: bool = False, **fields: str) -> Any:
    """POST the /grants form as an admin: scope and selection in ``fields``."""
    data = {"member": str(member_id), "csrf_token": web.csrf_token("/grants"),
            ("revoke" if revoke else "grant"): "1", "scope": "case", **fields}
    return web.client.post("/grants", data=data)


def flashed(web: Any, response: Any) -> str:
    """The page the response redirects to (where its flash message shows)."""
    assert response.status_code == 302, response.get_data(as_text=True)
    return str(web.client.get(response.headers["Location"]).get_data(as_text=True))


@pytest.fixture
def signed_in(app: Any, web: Any) -> Any:
    """A factory of signed-in browsers (each its own cookies)."""
    def browser(email: str) -> Any:
        user = type(web)(app.test_client(), web.totp)
        user.sign_in(email)
        return user
    return browser
