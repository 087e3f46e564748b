"""Cases sealed in the interviewer's browser: checked without plaintext, then stored.

The intake page's script (web/src/) makes the case key in the browser, seals
the narrative, the sealed fields and every attachment to it, wraps it to the
organisation's signed recipient list (app.intake.recipients_doc) and sends
only age ciphertext, the coded answers and a manifest. The server cannot
open any of it. What it checks:

- every sealed object and every wrap is a well-formed age v1 file with
  exactly one X25519 stanza (crypto.age_format), of the size the manifest
  states, within the upload and object limits;
- the coded answers pass the same validators as the form's (``CodedForm``),
  and each band of a sealed wage is one of that field's bands;
- one narrative, one fields object, attachments with fresh ids and a known
  media kind, the case recipient a valid age recipient;
- one wrap per expected reader, to exactly the set of recipients
  app.intake.service.case_readers names now (a list signed before a member
  joined or left is refused: the browser cannot re-wrap a key it forgot).

It cannot check that a wrap holds the case key, that a wrap is really made
to the recipient it is labelled with, or that an attachment was cleaned: the
receipt says "cleaned in the browser" rather than "removed" for the latter
(``BROWSER_OUTCOMES``), and the browser re-opens each sealed object with the
case key before it sends (a self-check against a broken client).

Usage from the view, as the parts stream in::

    with PresealedSubmission(session, membership, blobs) as submission:
        submission.use_submission_token(token)        # None, or the case already filed
        submission.accept_manifest(manifest_json, coded_fields)
        for part in file_parts:
            submission.add_part(part.name, part.stream)
        receipt = submission.store(signing_key)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

import crypto
from app.audit import service as audit
from app.audit.keyfile import public_key_text
from app.cases import receipts
from app.errors import PermissionDenied
from app.intake import schema
from app.intake.presealed_manifest import (
    BROWSER_NONE_FOUND,
    BROWSER_OUTCOMES,
    BROWSER_REMOVED,
    MAX_INLINE_CIPHERTEXT,
    MAX_WRAP,
    CodedForm,
    Expected,
    Manifest,
    Refused,
    band_labels,
    coded_answers,
    parse_manifest,
    sealing_schema,
)
from app.intake.recipients_doc import ExpectedReader, expected_readers
from app.intake.schema import IntakeAnswers
from app.intake.service import (
    InsertRaced,
    Receipt,
    ReceiptLine,
    _filed_with,
    new_case_id,
    submission_token_digest,
)
from app.models import (
    Case,
    CaseGrant,
    CaseIndicator,
    CaseKeyWrap,
    MemberKey,
    Membership,
    Role,
    SealedKind,
    SealedObject,
    Storage,
    WrapPurpose,
)
from app.storage import BlobStore
from app.unit_of_work import on_abandon
from crypto.age_format import AgeShapeCheck, MalformedAge

__all__ = ["BROWSER_NONE_FOUND", "BROWSER_OUTCOMES", "BROWSER_REMOVED", "PresealedSubmission",
           "Refused", "sealing_schema"]


class _Reader(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


@dataclass
class _Received:
    expected: Expected
    sha256: str
    size: int
    inline: bytes | None = None
    blob_path: str | None = None


class PresealedSubmission:
    def __init__(self, session: Session, membership: Membership, blobs: BlobStore, *,
                 max_upload_bytes: int) -> None:
        if not membership.active or membership.role is not Role.INTERVIEWER:
            raise PermissionDenied("only interviewers file intake submissions")
        self._session = session
        self._membership = membership
        self._blobs = blobs
        self._max_upload = max_upload_bytes
        self.case_id = new_case_id()
        self._token_sha256: str | None = None
        self._manifest: Manifest | None = None
        self._answers: IntakeAnswers | None = None
        self._pending: list[Expected] = []
        self._received: list[_Received] = []
        self._readers: list[ExpectedReader] = []
        self._bytes = 0
        self._committed = False

    def __enter__(self) -> PresealedSubmission:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if not self._committed:
            self.discard()

    def discard(self) -> None:
        for received in self._received:
            if received.blob_path:
                self._blobs.delete(received.blob_path)
        self._received.clear()

    def use_submission_token(self, token: str | None) -> str | None:
        """As IntakeSubmission.use_submission_token (the browser makes the token)."""
        digest = submission_token_digest(token)
        self._token_sha256 = digest
        return _filed_with(self._session, self._membership, digest)

    def race_winner_case(self) -> str | None:
        """After InsertRaced and a rollback: the case this member filed with the
        same token meanwhile (a retry that overtook itself), or None."""
        if self._token_sha256 is None:
            return None
        return _filed_with(self._session, self._membership, self._token_sha256)

    def accept_manifest(self, manifest_text: str | None, coded: MultiDict[str, str]) -> None:
        """Check the manifest, the coded answers and the wraps' recipients, before any
        ciphertext is read. Raises Refused."""
        manifest = parse_manifest(manifest_text)
        form = CodedForm(formdata=coded)
        if not form.validate():
            problems = "; ".join(f"{name}: {' '.join(errors)}"
                                 for name, errors in sorted(form.errors.items()))
            raise Refused(f"The coded answers are not valid ({problems}).")
        for name, value in manifest.bands.items():
            spec = next((s for s in schema.sealed_fields() if s.bands
                         and s.band_field == name), None)
            if spec is None or value not in band_labels(spec):
                raise Refused(f"The coded band {name!r} is not one of its field's bands.")
        self._readers = expected_readers(self._session, self._membership)
        expected = sorted(reader.recipient for reader in self._readers)
        stated = sorted(p.recipient for p in manifest.parts if p.kind == "wrap")
        if stated != expected:
            raise Refused(
                f"The case key is wrapped to {len(stated)} recipients, but the organisation's "
                f"current list has {len(expected)}"
                + ("" if len(stated) != len(expected) else ", and they are not the same ones")
                + ". The recipient list changed since this case was sealed; it cannot be "
                  "stored as it is.")
        self._manifest = manifest
        self._answers = coded_answers(form)
        self._pending = list(manifest.parts)

    def add_part(self, name: str, stream: _Reader) -> None:
        """Read one ciphertext part, check its shape and size; attachments go to
        the blob store as they stream. Raises Refused (the caller stores nothing)."""
        if self._manifest is None:
            raise Refused("The manifest must come before the sealed objects.")
        expected = next((p for p in self._pending if p.part == name), None)
        if expected is None:
            raise Refused("The upload holds a part the manifest does not list.")
        self._pending.remove(expected)
        check = AgeShapeCheck()
        digest = hashlib.sha256()
        limit = {"wrap": MAX_WRAP, "attachment": self._max_upload}.get(
            expected.kind, MAX_INLINE_CIPHERTEXT)
        what = _what(expected)
        if expected.size > limit:
            raise Refused(f"{what} is larger than allowed ({expected.size} bytes).")

        def pieces() -> Iterable[bytes]:
            size = 0
            while piece := stream.read(64 * 1024):
                size += len(piece)
                self._bytes += len(piece)
                if size > expected.size:
                    raise Refused(f"{what} is larger than the {expected.size} bytes the "
                                  "manifest states.")
                if self._bytes > self._max_upload:
                    raise Refused("The upload is larger than allowed.")
                try:
                    check.feed(piece)
                except MalformedAge as exc:
                    raise Refused(f"{what} is not a well-formed age file: {exc}.") from None
                digest.update(piece)
                yield piece

        def finish() -> None:
            if check.size != expected.size:
                raise Refused(f"{what} has {check.size} bytes, not the {expected.size} the "
                              "manifest states.")
            try:
                check.finish()
            except MalformedAge as exc:
                raise Refused(f"{what} is not a well-formed age file: {exc}.") from None

        if expected.kind != "attachment":
            data = b"".join(pieces())
            finish()
            self._received.append(_Received(expected, digest.hexdigest(), len(data), data))
            return
        blob_path = self._blobs.object_path(self._membership.organisation_id, self.case_id,
                                            expected.object_id)
        received = _Received(expected, "", 0, blob_path=blob_path)
        self._received.append(received)  # from here on, discard() deletes the blob
        with self._blobs.create(blob_path) as sink:
            for piece in pieces():
                sink.write(piece)
            finish()
        received.sha256, received.size = digest.hexdigest(), check.size

    def store(self, receipt_key: crypto.SigningKey) -> Receipt:
        """Every part arrived and passed: write the case as the server-sealed path
        does, with the same signed receipt."""
        if self._manifest is None or self._answers is None:
            raise Refused("The sealed case has no manifest.")
        if self._pending:
            raise Refused(f"The upload is missing {len(self._pending)} of the parts the "
                          "manifest lists.")
        case = Case(public_id=self.case_id, organisation_id=self._membership.organisation_id,
                    created_by_membership_id=self._membership.id,
                    case_recipient=self._manifest.case_recipient,
                    submission_token_sha256=self._token_sha256)
        split = schema.split_answers(self._answers)
        for column, value in split.case_columns.items():
            setattr(case, column, value)
        case.conditions = {**split.conditions, **self._manifest.bands}
        case.indicators = [
            CaseIndicator(indicator=answer.indicator, present=answer.present,
                          basis=answer.basis, frequency=answer.frequency)
            for answer in split.indicators]
        objects = [r for r in self._received if r.expected.kind != "wrap"]
        order = {"narrative": 0, "fields": 1, "attachment": 2}
        objects.sort(key=lambda r: order[r.expected.kind])
        case.sealed_objects = [_sealed_object(r) for r in objects]
        case.receipt_signature = receipts.sign_receipt(case, receipt_key)
        by_recipient = {r.recipient: r for r in self._readers}
        case.key_wraps = [
            CaseKeyWrap(member_key_id=by_recipient[r.expected.recipient].member_key_id,
                        recipient=r.expected.recipient,
                        purpose=(WrapPurpose.MEMBER if by_recipient[r.expected.recipient]
                                 .member_key_id is not None else WrapPurpose.RECOVERY),
                        wrapped_key=r.inline or b"")
            for r in self._received if r.expected.kind == "wrap"]
        self._session.add(case)
        try:
            self._session.flush()
        except IntegrityError:
            raise InsertRaced from None
        # The grant history, as the server-sealed path writes it.
        member_keys = {r.member_key_id for r in self._readers if r.member_key_id is not None}
        users = sorted(set(self._session.scalars(
            select(Membership.user_id).join(MemberKey, MemberKey.membership_id == Membership.id)
            .where(MemberKey.id.in_(member_keys)))))
        self._session.add_all(CaseGrant(case_id=case.id, user_id=user_id) for user_id in users)
        self._session.flush()
        audit.record(self._session, audit.Action.INTAKE,
                     organisation_id=self._membership.organisation_id,
                     actor_user_id=self._membership.user_id, target=self.case_id,
                     attachments=sum(1 for r in objects if r.expected.kind == "attachment"),
                     sealed_in="browser")
        on_abandon(self._session, self.discard)
        self._committed = True
        return Receipt(self.case_id, tuple(
            ReceiptLine(_label(obj), obj.size, obj.sha256, obj.metadata_outcome)
            for obj in case.sealed_objects),
            case.receipt_signature, public_key_text(receipt_key.verify_key))

def _what(expected: Expected) -> str:
    return {"narrative": "The sealed narrative", "fields": "The sealed fields",
            "attachment": "A sealed attachment", "wrap": "A key wrap"}[expected.kind]


def _sealed_object(received: _Received) -> SealedObject:
    expected = received.expected
    if expected.kind == "attachment":
        return SealedObject(id=expected.object_id, kind=SealedKind.ATTACHMENT,
                            media_kind=expected.media_kind, storage=Storage.BLOB,
                            blob_path=received.blob_path, size=received.size,
                            sha256=received.sha256, metadata_outcome=expected.metadata)
    kind = SealedKind.NARRATIVE if expected.kind == "narrative" else SealedKind.FIELDS
    return SealedObject(id=expected.object_id, kind=kind, storage=Storage.INLINE,
                        inline_ciphertext=received.inline, size=received.size,
                        sha256=received.sha256)


def _label(obj: SealedObject) -> str:
    if obj.kind is SealedKind.ATTACHMENT:
        return f"Attachment ({obj.media_kind})"
    return "Narrative" if obj.kind is SealedKind.NARRATIVE else "Sealed fields"
