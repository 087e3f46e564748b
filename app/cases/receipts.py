"""Signed intake receipts: what was sealed at intake, signed with the server's key.

The receipt names the case's public id, its recipient (the public half of the
case key) and the kind, id and ciphertext SHA-256 of every sealed object.
The case recipient is public, so anyone with write access to the database
can seal a new narrative to it; it would open without complaint. The
signature, made with the key kept outside the database
(``audit_signing_key_file``), is what such a writer cannot redo, so a case
is checked against it every time it is opened.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import TamperedCase
from app.models import Case, SealedObject, Storage
from app.storage import BlobStore
from crypto.errors import CryptoError
from crypto.signing import SigningKey, VerifyKey

DOMAIN = b"witnessbox-intake-receipt-v1\n"


def receipt_message(public_id: str, case_recipient: str,
                    objects: Iterable[tuple[str, str, str]]) -> bytes:
    """The signed bytes; ``objects`` are (kind, object id, ciphertext sha256)."""
    canonical = json.dumps({
        "case": public_id, "recipient": case_recipient,
        "objects": sorted([kind, object_id, digest] for kind, object_id, digest in objects),
    }, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return DOMAIN + canonical.encode("ascii")


def _stored(obj: SealedObject) -> tuple[str, str, str]:
    return obj.kind.value, obj.id, obj.sha256


def sign_receipt(case: Case, key: SigningKey) -> str:
    """Sign the case's sealed objects as they are about to be stored (base64)."""
    message = receipt_message(case.public_id, case.case_recipient,
                              (_stored(obj) for obj in case.sealed_objects))
    return base64.b64encode(key.sign(message)).decode("ascii")


def _actual(obj: SealedObject) -> tuple[str, str, str]:
    """Inline ciphertext is hashed again: its sha256 column is as forgeable as it.
    A blob's file is hashed while it is read (app.cases.service.read_attachment)."""
    if obj.storage is Storage.INLINE:
        digest = hashlib.sha256(obj.inline_ciphertext or b"").hexdigest()
        if digest != obj.sha256:
            raise TamperedCase(f"case {obj.case.public_id}: a sealed object's ciphertext does "
                               "not match its recorded hash")
        return obj.kind.value, obj.id, digest
    return _stored(obj)


def verify_receipt(case: Case, accepted_keys: Sequence[VerifyKey]) -> None:
    """Raise TamperedCase unless the case's sealed objects are the ones signed at intake."""
    if not case.receipt_signature:
        raise TamperedCase(f"case {case.public_id} has no signed receipt")
    message = receipt_message(case.public_id, case.case_recipient,
                              (_actual(obj) for obj in case.sealed_objects))
    try:
        signature = base64.b64decode(case.receipt_signature, validate=True)
    except (binascii.Error, ValueError):
        raise TamperedCase(f"case {case.public_id}: its receipt signature is malformed") from None
    for key in accepted_keys:
        try:
            key.verify(signature, message)
            return
        except CryptoError:
            continue
    raise TamperedCase(f"case {case.public_id}: its sealed material does not match the receipt "
                       "signed at intake (changed, replaced, added or removed)")


def sign_unsigned(session: Session, key: SigningKey, blobs: BlobStore,
                  progress: Callable[[int, int], None] | None = None) -> tuple[int, list[str]]:
    """Sign the receipts of cases filed before receipts were signed (trust on first use).

    Only cases whose ciphertext still matches its recorded hashes are signed;
    the others are returned by public id, unsigned, for a person to look at.
    Returns (signed, refused); ``progress(done, total)`` after each case.
    Flushes; the caller commits.
    """
    unsigned = Case.receipt_signature.is_(None)
    total = session.scalar(select(func.count(Case.id)).where(unsigned)) or 0
    signed, refused = 0, []
    for done, case in enumerate(session.scalars(select(Case).where(unsigned)), start=1):
        if progress is not None:
            progress(done, total)
        if all(_matches_recorded_hash(obj, blobs) for obj in case.sealed_objects):
            case.receipt_signature = sign_receipt(case, key)
            signed += 1
        else:
            refused.append(case.public_id)
    session.flush()
    return signed, refused


def _matches_recorded_hash(obj: SealedObject, blobs: BlobStore) -> bool:
    if obj.storage is Storage.INLINE:
        return hashlib.sha256(obj.inline_ciphertext or b"").hexdigest() == obj.sha256
    if not obj.blob_path or not blobs.exists(obj.blob_path):
        return False
    digest = hashlib.sha256()
    with blobs.open(obj.blob_path) as source:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest() == obj.sha256
