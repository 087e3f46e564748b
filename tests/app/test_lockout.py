"""Brute force: per-account lockout in the database, and per-address rate limits."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
import redis
from auth_helpers import password_step, post_code, user_of
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import ConfigError, Settings, validate
from app.models import AuditEvent, Role
from app.security.limits import limiter

GENERIC = "Wrong e-mail or password."
REDIS_URL = os.environ.get("WITNESSBOX_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _wrong(web: Any, email: str) -> Any:
    return password_step(web, email, "not the password at all")


def test_wrong_passwords_lock_the_account_and_the_lock_lifts(web: Any, demo_org: Any,
                                                             db: Session) -> None:
    email = demo_org.email(Role.INTERVIEWER)
    for _ in range(5):
        response = _wrong(web, email)
        assert response.status_code == 401
    user = user_of(db, demo_org, Role.INTERVIEWER)
    assert user.locked_until is not None
    # Locked: the right password fails, with exactly the message of a wrong one.
    locked = password_step(web, email)
    unknown = _wrong(web, "nobody@nowhere.test")
    assert locked.status_code == unknown.status_code == 401
    assert GENERIC in locked.get_data(as_text=True)
    assert _flash(locked) == _flash(unknown)
    assert web.client.get("/").status_code == 302
    # The lock lifts after lockout_minutes (moved into the past, no sleeping).
    user.locked_until = datetime.now(UTC) - timedelta(seconds=1)
    db.commit()
    assert password_step(web, email).status_code == 302
    assert web.client.get("/").status_code == 200
    actions = list(db.scalars(select(AuditEvent.action).where(
        AuditEvent.actor_user_id == user.id).order_by(AuditEvent.seq)))
    assert actions.count("sign_in_failed") == 6  # five wrong, one while locked
    assert actions.count("locked_out") == 1
    assert actions[-1] == "sign_in"


def _flash(response: Any) -> str:
    text: str = response.get_data(as_text=True)
    start = text.index('class="flash')
    return text[start:text.index("</p>", start)]


def test_lock_is_per_account_and_not_before_the_threshold(web: Any, demo_org: Any,
                                                          db: Session) -> None:
    for _ in range(4):
        _wrong(web, demo_org.email(Role.INTERVIEWER))
    assert user_of(db, demo_org, Role.INTERVIEWER).locked_until is None
    assert user_of(db, demo_org, Role.INTERVIEWER).failed_logins == 4
    web.sign_in(demo_org.email(Role.REVIEWER))  # another account is unaffected


def test_successful_sign_in_resets_the_counter(web: Any, demo_org: Any, db: Session) -> None:
    email = demo_org.email(Role.INTERVIEWER)
    for _ in range(4):
        _wrong(web, email)
    web.sign_in(email)
    assert user_of(db, demo_org, Role.INTERVIEWER).failed_logins == 0
    web.client.post("/logout", data={"csrf_token": web.csrf_token("/")})
    for _ in range(4):
        _wrong(web, email)
    assert user_of(db, demo_org, Role.INTERVIEWER).locked_until is None


def test_wrong_codes_lock_the_account_too(web: Any, demo_org: Any, db: Session) -> None:
    email = demo_org.email(Role.REVIEWER)
    secret = demo_org.totp_secrets[Role.REVIEWER]
    assert password_step(web, email).status_code == 302
    good = pyotp.TOTP(secret).now()
    bad = f"{(int(good) + 500_000) % 1_000_000:06d}"
    for _ in range(5):
        assert post_code(web, bad).status_code == 401
    assert user_of(db, demo_org, Role.REVIEWER).locked_until is not None
    # Even the right code is refused while locked, and the password step too.
    assert post_code(web, good).status_code == 401
    assert password_step(web, email).status_code == 401
    assert web.client.get("/").status_code == 302


def test_password_before_a_pending_code_does_not_reset_the_counter(web: Any, demo_org: Any,
                                                                  db: Session) -> None:
    """Knowing the password must not give unlimited guesses at the code."""
    email = demo_org.email(Role.REVIEWER)
    for _ in range(3):
        password_step(web, email)
        post_code(web, "000000" if pyotp.TOTP(demo_org.totp_secrets[Role.REVIEWER]).now()
                  != "000000" else "111111")
    assert user_of(db, demo_org, Role.REVIEWER).failed_logins == 3


def test_lockout_settings_are_validated() -> None:
    with pytest.raises(ConfigError, match="lockout"):
        validate(Settings(secret_key="s" * 40, totp_seed_keys=("k" * 40,), lockout_threshold=0))
    with pytest.raises(ConfigError, match="ratelimit_storage_url"):
        validate(Settings(secret_key="s" * 40, totp_seed_keys=("k" * 40,), ratelimit_storage_url="mongodb://x"))


def _web_for(application: Flask, web: Any) -> Any:
    return type(web)(application.test_client(), web.totp)


def test_sign_in_is_rate_limited_with_a_clear_page(make_app: Any, web: Any,
                                                   demo_org: Any) -> None:
    browser = _web_for(make_app(login_rate_limit="3 per minute"), web)
    for _ in range(3):
        assert _wrong(browser, "nobody@nowhere.test").status_code == 401
    response = _wrong(browser, "nobody@nowhere.test")
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Too many attempts" in page
    assert "<script" not in page
    assert "Retry-After" in response.headers
    # Even the right password waits: throttling is per address, before any check.
    assert password_step(browser, demo_org.email(Role.INTERVIEWER)).status_code == 429
    assert browser.client.get("/login").status_code == 200  # reading the form is not limited


def test_code_step_is_rate_limited(make_app: Any, web: Any, demo_org: Any) -> None:
    browser = _web_for(make_app(second_factor_rate_limit="2 per minute"), web)
    password_step(browser, demo_org.email(Role.REVIEWER))
    assert post_code(browser, "000001").status_code == 401
    assert post_code(browser, "000002").status_code == 401
    assert post_code(browser, "000003").status_code == 429


def test_bad_limit_setting_is_refused(make_app: Any) -> None:
    with pytest.raises(ConfigError, match="login_rate_limit"):
        make_app(login_rate_limit="lots")


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        reason = f"Redis at {REDIS_URL} did not answer ({type(exc).__name__})"
        if IN_CI:
            pytest.fail(f"CI requires Redis: {reason}")
        pytest.skip(f"Redis tests skipped: {reason}")
    return REDIS_URL


def test_rate_limit_with_redis_storage(make_app: Any, web: Any, demo_org: Any,
                                       redis_url: str) -> None:
    application = make_app(login_rate_limit="2 per minute", ratelimit_storage_url=redis_url)
    limiter.reset()  # counts of an earlier run of this test
    try:
        browser = _web_for(application, web)
        assert _wrong(browser, "nobody@nowhere.test").status_code == 401
        assert _wrong(browser, "nobody@nowhere.test").status_code == 401
        # A second app on the same Redis (another worker) sees the same count.
        other = _web_for(make_app(login_rate_limit="2 per minute",
                                  ratelimit_storage_url=redis_url), web)
        assert _wrong(other, "nobody@nowhere.test").status_code == 429
        keys = redis.Redis.from_url(redis_url).keys("LIMITS*")
        assert keys, "the counts live in Redis"
        assert not any(b"nobody" in key for key in keys)  # keys name addresses, not accounts
    finally:
        limiter.reset()
