"""``witnessbox backup create | verify | restore`` (the server operator's tool).

See docs/operations.md ("Backups") for what an archive holds, what it does
not, and how a restore keeps crypto-shredded cases gone.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from alembic.script.revision import ResolutionError
from alembic.util import CommandError as AlembicCommandError
from flask import current_app
from flask.cli import ScriptInfo, with_appcontext

import crypto
from app import shred_list
from app.audit import service as audit
from app.audit.checkpoints import AuditSigner
from app.audit.keyfile import parse_public_key
from app.backup import service
from app.backup.archive import BackupError
from app.config import PROJECT_ROOT, Settings
from app.db import get_engine, new_session
from app.storage import BlobStore
from app.unit_of_work import unit_of_work


@click.group("backup")
def backup_cli() -> None:
    """Sealed backups of the database and blobs."""


@contextmanager
def _stoppable() -> Iterator[None]:
    """SIGTERM (systemd stopping the unit) as SystemExit, so that the private
    temporary directory holding the database copy is removed on the way out;
    Python's default would end the process without running any ``finally``.
    pyrage may turn the SystemExit into an error of its own when the signal
    arrives inside it, hence the flag."""
    stopped = False

    def stop(_signal: int, _frame: object) -> None:
        nonlocal stopped
        stopped = True
        raise SystemExit(143)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    except BaseException:
        if stopped:
            raise SystemExit(143) from None
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)


def _software_version() -> str:
    try:
        return metadata.version("witnessbox")
    except metadata.PackageNotFoundError:
        return "unknown"


def _signer() -> AuditSigner:
    signer: AuditSigner = current_app.extensions["witnessbox.audit_signer"]
    return signer


def _identities(path: str) -> list[crypto.Identity]:
    try:
        return [crypto.parse_identity(Path(path).read_bytes())]
    except crypto.CryptoError:
        raise click.ClickException(f"--identity: {path} holds no age secret key "
                                   "(AGE-SECRET-KEY-1...)") from None


def _checkpoint_log(settings: Settings) -> Path | None:
    return Path(settings.audit_checkpoint_log) if settings.audit_checkpoint_log else None


def _fail(path: str, error: BackupError) -> click.ClickException:
    return click.ClickException(f"backup {path}: {error}")


@backup_cli.command("create")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False),
              help="The archive to write (mode 0600); never overwritten.")
@click.option("--recipient", "recipients", multiple=True, metavar="AGE_RECIPIENT",
              help="Also seal to this age recipient (age1...), e.g. an off-site key. Repeatable.")
@click.option("--no-organisation-recipients", is_flag=True,
              help="Seal to the --recipient keys only, not to every organisation's recovery "
                   "recipient (an instance shared by organisations).")
@with_appcontext
def backup_create(output: str, recipients: tuple[str, ...],
                  no_organisation_recipients: bool) -> None:
    """Write one consistent, sealed archive of the database and blobs.

    Sealed with age to every organisation's recovery recipient and to each
    --recipient; the manifest is signed with the audit signing key."""
    settings: Settings = current_app.config["WITNESSBOX"]
    try:
        extra = [crypto.parse_recipient(text) for text in recipients]
    except crypto.CryptoError:
        raise click.ClickException("--recipient: expected an age recipient (age1...)") from None
    try:
        with _stoppable():
            created = service.create_backup(
                get_engine(), BlobStore(settings.blob_dir), Path(output),
                signing_key=_signer().signing_key, software_version=_software_version(),
                extra_recipients=extra,
                organisation_recipients=not no_organisation_recipients,
                checkpoint_log=_checkpoint_log(settings))
    except BackupError as error:
        raise _fail(output, error) from None
    counts = created.manifest["counts"]
    with new_session() as session, unit_of_work(session):
        audit.record(session, audit.Action.BACKUP_CREATED, target="instance",
                     archive_sha256=created.sha256, cases=counts["cases"],
                     blobs=counts["blobs"], recipients=len(created.manifest["sealed_to"]),
                     audit_head_seq=counts["audit_head_seq"])
    click.echo(f"backup written to {created.path} ({created.size} bytes, mode 0600)")
    click.echo(f"  {counts['cases']} case(s), {counts['blobs']} blob(s), "
               f"{counts['audit_events']} audit event(s); sealed to "
               f"{len(created.manifest['sealed_to'])} recipient(s)")
    if created.manifest["vanished_cases"]:
        click.echo(f"  {len(created.manifest['vanished_cases'])} case(s) deleted while the "
                   "backup ran are marked for deletion on restore")
    click.echo(f"  sha256 {created.sha256}")


@backup_cli.command("verify")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--identity", "-i", "identity_file", required=True,
              type=click.Path(dir_okay=False), help="An age identity file the backup is "
              "sealed to (an organisation's recovery identity, or the off-site key).")
@click.option("--public-key", "public_keys", multiple=True, metavar="BASE64",
              help="Accept a manifest signed by this audit signing public key (as `audit "
                   "keygen` printed it) instead of the configured keys; then no "
                   "configuration is needed (an off-site machine). Repeatable.")
def backup_verify(file: str, identity_file: str, public_keys: tuple[str, ...]) -> None:
    """Decrypt FILE and check every member against the signed manifest.

    Restores nothing. Exit code 1, with one line saying why, for a backup
    that is damaged, changed, cut short or not signed by an accepted key."""
    identities = _identities(identity_file)
    if public_keys:
        accepted = [parse_public_key(key) for key in public_keys]
    else:
        info = click.get_current_context().ensure_object(ScriptInfo)
        with info.load_app().app_context():
            accepted = list(_signer().accepted_keys)
    try:
        checked = service.verify_backup(Path(file), identities, accepted)
    except BackupError as error:
        raise _fail(file, error) from None
    manifest = checked.manifest
    counts = manifest["counts"]
    click.echo(f"backup {file} intact: {len(manifest['members'])} member(s) match the "
               f"manifest signed by {checked.signer}")
    click.echo(f"  taken {manifest['created_at']} by witnessbox {manifest['software_version']} "
               f"({manifest['database']['kind']}): {counts['cases']} case(s), "
               f"{counts['blobs']} blob(s), {counts['audit_events']} audit event(s)")


def _alembic(database_url: str) -> AlembicConfig:
    # app.cli's alembic_config, repeated: app.cli imports this module.
    config = AlembicConfig(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def _known_schema(database_url: str) -> Callable[[dict[str, Any]], None]:
    """Refuse a backup whose schema this version's migrations do not know
    (made by a newer version): checked before anything is loaded."""
    def accept(manifest: dict[str, Any]) -> None:
        revision = manifest["database"].get("schema_revision")
        if revision is None:
            return
        try:
            ScriptDirectory.from_config(_alembic(database_url)).get_revision(revision)
        except (AlembicCommandError, ResolutionError, KeyError):
            raise BackupError(
                f"its schema revision {revision} is unknown to this version of Witnessbox "
                f"(the backup was made by {manifest.get('software_version')}): install that "
                "version or a newer one") from None
    return accept


@backup_cli.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--identity", "-i", "identity_file", required=True,
              type=click.Path(dir_okay=False), help="An age identity file the backup is "
              "sealed to.")
@with_appcontext
def backup_restore(file: str, identity_file: str) -> None:
    """Restore FILE into this empty instance; re-delete shredded cases.

    Refuses unless the database has no tables and blob_dir is empty. After
    loading: migrates the schema to this version, deletes every case on the
    shred list (shred_list_file) again, and verifies the audit log."""
    settings: Settings = current_app.config["WITNESSBOX"]
    identities = _identities(identity_file)
    blob_store = BlobStore(settings.blob_dir)
    try:
        with _stoppable():
            restored = service.restore_backup(
                Path(file), identities, _signer().accepted_keys, get_engine(),
                Path(settings.blob_dir), _checkpoint_log(settings),
                _known_schema(settings.database_url))
    except BackupError as error:
        raise _fail(file, error) from None
    manifest = restored.manifest
    click.echo(f"restored the database ({manifest['database']['kind']}) and "
               f"{restored.blobs} blob(s) of the backup taken {manifest['created_at']}")
    command.upgrade(_alembic(settings.database_url), "head")
    shredded = {entry.case for entry in shred_list.read(settings.shred_list_file)}
    again = shredded | set(manifest.get("vanished_cases", []))
    with new_session() as session, unit_of_work(session):
        deleted = service.delete_shredded_cases(session, blob_store, again)
        audit.record(session, audit.Action.BACKUP_RESTORED, target="instance",
                     backup_created_at=manifest["created_at"],
                     backup_audit_head_seq=manifest["counts"]["audit_head_seq"],
                     shredded_again=len(deleted), blobs=restored.blobs)
    click.echo(f"{len(deleted)} crypto-shredded case(s) deleted again "
               f"({len(shredded)} on the shred list {settings.shred_list_file})")
    with new_session() as session:
        missing = service.missing_blobs(session, blob_store)
        result = audit.verify(session)
    if missing:
        click.echo(f"MISSING: {len(missing)} blob(s) the database names are not in the "
                   "blob store", err=True)
    if not result.ok:
        for problem in result.problems:
            click.echo(f"TAMPERED: {problem}", err=True)
    if missing or not result.ok:
        raise SystemExit(1)
    click.echo(f"audit log intact: {result.events} events, chain and head agree")
