"""Sessions: idle and absolute expiry, sign-out everywhere, cookie flags, and the
unlocked key (brief, decision 5) ending with the session."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from auth_helpers import second_browser, sign_out, user_of
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import create_app
from app.config import Settings
from app.models import AuditEvent, Role, UnlockedKey


def _unlocked_key(db: Session, org: Any, role: Role) -> int:
    """A stand-in for what the key-unlock feature stores (its content is irrelevant here)."""
    membership = org.members[role]
    row = UnlockedKey(membership_id=membership.id, member_key_id=membership.current_key.id,
                      sealed_identity=b"sealed elsewhere",
                      expires_at=datetime.now(UTC) + timedelta(minutes=15))
    db.add(row)
    db.commit()
    return row.id


def _remember_unlock(web: Any, row_id: int) -> None:
    with web.client.session_transaction() as session:
        session["unlocked_key_id"] = row_id


def _rows(db: Session) -> set[int]:
    db.expire_all()
    return set(db.scalars(select(UnlockedKey.id)))


def test_idle_session_ends_and_its_unlocked_key_goes(web: Any, demo_org: Any,
                                                     db: Session) -> None:
    web.sign_in(demo_org.email(Role.REVIEWER))
    row = _unlocked_key(db, demo_org, Role.REVIEWER)
    _remember_unlock(web, row)
    with web.client.session_transaction() as session:
        session["last_seen"] = time.time() - 16 * 60
    response = web.client.get("/")
    assert response.headers["Location"].endswith("/login")
    assert web.client.get("/").headers["Location"].endswith("/login")
    assert row not in _rows(db)
    reasons = [e.details.get("reason") for e in db.scalars(
        select(AuditEvent).where(AuditEvent.action == "sign_out"))]
    assert reasons == ["idle"]


def test_session_just_inside_the_idle_limit_lives(web: Any, demo_org: Any) -> None:
    web.sign_in(demo_org.email(Role.INTERVIEWER))
    with web.client.session_transaction() as session:
        session["last_seen"] = time.time() - 14 * 60
    assert web.client.get("/").status_code == 200


def test_session_past_its_absolute_lifetime_ends(web: Any, demo_org: Any, db: Session) -> None:
    web.sign_in(demo_org.email(Role.REVIEWER))
    row = _unlocked_key(db, demo_org, Role.REVIEWER)
    _remember_unlock(web, row)
    with web.client.session_transaction() as session:
        session["started_at"] = time.time() - 13 * 3600  # active all along, but too old
    assert web.client.get("/").headers["Location"].endswith("/login")
    assert row not in _rows(db)


def test_sign_out_ends_only_this_sessions_unlocked_key(web: Any, demo_org: Any, db: Session,
                                                      app: Any) -> None:
    web.sign_in(demo_org.email(Role.REVIEWER))
    mine = _unlocked_key(db, demo_org, Role.REVIEWER)
    _remember_unlock(web, mine)
    laptop = second_browser(app, web)
    laptop.sign_in(demo_org.email(Role.REVIEWER))
    elsewhere = _unlocked_key(db, demo_org, Role.REVIEWER)
    _remember_unlock(laptop, elsewhere)
    sign_out(web)
    assert _rows(db) == {elsewhere}
    assert web.client.get("/").status_code == 302
    assert laptop.client.get("/").status_code == 200


def test_a_session_cannot_delete_someone_elses_unlocked_key(web: Any, demo_org: Any,
                                                           db: Session) -> None:
    admins = _unlocked_key(db, demo_org, Role.ADMIN)
    web.sign_in(demo_org.email(Role.REVIEWER))
    _remember_unlock(web, admins)
    sign_out(web)
    assert admins in _rows(db)


def test_sign_out_everywhere_ends_other_sessions(web: Any, demo_org: Any, db: Session,
                                                 app: Any) -> None:
    email = demo_org.email(Role.REVIEWER)
    stolen = second_browser(app, web)  # e.g. a session left open on a shared computer
    stolen.sign_in(email)
    web.sign_in(email)
    _unlocked_key(db, demo_org, Role.REVIEWER)
    _unlocked_key(db, demo_org, Role.REVIEWER)
    admins = _unlocked_key(db, demo_org, Role.ADMIN)
    before = user_of(db, demo_org, Role.REVIEWER).session_generation

    assert web.client.get("/logout/everywhere").status_code == 405
    assert web.client.post("/logout/everywhere").status_code == 400  # no CSRF token
    assert stolen.client.get("/").status_code == 200

    page = web.client.get("/account").get_data(as_text=True)
    assert "Sign out everywhere" in page
    response = web.client.post("/logout/everywhere",
                               data={"csrf_token": web.csrf_token("/account")})
    assert response.headers["Location"].endswith("/login")
    assert user_of(db, demo_org, Role.REVIEWER).session_generation == before + 1
    assert web.client.get("/").headers["Location"].endswith("/login")
    response = stolen.client.get("/")
    assert response.headers["Location"].endswith("/login")
    assert stolen.client.get("/").headers["Location"].endswith("/login")
    assert _rows(db) == {admins}  # every key of this member locked again, no one else's
    actions = list(db.scalars(select(AuditEvent.action)))
    assert "sign_out_everywhere" in actions
    # The member signs in again normally afterwards.
    web.sign_in(email)
    assert web.client.get("/").status_code == 200


def test_sign_in_and_out_are_audited_without_identifiers(web: Any, demo_org: Any,
                                                         db: Session) -> None:
    email = demo_org.email(Role.REVIEWER)
    web.sign_in(email)
    sign_out(web)
    events = list(db.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
    assert [e.action for e in events][-2:] == ["sign_in", "sign_out"]
    user = user_of(db, demo_org, Role.REVIEWER)
    for event in events:
        assert event.actor_user_id == user.id
        assert event.organisation_id == demo_org.organisation.id
        assert email not in repr(event.details)
        assert email not in (event.target or "")
    assert events[-2].details == {"method": "totp"}


def _cookie_headers(settings: Settings, **changes: Any) -> str:
    application = create_app(replace(settings, **changes))
    try:
        response = application.test_client().get("/login")  # sets the CSRF session
        return "; ".join(response.headers.getlist("Set-Cookie"))
    finally:
        application.extensions["witnessbox.engine"].dispose()


def test_cookies_are_secure_outside_demo_mode(settings: Settings) -> None:
    production = _cookie_headers(settings, secure_cookies=True)
    assert "Secure" in production
    assert "HttpOnly" in production
    assert "SameSite=Strict" in production
    demo = _cookie_headers(settings, secure_cookies=True, demo_mode=True)
    assert "Secure" not in demo  # plain http://127.0.0.1 in a demo
    assert "HttpOnly" in demo


def test_password_change_ends_the_other_sessions(web: Any, demo_org: Any, db: Session,
                                                 app: Any) -> None:
    email = demo_org.email(Role.REVIEWER)
    stolen = second_browser(app, web)
    stolen.sign_in(email)
    theirs = _unlocked_key(db, demo_org, Role.REVIEWER)
    _remember_unlock(stolen, theirs)
    web.sign_in(email)
    mine = _unlocked_key(db, demo_org, Role.REVIEWER)
    _remember_unlock(web, mine)
    response = web.client.post("/password", data={
        "current_password": "correct horse battery staple",
        "new_password": "a brand new passphrase", "confirm": "a brand new passphrase",
        "csrf_token": web.csrf_token("/password")})
    assert response.status_code == 302
    assert web.client.get("/").status_code == 200  # this session goes on
    assert stolen.client.get("/").headers["Location"].endswith("/login")
    assert _rows(db) == {mine}
    assert "password_changed" in list(db.scalars(select(AuditEvent.action)))
