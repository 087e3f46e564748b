"""Reading sealed case material with a member's unlocked identity.

Authorisation is enforced twice: by query (the case must belong to the
member's organisation) and by cryptography (the case key must be wrapped to
the member's key). Neither replaces the other.

Before a case key is handed out, the case is checked against the receipt
signed at intake (app.cases.receipts): material sealed to the public case
recipient by someone who can write the database raises TamperedCase.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from app.audit import service as audit
from app.audit.checkpoints import signer_for
from app.cases.receipts import verify_receipt
from app.cases.streaming import BlobRef, HashingSource
from app.errors import NoKeyAccess, NotFound, PermissionDenied, TamperedCase
from app.models import (
    Case,
    CaseKeyWrap,
    CaseNote,
    Membership,
    Role,
    SealedKind,
    SealedObject,
    Storage,
)
from app.storage import BlobStore


def get_case(session: Session, membership: Membership, public_id: str) -> Case:
    case = session.scalar(select(Case).where(
        Case.public_id == public_id, Case.organisation_id == membership.organisation_id))
    if case is None:
        raise NotFound(public_id)
    return case


def member_wrap(session: Session, membership: Membership, case: Case) -> CaseKeyWrap:
    """The wrap of ``case``'s key to the member's current key, looked up now
    (never cached: a revoked grant stops working at the next request).

    Raises PermissionDenied for another organisation, NoKeyAccess without a wrap.
    """
    if case.organisation_id != membership.organisation_id:
        raise PermissionDenied("case belongs to another organisation")
    key = membership.current_key
    if key is None or not membership.active:
        raise NoKeyAccess("member holds no key")
    wrap = session.scalar(select(CaseKeyWrap).where(
        CaseKeyWrap.case_id == case.id, CaseKeyWrap.member_key_id == key.id))
    if wrap is None:
        raise NoKeyAccess("case key not wrapped to this member")
    return wrap


def unlock_case_key(session: Session, membership: Membership, case: Case,
                    identity: crypto.Identity, *,
                    receipt_keys: Sequence[crypto.VerifyKey] | None = None,
                    audit_opening: bool = True) -> crypto.CaseKey:
    """Unwrap the case key with the member's identity.

    Raises NoKeyAccess if no wrap exists for the member's current key, and
    TamperedCase if the case differs from its signed receipt. ``receipt_keys``
    are the accepted signers (default: the session's audit signer's keys).
    ``audit_opening=False`` is for a caller that has already recorded this
    opening (the case view audits once per visit, app.web.case_openings);
    every other caller keeps the default, one DECRYPT event per unwrap.
    """
    wrap = member_wrap(session, membership, case)
    verify_receipt(case, receipt_keys if receipt_keys is not None
                   else signer_for(session).accepted_keys)
    case_key = crypto.CaseKey.unwrap(wrap.wrapped_key, [identity])
    # Every opening is accountable: DECRYPT is a durable action, kept even
    # if the request fails after this point, and committed before any
    # response carrying plaintext leaves (app.web.transaction).
    if audit_opening:
        audit.record(session, audit.Action.DECRYPT, organisation_id=case.organisation_id,
                     actor_user_id=membership.user_id, target=case.public_id)
    return case_key


def _sealed(case: Case, kind: SealedKind) -> SealedObject:
    for obj in case.sealed_objects:
        if obj.kind is kind:
            return obj
    raise NotFound(kind.value)


def read_narrative(case: Case, case_key: crypto.CaseKey) -> str:
    obj = _sealed(case, SealedKind.NARRATIVE)
    return crypto.open_sealed(obj.inline_ciphertext or b"", [case_key.identity]).decode("utf-8")


def read_sealed_fields(case: Case, case_key: crypto.CaseKey) -> dict[str, Any]:
    obj = _sealed(case, SealedKind.FIELDS)
    fields: dict[str, Any] = json.loads(
        crypto.open_sealed(obj.inline_ciphertext or b"", [case_key.identity]))
    return fields


def read_attachment(case: Case, case_key: crypto.CaseKey, object_id: str, blobs: BlobStore,
                    sink: BinaryIO) -> None:
    """Decrypt an attachment into ``sink``.

    On CryptoError or TamperedCase the sink must be discarded: the blob file
    is hashed as it is read and compared, at the end, with the hash the
    intake receipt signed (checked by unlock_case_key).
    """
    for obj in case.sealed_objects:
        if obj.id == object_id and obj.storage is Storage.BLOB and obj.blob_path:
            with blobs.open(obj.blob_path) as source:
                hashing = HashingSource(source)
                crypto.open_stream(hashing, sink, [case_key.identity])
                hashing.drain()
            if hashing.sha256 != obj.sha256:
                raise TamperedCase(f"case {case.public_id}: an attachment's file does not "
                                   "match the hash signed at intake")
            return
    raise NotFound(object_id)


@dataclass(frozen=True)
class AttachmentInfo:
    """One attachment as the case view lists it (from the sealed fields)."""

    object_id: str
    kind: str         # detected from the bytes at intake: audio, photo, document, other
    format: str       # detected format (mp3, jpeg, pdf, ...) or "unknown"
    label: str        # what the interviewer said it was
    filename: str
    size: int
    metadata: str | None


def attachments(case: Case, sealed_fields: dict[str, Any]) -> list[AttachmentInfo]:
    """The case's attachments: sealed descriptions matched to stored objects."""
    stored = {obj.id: obj for obj in case.sealed_objects if obj.kind is SealedKind.ATTACHMENT}
    found = []
    for meta in sealed_fields.get("attachments") or []:
        obj = stored.get(str(meta.get("object_id")))
        if obj is None:
            continue
        found.append(AttachmentInfo(
            object_id=obj.id, kind=str(meta.get("kind") or obj.media_kind or "other"),
            format=str(meta.get("format") or "unknown"), label=str(meta.get("label") or ""),
            filename=str(meta.get("filename") or ""), size=int(meta.get("size") or 0),
            metadata=obj.metadata_outcome or meta.get("metadata")))
    return found


def attachment_blob(case: Case, object_id: str) -> BlobRef:
    for obj in case.sealed_objects:
        if obj.id == object_id and obj.storage is Storage.BLOB and obj.blob_path:
            return BlobRef(case_public_id=case.public_id, blob_path=obj.blob_path,
                           ciphertext_sha256=obj.sha256)
    raise NotFound(object_id)


NOTE_LIMIT = 20_000


@dataclass(frozen=True)
class NoteView:
    author: str
    created_at: datetime
    text: str


def add_note(session: Session, membership: Membership, case: Case, text: str) -> CaseNote:
    """Seal a reviewer's note to the case recipient; only wrap holders read it."""
    require_editor(session, membership, case)
    if not text.strip() or len(text) > NOTE_LIMIT:
        raise ValueError("a note must have between 1 and 20000 characters")
    note = CaseNote(case_id=case.id, author_membership_id=membership.id,
                    ciphertext=crypto.seal(text.encode("utf-8"),
                                           [crypto.parse_recipient(case.case_recipient)]))
    session.add(note)
    session.flush()
    audit.record(session, audit.Action.NOTE_ADDED, organisation_id=case.organisation_id,
                 actor_user_id=membership.user_id, target=case.public_id, note_id=note.id)
    return note


def read_notes(session: Session, case: Case, case_key: crypto.CaseKey) -> list[NoteView]:
    notes = session.scalars(select(CaseNote).where(CaseNote.case_id == case.id)
                            .order_by(CaseNote.created_at, CaseNote.id))
    views = []
    for note in notes:
        author = (session.get(Membership, note.author_membership_id)
                  if note.author_membership_id is not None else None)
        views.append(NoteView(
            author=author.user.email if author is not None else "a former member",
            created_at=note.created_at,
            text=crypto.open_sealed(note.ciphertext, [case_key.identity]).decode("utf-8")))
    return views


def require_editor(session: Session, membership: Membership, case: Case) -> None:
    """Reviewers and admins holding a wrap of the case key work on a case."""
    if membership.role not in (Role.REVIEWER, Role.ADMIN):
        raise PermissionDenied("only reviewers and admins work on cases")
    member_wrap(session, membership, case)
