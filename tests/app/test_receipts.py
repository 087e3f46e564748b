"""Signed intake receipts: sealed material swapped in the database or blob store
(even sealed properly to the public case recipient) is refused when a case is opened."""

from __future__ import annotations

import base64
import hashlib
import io
import uuid
from typing import Any

import pytest
from intake_data import attachment, file_case, minimal_form, receipt_page, submit
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

import crypto
from app.audit.checkpoints import signer_for
from app.cases import service as cases
from app.cases.receipts import receipt_message, verify_receipt
from app.errors import TamperedCase
from app.models import Case, Role, SealedKind, SealedObject, Storage
from app.storage import BlobStore


def _open(db: Session, org: Any, case: Case) -> crypto.CaseKey:
    db.expire_all()
    reviewer = org.members[Role.REVIEWER]
    return cases.unlock_case_key(db, reviewer, cases.get_case(db, reviewer, case.public_id),
                                 org.identities[Role.REVIEWER])


def _sealed(case: Case, kind: SealedKind) -> SealedObject:
    return next(obj for obj in case.sealed_objects if obj.kind is kind)


def _reseal(db: Session, obj: SealedObject, case: Case, plaintext: bytes, *,
            update_hash: bool) -> None:
    """What a database writer can do: seal new text to the (public) case recipient."""
    forged = crypto.seal(plaintext, [crypto.parse_recipient(case.case_recipient)])
    values: dict[str, Any] = {"inline_ciphertext": forged, "size": len(forged)}
    if update_hash:
        values["sha256"] = hashlib.sha256(forged).hexdigest()
    db.execute(update(SealedObject).where(SealedObject.id == obj.id).values(**values))
    db.commit()


def test_intake_signs_the_case_id_and_every_ciphertext_hash(db: Session, demo_org: Any,
                                                            blobs: BlobStore) -> None:
    case = file_case(db, demo_org, blobs)
    assert case.receipt_signature
    signer = signer_for(db)
    message = receipt_message(case.public_id, case.case_recipient, [
        (obj.kind.value, obj.id, hashlib.sha256(obj.inline_ciphertext or b"").hexdigest())
        for obj in case.sealed_objects])
    assert message.startswith(b"witnessbox-intake-receipt-v1\n")
    signer.signing_key.verify_key.verify(base64.b64decode(case.receipt_signature), message)
    assert cases.read_narrative(case, _open(db, demo_org, case))


@pytest.mark.parametrize("update_hash", [True, False])
def test_a_narrative_resealed_to_the_case_recipient_is_refused(
        db: Session, demo_org: Any, blobs: BlobStore, update_hash: bool) -> None:
    case = file_case(db, demo_org, blobs)
    _reseal(db, _sealed(case, SealedKind.NARRATIVE), case, b"A forged testimony.",
            update_hash=update_hash)
    with pytest.raises(TamperedCase, match=case.public_id):
        _open(db, demo_org, case)


def test_swapped_sealed_fields_are_refused(db: Session, demo_org: Any, blobs: BlobStore) -> None:
    case = file_case(db, demo_org, blobs)
    _reseal(db, _sealed(case, SealedKind.FIELDS), case, b'{"name_dprk": "Kim"}',
            update_hash=True)
    with pytest.raises(TamperedCase):
        _open(db, demo_org, case)


def test_a_narrative_copied_from_another_case_is_refused(db: Session, demo_org: Any,
                                                         blobs: BlobStore) -> None:
    first, second = file_case(db, demo_org, blobs), file_case(db, demo_org, blobs, "Other")
    # The first case's narrative, hash column and all, put in the second case.
    source, target = _sealed(first, SealedKind.NARRATIVE), _sealed(second, SealedKind.NARRATIVE)
    db.execute(update(SealedObject).where(SealedObject.id == target.id)
               .values(inline_ciphertext=source.inline_ciphertext, sha256=source.sha256))
    db.commit()
    with pytest.raises(TamperedCase):
        _open(db, demo_org, second)


def test_an_added_or_removed_object_is_refused(db: Session, demo_org: Any,
                                               blobs: BlobStore) -> None:
    added, removed = file_case(db, demo_org, blobs), file_case(db, demo_org, blobs)
    extra = crypto.seal(b"an extra narrative", [crypto.parse_recipient(added.case_recipient)])
    db.add(SealedObject(id=str(uuid.uuid4()), case_id=added.id, kind=SealedKind.NARRATIVE,
                        storage=Storage.INLINE, inline_ciphertext=extra, size=len(extra),
                        sha256=hashlib.sha256(extra).hexdigest()))
    db.execute(delete(SealedObject).where(
        SealedObject.id == _sealed(removed, SealedKind.FIELDS).id))
    db.commit()
    for case in (added, removed):
        with pytest.raises(TamperedCase):
            _open(db, demo_org, case)


@pytest.mark.parametrize("signature", [None, "", "bm90IGEgc2lnbmF0dXJl",
                                       base64.b64encode(bytes(64)).decode()])
def test_a_missing_or_forged_signature_is_refused(db: Session, demo_org: Any, blobs: BlobStore,
                                                  signature: str | None) -> None:
    case = file_case(db, demo_org, blobs)
    db.execute(update(Case).where(Case.id == case.id).values(receipt_signature=signature))
    db.commit()
    with pytest.raises(TamperedCase):
        _open(db, demo_org, case)


def test_a_receipt_signed_by_another_key_is_refused(db: Session, demo_org: Any,
                                                    blobs: BlobStore) -> None:
    case = file_case(db, demo_org, blobs)
    with pytest.raises(TamperedCase):
        verify_receipt(case, [crypto.SigningKey.generate().verify_key])
    verify_receipt(case, [crypto.SigningKey.generate().verify_key,
                          signer_for(db).signing_key.verify_key])  # rotation: any accepted key


def test_a_replaced_attachment_file_is_refused(interviewer: Any, db: Session, demo_org: Any,
                                               blobs: BlobStore) -> None:
    response = submit(interviewer, {**minimal_form(),
                                    **attachment("audio", b"RIFF" + bytes(5000), "a.wav")})
    assert response.status_code == 303
    case = db.scalars(select(Case)).one()
    blob = _sealed(case, SealedKind.ATTACHMENT)
    assert blob.blob_path
    key = _open(db, demo_org, case)
    original = io.BytesIO()
    cases.read_attachment(case, key, blob.id, blobs, original)
    # The file alone replaced by one sealed to the case recipient: opening the
    # case passes (the columns are intact) but reading the attachment does not.
    forged = crypto.seal(b"RIFF forged audio", [crypto.parse_recipient(case.case_recipient)])
    (blobs.root / blob.blob_path).write_bytes(forged)
    key = _open(db, demo_org, case)
    with pytest.raises(TamperedCase):
        cases.read_attachment(case, key, blob.id, blobs, io.BytesIO())
    # And with its hash column updated too, the case no longer opens.
    db.execute(update(SealedObject).where(SealedObject.id == blob.id)
               .values(sha256=hashlib.sha256(forged).hexdigest(), size=len(forged)))
    db.commit()
    with pytest.raises(TamperedCase):
        _open(db, demo_org, case)


def test_the_receipt_page_shows_the_signature_and_its_key(interviewer: Any, db: Session) -> None:
    page = receipt_page(interviewer, submit(interviewer, minimal_form()))
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html
    case = db.scalars(select(Case)).one()
    assert case.receipt_signature
    assert f"<code class=\"receipt-signature\">{case.receipt_signature}</code>" in html
    assert signer_for(db).public_key in html


def test_sign_receipts_signs_intact_older_cases_and_lists_altered_ones(
        app: Any, db: Session, demo_org: Any, blobs: BlobStore) -> None:
    from app.cli import main

    intact, altered = file_case(db, demo_org, blobs), file_case(db, demo_org, blobs)
    db.execute(update(Case).values(receipt_signature=None))  # as filed before receipts
    db.execute(update(SealedObject).where(
        SealedObject.id == _sealed(altered, SealedKind.NARRATIVE).id)
        .values(inline_ciphertext=b"not what was hashed"))
    db.commit()
    result = app.test_cli_runner().invoke(main, ["cases", "sign-receipts"])
    assert result.exit_code == 1
    assert "1 case receipt(s) signed" in result.output
    assert f"NOT SIGNED: {altered.public_id}" in result.output
    assert cases.read_narrative(intact, _open(db, demo_org, intact))
    with pytest.raises(TamperedCase, match="no signed receipt"):
        _open(db, demo_org, altered)
