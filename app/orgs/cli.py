"""``witnessbox org``: create organisations and list them (the server operator's tool).

``org create`` makes two one-time secrets: the organisation's offline recovery
identity (an age secret key; the server keeps only its public half) and the
first admin's invitation link. Each is shown exactly once, and never where a
log could keep it.

The recovery identity is split into shares, k of n (``--threshold``,
``--custodians``; 2 of 3 by default), one printable sheet per custodian in a
new directory (``--shares-dir``): no one person can open the archive, and
``ssss-combine`` rebuilds the identity without this software. One undivided
identity (``--custodians 1``, or ``--recovery-file``) is still possible, for
a test or a one-person organisation: written to a new file (mode 0600, never
overwriting), or printed only when standard output is a terminal. The
invitation link goes to ``--invitation-file`` or the terminal the same way.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.audit import service as audit
from app.config import Settings
from app.db import new_session
from app.members import invitations
from app.members.common import Refused
from app.models import Membership, Organisation
from app.orgs.service import NewOrganisation, create_organisation
from app.recovery.cli import (
    DEFAULT_CUSTODIANS,
    DEFAULT_THRESHOLD,
    check_scheme,
    claim_sheet_directory,
    issue,
    release_sheet_directory,
)
from app.unit_of_work import unit_of_work
from app.web.urls import absolute_url

# The invite form's plausibility check (app.members.forms.InviteForm).
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
MAX_NAME_LENGTH = 200


@click.group("org")
def org_cli() -> None:
    """Organisations: create one with its first admin, list them."""


def slug_from_name(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:64].rstrip("-")


@dataclass
class SecretOutput:
    """Where one secret goes: an open new file (``path``), or the terminal."""

    label: str
    path: str | None
    handle: IO[str] | None


def _open_secret_file(path: str, option: str) -> IO[str]:
    # O_EXCL: never overwrite (an older recovery key may be the only copy) and
    # never follow a planted symlink; 0600 from the first byte.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise click.ClickException(f"{option}: {path} exists already; not overwriting it") \
            from None
    except OSError as exc:
        raise click.ClickException(f"{option}: cannot create {path}: {exc.strerror}") from None
    return os.fdopen(fd, "w", encoding="ascii")


@contextmanager
def secret_outputs(recovery_file: str | None, invitation_file: str | None, *,
                   shares_dir: Path | None = None
                   ) -> Iterator[tuple[SecretOutput, SecretOutput]]:
    """Open both destinations before anything is created, so a refusal leaves
    nothing behind; if the command then fails, the files it made are removed
    (a recovery key for an organisation that does not exist misleads).

    With ``shares_dir`` the recovery identity goes there as share sheets
    (the directory is made here, new); the recovery output is then unused.
    """
    terminal = sys.stdout.isatty()
    secrets = [("--invitation-file", invitation_file)]
    if shares_dir is None:
        secrets.insert(0, ("--recovery-file", recovery_file))
    missing = [option for option, path in secrets if path is None]
    if missing and not terminal:
        raise click.ClickException(
            "standard output is not a terminal, so the one-time secrets would end up in a "
            f"log or pipe: use {' and '.join(missing)} PATH")
    opened: list[SecretOutput] = []
    claimed = False
    try:
        if shares_dir is not None:
            opened.append(SecretOutput("recovery", None, None))
            claim_sheet_directory(shares_dir)
            claimed = True
        else:
            opened.append(SecretOutput("recovery", recovery_file,
                                       _open_secret_file(recovery_file, "--recovery-file")
                                       if recovery_file else None))
        opened.append(SecretOutput("invitation", invitation_file,
                                   _open_secret_file(invitation_file, "--invitation-file")
                                   if invitation_file else None))
        yield opened[0], opened[1]
    except BaseException:
        for output in opened:
            if output.handle is not None and output.path is not None:
                output.handle.close()
                os.unlink(output.path)
        if claimed and shares_dir is not None:
            release_sheet_directory(shares_dir)
        raise
    for output in opened:
        if output.handle is not None:
            output.handle.close()


def _write(output: SecretOutput, text: str) -> None:
    if output.handle is not None:
        output.handle.write(text)
        output.handle.flush()
        os.fsync(output.handle.fileno())  # on disk before the commit makes it the only copy


@org_cli.command("create")
@click.argument("name")
@click.option("--admin", "admin_email", required=True, metavar="EMAIL",
              help="E-mail of the first admin; they get a one-time invitation link.")
@click.option("--slug", default=None, help="Short name in URLs (default: made from NAME).")
@click.option("--custodians", type=int, default=None,
              help=f"Split the recovery identity into this many shares (default "
                   f"{DEFAULT_CUSTODIANS}); 1 keeps it undivided.")
@click.option("--threshold", type=int, default=None,
              help=f"Shares needed to recover (default {DEFAULT_THRESHOLD}).")
@click.option("--shares-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              metavar="DIR", help="New directory for the share sheets: one PDF per "
                                  "custodian, mode 0600. Required with shares.")
@click.option("--contact", default=None, metavar="TEXT",
              help="Whom custodians contact, printed on each sheet.")
@click.option("--recovery-file", type=click.Path(dir_okay=False), default=None,
              help="Keep the recovery identity undivided and write it to this new file "
                   "(mode 0600) instead of the terminal.")
@click.option("--invitation-file", type=click.Path(dir_okay=False), default=None,
              help="Write the invitation link to this new file (mode 0600) instead of "
                   "the terminal. Required when standard output is not a terminal.")
@with_appcontext
def org_create(name: str, admin_email: str, slug: str | None, custodians: int | None,
               threshold: int | None, shares_dir: Path | None, contact: str | None,
               recovery_file: str | None, invitation_file: str | None) -> None:
    """Create organisation NAME, its recovery key and an admin invitation.

    Both secrets (the recovery identity, as custodians' share sheets, and
    the invitation link) are shown once: hand each sheet to its custodian
    (without the recovery identity a lost key means lost cases) and the link
    to the admin over a safe channel."""
    settings: Settings = current_app.config["WITNESSBOX"]
    scheme = _recovery_scheme(custodians, threshold, shares_dir, recovery_file, contact)
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise click.ClickException(f"NAME must have 1 to {MAX_NAME_LENGTH} characters")
    slug = slug if slug is not None else slug_from_name(name)
    if not SLUG_PATTERN.match(slug):
        raise click.ClickException(
            f"slug {slug!r} is not usable: lower-case letters, digits and inner hyphens, "
            "at most 64 (give one with --slug)")
    admin_email = admin_email.strip()
    if len(admin_email) > 254 or not EMAIL_PATTERN.match(admin_email):
        raise click.ClickException(f"--admin: {admin_email!r} is not an e-mail address")
    if not settings.base_url or (not settings.demo_mode
                                 and not settings.base_url.startswith("https://")):
        raise click.ClickException("base_url is not configured (WITNESSBOX_BASE_URL, e.g. "
                                   "https://witnessbox.example.org): invitation links use it")

    with new_session() as session:
        if session.scalar(select(Organisation.id).where(Organisation.slug == slug)):
            raise click.ClickException(f"an organisation with slug {slug!r} exists already")
    try:
        organisation, created, link, recovery, invitation, sheets = _create(
            name, slug, admin_email, scheme, recovery_file, invitation_file, settings)
    except IntegrityError:
        # Taken between the check above and the commit: nothing was kept.
        raise click.ClickException(f"an organisation with slug {slug!r} exists already") \
            from None
    _report(organisation.slug, organisation.recovery_recipient, recovery, invitation,
            created.recovery_identity.to_age_identity_file().decode("ascii"), link,
            settings.invitation_hours, scheme, sheets)


@dataclass(frozen=True)
class RecoveryScheme:
    """How the new recovery identity is handed out: k of n shares, or whole."""

    custodians: int
    threshold: int
    shares_dir: Path | None
    contact: str | None

    @property
    def split(self) -> bool:
        return self.shares_dir is not None


def _recovery_scheme(custodians: int | None, threshold: int | None, shares_dir: Path | None,
                     recovery_file: str | None, contact: str | None) -> RecoveryScheme:
    if recovery_file is not None or custodians == 1:
        if (custodians or 1) != 1 or threshold is not None or shares_dir or contact:
            raise click.ClickException(
                "--recovery-file (or --custodians 1) keeps the recovery identity "
                "undivided: no --threshold, --shares-dir or --contact with it")
        return RecoveryScheme(1, 1, None, None)
    custodians = custodians or DEFAULT_CUSTODIANS
    threshold = threshold or DEFAULT_THRESHOLD
    check_scheme(custodians, threshold)
    if shares_dir is None:
        raise click.ClickException(
            f"--shares-dir DIR: a new directory for the {custodians} custodians' share "
            "sheets (or --recovery-file PATH for one undivided recovery identity)")
    return RecoveryScheme(custodians, threshold, shares_dir, contact)


def _create(name: str, slug: str, admin_email: str, scheme: RecoveryScheme,
            recovery_file: str | None, invitation_file: str | None, settings: Settings
            ) -> tuple[Organisation, NewOrganisation, str, SecretOutput, SecretOutput,
                       list[Path]]:
    sheets: list[Path] = []
    with secret_outputs(recovery_file, invitation_file, shares_dir=scheme.shares_dir) \
            as (recovery, invitation), new_session() as session, unit_of_work(session):
        created = create_organisation(session, slug, name)
        organisation = created.organisation
        if scheme.split:
            organisation.recovery_custodians = scheme.custodians
            organisation.recovery_threshold = scheme.threshold
        audit.record(session, audit.Action.ORG_CREATED, organisation_id=organisation.id,
                     target=f"organisation:{organisation.id}", issued_by="operator",
                     recovery_recipient=organisation.recovery_recipient,
                     recovery_to=("shares" if scheme.split
                                  else "file" if recovery.path else "terminal"),
                     custodians=scheme.custodians, threshold=scheme.threshold,
                     invitation_to="file" if invitation.path else "terminal")
        try:
            issued = invitations.invite_first_admin(
                session, organisation, admin_email,
                lifetime=timedelta(hours=settings.invitation_hours))
        except Refused as exc:  # cannot happen to a new organisation; said plainly if it does
            raise click.ClickException(str(exc)) from None
        # url_for needs a request; the link is built on base_url as on the members page.
        with current_app.test_request_context("/"):
            link = absolute_url("members.accept", token=issued.token)
        if scheme.shares_dir is not None:
            sheets = issue(scheme.shares_dir, created.recovery_identity, organisation,
                           scheme.custodians, scheme.threshold, scheme.contact)
        else:
            _write(recovery, created.recovery_identity.to_age_identity_file().decode("ascii"))
        _write(invitation, link + "\n")
        # A slug taken meanwhile fails here, at the commit: the files are removed.
    return organisation, created, link, recovery, invitation, sheets


def _report(slug: str, recipient: str, recovery: SecretOutput, invitation: SecretOutput,
            identity_text: str, link: str, hours: int, scheme: RecoveryScheme,
            sheets: list[Path]) -> None:
    out = click.echo
    out(f"organisation {slug!r} created; recovery recipient (public): {recipient}")
    if scheme.shares_dir is not None:
        out(f"recovery identity split into {len(sheets)} shares (any {scheme.threshold} "
            f"recover it): one sheet per custodian in {scheme.shares_dir} (mode 0600). "
            "Print each, hand it to its custodian in person, then delete the files "
            "(shred -u); the identity itself was never written.")
    elif recovery.path:
        out(f"recovery identity written to {recovery.path} (mode 0600): store it offline, "
            "then delete it from this server")
    else:
        out("\n=== Offline recovery identity: shown ONCE; store it offline ===\n")
        out(identity_text)
    if invitation.path:
        out(f"first admin's invitation link written to {invitation.path} (mode 0600; "
            f"valid {hours} h, usable once)")
    else:
        out(f"First admin's invitation link (valid {hours} h, usable once; "
            "hand it over on a safe channel):")
        out(link)


@org_cli.command("list")
@with_appcontext
def org_list() -> None:
    """Slug, name, active members and creation date of every organisation."""
    members = (select(Membership.organisation_id, func.count().label("members"))
               .where(Membership.active.is_(True), Membership.removed_at.is_(None))
               .group_by(Membership.organisation_id).subquery())
    with new_session() as session:
        rows = session.execute(
            select(Organisation.slug, Organisation.name, Organisation.created_at,
                   func.coalesce(members.c.members, 0))
            .outerjoin(members, members.c.organisation_id == Organisation.id)
            .order_by(Organisation.slug)).all()
    if not rows:
        click.echo("no organisations (create one with `witnessbox org create`)")
        return
    width = max(len("slug"), *(len(row[0]) for row in rows))
    click.echo(f"{'slug':{width}}  {'members':>7}  {'created':10}  name")
    for slug, name, created_at, count in rows:
        click.echo(f"{slug:{width}}  {count:>7}  {created_at:%Y-%m-%d}  {name}")
