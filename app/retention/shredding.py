"""Crypto-shredding: destroying everything of a case, in one transaction.

The order, and why it is safe at every step:

1. In the deleting transaction, the wraps of the case key go first, then
   every row of sealed material (sealed objects, notes, redaction versions),
   the grants, cluster links and coded answers, and the case row itself,
   with a tombstone in the audit log (public id, reason code, who; never
   content). The case key's secret half exists only in those wraps (the
   case recipient is public), so once they are gone nothing that survives,
   a blob file, a ciphertext in a free database page, a backup taken
   afterwards, can be opened by any member key or by the recovery identity.
2. After the commit, the blob files are deleted: files cannot join the
   transaction. A crash in between leaves files nobody can decrypt, and
   their case is on the shred list, so ``witnessbox blobs gc`` and every
   ``witnessbox retention run`` delete them.
3. After the commit, the case's public id is appended to the shred list
   (app.shred_list), so a restore of an older backup shreds it again.

An abandoned transaction touched no file. Nothing here commits; every
function flushes (one unit of work per request or command).
"""

from __future__ import annotations

import contextlib
import enum
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, delete, inspect, select
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.errors import PermissionDenied
from app.i18n import N_
from app.models import (
    Case,
    CaseClusterMember,
    CaseGrant,
    CaseIndicator,
    CaseKeyWrap,
    CaseNote,
    LegalHoldReason,
    Membership,
    Organisation,
    RedactionVersion,
    Role,
    SealedObject,
)
from app.shred_list import ShredEntry
from app.shred_list import append as append_to_shred_list
from app.storage import BlobStore
from app.unit_of_work import on_commit

log = logging.getLogger(__name__)


class ShredReason(enum.StrEnum):
    """Why a case was destroyed: the tombstone's reason code."""

    CONSENT_WITHDRAWN = "consent_withdrawn"
    ENTERED_IN_ERROR = "entered_in_error"
    DUPLICATE = "duplicate"
    NO_LONGER_NEEDED = "no_longer_needed"
    RETENTION_RULE = "retention_rule"
    RETENTION_DATE = "retention_date"
    ORGANISATION_DELETED = "organisation_deleted"
    # Deleted once already; shredded again after a restore of an older backup.
    SHRED_LIST = "shred_list"


# The reasons an admin may give on the case page; the others are the system's.
BY_HAND: tuple[ShredReason, ...] = (
    ShredReason.CONSENT_WITHDRAWN, ShredReason.ENTERED_IN_ERROR, ShredReason.DUPLICATE,
    ShredReason.NO_LONGER_NEEDED)
# Marked with N_: the pages translate them where they show them.
REASON_LABELS: dict[ShredReason, str] = {
    ShredReason.CONSENT_WITHDRAWN: N_("The witness withdrew consent"),
    ShredReason.ENTERED_IN_ERROR: N_("Filed in error (a test, the wrong form)"),
    ShredReason.DUPLICATE: N_("A duplicate of another case"),
    ShredReason.NO_LONGER_NEEDED: N_("No longer needed (earlier than the retention rules)"),
}


@dataclass(frozen=True)
class System:
    """An actor without a membership: the retention rules, the operator at
    the command line, a restore. Trusted: whoever runs them runs the server."""

    name: str


RETENTION_RUN = System("retention_run")
OPERATOR = System("operator")
RESTORE = System("restore")

Actor = Membership | System


class LegalHoldActive(Exception):
    """The case is on legal hold: nothing deletes it until an admin lifts the hold."""

    def __init__(self, public_id: str, reason: LegalHoldReason) -> None:
        super().__init__(f"case {public_id} is on legal hold ({reason.value})")
        self.public_id = public_id
        self.reason = reason


@dataclass(frozen=True)
class ShredReceipt:
    """What was destroyed (counts and ids, never content)."""

    case_public_id: str
    organisation_id: int
    organisation_slug: str
    status: str
    shredded_at: datetime
    key_wraps: int
    sealed_objects: int
    notes: int
    redaction_versions: int
    grants: int
    cluster_links: int
    blobs: tuple[str, ...]


def _expunge(session: Session, case: Case) -> None:
    """Forget the deleted rows the session had loaded, so nothing later
    refreshes, cascades to or flushes them."""
    state = inspect(case)
    for name in ("sealed_objects", "key_wraps", "indicators"):
        if name not in state.unloaded:
            for child in getattr(case, name):
                if child in session:
                    session.expunge(child)
    if case in session:
        session.expunge(case)


def destroy_case_material(session: Session, blob_store: BlobStore, case: Case, *,
                          shred_list_file: str | os.PathLike[str] | None) -> ShredReceipt:
    """Delete every row of ``case`` and, once committed, its blob files.

    Takes no authorisation decision and checks no legal hold (callers do:
    :func:`shred_case`); records no audit event. Flushes, never commits.
    ``shred_list_file`` None: the case is not appended to the shred list
    (a restore re-applying that list).
    """
    organisation_slug = session.scalar(
        select(Organisation.slug).where(Organisation.id == case.organisation_id)) or ""
    public_id, organisation_id, status = case.public_id, case.organisation_id, case.status.value
    blob_paths = tuple(path for path in session.scalars(
        select(SealedObject.blob_path).where(SealedObject.case_id == case.id,
                                             SealedObject.blob_path.is_not(None))) if path)
    session.flush()  # anything pending for the case reaches the database first

    def gone(statement: Any) -> int:
        result = session.execute(statement.execution_options(synchronize_session=False))
        return int(cast(CursorResult[Any], result).rowcount)

    # The key first (see the module's docstring): from here on, no identity
    # opens anything of this case, whatever else survives.
    key_wraps = gone(delete(CaseKeyWrap).where(CaseKeyWrap.case_id == case.id))
    sealed_objects = gone(delete(SealedObject).where(SealedObject.case_id == case.id))
    notes = gone(delete(CaseNote).where(CaseNote.case_id == case.id))
    versions = gone(delete(RedactionVersion).where(RedactionVersion.case_id == case.id))
    grants = gone(delete(CaseGrant).where(CaseGrant.case_id == case.id))
    links = gone(delete(CaseClusterMember).where(CaseClusterMember.case_id == case.id))
    gone(delete(CaseIndicator).where(CaseIndicator.case_id == case.id))
    gone(delete(Case).where(Case.id == case.id))
    _expunge(session, case)
    session.flush()
    receipt = ShredReceipt(
        case_public_id=public_id, organisation_id=organisation_id,
        organisation_slug=organisation_slug, status=status, shredded_at=datetime.now(UTC),
        key_wraps=key_wraps, sealed_objects=sealed_objects, notes=notes,
        redaction_versions=versions, grants=grants, cluster_links=links, blobs=blob_paths)
    on_commit(session, lambda: _after_commit(blob_store, receipt, shred_list_file))
    return receipt


def _after_commit(blob_store: BlobStore, receipt: ShredReceipt,
                  shred_list_file: str | os.PathLike[str] | None) -> None:
    # The deletion is committed: a failure here must not look like a failed
    # deletion. What is left is undecryptable and swept later (module doc).
    try:
        if shred_list_file is not None:
            append_to_shred_list(shred_list_file, [ShredEntry(
                receipt.case_public_id, receipt.organisation_slug, receipt.shredded_at)])
    except OSError as exc:
        log.error("shred list: could not append case %s: %s", receipt.case_public_id,
                  type(exc).__name__)
    delete_blobs(blob_store, receipt.blobs)


def delete_blobs(blob_store: BlobStore, paths: Iterable[str]) -> int:
    """Delete the files, then their case directories if left empty; return
    how many files could not be deleted (logged by count, never by name)."""
    failed = 0
    folders: set[Path] = set()
    for path in paths:
        try:
            blob_store.delete(path)
            folders.add((blob_store.root / path).parent)
        except (OSError, ValueError):
            failed += 1
    for folder in folders:
        # Not empty (nothing else is filed under a shredded case's id) or gone already.
        with contextlib.suppress(OSError):
            folder.rmdir()
    if failed:
        log.error("crypto-shredding: %d blob file(s) not deleted; `witnessbox blobs gc` "
                  "removes them", failed)
    return failed


def leftover_blobs(blob_store: BlobStore, shredded_public_ids: Iterable[str]) -> list[str]:
    """Blob files of shredded cases that a crash left behind (their paths
    are organisation/case public id/object)."""
    shredded = set(shredded_public_ids)
    return [path for path in blob_store.walk()
            if len(parts := path.split("/")) == 3 and parts[1] in shredded]


def _authorise(case: Case, actor: Actor, reason: ShredReason) -> None:
    if isinstance(actor, System):
        return
    if not actor.active or actor.role is not Role.ADMIN \
            or actor.organisation_id != case.organisation_id:
        raise PermissionDenied("only the case's organisation's admins delete it")
    if reason not in BY_HAND:
        raise PermissionDenied(f"reason {reason.value} is not given by hand")


def shred_case(session: Session, blob_store: BlobStore, case: Case, *, reason: ShredReason,
               actor: Actor, shred_list_file: str | os.PathLike[str] | None) -> ShredReceipt:
    """Crypto-shred ``case`` for ``reason``: authorised, refused while the case
    is on legal hold, audited with a tombstone. Cannot be undone.

    The hold is read again with the row locked (FOR UPDATE on PostgreSQL;
    SQLite serialises writers), so a hold committed a moment ago still wins.
    A restore re-applying the shred list (reason ``shred_list``) ignores holds:
    the case was deleted once already, its hold lifted before that.
    """
    _authorise(case, actor, reason)
    held = session.scalar(select(Case.legal_hold_reason).where(Case.id == case.id)
                          .with_for_update().execution_options(populate_existing=True))
    if held is not None and reason is not ShredReason.SHRED_LIST:
        raise LegalHoldActive(case.public_id, held)
    receipt = destroy_case_material(session, blob_store, case,
                                    shred_list_file=shred_list_file)
    admin = actor if isinstance(actor, Membership) else None
    audit.record(session, audit.Action.CASE_SHREDDED, organisation_id=receipt.organisation_id,
                 actor_user_id=admin.user_id if admin else None,
                 target=receipt.case_public_id, reason=reason.value, status=receipt.status,
                 by="admin" if admin else str(getattr(actor, "name", "system")),
                 key_wraps=receipt.key_wraps,
                 sealed_objects=receipt.sealed_objects, blobs=len(receipt.blobs))
    return receipt


def shred_public_ids(session: Session, blob_store: BlobStore, public_ids: Iterable[str], *,
                     reason: ShredReason = ShredReason.SHRED_LIST, actor: Actor = RESTORE,
                     shred_list_file: str | os.PathLike[str] | None = None
                     ) -> list[ShredReceipt]:
    """Shred every case among ``public_ids`` that exists (the others are gone
    already): for ``backup restore`` applying the shred list. Flushes only."""
    wanted = sorted(set(public_ids))
    receipts = []
    for start in range(0, len(wanted), 500):
        for case in list(session.scalars(select(Case).where(
                Case.public_id.in_(wanted[start:start + 500])).order_by(Case.id))):
            receipts.append(shred_case(session, blob_store, case, reason=reason, actor=actor,
                                       shred_list_file=shred_list_file))
    return receipts
