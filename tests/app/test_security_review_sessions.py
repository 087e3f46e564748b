"""Holes from the outside security review (issue 7): sessions that outlived
sign-out, the invitation page as a password oracle, and unlimited guessing of
the current password on /password."""

from __future__ import annotations

import re
from typing import Any

from auth_helpers import PASSWORD, second_browser, sign_out, user_of
from members_fixtures import events, issue
from sqlalchemy.orm import Session

from app.models import Role


def _copy_cookies(source: Any, target: Any) -> None:
    """What a thief does with a copied cookie jar."""
    for cookie in source.client._cookies.values():
        target.client.set_cookie(cookie.key, cookie.value, domain=cookie.domain,
                                 path=cookie.path)


def _signed_out(web: Any, path: str = "/") -> bool:
    response = web.client.get(path)
    return response.status_code == 302 and response.headers["Location"].endswith("/login")


def test_a_cookie_copied_before_sign_out_is_dead_afterwards(web: Any, demo_org: Any,
                                                           app: Any) -> None:
    web.sign_in(demo_org.email(Role.ADMIN))
    thief = second_browser(app, web)
    _copy_cookies(web, thief)
    assert thief.client.get("/members").status_code == 200  # the copy works while signed in
    sign_out(web)
    assert _signed_out(thief, "/members")


def test_a_cookie_copied_before_an_idle_expiry_stays_dead(web: Any, demo_org: Any, app: Any,
                                                          db: Session) -> None:
    web.sign_in(demo_org.email(Role.ADMIN))
    thief = second_browser(app, web)
    _copy_cookies(web, thief)
    with web.client.session_transaction() as session:
        session["last_seen"] = session["last_seen"] - 3600
    assert _signed_out(web)
    # The thief's copy still carries the old, fresh-looking timestamps.
    assert _signed_out(thief, "/members")


def test_suspension_ends_the_members_sessions_on_the_server(web: Any, demo_org: Any,
                                                            app: Any, db: Session) -> None:
    from app.members import members

    web.sign_in(demo_org.email(Role.REVIEWER))
    members.suspend(db, demo_org.members[Role.ADMIN], demo_org.members[Role.REVIEWER].id)
    db.commit()
    assert _signed_out(web, "/account")


def test_password_change_ends_copies_of_this_sessions_old_cookie(web: Any, demo_org: Any,
                                                                 app: Any) -> None:
    web.sign_in(demo_org.email(Role.REVIEWER))
    thief = second_browser(app, web)
    _copy_cookies(web, thief)
    response = web.client.post("/password", data={
        "current_password": PASSWORD, "new_password": "a brand new passphrase",
        "confirm": "a brand new passphrase", "csrf_token": web.csrf_token("/password")})
    assert response.status_code == 302
    assert web.client.get("/").status_code == 200  # the member's own session goes on
    assert _signed_out(thief, "/account")


# --- the invitation page -----------------------------------------------------

def _form_shape(html: str) -> list[str]:
    """The names of the inputs and the visible words of the form, minus the
    things that differ per invitation (token, e-mail address)."""
    form = html[html.index("<form"):html.index("</form>")]
    form = re.sub(r'value="[^"]*"', "", form)
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", form)).strip()
    return [*sorted(re.findall(r'name="([^"]+)"', form)), words]


def test_invitation_page_does_not_say_whether_the_account_exists(
        web: Any, db: Session, demo_org: Any, make_org: Any) -> None:
    other = make_org("beta")
    admin = demo_org.members[Role.ADMIN]
    existing = issue(db, admin, other.email(Role.INTERVIEWER), Role.INTERVIEWER)
    fresh = issue(db, admin, "nobody-yet@example.org", Role.INTERVIEWER)
    existing_page = web.client.get(f"/invite/{existing}").get_data(as_text=True)
    fresh_page = web.client.get(f"/invite/{fresh}").get_data(as_text=True)
    assert _form_shape(existing_page) == _form_shape(fresh_page)


def _accept(web: Any, token: str, password: str) -> Any:
    path = f"/invite/{token}"
    return web.client.post(path, data={"csrf_token": web.csrf_token(path),
                                       "password": password, "confirm_password": password})


def test_wrong_passwords_on_an_invitation_lock_the_account_and_are_audited(
        web: Any, db: Session, demo_org: Any, make_org: Any, settings: Any) -> None:
    other = make_org("beta")
    email = other.email(Role.INTERVIEWER)
    token = issue(db, demo_org.members[Role.ADMIN], email, Role.INTERVIEWER)
    for attempt in range(settings.lockout_threshold):
        assert _accept(web, token, f"guess number {attempt} for the password").status_code == 400
    user = user_of(db, other, Role.INTERVIEWER)
    assert user.locked_until is not None
    # Recorded where the account's own admins look, without the e-mail address.
    failures = [e for e in events(db, "sign_in_failed")
                if e.organisation_id == other.organisation.id]
    assert len(failures) == settings.lockout_threshold
    assert all(e.details.get("reason") == "invitation" for e in failures)
    assert events(db, "locked_out")
    # Locked: even the right password neither joins nor signs in.
    assert _accept(web, token, PASSWORD).status_code == 400
    assert len(user_of(db, other, Role.INTERVIEWER).memberships) == 1


def test_joining_through_an_invitation_is_audited_in_the_users_other_organisations(
        web: Any, db: Session, demo_org: Any, make_org: Any) -> None:
    other = make_org("beta")
    email = other.email(Role.INTERVIEWER)
    token = issue(db, demo_org.members[Role.ADMIN], email, Role.INTERVIEWER)
    assert _accept(web, token, PASSWORD).status_code == 302
    joined = events(db, "member_joined")
    assert {e.organisation_id for e in joined} == {demo_org.organisation.id,
                                                   other.organisation.id}
    elsewhere = next(e for e in joined if e.organisation_id == other.organisation.id)
    # Their own admins learn that their member joined elsewhere, not where.
    assert str(demo_org.organisation.id) not in str(elsewhere.details) + str(elsewhere.target)


# --- /password -----------------------------------------------------------------

def _change(web: Any, current: str, new: str = "a brand new passphrase") -> Any:
    return web.client.post("/password", data={
        "current_password": current, "new_password": new, "confirm": new,
        "csrf_token": web.csrf_token("/password")})


def test_wrong_current_passwords_lock_the_account_and_end_the_session(
        web: Any, demo_org: Any, db: Session, settings: Any) -> None:
    web.sign_in(demo_org.email(Role.REVIEWER))
    for attempt in range(settings.lockout_threshold - 1):
        assert _change(web, f"wrong guess {attempt}").status_code == 400
    response = _change(web, "the last wrong guess")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")
    assert user_of(db, demo_org, Role.REVIEWER).locked_until is not None
    assert _signed_out(web)
    reasons = [e.details.get("reason") for e in events(db, "sign_in_failed")]
    assert reasons.count("password_change") == settings.lockout_threshold


def test_password_change_is_rate_limited(make_app: Any, web: Any, demo_org: Any) -> None:
    from web_support import WebUser

    application = make_app(sensitive_rate_limit="3 per minute", lockout_threshold=50)
    browser = WebUser(application.test_client(), web.totp)
    browser.sign_in(demo_org.email(Role.INTERVIEWER))
    statuses = [_change(browser, f"wrong guess {n}").status_code for n in range(5)]
    assert statuses[:3] == [400, 400, 400]
    assert 429 in statuses[3:]


def test_the_new_password_must_differ_from_the_current_one(web: Any, demo_org: Any) -> None:
    web.sign_in(demo_org.email(Role.REVIEWER))
    response = _change(web, PASSWORD, new=PASSWORD)
    assert response.status_code == 400
    assert "differ" in response.get_data(as_text=True)
