"""Replacing a member's key ("my key may be compromised"), through the real HTTP path.

Self-service (key unlocked): every case the member opened before opens with
the new key and the old identity opens no wrap left in the database; other
sessions' unlocked copies are gone. Without the old key (lost passphrase):
the old wraps are destroyed at once and an admin's "Re-grant their former
cases" gives them back on the new key. A wrong re-authentication, a missing
CSRF token or a locked key change nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from access_support import (
    can_open,
    change_access,
    file_coded_case,
    signed_in,  # noqa: F401 - a fixture
    unlock_key,
)
from intake_data import CANARY
from members_fixtures import events
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from web_support import PASSPHRASE, PASSWORD, OrgFixture

import crypto
from app.clusters import service as clusters
from app.keys import rekey as rekeying
from app.keys import service as keys
from app.models import (
    Case,
    CaseGrant,
    CaseKeyWrap,
    ClusterReason,
    MemberKey,
    Membership,
    NewCasesTo,
    Role,
    UnlockedKey,
    User,
)
from app.storage import BlobStore

NEW_PASSPHRASE = "a brand new key for a compromised one"
LIFETIME = timedelta(minutes=15)


def key_form(web: Any, prefix: str, **fields: str) -> dict[str, str]:
    """The prefixed re-key form as the browser sends it, CSRF token from /key."""
    data = {"new_passphrase": NEW_PASSPHRASE, "confirm_passphrase": NEW_PASSPHRASE,
            "reauth": PASSWORD, **fields}
    form = {f"{prefix}-{name}": value for name, value in data.items()}
    form[f"{prefix}-csrf_token"] = web.csrf_token("/key")
    return form


def member(db: Session, membership_id: int) -> Membership:
    db.expire_all()
    found = db.get(Membership, membership_id)
    assert found is not None
    return found


def new_identity(db: Session, membership_id: int) -> crypto.Identity:
    """The member's current identity, opened with the new passphrase."""
    reviewer = member(db, membership_id)
    unlocked = keys.unlock(db, reviewer, NEW_PASSPHRASE, lifetime=LIFETIME)
    identity = keys.open_unlocked(db, reviewer, unlocked.row_id, unlocked.session_key)
    assert identity is not None
    db.rollback()
    return identity


def assert_old_identity_opens_nothing(db: Session, old: crypto.Identity, old_key_id: int) -> int:
    db.expire_all()
    wraps = list(db.scalars(select(CaseKeyWrap)))
    assert wraps, "the database should still hold wraps (of others, and the new key)"
    for wrap in wraps:
        assert wrap.member_key_id != old_key_id
        assert wrap.recipient != str(old.recipient)
        with pytest.raises(crypto.CryptoError):
            crypto.CaseKey.unwrap(wrap.wrapped_key, [old])
    retired = db.get(MemberKey, old_key_id)
    assert retired is not None
    assert retired.retired_at is not None
    # The old protected identity is gone: the old passphrase opens nothing any more.
    assert retired.protected_identity == rekeying.WIPED
    return len(wraps)


@pytest.fixture
def cases_of_reviewer(db: Session, demo_org: OrgFixture, blobs: BlobStore,
                      signed_in: Any) -> dict[str, list[Case]]:  # noqa: F811
    """Two cases the reviewer gets at intake, one given by an admin through a
    cluster grant, and one they cannot open."""
    at_intake = [file_coded_case(db, demo_org, blobs), file_coded_case(db, demo_org, blobs)]
    demo_org.organisation.new_cases_to = NewCasesTo.TRIAGE_GROUP
    db.commit()
    granted = file_coded_case(db, demo_org, blobs)
    not_theirs = file_coded_case(db, demo_org, blobs)
    admin = demo_org.members[Role.ADMIN]
    cluster = clusters.create_cluster(db, admin, ClusterReason.SAME_TEAM, granted.public_id)
    db.commit()
    admin_browser = signed_in(demo_org.email(Role.ADMIN))
    unlock_key(admin_browser)
    response = change_access(admin_browser, demo_org.members[Role.REVIEWER].id,
                             scope="cluster", cluster_public_id=cluster.public_id)
    assert response.status_code == 302
    return {"readable": [*at_intake, granted], "unreadable": [not_theirs]}


def test_self_service_rekey_keeps_every_case_and_the_old_identity_opens_none(
        app: Any, db: Session, demo_org: OrgFixture, signed_in: Any,  # noqa: F811
        cases_of_reviewer: dict[str, list[Case]]) -> None:
    reviewer = demo_org.members[Role.REVIEWER]
    old = demo_org.identities[Role.REVIEWER]
    old_key_id = reviewer.current_key.id if reviewer.current_key else 0
    readable, unreadable = cases_of_reviewer["readable"], cases_of_reviewer["unreadable"]
    before = [case for case in readable + unreadable if can_open(db, reviewer, old, case)]
    assert [c.id for c in before] == [c.id for c in readable]
    assert len(before) == 3

    # Elsewhere (perhaps whoever has the old passphrase) the key is unlocked too.
    elsewhere = signed_in(demo_org.email(Role.REVIEWER))
    unlock_key(elsewhere)
    assert "unlocked" in elsewhere.client.get("/key").get_data(as_text=True)
    browser = signed_in(demo_org.email(Role.REVIEWER))
    unlock_key(browser)
    page = browser.client.get("/key").get_data(as_text=True)
    assert "My key may be compromised" in page

    response = browser.client.post("/key/rekey", data=key_form(browser, "rekey"))
    assert response.status_code == 302, response.get_data(as_text=True)

    # This session goes on with the new key, unlocked: every former case opens here.
    for case in readable:
        shown = browser.client.get(f"/cases/{case.public_id}")
        assert shown.status_code == 200
        assert CANARY in shown.get_data(as_text=True)
    assert browser.client.get(f"/cases/{unreadable[0].public_id}").status_code == 403
    # The other session's unlocked copy is gone: it is sent to unlock again.
    assert "is <strong>locked</strong>" in elsewhere.client.get("/key").get_data(as_text=True)
    assert elsewhere.client.get(f"/cases/{readable[0].public_id}").status_code == 302

    rekeyed = member(db, reviewer.id)
    assert rekeyed.current_key is not None
    assert rekeyed.current_key.id != old_key_id
    assert db.scalars(select(UnlockedKey.member_key_id).where(
        UnlockedKey.membership_id == reviewer.id)).all() == [rekeyed.current_key.id]
    identity = new_identity(db, reviewer.id)
    assert str(identity.recipient) == rekeyed.current_key.recipient
    after = [case for case in readable + unreadable
             if can_open(db, member(db, reviewer.id), identity, case)]
    assert [c.id for c in after] == [c.id for c in before]
    assert_old_identity_opens_nothing(db, old, old_key_id)
    # The old passphrase opens no key of theirs: the retired one is never offered.
    with pytest.raises(keys.WrongPassphrase):
        keys.unlock(db, member(db, reviewer.id), PASSPHRASE, lifetime=LIFETIME)
    db.rollback()

    [event] = events(db, "key_rekeyed")
    assert event.actor_user_id == reviewer.user_id
    assert event.target == f"member_key:{rekeyed.current_key.id}"
    assert event.details == {"old_key": old_key_id, "how": "self", "wraps_rewrapped": 3,
                             "unlocked_copies_forgotten": 1}
    assert NEW_PASSPHRASE not in repr(event.details)
    assert PASSWORD not in repr(event.details)


def test_rekey_over_a_process_pool_moves_every_wrap(
        db: Session, demo_org: OrgFixture, blobs: BlobStore) -> None:
    """The bulk path (crypto.rewrap's process pool) with the database around it."""
    cases = [file_coded_case(db, demo_org, blobs) for _ in range(3)]
    admin = demo_org.members[Role.ADMIN]
    old = demo_org.identities[Role.ADMIN]
    old_key_id = admin.current_key.id if admin.current_key else 0
    done = rekeying.rekey(db, admin, old, NEW_PASSPHRASE, lifetime=LIFETIME, processes=2)
    db.commit()
    assert done.wraps == 3
    assert done.unlocked is not None
    fresh = member(db, admin.id)
    identity = keys.open_unlocked(db, fresh, done.unlocked.row_id, done.unlocked.session_key)
    assert identity is not None
    assert all(can_open(db, fresh, identity, case) for case in cases)
    assert_old_identity_opens_nothing(db, old, old_key_id)


def test_wrong_reauthentication_csrf_or_a_locked_key_change_nothing(
        db: Session, demo_org: OrgFixture, blobs: BlobStore,
        signed_in: Any) -> None:  # noqa: F811
    file_coded_case(db, demo_org, blobs)
    reviewer = demo_org.members[Role.REVIEWER]
    assert reviewer.current_key is not None
    key_id, protected = reviewer.current_key.id, reviewer.current_key.protected_identity

    def wraps() -> list[tuple[int, int | None, bytes]]:
        db.expire_all()
        return [(w.id, w.member_key_id, w.wrapped_key)
                for w in db.scalars(select(CaseKeyWrap).order_by(CaseKeyWrap.id))]

    wraps_before = wraps()
    browser = signed_in(demo_org.email(Role.REVIEWER))
    # Locked: self-service re-keying needs the old key to move the cases.
    locked = browser.client.post("/key/rekey", data=key_form(browser, "rekey"))
    assert locked.status_code == 400
    assert "Unlock your key first" in locked.get_data(as_text=True)
    unlock_key(browser)
    for wrong in ("not my password at all", "000000"):
        response = browser.client.post("/key/rekey",
                                       data=key_form(browser, "rekey", reauth=wrong))
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert "password or code is wrong" in page
        assert wrong not in page
        assert NEW_PASSPHRASE not in page
    # No CSRF token, mismatched or old passphrase: refused as well.
    no_csrf = key_form(browser, "rekey")
    del no_csrf["rekey-csrf_token"]
    assert browser.client.post("/key/rekey", data=no_csrf).status_code == 400
    assert browser.client.post("/key/rekey", data=key_form(
        browser, "rekey", confirm_passphrase=NEW_PASSPHRASE + "x")).status_code == 400
    same = browser.client.post("/key/rekey", data=key_form(
        browser, "rekey", new_passphrase=PASSPHRASE, confirm_passphrase=PASSPHRASE))
    assert same.status_code == 400
    assert "opens your old key" in same.get_data(as_text=True)
    as_password = browser.client.post("/key/rekey", data=key_form(
        browser, "rekey", new_passphrase=PASSWORD, confirm_passphrase=PASSWORD))
    assert as_password.status_code == 400
    assert "must differ from your password" in as_password.get_data(as_text=True)
    no_csrf_new = key_form(browser, "newkey")
    del no_csrf_new["newkey-csrf_token"]
    assert browser.client.post("/key/new", data=no_csrf_new).status_code == 400

    db.expire_all()
    key = db.get(MemberKey, key_id)
    assert key is not None
    assert key.retired_at is None
    assert key.protected_identity == protected
    assert db.scalars(select(MemberKey.id).where(
        MemberKey.membership_id == reviewer.id)).all() == [key_id]
    assert wraps() == wraps_before
    assert events(db, "key_rekeyed") == []
    # Each wrong answer was a guess, counted and audited like a failed sign-in.
    assert [e.details for e in events(db, "sign_in_failed")] == [{"reason": "rekey"}]
    assert [e.details for e in events(db, "totp_failed")] == [{"reason": "rekey"}]
    user = db.get(User, reviewer.user_id)
    assert user is not None
    assert user.failed_logins == 2
    # The page still works with the old key, unlocked.
    assert "unlocked" in browser.client.get("/key").get_data(as_text=True)


def test_new_key_without_the_old_one_then_an_admin_regrants_the_former_cases(
        db: Session, demo_org: OrgFixture, signed_in: Any,  # noqa: F811
        cases_of_reviewer: dict[str, list[Case]]) -> None:
    reviewer = demo_org.members[Role.REVIEWER]
    old = demo_org.identities[Role.REVIEWER]
    old_key_id = reviewer.current_key.id if reviewer.current_key else 0
    readable = cases_of_reviewer["readable"]
    # A case wrapped to them before the grant history existed (no case_grant row):
    # it must be remembered for the re-grant all the same.
    db.execute(delete(CaseGrant).where(CaseGrant.case_id == readable[0].id,
                                       CaseGrant.user_id == reviewer.user_id))
    db.commit()

    browser = signed_in(demo_org.email(Role.REVIEWER))
    page = browser.client.get("/key").get_data(as_text=True)
    assert "Lost your key passphrase" in page
    # Re-authenticated with a code from the authenticator app this time.
    code = browser.totp.next_code(demo_org.email(Role.REVIEWER))
    response = browser.client.post("/key/new", data=key_form(browser, "newkey", reauth=code))
    assert response.status_code == 302, response.get_data(as_text=True)

    replaced = member(db, reviewer.id)
    assert replaced.current_key is not None
    assert replaced.current_key.id != old_key_id
    assert db.scalars(select(CaseKeyWrap).where(
        CaseKeyWrap.member_key_id == replaced.current_key.id)).all() == []
    assert_old_identity_opens_nothing(db, old, old_key_id)
    [event] = events(db, "key_rekeyed")
    assert event.details == {"old_key": old_key_id, "how": "new_key_awaiting_regrant",
                             "wraps_destroyed": 3, "unlocked_copies_forgotten": 0}

    # An admin whose key opens the cases re-grants them (grants' existing machinery).
    admin = signed_in(demo_org.email(Role.ADMIN))
    unlock_key(admin)
    grants_page = admin.client.get(f"/grants?member={reviewer.id}").get_data(as_text=True)
    assert "Held 3 case(s) before" in grants_page
    regranted = admin.client.post(f"/grants/members/{reviewer.id}/regrant",
                                  data={"csrf_token": admin.csrf_token("/grants")})
    assert regranted.status_code == 302

    identity = new_identity(db, reviewer.id)
    for case in readable:
        assert can_open(db, member(db, reviewer.id), identity, case)
    assert browser.client.get(f"/cases/{readable[0].public_id}").status_code == 302
    unlocked = browser.client.post("/key/unlock", data={
        "passphrase": NEW_PASSPHRASE, "csrf_token": browser.csrf_token("/key")})
    assert unlocked.status_code == 302
    for case in readable:
        shown = browser.client.get(f"/cases/{case.public_id}")
        assert shown.status_code == 200
        assert CANARY in shown.get_data(as_text=True)
    assert not can_open(db, member(db, reviewer.id), identity,
                        cases_of_reviewer["unreadable"][0])
    assert_old_identity_opens_nothing(db, old, old_key_id)
    assert len(events(db, "grant")) >= 3


def test_a_wrap_the_old_key_does_not_open_aborts_the_whole_rekey(
        db: Session, demo_org: OrgFixture, blobs: BlobStore,
        signed_in: Any) -> None:  # noqa: F811
    first, second = file_coded_case(db, demo_org, blobs), file_coded_case(db, demo_org, blobs)
    reviewer = demo_org.members[Role.REVIEWER]
    assert reviewer.current_key is not None
    key_id = reviewer.current_key.id
    # Someone who can write the database swapped in a wrap to another identity.
    stranger = crypto.generate_identity()
    db.execute(update(CaseKeyWrap).where(CaseKeyWrap.case_id == second.id,
                                         CaseKeyWrap.member_key_id == key_id)
               .values(wrapped_key=crypto.CaseKey.create().wrap([stranger.recipient])))
    db.commit()
    browser = signed_in(demo_org.email(Role.REVIEWER))
    unlock_key(browser)
    response = browser.client.post("/key/rekey", data=key_form(browser, "rekey"))
    assert response.status_code == 409
    assert "nothing was changed" in response.get_data(as_text=True)
    db.expire_all()
    assert db.scalars(select(MemberKey.id).where(
        MemberKey.membership_id == reviewer.id)).all() == [key_id]
    key = db.get(MemberKey, key_id)
    assert key is not None
    assert key.retired_at is None
    assert key.protected_identity != b""
    assert can_open(db, member(db, reviewer.id), demo_org.identities[Role.REVIEWER], first)
    assert events(db, "key_rekeyed") == []
    assert "unlocked" in browser.client.get("/key").get_data(as_text=True)


def test_a_grant_racing_a_rekey_waits_and_wraps_nothing_to_the_old_key(
        app: Any, backend: str, db: Session, demo_org: OrgFixture, blobs: BlobStore) -> None:
    """PostgreSQL: the re-key holds the old key's row; a grant to that member
    waits for it, then finds the key retired and refuses. (SQLite lets only
    one writer in at a time: the grant could not run in between at all.)"""
    if backend != "postgres":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers")
    from app.grants import service as grants

    demo_org.organisation.new_cases_to = NewCasesTo.TRIAGE_GROUP
    db.commit()
    case = file_coded_case(db, demo_org, blobs)
    reviewer_id, admin_id = demo_org.members[Role.REVIEWER].id, demo_org.members[Role.ADMIN].id
    old_key_id = demo_org.members[Role.REVIEWER].current_key.id  # type: ignore[union-attr]
    make = app.extensions["witnessbox.sessionmaker"]
    rekeying_session, granting_session = make(), make()
    outcome: list[object] = []

    def grant() -> None:
        admin = granting_session.get(Membership, admin_id)
        target = granting_session.get(Case, case.id)
        try:
            outcome.append(grants.grant(granting_session, admin, demo_org.identities[Role.ADMIN],
                                        reviewer_id, [target], scope="case"))
            granting_session.commit()
        except grants.Refused as exc:
            outcome.append(exc)
            granting_session.rollback()

    import threading
    import time

    try:
        reviewer = rekeying_session.get(Membership, reviewer_id)
        rekeying.rekey(rekeying_session, reviewer, demo_org.identities[Role.REVIEWER],
                       NEW_PASSPHRASE, lifetime=LIFETIME)
        waiting = threading.Thread(target=grant)
        waiting.start()
        time.sleep(1.0)
        assert waiting.is_alive(), "the grant should wait for the re-key's row lock"
        rekeying_session.commit()
        waiting.join(timeout=30)
        assert not waiting.is_alive()
    finally:
        rekeying_session.close()
        granting_session.close()
    [refused] = outcome
    assert isinstance(refused, grants.Refused)
    db.expire_all()
    assert db.scalars(select(CaseKeyWrap).where(CaseKeyWrap.member_key_id == old_key_id)
                      ).all() == []
