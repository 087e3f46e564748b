"""Signed checkpoints: a rewrite of the audit log by someone with database write
access (but not the key file) no longer verifies."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from intake_data import file_case
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.audit.checkpoints import checkpoint_message, signer_for
from app.audit.keyfile import public_key_text, write_new_signing_key
from app.auth.service import complete_sign_in, sign_out
from app.cases import service as cases
from app.models import AuditCheckpoint, AuditEvent, AuditHead, Role
from app.storage import BlobStore
from crypto.signing import SigningKey

EVENTS = 348


def run_cli(app: Flask, *args: str) -> Result:
    from app.cli import main

    return app.test_cli_runner().invoke(main, ["audit", *args])


@dataclass
class BusyLog:
    decrypt_seqs: list[int]


def _fill(db: Session, org: Any, blobs: BlobStore, events: int) -> BusyLog:
    """``events`` events through the real services: one intake, then sign-ins,
    sign-outs and now and then a decryption, each committed as a request would."""
    reviewer = org.members[Role.REVIEWER]
    case = file_case(db, org, blobs)
    decrypts: list[int] = []
    for i in range(events - 1):
        if i % 25 == 0:
            cases.unlock_case_key(db, reviewer, case, org.identities[Role.REVIEWER])
            decrypts.append(_head(db)[0])
        elif i % 2:
            complete_sign_in(db, reviewer.user, "totp")
        else:
            sign_out(db, reviewer.user_id, None, "user")
        db.commit()  # one unit of work per event, as one request each would be
    return BusyLog(decrypts)


@pytest.fixture
def busy_log(db: Session, demo_org: Any, blobs: BlobStore) -> BusyLog:
    log = _fill(db, demo_org, blobs, EVENTS)
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == EVENTS
    return log


def _head(db: Session) -> tuple[int, str]:
    head = db.get(AuditHead, 1, populate_existing=True)
    assert head is not None
    return head.last_seq, head.last_hash


def rewrite_chain(db: Session, *, delete_seqs: range | None = None) -> int:
    """What an attacker with write access to the database does: delete events,
    renumber the rest, recompute every link and hash and the head. Returns the
    new number of events."""
    if delete_seqs is not None:
        db.execute(delete(AuditEvent).where(AuditEvent.seq >= delete_seqs.start,
                                            AuditEvent.seq < delete_seqs.stop))
    previous, seq = audit.GENESIS_HASH, 0
    for event in db.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all():
        seq += 1
        event.seq, event.prev_hash = seq, previous
        event.event_hash = audit.event_hash(event)
        db.flush()  # one row at a time, upwards: seq is unique
        previous = event.event_hash
    db.execute(update(AuditHead).where(AuditHead.id == 1)
               .values(last_seq=seq, last_hash=previous))
    db.commit()
    return seq


def _problems(db: Session) -> tuple[str, ...]:
    db.expire_all()
    return audit.verify(db).problems


def test_checkpoints_are_signed_at_decryptions_and_every_interval(
        db: Session, busy_log: BusyLog) -> None:
    signer = signer_for(db)
    rows = db.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq)).all()
    seqs = [row.seq for row in rows]
    assert set(busy_log.decrypt_seqs) <= set(seqs)
    assert seqs[0] == 1  # the intake, and the chain's first event
    gaps = [b - a for a, b in zip([0, *seqs], [*seqs, EVENTS], strict=True)]
    assert max(gaps) <= signer.interval
    for row in rows:
        event = db.scalars(select(AuditEvent).where(AuditEvent.seq == row.seq)).one()
        assert row.event_hash == event.event_hash
        assert row.public_key == signer.public_key
        signer.signing_key.verify_key.verify(
            base64.b64decode(row.signature),
            checkpoint_message(row.seq, row.event_hash, row.created_at, row.interval))
    assert audit.verify(db).ok


def test_deleting_210_events_and_recomputing_the_chain_and_head_is_detected(
        app: Flask, db: Session, busy_log: BusyLog) -> None:
    assert rewrite_chain(db, delete_seqs=range(100, 310)) == EVENTS - 210
    problems = _problems(db)
    # The chain and head are consistent again (what verify checked before) ...
    assert all("checkpoint" in problem for problem in problems), problems
    # ... but no longer match what was signed.
    assert any("does not match the signed checkpoint" in p for p in problems), problems
    result = run_cli(app, "verify")
    assert result.exit_code == 1
    assert "TAMPERED" in result.output


def test_deleting_the_later_checkpoints_as_well_is_detected(
        db: Session, busy_log: BusyLog) -> None:
    rewrite_chain(db, delete_seqs=range(100, 310))
    db.execute(delete(AuditCheckpoint).where(AuditCheckpoint.seq >= 100))
    db.commit()
    problems = _problems(db)
    # The decryptions kept after the deleted range now sit at seqs no checkpoint signed.
    assert any("(decrypt) has no signed checkpoint" in p for p in problems), problems


def test_checkpoints_signed_with_another_key_are_not_accepted(
        db: Session, busy_log: BusyLog) -> None:
    rewrite_chain(db, delete_seqs=range(100, 310))
    db.execute(delete(AuditCheckpoint))
    forger = SigningKey.generate()
    for event in db.scalars(select(AuditEvent).where(AuditEvent.seq % 40 == 0)).all():
        checkpoint = AuditCheckpoint(seq=event.seq, event_hash=event.event_hash,
                                     created_at=event.created_at, interval=50,
                                     public_key=public_key_text(forger.verify_key),
                                     signature="")
        checkpoint.signature = base64.b64encode(forger.sign(checkpoint_message(
            checkpoint.seq, checkpoint.event_hash, checkpoint.created_at, 50))).decode()
        db.add(checkpoint)
    db.commit()
    problems = _problems(db)
    assert any("signed by a key that is not accepted" in p for p in problems), problems
    assert any("no valid signed checkpoint" in p for p in problems), problems


def test_an_edited_checkpoint_no_longer_verifies(db: Session, busy_log: BusyLog) -> None:
    rewrite_chain(db, delete_seqs=range(100, 310))
    # Point the newest checkpoint at the forged head: its signature breaks.
    seq, head_hash = _head(db)
    db.execute(delete(AuditCheckpoint).where(AuditCheckpoint.seq >= seq))
    newest = db.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc())).first()
    assert newest is not None
    db.execute(update(AuditCheckpoint).where(AuditCheckpoint.id == newest.id)
               .values(seq=seq, event_hash=head_hash))
    db.commit()
    assert any("signature does not verify" in p for p in _problems(db))


def test_a_log_with_events_and_no_checkpoint_fails(app: Flask, db: Session,
                                                   busy_log: BusyLog) -> None:
    db.execute(delete(AuditCheckpoint))
    db.commit()
    assert any("no valid signed checkpoint" in p for p in _problems(db))
    assert run_cli(app, "verify").exit_code == 1


def test_events_appended_far_past_the_last_checkpoint_are_reported(
        db: Session, demo_org: Any, blobs: BlobStore) -> None:
    _fill(db, demo_org, blobs, 10)
    seq, previous = _head(db)
    interval = signer_for(db).interval
    last = db.scalars(select(AuditEvent).where(AuditEvent.seq == seq)).one()
    for forged_seq in range(seq + 1, seq + interval + 2):  # forged sign-ins, chained correctly
        event = AuditEvent(seq=forged_seq, created_at=last.created_at, action="sign_in",
                           organisation_id=None, actor_user_id=last.actor_user_id,
                           target=None, details={}, prev_hash=previous)
        event.event_hash = audit.event_hash(event)
        db.add(event)
        db.flush()
        previous = event.event_hash
    db.execute(update(AuditHead).where(AuditHead.id == 1)
               .values(last_seq=seq + interval + 1, last_hash=previous))
    db.commit()
    assert any("events after the last signed checkpoint may have been removed or added" in p
               for p in _problems(db))


def test_the_next_checkpoint_does_not_sign_over_a_broken_tail(
        db: Session, demo_org: Any, blobs: BlobStore) -> None:
    log = _fill(db, demo_org, blobs, 40)
    # An event after the last checkpoint is deleted; then a real decryption
    # comes along: it must not sign a head whose chain does not hold.
    db.execute(delete(AuditEvent).where(AuditEvent.seq == log.decrypt_seqs[-1] + 2))
    db.commit()
    before = db.scalar(select(func.count()).select_from(AuditCheckpoint))
    case = db.scalars(select(AuditEvent.target).where(AuditEvent.action == "intake")).one()
    reviewer = demo_org.members[Role.REVIEWER]
    cases.unlock_case_key(db, reviewer, cases.get_case(db, reviewer, str(case)),
                          demo_org.identities[Role.REVIEWER])
    assert db.scalar(select(func.count()).select_from(AuditCheckpoint)) == before
    assert any("(decrypt) has no signed checkpoint" in p for p in _problems(db))


def test_checkpoint_command_signs_the_head_once(app: Flask, db: Session, demo_org: Any,
                                                blobs: BlobStore) -> None:
    assert "nothing to sign" in run_cli(app, "checkpoint").output
    _fill(db, demo_org, blobs, 5)  # the intake is signed; the sign-ins after it are not
    seq, head_hash = _head(db)
    result = run_cli(app, "checkpoint")
    assert result.exit_code == 0, result.output
    assert f"signed checkpoint at event {seq}" in result.output
    row = db.scalars(select(AuditCheckpoint).where(AuditCheckpoint.seq == seq)).one()
    assert row.event_hash == head_hash
    assert "signed already" in run_cli(app, "checkpoint").output


def test_checkpoint_command_refuses_to_sign_a_rewritten_chain(
        app: Flask, db: Session, demo_org: Any, blobs: BlobStore) -> None:
    _fill(db, demo_org, blobs, 5)
    db.execute(delete(AuditEvent).where(AuditEvent.seq == 3))
    db.commit()
    result = run_cli(app, "checkpoint")
    assert result.exit_code == 1
    assert "not signing" in result.output
    assert db.scalar(select(func.max(AuditCheckpoint.seq))) == 2  # the decryption


def test_checkpoint_log_file_gets_committed_checkpoints_only(
        make_app: Any, tmp_path: Path, demo_org: Any) -> None:
    log_file = tmp_path / "checkpoints.jsonl"
    app = make_app(audit_checkpoint_log=str(log_file))
    session: Session = app.extensions["witnessbox.sessionmaker"]()
    try:
        org = demo_org.organisation.id
        audit.record(session, audit.Action.EXPORT, organisation_id=org, target="rolled-back")
        session.rollback()
        assert not log_file.exists()
        audit.record(session, audit.Action.EXPORT, organisation_id=org, target="kept")
        session.commit()
        lines = [json.loads(line) for line in log_file.read_text().splitlines()]
        assert [line["seq"] for line in lines] == [1]
        assert oct(log_file.stat().st_mode & 0o777) == oct(0o600)
        assert audit.verify(session).ok
    finally:
        session.close()


def test_truncating_the_tail_with_its_checkpoints_is_caught_by_the_log_file(
        make_app: Any, tmp_path: Path, demo_org: Any, blobs: BlobStore) -> None:
    log_file = tmp_path / "checkpoints.jsonl"
    app = make_app(audit_checkpoint_log=str(log_file))
    session: Session = app.extensions["witnessbox.sessionmaker"]()
    try:
        log = _fill(session, demo_org, blobs, 60)
        cut = log.decrypt_seqs[1]  # drop everything from the second decryption on
        session.execute(delete(AuditEvent).where(AuditEvent.seq >= cut))
        session.execute(delete(AuditCheckpoint).where(AuditCheckpoint.seq >= cut))
        rewrite_chain(session)
        problems = _problems(session)
        assert any("in the checkpoint log" in p and "not in the database" in p
                   for p in problems), problems
        assert any("beyond the end of the chain" in p for p in problems), problems
    finally:
        session.close()


def test_an_old_key_still_verifies_when_listed_after_a_rotation(
        make_app: Any, tmp_path: Path, db: Session, demo_org: Any, blobs: BlobStore) -> None:
    _fill(db, demo_org, blobs, 5)
    old_public = signer_for(db).public_key
    new_key = tmp_path / "new-audit-key"
    write_new_signing_key(new_key)
    without = make_app(audit_signing_key_file=str(new_key))
    with_old = make_app(audit_signing_key_file=str(new_key), audit_verify_keys=(old_public,))
    for application, ok in ((without, False), (with_old, True)):
        session: Session = application.extensions["witnessbox.sessionmaker"]()
        try:
            assert audit.verify(session).ok is ok
        finally:
            session.close()
