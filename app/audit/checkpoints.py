"""Signed checkpoints: the audit chain's head, signed with a key outside the database.

The hash chain alone shows edits by someone who cannot recompute hashes;
anyone with write access to the database can recompute them. A checkpoint
signs (seq, event_hash) of the head with the server's Ed25519 key, which
lives in a file (``audit_signing_key_file``), so a rewrite of any event
before a checkpoint no longer matches a signature the attacker can make.

When a checkpoint is written (see ``SIGNED_AT_ONCE`` in app.audit.service):
right after every event that reads sealed material or changes who may read
it or how members authenticate, after the very first event, and otherwise
at most ``interval`` events after the previous checkpoint. Each checkpoint
signs its interval too, and verification holds the chain to it.

Checkpoints are written in the caller's transaction (flush, never commit).
If ``audit_checkpoint_log`` names a file, each committed checkpoint is also
appended there as one JSON line, so an attacker who can only write the
database cannot delete every checkpoint and truncate the chain behind them.

The signer travels on the session (``Session.info``, set by the app's
sessionmaker), because every service records events and threading the key
through each of them would put it in dozens of signatures for one purpose.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.audit.chain import GENESIS_HASH, event_hash, utc_text
from app.audit.keyfile import public_key_text
from app.models import AuditCheckpoint, AuditEvent, AuditHead
from crypto.errors import CryptoError
from crypto.signing import SigningKey, VerifyKey

log = logging.getLogger(__name__)

DOMAIN = b"witnessbox-audit-checkpoint-v1\n"
SESSION_INFO_KEY = "witnessbox.audit_signer"
_PENDING_LINES = "witnessbox.audit_checkpoint_lines"


@dataclass(frozen=True)
class AuditSigner:
    """The server's signing key and the rules its checkpoints follow."""

    signing_key: SigningKey
    interval: int = 50
    log_path: Path | None = None
    # Public keys of earlier signing keys, still accepted after a rotation.
    older_keys: tuple[VerifyKey, ...] = ()

    @property
    def accepted_keys(self) -> tuple[VerifyKey, ...]:
        return (self.signing_key.verify_key, *self.older_keys)

    @property
    def public_key(self) -> str:
        return public_key_text(self.signing_key.verify_key)


class NoAuditSigner(RuntimeError):
    """A session without the app's signer tried to record or verify events."""


def session_info(signer: AuditSigner) -> dict[str, Any]:
    """What the app's sessionmaker puts in every session's ``info``."""
    return {SESSION_INFO_KEY: signer}


def signer_for(session: Session) -> AuditSigner:
    signer = session.info.get(SESSION_INFO_KEY)
    if not isinstance(signer, AuditSigner):
        raise NoAuditSigner("this session carries no audit signer: sessions must come from "
                            "the app's sessionmaker (app.db)")
    return signer


def checkpoint_message(seq: int, head_hash: str, created_at: datetime, interval: int) -> bytes:
    return DOMAIN + f"{seq}\n{head_hash}\n{utc_text(created_at)}\n{interval}\n".encode("ascii")


def _sign(session: Session, signer: AuditSigner, seq: int, head_hash: str) -> AuditCheckpoint:
    created_at = datetime.now(UTC)
    signature = signer.signing_key.sign(
        checkpoint_message(seq, head_hash, created_at, signer.interval))
    checkpoint = AuditCheckpoint(seq=seq, event_hash=head_hash, created_at=created_at,
                                 interval=signer.interval, public_key=signer.public_key,
                                 signature=base64.b64encode(signature).decode("ascii"))
    session.add(checkpoint)
    session.flush()
    if signer.log_path is not None:
        # Appended only once the transaction commits (see _append_committed):
        # a rolled-back checkpoint must not outlive its event in the file.
        session.info.setdefault(_PENDING_LINES, []).append(
            (signer.log_path, _log_line(checkpoint)))
    return checkpoint


def _segment_intact(session: Session, since: AuditCheckpoint | None) -> bool:
    """Do the events from the last checkpoint to the head still chain to it?

    Checked before signing, so a checkpoint never blesses a tail someone
    rewrote since the previous one: it is left unsigned instead, and
    verification then reports the missing checkpoint.
    """
    start, previous = (since.seq, "") if since else (1, GENESIS_HASH)
    rows = session.scalars(select(AuditEvent).where(AuditEvent.seq >= start)
                           .order_by(AuditEvent.seq).execution_options(yield_per=500))
    try:
        expected_seq = start
        for record in rows:
            if record.seq != expected_seq or event_hash(record) != record.event_hash:
                return False
            if since is not None and record.seq == since.seq:
                if record.event_hash != since.event_hash:
                    return False
            elif record.prev_hash != previous:
                return False
            previous, expected_seq = record.event_hash, record.seq + 1
    finally:
        rows.close()  # a server-side cursor on PostgreSQL, left early on a break
    if since is not None and expected_seq == since.seq:
        return False  # the checkpointed event itself is gone
    head = session.get(AuditHead, 1)
    return head is not None and (head.last_seq, head.last_hash) == (expected_seq - 1, previous)


def after_append(session: Session, appended: AuditEvent, *, signed_at_once: bool
                 ) -> AuditCheckpoint | None:
    """Sign the head after ``appended`` if this event or the interval calls for it.

    Called by app.audit.service.record with the head row locked.
    """
    signer = signer_for(session)
    last = session.scalars(select(AuditCheckpoint)
                           .order_by(AuditCheckpoint.seq.desc()).limit(1)).first()
    due = signed_at_once or last is None or appended.seq - last.seq >= signer.interval
    if not due:
        return None
    if not _segment_intact(session, last):
        log.error("audit chain after checkpoint %s does not verify; head %s left unsigned "
                  "(run `witnessbox audit verify`)", last.seq if last else 0, appended.seq)
        return None
    return _sign(session, signer, appended.seq, appended.event_hash)


def checkpoint_head(session: Session) -> tuple[AuditCheckpoint | None, bool]:
    """Sign the current head (for cron); returns (checkpoint, newly_signed).

    (None, False) for an empty log. Refuses (raises ChainBroken) when the
    events since the last checkpoint do not verify: signing would bless them.
    """
    signer = signer_for(session)
    head = session.scalars(select(AuditHead).where(AuditHead.id == 1).with_for_update()).one()
    if head.last_seq == 0:
        return None, False
    existing = session.scalars(select(AuditCheckpoint)
                               .where(AuditCheckpoint.seq == head.last_seq)).first()
    if existing is not None:
        return existing, False
    last = session.scalars(select(AuditCheckpoint)
                           .order_by(AuditCheckpoint.seq.desc()).limit(1)).first()
    if not _segment_intact(session, last):
        raise ChainBroken(f"the events after checkpoint {last.seq if last else 0} do not "
                          "verify; not signing them (run `witnessbox audit verify`)")
    return _sign(session, signer, head.last_seq, head.last_hash), True


class ChainBroken(RuntimeError):
    """The chain since the last checkpoint does not verify, so it is not signed."""


def _log_line(checkpoint: AuditCheckpoint) -> str:
    return json.dumps({
        "seq": checkpoint.seq, "event_hash": checkpoint.event_hash,
        "created_at": utc_text(checkpoint.created_at), "interval": checkpoint.interval,
        "public_key": checkpoint.public_key, "signature": checkpoint.signature,
    }, sort_keys=True, separators=(",", ":"))


@event.listens_for(Session, "after_commit")
def _append_committed(session: Session) -> None:
    pending: list[tuple[Path, str]] = session.info.pop(_PENDING_LINES, [])
    for path, line in pending:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "a", encoding="ascii") as handle:
                handle.write(line + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError:
            # The database already committed; the file is a second copy. Say so
            # loudly rather than fail the member's request after the fact.
            log.exception("could not append an audit checkpoint to %s", path)


@event.listens_for(Session, "after_rollback")
def _drop_uncommitted(session: Session) -> None:
    session.info.pop(_PENDING_LINES, None)


@dataclass(frozen=True)
class _Signed:
    seq: int
    event_hash: str
    created_at: datetime
    interval: int
    public_key: str
    signature: str


def _signature_problem(signed: _Signed, accepted: dict[str, VerifyKey], where: str
                       ) -> str | None:
    key = accepted.get(signed.public_key)
    if key is None:
        return (f"{where} at event {signed.seq} is signed by a key that is not accepted "
                "(neither the configured signing key nor one of audit_verify_keys)")
    try:
        key.verify(base64.b64decode(signed.signature, validate=True),
                   checkpoint_message(signed.seq, signed.event_hash, signed.created_at,
                                      signed.interval))
    except (binascii.Error, ValueError, CryptoError):
        return f"{where} at event {signed.seq}: its signature does not verify (forged or edited)"
    return None


def _read_log(path: Path) -> tuple[list[_Signed], list[str]]:
    entries: list[_Signed] = []
    problems: list[str] = []
    with path.open(encoding="ascii", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                entries.append(_Signed(int(data["seq"]), str(data["event_hash"]),
                                       datetime.fromisoformat(data["created_at"]),
                                       int(data["interval"]), str(data["public_key"]),
                                       str(data["signature"])))
            except (ValueError, KeyError, TypeError):
                problems.append(f"line {number} of the checkpoint log {path} is unreadable")
    return entries, problems


class CheckpointReview:
    """Checks the checkpoints against the chain while verify() walks it.

    Usage: construct, call :meth:`see` for every event in order, then
    :meth:`finish`; ``problems`` lists what was found, in plain words.
    """

    def __init__(self, session: Session, signer: AuditSigner) -> None:
        self.problems: list[str] = []
        accepted = {public_key_text(key): key for key in signer.accepted_keys}
        self._stored: dict[int, _Signed] = {}
        for row in session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq)):
            signed = _Signed(row.seq, row.event_hash, row.created_at, row.interval,
                             row.public_key, row.signature)
            problem = _signature_problem(signed, accepted, "the checkpoint")
            if problem:
                self.problems.append(problem)
            else:
                self._stored[signed.seq] = signed
        self._filed: dict[int, _Signed] = {}
        if signer.log_path is not None:
            self._review_log(signer.log_path, accepted)
        self._expected = {seq: s.event_hash for seq, s in {**self._stored, **self._filed}.items()}
        self._first_stored = min(self._stored, default=None)

    def _review_log(self, path: Path, accepted: dict[str, VerifyKey]) -> None:
        if not path.exists():
            if self._stored:
                self.problems.append(f"the checkpoint log {path} does not exist "
                                     "(deleted or moved?)")
            return
        entries, problems = _read_log(path)
        self.problems.extend(problems)
        for signed in entries:
            problem = _signature_problem(signed, accepted, "the logged checkpoint")
            if problem:
                self.problems.append(problem)
                continue
            self._filed[signed.seq] = signed
            stored = self._stored.get(signed.seq)
            if stored is None:
                self.problems.append(f"the checkpoint at event {signed.seq} is in the "
                                     f"checkpoint log {path} but not in the database (deleted)")
            elif stored.event_hash != signed.event_hash:
                self.problems.append(f"the checkpoint at event {signed.seq} differs between "
                                     f"the database and the checkpoint log {path}")

    def see(self, seq: int, stored_hash: str, *, signed_at_once: bool, action: str) -> None:
        expected = self._expected.pop(seq, None)
        if expected is not None and expected != stored_hash:
            self.problems.append(f"event {seq}: does not match the signed checkpoint at that "
                                 "event (events up to it were changed, removed or added)")
        if (signed_at_once and self._first_stored is not None and seq > self._first_stored
                and seq not in self._stored):
            self.problems.append(f"event {seq} ({action}) has no signed checkpoint, though "
                                 f"every {action} event gets one (added, or the log after "
                                 "it was rewritten)")

    def finish(self, chain_end: int, events: int) -> None:
        for seq in sorted(self._expected):
            where = "beyond the end of the chain" if seq > chain_end else "missing from the chain"
            self.problems.append(f"a signed checkpoint names event {seq}, which is {where} "
                                 "(events were removed)")
        if events and not self._stored:
            self.problems.append(f"the log has {events} events but no valid signed checkpoint, "
                                 "so a rewritten log could not be told apart")
        self._check_gaps(sorted(self._stored.values(), key=lambda s: s.seq))
        newest = max({**self._stored, **self._filed}.values(), key=lambda s: s.seq,
                     default=None)
        if newest is not None and chain_end - newest.seq > newest.interval:
            self.problems.append(
                f"the chain ends at event {chain_end}, more than {newest.interval} events after "
                f"the last signed checkpoint (event {newest.seq}): events after the last signed "
                "checkpoint may have been removed or added")

    def _check_gaps(self, ordered: Iterable[_Signed]) -> None:
        previous: _Signed | None = None
        for signed in ordered:
            if previous is not None and signed.seq - previous.seq > previous.interval:
                self.problems.append(
                    f"between the signed checkpoints at events {previous.seq} and {signed.seq} "
                    f"there should be one at least every {previous.interval} events "
                    "(checkpoints were deleted)")
            previous = signed
