"""Making deleted rows' bytes go from the database files, after a shredding commits.

SQLite: every connection runs with ``PRAGMA secure_delete=ON`` (app.db), so
a deletion overwrites the deleted content with zeros in the database file
itself, free pages included. What remains is the write-ahead log if the
database runs in WAL mode: older frames there still hold the pages as they
were, so the log is checkpointed and truncated.

PostgreSQL: a deleted row stays in its page as a dead tuple until VACUUM,
and even then plain VACUUM only marks the space free: bytes of large values
(stored out of line, in TOAST) were seen surviving it in the table's file.
``VACUUM FULL`` rewrites each table into a new file and drops the old one;
it locks the table while it runs, so a deletion from a page leaves it to
the nightly ``witnessbox retention run`` (which knows from the audit log
that a scrub is pending). VACUUM also keeps whatever an older snapshot can
still see (a pg_dump, an ANALYZE running at the time): the scrub waits for
those, and if they outlast the wait it is not recorded as done, so the next
run repeats it. None of this reaches the WAL, replicas, base backups or the
filesystem's free blocks: see docs/operations.md, "Retention and
crypto-shredding".

Runs outside any unit of work (VACUUM cannot run in a transaction), on its
own autocommit connection.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.models import AuditEvent

# Every table a shredded case or a deleted organisation had rows in.
CASE_TABLES = ("case_key_wrap", "sealed_object", "case_note", "redaction_version",
               "case_grant", "case_cluster_member", "case_indicator", "case_record")
ORGANISATION_TABLES = (*CASE_TABLES, "member_key", "unlocked_key", "membership", "invitation",
                       "export_bundle", "case_cluster", "retention_rule", "recovery_code",
                       "sign_in_session", "user_account", "organisation")


# How long VACUUM waits for one table's lock before it skips the table.
LOCK_TIMEOUT = "10s"


class Vacuum(enum.StrEnum):
    FULL = "full"
    PLAIN = "plain"
    NONE = "none"


@dataclass(frozen=True)
class Scrubbed:
    line: str       # what was done, for the command's output
    complete: bool  # False: something may remain until the next scrub


def _older_snapshots(connection: Connection) -> int:
    """Other sessions of this database holding a snapshot older than now."""
    return int(connection.execute(text(
        "select count(*) from pg_stat_activity where datname = current_database() "
        "and pid <> pg_backend_pid() and backend_xmin is not null "
        "and xact_start < statement_timestamp()")).scalar_one())


def scrub(engine: Engine, vacuum: Vacuum, tables: tuple[str, ...] = CASE_TABLES,
          *, wait_seconds: float = 60.0) -> Scrubbed:
    """Do what the backend needs and say what was done."""
    if vacuum is Vacuum.NONE:
        return Scrubbed("storage: not vacuumed (--vacuum none)", False)
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            busy, _frames, _done = connection.exec_driver_sql(
                "PRAGMA wal_checkpoint(TRUNCATE)").one()
        if busy:
            return Scrubbed("storage: SQLite overwrote the deleted content (secure_delete); "
                            "the write-ahead log is in use and was not truncated", False)
        return Scrubbed("storage: SQLite overwrote the deleted content (secure_delete); "
                        "WAL checkpointed", True)
    if engine.dialect.name == "postgresql":
        full = vacuum is Vacuum.FULL
        autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        skipped: list[str] = []
        with autocommit.connect() as connection:
            deadline = time.monotonic() + wait_seconds
            while (older := _older_snapshots(connection)) and time.monotonic() < deadline:
                time.sleep(0.5)
            # VACUUM FULL waits for every open transaction that touched the
            # table, and every later query on it waits behind VACUUM: a bounded
            # wait per table keeps one idle session from stalling the site.
            connection.exec_driver_sql(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
            for table in tables:  # names are this module's constants, never input
                try:
                    connection.exec_driver_sql(f"VACUUM {'FULL ' if full else ''}{table}")
                except OperationalError:
                    skipped.append(table)
        done = f"storage: PostgreSQL VACUUM {'FULL ' if full else ''}of {len(tables)} table(s)"
        if skipped:
            return Scrubbed(f"{done}; {len(skipped)} table(s) busy and skipped "
                            f"({', '.join(skipped)}): the next run tries again", False)
        if older:
            return Scrubbed(f"{done}; {older} older transaction(s) still open, so rows they "
                            "could see may remain until the next run", False)
        return Scrubbed(done, full)
    return Scrubbed(f"storage: no scrubbing known for {engine.dialect.name}", False)


def scrub_pending(session: Session) -> bool:
    """Whether a case or an organisation was shredded since the last full scrub."""
    last_shred = session.scalar(select(func.max(AuditEvent.seq)).where(
        AuditEvent.action.in_((audit.Action.CASE_SHREDDED.value,
                               audit.Action.ORG_DELETED.value))))
    if last_shred is None:
        return False
    last_scrub = session.scalar(select(func.max(AuditEvent.seq)).where(
        AuditEvent.action == audit.Action.STORAGE_SCRUBBED.value)) or 0
    return last_shred > last_scrub


def record_scrub(session: Session, vacuum: Vacuum, backend: str) -> None:
    audit.record(session, audit.Action.STORAGE_SCRUBBED, target="database",
                 vacuum=vacuum.value, backend=backend)
