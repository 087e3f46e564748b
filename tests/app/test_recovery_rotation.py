"""``witnessbox recovery rotate``: a new recovery identity in new shares, every
case key re-wrapped to it, resumable after an interruption; ``recovery status``."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from intake_data import file_case
from members_fixtures import events
from recovery_support import (
    age_open_narrative,
    age_recipient_of,
    share_from_sheet,
    sheets_in,
    ssss_combine_into,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from web_support import PASSWORD, OrgFixture

import crypto
from app.audit.service import verify
from app.cli import main
from app.config import Settings
from app.models import (
    Case,
    CaseKeyWrap,
    Organisation,
    RecoveryRotation,
    Role,
    RotationState,
    SealedKind,
    SealedObject,
    WrapPurpose,
)
from app.orgs.service import add_member
from app.recovery import service as recovery_service
from app.storage import BlobStore
from crypto import ssss

CASES = 5
REPOSITORY = Path(__file__).resolve().parents[2]


def cli(app: Flask, *args: str, input: str | None = None) -> Result:
    return app.test_cli_runner().invoke(main, ["recovery", *args], input=input)


def identity_file(tmp_path: Path, identity: crypto.Identity, name: str = "old.key",
                  mode: int = 0o600) -> Path:
    path = tmp_path / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(identity.to_age_identity_file())
    os.chmod(path, mode)
    return path


def org_row(db: Session, org_id: int) -> Organisation:
    db.expire_all()
    return db.get_one(Organisation, org_id)


def recovery_wraps(db: Session, org_id: int) -> list[CaseKeyWrap]:
    db.expire_all()
    return list(db.scalars(select(CaseKeyWrap).join(Case).where(
        Case.organisation_id == org_id, CaseKeyWrap.purpose == WrapPurpose.RECOVERY)
        .order_by(CaseKeyWrap.id)))


def member_wraps(db: Session, org_id: int) -> dict[int, bytes]:
    db.expire_all()
    return {wrap.id: wrap.wrapped_key for wrap in db.scalars(
        select(CaseKeyWrap).join(Case).where(Case.organisation_id == org_id,
                                             CaseKeyWrap.purpose == WrapPurpose.MEMBER))}


def narrative_of(db: Session, wrap: CaseKeyWrap, identity: crypto.Identity) -> str:
    key = crypto.CaseKey.unwrap(wrap.wrapped_key, [identity])
    case = db.get_one(Case, wrap.case_id)
    assert str(key.recipient) == case.case_recipient
    sealed = db.scalars(select(SealedObject).where(
        SealedObject.case_id == wrap.case_id, SealedObject.kind == SealedKind.NARRATIVE)).one()
    assert sealed.inline_ciphertext is not None
    return crypto.open_sealed(sealed.inline_ciphertext, [key.identity]).decode()


def opens(wrap: CaseKeyWrap, identity: crypto.Identity) -> bool:
    try:
        crypto.CaseKey.unwrap(wrap.wrapped_key, [identity])
    except crypto.CryptoError:
        return False
    return True


def sheet_identity(directory: Path, threshold: int) -> crypto.Identity:
    shares = [share_from_sheet(path) for path in sheets_in(directory)]
    return ssss.combine_identity(shares[:threshold])


def assert_rotated(db: Session, org_id: int, old: crypto.Identity, new: crypto.Identity,
                   narratives: dict[int, str]) -> None:
    """No recovery wrap opens with the old identity; every case opens with the new."""
    wraps = recovery_wraps(db, org_id)
    assert sorted(wrap.case_id for wrap in wraps) == sorted(narratives)
    for wrap in wraps:
        assert wrap.recipient == str(new.recipient)
        assert not opens(wrap, old)
        assert narrative_of(db, wrap, new) == narratives[wrap.case_id]
    organisation = org_row(db, org_id)
    assert organisation.recovery_recipient == str(new.recipient)
    assert organisation.recovery_recipient_next is None


@pytest.fixture
def filed(db: Session, demo_org: OrgFixture, blobs: BlobStore) -> dict[int, str]:
    """CASES real cases of the demo organisation: case id -> narrative."""
    narratives = {}
    for number in range(CASES):
        case = file_case(db, demo_org, blobs, narrative=f"testimony number {number}")
        narratives[case.id] = f"testimony number {number}"
    return narratives


def test_rotation_rewraps_every_case_and_the_old_identity_opens_none(
        app: Flask, db: Session, demo_org: OrgFixture, filed: dict[int, str],
        tmp_path: Path) -> None:
    org_id = demo_org.organisation.id
    old = demo_org.recovery
    before_members = member_wraps(db, org_id)
    result = cli(app, "rotate", "--org", "alpha", "--identity-file",
                 str(identity_file(tmp_path, old)), "--shares-dir", str(tmp_path / "sheets"),
                 "--batch-size", "3", "--processes", "2", "--contact", "the director")
    assert result.exit_code == 0, result.output
    assert "AGE-SECRET-KEY" not in result.output
    new = sheet_identity(tmp_path / "sheets", 2)
    assert str(new.recipient) in result.output
    assert len(sheets_in(tmp_path / "sheets")) == 3

    assert_rotated(db, org_id, old, new, filed)
    organisation = org_row(db, org_id)
    assert (organisation.recovery_custodians, organisation.recovery_threshold) == (3, 2)
    # Members' wraps were not touched: the reviewer opens what they opened.
    assert member_wraps(db, org_id) == before_members
    [rotation] = db.scalars(select(RecoveryRotation))
    assert (rotation.state, rotation.total, rotation.rewrapped, rotation.batches) == \
        (RotationState.FINISHED, CASES, CASES, 2)
    assert rotation.old_recipient == str(old.recipient)
    [started] = events(db, "recovery_rotation_started")
    [finished] = events(db, "recovery_rotation_finished")
    assert started.details["wraps"] == CASES
    assert (started.details["custodians"], started.details["threshold"]) == (3, 2)
    assert (finished.details["rewrapped"], finished.details["swept"]) == (CASES, 0)
    assert "AGE-SECRET" not in str(started.details) + str(finished.details)
    assert verify(db).ok

    # A person with two new sheets and the stock tools opens a case; the old key cannot.
    shares = [share_from_sheet(path) for path in sheets_in(tmp_path / "sheets")]
    key = tmp_path / "recovery.key"
    assert ssss_combine_into(shares[1:], key).returncode == 0
    assert age_recipient_of(key) == str(new.recipient)
    case = db.get_one(Case, next(iter(filed)))
    assert age_open_narrative(db, case, key, tmp_path) == filed[case.id]
    with pytest.raises(Exception, match="returned non-zero"):
        age_open_narrative(db, case, tmp_path / "old.key", tmp_path)

    status = cli(app, "status", "--org", "alpha")
    assert status.exit_code == 0, status.output
    assert "any 2 of 3 custodians" in status.output
    assert "finished" in status.output
    assert str(new.recipient) in status.output


def test_an_interrupted_rotation_resumes_and_finishes_with_the_same_result(
        app: Flask, db: Session, demo_org: OrgFixture, filed: dict[int, str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, blobs: BlobStore) -> None:
    org_id = demo_org.organisation.id
    old = demo_org.recovery
    old_file = identity_file(tmp_path, old)
    real_batch = recovery_service.rewrap_batch
    calls: list[int] = []

    def interrupted(*args: Any, **kwargs: Any) -> int:
        done = real_batch(*args, **kwargs)
        calls.append(done)
        if len(calls) == 2:  # Ctrl-C in the second batch, before its commit
            raise KeyboardInterrupt
        return done

    monkeypatch.setattr(recovery_service, "rewrap_batch", interrupted)
    result = cli(app, "rotate", "--org", "alpha", "--identity-file", str(old_file),
                 "--shares-dir", str(tmp_path / "sheets"), "--batch-size", "2")
    assert result.exit_code != 0
    monkeypatch.setattr(recovery_service, "rewrap_batch", real_batch)
    new = sheet_identity(tmp_path / "sheets", 2)

    # The first batch is committed, the second rolled back; every case opens
    # with one of the two identities, and new cases already go to the new one.
    [rotation] = db.scalars(select(RecoveryRotation))
    assert (rotation.state, rotation.rewrapped, rotation.batches, rotation.total) == \
        (RotationState.RUNNING, 2, 1, CASES)
    wraps = recovery_wraps(db, org_id)
    assert [wrap.recipient == str(new.recipient) for wrap in wraps] == \
        [True, True, False, False, False]
    assert rotation.cursor == wraps[1].id
    for wrap in wraps:
        identity = new if wrap.recipient == str(new.recipient) else old
        assert narrative_of(db, wrap, identity) == filed[wrap.case_id]
    organisation = org_row(db, org_id)
    assert organisation.recovery_recipient == str(old.recipient)
    assert organisation.recovery_recipient_next == str(new.recipient)
    late = file_case(db, demo_org, blobs, narrative="filed during the rotation")
    filed[late.id] = "filed during the rotation"
    [late_wrap] = [wrap for wrap in recovery_wraps(db, org_id) if wrap.case_id == late.id]
    assert late_wrap.recipient == str(new.recipient)
    assert not opens(late_wrap, old)

    status = cli(app, "status", "--org", "alpha")
    assert "RUNNING" in status.output
    assert "2 of 5 re-wrapped (40%), 3 still to the old key" in status.output
    assert "--resume" in status.output

    # Neither a second rotation nor a resume with another identity changes anything.
    again = cli(app, "rotate", "--org", "alpha", "--identity-file", str(old_file),
                "--shares-dir", str(tmp_path / "sheets-2"))
    assert again.exit_code == 1
    assert "--resume" in again.output
    assert not (tmp_path / "sheets-2").exists()
    stranger = identity_file(tmp_path, crypto.generate_identity(), "stranger.key")
    wrong = cli(app, "rotate", "--org", "alpha", "--resume", "--identity-file", str(stranger))
    assert wrong.exit_code == 1
    assert "not the recovery identity being replaced" in wrong.output
    with_sheets = cli(app, "rotate", "--org", "alpha", "--resume", "--identity-file",
                      str(old_file), "--shares-dir", str(tmp_path / "sheets-3"))
    assert with_sheets.exit_code == 1
    assert not (tmp_path / "sheets-3").exists()
    db.expire_all()
    assert db.get_one(RecoveryRotation, rotation.id).rewrapped == 2

    resumed = cli(app, "rotate", "--org", "alpha", "--resume", "--identity-file",
                  str(old_file), "--batch-size", "2")
    assert resumed.exit_code == 0, resumed.output
    assert_rotated(db, org_id, old, new, filed)
    db.expire_all()
    rotation = db.get_one(RecoveryRotation, rotation.id)
    assert (rotation.state, rotation.rewrapped, rotation.total) == \
        (RotationState.FINISHED, CASES, CASES)
    assert len(events(db, "recovery_rotation_started")) == 1
    assert len(events(db, "recovery_rotation_finished")) == 1
    assert verify(db).ok


def test_a_wrap_filed_late_behind_the_cursor_is_swept_up_at_the_finish(
        app: Flask, db: Session, demo_org: OrgFixture, filed: dict[int, str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An intake that read the old recipient just before the rotation started
    can commit a wrap the batches have passed: the finish finds it by recipient."""
    org_id = demo_org.organisation.id
    old = demo_org.recovery
    old_file = identity_file(tmp_path, old)
    real_batch = recovery_service.rewrap_batch
    calls: list[int] = []

    def once(*args: Any, **kwargs: Any) -> int:
        calls.append(1)
        if len(calls) == 2:  # stopped between the batches
            raise KeyboardInterrupt
        return real_batch(*args, **kwargs)

    monkeypatch.setattr(recovery_service, "rewrap_batch", once)
    cli(app, "rotate", "--org", "alpha", "--identity-file", str(old_file),
        "--shares-dir", str(tmp_path / "sheets"), "--batch-size", "3")
    monkeypatch.undo()
    new = sheet_identity(tmp_path / "sheets", 2)
    # The first wrap, behind the cursor, wrapped to the old recipient again.
    first = recovery_wraps(db, org_id)[0]
    case_key = crypto.CaseKey.unwrap(first.wrapped_key, [new])
    first.wrapped_key = case_key.wrap([old.recipient])
    first.recipient = str(old.recipient)
    db.commit()

    resumed = cli(app, "rotate", "--org", "alpha", "--resume", "--identity-file",
                  str(old_file))
    assert resumed.exit_code == 0, resumed.output
    assert "1 filed late" in resumed.output
    assert_rotated(db, org_id, old, new, filed)
    [finished] = events(db, "recovery_rotation_finished")
    assert finished.details["swept"] == 1


def test_a_wrong_old_identity_is_refused_before_anything_changes(
        app: Flask, db: Session, demo_org: OrgFixture, filed: dict[int, str],
        tmp_path: Path) -> None:
    org_id = demo_org.organisation.id
    before = {wrap.id: wrap.wrapped_key for wrap in recovery_wraps(db, org_id)}
    stranger = identity_file(tmp_path, crypto.generate_identity(), "stranger.key")
    readable = identity_file(tmp_path, demo_org.recovery, "readable.key", mode=0o644)
    garbage = tmp_path / "garbage.key"
    fd = os.open(garbage, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"not a key\n")
    os.close(fd)
    for path, message in ((stranger, "that is not the recovery identity of 'alpha'"),
                          (readable, "can be read by others"),
                          (garbage, "holds no age identity"),
                          (tmp_path / "absent.key", "No such file")):
        result = cli(app, "rotate", "--org", "alpha", "--identity-file", str(path),
                     "--shares-dir", str(tmp_path / "sheets"))
        assert result.exit_code == 1, result.output
        assert message in result.output
        assert len(result.output.strip().splitlines()) == 1
        assert not (tmp_path / "sheets").exists()
    # The organisation's identity is not split: no shares to type.
    typed = cli(app, "rotate", "--org", "alpha", "--shares-dir", str(tmp_path / "sheets"))
    assert typed.exit_code == 1
    assert "--identity-file" in typed.output
    unknown = cli(app, "rotate", "--org", "nope", "--identity-file", str(stranger),
                  "--shares-dir", str(tmp_path / "sheets"))
    assert "no organisation with slug 'nope'" in unknown.output

    assert {wrap.id: wrap.wrapped_key for wrap in recovery_wraps(db, org_id)} == before
    organisation = org_row(db, org_id)
    assert organisation.recovery_recipient == str(demo_org.recovery.recipient)
    assert organisation.recovery_recipient_next is None
    assert db.scalar(select(func.count()).select_from(RecoveryRotation)) == 0
    assert events(db, "recovery_rotation_started") == []
    assert not (tmp_path / "sheets").exists()


def test_custodians_type_their_shares_to_rotate_a_split_identity(
        app: Flask, db: Session, blobs: BlobStore, tmp_path: Path) -> None:
    created = app.test_cli_runner().invoke(main, [
        "org", "create", "Rights Watch", "--admin", "head@example.org",
        "--shares-dir", str(tmp_path / "first"), "--invitation-file", str(tmp_path / "i")])
    assert created.exit_code == 0, created.output
    org = db.scalars(select(Organisation)).one()
    interviewer = add_member(db, org, "field@example.org", PASSWORD, Role.INTERVIEWER,
                             must_change_password=False)
    db.commit()
    case = file_case(db, SimpleNamespace(members={Role.INTERVIEWER: interviewer}), blobs,
                     narrative="kept in a container by the river")
    old_shares = [share_from_sheet(path) for path in sheets_in(tmp_path / "first")]
    old = ssss.combine_identity(old_shares[:2])
    before = recovery_wraps(db, org.id)[0].wrapped_key

    # A mistyped share (one digit changed) combines to some other key: refused.
    digits = list(old_shares[2])
    digits[-1] = "0" if digits[-1] != "0" else "1"
    mistyped = cli(app, "rotate", "--org", "rights-watch", "--shares-dir",
                   str(tmp_path / "second"), input=f"{old_shares[0]}\n{''.join(digits)}\n")
    assert mistyped.exit_code == 1
    assert "nothing was changed" in mistyped.output
    assert recovery_wraps(db, org.id)[0].wrapped_key == before
    assert not (tmp_path / "second").exists()

    result = cli(app, "rotate", "--org", "rights-watch", "--shares-dir",
                 str(tmp_path / "second"), "--custodians", "4", "--threshold", "3",
                 input=f"not a share\n{old_shares[2]}\n{old_shares[0]}\n")
    assert result.exit_code == 0, result.output
    # Hidden input: no share appears in what the terminal (or a log) shows.
    assert not any(share.split("-")[1][:16] in result.output for share in old_shares)
    new_shares = [share_from_sheet(path) for path in sheets_in(tmp_path / "second")]
    assert len(new_shares) == 4
    organisation = org_row(db, org.id)
    assert (organisation.recovery_custodians, organisation.recovery_threshold) == (4, 3)

    key = tmp_path / "new.key"
    assert ssss_combine_into([new_shares[0], new_shares[1], new_shares[3]], key).returncode == 0
    assert age_recipient_of(key) == organisation.recovery_recipient
    assert age_open_narrative(db, case, key, tmp_path) == "kept in a container by the river"
    # The old custodians' shares still combine, into a key that opens nothing now.
    stale = tmp_path / "stale.key"
    ssss_combine_into(old_shares[:2], stale)
    assert age_recipient_of(stale) == str(old.recipient)
    with pytest.raises(Exception, match="returned non-zero"):
        age_open_narrative(db, case, stale, tmp_path)


def test_a_rotation_killed_mid_batch_resumes(app: Flask, db: Session, demo_org: OrgFixture,
                                             filed: dict[int, str], settings: Settings,
                                             tmp_path: Path) -> None:
    """A real process, killed with SIGKILL (no clean-up of any kind) while a
    batch is in flight: the committed batches stay, the rest resumes."""
    org_id = demo_org.organisation.id
    old = demo_org.recovery
    old_file = identity_file(tmp_path, old)
    (tmp_path / "none.toml").write_text("[witnessbox]\n")
    env = {**os.environ, "WITNESSBOX_SECRET_KEY": settings.secret_key,
           "WITNESSBOX_TOTP_SEED_KEYS": ",".join(settings.totp_seed_keys),
           "WITNESSBOX_AUDIT_SIGNING_KEY_FILE": settings.audit_signing_key_file,
           "WITNESSBOX_DATABASE_URL": settings.database_url,
           "WITNESSBOX_BLOB_DIR": settings.blob_dir, "WITNESSBOX_BASE_URL": settings.base_url,
           "WITNESSBOX_CONFIG": str(tmp_path / "none.toml"), "PYTHONPATH": str(REPOSITORY)}
    # A pool of two spawned processes per batch of two: each batch takes a
    # good part of a second, time enough to kill the command inside one.
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "recovery", "rotate", "--org", "alpha",
         "--identity-file", str(old_file), "--shares-dir", str(tmp_path / "sheets"),
         "--batch-size", "2", "--processes", "2"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        cwd=REPOSITORY, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            db.expire_all()
            rotation = db.scalars(select(RecoveryRotation)).first()
            if rotation is not None and rotation.rewrapped >= 2:
                break
            db.rollback()
            time.sleep(0.02)
    finally:
        # The whole process group, as systemd's SIGKILL takes the whole unit:
        # the pool's spawned workers hold the output pipe open and, killed
        # alone, the command would leave them running.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        output = process.communicate(timeout=60)[0].decode(errors="replace")
    db.rollback()
    [rotation] = db.scalars(select(RecoveryRotation))
    assert rotation.state is RotationState.RUNNING, output
    assert 2 <= rotation.rewrapped < CASES, output
    new = sheet_identity(tmp_path / "sheets", 2)
    for wrap in recovery_wraps(db, org_id):  # each case opens with one identity or the other
        identity = new if wrap.recipient == str(new.recipient) else old
        assert narrative_of(db, wrap, identity) == filed[wrap.case_id]

    resumed = cli(app, "rotate", "--org", "alpha", "--resume", "--identity-file",
                  str(old_file))
    assert resumed.exit_code == 0, resumed.output
    assert_rotated(db, org_id, old, new, filed)
