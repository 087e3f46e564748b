"""Reading sealed case material with a member's unlocked identity.

Authorisation is enforced twice: by query (the case must belong to the
member's organisation) and by cryptography (the case key must be wrapped to
the member's key). Neither replaces the other.

Before a case key is handed out, the case is checked against the receipt
signed at intake (app.cases.receipts): material sealed to the public case
recipient by someone who can write the database raises TamperedCase.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from app.audit import service as audit
from app.audit.checkpoints import signer_for
from app.cases.receipts import verify_receipt
from app.errors import NoKeyAccess, NotFound, PermissionDenied, TamperedCase
from app.models import Case, CaseKeyWrap, Membership, SealedKind, SealedObject, Storage
from app.storage import BlobStore


def get_case(session: Session, membership: Membership, public_id: str) -> Case:
    case = session.scalar(select(Case).where(
        Case.public_id == public_id, Case.organisation_id == membership.organisation_id))
    if case is None:
        raise NotFound(public_id)
    return case


def unlock_case_key(session: Session, membership: Membership, case: Case,
                    identity: crypto.Identity, *,
                    receipt_keys: Sequence[crypto.VerifyKey] | None = None) -> crypto.CaseKey:
    """Unwrap the case key with the member's identity.

    Raises NoKeyAccess if no wrap exists for the member's current key, and
    TamperedCase if the case differs from its signed receipt. ``receipt_keys``
    are the accepted signers (default: the session's audit signer's keys).
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
    verify_receipt(case, receipt_keys if receipt_keys is not None
                   else signer_for(session).accepted_keys)
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
    """Decrypt an attachment into ``sink``.

    On CryptoError or TamperedCase the sink must be discarded: the blob file
    is hashed as it is read and compared, at the end, with the hash the
    intake receipt signed (checked by unlock_case_key).
    """
    for obj in case.sealed_objects:
        if obj.id == object_id and obj.storage is Storage.BLOB and obj.blob_path:
            with blobs.open(obj.blob_path) as source:
                hashing = _HashingSource(source)
                crypto.open_stream(hashing, sink, [case_key.identity])
                hashing.drain()
            if hashing.sha256 != obj.sha256:
                raise TamperedCase(f"case {case.public_id}: an attachment's file does not "
                                   "match the hash signed at intake")
            return
    raise NotFound(object_id)


class _HashingSource:
    def __init__(self, source: BinaryIO) -> None:
        self._source = source
        self._digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._source.read(size)
        self._digest.update(data)
        return data

    def drain(self) -> None:
        # Bytes after the age payload would not change the plaintext, but
        # they are not what was signed either.
        while self.read(1 << 16):
            pass

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()
