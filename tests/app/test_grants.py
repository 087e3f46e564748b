"""Grants: an admin re-wraps a case's key to a member, or destroys their wraps."""

from __future__ import annotations

import json
from typing import Any

import pytest
from access_support import (
    add_key_holder,
    can_open,
    change_access,
    file_coded_case,
    flashed,
    signed_in,  # noqa: F401 - a fixture
    unlock_key,
    wraps_of,
)
from intake_data import CANARY
from members_fixtures import events, issue
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from web_support import PASSWORD

import crypto
from app.cases import service as cases
from app.clusters import service as clusters
from app.errors import NoKeyAccess
from app.members import invitations
from app.models import CaseGrant, CaseKeyWrap, ClusterReason, Membership, NewCasesTo, Role
from app.storage import BlobStore

NEW_PASSPHRASE = "a brand new passphrase for the returning reviewer"


@pytest.fixture
def newcomer(db: Session, demo_org: Any, identity_pool: Any, totp_registry: Any) -> Any:
    """A reviewer who gets no new case by themselves: the organisation sends
    new cases to its triage group (the original reviewer) and admins only."""
    holder = add_key_holder(db, demo_org, identity_pool, totp_registry, "newcomer")
    demo_org.organisation.new_cases_to = NewCasesTo.TRIAGE_GROUP
    demo_org.members[Role.REVIEWER].in_triage_group = True
    db.commit()
    return holder


@pytest.fixture
def admin(demo_org: Any, signed_in: Any) -> Any:  # noqa: F811
    """The organisation's admin, signed in with their key unlocked."""
    user = signed_in(demo_org.email(Role.ADMIN))
    unlock_key(user)
    return user


def test_granting_one_case_lets_the_reviewer_unlock_it(
        db: Session, demo_org: Any, blobs: BlobStore, newcomer: Any, admin: Any) -> None:
    case = file_coded_case(db, demo_org, blobs)
    other = file_coded_case(db, demo_org, blobs)
    assert not can_open(db, newcomer.membership, newcomer.identity, case)

    page = flashed(admin, change_access(admin, newcomer.membership.id,
                                        case_public_id=case.public_id))

    assert "Access granted to 1 case(s); 0 already held." in page
    assert can_open(db, newcomer.membership, newcomer.identity, case)
    assert not can_open(db, newcomer.membership, newcomer.identity, other)
    [wrap] = wraps_of(db, newcomer.membership)
    assert (wrap.case_id, wrap.purpose.value) == (case.id, "member")
    [grant] = db.scalars(select(CaseGrant).where(
        CaseGrant.user_id == newcomer.membership.user_id)).all()
    assert grant.granted_by_user_id == demo_org.members[Role.ADMIN].user_id
    assert grant.revoked_at is None


def test_granting_changes_no_sealed_material(db: Session, demo_org: Any, blobs: BlobStore,
                                             newcomer: Any, admin: Any) -> None:
    case = file_coded_case(db, demo_org, blobs)
    before = {obj.id: obj.sha256 for obj in case.sealed_objects}
    other_wraps = {w.id: w.wrapped_key for w in case.key_wraps}
    change_access(admin, newcomer.membership.id, case_public_id=case.public_id)
    db.expire_all()
    assert {obj.id: obj.sha256 for obj in case.sealed_objects} == before
    after = {w.id: w.wrapped_key for w in case.key_wraps}
    assert {k: after[k] for k in other_wraps} == other_wraps
    assert len(after) == len(other_wraps) + 1


def test_revoking_deletes_the_wrap_and_unlocking_then_fails(
        db: Session, demo_org: Any, blobs: BlobStore, newcomer: Any, admin: Any) -> None:
    case = file_coded_case(db, demo_org, blobs)
    change_access(admin, newcomer.membership.id, case_public_id=case.public_id)
    assert can_open(db, newcomer.membership, newcomer.identity, case)

    page = flashed(admin, change_access(admin, newcomer.membership.id, revoke=True,
                                        case_public_id=case.public_id))

    assert "Access revoked from 1 case(s)" in page
    assert wraps_of(db, newcomer.membership) == []
    member = db.get(Membership, newcomer.membership.id)
    assert member is not None
    with pytest.raises(NoKeyAccess):
        cases.unlock_case_key(db, member, case, newcomer.identity)
    [grant] = db.scalars(select(CaseGrant).where(
        CaseGrant.user_id == newcomer.membership.user_id)).all()
    assert grant.revoked_at is not None
    assert grant.revoked_by_user_id == demo_org.members[Role.ADMIN].user_id


def test_revoking_an_intake_reader_takes_their_access_too(
        db: Session, demo_org: Any, blobs: BlobStore, admin: Any) -> None:
    case = file_coded_case(db, demo_org, blobs)
    reviewer = demo_org.members[Role.REVIEWER]
    assert can_open(db, reviewer, demo_org.identities[Role.REVIEWER], case)
    change_access(admin, reviewer.id, revoke=True, case_public_id=case.public_id)
    assert not can_open(db, reviewer, demo_org.identities[Role.REVIEWER], case)


def test_a_reviewer_cannot_grant_or_revoke(db: Session, demo_org: Any, blobs: BlobStore,
                                           newcomer: Any, signed_in: Any) -> None:  # noqa: F811
    case = file_coded_case(db, demo_org, blobs)
    reviewer = signed_in(demo_org.email(Role.REVIEWER))
    unlock_key(reviewer)
    token = reviewer.csrf_token("/account")
    for data in ({"grant": "1"}, {"revoke": "1"}):
        response = reviewer.client.post("/grants", data={
            "csrf_token": token, "member": str(newcomer.membership.id), "scope": "case",
            "case_public_id": case.public_id, **data})
        assert response.status_code == 403
    assert reviewer.client.post(f"/grants/members/{newcomer.membership.id}/regrant",
                                data={"csrf_token": token}).status_code == 403
    assert reviewer.client.get("/grants").status_code == 403
    assert wraps_of(db, newcomer.membership) == []
    assert can_open(db, demo_org.members[Role.REVIEWER], demo_org.identities[Role.REVIEWER],
                    case)


def test_an_admin_cannot_grant_a_case_they_cannot_open(
        db: Session, demo_org: Any, blobs: BlobStore, newcomer: Any, admin: Any) -> None:
    openable = file_coded_case(db, demo_org, blobs)
    closed = file_coded_case(db, demo_org, blobs)
    admin_key = demo_org.members[Role.ADMIN].current_key
    db.execute(delete(CaseKeyWrap).where(CaseKeyWrap.case_id == closed.id,
                                         CaseKeyWrap.member_key_id == admin_key.id))
    db.commit()

    page = flashed(admin, change_access(admin, newcomer.membership.id, scope="filter",
                                        sector="logging"))

    assert "Access granted to 1 case(s)" in page
    assert "1 case(s) skipped: your own key cannot open them" in page
    assert can_open(db, newcomer.membership, newcomer.identity, openable)
    assert not can_open(db, newcomer.membership, newcomer.identity, closed)
    summary = [e for e in events(db, "grant") if e.target == f"membership:{newcomer.membership.id}"]
    assert [(e.details["changed"], e.details["skipped"]) for e in summary] == [(1, 1)]


def test_granting_needs_the_admins_unlocked_key(db: Session, demo_org: Any, blobs: BlobStore,
                                                newcomer: Any, signed_in: Any) -> None:  # noqa: F811
    case = file_coded_case(db, demo_org, blobs)
    locked_admin = signed_in(demo_org.email(Role.ADMIN))
    response = change_access(locked_admin, newcomer.membership.id,
                             case_public_id=case.public_id)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/key")
    assert wraps_of(db, newcomer.membership) == []


def test_grant_by_filter_takes_only_matching_cases(
        db: Session, demo_org: Any, blobs: BlobStore, newcomer: Any, admin: Any) -> None:
    present = {"debt_bondage": {"present": "yes", "basis": "experienced", "frequency": None}}
    absent = {"debt_bondage": {"present": "no", "basis": None, "frequency": None}}
    logging_debt = file_coded_case(db, demo_org, blobs, sector="logging", indicators=present)
    logging_none = file_coded_case(db, demo_org, blobs, sector="logging", indicators=absent)
    building_debt = file_coded_case(db, demo_org, blobs, sector="construction",
                                    indicators=present)

    page = flashed(admin, change_access(admin, newcomer.membership.id, scope="filter",
                                        sector="logging", indicator="debt_bondage",
                                        status="submitted"))

    assert "Access granted to 1 case(s)" in page
    opened = {case.public_id for case in (logging_debt, logging_none, building_debt)
              if can_open(db, newcomer.membership, newcomer.identity, case)}
    assert opened == {logging_debt.public_id}


def test_an_empty_filter_grants_nothing(db: Session, demo_org: Any, blobs: BlobStore,
                                        newcomer: Any, admin: Any) -> None:
    file_coded_case(db, demo_org, blobs)
    response = change_access(admin, newcomer.membership.id, scope="filter")
    assert response.status_code == 400
    assert "Choose at least one of sector, status or indicator." in response.get_data(
        as_text=True)
    assert wraps_of(db, newcomer.membership) == []


def test_grant_by_cluster_takes_the_clusters_cases(
        db: Session, demo_org: Any, blobs: BlobStore, newcomer: Any, admin: Any) -> None:
    first, second, outside = (file_coded_case(db, demo_org, blobs) for _ in range(3))
    reviewer = demo_org.members[Role.REVIEWER]
    cluster = clusters.create_cluster(db, reviewer, ClusterReason.SAME_SITE, first.public_id)
    clusters.add_case(db, reviewer, cluster.public_id, second.public_id)
    db.commit()

    page = flashed(admin, change_access(admin, newcomer.membership.id, scope="cluster",
                                        cluster_public_id=cluster.public_id))

    assert "Access granted to 2 case(s)" in page
    assert can_open(db, newcomer.membership, newcomer.identity, first)
    assert can_open(db, newcomer.membership, newcomer.identity, second)
    assert not can_open(db, newcomer.membership, newcomer.identity, outside)


def test_granting_again_changes_nothing(db: Session, demo_org: Any, blobs: BlobStore,
                                        newcomer: Any, admin: Any) -> None:
    case = file_coded_case(db, demo_org, blobs)
    change_access(admin, newcomer.membership.id, case_public_id=case.public_id)
    page = flashed(admin, change_access(admin, newcomer.membership.id,
                                        case_public_id=case.public_id))
    assert "Access granted to 0 case(s); 1 already held." in page
    assert len(wraps_of(db, newcomer.membership)) == 1


def test_a_member_of_another_organisation_is_not_found(
        db: Session, demo_org: Any, make_org: Any, blobs: BlobStore, admin: Any) -> None:
    case = file_coded_case(db, demo_org, blobs)
    other = make_org("beta")
    stranger = other.members[Role.REVIEWER]
    response = change_access(admin, stranger.id, case_public_id=case.public_id)
    assert response.status_code == 404
    assert wraps_of(db, stranger) == []
    assert admin.client.get(f"/grants?member={stranger.id}").status_code == 404


def test_another_organisations_case_is_not_granted(
        db: Session, demo_org: Any, make_org: Any, blobs: BlobStore, newcomer: Any,
        admin: Any) -> None:
    other = make_org("beta")
    foreign = file_coded_case(db, other, blobs)
    response = change_access(admin, newcomer.membership.id, case_public_id=foreign.public_id)
    assert response.status_code == 400
    assert "no case with that number in your organisation" in response.get_data(as_text=True)
    assert wraps_of(db, newcomer.membership) == []


def test_regrant_after_rejoining_with_a_new_key(db: Session, demo_org: Any, blobs: BlobStore,
                                                admin: Any) -> None:
    reviewer = demo_org.members[Role.REVIEWER]
    kept, revoked = file_coded_case(db, demo_org, blobs), file_coded_case(db, demo_org, blobs)
    later = file_coded_case(db, demo_org, blobs)
    change_access(admin, reviewer.id, revoke=True, case_public_id=revoked.public_id)
    change_access(admin, reviewer.id, revoke=True, case_public_id=later.public_id)
    # Removed (keys retired, wraps destroyed), then invited back with a new key.
    response = admin.client.post(f"/members/{reviewer.id}/remove",
                                 data={"csrf_token": admin.csrf_token("/members")})
    assert response.status_code == 302
    assert wraps_of(db, reviewer) == []
    db.expire_all()
    token = issue(db, db.get(Membership, demo_org.members[Role.ADMIN].id), demo_org.email(
        Role.REVIEWER), Role.REVIEWER)
    invitations.accept_invitation(db, token, password=PASSWORD, passphrase=NEW_PASSPHRASE)
    db.commit()
    member = db.get(Membership, reviewer.id)
    assert member is not None
    assert member.current_key is not None
    new_identity = crypto.unprotect_identity(member.current_key.protected_identity,
                                             NEW_PASSPHRASE)
    assert not can_open(db, member, new_identity, kept)
    page = admin.client.get(f"/grants?member={reviewer.id}").get_data(as_text=True)
    assert "Held 1 case(s) before" in page

    page = flashed(admin, admin.client.post(f"/grants/members/{reviewer.id}/regrant",
                                            data={"csrf_token": admin.csrf_token("/grants")}))

    assert "Access granted to 1 case(s)" in page
    assert can_open(db, member, new_identity, kept)
    # Revoked by an admin before the removal: not "held before".
    assert not can_open(db, member, new_identity, revoked)
    assert not can_open(db, member, new_identity, later)
    # The old identity opens nothing: its wraps are gone.
    assert all(w.recipient == member.current_key.recipient for w in wraps_of(db, member))
    page = admin.client.get(f"/grants?member={reviewer.id}").get_data(as_text=True)
    assert "Re-grant their former cases" not in page


def test_every_changed_case_is_audited_without_content(
        db: Session, demo_org: Any, blobs: BlobStore, newcomer: Any, admin: Any) -> None:
    first, second = file_coded_case(db, demo_org, blobs), file_coded_case(db, demo_org, blobs)
    change_access(admin, newcomer.membership.id, scope="filter", sector="logging")
    change_access(admin, newcomer.membership.id, revoke=True, case_public_id=second.public_id)

    grants = [e for e in events(db, "grant") if not (e.target or "").startswith("membership:")]
    revokes = [e for e in events(db, "revoke") if not (e.target or "").startswith("membership:")]
    assert sorted(e.target for e in grants) == sorted([first.public_id, second.public_id])
    assert [e.target for e in revokes] == [second.public_id]
    for event in grants + revokes:
        assert event.details["grantee_user_id"] == newcomer.membership.user_id
        assert event.actor_user_id == demo_org.members[Role.ADMIN].user_id
    everything = json.dumps([(e.target, e.details) for e in events(db, "grant")
                             + events(db, "revoke")])
    for secret in (CANARY, "Pak", newcomer.email, demo_org.email(Role.ADMIN)):
        assert secret not in everything


def _render_panel(app: Any, case: Any, membership: Membership) -> str:
    """templates/cases/_grants.html as the case page includes it."""
    from flask import render_template

    with app.test_request_context(f"/cases/{case.public_id}"):
        return render_template("cases/_grants.html", case=case, membership=membership)


def test_the_case_page_panel_shows_holders_to_admins_only(
        app: Any, db: Session, demo_org: Any, blobs: BlobStore, newcomer: Any,
        admin: Any) -> None:
    case = file_coded_case(db, demo_org, blobs)
    panel = _render_panel(app, case, demo_org.members[Role.ADMIN])
    holders = panel.split("Give access to")[0]
    assert demo_org.email(Role.REVIEWER) in holders
    assert f'aria-label="Revoke access of {demo_org.email(Role.REVIEWER)}"' in holders
    assert newcomer.email not in holders
    assert f'<option value="{newcomer.membership.id}">' in panel
    assert _render_panel(app, case, demo_org.members[Role.REVIEWER]).strip() == ""

    # Its grant form's fields, as the browser sends them, grant the case and come back.
    response = admin.client.post("/grants", data={
        "csrf_token": admin.csrf_token("/grants"), "scope": "case",
        "case_public_id": case.public_id, "next": f"/cases/{case.public_id}",
        "member": str(newcomer.membership.id), "grant": "Grant access"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cases/{case.public_id}"
    assert can_open(db, newcomer.membership, newcomer.identity, case)
    db.expire_all()
    panel = _render_panel(app, case, demo_org.members[Role.ADMIN])
    assert newcomer.email in panel.split("Give access to")[0]
