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
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Protocol

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
from app.intake.forms import IntakeForm
from app.intake.media import NONE_FOUND, NOT_REMOVED, REMOVED
from app.intake.recipients_doc import ExpectedReader, expected_readers
from app.intake.schema import IntakeAnswers, Kind
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

# What the receipt and the case view say for a file the server never saw in
# the clear: the browser's report, marked as such (fits the 16-character column).
BROWSER_REMOVED = "browser: removed"
BROWSER_NONE_FOUND = "browser: none"
BROWSER_OUTCOMES = {REMOVED: BROWSER_REMOVED, NONE_FOUND: BROWSER_NONE_FOUND,
                    NOT_REMOVED: NOT_REMOVED}
MEDIA_KINDS = frozenset({"photo", "audio", "document", "other"})

# A sealed narrative of NARRATIVE_LIMIT characters in UTF-8, and every sealed
# field at its limit, fit easily; age adds 16 bytes per 64 KiB and a header.
MAX_INLINE_CIPHERTEXT = 4 * 1024 * 1024
MAX_WRAP = 1024
MAX_ATTACHMENTS = 50
_PART = re.compile(r"[a-z]+_\d{1,3}")
_MANIFEST_KEYS = {"version", "case_recipient", "objects", "wraps", "bands"}


class Refused(ValueError):
    """The browser's submission cannot be stored; the message says why, for a person."""


class _Reader(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class CodedForm(IntakeForm):
    """The intake form's coded fields and indicators with the same validators;
    the sealed fields and the narrative arrive sealed and are not here."""


CodedForm.narrative = None  # type: ignore[assignment]
for _spec in schema.sealed_fields():
    setattr(CodedForm, _spec.name, None)


def coded_answers(form: CodedForm) -> IntakeAnswers:
    """Like IntakeForm.answers, for the coded tier only (sealed values: None)."""
    values: dict[str, Any] = {spec.name: None for spec in schema.FIELDS}
    for spec in schema.coded_fields():
        value = form[spec.name].data
        if isinstance(value, str):
            value = value.strip() or None
        values[spec.name] = value
    indicators = {name: {part: (form[f"ilo_{name}_{part}"].data or None)
                         for part in ("present", "basis", "frequency")}
                  for name, _label in schema.ILO_INDICATORS}
    return IntakeAnswers(values=values, narrative="", indicators=indicators)


def _band_labels(spec: schema.FieldSpec) -> set[str]:
    return {schema.band(spec, bound) for bound in spec.bands}


@dataclass
class _Expected:
    part: str
    kind: str  # narrative, fields, attachment, wrap
    size: int
    object_id: str = ""
    media_kind: str | None = None
    metadata: str | None = None
    recipient: str = ""


@dataclass
class _Received:
    expected: _Expected
    sha256: str
    size: int
    inline: bytes | None = None
    blob_path: str | None = None


@dataclass
class _Manifest:
    case_recipient: str
    parts: list[_Expected]
    bands: dict[str, str] = field(default_factory=dict)


def _int(value: object, what: str) -> int:
    if type(value) is not int or value < 0:
        raise Refused(f"The {what} is not a byte count.")
    return value


def parse_manifest(text: str | None) -> _Manifest:
    """The manifest's shape; sizes, kinds and ids checked, nothing else yet."""
    if not text:
        raise Refused("The sealed case has no manifest.")
    try:
        data = json.loads(text)
    except ValueError:
        raise Refused("The sealed case's manifest is not JSON.") from None
    if not isinstance(data, dict) or set(data) - _MANIFEST_KEYS or data.get("version") != 1:
        raise Refused("The sealed case's manifest is not one this server reads (version 1).")
    try:
        case_recipient = str(crypto.parse_recipient(str(data.get("case_recipient", ""))))
    except crypto.CryptoError:
        raise Refused("The case key's public half is not an age X25519 recipient.") from None
    objects, wraps = data.get("objects"), data.get("wraps")
    if not isinstance(objects, list) or not isinstance(wraps, list):
        raise Refused("The sealed case's manifest lists no objects or no wraps.")
    parts: list[_Expected] = []
    kinds: list[str] = []
    ids: set[str] = set()
    for entry in objects:
        if not isinstance(entry, dict):
            raise Refused("A sealed object in the manifest is malformed.")
        kind = entry.get("kind")
        if kind not in ("narrative", "fields", "attachment"):
            raise Refused("A sealed object in the manifest has an unknown kind.")
        expected = _Expected(part=str(entry.get("part", "")), kind=kind,
                             size=_int(entry.get("size"), "stated size of a sealed object"))
        if kind == "attachment":
            try:
                object_id = str(uuid.UUID(str(entry.get("object_id", ""))))
            except ValueError:
                raise Refused("An attachment's id is not a UUID.") from None
            if object_id in ids:
                raise Refused("Two attachments have the same id.")
            ids.add(object_id)
            expected.object_id = object_id
            if entry.get("media_kind") not in MEDIA_KINDS:
                raise Refused("An attachment's kind is not photo, audio, document or other.")
            if entry.get("metadata") not in BROWSER_OUTCOMES:
                raise Refused("An attachment's metadata outcome is not one the server knows.")
            expected.media_kind = str(entry["media_kind"])
            expected.metadata = BROWSER_OUTCOMES[str(entry["metadata"])]
        else:
            expected.object_id = str(uuid.uuid4())
        kinds.append(kind)
        parts.append(expected)
    if kinds.count("narrative") != 1 or kinds.count("fields") != 1:
        raise Refused("A sealed case needs exactly one sealed narrative and one sealed "
                      "fields object.")
    if kinds.count("attachment") > MAX_ATTACHMENTS:
        raise Refused(f"At most {MAX_ATTACHMENTS} attachments can be sent at once.")
    for entry in wraps:
        if not isinstance(entry, dict):
            raise Refused("A key wrap in the manifest is malformed.")
        parts.append(_Expected(part=str(entry.get("part", "")), kind="wrap",
                               size=_int(entry.get("size"), "stated size of a key wrap"),
                               recipient=str(entry.get("recipient", ""))))
    names = [p.part for p in parts]
    if len(set(names)) != len(names) or not all(_PART.fullmatch(n) for n in names):
        raise Refused("The manifest's part names are malformed or repeated.")
    bands = data.get("bands") or {}
    if not isinstance(bands, dict) or not all(isinstance(v, str) for v in bands.values()):
        raise Refused("The manifest's coded bands are malformed.")
    return _Manifest(case_recipient, parts, dict(bands))


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
        self._manifest: _Manifest | None = None
        self._answers: IntakeAnswers | None = None
        self._pending: list[_Expected] = []
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
            if spec is None or value not in _band_labels(spec):
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

def _what(expected: _Expected) -> str:
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


def sealing_schema() -> dict[str, Any]:
    """What the browser needs to build the sealed plaintexts exactly as the
    server-sealed path does (app.intake.forms.IntakeForm.answers, then
    app.intake.service): sealed fields in schema order, their kinds and
    limits, and the bands of sealed wages."""
    from app.intake.forms import LONG_TEXT_LIMIT, NARRATIVE_LIMIT, TEXT_LIMIT

    fields = []
    for spec in schema.sealed_fields():
        entry: dict[str, Any] = {"name": spec.name, "kind": spec.kind.value,
                                 "required": spec.required}
        if spec.kind in (Kind.TEXT, Kind.LONG_TEXT):
            entry["limit"] = LONG_TEXT_LIMIT if spec.kind is Kind.LONG_TEXT else TEXT_LIMIT
        if spec.kind is Kind.NUMBER:
            entry["minimum"], entry["maximum"] = spec.minimum, spec.maximum
        if spec.kind is Kind.CHOICE:
            entry["choices"] = [value for value, _label in spec.choices]
        if spec.bands:
            entry["band_field"] = spec.band_field
            entry["bands"] = list(spec.bands)
        fields.append(entry)
    return {"sealed_fields": fields, "narrative_field": schema.NARRATIVE_FIELD,
            # Checked in the page too: a checkbox group has no HTML "required".
            "coded_required": [spec.name for spec in schema.coded_fields() if spec.required],
            "narrative_limit": NARRATIVE_LIMIT,
            "attachment_kinds": [value for value, _label in schema.ATTACHMENT_KINDS]}
