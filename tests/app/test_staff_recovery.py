"""Account recovery for staff: an admin resets a member's two-factor sign-in or
unlocks a locked account; a member regenerates their recovery codes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
from auth_helpers import password_step, post_code, user_of
from flask import Flask
from members_fixtures import events
from sqlalchemy import select
from sqlalchemy.orm import Session
from web_support import PASSPHRASE, PASSWORD, TOTP_SEED_KEYS, OrgFixture, WebUser

from app.auth import totp
from app.errors import NotFound, PermissionDenied
from app.keys import service as keys
from app.members import common as members_common
from app.members import members
from app.models import RecoveryCode, Role, UnlockedKey
from app.orgs.service import add_member

CODE_ON_PAGE = re.compile(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>")


def post(web: WebUser, path: str, csrf_page: str = "/account", **data: str) -> Any:
    return web.client.post(path, data={"csrf_token": web.csrf_token(csrf_page), **data})


def another_browser(app: Flask, web: WebUser) -> WebUser:
    return WebUser(app.test_client(), web.totp)


def all_details(db: Session, *actions: str) -> str:
    return repr([(e.target, e.details) for action in actions for e in events(db, action)])


# --- reset two-factor ------------------------------------------------------------

def test_reset_two_factor_forces_enrolment_and_ends_sessions(
        app: Flask, admin_web: WebUser, db: Session, demo_org: OrgFixture) -> None:
    reviewer = demo_org.members[Role.REVIEWER]
    email = demo_org.email(Role.REVIEWER)
    old_secret = demo_org.totp_secrets[Role.REVIEWER]
    totp.replace_recovery_codes(db, user_of(db, demo_org, Role.REVIEWER))
    db.commit()
    their_browser = another_browser(app, admin_web)
    their_browser.sign_in(email)
    assert their_browser.client.get("/account").status_code == 200
    unlocked = keys.unlock(db, reviewer, PASSPHRASE, lifetime=timedelta(minutes=15))
    db.commit()

    response = post(admin_web, f"/members/{reviewer.id}/reset-two-factor")
    assert response.status_code == 302

    user = user_of(db, demo_org, Role.REVIEWER)
    assert not totp.is_enrolled(user)
    assert user.totp_secret_sealed is None
    assert db.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all() == []
    # The session opened before the reset is dead, and so is the key it unlocked.
    answer = their_browser.client.get("/account")
    assert answer.status_code == 302
    assert "/login" in answer.headers["Location"]
    assert db.get(UnlockedKey, unlocked.row_id) is None
    # Next sign-in: no code step, straight to enrolment, and nothing else is reachable.
    fresh_browser = another_browser(app, admin_web)
    signed = password_step(fresh_browser, email)
    assert signed.status_code == 302
    assert signed.headers["Location"].endswith("/account/two-factor")
    held = fresh_browser.client.get("/queue")
    assert held.status_code == 302
    assert held.headers["Location"].endswith("/account/two-factor")
    # A code of the old phone enrols nothing: the new secret is another one.
    enrol_page = fresh_browser.client.get("/account/two-factor")
    assert enrol_page.status_code == 200
    refused = post(fresh_browser, "/account/two-factor", csrf_page="/account/two-factor",
                   code=pyotp.TOTP(old_secret).now())
    assert refused.status_code == 400
    assert not totp.is_enrolled(user_of(db, demo_org, Role.REVIEWER))
    assert not totp.verify_code(db, user_of(db, demo_org, Role.REVIEWER),
                                pyotp.TOTP(old_secret).now(), TOTP_SEED_KEYS)

    [event] = events(db, "totp_reset")
    assert event.actor_user_id == demo_org.members[Role.ADMIN].user_id
    assert event.target == f"membership:{reviewer.id}"
    assert event.organisation_id == demo_org.organisation.id
    assert old_secret not in all_details(db, "totp_reset")


def test_admin_cannot_reset_their_own_two_factor(admin_web: WebUser, db: Session,
                                                 demo_org: OrgFixture) -> None:
    admin = demo_org.members[Role.ADMIN]
    response = post(admin_web, f"/members/{admin.id}/reset-two-factor")
    assert response.status_code == 302
    assert totp.is_enrolled(user_of(db, demo_org, Role.ADMIN))
    with pytest.raises(members_common.Refused):
        members.reset_two_factor(db, admin, admin.id)
    assert totp.is_enrolled(user_of(db, demo_org, Role.ADMIN))
    assert events(db, "totp_reset") == []
    # The members page offers no such button on one's own row.
    html = admin_web.client.get("/members").get_data(as_text=True)
    assert f"/members/{admin.id}/reset-two-factor" not in html
    assert f"/members/{demo_org.members[Role.REVIEWER].id}/reset-two-factor" in html


@pytest.mark.parametrize("action", ["reset-two-factor", "unlock"])
def test_another_organisations_admin_gets_404(
        app: Flask, web: WebUser, db: Session, demo_org: OrgFixture, make_org: Any,
        action: str) -> None:
    other = make_org("beta")
    victim = demo_org.members[Role.REVIEWER]
    user = user_of(db, demo_org, Role.REVIEWER)
    user.locked_until = datetime.now(UTC) + timedelta(minutes=10)
    db.commit()
    web.sign_in(other.email(Role.ADMIN))
    assert post(web, f"/members/{victim.id}/{action}").status_code == 404
    user = user_of(db, demo_org, Role.REVIEWER)
    assert totp.is_enrolled(user)
    assert user.locked_until is not None
    service = members.reset_two_factor if action == "reset-two-factor" else members.unlock
    with pytest.raises(NotFound):
        service(db, other.members[Role.ADMIN], victim.id)


@pytest.mark.parametrize("role", [Role.INTERVIEWER, Role.REVIEWER])
def test_non_admins_are_refused_by_route_and_service(web: WebUser, db: Session,
                                                     demo_org: OrgFixture, role: Role) -> None:
    web.sign_in(demo_org.email(role))
    target = demo_org.members[Role.ADMIN]
    for action in ("reset-two-factor", "unlock"):
        assert post(web, f"/members/{target.id}/{action}").status_code == 403
    with pytest.raises(PermissionDenied):
        members.reset_two_factor(db, demo_org.members[role], target.id)
    with pytest.raises(PermissionDenied):
        members.unlock(db, demo_org.members[role], target.id)
    assert totp.is_enrolled(user_of(db, demo_org, Role.ADMIN))


# --- unlock ------------------------------------------------------------------------

def test_unlock_lets_the_member_sign_in_again(app: Flask, admin_web: WebUser, db: Session,
                                              demo_org: OrgFixture) -> None:
    interviewer = demo_org.members[Role.INTERVIEWER]
    email = demo_org.email(Role.INTERVIEWER)
    unlock_url = f"/members/{interviewer.id}/unlock"
    assert unlock_url not in admin_web.client.get("/members").get_data(as_text=True)
    user = user_of(db, demo_org, Role.INTERVIEWER)
    user.locked_until = datetime.now(UTC) + timedelta(minutes=10)
    user.failed_logins = 3
    db.commit()
    browser = another_browser(app, admin_web)
    assert password_step(browser, email).status_code == 401  # locked: even the right password
    assert unlock_url in admin_web.client.get("/members").get_data(as_text=True)

    assert post(admin_web, unlock_url).status_code == 302

    user = user_of(db, demo_org, Role.INTERVIEWER)
    assert (user.failed_logins, user.locked_until) == (0, None)
    assert password_step(browser, email).status_code == 302
    assert browser.client.get("/account").status_code == 200
    [event] = events(db, "account_unlocked")
    assert event.actor_user_id == demo_org.members[Role.ADMIN].user_id
    assert event.target == f"membership:{interviewer.id}"
    assert PASSWORD not in all_details(db, "account_unlocked")


def test_admin_cannot_unlock_themselves_and_unlocked_accounts_are_refused(
        admin_web: WebUser, db: Session, demo_org: OrgFixture) -> None:
    admin = demo_org.members[Role.ADMIN]
    with pytest.raises(members_common.Refused):
        members.unlock(db, admin, admin.id)
    with pytest.raises(members_common.Refused):  # not locked: nothing to do
        members.unlock(db, admin, demo_org.members[Role.REVIEWER].id)
    assert events(db, "account_unlocked") == []


# --- regenerate recovery codes ---------------------------------------------------

def test_new_recovery_codes_replace_the_old_ones(app: Flask, web: WebUser, db: Session,
                                                 demo_org: OrgFixture) -> None:
    email = demo_org.email(Role.REVIEWER)
    old_codes = totp.replace_recovery_codes(db, user_of(db, demo_org, Role.REVIEWER))
    db.commit()
    web.sign_in(email)
    assert "/account/recovery-codes" in web.client.get("/account").get_data(as_text=True)

    wrong = post(web, "/account/recovery-codes", current_password="not the password at all")
    assert wrong.status_code == 400
    assert CODE_ON_PAGE.findall(wrong.get_data(as_text=True)) == []
    assert totp.recovery_codes_left(db, user_of(db, demo_org, Role.REVIEWER)) == 10
    assert events(db, "recovery_codes_regenerated") == []

    shown = post(web, "/account/recovery-codes", current_password=PASSWORD)
    assert shown.status_code == 200
    assert shown.headers["Cache-Control"] == "no-store"
    new_codes = CODE_ON_PAGE.findall(shown.get_data(as_text=True))
    assert len(new_codes) == totp.RECOVERY_CODE_COUNT
    assert set(new_codes).isdisjoint(old_codes)

    # An old code no longer signs in; a new one does, once.
    first = another_browser(app, web)
    assert password_step(first, email).headers["Location"].endswith("/login/code")
    assert post_code(first, old_codes[0]).status_code == 401
    assert post_code(first, new_codes[0]).status_code == 302
    second = another_browser(app, web)
    password_step(second, email)
    assert post_code(second, new_codes[0]).status_code == 401

    [event] = events(db, "recovery_codes_regenerated")
    assert event.target == f"user:{demo_org.members[Role.REVIEWER].user_id}"
    logged = all_details(db, "recovery_codes_regenerated", "sign_in_failed")
    for secret in [PASSWORD, "not the password at all", *old_codes, *new_codes]:
        assert secret not in logged


def test_new_recovery_codes_need_two_factor_and_the_right_password(
        web: WebUser, db: Session, demo_org: OrgFixture) -> None:
    web.sign_in(demo_org.email(Role.INTERVIEWER))  # not enrolled in two-factor sign-in
    refused = post(web, "/account/recovery-codes", current_password=PASSWORD)
    assert refused.status_code == 400
    assert CODE_ON_PAGE.findall(refused.get_data(as_text=True)) == []
    user = user_of(db, demo_org, Role.INTERVIEWER)
    assert db.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all() == []
    # A missing password is a form error, not a regeneration.
    assert post(web, "/account/recovery-codes").status_code == 400


def test_one_organisation_cannot_reset_the_second_factor_another_relies_on(
        admin_web: WebUser, db: Session, demo_org: OrgFixture, make_org: Any) -> None:
    """The account is shared: beta's admin must not strip the second factor
    that guards the same person's reviewer key at alpha (and vice versa)."""
    other = make_org("beta")
    alpha_reviewer = demo_org.members[Role.REVIEWER]
    also_at_beta = add_member(db, other.organisation, demo_org.email(Role.REVIEWER), PASSWORD,
                              Role.INTERVIEWER, must_change_password=False)
    db.commit()
    with pytest.raises(members_common.Refused):
        members.reset_two_factor(db, other.members[Role.ADMIN], also_at_beta.id)
    assert post(admin_web, f"/members/{alpha_reviewer.id}/reset-two-factor").status_code == 302
    assert totp.is_enrolled(user_of(db, demo_org, Role.REVIEWER))
    assert events(db, "totp_reset") == []


def test_unlock_is_audited_in_every_organisation_of_the_account(
        admin_web: WebUser, db: Session, demo_org: OrgFixture, make_org: Any) -> None:
    other = make_org("beta")
    add_member(db, other.organisation, demo_org.email(Role.INTERVIEWER), PASSWORD,
               Role.INTERVIEWER, must_change_password=False)
    user = user_of(db, demo_org, Role.INTERVIEWER)
    user.locked_until = datetime.now(UTC) + timedelta(minutes=10)
    db.commit()
    assert post(admin_web, f"/members/{demo_org.members[Role.INTERVIEWER].id}/unlock"
                ).status_code == 302
    logged = {(e.organisation_id, e.target) for e in events(db, "account_unlocked")}
    assert logged == {
        (demo_org.organisation.id, f"membership:{demo_org.members[Role.INTERVIEWER].id}"),
        (other.organisation.id, f"user:{user.id}")}


def test_account_recovery_actions_need_csrf(admin_web: WebUser, web: WebUser, db: Session,
                                            demo_org: OrgFixture) -> None:
    reviewer = demo_org.members[Role.REVIEWER]
    user = user_of(db, demo_org, Role.REVIEWER)
    user.locked_until = datetime.now(UTC) + timedelta(minutes=10)
    db.commit()
    for action in ("reset-two-factor", "unlock"):
        assert admin_web.client.post(f"/members/{reviewer.id}/{action}").status_code == 400
        assert admin_web.client.get(f"/members/{reviewer.id}/{action}").status_code == 405
    user = user_of(db, demo_org, Role.REVIEWER)
    assert totp.is_enrolled(user)
    assert user.locked_until is not None
    assert admin_web.client.post("/account/recovery-codes",
                                 data={"current_password": PASSWORD}).status_code == 400
    assert events(db, "recovery_codes_regenerated") == []


def test_guessing_the_password_on_the_recovery_codes_form_locks_and_signs_out(
        web: WebUser, db: Session, demo_org: OrgFixture, settings: Any) -> None:
    web.sign_in(demo_org.email(Role.REVIEWER))
    statuses = [post(web, "/account/recovery-codes", current_password=f"wrong guess {n}")
                for n in range(settings.lockout_threshold)]
    assert [r.status_code for r in statuses[:-1]] == [400] * (settings.lockout_threshold - 1)
    assert statuses[-1].status_code == 302
    assert statuses[-1].headers["Location"].endswith("/login")
    assert user_of(db, demo_org, Role.REVIEWER).locked_until is not None
    answer = web.client.get("/account")
    assert answer.status_code == 302
    assert "/login" in answer.headers["Location"]
    assert events(db, "recovery_codes_regenerated") == []


def test_new_recovery_codes_are_rate_limited(make_app: Any, web: WebUser,
                                             demo_org: OrgFixture) -> None:
    application = make_app(sensitive_rate_limit="3 per minute", lockout_threshold=50)
    browser = WebUser(application.test_client(), web.totp)
    browser.sign_in(demo_org.email(Role.REVIEWER))
    statuses = [post(browser, "/account/recovery-codes", current_password=f"wrong {n}")
                .status_code for n in range(5)]
    assert statuses[:3] == [400, 400, 400]
    assert 429 in statuses[3:]
