"""Replacing a member's key ("my key may be compromised").

Two ways, both ending with the old key retired, its protected identity
wiped and no case key wrapped to it any more:

* :func:`rekey` — the member's key is unlocked in this session. A new
  identity is made, every case key wrapped to the old identity is re-wrapped
  to the new one (crypto.rewrap, over processes for large numbers), the old
  wraps are deleted and the old key retired, all in the caller's transaction.
  The member keeps every case they could open.
* :func:`replace_lost_key` — the member cannot unlock (lost passphrase) or
  does not trust the key. A new key is made and the old one's wraps are
  destroyed at once; the cases they held stay listed in ``case_grant`` so
  an admin whose key opens them re-grants them to the new key
  (app.grants.service.regrant_former, "Re-grant their former cases").

Why the old protected identity is wiped rather than kept as a retired
record: it is the old identity under the old passphrase, and "may be
compromised" means that passphrase may be known. Kept, any later copy of the
database (a backup, a dump, a stolen disk) would hand whoever knows the
passphrase the old identity, and with it every wrap made to it that such a
copy still holds. Once every wrap is re-wrapped or destroyed it opens
nothing the member still needs, so nothing is lost by wiping it. The row
itself (recipient, dates) stays for the audit trail. What wiping cannot
reach: copies taken before (backups, database pages not yet overwritten).

The caller has re-authenticated the member (password or TOTP, in the web
layer): an unlocked key in an unattended browser alone must not be enough to
replace it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.orm import Session

import crypto
from app.audit import service as audit
from app.errors import PermissionDenied
from app.keys.service import Unlocked, WeakPassphrase, forget, key_of, unlock_identity
from app.models import CaseGrant, CaseKeyWrap, MemberKey, Membership, UnlockedKey, WrapPurpose
from crypto.identities import MIN_PASSPHRASE_LENGTH
from crypto.rewrap import rewrap as rewrap_many

# Below this many wraps a process pool costs more to start (two `spawn`
# interpreters, about a second) than it saves: at ~0.23 ms a key one process
# re-wraps 2,000 in half a second (docs/benchmarks.md).
POOL_THRESHOLD = 2000
# SQLite's limit on bound parameters per statement is 32,766 (999 before 3.32).
_IDS_PER_STATEMENT = 900
# What a wiped protected identity holds: nothing that opens, and the column
# stays NOT NULL (no migration). unprotect_identity refuses it.
WIPED = b""


class SamePassphrase(Exception):
    """The new passphrase opens the old key: it may be the one that leaked."""


@dataclass(frozen=True)
class Rekeyed:
    new_key_id: int
    old_key_id: int
    # Wraps moved to the new key (self-service) or destroyed (lost key).
    wraps: int
    # Other sessions' unlocked copies of the old key, forgotten.
    unlocked_copies_forgotten: int
    # For this session (self-service only): the new key, unlocked.
    unlocked: Unlocked | None = None


def _check_new_passphrase(old: MemberKey, new: str) -> None:
    if len(new) < MIN_PASSPHRASE_LENGTH:
        raise WeakPassphrase
    # One scrypt run (about a second): re-using the passphrase that may have
    # leaked would leave the new key as exposed as the old one.
    if old.protected_identity != WIPED:
        try:
            crypto.unprotect_identity(old.protected_identity, new)
        except crypto.CryptoError:
            return
        raise SamePassphrase


def _lock(session: Session, old: MemberKey) -> None:
    # On PostgreSQL a grant to this member waits on this row lock until the
    # re-key commits, then finds the key retired and refuses
    # (app.grants.service.grant): no wrap to the old key slips in meanwhile.
    # SQLite serialises writers anyway (the clause is left out there).
    session.execute(select(MemberKey.id).where(MemberKey.id == old.id).with_for_update())


def _retire(session: Session, old: MemberKey, now: datetime) -> None:
    # Conditional, so two re-keys racing on one key cannot both win.
    retired = session.execute(
        update(MemberKey).where(MemberKey.id == old.id, MemberKey.retired_at.is_(None))
        .values(retired_at=now, protected_identity=WIPED)
        .execution_options(synchronize_session=False))
    if getattr(retired, "rowcount", 0) != 1:
        raise PermissionDenied("the key was replaced meanwhile")
    session.expire(old)


def _new_key(session: Session, membership: Membership, identity: crypto.Identity,
             passphrase: str, now: datetime) -> MemberKey:
    key = MemberKey(membership_id=membership.id, recipient=str(identity.recipient),
                    protected_identity=crypto.protect_identity(identity, passphrase),
                    created_at=now)
    session.add(key)
    session.flush()
    return key


def _wraps_of(session: Session, key_id: int) -> list[Row[int, int, bytes]]:
    return list(session.execute(
        select(CaseKeyWrap.id, CaseKeyWrap.case_id, CaseKeyWrap.wrapped_key)
        .where(CaseKeyWrap.member_key_id == key_id).order_by(CaseKeyWrap.id)).all())


def _rewrap(rows: list[Row[int, int, bytes]], identity: crypto.Identity,
            recipient: crypto.Recipient, processes: int | None) -> list[bytes]:
    if not rows:
        return []
    if processes is None:
        processes = 1 if len(rows) < POOL_THRESHOLD else None
    return rewrap_many([row.wrapped_key for row in rows], identity, recipient,
                       processes=processes)


def rekey(session: Session, membership: Membership, identity: crypto.Identity,
          new_passphrase: str, *, lifetime: timedelta, replaces: int | None = None,
          processes: int | None = None, now: datetime | None = None) -> Rekeyed:
    """Move the member from their current key to a new one under ``new_passphrase``.

    ``identity`` is the member's unlocked current identity (it opens the old
    wraps). ``replaces`` is this session's unlocked row: it is replaced by
    the new key, unlocked for ``lifetime``; every other unlocked copy of the
    member's key is forgotten. A wrap that does not open with ``identity``
    aborts the whole re-key (CryptoError) and nothing changes.
    """
    now = now or datetime.now(UTC)
    old = key_of(membership)
    if str(identity.recipient) != old.recipient:
        raise PermissionDenied("the unlocked identity is not the member's current key")
    _lock(session, old)
    _check_new_passphrase(old, new_passphrase)
    new_identity = crypto.generate_identity()
    new_recipient = new_identity.recipient
    old_id = old.id

    # The crypto first, before any write: on SQLite the first write takes the
    # database's write lock, and re-wrapping many keys takes seconds; and a
    # wrap that does not open then fails the re-key before anything changed.
    rows = _wraps_of(session, old_id)
    wrapped = _rewrap(rows, identity, new_recipient, processes)
    new_key = _new_key(session, membership, new_identity, new_passphrase, now)
    moved = 0
    while rows:
        session.execute(insert(CaseKeyWrap), [
            {"case_id": row.case_id, "member_key_id": new_key.id,
             "purpose": WrapPurpose.MEMBER, "recipient": str(new_recipient),
             "wrapped_key": blob, "created_at": now}
            for row, blob in zip(rows, wrapped, strict=True)])
        ids = [row.id for row in rows]
        for start in range(0, len(ids), _IDS_PER_STATEMENT):
            session.execute(delete(CaseKeyWrap)
                            .where(CaseKeyWrap.id.in_(ids[start:start + _IDS_PER_STATEMENT]))
                            .execution_options(synchronize_session=False))
        moved += len(rows)
        # A grant or an intake that wrapped a case to the old key meanwhile:
        # those wraps move too, so none to the old key is left behind.
        rows = _wraps_of(session, old_id)
        wrapped = _rewrap(rows, identity, new_recipient, processes)
    _retire(session, old, now)
    session.expire(membership, ["keys"])
    own = replaces is not None and session.scalar(select(UnlockedKey.id).where(
        UnlockedKey.id == replaces, UnlockedKey.membership_id == membership.id)) is not None
    # The new row first, the old ones after: SQLite hands a deleted highest
    # row id out again, and another session's cookie naming that id would
    # then seem (on the key page) to be unlocked.
    unlocked = unlock_identity(session, membership, new_identity, lifetime=lifetime, now=now)
    forgotten = forget(session, membership_id=membership.id,
                       keep_row_id=unlocked.row_id) - int(own)
    audit.record(session, audit.Action.KEY_REKEYED, organisation_id=membership.organisation_id,
                 actor_user_id=membership.user_id, target=f"member_key:{new_key.id}",
                 old_key=old_id, how="self", wraps_rewrapped=moved,
                 unlocked_copies_forgotten=forgotten)
    return Rekeyed(new_key.id, old_id, moved, forgotten, unlocked)


def replace_lost_key(session: Session, membership: Membership, new_passphrase: str, *,
                     now: datetime | None = None) -> Rekeyed:
    """A new key for a member who cannot (or will not) use their current one.

    Every wrap to the old key is destroyed here, not when an admin re-grants:
    the old key may be in someone else's hands. The cases it opened are
    remembered as open ``case_grant`` rows (one is added where none is open,
    e.g. a case from before the grant history), which is what an admin's
    "Re-grant their former cases" wraps to the new key. Until then the
    member opens nothing; a case no admin's key opens stays open to the
    organisation's recovery identity only.
    """
    now = now or datetime.now(UTC)
    old = key_of(membership)
    _lock(session, old)
    _check_new_passphrase(old, new_passphrase)
    new_identity = crypto.generate_identity()
    old_id = old.id
    held = select(CaseKeyWrap.case_id).where(CaseKeyWrap.member_key_id == old_id)
    remembered = select(CaseGrant.case_id).where(
        CaseGrant.user_id == membership.user_id, CaseGrant.revoked_at.is_(None))
    unremembered = list(session.scalars(held.where(CaseKeyWrap.case_id.not_in(remembered))))
    new_key = _new_key(session, membership, new_identity, new_passphrase, now)
    # Like intake's rows (no granting admin): the history behind a wrap that
    # had none, so that the re-grant finds the case.
    session.add_all(CaseGrant(case_id=case_id, user_id=membership.user_id,
                              granted_by_user_id=None, granted_at=now)
                    for case_id in unremembered)
    destroyed = int(getattr(session.execute(
        delete(CaseKeyWrap).where(CaseKeyWrap.member_key_id == old_id)
        .execution_options(synchronize_session=False)), "rowcount", 0))
    _retire(session, old, now)
    forgotten = forget(session, membership_id=membership.id)
    session.expire(membership, ["keys"])
    session.flush()
    audit.record(session, audit.Action.KEY_REKEYED, organisation_id=membership.organisation_id,
                 actor_user_id=membership.user_id, target=f"member_key:{new_key.id}",
                 old_key=old_id, how="new_key_awaiting_regrant", wraps_destroyed=destroyed,
                 unlocked_copies_forgotten=forgotten)
    return Rekeyed(new_key.id, old_id, destroyed, forgotten)
