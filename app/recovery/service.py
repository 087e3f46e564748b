"""Rotating an organisation's offline recovery identity, as a resumable job.

A rotation replaces the recovery identity (when a custodian leaves, loses a
sheet, or the shares may be known): new shares are issued, then every case
key wrapped to the old recovery recipient is unwrapped with the old identity
and wrapped to the new recipient, in batches, and the old wraps are
overwritten. Only then does the organisation's recovery recipient change.

The new *identity* is never stored (it is on the custodians' sheets only),
and it is not needed after the shares are issued: re-wrapping needs the old
identity to unwrap and the new *recipient* to wrap. So a rotation that was
interrupted resumes with the old identity alone, from the job row
(:class:`app.models.RecoveryRotation`), which keeps the new recipient, a
cursor and counts.

While the job runs, new cases are wrapped to the new recipient
(``Organisation.recovery_recipient_next``, read by intake with a share lock,
see app.intake.service.recovery_recipient_for_new_cases); the start and the
finish update the organisation's row, so they wait for intakes in flight.

The functions here flush and never commit; the command line commits once per
step (start, each batch, finish): see app.recovery.cli.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

import crypto
from app.audit import service as audit
from app.models import Case, CaseKeyWrap, Organisation, RecoveryRotation, RotationState
from app.models.base import utcnow
from app.models.case import WrapPurpose
from app.orgs.locks import lock_organisation
from crypto.rewrap import rewrap

DEFAULT_BATCH_SIZE = 1000
# Unless told how many processes to use, a batch smaller than this is
# re-wrapped in this process: a fresh pool of spawned processes (crypto.rewrap)
# costs about a second to start, about what a thousand keys take here.
POOL_FROM = 2000


class RecoveryRefused(Exception):
    """The rotation cannot (yet) go ahead; the message says why, for the operator."""


@dataclass(frozen=True)
class RotationProgress:
    rewrapped: int
    total: int
    batch: int


def find_organisation(session: Session, slug: str) -> Organisation:
    organisation = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        raise RecoveryRefused(f"no organisation with slug {slug!r}")
    return organisation


def running_rotation(session: Session, organisation: Organisation) -> RecoveryRotation | None:
    return session.scalar(select(RecoveryRotation).where(
        RecoveryRotation.organisation_id == organisation.id,
        RecoveryRotation.state == RotationState.RUNNING))


def latest_rotation(session: Session, organisation: Organisation) -> RecoveryRotation | None:
    return session.scalar(
        select(RecoveryRotation).where(RecoveryRotation.organisation_id == organisation.id)
        .order_by(RecoveryRotation.id.desc()).limit(1))


def _recovery_wraps(organisation_id: int, recipient: str) -> Select[CaseKeyWrap]:
    return (select(CaseKeyWrap).join(Case, Case.id == CaseKeyWrap.case_id)
            .where(Case.organisation_id == organisation_id,
                   CaseKeyWrap.purpose == WrapPurpose.RECOVERY,
                   CaseKeyWrap.recipient == recipient))


def count_recovery_wraps(session: Session, organisation_id: int, recipient: str) -> int:
    return session.scalar(
        select(func.count()).select_from(_recovery_wraps(organisation_id, recipient).subquery())
    ) or 0


def _lock_organisation(session: Session, organisation: Organisation) -> Organisation:
    # Waits for every intake holding the row's shared lock (they read the
    # recovery recipient), and the refresh sees what they committed.
    lock_organisation(session, organisation.id, shared=False)
    locked = session.scalar(select(Organisation).where(Organisation.id == organisation.id)
                            .execution_options(populate_existing=True))
    assert locked is not None
    return locked


def check_identity(identity: crypto.Identity, expected_recipient: str, what: str) -> None:
    """Refuse an identity that is not the one whose recipient is ``expected_recipient``."""
    if identity.recipient != crypto.parse_recipient(expected_recipient):
        raise RecoveryRefused(
            f"that is not {what} (its public key is {identity.recipient}, expected "
            f"{expected_recipient}): wrong file, or a share mistyped or missing; "
            "nothing was changed")


def refuse_unless_rotatable(session: Session, organisation: Organisation,
                            old_identity: crypto.Identity) -> None:
    """Every check a new rotation makes before anything is written or issued."""
    running = running_rotation(session, organisation)
    if running is not None:
        raise RecoveryRefused(
            f"a recovery rotation of {organisation.slug!r} is running since "
            f"{running.started_at:%Y-%m-%d %H:%M} UTC ({running.rewrapped} of "
            f"{running.total} re-wrapped): continue it with --resume")
    check_identity(old_identity, organisation.recovery_recipient,
                   f"the recovery identity of {organisation.slug!r}")


def start_rotation(session: Session, organisation: Organisation,
                   old_identity: crypto.Identity, new_recipient: crypto.Recipient,
                   custodians: int, threshold: int) -> RecoveryRotation:
    """Record the job and send new cases to ``new_recipient`` from now on.

    Call after the new shares are safely written: from the commit on, cases
    filed are wrapped to the new recipient only (besides their members).
    """
    organisation = _lock_organisation(session, organisation)
    refuse_unless_rotatable(session, organisation, old_identity)
    if str(new_recipient) == organisation.recovery_recipient:
        raise RecoveryRefused("the new recovery identity is the old one")
    rotation = RecoveryRotation(
        organisation_id=organisation.id, old_recipient=organisation.recovery_recipient,
        new_recipient=str(new_recipient), custodians=custodians, threshold=threshold,
        state=RotationState.RUNNING, cursor=0, rewrapped=0, batches=0,
        total=count_recovery_wraps(session, organisation.id,
                                   organisation.recovery_recipient))
    session.add(rotation)
    organisation.recovery_recipient_next = str(new_recipient)
    session.flush()
    audit.record(session, audit.Action.RECOVERY_ROTATION_STARTED,
                 organisation_id=organisation.id, target=f"recovery_rotation:{rotation.id}",
                 issued_by="operator", wraps=rotation.total, custodians=custodians,
                 threshold=threshold)
    return rotation


def resumable_rotation(session: Session, organisation: Organisation,
                       old_identity: crypto.Identity) -> RecoveryRotation:
    """The running rotation, checked against the identity given to continue it."""
    rotation = running_rotation(session, organisation)
    if rotation is None:
        raise RecoveryRefused(f"no recovery rotation of {organisation.slug!r} is running "
                              "(start one without --resume)")
    check_identity(old_identity, rotation.old_recipient,
                   f"the recovery identity being replaced in {organisation.slug!r}")
    return rotation


def _rewrap_rows(wraps: list[CaseKeyWrap], old_identity: crypto.Identity,
                 new_recipient: str, processes: int | None) -> None:
    if not wraps:
        return
    if processes is None and len(wraps) < POOL_FROM:
        processes = 1
    try:
        fresh = rewrap([wrap.wrapped_key for wrap in wraps], old_identity,
                       crypto.parse_recipient(new_recipient), processes=processes)
    except crypto.CryptoError as exc:
        # rewrap names the index in this batch; the operator needs the row.
        index = next((int(word) for word in str(exc).split() if word.isdigit()), None)
        row = f" (case_key_wrap id {wraps[index].id})" if index is not None else ""
        raise RecoveryRefused(
            f"a recovery wrap does not open with the old recovery identity{row}: it is "
            "damaged; this batch was left as it was") from None
    for wrap, wrapped in zip(wraps, fresh, strict=True):
        # Overwritten in place: the old wrap's bytes leave the row (SQLite's
        # secure_delete also zeroes the freed page space; on PostgreSQL the
        # old tuple lasts until VACUUM).
        wrap.wrapped_key = wrapped
        wrap.recipient = new_recipient


def rewrap_batch(session: Session, rotation: RecoveryRotation, old_identity: crypto.Identity,
                 *, batch_size: int = DEFAULT_BATCH_SIZE,
                 processes: int | None = None) -> int:
    """Re-wrap the next ``batch_size`` recovery wraps after the cursor; how many (0: none left).

    The cursor is the last wrap id done; wraps to the old recipient are found
    by recipient, so a wrap committed late with a lower id (a slow intake
    that read the old recipient) is left for :func:`finish_rotation`'s sweep.
    """
    if rotation.state is not RotationState.RUNNING:
        raise RecoveryRefused("the rotation has finished")
    wraps = list(session.scalars(
        _recovery_wraps(rotation.organisation_id, rotation.old_recipient)
        .where(CaseKeyWrap.id > rotation.cursor)
        .order_by(CaseKeyWrap.id).limit(batch_size)))
    if not wraps:
        return 0
    _rewrap_rows(wraps, old_identity, rotation.new_recipient, processes)
    rotation.cursor = wraps[-1].id
    rotation.rewrapped += len(wraps)
    rotation.batches += 1
    rotation.updated_at = utcnow()
    session.flush()
    return len(wraps)


def finish_rotation(session: Session, rotation: RecoveryRotation,
                    old_identity: crypto.Identity, *, processes: int | None = None) -> int:
    """Sweep up what the batches could not see, then switch the organisation
    to the new recipient. Returns how many wraps the sweep re-wrapped."""
    organisation = _lock_organisation(session, session.get_one(Organisation,
                                                               rotation.organisation_id))
    # Everything still wrapped to the old recipient, whatever its id: with
    # the organisation's row locked no intake can add another.
    left = list(session.scalars(
        _recovery_wraps(rotation.organisation_id, rotation.old_recipient)
        .order_by(CaseKeyWrap.id)))
    _rewrap_rows(left, old_identity, rotation.new_recipient, processes)
    rotation.rewrapped += len(left)
    session.flush()
    if count_recovery_wraps(session, organisation.id, rotation.old_recipient):
        raise RecoveryRefused("recovery wraps to the old recipient remain; nothing switched")
    organisation.recovery_recipient = rotation.new_recipient
    organisation.recovery_recipient_next = None
    organisation.recovery_custodians = rotation.custodians
    organisation.recovery_threshold = rotation.threshold
    rotation.state = RotationState.FINISHED
    rotation.finished_at = rotation.updated_at = utcnow()
    session.flush()
    audit.record(session, audit.Action.RECOVERY_ROTATION_FINISHED,
                 organisation_id=organisation.id, target=f"recovery_rotation:{rotation.id}",
                 issued_by="operator", rewrapped=rotation.rewrapped, total=rotation.total,
                 batches=rotation.batches, swept=len(left))
    return len(left)


@dataclass(frozen=True)
class RecoveryStatus:
    slug: str
    recipient: str
    custodians: int | None
    threshold: int | None
    rotation: RecoveryRotation | None
    old_wraps: int
    recovery_wraps: int
    checked_at: datetime


def status(session: Session, organisation: Organisation) -> RecoveryStatus:
    rotation = latest_rotation(session, organisation)
    total = session.scalar(
        select(func.count()).select_from(CaseKeyWrap).join(Case, Case.id == CaseKeyWrap.case_id)
        .where(Case.organisation_id == organisation.id,
               CaseKeyWrap.purpose == WrapPurpose.RECOVERY)) or 0
    old = (count_recovery_wraps(session, organisation.id, rotation.old_recipient)
           if rotation is not None and rotation.state is RotationState.RUNNING else 0)
    return RecoveryStatus(organisation.slug, organisation.recovery_recipient,
                          organisation.recovery_custodians, organisation.recovery_threshold,
                          rotation, old, total, utcnow())
