"""``witnessbox account reset-2fa``: the operator resets the second factor of a
person in several organisations (which no single organisation's admin may do),
audited in each of them; their sessions end and their keys lock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from auth_helpers import password_step, user_of
from click.testing import Result
from flask import Flask
from members_fixtures import events
from sqlalchemy import select
from sqlalchemy.orm import Session
from web_support import PASSPHRASE, PASSWORD, OrgFixture, WebUser

from app.audit.service import verify
from app.auth import totp
from app.cli import main
from app.keys import service as keys
from app.members import common as members_common
from app.members import members
from app.models import RecoveryCode, Role, UnlockedKey
from app.orgs.service import add_member


def run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(main, ["account", *args])


def test_reset_2fa_across_organisations_is_audited_in_each(
        app: Flask, web: WebUser, db: Session, demo_org: OrgFixture, make_org: Any) -> None:
    beta = make_org("beta")
    email = demo_org.email(Role.REVIEWER)
    alpha_reviewer = demo_org.members[Role.REVIEWER]
    also_at_beta = add_member(db, beta.organisation, email, PASSWORD, Role.INTERVIEWER,
                              must_change_password=False)
    user = user_of(db, demo_org, Role.REVIEWER)
    totp.replace_recovery_codes(db, user)
    db.commit()
    # Neither organisation's admin may reset it (the account guards both).
    with pytest.raises(members_common.Refused, match="witnessbox account reset-2fa"):
        members.reset_two_factor(db, beta.members[Role.ADMIN], also_at_beta.id)
    db.rollback()
    web.sign_in(email)
    assert web.client.get("/account").status_code == 200
    unlocked = keys.unlock(db, alpha_reviewer, PASSPHRASE, lifetime=timedelta(minutes=15))
    db.commit()

    result = run(app, "reset-2fa", email.upper(), "--reason", "lost_device")
    assert result.exit_code == 0, result.output
    assert "audited in 2 organisation(s)" in result.output
    assert email not in result.output

    user = user_of(db, demo_org, Role.REVIEWER)
    assert not totp.is_enrolled(user)
    assert user.totp_secret_sealed is None
    assert db.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all() == []
    assert db.get(UnlockedKey, unlocked.row_id) is None
    answer = web.client.get("/account")
    assert answer.status_code == 302
    assert "/login" in answer.headers["Location"]
    # Next sign-in: password, then straight to enrolling a new authenticator.
    signed = password_step(type(web)(app.test_client(), web.totp), email)
    assert signed.headers["Location"].endswith("/account/two-factor")

    logged = {(e.organisation_id, e.actor_user_id, e.target, tuple(sorted(e.details.items())))
              for e in events(db, "totp_reset")}
    details = (("issued_by", "operator"), ("reason", "lost_device"))
    assert logged == {(demo_org.organisation.id, None, f"user:{user.id}", details),
                      (beta.organisation.id, None, f"user:{user.id}", details)}
    assert verify(db).ok


def test_reset_2fa_refuses_unknown_accounts_reasons_and_accounts_without_2fa(
        app: Flask, db: Session, demo_org: OrgFixture) -> None:
    unknown = run(app, "reset-2fa", "nobody@nowhere.test", "--reason", "lost_device")
    assert unknown.exit_code == 1
    assert "no account with that e-mail address" in unknown.output
    bad_reason = run(app, "reset-2fa", demo_org.email(Role.REVIEWER), "--reason", "because")
    assert bad_reason.exit_code == 2
    # The interviewer never enrolled: nothing to reset, nothing recorded.
    none = run(app, "reset-2fa", demo_org.email(Role.INTERVIEWER), "--reason", "lost_device")
    assert none.exit_code == 1
    assert "no two-factor sign-in to reset" in none.output
    assert totp.is_enrolled(user_of(db, demo_org, Role.REVIEWER))
    assert events(db, "totp_reset") == []
