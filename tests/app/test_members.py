"""Member administration: suspend, reinstate, remove (crypto-enforced), settings,
and isolation between organisations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from intake_data import file_case
from members_fixtures import events, fresh, issue
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from web_support import PASSPHRASE, OrgFixture, WebUser

import crypto
from app.auth.service import load_membership
from app.cases import service as cases
from app.errors import NoKeyAccess, NotFound, PermissionDenied
from app.keys import service as keys
from app.members import common as members_common
from app.members import invitations, members
from app.models import CaseKeyWrap, Organisation, Role, UnlockedKey
from app.storage import BlobStore


def post(web: WebUser, path: str, **data: str) -> Any:
    return web.client.post(path, data={"csrf_token": web.csrf_token("/"), **data})


def test_admin_lists_own_members_only(admin_web: WebUser, demo_org: OrgFixture,
                                      make_org: Any) -> None:
    other = make_org("beta")
    html = admin_web.client.get("/members").get_data(as_text=True)
    for role in Role:
        assert demo_org.email(role) in html
        assert other.email(role) not in html
    assert "not needed" in html
    assert "active" in html


def test_suspend_and_reinstate(admin_web: WebUser, db: Session, demo_org: OrgFixture) -> None:
    reviewer = demo_org.members[Role.REVIEWER]
    unlocked = keys.unlock(db, reviewer, PASSPHRASE, lifetime=timedelta(minutes=15))
    db.commit()  # the test owns this unit of work; the app's requests see it committed
    assert post(admin_web, f"/members/{reviewer.id}/suspend").status_code == 302
    member = fresh(db, reviewer.id)
    assert not member.active
    assert members.member_state(member) == "suspended"
    # A suspended member's session no longer resolves to the membership,
    # and a key unlocked before the suspension is gone.
    assert load_membership(db, member.user_id, member.id) is None
    assert db.get(UnlockedKey, unlocked.row_id) is None
    # Suspension keeps the key: reinstating restores access.
    assert member.current_key is not None
    assert post(admin_web, f"/members/{reviewer.id}/reinstate").status_code == 302
    assert fresh(db, reviewer.id).active
    assert [e.target for e in events(db, "member_suspended")] == [f"membership:{reviewer.id}"]
    assert [e.target for e in events(db, "member_reinstated")] == [f"membership:{reviewer.id}"]
    actor = demo_org.members[Role.ADMIN].user_id
    assert {e.actor_user_id for e in events(db, "member_suspended")} == {actor}


def test_suspended_member_cannot_sign_in_to_the_organisation(
        admin_web: WebUser, db: Session, demo_org: OrgFixture, app: Any) -> None:
    interviewer = demo_org.members[Role.INTERVIEWER]
    post(admin_web, f"/members/{interviewer.id}/suspend")
    other = app.test_client()
    from web_support import WebUser as Driver

    driver = Driver(other, admin_web.totp)
    driver.sign_in(demo_org.email(Role.INTERVIEWER))
    response = other.get("/")
    assert response.status_code == 302
    assert "/organisation" in response.headers["Location"]


def test_admin_cannot_suspend_or_remove_themselves(admin_web: WebUser, db: Session,
                                                   demo_org: OrgFixture) -> None:
    admin = demo_org.members[Role.ADMIN]
    for action in ("suspend", "remove"):
        response = post(admin_web, f"/members/{admin.id}/{action}")
        assert response.status_code == 302
        assert fresh(db, admin.id).active
    with pytest.raises(members_common.Refused):
        members.suspend(db, admin, admin.id)
    with pytest.raises(members_common.Refused):
        members.remove(db, admin, admin.id)
    assert fresh(db, admin.id).current_key is not None
    assert events(db, "member_suspended") == []
    assert events(db, "member_removed") == []


@pytest.mark.parametrize("action", ["suspend", "reinstate", "remove"])
def test_admin_cannot_act_on_another_organisation(
        admin_web: WebUser, db: Session, demo_org: OrgFixture, make_org: Any,
        action: str) -> None:
    other = make_org("beta")
    victim = other.members[Role.REVIEWER]
    if action == "reinstate":
        members.suspend(db, other.members[Role.ADMIN], victim.id)
    before = (fresh(db, victim.id).active, fresh(db, victim.id).removed_at)
    wraps_before = db.scalar(select(func.count()).select_from(CaseKeyWrap))
    response = post(admin_web, f"/members/{victim.id}/{action}")
    assert response.status_code == 404
    if action == "remove":
        assert admin_web.client.get(f"/members/{victim.id}/remove").status_code == 404
    after = fresh(db, victim.id)
    assert (after.active, after.removed_at) == before
    assert after.current_key is not None
    assert db.scalar(select(func.count()).select_from(CaseKeyWrap)) == wraps_before
    with pytest.raises(NotFound):
        getattr(members, action)(db, demo_org.members[Role.ADMIN], victim.id)


@pytest.mark.parametrize("role", [Role.INTERVIEWER, Role.REVIEWER])
def test_non_admins_get_403(web: WebUser, db: Session, demo_org: OrgFixture,
                            role: Role) -> None:
    web.sign_in(demo_org.email(role))
    target = demo_org.members[Role.INTERVIEWER if role is Role.REVIEWER else Role.REVIEWER]
    assert web.client.get("/members").status_code == 403
    assert web.client.get("/members/settings").status_code == 403
    assert web.client.get(f"/members/{target.id}/remove").status_code == 403
    for action in ("suspend", "reinstate", "remove"):
        assert post(web, f"/members/{target.id}/{action}").status_code == 403
    assert fresh(db, target.id).active
    with pytest.raises(PermissionDenied):
        members.suspend(db, demo_org.members[role], target.id)
    with pytest.raises(PermissionDenied):
        members.list_members(db, demo_org.members[role])


def test_suspended_admin_cannot_use_the_service(db: Session, demo_org: OrgFixture,
                                                make_org: Any) -> None:
    admin = demo_org.members[Role.ADMIN]
    admin.active = False
    db.commit()
    with pytest.raises(PermissionDenied):
        members.suspend(db, admin, demo_org.members[Role.REVIEWER].id)


def test_remove_destroys_wraps_so_the_case_can_never_be_opened(
        admin_web: WebUser, db: Session, demo_org: OrgFixture, blobs: BlobStore) -> None:
    reviewer = demo_org.members[Role.REVIEWER]
    identity = demo_org.identities[Role.REVIEWER]
    case = file_case(db, demo_org, blobs)
    key_id = reviewer.current_key.id  # type: ignore[union-attr]
    wrap = db.scalars(select(CaseKeyWrap).where(CaseKeyWrap.member_key_id == key_id)).one()
    kept_wrap_bytes = wrap.wrapped_key
    assert cases.unlock_case_key(db, reviewer, case, identity)
    unlocked = keys.unlock(db, reviewer, PASSPHRASE, lifetime=timedelta(minutes=15))
    db.commit()  # the test owns this unit of work; the app's requests see it committed

    page = admin_web.client.get(f"/members/{reviewer.id}/remove")
    assert page.status_code == 200
    assert "cannot be undone" in page.get_data(as_text=True)
    assert post(admin_web, f"/members/{reviewer.id}/remove").status_code == 302

    member = fresh(db, reviewer.id)
    assert not member.active
    assert member.removed_at is not None
    assert member.current_key is None
    assert all(k.retired_at for k in member.keys)
    assert db.scalars(select(CaseKeyWrap).where(CaseKeyWrap.member_key_id == key_id)).all() == []
    assert db.get(UnlockedKey, unlocked.row_id) is None
    # The service refuses (inactive), and even reactivated by hand the
    # membership finds no wrap: the revocation is cryptographic, not a flag.
    with pytest.raises(NoKeyAccess):
        cases.unlock_case_key(db, member, case, identity)
    member.active = True
    db.flush()
    with pytest.raises(NoKeyAccess):
        cases.unlock_case_key(db, member, case, identity)
    db.rollback()
    # Every wrap left on the case refuses the removed member's identity.
    db.expire_all()
    remaining = db.scalars(select(CaseKeyWrap).where(CaseKeyWrap.case_id == case.id)).all()
    assert remaining
    assert kept_wrap_bytes not in {w.wrapped_key for w in remaining}
    for other_wrap in remaining:
        with pytest.raises(crypto.CryptoError):
            crypto.CaseKey.unwrap(other_wrap.wrapped_key, [identity])
    # Others still read it.
    assert cases.unlock_case_key(db, demo_org.members[Role.ADMIN], case,
                                 demo_org.identities[Role.ADMIN])
    # New cases are no longer wrapped to the removed member.
    later = file_case(db, demo_org, blobs)
    assert all(w.member_key_id != key_id for w in later.key_wraps)

    [event] = events(db, "member_removed")
    assert event.target == f"membership:{reviewer.id}"
    assert event.details == {"keys_retired": 1, "wraps_deleted": 1}
    # A removal is final: reinstating is refused.
    with pytest.raises(members_common.Refused):
        members.reinstate(db, demo_org.members[Role.ADMIN], reviewer.id)
    assert "removed" in admin_web.client.get("/members").get_data(as_text=True)


def test_removed_member_can_be_invited_back_with_a_new_key(
        db: Session, demo_org: OrgFixture) -> None:
    admin = demo_org.members[Role.ADMIN]
    reviewer = demo_org.members[Role.REVIEWER]
    old_key = reviewer.current_key.id  # type: ignore[union-attr]
    members.remove(db, admin, reviewer.id)
    token = issue(db, admin, demo_org.email(Role.REVIEWER), Role.REVIEWER)
    from web_support import PASSWORD

    invitations.accept_invitation(db, token, password=PASSWORD,
                              passphrase="a completely new passphrase")
    member = fresh(db, reviewer.id)
    assert member.active
    assert member.removed_at is None
    assert member.current_key is not None
    assert member.current_key.id != old_key


def test_removing_an_interviewer(admin_web: WebUser, db: Session,
                                 demo_org: OrgFixture) -> None:
    interviewer = demo_org.members[Role.INTERVIEWER]
    assert post(admin_web, f"/members/{interviewer.id}/remove").status_code == 302
    assert members.member_state(fresh(db, interviewer.id)) == "removed"
    assert events(db, "member_removed")[0].details == {"keys_retired": 0, "wraps_deleted": 0}


def test_member_actions_need_csrf(admin_web: WebUser, db: Session,
                                  demo_org: OrgFixture) -> None:
    reviewer = demo_org.members[Role.REVIEWER]
    for action in ("suspend", "remove"):
        response = admin_web.client.post(f"/members/{reviewer.id}/{action}")
        assert response.status_code == 400
    assert fresh(db, reviewer.id).active
    # GET never changes state.
    assert admin_web.client.get(f"/members/{reviewer.id}/suspend").status_code == 405


def test_settings_toggle_is_audited(admin_web: WebUser, db: Session,
                                    demo_org: OrgFixture) -> None:
    org_id = demo_org.organisation.id
    page = admin_web.client.get("/members/settings")
    assert page.status_code == 200
    response = post(admin_web, "/members/settings", interviewer_totp_required="y")
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Organisation, org_id).interviewer_totp_required  # type: ignore[union-attr]
    [event] = events(db, "settings_changed")
    assert event.details == {"setting": "interviewer_totp_required", "value": True}
    # Saving unchanged settings records nothing new.
    post(admin_web, "/members/settings", interviewer_totp_required="y")
    assert len(events(db, "settings_changed")) == 1
    post(admin_web, "/members/settings")
    db.expire_all()
    assert not db.get(Organisation, org_id).interviewer_totp_required  # type: ignore[union-attr]
    assert len(events(db, "settings_changed")) == 2


def test_audit_events_never_carry_e_mail_addresses(admin_web: WebUser, db: Session,
                                                   demo_org: OrgFixture) -> None:
    admin = demo_org.members[Role.ADMIN]
    token = issue(db, admin, "secret.person@example.org", Role.INTERVIEWER)
    invitations.accept_invitation(db, token, password="a long enough password")
    members.suspend(db, admin, demo_org.members[Role.INTERVIEWER].id)
    members.remove(db, admin, demo_org.members[Role.REVIEWER].id)
    from app.models import AuditEvent

    db.expire_all()
    for event in db.scalars(select(AuditEvent)):
        text = f"{event.target} {event.details}"
        assert "@" not in text
        assert "password" not in text


def test_expired_unlocked_rows_do_not_survive_removal_either(
        db: Session, demo_org: OrgFixture) -> None:
    admin = demo_org.members[Role.ADMIN]
    reviewer = demo_org.members[Role.REVIEWER]
    keys.unlock(db, reviewer, PASSPHRASE, lifetime=timedelta(minutes=1),
                now=datetime.now(UTC) - timedelta(hours=1))
    members.remove(db, admin, reviewer.id)
    assert db.scalar(select(func.count()).select_from(UnlockedKey)) == 0


@pytest.mark.parametrize("action", ["suspend", "remove"])
def test_invitations_of_a_suspended_or_removed_admin_stop_working(
        db: Session, make_org: Any, action: str) -> None:
    from app.orgs.service import add_member

    org = make_org("gamma")
    second_admin = add_member(db, org.organisation, "admin2@gamma.test", "a long password 123",
                              Role.ADMIN, must_change_password=False)
    db.commit()
    token = issue(db, second_admin, "invitee@example.org", Role.INTERVIEWER)
    getattr(members, action)(db, org.members[Role.ADMIN], second_admin.id)
    with pytest.raises(invitations.InvitationInvalid):
        invitations.find_invitation(db, token)
