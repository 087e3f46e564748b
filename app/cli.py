"""The ``witnessbox`` console command: a Flask CLI group for admin tasks."""

from __future__ import annotations

import sys
import time

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from app import create_app
from app.config import PROJECT_ROOT
from app.db import new_session
from app.exports.cli import export_cli
from app.models import SealedObject
from app.orgs.cli import org_cli
from app.redaction.cli import redact_cli
from app.storage import BlobStore
from app.unit_of_work import unit_of_work


def alembic_config(database_url: str) -> AlembicConfig:
    config = AlembicConfig(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    # Percent signs in URLs (encoded passwords) would be read as interpolation.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def _create_app() -> Flask:
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False)
def main() -> None:
    """Witnessbox administration.

    Each command is one unit of work: it commits once at its end, or not at all.
    """


@main.group()
def db() -> None:
    """Database schema (Alembic migrations are the only way it is created)."""


@db.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    command.upgrade(alembic_config(current_app.config["WITNESSBOX"].database_url), revision)


@db.command("downgrade")
@click.argument("revision", default="base")
@with_appcontext
def db_downgrade(revision: str) -> None:
    command.downgrade(alembic_config(current_app.config["WITNESSBOX"].database_url), revision)


@main.group()
def demo() -> None:
    """The demonstration organisation."""


@demo.command("bootstrap")
@click.option("--if-missing", is_flag=True, help="Do nothing if the demo organisation exists.")
@with_appcontext
def demo_bootstrap(if_missing: bool) -> None:
    """Create the demo organisation and print its secrets exactly once."""
    from app.models import Organisation
    from app.orgs.service import bootstrap_demo

    with new_session() as session, unit_of_work(session):
        if session.scalar(select(Organisation).where(Organisation.slug == "demo")):
            if if_missing:
                click.echo("Demo organisation exists; its secrets were printed when it was made.")
                return
            raise click.ClickException("the demo organisation exists already")
        credentials = bootstrap_demo(session)
    out = click.echo
    out("\n=== Witnessbox demo organisation — these secrets are shown ONCE ===")
    for email, password in credentials.passwords.items():
        out(f"  {email:40} password: {password}")
    for email, passphrase in credentials.passphrases.items():
        out(f"  {email:40} key passphrase: {passphrase}")
    out("\n  Offline recovery identity (store it offline; the server keeps only its")
    out("  public half, and without it a lost key means lost cases):\n")
    out(credentials.recovery_identity.to_age_identity_file().decode("ascii"))
    out("Passwords must be changed at first sign-in.\n")


@main.group()
def blobs() -> None:
    """The ciphertext blob store."""


@blobs.command("gc")
@click.option("--dry-run", is_flag=True)
@click.option("--min-age-minutes", default=60, show_default=True,
              help="Spare younger files: they may belong to an upload still streaming in.")
@with_appcontext
def blobs_gc(dry_run: bool, min_age_minutes: int) -> None:
    """Delete blob files no sealed object refers to (left by a crash mid-intake)."""
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


@main.group("cases")
def cases_group() -> None:
    """Sealed cases."""


@cases_group.command("sign-receipts")
@with_appcontext
def cases_sign_receipts() -> None:
    """Sign the receipts of cases filed before receipts were signed (run once after
    upgrading): a case without a signed receipt does not open. Cases whose
    ciphertext no longer matches its recorded hashes are listed, not signed."""
    from app.cases.receipts import sign_unsigned

    signer = current_app.extensions["witnessbox.audit_signer"]
    with new_session() as session, unit_of_work(session):
        signed, refused = sign_unsigned(session, signer.signing_key,
                                        BlobStore(current_app.config["WITNESSBOX"].blob_dir))
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
    """Re-seal every TOTP seed under the first of totp_seed_keys, in one transaction.

    Afterwards the other keys can be removed from the list. Prints only counts.
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
    """Check the hash chain; exit 1 and list every break if it was tampered with."""
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
    """Write a new audit signing key to PATH (mode 0600) and print its public key.

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
