"""Reading sealed case material with a member's unlocked identity.

Authorisation is enforced twice: by query (the case must belong to the
member's organisation) and by cryptography (the case key must be wrapped to
the member's key). Neither replaces the other.
"""

from __future__ import annotations

import json
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from app.audit import service as audit
from app.errors import NoKeyAccess, NotFound, PermissionDenied
from app.models import Case, CaseKeyWrap, Membership, SealedKind, SealedObject, Storage
from app.storage import BlobStore


def get_case(session: Session, membership: Membership, public_id: str) -> Case:
    case = session.scalar(select(Case).where(
        Case.public_id == public_id, Case.organisation_id == membership.organisation_id))
    if case is None:
        raise NotFound(public_id)
    return case


def unlock_case_key(session: Session, membership: Membership, case: Case,
                    identity: crypto.Identity) -> crypto.CaseKey:
    """Unwrap the case key with the member's identity.

    Raises NoKeyAccess if no wrap exists for the member's current key.
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
    case_key = crypto.CaseKey.unwrap(wrap.wrapped_key, [identity])
    # Every decryption is accountable: DECRYPT is a durable action, kept even
    # if the request fails after this point, and committed before any
    # response carrying plaintext leaves (app.web.transaction).
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
    """Decrypt an attachment into ``sink``. On CryptoError the sink must be discarded."""
    for obj in case.sealed_objects:
        if obj.id == object_id and obj.storage is Storage.BLOB and obj.blob_path:
            with blobs.open(obj.blob_path) as source:
                crypto.open_stream(source, sink, [case_key.identity])
            return
    raise NotFound(object_id)
