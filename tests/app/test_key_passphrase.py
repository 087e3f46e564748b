"""Changing a key passphrase re-protects the same identity: the old passphrase
stops opening it, the new one opens it, and recipient, wraps and cases are as
they were. scrypt costs about a second a call, so the tests are few and full."""

from __future__ import annotations

from datetime import timedelta

import pytest
from intake_data import CANARY, file_case
from members_fixtures import events
from sqlalchemy import select
from sqlalchemy.orm import Session
from web_support import PASSPHRASE, OrgFixture, WebUser

from app.cases import service as cases
from app.keys import service as keys
from app.models import CaseKeyWrap, MemberKey, Role
from app.storage import BlobStore

NEW_PASSPHRASE = "a brand new key passphrase"
LIFETIME = timedelta(minutes=15)


def wraps(db: Session) -> list[tuple[int, str, bytes]]:
    db.expire_all()
    return [(w.id, w.recipient, w.wrapped_key)
            for w in db.scalars(select(CaseKeyWrap).order_by(CaseKeyWrap.id))]


def test_new_passphrase_opens_the_same_key_and_the_old_one_no_longer_does(
        web: WebUser, db: Session, demo_org: OrgFixture, blobs: BlobStore) -> None:
    reviewer = demo_org.members[Role.REVIEWER]
    key = reviewer.current_key
    assert key is not None
    recipient, key_id = key.recipient, key.id
    case = file_case(db, demo_org, blobs)
    wraps_before = wraps(db)
    assert any(w[1] == recipient for w in wraps_before)

    web.sign_in(demo_org.email(Role.REVIEWER))
    assert "Change your key passphrase" in web.client.get("/key").get_data(as_text=True)
    response = web.client.post("/key/passphrase", data={
        "current_passphrase": PASSPHRASE, "new_passphrase": NEW_PASSPHRASE,
        "confirm_passphrase": NEW_PASSPHRASE, "csrf_token": web.csrf_token("/key")})
    assert response.status_code == 302

    db.expire_all()
    changed = db.get(MemberKey, key_id)
    assert changed is not None
    assert changed.recipient == recipient
    assert changed.retired_at is None
    assert wraps(db) == wraps_before
    with pytest.raises(keys.WrongPassphrase):
        keys.unlock(db, reviewer, PASSPHRASE, lifetime=LIFETIME)
    unlocked = keys.unlock(db, reviewer, NEW_PASSPHRASE, lifetime=LIFETIME)
    identity = keys.open_unlocked(db, reviewer, unlocked.row_id, unlocked.session_key)
    assert identity is not None
    assert str(identity.recipient) == recipient
    assert cases.read_narrative(case, cases.unlock_case_key(db, reviewer, case, identity)) \
        == CANARY
    [event] = events(db, "key_passphrase_changed")
    assert event.actor_user_id == reviewer.user_id
    assert event.target == f"member_key:{key_id}"
    for secret in (PASSPHRASE, NEW_PASSPHRASE):
        assert secret not in str(event.details)


def test_wrong_current_passphrase_is_refused_and_audited(
        web: WebUser, db: Session, demo_org: OrgFixture) -> None:
    admin = demo_org.members[Role.ADMIN]
    assert admin.current_key is not None
    protected_before = admin.current_key.protected_identity
    web.sign_in(demo_org.email(Role.ADMIN))
    response = web.client.post("/key/passphrase", data={
        "current_passphrase": "not my passphrase", "new_passphrase": NEW_PASSPHRASE,
        "confirm_passphrase": NEW_PASSPHRASE, "csrf_token": web.csrf_token("/key")})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "not your current key passphrase" in page
    assert "not my passphrase" not in page
    assert NEW_PASSPHRASE not in page
    db.expire_all()
    key = db.get(MemberKey, admin.current_key.id)
    assert key is not None
    assert key.protected_identity == protected_before
    [event] = events(db, "unlock_failed")
    assert event.actor_user_id == admin.user_id
    assert event.details == {"purpose": "change_passphrase"}
    assert events(db, "key_passphrase_changed") == []


def test_too_short_or_mismatched_new_passphrase_is_refused(
        web: WebUser, db: Session, demo_org: OrgFixture) -> None:
    reviewer = demo_org.members[Role.REVIEWER]
    assert reviewer.current_key is not None
    protected_before = reviewer.current_key.protected_identity
    # The service refuses before scrypt runs, so no guess is spent either.
    with pytest.raises(keys.WeakPassphrase):
        keys.change_passphrase(db, reviewer, PASSPHRASE, "short")
    web.sign_in(demo_org.email(Role.REVIEWER))
    for new, repeat in (("short", "short"), (NEW_PASSPHRASE, NEW_PASSPHRASE + "x")):
        response = web.client.post("/key/passphrase", data={
            "current_passphrase": PASSPHRASE, "new_passphrase": new,
            "confirm_passphrase": repeat, "csrf_token": web.csrf_token("/key")})
        assert response.status_code == 400
    # Without a CSRF token nothing happens either.
    assert web.client.post("/key/passphrase", data={
        "current_passphrase": PASSPHRASE, "new_passphrase": NEW_PASSPHRASE,
        "confirm_passphrase": NEW_PASSPHRASE}).status_code == 400
    db.expire_all()
    key = db.get(MemberKey, reviewer.current_key.id)
    assert key is not None
    assert key.protected_identity == protected_before
    assert events(db, "key_passphrase_changed") == []
    assert events(db, "unlock_failed") == []


def test_a_passphrase_change_ends_other_sessions_unlocked_copies_but_not_its_own(
        web: WebUser, db: Session, demo_org: OrgFixture) -> None:
    from app.models import UnlockedKey

    reviewer = demo_org.members[Role.REVIEWER]
    # Elsewhere (perhaps whoever learnt the old passphrase), the key is unlocked.
    elsewhere = keys.unlock(db, reviewer, PASSPHRASE, lifetime=LIFETIME)
    db.commit()
    web.sign_in(demo_org.email(Role.REVIEWER))
    unlocked = web.client.post("/key/unlock", data={
        "passphrase": PASSPHRASE, "csrf_token": web.csrf_token("/key")})
    assert unlocked.status_code == 302
    response = web.client.post("/key/passphrase", data={
        "current_passphrase": PASSPHRASE, "new_passphrase": NEW_PASSPHRASE,
        "confirm_passphrase": NEW_PASSPHRASE, "csrf_token": web.csrf_token("/key")})
    assert response.status_code == 302
    db.expire_all()
    rows = db.scalars(select(UnlockedKey.id).where(
        UnlockedKey.membership_id == reviewer.id)).all()
    assert elsewhere.row_id not in rows
    assert len(rows) == 1  # this session's own copy stays: it still works
    assert "unlocked" in web.client.get("/key").get_data(as_text=True)
