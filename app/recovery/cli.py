"""``witnessbox recovery``: rotate an organisation's offline recovery identity, see progress.

``recovery rotate`` is the one command that commits more than once, on
purpose. Re-wrapping a large archive takes minutes; in one transaction an
interruption (a reboot, a lost SSH session) would throw all of it away, and
the transaction would hold its locks throughout. So it commits each step as
a unit of work of its own: the job row with the new shares' recipient, then
every batch of re-wrapped keys together with the job's cursor, then the
switch to the new recipient. Each commit leaves a consistent state (every
case opens with the old identity or the new one, and the job row says which
are done), and ``--resume`` continues from it.

The sheets (and the weasyprint/matplotlib machinery behind them) are
imported only when a command makes them, so that other commands start
quickly.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from flask.cli import with_appcontext

import crypto
from app.db import new_session
from app.models import Organisation, RecoveryRotation, RotationState
from app.recovery import service as recovery
from app.unit_of_work import unit_of_work
from crypto import ssss

DEFAULT_CUSTODIANS = 3
DEFAULT_THRESHOLD = 2
# The same bound as app.recovery.sheets.MAX_CUSTODIANS, without importing it.
MAX_CUSTODIANS = 20


@click.group("recovery")
def recovery_cli() -> None:
    """The offline recovery identity: rotate it, see progress."""


def check_scheme(custodians: int, threshold: int) -> None:
    if not 2 <= threshold <= custodians <= MAX_CUSTODIANS:
        raise click.ClickException(
            f"--threshold {threshold} of --custodians {custodians}: need "
            f"2 <= threshold <= custodians <= {MAX_CUSTODIANS}")


def claim_sheet_directory(path: Path, option: str = "--shares-dir") -> None:
    """Create the new sheet directory (0700) before any secret exists."""
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        raise click.ClickException(
            f"{option}: {path} exists already; give a new directory (sheets never "
            "mix with older files)") from None
    except OSError as exc:
        raise click.ClickException(f"{option}: cannot create {path}: {exc.strerror}") from None
    os.chmod(path, 0o700)  # whatever the umask


def release_sheet_directory(path: Path) -> None:
    """Remove a sheet directory this command made, with what it wrote."""
    shutil.rmtree(path, ignore_errors=True)


def issue(directory: Path, identity: crypto.Identity, organisation: Organisation,
          custodians: int, threshold: int, contact: str | None) -> list[Path]:
    from app.recovery.sheets import issue_sheets

    return issue_sheets(directory, identity, organisation=organisation.name,
                        slug=organisation.slug, custodians=custodians, threshold=threshold,
                        contact=contact, issued_at=datetime.now(UTC).replace(microsecond=0))


def read_identity_file(path: Path) -> crypto.Identity:
    """An identity file only its owner can read (what ``ssss-combine`` wrote under umask 077)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        raise click.ClickException(f"--identity-file: {path}: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise click.ClickException(f"--identity-file: {path} is not a regular file")
        if mode & 0o077:
            raise click.ClickException(
                f"--identity-file: {path} can be read by others (mode "
                f"{stat.S_IMODE(mode):04o}); `chmod 600` it, and think about who saw it")
        text = handle.read(4096)
    try:
        return crypto.parse_identity(text)
    except crypto.CryptoError:
        raise click.ClickException(
            f"--identity-file: {path} holds no age identity (one AGE-SECRET-KEY-1… line)"
        ) from None


def prompt_shares(threshold: int) -> crypto.Identity:
    """The custodians type their shares (hidden); combined here, never written."""
    click.echo(f"{threshold} custodians type their shares in turn (input hidden, "
               "one line each, e.g. 1-3f09…).", err=True)
    shares = [click.prompt(f"Share {number} of {threshold}", hide_input=True, err=True,
                           value_proc=_share_value)
              for number in range(1, threshold + 1)]
    try:
        return ssss.combine_identity(shares)
    except crypto.CryptoError:
        raise click.ClickException(
            "the shares do not combine to an identity: one is mistyped, missing, or from "
            "another set; nothing was changed") from None


def _share_value(text: str) -> ssss.Share:
    try:
        return ssss.parse_share(text)
    except crypto.CryptoError as exc:
        raise click.BadParameter(str(exc)) from None


def current_identity(identity_file: Path | None, threshold: int | None) -> crypto.Identity:
    if identity_file is not None:
        return read_identity_file(identity_file)
    if threshold is None:
        raise click.ClickException(
            "this organisation's recovery identity is not split into shares: give it "
            "with --identity-file PATH")
    return prompt_shares(threshold)


@recovery_cli.command("rotate")
@click.option("--org", "slug", required=True, metavar="SLUG", help="The organisation.")
@click.option("--identity-file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, metavar="PATH",
              help="The current recovery identity in a file only you can read (mode "
                   "0600), e.g. as ssss-combine wrote it. Without it the custodians "
                   "type their current shares.")
@click.option("--shares-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              metavar="DIR", help="New directory for the new share sheets (one PDF per "
                                  "custodian, mode 0600). Not with --resume.")
@click.option("--custodians", type=int, default=None,
              help="Number of new shares (default: as now, else 3).")
@click.option("--threshold", type=int, default=None,
              help="Shares needed to recover (default: as now, else 2).")
@click.option("--contact", default=None, metavar="TEXT",
              help="Whom custodians contact, printed on each sheet (default: a blank line "
                   "to fill in by hand).")
@click.option("--resume", is_flag=True,
              help="Continue the rotation that was interrupted (needs the old identity only).")
@click.option("--batch-size", type=click.IntRange(1, 100_000),
              default=recovery.DEFAULT_BATCH_SIZE, show_default=True,
              help="Case keys re-wrapped per transaction.")
@click.option("--processes", type=click.IntRange(1, 64), default=None,
              help="Worker processes for re-wrapping (default: one per core for "
                   "batches of 2000 or more, else this process alone).")
@with_appcontext
def rotate(slug: str, identity_file: Path | None, shares_dir: Path | None,
           custodians: int | None, threshold: int | None, contact: str | None, resume: bool,
           batch_size: int, processes: int | None) -> None:
    """New recovery identity and shares; re-wraps every case key.

    Reads the current identity (typed shares or --identity-file), issues new
    share sheets into --shares-dir, re-wraps every case key from the old
    recovery recipient to the new one in batches, then switches the
    organisation to the new recipient. Interrupted, it continues with
    --resume."""
    with new_session() as session:
        try:
            organisation = recovery.find_organisation(session, slug)
        except recovery.RecoveryRefused as exc:
            raise click.ClickException(str(exc)) from None
    if resume:
        if shares_dir or custodians or threshold or contact:
            raise click.ClickException(
                "--resume continues the rotation as it was started: the new shares were "
                "issued then (no --shares-dir, --custodians, --threshold or --contact)")
        rotation_id, old_identity = _resume(organisation, identity_file)
    else:
        if shares_dir is None:
            raise click.ClickException("--shares-dir DIR: a new directory for the new sheets")
        custodians = custodians or organisation.recovery_custodians or DEFAULT_CUSTODIANS
        threshold = threshold or organisation.recovery_threshold or DEFAULT_THRESHOLD
        check_scheme(custodians, threshold)
        rotation_id, old_identity = _start(organisation, identity_file, shares_dir,
                                           custodians, threshold, contact)
    _run(rotation_id, old_identity, batch_size, processes)


def _resume(organisation: Organisation, identity_file: Path | None
            ) -> tuple[int, crypto.Identity]:
    with new_session() as session:
        running = recovery.running_rotation(session, organisation)
        if running is None:
            raise click.ClickException(
                f"no recovery rotation of {organisation.slug!r} is running (start one "
                "without --resume)")
        # The shares of the identity being replaced: the scheme before the rotation.
        identity = current_identity(identity_file, organisation.recovery_threshold)
        try:
            rotation = recovery.resumable_rotation(session, organisation, identity)
        except recovery.RecoveryRefused as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"resuming rotation {rotation.id}: {rotation.rewrapped} of {rotation.total} "
               "case keys re-wrapped so far", err=True)
    return rotation.id, identity


def _start(organisation: Organisation, identity_file: Path | None, shares_dir: Path,
           custodians: int, threshold: int, contact: str | None
           ) -> tuple[int, crypto.Identity]:
    old_identity = current_identity(identity_file, organisation.recovery_threshold)
    with new_session() as session:
        try:  # every refusal before anything is made
            recovery.refuse_unless_rotatable(
                session, session.get_one(Organisation, organisation.id), old_identity)
        except recovery.RecoveryRefused as exc:
            raise click.ClickException(str(exc)) from None
    claim_sheet_directory(shares_dir)
    try:
        new_identity = crypto.generate_identity()
        sheets = issue(shares_dir, new_identity, organisation, custodians, threshold, contact)
        # From this commit on, new cases are wrapped to the new recipient.
        with new_session() as session, unit_of_work(session):
            rotation = recovery.start_rotation(
                session, session.get_one(Organisation, organisation.id), old_identity,
                new_identity.recipient, custodians, threshold)
            rotation_id = rotation.id
            total = rotation.total
    except recovery.RecoveryRefused as exc:  # a rotation started meanwhile
        release_sheet_directory(shares_dir)
        raise click.ClickException(str(exc)) from None
    except BaseException:
        release_sheet_directory(shares_dir)
        raise
    del new_identity  # on the sheets only, from here on
    click.echo(f"new recovery public key: {rotation.new_recipient}")
    click.echo(f"{len(sheets)} share sheets ({threshold} of {custodians} recover) written to "
               f"{shares_dir} (mode 0600): print each, hand it to its custodian, then delete "
               "the files")
    click.echo(f"re-wrapping {total} case keys; if interrupted, continue with "
               f"`witnessbox recovery rotate --org {organisation.slug} --resume`", err=True)
    return rotation_id, old_identity


def _run(rotation_id: int, old_identity: crypto.Identity, batch_size: int,
         processes: int | None) -> None:
    with new_session() as session:
        rotation = session.get_one(RecoveryRotation, rotation_id)
        total, done = rotation.total, rotation.rewrapped
    with click.progressbar(length=max(total, done), label="Case keys re-wrapped",
                           file=sys.stderr, show_pos=True) as bar:
        bar.update(done)
        while True:
            # One unit of work per batch: the re-wrapped keys and the cursor
            # commit together (see the module's docstring).
            with new_session() as session, unit_of_work(session):
                rotation = session.get_one(RecoveryRotation, rotation_id)
                try:
                    count = recovery.rewrap_batch(session, rotation, old_identity,
                                                  batch_size=batch_size, processes=processes)
                except recovery.RecoveryRefused as exc:
                    raise click.ClickException(str(exc)) from None
            if not count:
                break
            bar.update(count)
    with new_session() as session, unit_of_work(session):
        rotation = session.get_one(RecoveryRotation, rotation_id)
        try:
            swept = recovery.finish_rotation(session, rotation, old_identity,
                                             processes=processes)
        except recovery.RecoveryRefused as exc:
            raise click.ClickException(str(exc)) from None
        rewrapped, recipient = rotation.rewrapped, rotation.new_recipient
    late = f" ({swept} filed late, swept up at the end)" if swept else ""
    click.echo(f"recovery rotation finished: {rewrapped} case keys re-wrapped{late}; the "
               f"recovery public key is now {recipient}. The old shares open nothing new: "
               "ask the custodians to destroy their old sheets.")


@recovery_cli.command("status")
@click.option("--org", "slug", required=True, metavar="SLUG", help="The organisation.")
@with_appcontext
def status(slug: str) -> None:
    """The recovery key, its shares, and a rotation's progress."""
    with new_session() as session:
        try:
            report = recovery.status(session, recovery.find_organisation(session, slug))
        except recovery.RecoveryRefused as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"organisation {report.slug!r}: recovery public key {report.recipient}")
    if report.threshold and report.custodians:
        click.echo(f"split into shares: any {report.threshold} of {report.custodians} "
                   "custodians recover")
    else:
        click.echo("one undivided recovery identity (not split into shares)")
    click.echo(f"case keys wrapped for recovery: {report.recovery_wraps}")
    rotation = report.rotation
    if rotation is None:
        click.echo("no rotation so far")
    elif rotation.state is RotationState.RUNNING:
        share = f"{100 * rotation.rewrapped // rotation.total}%" if rotation.total else "-"
        click.echo(f"rotation {rotation.id} RUNNING since {rotation.started_at:%Y-%m-%d %H:%M} "
                   f"UTC: {rotation.rewrapped} of {rotation.total} re-wrapped ({share}), "
                   f"{report.old_wraps} still to the old key; new cases go to "
                   f"{rotation.new_recipient}")
        click.echo(f"continue it: witnessbox recovery rotate --org {report.slug} --resume")
    else:
        assert rotation.finished_at is not None
        click.echo(f"last rotation {rotation.id} finished "
                   f"{rotation.finished_at:%Y-%m-%d %H:%M} UTC: {rotation.rewrapped} "
                   f"case keys re-wrapped ({rotation.threshold} of {rotation.custodians} shares)")
