"""Cases in redaction and members with unlocked keys, for the redaction tests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from intake_data import receipt_key
from sqlalchemy import select
from sqlalchemy.orm import Session
from web_support import (
    CSRF_PATTERN,
    PASSPHRASE,
    PASSWORD,
    IdentityPool,
    OrgFixture,
    TotpRegistry,
    WebUser,
)

from app.cases import workflow
from app.intake.schema import IntakeAnswers
from app.intake.sealing import AGE_SEALER
from app.intake.service import IntakeSubmission
from app.models import Case, CaseStatus, Membership, Role
from app.orgs.service import add_member, add_member_key
from app.storage import BlobStore

NARRATIVE = ("Our foreman Kim Chol-su took our passports in Vladivostok. "
             "I worked with Pak Yong-ho on the site. Later the Boss paid 300 dollars.")
FIELDS = {"name_dprk": "Kim Chol-su", "russian_location": "Vladivostok"}
SECOND_REVIEWER = "second.reviewer@alpha.test"


@dataclass
class Team:
    """An organisation with a second reviewer (wrapped like the first) and one case."""

    org: OrgFixture
    second: Membership
    case: Case


def add_second_reviewer(db: Session, org: OrgFixture, pool: IdentityPool,
                        totp: TotpRegistry, index: int = 4) -> Membership:
    membership = add_member(db, org.organisation, SECOND_REVIEWER, PASSWORD, Role.REVIEWER,
                            must_change_password=False)
    identity, protected = pool.get(index)
    add_member_key(db, membership, protected, identity.recipient)
    totp.enrol(db, membership.user)
    db.commit()
    return membership


def file_in_redaction(db: Session, org: OrgFixture, blobs: BlobStore,
                      narrative: str = NARRATIVE, fields: dict[str, str] | None = None) -> Case:
    """A case filed by the interviewer and moved to 'in redaction' by the reviewer."""
    values: dict[str, Any] = {"sector": "construction", "consent_scopes": ["internal_only"],
                              "source_connection": "experienced", **(fields or FIELDS)}
    with IntakeSubmission(db, org.members[Role.INTERVIEWER], blobs, AGE_SEALER) as submission:
        receipt = submission.store(IntakeAnswers(values=values, narrative=narrative,
                                                 indicators={}), receipt_key(db))
    db.commit()
    case = db.scalars(select(Case).where(Case.public_id == receipt.case_id)).one()
    reviewer = org.members[Role.REVIEWER]
    workflow.change_status(db, case, CaseStatus.IN_REVIEW, actor=reviewer)
    workflow.change_status(db, case, CaseStatus.IN_REDACTION, actor=reviewer)
    db.commit()
    return case


def unlock(user: WebUser) -> None:
    response = user.client.post("/key/unlock", data={
        "passphrase": PASSPHRASE, "csrf_token": user.csrf_token("/key")})
    assert response.status_code == 302, response.get_data(as_text=True)


def signed_in(app: Any, totp: TotpRegistry, email: str, *, unlocked: bool = True) -> WebUser:
    user = WebUser(app.test_client(), totp)
    user.sign_in(email)
    if unlocked:
        unlock(user)
    return user


def editor_url(case: Case) -> str:
    return f"/cases/{case.public_id}/redaction"


def page(user: WebUser, url: str) -> str:
    response = user.client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def post(user: WebUser, url: str, data: dict[str, Any], *, csrf_from: str) -> Any:
    html = user.client.get(csrf_from).get_data(as_text=True)
    token = CSRF_PATTERN.search(html)
    assert token, f"no CSRF token on {csrf_from}"
    return user.client.post(url, data={"csrf_token": token.group(1), **data})


SPAN_KEYS = re.compile(r'name="span" value="([^"]+)"')


def span_key(html: str, field: str, words: str, text: str) -> str:
    """The key of the suggestion covering ``words`` in ``field`` (whose text is ``text``)."""
    start = text.index(words)
    key = f"{field}:{start}:{start + len(words)}"
    assert key in SPAN_KEYS.findall(html), f"no suggestion {key}"
    return key
