"""Invitations: the only way in. Single-use, expiring, scoped to one organisation."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from intake_data import CANARY, file_case
from members_fixtures import events, issue, token_from_page, user_by_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from web_support import PASSWORD, OrgFixture, WebUser

import crypto
from app.auth.service import authenticate
from app.cases import service as cases
from app.errors import NotFound, PermissionDenied
from app.members import common as members_common
from app.members import invitations
from app.models import Invitation, Membership, Role, User
from app.storage import BlobStore

NEW_PASSWORD = "a brand new password 42"
NEW_PASSPHRASE = "a key passphrase nobody guesses"


def accept(web: WebUser, token: str, **data: str) -> Any:
    path = f"/invite/{token}"
    return web.client.post(path, data={"csrf_token": web.csrf_token(path), **data})


def user_count(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(User)) or 0


def test_admin_invites_and_sees_the_link_once(admin_web: WebUser, db: Session,
                                              demo_org: OrgFixture) -> None:
    page = admin_web.client.post("/members/invite", data={
        "email": "New.Person@Example.org", "role": "reviewer",
        "csrf_token": admin_web.csrf_token("/members/invite")})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "safe channel" in html
    token = token_from_page(html)
    invitation = db.scalars(select(Invitation)).one()
    # Only the digest is stored, never the token; e-mail normalised.
    assert invitation.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(invitation.__dict__)
    assert invitation.email == "new.person@example.org"
    assert invitation.role is Role.REVIEWER
    # The listing shows the pending invitation but never the link again.
    listing = admin_web.client.get("/members").get_data(as_text=True)
    assert "new.person@example.org" in listing
    assert token not in listing
    [event] = events(db, "member_invited")
    assert event.organisation_id == demo_org.organisation.id
    assert event.target == f"invitation:{invitation.id}"
    assert "example.org" not in str(event.details) + str(event.target)


def test_default_expiry_is_72_hours(db: Session, demo_org: OrgFixture, app: Any) -> None:
    assert app.config["WITNESSBOX"].invitation_hours == 72


def test_interviewer_accepts_sets_password_and_signs_in(
        web: WebUser, db: Session, demo_org: OrgFixture) -> None:
    token = issue(db, demo_org.members[Role.ADMIN], "field@example.org", Role.INTERVIEWER)
    page = web.client.get(f"/invite/{token}").get_data(as_text=True)
    assert "passphrase" not in page.lower()  # interviewers hold no key
    response = accept(web, token, password=NEW_PASSWORD, confirm_password=NEW_PASSWORD)
    assert response.status_code == 302
    user = user_by_email(db, "field@example.org")
    assert user is not None
    assert not user.must_change_password
    [membership] = user.memberships
    assert membership.role is Role.INTERVIEWER
    assert membership.active
    assert membership.organisation_id == demo_org.organisation.id
    assert membership.keys == []
    web.sign_in("field@example.org", NEW_PASSWORD)
    assert web.client.get("/").status_code == 200
    [joined] = events(db, "member_joined")
    assert joined.actor_user_id == user.id
    assert joined.target == f"membership:{membership.id}"


def test_reviewer_accepts_and_new_cases_are_sealed_to_their_key(
        web: WebUser, db: Session, demo_org: OrgFixture, blobs: BlobStore) -> None:
    token = issue(db, demo_org.members[Role.ADMIN], "rev2@example.org", Role.REVIEWER)
    response = accept(web, token, password=NEW_PASSWORD, confirm_password=NEW_PASSWORD,
                      passphrase=NEW_PASSPHRASE, confirm_passphrase=NEW_PASSPHRASE)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert authenticate(db, "rev2@example.org", NEW_PASSWORD) is not None
    membership = db.scalars(select(Membership).join(User)
                            .where(User.email == "rev2@example.org")).one()
    key = membership.current_key
    assert key is not None
    identity = crypto.unprotect_identity(key.protected_identity, NEW_PASSPHRASE)
    assert str(identity.recipient) == key.recipient
    # A case filed after joining is wrapped to the new reviewer's key.
    case = file_case(db, demo_org, blobs)
    assert any(wrap.member_key_id == key.id for wrap in case.key_wraps)
    case_key = cases.unlock_case_key(db, membership, case, identity)
    assert cases.read_narrative(case, case_key) == CANARY
    assert events(db, "member_joined")[0].details["key_created"] is True


@pytest.mark.parametrize("problem", ["mismatch", "short", "same_as_password", "missing"])
def test_bad_passphrase_creates_nothing_and_keeps_the_link(
        web: WebUser, db: Session, demo_org: OrgFixture, problem: str) -> None:
    token = issue(db, demo_org.members[Role.ADMIN], "rev3@example.org", Role.REVIEWER)
    passphrase, confirm = {
        "mismatch": (NEW_PASSPHRASE, NEW_PASSPHRASE + "x"),
        "short": ("short", "short"),
        "same_as_password": (NEW_PASSWORD, NEW_PASSWORD),
        "missing": ("", ""),
    }[problem]
    before = user_count(db)
    response = accept(web, token, password=NEW_PASSWORD, confirm_password=NEW_PASSWORD,
                      passphrase=passphrase, confirm_passphrase=confirm)
    assert response.status_code == 400
    assert user_count(db) == before
    assert web.client.get(f"/invite/{token}").status_code == 200  # still usable


def test_reused_invitation_is_refused(web: WebUser, db: Session, demo_org: OrgFixture) -> None:
    token = issue(db, demo_org.members[Role.ADMIN], "once@example.org", Role.INTERVIEWER)
    csrf = web.csrf_token(f"/invite/{token}")
    data = {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD, "csrf_token": csrf}
    assert web.client.post(f"/invite/{token}", data=data).status_code == 302
    before = user_count(db)
    again = web.client.post(f"/invite/{token}", data=data | {"password": "another password 1",
                                                             "confirm_password":
                                                             "another password 1"})
    assert again.status_code == 410
    assert "invalid or has expired" in again.get_data(as_text=True)
    assert web.client.get(f"/invite/{token}").status_code == 410
    assert user_count(db) == before
    # The first password stands.
    assert authenticate(db, "once@example.org", NEW_PASSWORD) is not None
    # And at the service level, a second claim fails even for a caller that
    # skipped the page's check.
    with pytest.raises(invitations.InvitationInvalid):
        invitations.accept_invitation(db, token, password=NEW_PASSWORD)


def test_expired_invitation_is_refused(web: WebUser, db: Session, demo_org: OrgFixture) -> None:
    past = datetime.now(UTC) - timedelta(hours=73)
    token = issue(db, demo_org.members[Role.ADMIN], "late@example.org", Role.INTERVIEWER,
                  now=past)
    assert web.client.get(f"/invite/{token}").status_code == 410
    before = user_count(db)
    # A POST needs a CSRF token from some page; the login page's will do.
    response = web.client.post(f"/invite/{token}", data={
        "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD,
        "csrf_token": web.csrf_token("/login")})
    assert response.status_code == 410
    assert user_count(db) == before
    with pytest.raises(invitations.InvitationInvalid):
        invitations.accept_invitation(db, token, password=NEW_PASSWORD)
    admin = demo_org.members[Role.ADMIN]
    assert invitations.pending_invitations(db, admin) == []


def test_revoked_invitation_is_refused(admin_web: WebUser, db: Session,
                                       demo_org: OrgFixture, client: Any) -> None:
    token = issue(db, demo_org.members[Role.ADMIN], "revoked@example.org", Role.INTERVIEWER)
    invitation = db.scalars(select(Invitation)).one()
    response = admin_web.client.post(f"/members/invitations/{invitation.id}/revoke", data={
        "csrf_token": admin_web.csrf_token("/members")})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Invitation, invitation.id).revoked_at is not None  # type: ignore[union-attr]
    assert admin_web.client.get(f"/invite/{token}").status_code == 410
    with pytest.raises(invitations.InvitationInvalid):
        invitations.accept_invitation(db, token, password=NEW_PASSWORD)
    assert user_by_email(db, "revoked@example.org") is None


def test_unknown_token_gets_the_same_page(web: WebUser) -> None:
    response = web.client.get("/invite/" + "A" * 43)
    assert response.status_code == 410
    assert "invalid or has expired" in response.get_data(as_text=True)


def test_reinviting_revokes_the_older_link(db: Session, demo_org: OrgFixture) -> None:
    admin = demo_org.members[Role.ADMIN]
    first = issue(db, admin, "twice@example.org", Role.INTERVIEWER)
    issue(db, admin, "twice@example.org", Role.INTERVIEWER)
    with pytest.raises(invitations.InvitationInvalid):
        invitations.find_invitation(db, first)
    assert len(invitations.pending_invitations(db, admin)) == 1


def test_existing_user_joins_another_organisation_with_their_password(
        web: WebUser, db: Session, demo_org: OrgFixture, make_org: Any) -> None:
    other = make_org("beta")
    email = other.email(Role.INTERVIEWER)
    user = user_by_email(db, email)
    assert user is not None
    old_hash = user.password_hash
    token = issue(db, demo_org.members[Role.ADMIN], email, Role.INTERVIEWER)
    page = web.client.get(f"/invite/{token}").get_data(as_text=True)
    assert "current Witnessbox password" in page
    wrong = accept(web, token, password="not the password at all",
                   confirm_password="not the password at all")
    assert wrong.status_code == 400
    assert len(user_by_email(db, email).memberships) == 1  # type: ignore[union-attr]
    assert accept(web, token, password=PASSWORD, confirm_password=PASSWORD).status_code == 302
    user = user_by_email(db, email)
    assert user is not None
    assert user.password_hash == old_hash
    assert {m.organisation_id for m in user.memberships} == {
        demo_org.organisation.id, other.organisation.id}


def test_active_member_cannot_be_invited_again(db: Session, demo_org: OrgFixture) -> None:
    with pytest.raises(members_common.Refused):
        issue(db, demo_org.members[Role.ADMIN], demo_org.email(Role.REVIEWER), Role.ADMIN)


def test_admin_of_another_organisation_cannot_see_or_revoke(
        web: WebUser, db: Session, demo_org: OrgFixture, make_org: Any) -> None:
    token = issue(db, demo_org.members[Role.ADMIN], "alpha-only@example.org", Role.INTERVIEWER)
    invitation = db.scalars(select(Invitation)).one()
    other = make_org("beta")
    web.sign_in(other.email(Role.ADMIN))
    assert "alpha-only@example.org" not in web.client.get("/members").get_data(as_text=True)
    response = web.client.post(f"/members/invitations/{invitation.id}/revoke", data={
        "csrf_token": web.csrf_token("/members")})
    assert response.status_code == 404
    assert invitations.find_invitation(db, token).revoked_at is None
    with pytest.raises(NotFound):
        invitations.revoke_invitation(db, other.members[Role.ADMIN], invitation.id)


@pytest.mark.parametrize("role", [Role.INTERVIEWER, Role.REVIEWER])
def test_non_admins_cannot_invite(web: WebUser, db: Session, demo_org: OrgFixture,
                                  role: Role) -> None:
    web.sign_in(demo_org.email(role))
    assert web.client.get("/members/invite").status_code == 403
    response = web.client.post("/members/invite", data={
        "email": "x@example.org", "role": "admin", "csrf_token": web.csrf_token("/")})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        issue(db, demo_org.members[role], "x@example.org", Role.ADMIN)
    assert db.scalar(select(func.count()).select_from(Invitation)) == 0


def test_invitation_needs_csrf(admin_web: WebUser, db: Session) -> None:
    response = admin_web.client.post("/members/invite", data={
        "email": "x@example.org", "role": "admin"})
    assert response.status_code == 400
    assert db.scalar(select(func.count()).select_from(Invitation)) == 0


def test_no_self_registration_route(app: Any) -> None:
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert not any(word in rule for rule in rules
                   for word in ("register", "signup", "sign-up", "join"))


def test_accept_and_unlock_posts_are_rate_limited(settings: Any, db: Session,
                                                  demo_org: OrgFixture,
                                                  totp_registry: Any) -> None:
    from dataclasses import replace

    from app import create_app

    limited = create_app(replace(settings, sensitive_rate_limit="2 per minute"))
    limited.config["TESTING"] = True
    try:
        client = limited.test_client()
        token = issue(db, demo_org.members[Role.ADMIN], "slow@example.org", Role.INTERVIEWER)
        path = f"/invite/{token}"
        page = client.get(path).get_data(as_text=True)
        csrf = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        statuses = [client.post(path, data={"password": "x", "csrf_token": csrf}).status_code
                    for _ in range(3)]
        assert statuses == [400, 400, 429]
        assert user_by_email(db, "slow@example.org") is None
        # Key unlock: each wrong guess costs the server a scrypt run, and the
        # passphrase is the last line of defence; same limit.
        reviewer = WebUser(limited.test_client(), totp_registry)
        reviewer.sign_in(demo_org.email(Role.REVIEWER))
        csrf = reviewer.csrf_token("/key")
        statuses = [reviewer.client.post("/key/unlock", data={
            "passphrase": "wrong guess", "csrf_token": csrf}).status_code for _ in range(3)]
        assert statuses == [400, 400, 429]
    finally:
        limited.extensions["witnessbox.engine"].dispose()
