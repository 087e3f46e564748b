"""The ``witnessbox`` console command: a Flask CLI group for admin tasks."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any, TextIO

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app
from flask.cli import AppGroup, ScriptInfo, with_appcontext
from sqlalchemy import exc as sqlalchemy_errors
from sqlalchemy import select

from app import create_app
from app.backup.cli import backup_cli
from app.config import PROJECT_ROOT, ConfigError, config_file_path
from app.db import new_session
from app.exports.cli import export_cli
from app.members.cli import account_cli
from app.models import SealedObject
from app.orgs.cli import org_cli
from app.recovery.cli import recovery_cli
from app.redaction.cli import redact_cli
from app.storage import BlobStore, make_private_dirs
from app.unit_of_work import unit_of_work

DEMO_SECRETS_FILE = "demo-secrets.txt"


def alembic_config(database_url: str) -> AlembicConfig:
    config = AlembicConfig(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    # Percent signs in URLs (encoded passwords) would be read as interpolation.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def _create_app() -> Flask:
    return create_app()


def _first_line(error: BaseException) -> str:
    lines = str(getattr(error, "orig", None) or error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


class WitnessboxGroup(AppGroup):
    """The top-level group: Witnessbox's own commands and nothing else.

    Not a FlaskGroup on purpose: that one adds ``--app``, ``--env-file`` and
    ``--debug``, the commands of every installed Flask plugin (Flask-Limiter's
    ``limiter``), and builds the app just to list commands for ``--help``.
    Here the app is built only by the commands that need it (with_appcontext),
    and expected failures (configuration, database, files) end as one line on
    stderr and exit code 1 rather than a traceback.
    """

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        # app.test_cli_runner() passes its own ScriptInfo (the test's app).
        if "obj" not in extra:
            extra["obj"] = ScriptInfo(create_app=_create_app, set_debug_flag=False)
        return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as error:
            raise click.ClickException(f"configuration: {error}") from None
        except sqlalchemy_errors.DBAPIError as error:
            raise click.ClickException(
                f"database: {_first_line(error)} (is it migrated? `witnessbox db upgrade`)"
            ) from None
        except OSError as error:
            where = f"{error.filename}: " if error.filename else ""
            raise click.ClickException(f"{where}{error.strerror or error}") from None


@click.group(cls=WitnessboxGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Witnessbox administration.

    Settings come from the file named by WITNESSBOX_CONFIG (default
    instance/config.toml), then WITNESSBOX_* environment variables. Each
    command is one unit of work: it commits once at its end, or not at all.
    """


@main.group()
def db() -> None:
    """The database schema, made only by Alembic migrations."""


@db.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Migrate the schema to REVISION (default: the latest)."""
    command.upgrade(alembic_config(current_app.config["WITNESSBOX"].database_url), revision)


@db.command("downgrade")
@click.argument("revision", default="base")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Migrate the schema back to REVISION (destroys data).

    The default, base, is an empty database.
    """
    command.downgrade(alembic_config(current_app.config["WITNESSBOX"].database_url), revision)


@main.group()
def demo() -> None:
    """The demo instance that `make run` serves.

    Not for real testimonies: demo mode makes its own secrets.
    """


def demo_config_text(instance: Path) -> str:
    """A demo instance's config.toml: demo mode, everything in INSTANCE's folder."""
    database = instance / "witnessbox.sqlite3"
    return (
        "# Written by `witnessbox demo init` (run by `make run`): a DEMO instance.\n"
        "# Demo mode makes its own secrets in this folder; never hold real testimonies\n"
        "# in it. See config.example.toml for a real deployment's keys.\n"
        "[witnessbox]\n"
        "demo_mode = true\n"
        f'database_url = "sqlite:///{database}"\n'
        f'blob_dir = "{instance / "blobs"}"\n'
        f'export_dir = "{instance / "exports"}"\n'
        f'export_key_dir = "{instance / "export-keys"}"\n'
    )


@demo.command("init", with_appcontext=False)
def demo_init() -> None:
    """Write a demo config.toml (demo_mode = true) unless one exists.

    It goes where every later command looks (WITNESSBOX_CONFIG, default
    instance/config.toml), so commands run after `make run` find the demo.
    """
    path = config_file_path().resolve()
    make_private_dirs(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        click.echo(f"{path} exists; left as it is")
        return
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(demo_config_text(path.parent))
    click.echo(f"demo configuration written to {path}")


def _write_demo_secrets(out: TextIO, credentials: Any) -> None:
    out.write("=== Witnessbox demo organisation: these secrets are shown ONCE ===\n")
    for email, password in credentials.passwords.items():
        out.write(f"  {email:40} password: {password}\n")
    for email, passphrase in credentials.passphrases.items():
        out.write(f"  {email:40} key passphrase: {passphrase}\n")
    out.write("\n  Offline recovery identity (store it offline; the server keeps only its\n")
    out.write("  public half, and without it a lost key means lost cases):\n\n")
    out.write(credentials.recovery_identity.to_age_identity_file().decode("ascii"))
    out.write("Passwords must be changed at first sign-in.\n")


@demo.command("bootstrap")
@click.option("--if-missing", is_flag=True, help="Do nothing if the demo organisation exists.")
@with_appcontext
def demo_bootstrap(if_missing: bool) -> None:
    """Create the demo organisation; show its sign-in secrets once.

    On a terminal they are printed. When stdout is not a terminal (a pipe, a
    log file) they are written instead to demo-secrets.txt in the instance
    folder (mode 0600, never overwritten) and only that file's path is printed.
    """
    from app.models import Organisation
    from app.orgs.service import bootstrap_demo

    secrets_path = Path(current_app.instance_path) / DEMO_SECRETS_FILE
    with new_session() as session:
        exists = session.scalar(select(Organisation).where(Organisation.slug == "demo"))
    if exists:
        if not if_missing:
            raise click.ClickException("the demo organisation exists already")
        where = (f"are in {secrets_path}" if secrets_path.exists()
                 else "were shown when it was made")
        click.echo(f"Demo organisation exists; its sign-in secrets {where}.")
        return
    if sys.stdout.isatty():
        with new_session() as session, unit_of_work(session):
            credentials = bootstrap_demo(session)
        click.echo()
        _write_demo_secrets(sys.stdout, credentials)
        click.echo()
        return
    # Claim the file before anything is made: a failure leaves no organisation
    # whose secrets nobody saw.
    make_private_dirs(secrets_path.parent)
    try:
        fd = os.open(secrets_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise click.ClickException(
            f"{secrets_path} exists (an earlier demo's secrets); move it away first") from None
    try:
        with (os.fdopen(fd, "w", encoding="utf-8") as handle, new_session() as session,
              unit_of_work(session)):
            credentials = bootstrap_demo(session)
            _write_demo_secrets(handle, credentials)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        secrets_path.unlink(missing_ok=True)
        raise
    click.echo("Demo organisation created. Its sign-in secrets (shown once) are in")
    click.echo(f"  {secrets_path}  (mode 0600): read them, store them, delete the file.")


@main.group()
def blobs() -> None:
    """The ciphertext blob store."""


@blobs.command("gc")
@click.option("--dry-run", is_flag=True, help="List the orphaned files; delete nothing.")
@click.option("--min-age-minutes", default=60, show_default=True,
              help="Spare younger files: they may belong to an upload still streaming in.")
@with_appcontext
def blobs_gc(dry_run: bool, min_age_minutes: int) -> None:
    """Delete blob files no sealed object refers to (crash leftovers).

    Such files are left by a crash in the middle of an intake.
    """
    store = BlobStore(current_app.config["WITNESSBOX"].blob_dir)
    cutoff = time.time() - min_age_minutes * 60
    with new_session() as session:
        known = set(session.scalars(select(SealedObject.blob_path)
                                    .where(SealedObject.blob_path.is_not(None))))
    orphans = [path for path in store.walk()
               if path not in known and store.modified_at(path) < cutoff]
    for path in orphans:
        if not dry_run:
            store.delete(path)
        click.echo(path)
    click.echo(f"{len(orphans)} orphaned blob(s) {'found' if dry_run else 'deleted'}",
               err=True)


main.add_command(redact_cli, "redact")
main.add_command(export_cli, "export")  # needs no app: recipients run it
main.add_command(org_cli, "org")
main.add_command(recovery_cli, "recovery")
main.add_command(account_cli, "account")
main.add_command(backup_cli, "backup")


@main.group("cases")
def cases_group() -> None:
    """Sealed cases."""


@cases_group.command("sign-receipts")
@with_appcontext
def cases_sign_receipts() -> None:
    """Sign receipts of cases filed before signing (once).

    Run it once after upgrading to the version that signs receipts.
    A case without a signed receipt does not open. Cases whose ciphertext no
    longer matches its recorded hashes are listed, not signed."""
    from app.cases.receipts import sign_unsigned

    signer = current_app.extensions["witnessbox.audit_signer"]
    with new_session() as session, unit_of_work(session), \
            click.progressbar(length=0, label="Cases", file=sys.stderr) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)
        signed, refused = sign_unsigned(session, signer.signing_key,
                                        BlobStore(current_app.config["WITNESSBOX"].blob_dir),
                                        progress)
    click.echo(f"{signed} case receipt(s) signed")
    for public_id in refused:
        click.echo(f"NOT SIGNED: {public_id}: its ciphertext does not match its recorded hashes",
                   err=True)
    if refused:
        raise SystemExit(1)


@main.group()
def totp() -> None:
    """Two-factor (TOTP) seeds."""


@totp.command("rekey")
@with_appcontext
def totp_rekey() -> None:
    """Re-seal every TOTP seed under the first of totp_seed_keys.

    One transaction. Afterwards the other keys can be removed from the list. Prints only counts.
    """
    from app.auth.totp import rekey_all

    with new_session() as session, unit_of_work(session):
        counts = rekey_all(session, current_app.config["WITNESSBOX"].totp_seed_keys)
    click.echo(f"{counts.resealed} TOTP seed(s) re-sealed under the first key")
    if counts.unreadable:
        click.echo(f"{counts.unreadable} seed(s) open with no configured key; left as they were",
                   err=True)
        raise SystemExit(1)


@main.group()
def audit() -> None:
    """The tamper-evident audit log."""


@audit.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Check the hash chain; exit 1 listing every break.

    Exit code 0 means the chain and its head agree.
    """
    from app.audit.service import verify

    with new_session() as session:
        result = verify(session)
    if result.ok:
        click.echo(f"audit log intact: {result.events} events, chain and head agree")
        return
    for problem in result.problems:
        click.echo(f"TAMPERED: {problem}", err=True)
    raise SystemExit(1)


@audit.command("keygen", with_appcontext=False)
@click.argument("path", type=click.Path(dir_okay=False))
def audit_keygen(path: str) -> None:
    """Write a new signing key (0600) to PATH; print its public key.

    Needs no configuration: run it before the first start. Never overwrites.
    """
    from app.audit.keyfile import public_key_text, write_new_signing_key

    try:
        key = write_new_signing_key(path)
    except FileExistsError:
        raise click.ClickException(f"{path} exists already; not overwriting a key") from None
    except OSError as exc:
        raise click.ClickException(f"could not write {path}: {exc.strerror}") from None
    click.echo(f"audit signing key written to {path}")
    click.echo(f"public key: {public_key_text(key.verify_key)}")


@audit.command("checkpoint")
@with_appcontext
def audit_checkpoint() -> None:
    """Sign the chain's current head (run it from cron, e.g. hourly).

    Refuses, and exits 1, when the events since the last checkpoint do not verify.
    """
    from app.audit.checkpoints import ChainBroken, checkpoint_head

    with new_session() as session, unit_of_work(session):  # SystemExit abandons it
        try:
            checkpoint, new = checkpoint_head(session)
        except ChainBroken as exc:
            click.echo(f"TAMPERED: {exc}", err=True)
            raise SystemExit(1) from None
    if checkpoint is None:
        click.echo("the audit log is empty; nothing to sign")
    elif new:
        click.echo(f"signed checkpoint at event {checkpoint.seq}")
    else:
        click.echo(f"event {checkpoint.seq} (the head) is signed already")


if __name__ == "__main__":
    sys.exit(main())
