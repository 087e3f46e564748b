"""``witnessbox backup create | verify | restore``: an archive taken on SQLite and
one taken on PostgreSQL each restore into an empty instance where a reviewer
opens a case and the audit log verifies; tampering, a non-empty instance and
shredded cases are refused or deleted again."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from backup_support import (
    PROJECT,
    WITNESSBOX,
    decrypt,
    empty_instance,
    error_lines,
    reseal,
    rewrite_tar,
    witnessbox,
)
from canary_scan import scan
from flask import Flask
from intake_data import CANARY, file_case
from media_samples import wav_bytes
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from stock_tools import require_tool
from web_support import OrgFixture

import crypto
from app import create_app, shred_list
from app.audit.keyfile import public_key_text, read_signing_key
from app.audit.service import verify
from app.backup import service
from app.backup.archive import BackupError, manifest_bytes, sign_manifest
from app.cases import service as cases
from app.config import Settings
from app.models import AuditEvent, Case, Membership, Role, SealedObject, User
from app.shred_list import ShredEntry
from app.storage import BlobStore

SLUG = "zqcanaryorg"  # in the database's clear columns: names, e-mail addresses
NEEDLE = SLUG.encode()
KEPT_AUDIO = wav_bytes(bytes(range(256)) * 60)
SHREDDED_AUDIO = wav_bytes(bytes(range(255, -1, -1)) * 50)
SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@dataclass
class Source:
    settings: Settings
    org: OrgFixture
    kept: Case
    shredded: Case
    recovery_key: Path
    tmpdir: Path
    root: Path


@pytest.fixture
def source(app: Flask, db: Session, settings: Settings, make_org, blobs: BlobStore,  # type: ignore[no-untyped-def]
           tmp_path: Path) -> Source:
    org = make_org(SLUG)
    kept = file_case(db, org, blobs, attachments=[("audio", "kept.wav", KEPT_AUDIO)])
    shredded = file_case(db, org, blobs, narrative="ShreddedZq42",
                         attachments=[("audio", "gone.wav", SHREDDED_AUDIO)])
    cases.add_note(db, org.members[Role.REVIEWER], shredded, "a note to shred")
    db.commit()
    recovery_key = tmp_path / "recovery.key"
    recovery_key.write_bytes(org.recovery.to_age_identity_file())
    recovery_key.chmod(0o600)
    return Source(settings, org, kept, shredded, recovery_key, tmp_path / "tmp", tmp_path)


def create(source: Source, name: str = "backup.age", *extra: str) -> Path:
    output = source.root / "backups" / name
    output.parent.mkdir(exist_ok=True)
    done = witnessbox(source.settings, source.tmpdir, "backup", "create", "--output",
                      str(output), *extra)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    return output


def nothing_plaintext_in(tmpdir: Path) -> None:
    assert list(tmpdir.iterdir()) == [], "temporary files were left behind"
    assert scan([tmpdir], NEEDLE) == {}


def blob_bytes(settings: Settings, case: Case) -> dict[str, bytes]:
    root = Path(settings.blob_dir)
    return {obj.blob_path: (root / obj.blob_path).read_bytes()
            for obj in case.sealed_objects if obj.blob_path}


@pytest.fixture
def restored_session() -> Iterator[list[Flask]]:
    made: list[Flask] = []
    yield made
    for application in made:
        application.extensions["witnessbox.engine"].dispose()


def open_instance(settings: Settings, made: list[Flask]) -> Session:
    application = create_app(settings)
    made.append(application)
    session: Session = application.extensions["witnessbox.sessionmaker"]()
    return session


def rows_of_case(session: Session, case_id: int) -> dict[str, int]:
    tables = ("sealed_object", "case_key_wrap", "case_note", "case_grant", "case_indicator",
              "redaction_version", "case_cluster_member")
    return {table: int(session.scalar(text(f"select count(*) from {table} "  # noqa: S608
                                           "where case_id = :id"), {"id": case_id}) or 0)
            for table in tables}


def test_a_backup_restores_into_an_empty_instance(source: Source, tmp_path: Path,
                                                  restored_session: list[Flask]) -> None:
    """On SQLite and on PostgreSQL (the backend fixture): create, verify and
    restore through the real command; a reviewer opens the case; the
    attachments' blobs come back byte for byte; a shredded case stays gone."""
    kept_blobs = blob_bytes(source.settings, source.kept)
    output = create(source)
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    source_db = open_instance(source.settings, restored_session)
    try:
        [made] = source_db.scalars(select(AuditEvent).where(
            AuditEvent.action == "backup_created")).all()
        assert made.details["cases"] == 2
        assert made.details["archive_sha256"] == hashlib.sha256(output.read_bytes()).hexdigest()
    finally:
        source_db.close()
    assert sorted(p.name for p in output.parent.iterdir()) == ["backup.age"]
    nothing_plaintext_in(source.tmpdir)

    verified = witnessbox(source.settings, source.tmpdir, "backup", "verify", str(output),
                          "--identity", str(source.recovery_key))
    assert verified.returncode == 0, verified.stderr
    assert "intact" in verified.stdout

    with empty_instance(source.settings, tmp_path / "restored") as target:
        shred_list.append(target.shred_list_file, [ShredEntry(
            source.shredded.public_id, SLUG, datetime.now(UTC))])
        restored = witnessbox(target, source.tmpdir, "backup", "restore", str(output),
                              "--identity", str(source.recovery_key))
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "1 crypto-shredded case(s) deleted again" in restored.stdout
        assert "audit log intact" in restored.stdout
        nothing_plaintext_in(source.tmpdir)
        audit = witnessbox(target, source.tmpdir, "audit", "verify")
        assert audit.returncode == 0, audit.stderr

        session = open_instance(target, restored_session)
        try:
            reviewer = session.scalars(select(Membership).join(User).where(
                User.email == source.org.email(Role.REVIEWER))).one()
            case = cases.get_case(session, reviewer, source.kept.public_id)
            key = cases.unlock_case_key(session, reviewer, case,
                                        source.org.identities[Role.REVIEWER])
            assert cases.read_narrative(case, key) == CANARY
            assert blob_bytes(target, case) == kept_blobs
            [attachment] = [obj for obj in case.sealed_objects if obj.blob_path]
            sink = _Sink()
            cases.read_attachment(case, key, attachment.id, BlobStore(target.blob_dir), sink)
            assert bytes(sink.data) == KEPT_AUDIO
            session.commit()  # the DECRYPT event, as a request would commit it

            # The shredded case: no row of it, no file of it.
            assert session.scalar(select(Case).where(
                Case.public_id == source.shredded.public_id)) is None
            assert set(rows_of_case(session, source.shredded.id).values()) == {0}
            blob_root = Path(target.blob_dir)
            assert not (blob_root / str(source.org.organisation.id)
                        / source.shredded.public_id).exists()
            assert scan([blob_root], b"ShreddedZq42") == {}
            [event] = session.scalars(select(AuditEvent).where(
                AuditEvent.action == "backup_restored")).all()
            assert event.details["shredded_again"] == 1
            assert event.details["blobs"] == 2
            assert verify(session).ok
        finally:
            session.close()


class _Sink:
    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, chunk: bytes) -> int:
        self.data.extend(chunk)
        return len(chunk)


@SQLITE_ONLY
def test_the_archive_is_age_and_tar_for_stock_tools(source: Source) -> None:
    output = create(source)
    age, tar = require_tool("age", "age"), require_tool("tar", "tar")
    plaintext = subprocess.run([age, "-d", "-i", str(source.recovery_key), str(output)],
                               check=True, capture_output=True).stdout
    listing = subprocess.run([tar, "-t"], input=plaintext, check=True,
                             capture_output=True).stdout.decode().split()
    assert listing[0] == "database/witnessbox.sqlite3"
    assert listing[-2:] == ["manifest.json", "manifest.sig"]
    blob_members = [name for name in listing if name.startswith("blobs/")]
    assert len(blob_members) == 2
    manifest = json.loads(subprocess.run([tar, "-xO", "manifest.json"], input=plaintext,
                                         check=True, capture_output=True).stdout)
    assert manifest["database"]["kind"] == "sqlite"
    assert manifest["counts"]["cases"] == 2
    assert {m["name"] for m in manifest["members"]} == set(listing[:-2])
    assert source.org.organisation.recovery_recipient in manifest["sealed_to"]
    # The database copy inside is the plaintext the TMPDIR scan looks for.
    database = subprocess.run([tar, "-xO", "database/witnessbox.sqlite3"], input=plaintext,
                              check=True, capture_output=True).stdout
    assert NEEDLE in database
    assert NEEDLE not in json.dumps(manifest).encode()


@SQLITE_ONLY
def test_an_off_site_recipient_opens_it_too(source: Source) -> None:
    off_site = crypto.generate_identity()
    output = create(source, "b.age", "--recipient", str(off_site.recipient),
                    "--no-organisation-recipients")
    key = source.root / "off-site.key"
    key.write_bytes(off_site.to_age_identity_file())
    ok = witnessbox(source.settings, source.tmpdir, "backup", "verify", str(output),
                    "--identity", str(key))
    assert ok.returncode == 0, ok.stderr
    # Off-site, without this instance's configuration: the signer's public key.
    public_key = public_key_text(read_signing_key(
        source.settings.audit_signing_key_file).verify_key)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WITNESSBOX_")}
    env.update(PYTHONPATH=str(PROJECT), WITNESSBOX_CONFIG=str(source.root / "absent.toml"))
    offline = subprocess.run([str(WITNESSBOX), "backup", "verify", str(output), "--identity",
                              str(key), "--public-key", public_key], env=env,
                             capture_output=True, text=True, check=False)
    assert offline.returncode == 0, offline.stderr
    assert f"signed by {public_key}" in offline.stdout
    refused = witnessbox(source.settings, source.tmpdir, "backup", "verify", str(output),
                         "--identity", str(source.recovery_key))
    assert refused.returncode == 1
    assert error_lines(refused.stderr) == [
        f"Error: backup {output}: cannot decrypt: not sealed to this identity, or damaged "
        "(changed or cut short)"]


def _tampered(source: Source, output: Path) -> dict[str, Path]:
    """Variants of the archive: a byte flipped (start, middle, end), cut
    short, and re-sealed to the public recipient with a member removed, a
    member added, a member changed, or the manifest rewritten to match."""
    data = output.read_bytes()
    variants: dict[str, Path] = {}

    def put(name: str, content: bytes) -> None:
        path = source.root / "tampered" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content)
        variants[name] = path

    for where in (40, len(data) // 2, len(data) - 1):
        flipped = bytearray(data)
        flipped[where] ^= 0x01
        put(f"byte-{where}", bytes(flipped))
    put("cut-short", data[:-2000])
    plaintext = decrypt(output, source.org.recovery)
    recipient = source.org.organisation.recovery_recipient

    def resealed(name: str, change) -> None:  # type: ignore[no-untyped-def]
        path = source.root / "tampered" / name
        path.parent.mkdir(exist_ok=True)
        reseal(rewrite_tar(plaintext, change), recipient, path)
        variants[name] = path

    def is_blob(info: tarfile.TarInfo) -> bool:
        return info.name.startswith("blobs/")

    resealed("member-removed", lambda ms: [m for m in ms if not is_blob(m[0])
                                           or m is not next(x for x in ms if is_blob(x[0]))])
    extra = tarfile.TarInfo("blobs/1/WB-EXTRA/00000000-0000-0000-0000-000000000000.age")
    resealed("member-added", lambda ms: [*ms[:-2], (extra, b"x" * 10), *ms[-2:]])
    resealed("member-changed", lambda ms: [
        (info, content[:-1] + bytes([content[-1] ^ 1])) if is_blob(info) else (info, content)
        for info, content in ms])

    def rewrite_manifest(ms):  # type: ignore[no-untyped-def]
        first_blob = next(m for m in ms if is_blob(m[0]))
        kept = [m for m in ms if m is not first_blob]
        manifest = json.loads(kept[-2][1])
        manifest["members"] = [m for m in manifest["members"]
                               if m["name"] != first_blob[0].name]
        return [*kept[:-2], (kept[-2][0], json.dumps(manifest).encode()), kept[-1]]

    resealed("manifest-rewritten", rewrite_manifest)
    return variants


@SQLITE_ONLY
def test_a_tampered_backup_fails_verify_and_restore(source: Source, tmp_path: Path) -> None:
    output = create(source)
    variants = _tampered(source, output)

    accepted = [read_signing_key(source.settings.audit_signing_key_file).verify_key]
    expected = {
        "member-removed": "is listed in the manifest but missing",
        "member-added": "is not listed in the manifest (added)",
        "member-changed": "does not match its SHA-256 in the manifest (changed)",
        "manifest-rewritten": "signature does not verify",
    }
    for name, path in variants.items():
        with pytest.raises(BackupError) as refused:
            service.verify_backup(path, [source.org.recovery], accepted)
        message = str(refused.value)
        assert expected.get(name, "cannot decrypt") in message, (name, message)
    # Through the command: one line, exit code 1, for verify and for restore,
    # and the empty instance stays empty.
    for name in ("byte-40", "member-added"):
        failed = witnessbox(source.settings, source.tmpdir, "backup", "verify",
                            str(variants[name]), "--identity", str(source.recovery_key))
        assert failed.returncode == 1
        [line] = error_lines(failed.stderr)
        assert line.startswith(f"Error: backup {variants[name]}: ")
        with empty_instance(source.settings, tmp_path / f"restore-{name}") as target:
            failed = witnessbox(target, source.tmpdir, "backup", "restore",
                                str(variants[name]), "--identity", str(source.recovery_key))
            assert failed.returncode == 1
            [line] = error_lines(failed.stderr)
            assert "Traceback" not in failed.stderr
            session = open_instance(target, [])
            try:
                assert session.scalar(text("select count(*) from sqlite_master")) == 0
            finally:
                session.get_bind().dispose()  # type: ignore[union-attr]
                session.close()
            assert list(Path(target.blob_dir).iterdir()) == []
        nothing_plaintext_in(source.tmpdir)


@SQLITE_ONLY
def test_restore_refuses_an_instance_that_is_not_empty(source: Source, tmp_path: Path) -> None:
    output = create(source)
    refused = witnessbox(source.settings, source.tmpdir, "backup", "restore", str(output),
                         "--identity", str(source.recovery_key))
    assert refused.returncode == 1
    [line] = error_lines(refused.stderr)
    assert "the configured database is not empty" in line
    with empty_instance(source.settings, tmp_path / "target") as target:
        (Path(target.blob_dir) / "1").mkdir(parents=True)
        refused = witnessbox(target, source.tmpdir, "backup", "restore", str(output),
                             "--identity", str(source.recovery_key))
        assert refused.returncode == 1
        [line] = error_lines(refused.stderr)
        assert "is not empty: restore only into an empty one" in line


@SQLITE_ONLY
def test_a_backup_signed_by_another_key_is_refused(source: Source, tmp_path: Path) -> None:
    from dataclasses import replace

    from app.audit.keyfile import write_new_signing_key

    other_key = tmp_path / "other-signing-key"
    write_new_signing_key(other_key)
    output = source.root / "backups" / "other.age"
    output.parent.mkdir()
    forger = replace(source.settings, audit_signing_key_file=str(other_key))
    made = witnessbox(forger, source.tmpdir, "backup", "create", "--output", str(output))
    assert made.returncode == 0, made.stderr
    refused = witnessbox(source.settings, source.tmpdir, "backup", "verify", str(output),
                         "--identity", str(source.recovery_key))
    assert refused.returncode == 1
    [line] = error_lines(refused.stderr)
    assert "not this instance's audit signing key nor one of audit_verify_keys" in line


@SQLITE_ONLY
def test_create_refuses_a_damaged_blob_store_and_an_existing_file(
        source: Source, db: Session) -> None:
    existing = create(source)
    again = witnessbox(source.settings, source.tmpdir, "backup", "create", "--output",
                       str(existing))
    assert again.returncode == 1
    assert "exists already; not overwriting a backup" in error_lines(again.stderr)[0]
    [path] = [obj.blob_path for obj in source.kept.sealed_objects if obj.blob_path]
    blob = Path(source.settings.blob_dir) / path
    original = blob.read_bytes()
    blob.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    damaged = witnessbox(source.settings, source.tmpdir, "backup", "create", "--output",
                         str(existing.with_name("damaged.age")))
    assert damaged.returncode == 1
    assert "does not match the SHA-256 its row records" in error_lines(damaged.stderr)[0]
    blob.unlink()
    missing = witnessbox(source.settings, source.tmpdir, "backup", "create", "--output",
                         str(existing.with_name("missing.age")))
    assert missing.returncode == 1
    assert "is missing from the blob store" in error_lines(missing.stderr)[0]
    assert sorted(p.name for p in existing.parent.iterdir()) == ["backup.age"]
    nothing_plaintext_in(source.tmpdir)


def test_delete_shredded_cases_takes_every_row_and_file(source: Source, db: Session,
                                                        blobs: BlobStore) -> None:
    from app.models import CaseCluster, CaseClusterMember, ClusterReason, RedactionVersion
    from app.unit_of_work import unit_of_work

    shredded = source.shredded
    cluster = CaseCluster(organisation_id=shredded.organisation_id, public_id="CL-ZQ1",
                          reason=ClusterReason.SAME_SITE)
    db.add(cluster)
    db.flush()
    db.add_all([CaseClusterMember(cluster_id=cluster.id, case_id=shredded.id),
                CaseClusterMember(cluster_id=cluster.id, case_id=source.kept.id),
                RedactionVersion(case_id=shredded.id, number=1, ciphertext=b"sealed layer")])
    db.commit()
    before = rows_of_case(db, shredded.id)
    assert before["redaction_version"] == 1
    assert before["case_cluster_member"] == 1
    assert before["sealed_object"] == 3
    assert before["case_note"] == 1
    assert before["case_key_wrap"] >= 3
    case_dir = blobs.root / str(shredded.organisation_id) / shredded.public_id
    assert case_dir.is_dir()
    with unit_of_work(db):
        deleted = service.delete_shredded_cases(db, blobs, [shredded.public_id, "WB-NONE"])
        assert case_dir.is_dir()  # files go only once the deletion commits
    assert deleted == [shredded.public_id]
    assert set(rows_of_case(db, shredded.id).values()) == {0}
    assert not case_dir.exists()
    assert db.scalar(select(func.count()).select_from(SealedObject)
                     .where(SealedObject.case_id == source.kept.id)) == 3
    assert verify(db).ok


@SQLITE_ONLY
def test_the_audit_checkpoint_log_comes_back_with_the_backup(source: Source,
                                                             tmp_path: Path) -> None:
    """With audit_checkpoint_log configured (deploy/config.toml does), the
    restored instance gets the log as it was before the snapshot, and
    `audit verify` holds the chain to it; an existing log is not overwritten."""
    from dataclasses import replace

    logged = replace(source.settings, audit_checkpoint_log=str(tmp_path / "checkpoints.jsonl"))
    first = source.root / "backups" / "first.age"
    first.parent.mkdir()
    done = witnessbox(logged, source.tmpdir, "backup", "create", "--output", str(first))
    assert done.returncode == 0, done.stderr
    # `backup create` is audited and signed at once: the log now has that checkpoint.
    assert len(Path(logged.audit_checkpoint_log).read_text().splitlines()) == 1
    second = first.with_name("second.age")
    done = witnessbox(logged, source.tmpdir, "backup", "create", "--output", str(second))
    assert done.returncode == 0, done.stderr
    with empty_instance(source.settings, tmp_path / "restored") as plain:
        target = replace(plain, audit_checkpoint_log=str(tmp_path / "restored" / "log.jsonl"))
        Path(target.audit_checkpoint_log).write_text("")
        refused = witnessbox(target, source.tmpdir, "backup", "restore", str(second),
                             "--identity", str(source.recovery_key))
        assert refused.returncode == 1
        assert "move it aside" in error_lines(refused.stderr)[0]
        Path(target.audit_checkpoint_log).unlink()
        restored = witnessbox(target, source.tmpdir, "backup", "restore", str(second),
                              "--identity", str(source.recovery_key))
        assert restored.returncode == 0, restored.stdout + restored.stderr
        lines = Path(target.audit_checkpoint_log).read_text().splitlines()
        assert len(lines) == 2  # the backup's copy, then the restore's own checkpoint
        assert stat.S_IMODE(Path(target.audit_checkpoint_log).stat().st_mode) == 0o600
        audit = witnessbox(target, source.tmpdir, "audit", "verify")
        assert audit.returncode == 0, audit.stderr


@SQLITE_ONLY
def test_restore_refuses_a_schema_newer_than_this_version(source: Source,
                                                          tmp_path: Path) -> None:
    """A backup made by a newer version (its schema revision unknown here) is
    refused before anything is loaded. Made here by re-signing a manifest
    with the instance's own key, as a newer version would have signed it."""
    output = create(source)
    key = read_signing_key(source.settings.audit_signing_key_file)

    def newer(ms):  # type: ignore[no-untyped-def]
        manifest = json.loads(ms[-2][1])
        manifest["database"]["schema_revision"] = "9999"
        data = manifest_bytes(manifest)
        return [*ms[:-2], (ms[-2][0], data), (ms[-1][0], sign_manifest(data, key))]

    forged = tmp_path / "newer.age"
    reseal(rewrite_tar(decrypt(output, source.org.recovery), newer),
           source.org.organisation.recovery_recipient, forged)
    with empty_instance(source.settings, tmp_path / "target") as target:
        refused = witnessbox(target, source.tmpdir, "backup", "restore", str(forged),
                             "--identity", str(source.recovery_key))
        assert refused.returncode == 1
        [line] = error_lines(refused.stderr)
        assert "schema revision 9999 is unknown to this version" in line
        assert not Path(target.blob_dir).exists() or not any(Path(target.blob_dir).iterdir())
        database = Path(target.database_url.removeprefix("sqlite:///"))
        assert not database.exists() or database.stat().st_size == 0


@SQLITE_ONLY
def test_a_case_shredded_while_the_backup_runs_is_deleted_on_restore(
        source: Source, app: Flask, tmp_path: Path) -> None:
    """The snapshot names the case; its blob is gone by the time it is copied
    (the case was shredded meanwhile): the archive leaves the blob out, lists
    the case, and restore deletes it even with an empty shred list."""
    from app.unit_of_work import unit_of_work

    victim = source.shredded
    [victim_blob] = [obj.blob_path for obj in victim.sealed_objects if obj.blob_path]

    class ShreddingMeanwhile(BlobStore):
        def open(self, relative: str):  # type: ignore[no-untyped-def]
            if relative == victim_blob:
                other: Session = app.extensions["witnessbox.sessionmaker"]()
                with other, unit_of_work(other):
                    service.delete_shredded_cases(other, self, [victim.public_id])
            return super().open(relative)

    output = tmp_path / "meanwhile.age"
    created = service.create_backup(
        app.extensions["witnessbox.engine"], ShreddingMeanwhile(source.settings.blob_dir),
        output, signing_key=read_signing_key(source.settings.audit_signing_key_file),
        software_version="test")
    assert created.manifest["vanished_cases"] == [victim.public_id]
    assert created.manifest["counts"]["blobs"] == 1
    with empty_instance(source.settings, tmp_path / "target") as target:
        restored = witnessbox(target, source.tmpdir, "backup", "restore", str(output),
                              "--identity", str(source.recovery_key))
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "1 crypto-shredded case(s) deleted again (0 on the shred list" in restored.stdout


@pytest.mark.slow
@SQLITE_ONLY
def test_a_backup_stopped_by_sigterm_leaves_no_plaintext(source: Source, db: Session) -> None:
    """systemd stops a unit with SIGTERM: the private temporary directory with
    the database copy and the half-written archive are removed all the same."""
    import signal
    import time
    import uuid

    from backup_support import environment

    from app.models import SealedKind, Storage

    # A large blob (a long recording), so that the archive takes a while to write.
    size = 256 * 1024 * 1024
    path = f"{source.kept.organisation_id}/{source.kept.public_id}/{uuid.uuid4()}.age"
    blob = Path(source.settings.blob_dir) / path
    digest = hashlib.sha256()
    with blob.open("wb") as handle:
        block = os.urandom(1024 * 1024)
        for _ in range(size // len(block)):
            handle.write(block)
            digest.update(block)
    db.add(SealedObject(id=str(uuid.uuid4()), case_id=source.kept.id,
                        kind=SealedKind.ATTACHMENT, storage=Storage.BLOB, blob_path=path,
                        size=size, sha256=digest.hexdigest()))
    db.commit()
    output = source.root / "backups" / "stopped.age"
    output.parent.mkdir()
    source.tmpdir.mkdir()
    process = subprocess.Popen(
        [str(WITNESSBOX), "backup", "create", "--output", str(output)],
        env=environment(source.settings, source.tmpdir), cwd=PROJECT,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        partial = list(output.parent.glob(".stopped.age.*.tmp"))
        if partial and partial[0].stat().st_size > 1024 * 1024:
            break
        time.sleep(0.005)
    else:
        process.kill()
        pytest.fail("the backup never started writing")
    assert list(source.tmpdir.iterdir()), "the database copy should exist mid-backup"
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143, stderr
    assert list(output.parent.iterdir()) == []
    nothing_plaintext_in(source.tmpdir)
