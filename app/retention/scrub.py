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
it locks the table while it runs, so the web deletion runs plain VACUUM
and the nightly ``witnessbox retention run`` the full one. Neither reaches
the WAL, replicas, base backups or the filesystem's free blocks: see
docs/operations.md, "Retention and crypto-shredding".

Runs outside any unit of work (VACUUM cannot run in a transaction), on its
own autocommit connection.
"""

from __future__ import annotations

import enum

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.models import AuditEvent

# Every table a shredded case or a deleted organisation had rows in.
CASE_TABLES = ("case_key_wrap", "sealed_object", "case_note", "redaction_version",
               "case_grant", "case_cluster_member", "case_indicator", "case_record")
ORGANISATION_TABLES = (*CASE_TABLES, "member_key", "unlocked_key", "membership", "invitation",
                       "export_bundle", "case_cluster", "retention_rule", "recovery_code",
                       "sign_in_session", "user_account", "organisation")


class Vacuum(enum.StrEnum):
    FULL = "full"
    PLAIN = "plain"
    NONE = "none"


def scrub(engine: Engine, vacuum: Vacuum, tables: tuple[str, ...] = CASE_TABLES) -> str:
    """Do what the backend needs; return one line saying what was done."""
    if vacuum is Vacuum.NONE:
        return "storage: not vacuumed (--vacuum none)"
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            busy, _frames, _done = connection.exec_driver_sql(
                "PRAGMA wal_checkpoint(TRUNCATE)").one()
        if busy:
            return ("storage: SQLite overwrote the deleted content (secure_delete); the "
                    "write-ahead log is in use and was not truncated: run again later")
        return "storage: SQLite overwrote the deleted content (secure_delete); WAL truncated"
    if engine.dialect.name == "postgresql":
        full = vacuum is Vacuum.FULL
        autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        with autocommit.connect() as connection:
            # Table names are this module's constants, never input.
            connection.exec_driver_sql(
                f"VACUUM {'FULL ' if full else ''}{', '.join(tables)}")
        return (f"storage: PostgreSQL VACUUM {'FULL ' if full else ''}of "
                f"{len(tables)} table(s) done")
    return f"storage: no scrubbing known for {engine.dialect.name}"


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
