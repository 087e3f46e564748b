"""``witnessbox retention run``: apply every organisation's retention rules.

Meant for a nightly timer (deploy/witnessbox-retention.timer). Each case is
shredded in a unit of work of its own, judged again with its row locked, so
one refusal or failure stops nothing else. Output names public ids,
statuses and reason codes, never content.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from app import shred_list
from app.config import Settings
from app.db import get_engine, new_session
from app.models import Organisation
from app.retention import scrub as storage
from app.retention.service import Applied, apply_one, due_cases
from app.retention.shredding import delete_blobs, leftover_blobs
from app.storage import BlobStore
from app.unit_of_work import unit_of_work

FC = TypeVar("FC", bound=Callable[..., Any])
VACUUM_HELP = ("After deleting: PostgreSQL VACUUM FULL (default; locks the tables while it "
               "runs), plain VACUUM, or none. SQLite: WAL checkpoint either way.")


@click.group("retention")
def retention_cli() -> None:
    """Retention rules and crypto-shredding."""


def vacuum_option() -> Callable[[FC], FC]:
    return click.option("--vacuum", type=click.Choice([v.value for v in storage.Vacuum]),
                        default=storage.Vacuum.FULL.value, show_default=True, help=VACUUM_HELP)


def scrub_after(vacuum: str, tables: tuple[str, ...] = storage.CASE_TABLES) -> None:
    """Scrub the database files, and record it, if anything was shredded
    since the last full scrub (a deletion from a page included)."""
    chosen = storage.Vacuum(vacuum)
    with new_session() as session:
        pending = storage.scrub_pending(session)
    if not pending or chosen is storage.Vacuum.NONE:
        if pending:
            click.echo("storage: not vacuumed (--vacuum none)")
        return
    engine = get_engine()
    done = storage.scrub(engine, chosen, tables)
    click.echo(done.line)
    if done.complete:
        with new_session() as session, unit_of_work(session):
            storage.record_scrub(session, chosen, engine.dialect.name)


@retention_cli.command("run")
@click.option("--org", "slug", default=None, help="Only this organisation (its slug).")
@click.option("--dry-run", is_flag=True, help="List what would be deleted; delete nothing.")
@vacuum_option()
@with_appcontext
def retention_run(slug: str | None, dry_run: bool, vacuum: str) -> None:
    """Crypto-shred the cases the retention rules delete now.

    Cases on legal hold are skipped, each with a line saying so. Also deletes
    blob files of shredded cases that a crash left behind.
    """
    settings: Settings = current_app.config["WITNESSBOX"]
    blobs = BlobStore(settings.blob_dir)
    now = datetime.now(UTC)
    leftovers = leftover_blobs(blobs, (entry.case for entry in
                                       shred_list.read(settings.shred_list_file)))
    if leftovers:
        if not dry_run:
            delete_blobs(blobs, leftovers)
        click.echo(f"{len(leftovers)} blob file(s) of shredded cases left by a crash "
                   f"{'would be deleted' if dry_run else 'deleted'}")
    with new_session() as session:
        query = select(Organisation.id, Organisation.slug).order_by(Organisation.slug)
        if slug is not None:
            query = query.where(Organisation.slug == slug)
        organisations = session.execute(query).all()
        if slug is not None and not organisations:
            raise click.ClickException(f"no organisation with slug {slug!r}")
        plans = [(org_slug, org_id, due_cases(session, org_id, now))
                 for org_id, org_slug in organisations]
    deleted = kept = 0
    for org_slug, org_id, due in plans:
        for item in due:
            if item.held is not None:
                kept += 1
                click.echo(f"{org_slug}: kept {item.public_id} ({item.status.value}; "
                           f"{item.why}): on legal hold ({item.held.value})")
                continue
            if dry_run:
                deleted += 1
                click.echo(f"{org_slug}: would delete {item.public_id} ({item.status.value}; "
                           f"{item.why}; reason {item.reason.value})")
                continue
            with new_session() as session, unit_of_work(session):
                applied: Applied | None = apply_one(
                    session, blobs, org_id, item.case_id, now,
                    shred_list_file=settings.shred_list_file)
            if applied is None:
                click.echo(f"{org_slug}: {item.public_id} is no longer due; kept")
            elif applied.receipt is None:
                kept += 1
                click.echo(f"{org_slug}: kept {item.public_id}: {applied.kept_because}")
            else:
                deleted += 1
                click.echo(f"{org_slug}: deleted {item.public_id} ({item.status.value}; "
                           f"{item.why}; reason {item.reason.value})")
    if dry_run:
        click.echo(f"dry run: {deleted} case(s) would be deleted, {kept} kept on legal hold; "
                   "nothing was deleted")
        return
    click.echo(f"retention run: {deleted} case(s) crypto-shredded, {kept} kept on legal hold")
    scrub_after(vacuum)
