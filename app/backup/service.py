"""Backups that restore: create, verify and restore one sealed archive.

``create_backup`` snapshots the database (app.backup.database), then streams
a tar of the snapshot and of every blob the snapshot refers to
(app.backup.archive) through age into the output file. Plaintext of the
database exists only in a private (0700) temporary directory, removed
whatever happens; the tar itself is never on disk or whole in memory.

Why the blobs match the snapshot. Blobs are write-once: intake creates each
file exclusively, writes and fsyncs it before the row naming it commits, and
nothing rewrites it. So every blob a committed row names was complete when
the snapshot was taken, and blobs newer than the snapshot (an upload still
streaming, a crash's orphan) are not named and not copied. Each copied file
is hashed as it streams and compared with the SHA-256 its row records: a
damaged blob store fails the backup rather than hiding in it. A blob named
by the snapshot but deleted before it was copied belongs to a case shredded
meanwhile; if that case is gone from the live database it is listed in the
manifest (``vanished_cases``) and restore deletes it, otherwise the blob
store is damaged and the backup fails.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, BinaryIO

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

import crypto
from app.backup import archive, database
from app.backup.archive import BackupError, Checked, MemberSource
from app.backup.database import Snapshot
from app.models import Case, SealedObject
from app.storage import BlobStore, make_private_dirs
from app.unit_of_work import on_commit

# Ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits.
_ID_BATCH = 500


@dataclass(frozen=True)
class Created:
    path: Path
    size: int
    sha256: str
    manifest: dict[str, Any]


class _HashingSink:
    def __init__(self, sink: BinaryIO) -> None:
        self._sink = sink
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        written = self._sink.write(data)
        self.digest.update(data[:written])
        self.size += written
        return written


def _recipients(snapshot: Snapshot, extra: Sequence[crypto.Recipient],
                organisation_recipients: bool) -> list[crypto.Recipient]:
    chosen = [crypto.parse_recipient(text) for text in snapshot.recipients] \
        if organisation_recipients else []
    chosen.extend(extra)
    unique = list(dict.fromkeys(chosen))
    if not unique:
        raise BackupError("nobody could open this backup: the instance has no organisation "
                          "(no recovery recipient) and no --recipient was given")
    return unique


def _blob_members(snapshot: Snapshot, blobs: BlobStore, case_exists: Callable[[int], bool],
                  vanished: set[str]) -> Iterator[MemberSource]:
    for row in snapshot.blobs:
        if row.case_public_id in vanished:
            continue
        try:
            handle = blobs.open(row.blob_path)
        except FileNotFoundError:
            if case_exists(row.case_id):
                raise BackupError(f"blob {row.blob_path} of case {row.case_public_id} is "
                                  "missing from the blob store (damaged store)") from None
            vanished.add(row.case_public_id)  # shredded while the backup ran
            continue
        size = os.fstat(handle.fileno()).st_size
        if size != row.size:
            handle.close()
            raise BackupError(f"blob {row.blob_path} of case {row.case_public_id} has "
                              f"{size} bytes, not the {row.size} its row records")

        def check(sha256: str, row: database.BlobRow = row) -> None:
            if sha256 != row.sha256:
                raise BackupError(f"blob {row.blob_path} of case {row.case_public_id} does "
                                  "not match the SHA-256 its row records (damaged store)")

        def opened(handle: IO[bytes] = handle) -> IO[bytes]:
            return handle

        yield MemberSource(archive.BLOB_PREFIX + row.blob_path, size, opened, check)


def _manifest(snapshot: Snapshot, written: archive.Written, created_at: datetime,
              software_version: str, recipients: Sequence[crypto.Recipient],
              vanished: Iterable[str]) -> dict[str, Any]:
    counts = dict(snapshot.counts)
    counts["blobs"] = sum(1 for m in written.members if m["name"].startswith("blobs/"))
    return {
        "format": archive.FORMAT,
        "format_version": archive.FORMAT_VERSION,
        "created_at": created_at.isoformat(timespec="seconds"),
        "software_version": software_version,
        "database": {"kind": snapshot.kind, "member": archive.DATABASE_MEMBERS[snapshot.kind],
                     "schema_revision": snapshot.schema_revision,
                     "tool": snapshot.tool_version},
        "counts": counts,
        "sealed_to": [str(recipient) for recipient in recipients],
        "vanished_cases": sorted(vanished),
        "members": written.members,
    }


def create_backup(engine: Engine, blobs: BlobStore, output: Path, *,
                  signing_key: crypto.SigningKey, software_version: str,
                  extra_recipients: Sequence[crypto.Recipient] = (),
                  organisation_recipients: bool = True,
                  checkpoint_log: Path | None = None) -> Created:
    """Write the sealed archive to ``output`` (mode 0600, never overwriting).

    ``checkpoint_log`` (the audit_checkpoint_log file) is copied *before* the
    snapshot: checkpoints are appended after their transaction commits, so
    the copy holds only checkpoints the snapshot has too (perhaps not the
    newest), which is what `audit verify` accepts on the restored instance.
    """
    output = Path(output)
    if output.exists():
        raise BackupError(f"{output} exists already; not overwriting a backup")
    if not output.parent.is_dir():
        raise BackupError(f"{output.parent} is not a directory")

    def case_exists(case_id: int) -> bool:
        with engine.connect() as connection:
            return connection.scalar(select(Case.id).where(Case.id == case_id)) is not None

    created_at = datetime.now(UTC)
    workdir = Path(tempfile.mkdtemp(prefix="witnessbox-backup-"))  # 0700
    temporary = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    try:
        log_copy = None
        if checkpoint_log is not None and checkpoint_log.exists():
            log_copy = workdir / "checkpoints.jsonl"
            _private_copy(checkpoint_log, log_copy)
        snapshot = database.take_snapshot(engine, workdir)
        recipients = _recipients(snapshot, extra_recipients, organisation_recipients)
        vanished: set[str] = set()
        final: dict[str, Any] = {}
        members = [MemberSource(archive.DATABASE_MEMBERS[snapshot.kind],
                                snapshot.path.stat().st_size,
                                lambda: snapshot.path.open("rb"))]
        if log_copy is not None:
            members.append(MemberSource(archive.CHECKPOINT_LOG, log_copy.stat().st_size,
                                        lambda: log_copy.open("rb")))

        def all_members() -> Iterator[MemberSource]:
            yield from members
            yield from _blob_members(snapshot, blobs, case_exists, vanished)

        def finish(written: archive.Written) -> list[tuple[str, bytes]]:
            # The database copy is no longer needed: gone before the sealing ends.
            snapshot.path.unlink(missing_ok=True)
            final.update(_manifest(snapshot, written, created_at, software_version,
                                   recipients, vanished))
            manifest = archive.manifest_bytes(final)
            return [(archive.MANIFEST, manifest),
                    (archive.SIGNATURE, archive.sign_manifest(manifest, signing_key))]

        stream = archive.ChunkReader(archive.tar_stream(all_members(), finish,
                                                        int(created_at.timestamp())))
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            sink = _HashingSink(handle)
            try:
                crypto.seal_stream(stream, sink, recipients)
            except crypto.CryptoError as exc:
                if isinstance(exc.__cause__, BackupError):
                    raise exc.__cause__ from None
                if isinstance(exc.__cause__, OSError):
                    raise exc.__cause__ from None
                raise BackupError(f"sealing the archive failed: {exc}") from None
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, output)  # never over an existing file
        except FileExistsError:
            raise BackupError(f"{output} appeared meanwhile; not overwriting it") from None
        _fsync_directory(output.parent)
        return Created(output, sink.size, sink.digest.hexdigest(), final)
    finally:
        temporary.unlink(missing_ok=True)
        shutil.rmtree(workdir, ignore_errors=True)


def _private_copy(source: Path, target: Path) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as sink, source.open("rb") as data:
        shutil.copyfileobj(data, sink)


def _fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _decrypting(path: Path, identities: Sequence[crypto.Identity],
                read: Callable[[IO[bytes]], Checked]) -> Checked:
    try:
        with path.open("rb") as source, crypto.DecryptingReader(source, identities) as reader:
            return read(reader)  # type: ignore[arg-type]
    except crypto.CryptoError:
        raise BackupError("cannot decrypt: not sealed to this identity, or damaged "
                          "(changed or cut short)") from None


def verify_backup(path: Path, identities: Sequence[crypto.Identity],
                  accepted_keys: Sequence[crypto.VerifyKey]) -> Checked:
    """Decrypt (streaming) and check every member against the signed manifest."""
    return _decrypting(Path(path), identities,
                       lambda reader: archive.read_archive(reader, accepted_keys))


def check_empty(engine: Engine, blob_dir: Path, checkpoint_log: Path | None = None) -> None:
    """Refuse (BackupError) unless the database has no tables, the blob dir no
    files and the checkpoint log (if configured) does not exist."""
    tables = database.table_names(engine)
    if tables:
        raise BackupError(f"the configured database is not empty ({len(tables)} tables, e.g. "
                          f"{tables[0]}): restore only into a new, empty database")
    if blob_dir.exists() and any(blob_dir.iterdir()):
        raise BackupError(f"the blob directory {blob_dir} is not empty: restore only into "
                          "an empty one")
    if checkpoint_log is not None and checkpoint_log.exists():
        raise BackupError(f"the audit checkpoint log {checkpoint_log} exists: move it aside "
                          "(keep it) and restore again; restore writes the backup's copy")


class _RestoreSink:
    """Members as they stream past: the database into the private temporary
    directory, blobs (ciphertext) into a staging directory beside blob_dir."""

    def __init__(self, workdir: Path, staging: Path) -> None:
        self.workdir, self.staging = workdir, staging

    def open(self, name: str) -> IO[bytes] | None:
        if name.startswith(archive.BLOB_PREFIX):
            target = self.staging / name[len(archive.BLOB_PREFIX):]
            make_private_dirs(target.parent)
        else:
            target = self.workdir / Path(name).name
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        return os.fdopen(fd, "wb")


@dataclass(frozen=True)
class Restored:
    manifest: dict[str, Any]
    signer: str
    blobs: int


def restore_backup(path: Path, identities: Sequence[crypto.Identity],
                   accepted_keys: Sequence[crypto.VerifyKey], engine: Engine,
                   blob_dir: Path, checkpoint_log: Path | None = None,
                   accept: Callable[[dict[str, Any]], None] | None = None) -> Restored:
    """Check the whole archive, then load it into the empty instance.

    Nothing reaches the configured database or blob directory before every
    member has been checked against the signed manifest and age has
    authenticated the file to its end. ``accept`` may refuse the checked
    manifest (BackupError) before anything is loaded: a schema this software
    does not know, say.
    """
    check_empty(engine, blob_dir, checkpoint_log)
    make_private_dirs(blob_dir)
    workdir = Path(tempfile.mkdtemp(prefix="witnessbox-restore-"))  # 0700
    # Beside blob_dir, on the same file system: the blobs are moved, not copied.
    staging = Path(tempfile.mkdtemp(prefix=".witnessbox-restore-", dir=blob_dir.parent))
    try:
        sink = _RestoreSink(workdir, staging)
        checked = _decrypting(Path(path), identities,
                              lambda reader: archive.read_archive(reader, accepted_keys, sink))
        kind = checked.manifest["database"]["kind"]
        if accept is not None:
            accept(checked.manifest)
        check_empty(engine, blob_dir, checkpoint_log)
        database.load(engine, kind, workdir / Path(archive.DATABASE_MEMBERS[kind]).name)
        moved = 0
        for organisation in sorted(staging.iterdir()):
            moved += sum(1 for _ in organisation.rglob("*.age"))
            os.rename(organisation, blob_dir / organisation.name)
        log_copy = workdir / Path(archive.CHECKPOINT_LOG).name
        if checkpoint_log is not None and log_copy.exists():
            make_private_dirs(checkpoint_log.parent)
            _private_copy(log_copy, checkpoint_log)
        return Restored(checked.manifest, checked.signer, moved)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(staging, ignore_errors=True)


def missing_blobs(session: Session, blobs: BlobStore) -> list[str]:
    """Blob paths the restored database names that the blob store lacks."""
    return [path for path in session.scalars(
        select(SealedObject.blob_path).where(SealedObject.blob_path.is_not(None)))
        if path and not blobs.exists(path)]


def delete_shredded_cases(session: Session, blob_store: BlobStore,
                          public_ids: Iterable[str]) -> list[str]:
    """Delete the cases ``public_ids`` again (those present): rows and blobs.

    Deleting a case row takes every row of its sealed material with it by the
    schema's ON DELETE CASCADE (sealed objects, key wraps, notes, redaction
    versions, indicators, grants, cluster memberships). Its blob directory
    goes once the unit of work commits, so a rollback leaves rows and files
    together. Audit events name cases by id only (no foreign key), so the
    chain is untouched. Returns the public ids deleted.

    The retention service's shredding takes this over at merge; this is the
    restore's copy, in one place.
    """
    wanted = sorted(set(public_ids))
    found: list[tuple[int, str, int]] = []
    for start in range(0, len(wanted), _ID_BATCH):
        found.extend(session.execute(
            select(Case.id, Case.public_id, Case.organisation_id)
            .where(Case.public_id.in_(wanted[start:start + _ID_BATCH]))).all())
    if not found:
        return []
    case_ids = [case_id for case_id, _, _ in found]
    paths: list[str] = []
    for start in range(0, len(case_ids), _ID_BATCH):
        batch = case_ids[start:start + _ID_BATCH]
        paths.extend(path for path in session.scalars(
            select(SealedObject.blob_path).where(SealedObject.case_id.in_(batch),
                                                 SealedObject.blob_path.is_not(None))) if path)
        session.execute(delete(Case).where(Case.id.in_(batch))
                        .execution_options(synchronize_session=False))
    session.flush()
    directories = {f"{organisation_id}/{public_id}" for _, public_id, organisation_id in found}
    directories.update(path.rsplit("/", 1)[0] for path in paths)

    def remove_files() -> None:
        root = blob_store.root.resolve()
        for path in paths:
            blob_store.delete(path)
        for relative in sorted(directories):
            directory = (root / relative).resolve()
            if root in directory.parents and directory.is_dir():
                shutil.rmtree(directory)

    on_commit(session, remove_files)
    return sorted(public_id for _, public_id, _ in found)
