"""Sign-in, first-login password change, organisation choice, sign-out, idle expiry."""

from __future__ import annotations

import time
from typing import Any

import argon2
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.auth import passwords
from app.auth.passwords import hash_password, verify_password
from app.models import Role
from app.orgs.service import add_member


def test_wrong_password_is_refused_with_a_generic_message(web: Any, demo_org: Any) -> None:
    for email in (demo_org.email(Role.REVIEWER), "nobody@nowhere.test"):
        response = web.client.post("/login", data={
            "email": email, "password": "wrong password!!", "csrf_token": web.csrf_token("/login")})
        assert response.status_code == 401
        assert "Wrong e-mail or password." in response.get_data(as_text=True)
    assert web.client.get("/").status_code == 302


def test_sign_in_lands_on_the_role_page(web: Any, demo_org: Any) -> None:
    web.sign_in(demo_org.email(Role.INTERVIEWER))
    page = web.client.get("/").get_data(as_text=True)
    assert "Record a new interview" in page
    assert "Alpha NGO" in page


def test_login_without_csrf_token_is_refused(client: FlaskClient, demo_org: Any) -> None:
    response = client.post("/login", data={"email": demo_org.email(Role.ADMIN),
                                           "password": "correct horse battery staple"})
    assert response.status_code == 400


def test_logout_needs_post_and_csrf(web: Any, demo_org: Any) -> None:
    web.sign_in(demo_org.email(Role.ADMIN))
    assert web.client.get("/logout").status_code == 405
    assert web.client.post("/logout").status_code == 400  # no token: still signed in
    assert web.client.get("/").status_code == 200
    web.client.post("/logout", data={"csrf_token": web.csrf_token("/")})
    assert web.client.get("/").status_code == 302


def test_issued_password_must_be_changed_first(web: Any, demo_org: Any, db: Session) -> None:
    add_member(db, demo_org.organisation, "new@alpha.test", "issued-password-123",
               Role.INTERVIEWER)
    db.commit()
    web.sign_in("new@alpha.test", "issued-password-123")
    assert web.client.get("/intake/").headers["Location"].endswith("/password")
    response = web.client.post("/password", data={
        "current_password": "issued-password-123", "new_password": "my own passphrase 42",
        "confirm": "my own passphrase 42", "csrf_token": web.csrf_token("/password")})
    assert response.status_code == 302
    assert web.client.get("/intake/").status_code == 200


def test_member_of_two_organisations_chooses_one(web: Any, demo_org: Any, make_org: Any,
                                                 db: Session, totp_registry: Any) -> None:
    other = make_org("beta")
    membership = add_member(db, other.organisation, demo_org.email(Role.INTERVIEWER), "ignored",
                            Role.ADMIN)
    totp_registry.enrol(db, membership.user)  # an admin somewhere needs TOTP everywhere
    db.commit()
    web.sign_in(demo_org.email(Role.INTERVIEWER))
    assert web.client.get("/").headers["Location"].endswith("/organisation")
    beta_membership = next(m for m in other.organisation.memberships
                           if m.user.email == demo_org.email(Role.INTERVIEWER))
    web.client.post("/organisation", data={"membership": str(beta_membership.id),
                                           "csrf_token": web.csrf_token("/organisation")})
    page = web.client.get("/").get_data(as_text=True)
    assert "Beta NGO" in page
    assert "admin" in page


def test_idle_session_is_signed_out(web: Any, demo_org: Any) -> None:
    web.sign_in(demo_org.email(Role.INTERVIEWER))
    assert web.client.get("/").status_code == 200
    with web.client.session_transaction() as session:
        session["last_seen"] = time.time() - 16 * 60
    response = web.client.get("/")
    assert response.status_code == 302
    assert web.client.get("/").headers["Location"].endswith("/login")


def test_session_cookie_flags(web: Any, demo_org: Any) -> None:
    response = web.client.post("/login", data={
        "email": demo_org.email(Role.INTERVIEWER), "password": "correct horse battery staple",
        "csrf_token": web.csrf_token("/login")})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie


def test_security_headers_on_every_page(client: FlaskClient) -> None:
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_production_password_hashing_uses_rfc_9106_low_memory_parameters() -> None:
    # The suite hashes at minimum cost (tests/conftest.py); production must not.
    assert passwords.PARAMETERS.type is argon2.Type.ID
    assert (passwords.PARAMETERS.time_cost, passwords.PARAMETERS.memory_cost,
            passwords.PARAMETERS.parallelism) == (3, 65536, 4)
    assert argon2.PasswordHasher.from_parameters(passwords.PARAMETERS).hash("x" * 12) \
        .startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_password_hashes_are_argon2id() -> None:
    hashed = hash_password("a long enough password")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "a long enough password")
    assert not verify_password(hashed, "another password")
    assert not verify_password(None, "a long enough password")


def test_login_and_logout_with_a_forged_csrf_token_are_refused(web: Any, demo_org: Any) -> None:
    response = web.client.post("/login", data={
        "email": demo_org.email(Role.INTERVIEWER), "password": "correct horse battery staple",
        "csrf_token": "forged-token"})
    assert response.status_code == 400
    web.sign_in(demo_org.email(Role.INTERVIEWER))
    assert web.client.post("/logout", data={"csrf_token": "forged-token"}).status_code == 400
    assert web.client.get("/").status_code == 200  # still signed in
