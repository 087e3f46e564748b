"""Consistent database snapshots for backups, and loading one into an empty database.

SQLite: the online backup API copies the live database page by page in one
step, under a read lock, into a file in a private temporary directory.
PostgreSQL: a REPEATABLE READ transaction exports its snapshot and
``pg_dump --snapshot`` dumps exactly that; the list of blobs is read in the
same transaction, so the dump and the blobs copied agree.

Either way the blob list (and the counts of the manifest) come from the
snapshot itself, never from the live database that moved on meanwhile.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.request import pathname2url

from sqlalchemy import Connection, Engine, create_engine, func, inspect, select, text
from sqlalchemy.engine import URL, make_url

from app.backup.archive import BackupError
from app.models import (
    AuditEvent,
    AuditHead,
    Case,
    Membership,
    Organisation,
    SealedObject,
    Storage,
    User,
)


@dataclass(frozen=True)
class BlobRow:
    blob_path: str
    size: int
    sha256: str
    case_id: int
    case_public_id: str


@dataclass(frozen=True)
class Snapshot:
    kind: str  # "sqlite" or "postgresql"
    path: Path  # the database copy or dump, in the private temporary directory
    blobs: list[BlobRow]
    counts: dict[str, int]
    recipients: list[str]
    schema_revision: str | None
    tool_version: str | None = None


def kind_of(engine: Engine) -> str:
    name = engine.dialect.name
    if name not in {"sqlite", "postgresql"}:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {name}")
    return name


def _describe(connection: Connection) -> tuple[list[BlobRow], dict[str, int], list[str],
                                               str | None]:
    blobs = [BlobRow(str(path), size, sha256, case_id, public_id)
             for path, size, sha256, case_id, public_id in connection.execute(
                 select(SealedObject.blob_path, SealedObject.size, SealedObject.sha256,
                        Case.id, Case.public_id)
                 .join(Case, Case.id == SealedObject.case_id)
                 .where(SealedObject.storage == Storage.BLOB,
                        SealedObject.blob_path.is_not(None))
                 .order_by(SealedObject.blob_path))]

    def count(model: Any) -> int:
        return int(connection.scalar(select(func.count()).select_from(model)) or 0)

    head = connection.scalar(select(AuditHead.last_seq).where(AuditHead.id == 1))
    counts = {"organisations": count(Organisation), "users": count(User),
              "memberships": count(Membership), "cases": count(Case),
              "sealed_objects": count(SealedObject), "blobs": len(blobs),
              "audit_events": count(AuditEvent), "audit_head_seq": int(head or 0)}
    recipients = sorted(set(connection.scalars(select(Organisation.recovery_recipient))))
    revision = None
    if inspect(connection).has_table("alembic_version"):
        revision = connection.scalar(text("select version_num from alembic_version"))
    return blobs, counts, recipients, revision


def take_snapshot(engine: Engine, workdir: Path) -> Snapshot:
    """Copy or dump the database into ``workdir`` (a private temporary directory)."""
    kind = kind_of(engine)
    if kind == "sqlite":
        return _sqlite_snapshot(engine, workdir)
    return _postgres_snapshot(engine, workdir)


def _private_file(path: Path) -> None:
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_snapshot(engine: Engine, workdir: Path) -> Snapshot:
    source_path = engine.url.database
    if not source_path or source_path == ":memory:" or not Path(source_path).exists():
        raise BackupError(f"the SQLite database {source_path!r} is not a file")
    copy = workdir / "witnessbox.sqlite3"
    _private_file(copy)
    read_only = f"file:{pathname2url(str(Path(source_path).resolve()))}?mode=ro"
    with contextlib.closing(sqlite3.connect(read_only, uri=True)) as live, \
            contextlib.closing(sqlite3.connect(copy)) as target:
        live.backup(target)  # every page in one step: one consistent state
    reader = create_engine(f"sqlite:///{copy}")
    try:
        with reader.connect() as connection:
            blobs, counts, recipients, revision = _describe(connection)
    finally:
        reader.dispose()
    return Snapshot("sqlite", copy, blobs, counts, recipients, revision,
                    tool_version=f"sqlite {sqlite3.sqlite_version}")


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"`{name}` is missing: install the Debian package postgresql-client "
                          "(scripts/install-system-deps.sh)")
    return path


def libpq_target(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment that
    carries it: a password on a command line is visible to every local user."""
    # The other PG* variables stay: psycopg (libpq) honours them for the app too.
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _first_line(stderr: bytes) -> str:
    lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[0] if lines else "no message"


def _postgres_snapshot(engine: Engine, workdir: Path) -> Snapshot:
    dump = workdir / "witnessbox.pgdump"
    _private_file(dump)
    pg_dump = tool("pg_dump")
    target, env = libpq_target(engine.url)
    # Arguments are the resolved tool path and values from the configuration.
    version = subprocess.run([pg_dump, "--version"],  # noqa: S603
                             capture_output=True, text=True, check=False).stdout.strip()
    with engine.connect() as plain:
        connection = plain.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot_id = connection.scalar(text("select pg_export_snapshot()"))
            done = subprocess.run(  # noqa: S603
                [pg_dump, "--format=custom", "--no-owner", "--no-privileges",
                 f"--snapshot={snapshot_id}", f"--file={dump}", f"--dbname={target}"],
                env=env, capture_output=True, check=False)
            if done.returncode != 0:
                raise BackupError(f"pg_dump failed: {_first_line(done.stderr)}")
            blobs, counts, recipients, revision = _describe(connection)
    return Snapshot("postgresql", dump, blobs, counts, recipients, revision,
                    tool_version=version)


def table_names(engine: Engine) -> list[str]:
    return sorted(inspect(engine).get_table_names())


def load(engine: Engine, kind: str, path: Path) -> None:
    """Load the snapshot at ``path`` into the (empty) database of ``engine``."""
    if kind != kind_of(engine):
        raise BackupError(f"this backup is of a {kind} database; the configured database is "
                          f"{kind_of(engine)} (restore into the same kind)")
    engine.dispose()  # nothing of the app holds the database while it is replaced
    if kind == "sqlite":
        database = engine.url.database
        assert database  # checked by kind_of/_sqlite_snapshot's rules
        with contextlib.closing(sqlite3.connect(path)) as source, \
                contextlib.closing(sqlite3.connect(database)) as restored:
            source.backup(restored)
        return
    pg_restore = tool("pg_restore")
    target, env = libpq_target(make_url(engine.url))
    done = subprocess.run(  # noqa: S603 - the resolved tool path and configured values
        [pg_restore, "--no-owner", "--no-privileges", "--single-transaction",
         "--exit-on-error", f"--dbname={target}", str(path)],
        env=env, capture_output=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {_first_line(done.stderr)}")
