"""Two-factor sign-in: enrolment, codes used once, recovery codes, no IDOR."""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp
import pytest
from auth_helpers import password_step, post_code, second_browser, sign_out, user_of
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEvent, RecoveryCode, Role, User

SECRET_TEXT = re.compile(r'<code class="secret">([A-Z2-7]+)</code>')


def _code_now(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def _password_step(web: Any, email: str) -> None:
    response = password_step(web, email)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login/code")


def _enrolment_secret(web: Any) -> str:
    page = web.client.get("/account/two-factor").get_data(as_text=True)
    match = SECRET_TEXT.search(page)
    assert match, page
    return match.group(1)


def test_reviewer_must_give_a_code_after_the_password(web: Any, demo_org: Any) -> None:
    email = demo_org.email(Role.REVIEWER)
    _password_step(web, email)
    # Half signed in: nothing else is reachable yet.
    assert web.client.get("/").headers["Location"].endswith("/login")
    response = post_code(web, _code_now(demo_org.totp_secrets[Role.REVIEWER]))
    assert response.status_code == 302
    assert web.client.get("/").status_code == 200


def test_wrong_code_is_refused(web: Any, demo_org: Any, db: Session) -> None:
    _password_step(web, demo_org.email(Role.ADMIN))
    code = _code_now(demo_org.totp_secrets[Role.ADMIN])
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = post_code(web, wrong)
    assert response.status_code == 401
    assert "Wrong or already used code." in response.get_data(as_text=True)
    assert web.client.get("/").status_code == 302
    assert user_of(db, demo_org, Role.ADMIN).failed_logins == 1
    actions = list(db.scalars(select(AuditEvent.action)))
    assert "totp_failed" in actions


def test_a_code_cannot_be_used_twice(web: Any, demo_org: Any, app: Any) -> None:
    email = demo_org.email(Role.REVIEWER)
    code = _code_now(demo_org.totp_secrets[Role.REVIEWER])
    _password_step(web, email)
    assert post_code(web, code).status_code == 302
    # An onlooker who saw the code tries it from another browser.
    other = second_browser(app, web)
    _password_step(other, email)
    response = post_code(other, code)
    assert response.status_code == 401
    assert other.client.get("/").status_code == 302


def test_an_older_code_after_a_newer_one_is_refused(web: Any, demo_org: Any) -> None:
    totp = pyotp.TOTP(demo_org.totp_secrets[Role.REVIEWER])
    step = int(time.time()) // 30
    _password_step(web, demo_org.email(Role.REVIEWER))
    assert post_code(web, totp.generate_otp(step + 1)).status_code == 302
    sign_out(web)
    _password_step(web, demo_org.email(Role.REVIEWER))
    assert post_code(web, totp.generate_otp(step)).status_code == 401


def test_code_from_outside_the_window_is_refused(web: Any, demo_org: Any) -> None:
    totp = pyotp.TOTP(demo_org.totp_secrets[Role.REVIEWER])
    _password_step(web, demo_org.email(Role.REVIEWER))
    assert post_code(web, totp.at(time.time() + 120)).status_code == 401


def test_code_step_without_password_step_goes_back_to_sign_in(client: FlaskClient,
                                                              demo_org: Any) -> None:
    assert client.get("/login/code").headers["Location"].endswith("/login")


def test_code_step_expires(web: Any, demo_org: Any) -> None:
    _password_step(web, demo_org.email(Role.REVIEWER))
    with web.client.session_transaction() as session:
        session["pending_since"] = time.time() - 600
    assert web.client.get("/login/code").headers["Location"].endswith("/login")


def test_code_post_without_csrf_token_is_refused(web: Any, demo_org: Any) -> None:
    _password_step(web, demo_org.email(Role.REVIEWER))
    response = web.client.post("/login/code", data={
        "code": _code_now(demo_org.totp_secrets[Role.REVIEWER])})
    assert response.status_code == 400
    response = web.client.post("/login/code", data={
        "code": _code_now(demo_org.totp_secrets[Role.REVIEWER]), "csrf_token": "forged"})
    assert response.status_code == 400
    assert web.client.get("/").status_code == 302


def _enrol(web: Any, db: Session, user: User) -> tuple[str, list[str]]:
    """Enrol the signed-in ``user`` through the pages; returns secret and codes."""
    secret = _enrolment_secret(web)
    response = web.client.post("/account/two-factor", data={
        "code": _code_now(secret), "csrf_token": web.csrf_token("/account/two-factor")})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>",
                       response.get_data(as_text=True))
    db.expire_all()
    assert db.get(User, user.id).totp_enabled_at is not None  # type: ignore[union-attr]
    return secret, codes


def test_reviewer_without_totp_can_reach_only_enrolment(web: Any, demo_org: Any,
                                                        db: Session) -> None:
    user = user_of(db, demo_org, Role.REVIEWER)
    user.totp_secret_sealed = None
    user.totp_enabled_at = None
    db.commit()
    response = web.client.post("/login", data={
        "email": user.email, "password": "correct horse battery staple",
        "csrf_token": web.csrf_token("/login")})
    assert response.headers["Location"].endswith("/account/two-factor")
    for path in ("/", "/intake/", "/organisation", "/password", "/account", "/audit/"):
        response = web.client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].endswith("/account/two-factor"), path
    _secret, codes = _enrol(web, db, user)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert web.client.get("/").status_code == 200
    stored = list(db.scalars(select(RecoveryCode.code_sha256)
                             .where(RecoveryCode.user_id == user.id)))
    assert len(stored) == 10
    assert not any(code.replace("-", "") in "".join(stored) for code in codes)
    # The code typed at enrolment has been spent: it cannot sign in.
    assert db.get(User, user.id).totp_last_step is not None  # type: ignore[union-attr]
    events = list(db.scalars(select(AuditEvent).where(AuditEvent.action == "totp_enrolled")))
    assert [e.actor_user_id for e in events] == [user.id]
    assert user.email not in str(events[0].details)


def test_enrolment_needs_a_valid_first_code(web: Any, demo_org: Any, db: Session) -> None:
    web.sign_in(demo_org.email(Role.INTERVIEWER))
    secret = _enrolment_secret(web)
    assert secret == _enrolment_secret(web)  # a reload shows the secret already scanned
    response = web.client.post("/account/two-factor", data={
        "code": "000000" if _code_now(secret) != "000000" else "111111",
        "csrf_token": web.csrf_token("/account/two-factor")})
    assert response.status_code == 400
    user = user_of(db, demo_org, Role.INTERVIEWER)
    db.refresh(user)
    assert user.totp_enabled_at is None
    # Still no code step at the next sign-in: TOTP has not taken effect.
    sign_out(web)
    response = web.client.post("/login", data={
        "email": user.email, "password": "correct horse battery staple",
        "csrf_token": web.csrf_token("/login")})
    assert response.headers["Location"].endswith("/")


def test_enrolment_without_csrf_token_is_refused(web: Any, demo_org: Any) -> None:
    web.sign_in(demo_org.email(Role.INTERVIEWER))
    secret = _enrolment_secret(web)
    response = web.client.post("/account/two-factor", data={"code": _code_now(secret)})
    assert response.status_code == 400


def test_enrolment_page_has_a_local_qr_code_and_no_inline_script(web: Any,
                                                                 demo_org: Any) -> None:
    web.sign_in(demo_org.email(Role.INTERVIEWER))
    response = web.client.get("/account/two-factor")
    page = response.get_data(as_text=True)
    assert 'src="data:image/png;base64,' in page
    assert "<script" not in page
    assert "style=" not in page
    assert "<style" not in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)  # nothing from elsewhere
    assert "otpauth://" not in page  # the URI (with the secret) is only inside the image
    assert response.headers["Cache-Control"] == "no-store"
    assert "img-src 'self' data:" in response.headers["Content-Security-Policy"]


def test_enrolment_cannot_target_another_member(web: Any, demo_org: Any, db: Session) -> None:
    """SecureDrop 2024: 2FA enrolment took a user id from the request (IDOR)."""
    victim = user_of(db, demo_org, Role.ADMIN)
    victim_sealed, victim_last = victim.totp_secret_sealed, victim.totp_last_step
    attacker = user_of(db, demo_org, Role.INTERVIEWER)
    web.sign_in(attacker.email)
    secret = _enrolment_secret(web)
    for field in ("user_id", "uid", "id", "user", "email"):
        value = str(victim.id) if field != "email" else victim.email
        web.client.post("/account/two-factor", data={
            "code": "123456", field: value,
            "csrf_token": web.csrf_token("/account/two-factor")})
    assert web.client.get(f"/account/two-factor/{victim.id}").status_code == 404
    assert web.client.get(f"/account/two-factor?user_id={victim.id}").status_code == 200
    response = web.client.post(f"/account/two-factor?user_id={victim.id}", data={
        "code": _code_now(secret), "user_id": str(victim.id),
        "csrf_token": web.csrf_token("/account/two-factor")})
    assert response.status_code == 200
    db.expire_all()
    victim = db.get(User, victim.id)  # type: ignore[assignment]
    attacker = db.get(User, attacker.id)  # type: ignore[assignment]
    assert victim.totp_secret_sealed == victim_sealed
    assert victim.totp_last_step == victim_last
    assert attacker.totp_enabled_at is not None  # only the signed-in member was enrolled
    assert not list(db.scalars(select(RecoveryCode).where(RecoveryCode.user_id == victim.id)))


def test_sealed_secret_is_bound_to_its_account(web: Any, demo_org: Any, db: Session) -> None:
    """A secret copied from one account row to another does not open there."""
    admin = user_of(db, demo_org, Role.ADMIN)
    reviewer = user_of(db, demo_org, Role.REVIEWER)
    reviewer.totp_secret_sealed = admin.totp_secret_sealed
    reviewer.totp_last_step = None
    db.commit()
    _password_step(web, reviewer.email)
    assert post_code(web, _code_now(demo_org.totp_secrets[Role.ADMIN])).status_code == 401


def test_secret_is_not_stored_in_clear(demo_org: Any, db: Session) -> None:
    admin = user_of(db, demo_org, Role.ADMIN)
    assert admin.totp_secret_sealed is not None
    assert demo_org.totp_secrets[Role.ADMIN].encode() not in admin.totp_secret_sealed


def test_recovery_code_signs_in_once(web: Any, demo_org: Any, db: Session) -> None:
    web.sign_in(demo_org.email(Role.INTERVIEWER))
    user = user_of(db, demo_org, Role.INTERVIEWER)
    _secret, codes = _enrol(web, db, user)
    sign_out(web)

    _password_step(web, user.email)
    assert post_code(web, codes[3].upper()).status_code == 302  # case and dash forgiven
    assert web.client.get("/").status_code == 200
    sign_out(web)

    _password_step(web, user.email)
    assert post_code(web, codes[3]).status_code == 401
    assert post_code(web, "aaaaa-bbbbb").status_code == 401
    assert web.client.get("/").status_code == 302
    actions = list(db.scalars(select(AuditEvent.action).where(
        AuditEvent.actor_user_id == user.id)))
    assert actions.count("recovery_code_used") == 1
    page = web.client.get("/login").get_data(as_text=True)
    assert codes[3] not in page


@pytest.mark.parametrize("required", [True, False])
def test_interviewer_totp_follows_the_organisation_setting(web: Any, demo_org: Any,
                                                           db: Session, required: bool) -> None:
    demo_org.organisation.interviewer_totp_required = required
    db.commit()
    web.sign_in(demo_org.email(Role.INTERVIEWER))
    location = web.client.get("/").headers.get("Location", "")
    assert location.endswith("/account/two-factor") is required
    if not required:
        assert web.client.get("/").status_code == 200
