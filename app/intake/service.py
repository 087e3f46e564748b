"""Sealing an intake submission and storing it in one transaction.

Usage from a view (attachments stream in before the form is validated)::

    with IntakeSubmission(session, membership, blobs) as submission:
        submission.add_attachment("audio", name, content_type, stream)  # label only
        receipt = submission.commit(answers)

Leaving the ``with`` block without a successful ``commit`` deletes every
blob the submission wrote, so a rejected or failed submission leaves nothing.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from app.audit import service as audit
from app.errors import PermissionDenied
from app.intake import media, schema
from app.models import (
    Case,
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

# Crockford base32 without look-alikes: easy to read aloud and type.
_CASE_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_case_id() -> str:
    """A random case id (60 bits), never derived from names or dates."""
    symbols = "".join(secrets.choice(_CASE_ID_ALPHABET) for _ in range(12))
    return "WB-" + "-".join(symbols[i:i + 4] for i in range(0, 12, 4))


class _Reader(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class _HashingReader:
    """Hashes the plaintext on its way into the sealer, and remembers why the
    source failed: pyrage turns a reader's exception into its own error, and
    the caller needs the original (an oversize upload, a refused photo)."""

    def __init__(self, source: _Reader) -> None:
        self._source = source
        self._digest = hashlib.sha256()
        self.size = 0
        self.error: Exception | None = None

    def read(self, size: int = -1) -> bytes:
        try:
            data = self._source.read(size)
        except Exception as exc:
            self.error = exc
            raise
        self._digest.update(data)
        self.size += len(data)
        return data

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()


@dataclass(frozen=True)
class ReceiptLine:
    label: str
    size: int
    sha256: str
    # For attachments: "removed", "none found" or "not removed" (see app.intake.media).
    metadata: str | None = None


@dataclass(frozen=True)
class Receipt:
    case_id: str
    lines: tuple[ReceiptLine, ...]


@dataclass
class _PendingAttachment:
    object_id: str
    media_kind: str
    blob_path: str
    ciphertext_size: int
    ciphertext_sha256: str
    # Sealed inside the case's fields object, never stored in the clear.
    sealed_meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class IntakeAnswers:
    """Validated form values, split by tier by the caller-independent schema."""

    values: dict[str, Any]
    narrative: str
    indicators: dict[str, dict[str, str | None]]


def case_readers(session: Session, membership: Membership) -> list[tuple[MemberKey | None, str]]:
    """Who a new case's key is wrapped to: the organisation's key-holding
    reviewers and admins, and its offline recovery recipient."""
    keys = session.scalars(
        select(MemberKey).join(Membership).where(
            Membership.organisation_id == membership.organisation_id,
            Membership.active.is_(True),
            Membership.role.in_([Role.REVIEWER, Role.ADMIN]),
            MemberKey.retired_at.is_(None),
        )
    ).all()
    readers: list[tuple[MemberKey | None, str]] = [(key, key.recipient) for key in keys]
    readers.append((None, membership.organisation.recovery_recipient))
    return readers


class IntakeSubmission:
    def __init__(self, session: Session, membership: Membership, blobs: BlobStore) -> None:
        # Authorisation lives here, not only in the view: only an active
        # interviewer of the organisation may file a case for it.
        if not membership.active or membership.role is not Role.INTERVIEWER:
            raise PermissionDenied("only interviewers file intake submissions")
        self._session = session
        self._membership = membership
        self._blobs = blobs
        self._case_key = crypto.CaseKey.create()
        self.case_id = new_case_id()
        self._attachments: list[_PendingAttachment] = []
        self._committed = False

    def __enter__(self) -> IntakeSubmission:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if not self._committed:
            self.discard()

    def add_attachment(self, label: str, filename: str, content_type: str,
                       stream: _Reader) -> None:
        """Clean and seal an attachment to the case key as it streams in.

        ``label`` is the interviewer's dropdown choice and nothing more: what
        the file is, and so how it is cleaned, comes from its bytes
        (:func:`app.intake.media.clean`), and that detected kind is what is
        stored. Raises :class:`app.intake.media.MalformedMedia` (e.g.
        ``UnsupportedPhoto`` for a broken JPEG or PNG); the partial blob is
        removed.
        """
        if label not in dict(schema.ATTACHMENT_KINDS):
            raise ValueError("unknown attachment kind")
        cleaned = media.clean(stream)
        plaintext = _HashingReader(cleaned)
        object_id = str(uuid.uuid4())
        blob_path = f"{self._membership.organisation_id}/{self.case_id}/{object_id}.age"
        with self._blobs.create(blob_path) as sink:
            try:
                crypto.seal_stream(plaintext, sink, [self._case_key.recipient])
            except crypto.CryptoError:
                if plaintext.error is not None:
                    raise plaintext.error from None
                raise
        sealed_meta: dict[str, Any] = {
            "object_id": object_id, "kind": cleaned.kind, "label": label,
            "format": cleaned.format, "metadata": cleaned.metadata,
            "filename": filename, "content_type": content_type,
            "size": plaintext.size, "sha256": plaintext.sha256}
        if cleaned.reason is not None:
            sealed_meta["metadata_reason"] = cleaned.reason
        self._attachments.append(_PendingAttachment(
            object_id=object_id, media_kind=cleaned.kind, blob_path=blob_path,
            ciphertext_size=sink.size, ciphertext_sha256=sink.sha256, sealed_meta=sealed_meta,
        ))

    def discard(self) -> None:
        for attachment in self._attachments:
            self._blobs.delete(attachment.blob_path)
        self._attachments.clear()

    def commit(self, answers: IntakeAnswers) -> Receipt:
        """Seal the narrative and sealed fields, wrap the case key, store it all at once."""
        case = Case(public_id=self.case_id, organisation_id=self._membership.organisation_id,
                    created_by_membership_id=self._membership.id,
                    case_recipient=str(self._case_key.recipient))
        conditions: dict[str, Any] = {}
        sealed_values: dict[str, Any] = {}
        for spec in schema.FIELDS:
            value = answers.values.get(spec.name)
            if spec.tier.sealed:
                sealed_values[spec.name] = value
                if spec.bands and value is not None:
                    conditions[spec.band_field] = schema.band(spec, value)
            elif spec.name in schema.CASE_COLUMNS:
                setattr(case, spec.name, value if value is not None or spec.kind is not
                        schema.Kind.BOOLEAN else False)
            elif value is not None:
                conditions[spec.name] = value
        case.conditions = conditions
        case.indicators = [
            CaseIndicator(indicator=name, present=answer["present"] or "unknown",
                          basis=answer.get("basis"), frequency=answer.get("frequency"))
            for name, answer in answers.indicators.items()
        ]
        sealed_values["attachments"] = [a.sealed_meta for a in self._attachments]

        case.sealed_objects = list(self._sealed_objects(answers.narrative, sealed_values))
        case.key_wraps = [
            CaseKeyWrap(member_key_id=key.id if key else None, recipient=recipient,
                        purpose=WrapPurpose.MEMBER if key else WrapPurpose.RECOVERY,
                        wrapped_key=wrapped)
            for (key, recipient), wrapped in _wrap_all(self._case_key,
                                                       case_readers(self._session,
                                                                    self._membership))
        ]
        try:
            self._session.add(case)
            audit.record(self._session, audit.Action.INTAKE,
                         organisation_id=self._membership.organisation_id,
                         actor_user_id=self._membership.user_id, target=self.case_id,
                         attachments=len(self._attachments))
            self._session.commit()
        except BaseException:
            self._session.rollback()
            raise
        self._committed = True
        metadata = {a.object_id: a.sealed_meta["metadata"] for a in self._attachments}
        return Receipt(self.case_id, tuple(
            ReceiptLine(_receipt_label(obj), obj.size, obj.sha256, metadata.get(obj.id))
            for obj in case.sealed_objects
        ))

    def _sealed_objects(self, narrative: str, sealed_values: dict[str, Any]
                        ) -> Iterator[SealedObject]:
        recipients = [self._case_key.recipient]
        for kind, plaintext in (
            (SealedKind.NARRATIVE, narrative.encode("utf-8")),
            (SealedKind.FIELDS, json.dumps(sealed_values, ensure_ascii=False).encode("utf-8")),
        ):
            ciphertext = crypto.seal(plaintext, recipients)
            yield SealedObject(id=str(uuid.uuid4()), kind=kind, storage=Storage.INLINE,
                               inline_ciphertext=ciphertext, size=len(ciphertext),
                               sha256=hashlib.sha256(ciphertext).hexdigest())
        for attachment in self._attachments:
            yield SealedObject(id=attachment.object_id, kind=SealedKind.ATTACHMENT,
                               media_kind=attachment.media_kind, storage=Storage.BLOB,
                               blob_path=attachment.blob_path, size=attachment.ciphertext_size,
                               sha256=attachment.ciphertext_sha256)


def _wrap_all(case_key: crypto.CaseKey, readers: Iterable[tuple[MemberKey | None, str]]
              ) -> Iterator[tuple[tuple[MemberKey | None, str], bytes]]:
    for reader in readers:
        yield reader, case_key.wrap([crypto.parse_recipient(reader[1])])


def _receipt_label(obj: SealedObject) -> str:
    if obj.kind is SealedKind.ATTACHMENT:
        return f"Attachment ({obj.media_kind})"
    return "Narrative" if obj.kind is SealedKind.NARRATIVE else "Sealed fields"
