"""``witnessbox account``: the server operator's tools for a person's account.

An account (e-mail, password, second factor) is shared by every
organisation the person belongs to, so some recoveries are beyond any one
organisation's admin: they are the operator's, audited in each organisation.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.db import new_session
from app.errors import NotFound
from app.members import members
from app.members.common import Refused
from app.unit_of_work import unit_of_work


@click.group("account")
def account_cli() -> None:
    """People's accounts (the server operator's tool)."""


@account_cli.command("reset-2fa")
@click.argument("email")
@click.option("--reason", required=True, type=click.Choice(members.OPERATOR_RESET_REASONS),
              help="Why, as a code (recorded in the audit log of each organisation).")
@with_appcontext
def reset_2fa(email: str, reason: str) -> None:
    """Reset the two-factor sign-in of the account EMAIL.

    For a person in several organisations (one organisation's admin cannot
    reset it then). Check who is asking first, out of band. Their TOTP
    secret and recovery codes are forgotten, every session ends and every
    unlocked key is locked; they enrol a new authenticator at next sign-in.
    Audited in each of their organisations.
    """
    with new_session() as session, unit_of_work(session):
        try:
            organisations = members.operator_reset_two_factor(session, email, reason)
        except NotFound:
            raise click.ClickException("no account with that e-mail address") from None
        except Refused as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"two-factor sign-in reset; audited in {len(organisations)} organisation(s); "
               "every session ended and every unlocked key locked")
