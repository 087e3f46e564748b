"""``witnessbox export``: build, list and download bundles; verify one as a recipient would.

``verify`` needs no database, no configuration and no secrets: the group is a
plain click group, so the app is never built for it (``witnessbox`` builds
it only for commands wrapped in an app context, as ``build``, ``list`` and
``download`` are). Those import the
export machinery (PDF, statistics) only when they run, so that every other
``witnessbox`` command starts quickly.
"""

from __future__ import annotations

import shutil
import sys
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from app.db import new_session
from app.errors import NotFound
from app.exports.bag import verify_bag
from app.models import ExportPurpose, ExportStatus, Membership, Organisation, Role, User
from app.storage import BlobStore
from app.unit_of_work import unit_of_work
from crypto.errors import CryptoError
from crypto.minisign import MinisignPublicKey, parse_public_key


@click.group("export", help="Export bundles (signed BagIt bags).")
def export_cli() -> None:
    pass


@export_cli.command(
    "verify", short_help="Check a bundle's signature and files; needs no configuration.")
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option("--public-key", "public_key_path", metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="The exporting organisation's minisign public key, obtained out of "
                   "band. Without it, the bundle's own export-key.pub is used, which "
                   "proves integrity but not origin.")
def verify_command(bundle: Path, public_key_path: Path | None) -> None:
    """Check BUNDLE (a bag folder or its .tar): signature, manifests, extra files.

    Exits 0 when everything verifies, 1 with one line per problem otherwise
    (a missing bundle or key file included).
    """
    public_key: MinisignPublicKey | None = None
    if public_key_path is not None:
        try:
            public_key = parse_public_key(public_key_path.read_text(encoding="utf-8"))
        except (CryptoError, UnicodeDecodeError) as exc:
            click.echo(f"FAILED: {public_key_path}: not a minisign public key ({exc})",
                       err=True)
            raise SystemExit(1) from None
        except OSError as exc:
            click.echo(f"FAILED: {public_key_path}: {exc.strerror}", err=True)
            raise SystemExit(1) from None
    report = verify_bag(bundle, public_key)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not report.ok:
        for problem in report.problems:
            click.echo(f"FAILED: {problem}", err=True)
        raise SystemExit(1)
    click.echo(f"bundle verified: {report.payload_files} files, signed by key "
               f"{report.key_id}, trusted comment: {report.trusted_comment}")


def _admin(session: Session, org_slug: str, email: str) -> Membership:
    membership = session.scalar(select(Membership).join(Organisation).join(User).where(
        Organisation.slug == org_slug, User.email == email.strip().lower(),
        Membership.role == Role.ADMIN, Membership.active.is_(True)))
    if membership is None:
        raise click.ClickException(f"no active admin {email} in organisation {org_slug}")
    return membership


def _unlock(membership: Membership) -> crypto.Identity:
    key = membership.current_key
    if key is None:
        raise click.ClickException("this admin holds no key")
    passphrase = click.prompt("Key passphrase", hide_input=True)
    try:
        return crypto.unprotect_identity(key.protected_identity, passphrase)
    except crypto.CryptoError:
        raise click.ClickException("wrong passphrase") from None


@export_cli.command("build", short_help="Build an export (asks for your key passphrase).")
@click.option("--org", "org_slug", required=True, help="The organisation's short name (slug).")
@click.option("--admin", "email", required=True, help="Your e-mail: an admin of the organisation.")
@click.option("--purpose", required=True, type=click.Choice([p.value for p in ExportPurpose]))
@click.option("--sector", default="", help="Only cases of this sector (its code).")
@click.option("--indicator", default="", help="Only cases with this ILO indicator present.")
@click.option("--cluster", default="", help="Only the cases of this cluster.")
@click.option("--filed-from", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--filed-to", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--prosecutor", default="", help="The prosecutor's age public key "
              "(evidence packages).")
@click.option("--encrypt-to", default="", help="Encrypt the whole bundle to this age public key.")
@with_appcontext
def export_build(org_slug: str, email: str, purpose: str, sector: str, indicator: str,
                 cluster: str, filed_from: datetime | None, filed_to: datetime | None,
                 prosecutor: str, encrypt_to: str) -> None:
    """Build an export with your key (asks for its passphrase), with a progress bar.

    The bundle stays on the server; `witnessbox export download` writes it out
    once it may be downloaded (after a second admin's approval, if needed).
    """
    from app.exports import service
    from app.exports.selection import ExportScope

    settings = current_app.config["WITNESSBOX"]
    scope = ExportScope(sector=sector, indicator=indicator, cluster_public_id=cluster,
                        filed_from=filed_from.date() if filed_from else None,
                        filed_to=filed_to.date() if filed_to else None)
    with new_session() as session, unit_of_work(session):
        admin = _admin(session, org_slug, email)
        identity = _unlock(admin)
        with click.progressbar(length=1, label="Cases", file=sys.stderr) as bar:
            def progress(done: int, total: int) -> None:
                bar.length = total
                bar.update(done - bar.pos)
            try:
                export = service.create(
                    session, admin, identity, BlobStore(settings.blob_dir),
                    purpose=ExportPurpose(purpose), scope=scope,
                    export_dir=Path(settings.export_dir),
                    key_dir=Path(settings.export_key_dir),
                    prosecutor=crypto.parse_recipient(prosecutor) if prosecutor else None,
                    encrypt_to=crypto.parse_recipient(encrypt_to) if encrypt_to else None,
                    progress=progress)
            except (service.Refused, crypto.CryptoError) as exc:
                raise click.ClickException(str(exc)) from None
    click.echo(f"export {export.public_id}: {export.included_count} case(s) included, "
               f"{sum(export.excluded_counts.values())} left out "
               f"({', '.join(f'{k} {v}' for k, v in export.excluded_counts.items()) or 'none'})")
    if export.refusal:
        click.echo(f"REFUSED: {export.refusal}. Nothing was kept.", err=True)
        raise SystemExit(1)
    click.echo("awaiting a second admin's approval (on the Exports page)"
               if export.status is ExportStatus.AWAITING_APPROVAL
               else f"ready: witnessbox export download {export.public_id} ...")


@export_cli.command("list")
@click.option("--org", "org_slug", required=True)
@click.option("--admin", "email", required=True)
@with_appcontext
def export_list(org_slug: str, email: str) -> None:
    """The organisation's recent exports."""
    from app.exports import service
    with new_session() as session, unit_of_work(session):
        for export in service.list_exports(session, _admin(session, org_slug, email)):
            click.echo(f"{export.public_id}  {export.created_at:%Y-%m-%d %H:%M}  "
                       f"{export.purpose.value:18} {export.included_count:6} case(s)  "
                       f"{export.status.value}")


@export_cli.command("download")
@click.argument("public_id")
@click.option("--org", "org_slug", required=True)
@click.option("--admin", "email", required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
@with_appcontext
def export_download(public_id: str, org_slug: str, email: str, output: str) -> None:
    """Write an export's bundle to a file (audited as a download)."""
    from app.exports import service
    settings = current_app.config["WITNESSBOX"]
    with new_session() as session, unit_of_work(session):
        admin = _admin(session, org_slug, email)
        try:
            path = service.open_bundle(session, admin,
                                       service.get_export(session, admin, public_id),
                                       Path(settings.export_dir))
        except service.Refused as exc:
            raise click.ClickException(str(exc)) from None
        except NotFound:
            raise click.ClickException(f"no export {public_id}") from None
    shutil.copyfile(path, output)
    click.echo(f"written to {output}")
