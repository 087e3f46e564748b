"""Recording and verifying the hash-chained audit log.

Each event's hash covers its own fields and the previous event's hash, so an
edited, deleted, inserted or reordered event breaks every hash after it, and
the head row (last sequence number and hash) reveals a truncated tail. Events
carry ids, actions and outcomes; never testimony content, names or secrets.

Someone who can write the database can recompute all of that, so the head is
also signed now and then with a key kept outside the database
(app.audit.checkpoints); verification holds the chain to those signatures.

Events are appended inside the caller's unit of work: the action, its record
and its checkpoint commit together or not at all. The few events that must be
kept even when the unit is abandoned (a failed sign-in, a decryption) are
listed in :data:`DURABLE_ACTIONS`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.audit import checkpoints
from app.audit.chain import GENESIS_HASH as GENESIS_HASH
from app.audit.chain import event_hash as event_hash
from app.errors import PermissionDenied
from app.models import AuditEvent, AuditHead, Membership, Role
from app.unit_of_work import keep_if_abandoned


class Action(enum.StrEnum):
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    SIGN_OUT_EVERYWHERE = "sign_out_everywhere"
    LOCKED_OUT = "locked_out"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an action name, not a secret
    TOTP_ENROLLED = "totp_enrolled"
    TOTP_FAILED = "totp_failed"
    RECOVERY_CODE_USED = "recovery_code_used"
    UNLOCK = "unlock"
    UNLOCK_FAILED = "unlock_failed"
    KEY_PASSPHRASE_CHANGED = "key_passphrase_changed"  # noqa: S105 - an action name
    KEY_REKEYED = "key_rekeyed"
    DECRYPT = "decrypt"
    INTAKE = "intake"
    REDACTION = "redaction"
    APPROVAL = "approval"
    GRANT = "grant"
    REVOKE = "revoke"
    CLUSTER = "cluster"
    EXPORT = "export"
    MEMBER_INVITED = "member_invited"
    MEMBER_JOINED = "member_joined"
    MEMBER_SUSPENDED = "member_suspended"
    MEMBER_REINSTATED = "member_reinstated"
    MEMBER_REMOVED = "member_removed"
    SETTINGS_CHANGED = "settings_changed"
    STATUS_CHANGED = "status_changed"
    CASE_ASSIGNED = "case_assigned"
    PRIORITY_CHANGED = "priority_changed"
    NOTE_ADDED = "note_added"
    CODED_CHANGED = "coded_changed"
    ORG_CREATED = "org_created"
    TOTP_RESET = "totp_reset"
    ACCOUNT_UNLOCKED = "account_unlocked"
    RECOVERY_CODES_REGENERATED = "recovery_codes_regenerated"
    RECOVERY_ROTATION_STARTED = "recovery_rotation_started"
    RECOVERY_ROTATION_FINISHED = "recovery_rotation_finished"
    BACKUP_CREATED = "backup_created"
    BACKUP_RESTORED = "backup_restored"


# Events that happened whatever becomes of the request that records them: a
# guess at a credential counts even if the page then fails, and a decryption
# is accountable even if the response never leaves. Recorded again after a
# rollback (app.unit_of_work).
DURABLE_ACTIONS = frozenset({
    Action.SIGN_IN_FAILED, Action.TOTP_FAILED, Action.LOCKED_OUT, Action.UNLOCK_FAILED,
    Action.DECRYPT, Action.EXPORT,
})


# Events after which the head is signed at once rather than at the next
# interval: those that read sealed material, change who may read it, or
# change how a member authenticates. An attacker who rewrites the log wants
# exactly these gone; each one pins the whole chain before it. Sign-ins,
# sign-outs and failures wait for the periodic checkpoint.
SIGNED_AT_ONCE = frozenset({
    Action.DECRYPT, Action.UNLOCK, Action.EXPORT, Action.INTAKE, Action.REDACTION,
    Action.APPROVAL, Action.STATUS_CHANGED, Action.GRANT, Action.REVOKE, Action.MEMBER_INVITED,
    Action.MEMBER_JOINED, Action.MEMBER_SUSPENDED, Action.MEMBER_REINSTATED,
    Action.MEMBER_REMOVED, Action.SETTINGS_CHANGED, Action.PASSWORD_CHANGED,
    Action.KEY_PASSPHRASE_CHANGED, Action.KEY_REKEYED,
    Action.TOTP_ENROLLED, Action.RECOVERY_CODE_USED, Action.ORG_CREATED,
    Action.TOTP_RESET, Action.ACCOUNT_UNLOCKED, Action.RECOVERY_CODES_REGENERATED,
    Action.RECOVERY_ROTATION_STARTED, Action.RECOVERY_ROTATION_FINISHED,
    Action.BACKUP_CREATED, Action.BACKUP_RESTORED,
})
_SIGNED_AT_ONCE_NAMES = frozenset(action.value for action in SIGNED_AT_ONCE)


def record(session: Session, action: Action, *, organisation_id: int | None = None,
           actor_user_id: int | None = None, target: str | None = None,
           **details: str | int | bool | None) -> AuditEvent:
    """Append an event in the current unit of work (flushed, never committed).

    Signs a checkpoint of the new head when ``action`` or the interval calls
    for it; the session must come from the app (it carries the signer).
    """
    event = _append(session, action, organisation_id, actor_user_id, target, details)
    if action in DURABLE_ACTIONS:
        keep_if_abandoned(session, lambda again: _append(
            again, action, organisation_id, actor_user_id, target, details))
    return event


def _append(session: Session, action: Action, organisation_id: int | None,
            actor_user_id: int | None, target: str | None,
            details: dict[str, str | int | bool | None]) -> AuditEvent:
    # Moving the head first takes the write lock before the head is read: a
    # row lock on PostgreSQL, and on SQLite the database's write lock, which
    # SELECT ... FOR UPDATE would not take (two writers then read the same
    # head and one failed on the sequence number).
    seq = session.execute(
        update(AuditHead).where(AuditHead.id == 1)
        .values(last_seq=AuditHead.last_seq + 1)
        .returning(AuditHead.last_seq)
        .execution_options(synchronize_session=False)).scalar_one()
    head = session.get(AuditHead, 1, populate_existing=True)
    assert head is not None  # the UPDATE above found it
    event = AuditEvent(
        seq=seq, created_at=datetime.now(UTC),
        organisation_id=organisation_id, actor_user_id=actor_user_id, action=action.value,
        target=target, details={k: v for k, v in details.items() if v is not None},
        prev_hash=head.last_hash)
    event.event_hash = event_hash(event)
    head.last_hash = event.event_hash
    session.add(event)
    session.flush()
    checkpoints.after_append(session, event, signed_at_once=action in SIGNED_AT_ONCE)
    return event


@dataclass(frozen=True)
class Verification:
    ok: bool
    events: int
    problems: tuple[str, ...]


def _chain(session: Session) -> Iterator[AuditEvent]:
    yield from session.scalars(select(AuditEvent).order_by(AuditEvent.seq)
                               .execution_options(yield_per=1000))


def verify(session: Session, signer: checkpoints.AuditSigner | None = None) -> Verification:
    """Check the whole chain, the head and the signed checkpoints; report every break.

    ``signer`` (default: the session's) names the accepted public keys and
    the checkpoint log file.
    """
    review = checkpoints.CheckpointReview(session, signer or checkpoints.signer_for(session))
    problems: list[str] = []
    expected_seq, previous, count = 1, GENESIS_HASH, 0
    for event in _chain(session):
        review.see(event.seq, event.event_hash, action=event.action,
                   signed_at_once=event.action in _SIGNED_AT_ONCE_NAMES)
        count += 1
        if event.seq != expected_seq:
            problems.append(f"event {event.seq}: expected sequence number {expected_seq} "
                            "(an event was deleted, inserted or renumbered)")
        if event.prev_hash != previous:
            problems.append(f"event {event.seq}: does not follow the previous event "
                            "(deleted, inserted or reordered)")
        if event_hash(event) != event.event_hash:
            problems.append(f"event {event.seq}: contents do not match its hash (edited)")
        expected_seq, previous = event.seq + 1, event.event_hash
    head = session.get(AuditHead, 1)
    if head is None:
        problems.append("the chain head is missing")
    elif (head.last_seq, head.last_hash) != (expected_seq - 1, previous):
        problems.append(f"the chain ends at event {expected_seq - 1} but the head records "
                        f"event {head.last_seq} (events were removed from the end or added)")
    review.finish(expected_seq - 1, count)
    problems.extend(review.problems)
    return Verification(not problems, count, tuple(problems))


def events_for(session: Session, viewer: Membership, *, action: str | None = None,
               actor_user_id: int | None = None, limit: int = 200) -> list[AuditEvent]:
    """The viewer's organisation's events, newest first, optionally filtered.

    Only admins read the log, and only their own organisation's part of it.
    """
    if viewer.role is not Role.ADMIN or not viewer.active:
        raise PermissionDenied("only admins read the audit log")
    query = select(AuditEvent).where(AuditEvent.organisation_id == viewer.organisation_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if actor_user_id is not None:
        query = query.where(AuditEvent.actor_user_id == actor_user_id)
    return list(session.scalars(query.order_by(AuditEvent.seq.desc()).limit(limit)))


def details_text(details: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in sorted(details.items()))
