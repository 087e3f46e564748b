"""The triage group: whom a new case's key is wrapped to, decided at intake."""

from __future__ import annotations

from typing import Any

import pytest
from access_support import (
    add_key_holder,
    can_open,
    change_access,
    flashed,
    signed_in,  # noqa: F401 - a fixture
    unlock_key,
    wraps_of,
)
from intake_data import CANARY, minimal_form, submit
from members_fixtures import events
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Case, CaseGrant, NewCasesTo, Organisation, Role, WrapPurpose


def _file_over_http(db: Session, interviewer: Any) -> Case:
    response = submit(interviewer, minimal_form(narrative=CANARY))
    assert response.status_code == 303, response.get_data(as_text=True)
    public_id = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    db.expire_all()
    return db.scalars(select(Case).where(Case.public_id == public_id)).one()


def _save_settings(admin: Any, **fields: Any) -> Any:
    return admin.client.post("/members/settings", data={
        "csrf_token": admin.csrf_token("/members/settings"), **fields})


@pytest.fixture
def triager(db: Session, demo_org: Any, identity_pool: Any, totp_registry: Any) -> Any:
    return add_key_holder(db, demo_org, identity_pool, totp_registry, "triager")


def test_by_default_every_reviewer_and_admin_gets_a_new_case(
        db: Session, demo_org: Any, triager: Any, signed_in: Any) -> None:  # noqa: F811
    case = _file_over_http(db, signed_in(demo_org.email(Role.INTERVIEWER)))
    assert can_open(db, triager.membership, triager.identity, case)
    for role in (Role.REVIEWER, Role.ADMIN):
        assert can_open(db, demo_org.members[role], demo_org.identities[role], case)


def test_triage_setting_end_to_end(db: Session, demo_org: Any, triager: Any,
                                   signed_in: Any) -> None:  # noqa: F811
    admin = signed_in(demo_org.email(Role.ADMIN))
    page = admin.client.get("/members/settings").get_data(as_text=True)
    assert "Reviewers in the triage group" in page
    assert triager.email in page
    response = _save_settings(admin, new_cases_to="triage_group",
                              triage_group=[str(triager.membership.id)])
    assert response.status_code == 302
    db.expire_all()
    organisation = db.get(Organisation, demo_org.organisation.id)
    assert organisation is not None
    assert organisation.new_cases_to is NewCasesTo.TRIAGE_GROUP

    case = _file_over_http(db, signed_in(demo_org.email(Role.INTERVIEWER)))

    outsider = demo_org.members[Role.REVIEWER]
    assert wraps_of(db, outsider) == []
    assert not can_open(db, outsider, demo_org.identities[Role.REVIEWER], case)
    assert can_open(db, triager.membership, triager.identity, case)
    # Admins always, so that someone can grant it; and the recovery key.
    assert can_open(db, demo_org.members[Role.ADMIN], demo_org.identities[Role.ADMIN], case)
    assert [w.purpose for w in case.key_wraps].count(WrapPurpose.RECOVERY) == 1
    # The history knows who got it at intake (no admin granted it).
    intake_grants = db.scalars(select(CaseGrant).where(CaseGrant.case_id == case.id)).all()
    assert {(g.user_id, g.granted_by_user_id) for g in intake_grants} == {
        (triager.membership.user_id, None), (demo_org.members[Role.ADMIN].user_id, None)}

    unlock_key(admin)
    page = flashed(admin, change_access(admin, outsider.id, case_public_id=case.public_id))
    assert "Access granted to 1 case(s)" in page
    assert can_open(db, outsider, demo_org.identities[Role.REVIEWER], case)


def test_leaving_the_triage_group_stops_new_cases_only(
        db: Session, demo_org: Any, triager: Any, signed_in: Any) -> None:  # noqa: F811
    admin = signed_in(demo_org.email(Role.ADMIN))
    interviewer = signed_in(demo_org.email(Role.INTERVIEWER))
    _save_settings(admin, new_cases_to="triage_group", triage_group=[str(triager.membership.id)])
    before = _file_over_http(db, interviewer)
    _save_settings(admin, new_cases_to="triage_group")  # nobody ticked
    after = _file_over_http(db, interviewer)
    assert can_open(db, triager.membership, triager.identity, before)
    assert not can_open(db, triager.membership, triager.identity, after)
    assert can_open(db, demo_org.members[Role.ADMIN], demo_org.identities[Role.ADMIN], after)


def test_triage_settings_are_audited_as_codes(db: Session, demo_org: Any, triager: Any,
                                              signed_in: Any) -> None:  # noqa: F811
    admin = signed_in(demo_org.email(Role.ADMIN))
    _save_settings(admin, new_cases_to="triage_group", triage_group=[str(triager.membership.id)])
    changes = {(e.target, e.details["setting"], e.details["value"])
               for e in events(db, "settings_changed")}
    assert changes == {
        (f"organisation:{demo_org.organisation.id}", "new_cases_to", "triage_group"),
        (f"membership:{triager.membership.id}", "in_triage_group", True)}
    assert triager.email not in str([e.details for e in events(db, "settings_changed")])


def test_only_active_reviewers_can_be_put_in_the_triage_group(
        db: Session, demo_org: Any, signed_in: Any) -> None:  # noqa: F811
    admin = signed_in(demo_org.email(Role.ADMIN))
    interviewer = demo_org.members[Role.INTERVIEWER]
    response = _save_settings(admin, triage_group=[str(interviewer.id)])
    assert response.status_code == 200  # the form is shown again with the error
    db.expire_all()
    assert not db.get(type(interviewer), interviewer.id).in_triage_group
