"""Session-bound key unlock (brief, decision 5): the database row alone opens
nothing, the row expires with the session, lock and wrong passphrases."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from intake_data import CANARY, file_case
from members_fixtures import events
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from web_support import PASSPHRASE, OrgFixture, WebUser

import crypto
from app.cases import service as cases
from app.errors import PermissionDenied
from app.keys import service as keys
from app.models import Role, UnlockedKey
from app.storage import BlobStore
from app.web import unlock_cookie as key_cookie

LIFETIME = timedelta(minutes=15)


def row_count(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(UnlockedKey)) or 0


def test_unlocked_identity_opens_a_real_case(db: Session, demo_org: OrgFixture,
                                             blobs: BlobStore) -> None:
    reviewer = demo_org.members[Role.REVIEWER]
    case = file_case(db, demo_org, blobs)
    unlocked = keys.unlock(db, reviewer, PASSPHRASE, lifetime=LIFETIME)
    identity = keys.open_unlocked(db, reviewer, unlocked.row_id, unlocked.session_key)
    assert identity is not None
    assert cases.read_narrative(case, cases.unlock_case_key(db, reviewer, case, identity)) \
        == CANARY
    [event] = events(db, "unlock")
    assert event.actor_user_id == reviewer.user_id
    assert event.target == f"member_key:{reviewer.current_key.id}"  # type: ignore[union-attr]


def test_database_row_alone_opens_nothing(db: Session, demo_org: OrgFixture,
                                          blobs: BlobStore) -> None:
    reviewer = demo_org.members[Role.REVIEWER]
    unlocked = keys.unlock(db, reviewer, PASSPHRASE, lifetime=LIFETIME)
    row = db.get(UnlockedKey, unlocked.row_id)
    assert row is not None
    # No key material in the clear, and neither the passphrase-protected
    # form nor anything else a database thief holds opens it.
    assert b"AGE-SECRET-KEY" not in row.sealed_identity
    for guess in (crypto.SecretBox.random_key(), b"\x00" * 32):
        assert keys.open_unlocked(db, reviewer, row.id, guess) is None
    with pytest.raises(crypto.CryptoError):
        crypto.SecretBox.derive(crypto.SecretBox.random_key(), "unlocked-identity").open(
            row.sealed_identity)
    # The right cookie key does not help another member use the row.
    admin = demo_org.members[Role.ADMIN]
    assert keys.open_unlocked(db, admin, row.id, unlocked.session_key) is None
    # Nor a row moved onto another member.
    row.membership_id = admin.id
    row.member_key_id = admin.current_key.id  # type: ignore[union-attr]
    db.commit()
    assert keys.open_unlocked(db, admin, row.id, unlocked.session_key) is None


def test_tampered_row_opens_nothing(db: Session, demo_org: OrgFixture) -> None:
    reviewer = demo_org.members[Role.REVIEWER]
    unlocked = keys.unlock(db, reviewer, PASSPHRASE, lifetime=LIFETIME)
    row = db.get(UnlockedKey, unlocked.row_id)
    assert row is not None
    damaged = bytearray(row.sealed_identity)
    damaged[-3] ^= 1
    row.sealed_identity = bytes(damaged)
    db.commit()
    assert keys.open_unlocked(db, reviewer, row.id, unlocked.session_key) is None


def test_expired_row_is_refused_and_deleted(db: Session, demo_org: OrgFixture) -> None:
    reviewer = demo_org.members[Role.REVIEWER]
    unlocked = keys.unlock(db, reviewer, PASSPHRASE, lifetime=LIFETIME)
    later = datetime.now(UTC) + LIFETIME + timedelta(seconds=1)
    assert keys.open_unlocked(db, reviewer, unlocked.row_id, unlocked.session_key,
                              now=later) is None
    assert row_count(db) == 0


def test_use_slides_the_expiry_but_not_past_the_session_end(
        db: Session, demo_org: OrgFixture) -> None:
    reviewer = demo_org.members[Role.REVIEWER]
    start = datetime.now(UTC)
    unlocked = keys.unlock(db, reviewer, PASSPHRASE, lifetime=LIFETIME, now=start)
    session_end = start + timedelta(minutes=20)
    # Ten minutes in: sliding moves the expiry to 25 min, capped at 20.
    at = start + timedelta(minutes=10)
    assert keys.open_unlocked(db, reviewer, unlocked.row_id, unlocked.session_key,
                              idle=LIFETIME, not_after=session_end, now=at) is not None
    assert keys.unlocked_until(db, reviewer, unlocked.row_id, now=at) == session_end
    # Past the original 15 minutes it still works (it slid) ...
    at = start + timedelta(minutes=17)
    assert keys.open_unlocked(db, reviewer, unlocked.row_id, unlocked.session_key,
                              idle=LIFETIME, not_after=session_end, now=at) is not None
    # ... but never beyond the session's end.
    at = session_end + timedelta(seconds=1)
    assert keys.open_unlocked(db, reviewer, unlocked.row_id, unlocked.session_key,
                              idle=LIFETIME, not_after=session_end, now=at) is None


def test_lock_deletes_the_row(db: Session, demo_org: OrgFixture) -> None:
    reviewer = demo_org.members[Role.REVIEWER]
    unlocked = keys.unlock(db, reviewer, PASSPHRASE, lifetime=LIFETIME)
    keys.lock(db, demo_org.members[Role.ADMIN], unlocked.row_id)  # not theirs: no effect
    assert row_count(db) == 1
    keys.lock(db, reviewer, unlocked.row_id)
    assert row_count(db) == 0
    assert keys.open_unlocked(db, reviewer, unlocked.row_id, unlocked.session_key) is None


def test_wrong_passphrase_is_refused_and_audited(db: Session, demo_org: OrgFixture) -> None:
    reviewer = demo_org.members[Role.REVIEWER]
    with pytest.raises(keys.WrongPassphrase):
        keys.unlock(db, reviewer, PASSPHRASE + "x", lifetime=LIFETIME)
    assert row_count(db) == 0
    [event] = events(db, "unlock_failed")
    assert event.actor_user_id == reviewer.user_id
    assert PASSPHRASE not in str(event.details)


def test_interviewers_and_suspended_members_cannot_unlock(db: Session,
                                                          demo_org: OrgFixture) -> None:
    with pytest.raises(PermissionDenied):
        keys.unlock(db, demo_org.members[Role.INTERVIEWER], PASSPHRASE, lifetime=LIFETIME)
    reviewer = demo_org.members[Role.REVIEWER]
    unlocked = keys.unlock(db, reviewer, PASSPHRASE, lifetime=LIFETIME)
    reviewer.active = False
    db.commit()
    with pytest.raises(PermissionDenied):
        keys.unlock(db, reviewer, PASSPHRASE, lifetime=LIFETIME)
    assert keys.open_unlocked(db, reviewer, unlocked.row_id, unlocked.session_key) is None


def test_a_retired_key_row_no_longer_opens(db: Session, demo_org: OrgFixture) -> None:
    reviewer = demo_org.members[Role.REVIEWER]
    unlocked = keys.unlock(db, reviewer, PASSPHRASE, lifetime=LIFETIME)
    key = reviewer.current_key
    assert key is not None
    key.retired_at = datetime.now(UTC)
    db.commit()
    assert keys.open_unlocked(db, reviewer, unlocked.row_id, unlocked.session_key) is None


# --- through the web ---------------------------------------------------------

def session_values(web: WebUser) -> dict[str, Any]:
    with web.client.session_transaction() as cookie:
        return dict(cookie)


def test_web_unlock_and_lock(web: WebUser, db: Session, demo_org: OrgFixture,
                             blobs: BlobStore) -> None:
    reviewer = demo_org.members[Role.REVIEWER]
    case = file_case(db, demo_org, blobs)
    web.sign_in(demo_org.email(Role.REVIEWER))
    assert "locked" in web.client.get("/").get_data(as_text=True)
    response = web.client.post("/key/unlock", data={
        "passphrase": PASSPHRASE, "csrf_token": web.csrf_token("/key")})
    assert response.status_code == 302
    values = session_values(web)
    row_id, session_key = values["unlocked_key_id"], base64.urlsafe_b64decode(
        values["unlock_key"])
    assert "unlocked until" in web.client.get("/").get_data(as_text=True)
    identity = keys.open_unlocked(db, reviewer, row_id, session_key)
    assert identity is not None
    assert cases.read_narrative(case, cases.unlock_case_key(db, reviewer, case, identity)) \
        == CANARY
    db.commit()  # the DECRYPT event: the test owns this unit of work
    # Unlocking again replaces this session's row instead of piling up rows.
    web.client.post("/key/unlock", data={"passphrase": PASSPHRASE,
                                         "csrf_token": web.csrf_token("/key")})
    assert row_count(db) == 1

    response = web.client.post("/key/lock", data={"csrf_token": web.csrf_token("/key")})
    assert response.status_code == 302
    assert row_count(db) == 0
    assert "unlock_key" not in session_values(web)


def test_web_wrong_passphrase(web: WebUser, db: Session, demo_org: OrgFixture) -> None:
    web.sign_in(demo_org.email(Role.ADMIN))
    response = web.client.post("/key/unlock", data={
        "passphrase": "not my passphrase", "csrf_token": web.csrf_token("/key")})
    assert response.status_code == 400
    assert "does not open your key" in response.get_data(as_text=True)
    assert "not my passphrase" not in response.get_data(as_text=True)
    assert row_count(db) == 0
    assert "unlock_key" not in session_values(web)
    assert len(events(db, "unlock_failed")) == 1


def test_web_unlock_needs_csrf_and_a_key_role(web: WebUser, db: Session,
                                              demo_org: OrgFixture) -> None:
    web.sign_in(demo_org.email(Role.REVIEWER))
    assert web.client.post("/key/unlock", data={"passphrase": PASSPHRASE}).status_code == 400
    assert row_count(db) == 0
    other = WebUser(web.client.application.test_client(), web.totp)
    other.sign_in(demo_org.email(Role.INTERVIEWER))
    assert other.client.get("/key").status_code == 403
    response = other.client.post("/key/unlock", data={
        "passphrase": PASSPHRASE, "csrf_token": other.csrf_token("/")})
    assert response.status_code == 403


def test_unlocked_identity_reads_the_cookie(app: Any, web: WebUser, db: Session,
                                            demo_org: OrgFixture) -> None:
    reviewer = demo_org.members[Role.REVIEWER]
    unlocked = keys.unlock(db, reviewer, PASSPHRASE, lifetime=LIFETIME)
    with app.test_request_context("/"):
        from flask import session as cookie

        assert key_cookie.unlocked_identity(db, reviewer) is None
        key_cookie.remember(unlocked)
        identity = key_cookie.unlocked_identity(db, reviewer)
        assert identity is not None
        assert str(identity.recipient) == reviewer.current_key.recipient  # type: ignore[union-attr]
        forged = crypto.SecretBox.random_key()
        cookie[key_cookie.SESSION_KEY] = key_cookie.encode_session_key(forged)
        assert key_cookie.unlocked_identity(db, reviewer) is None
        # A dead reference is dropped from the cookie.
        assert key_cookie.UNLOCKED_KEY_ID not in cookie
