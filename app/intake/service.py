"""Sealing an intake submission and storing it in one transaction.

Usage from a view (attachments stream in before the form is validated)::

    with IntakeSubmission(session, membership, blobs, sealer) as submission:
        submission.add_attachment("audio", name, content_type, stream)  # label only
        receipt = submission.store(answers, signing_key)

Leaving the ``with`` block without a successful ``store`` deletes every
blob the submission wrote, so a rejected or failed submission leaves nothing;
``store`` only flushes, and if the request's unit of work is then abandoned
(app.unit_of_work) the blobs are deleted too.

Each intake form carries a one-time submission token; the case keeps its
SHA-256 in a unique column. A reload or a double click sends the same token
again: :meth:`IntakeSubmission.use_submission_token` finds the case it already
filed, and when two requests race past that check the unique constraint lets
only one insert; the other's :meth:`IntakeSubmission.store` raises
:class:`InsertRaced`, and its caller rolls its unit of work back and asks
:meth:`IntakeSubmission.race_winner` which case won.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Protocol

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import crypto
from app.audit import service as audit
from app.audit.keyfile import public_key_text
from app.cases import receipts
from app.errors import NotFound, PermissionDenied
from app.i18n import N_
from app.intake import media, schema
from app.intake.schema import IntakeAnswers
from app.intake.sealing import Sealer
from app.models import (
    Case,
    CaseGrant,
    CaseIndicator,
    CaseKeyWrap,
    MemberKey,
    Membership,
    NewCasesTo,
    Organisation,
    Role,
    SealedKind,
    SealedObject,
    Storage,
    WrapPurpose,
)
from app.orgs.locks import lock_organisation
from app.storage import BlobStore
from app.unit_of_work import on_abandon

log = logging.getLogger(__name__)

# Crockford base32 without look-alikes: easy to read aloud and type.
_CASE_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# What new_submission_token() makes: 32 random bytes, URL-safe base64.
_SUBMISSION_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def new_case_id() -> str:
    """A random case id (60 bits), never derived from names or dates."""
    symbols = "".join(secrets.choice(_CASE_ID_ALPHABET) for _ in range(12))
    return "WB-" + "-".join(symbols[i:i + 4] for i in range(0, 12, 4))


def new_submission_token() -> str:
    """A random one-time token for one intake form (256 bits)."""
    return secrets.token_urlsafe(32)


class InvalidSubmissionToken(ValueError):
    """The form's submission token is missing or not one we could have made."""


class SubmissionTokenUsed(Exception):
    """Another member already filed a case with this token (says nothing about which)."""


class InsertRaced(Exception):
    """The case's insert broke a unique constraint, most likely because another
    request filed the same form a moment earlier. The unit of work must be
    rolled back before :meth:`IntakeSubmission.race_winner` can look."""


class AlreadyFiled(Exception):
    """This member already filed a case with this submission token."""

    def __init__(self, case_id: str) -> None:
        super().__init__(case_id)
        self.case_id = case_id


def submission_token_digest(token: str | None) -> str:
    """The SHA-256 kept on the case; raises InvalidSubmissionToken for a bad token."""
    if token is None or not _SUBMISSION_TOKEN.fullmatch(token):
        raise InvalidSubmissionToken("missing or malformed submission token")
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _filed_with(session: Session, membership: Membership, digest: str) -> str | None:
    """The public id of the case this member filed with the token digest, if any."""
    row = session.execute(select(Case.public_id, Case.created_by_membership_id).where(
        Case.submission_token_sha256 == digest)).first()
    if row is None:
        return None
    if row.created_by_membership_id != membership.id:
        raise SubmissionTokenUsed("submission token used by another member")
    public_id: str = row.public_id
    return public_id


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
    # Base64 Ed25519 signature over the case id and ciphertext hashes, and the
    # public key that made it (app.cases.receipts).
    signature: str = ""
    signed_by: str = ""


@dataclass
class _PendingAttachment:
    object_id: str
    media_kind: str
    blob_path: str
    ciphertext_size: int
    ciphertext_sha256: str
    # Sealed inside the case's fields object, never stored in the clear.
    sealed_meta: dict[str, Any] = field(default_factory=dict)


def case_readers(session: Session, membership: Membership, *, lock: bool = True
                 ) -> list[tuple[MemberKey | None, str]]:
    """Who a new case's key is wrapped to: the one place that decides.

    The organisation's active admins always (someone must be able to grant
    the case to others), its active reviewers either all or, when it sends
    new cases to the triage group only, those in the group; and its offline
    recovery recipient (the incoming one while a rotation runs). Only
    members' current (unretired) keys. ``lock=False`` only to show the list
    (the browser's signed recipient list): whatever is wrapped is checked
    again under the lock when the case is stored.
    """
    organisation = membership.organisation
    reviewers = Membership.role == Role.REVIEWER
    if organisation.new_cases_to is NewCasesTo.TRIAGE_GROUP:
        reviewers = and_(reviewers, Membership.in_triage_group.is_(True))
    keys = session.scalars(
        select(MemberKey).join(Membership).where(
            Membership.organisation_id == membership.organisation_id,
            Membership.active.is_(True),
            or_(Membership.role == Role.ADMIN, reviewers),
            MemberKey.retired_at.is_(None),
        ).order_by(MemberKey.id)
    ).all()
    readers: list[tuple[MemberKey | None, str]] = [(key, key.recipient) for key in keys]
    readers.append((None, recovery_recipient_for_new_cases(session, organisation.id, lock=lock)))
    return readers


def recovery_recipient_for_new_cases(session: Session, organisation_id: int, *,
                                     lock: bool = True) -> str:
    """The recovery recipient a case filed now is wrapped to: the incoming one
    while a recovery rotation runs (app.recovery.service), else the current one.

    Read afresh, not from the loaded Organisation, and under a shared lock on
    its row (app.orgs.locks) until this unit commits: a rotation locks that
    row exclusively when it starts and again when it finishes, so each waits
    for the intakes in flight. An intake that read the old recipient has
    committed before the rotation starts (its wrap is then re-wrapped like any
    other), and none can still be writing one when the rotation makes its
    final sweep for wraps to the old recipient.
    """
    if lock:
        lock_organisation(session, organisation_id, shared=True)
    return str(session.execute(
        select(func.coalesce(Organisation.recovery_recipient_next,
                             Organisation.recovery_recipient))
        .where(Organisation.id == organisation_id)).scalar_one())


class IntakeSubmission:
    def __init__(self, session: Session, membership: Membership, blobs: BlobStore,
                 sealer: Sealer, *,
                 max_document_clean_bytes: int = media.MAX_DOCUMENT_BYTES) -> None:
        # Authorisation lives here, not only in the view: only an active
        # interviewer of the organisation may file a case for it.
        if not membership.active or membership.role is not Role.INTERVIEWER:
            raise PermissionDenied("only interviewers file intake submissions")
        self._session = session
        self._membership = membership
        self._blobs = blobs
        self._sealer = sealer
        self._cleaners = media.cleaners_for(max_document_clean_bytes)
        self._case_key = crypto.CaseKey.create()
        self.case_id = new_case_id()
        self._attachments: list[_PendingAttachment] = []
        self._submission_token_sha256: str | None = None
        self._committed = False

    def __enter__(self) -> IntakeSubmission:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if not self._committed:
            self.discard()

    def use_submission_token(self, token: str | None) -> str | None:
        """Tie this submission to the form's one-time token, before anything is
        sealed. Returns the case id this member already filed with the token
        (the caller shows that receipt and files nothing), else None.

        Raises InvalidSubmissionToken or SubmissionTokenUsed.
        """
        digest = submission_token_digest(token)
        self._submission_token_sha256 = digest
        return _filed_with(self._session, self._membership, digest)

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
        cleaned = media.clean(stream, self._cleaners)
        plaintext = _HashingReader(cleaned)
        object_id = str(uuid.uuid4())
        blob_path = self._blobs.object_path(self._membership.organisation_id, self.case_id,
                                            object_id)
        with self._blobs.create(blob_path) as sink:
            try:
                self._sealer.seal_stream(plaintext, sink, [self._case_key.recipient])
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

    def store(self, answers: IntakeAnswers, receipt_key: crypto.SigningKey) -> Receipt:
        """Seal the narrative and sealed fields, wrap the case key, store it all at once.

        ``receipt_key`` (the server's key, kept outside the database) signs
        the receipt that every later opening of the case is checked against.
        """
        case = Case(public_id=self.case_id, organisation_id=self._membership.organisation_id,
                    created_by_membership_id=self._membership.id,
                    case_recipient=str(self._case_key.recipient),
                    submission_token_sha256=self._submission_token_sha256)
        split = schema.split_answers(answers)
        for column, value in split.case_columns.items():
            setattr(case, column, value)
        case.conditions = dict(split.conditions)
        case.indicators = [
            CaseIndicator(indicator=answer.indicator, present=answer.present,
                          basis=answer.basis, frequency=answer.frequency)
            for answer in split.indicators
        ]
        sealed_values = {**split.sealed,
                         "attachments": [a.sealed_meta for a in self._attachments]}

        case.sealed_objects = list(self._sealed_objects(split.narrative, sealed_values))
        case.receipt_signature = receipts.sign_receipt(case, receipt_key)
        readers = case_readers(self._session, self._membership)
        case.key_wraps = [
            CaseKeyWrap(member_key_id=key.id if key else None, recipient=recipient,
                        purpose=WrapPurpose.MEMBER if key else WrapPurpose.RECOVERY,
                        wrapped_key=wrapped)
            for (key, recipient), wrapped in _wrap_all(self._sealer, self._case_key, readers)
        ]
        self._session.add(case)
        try:
            self._session.flush()  # the case first: its token is what may collide
        except IntegrityError:
            if self._submission_token_sha256 is None:
                raise
            raise InsertRaced from None
        # The grant history (app.models.grant): these members were given the
        # case by the organisation's rule, not by an admin.
        self._session.add_all(
            CaseGrant(case_id=case.id, user_id=user_id)
            for user_id in sorted({key.membership.user_id for key, _ in readers if key}))
        self._session.flush()
        audit.record(self._session, audit.Action.INTAKE,
                     organisation_id=self._membership.organisation_id,
                     actor_user_id=self._membership.user_id, target=self.case_id,
                     attachments=len(self._attachments))
        # The rows are flushed, not yet committed: if the request's unit of
        # work is abandoned after all, the blobs they name go with them.
        on_abandon(self._session, self.discard)
        self._committed = True
        return Receipt(self.case_id, tuple(
            ReceiptLine(_receipt_label(obj), obj.size, obj.sha256, obj.metadata_outcome)
            for obj in case.sealed_objects
        ), case.receipt_signature, public_key_text(receipt_key.verify_key))

    def race_winner(self) -> str | None:
        """After :class:`InsertRaced` and a rollback: the case another request
        filed with this form's token in the meantime (a double click reaching
        two workers), or None. Leaving the ``with`` block then deletes this
        copy's blobs. Raises SubmissionTokenUsed if another member filed it."""
        if self._submission_token_sha256 is None:
            return None
        existing = _filed_with(self._session, self._membership, self._submission_token_sha256)
        if existing is not None:
            log.info("intake: concurrent submission of case=%s decided by the unique "
                     "constraint; the other copy is discarded", existing)
        return existing

    def _sealed_objects(self, narrative: str, sealed_values: dict[str, Any]
                        ) -> Iterator[SealedObject]:
        recipients = [self._case_key.recipient]
        for kind, plaintext in (
            (SealedKind.NARRATIVE, narrative.encode("utf-8")),
            (SealedKind.FIELDS, json.dumps(sealed_values, ensure_ascii=False).encode("utf-8")),
        ):
            ciphertext = self._sealer.seal(plaintext, recipients)
            yield SealedObject(id=str(uuid.uuid4()), kind=kind, storage=Storage.INLINE,
                               inline_ciphertext=ciphertext, size=len(ciphertext),
                               sha256=hashlib.sha256(ciphertext).hexdigest())
        for attachment in self._attachments:
            yield SealedObject(id=attachment.object_id, kind=SealedKind.ATTACHMENT,
                               media_kind=attachment.media_kind, storage=Storage.BLOB,
                               blob_path=attachment.blob_path, size=attachment.ciphertext_size,
                               sha256=attachment.ciphertext_sha256,
                               metadata_outcome=attachment.sealed_meta["metadata"])


_RECEIPT_ORDER = {SealedKind.NARRATIVE: 0, SealedKind.FIELDS: 1, SealedKind.ATTACHMENT: 2}


def filed_receipt(session: Session, membership: Membership, public_id: str,
                  signed_by: crypto.VerifyKey | None = None) -> Receipt:
    """The receipt of a stored case, rebuilt from its rows, for the interviewer
    membership that filed it and nobody else (NotFound for everyone else, so
    the page does not say whether the case exists). The hashes and sizes are of
    ciphertext: they identify what is stored and reveal nothing of it."""
    case = None
    if membership.active and membership.role is Role.INTERVIEWER:
        case = session.scalar(select(Case).where(
            Case.public_id == public_id,
            Case.organisation_id == membership.organisation_id,
            Case.created_by_membership_id == membership.id))
    if case is None:
        raise NotFound(public_id)
    objects = sorted(case.sealed_objects,
                     key=lambda obj: (_RECEIPT_ORDER[obj.kind], obj.created_at, obj.id))
    return Receipt(case.public_id, tuple(
        ReceiptLine(_receipt_label(obj), obj.size, obj.sha256, obj.metadata_outcome)
        for obj in objects),
        case.receipt_signature or "", public_key_text(signed_by) if signed_by else "")


def _wrap_all(sealer: Sealer, case_key: crypto.CaseKey,
              readers: Iterable[tuple[MemberKey | None, str]]
              ) -> Iterator[tuple[tuple[MemberKey | None, str], bytes]]:
    for reader in readers:
        yield reader, sealer.wrap_case_key(case_key, [crypto.parse_recipient(reader[1])])


_ATTACHMENT_LABELS = {"audio": N_("Attachment (audio)"), "photo": N_("Attachment (photo)"),
                      "document": N_("Attachment (document)")}


def _receipt_label(obj: SealedObject) -> str:
    """The receipt page translates these labels (app.i18n.N_)."""
    if obj.kind is SealedKind.ATTACHMENT:
        return _ATTACHMENT_LABELS.get(obj.media_kind or "", f"Attachment ({obj.media_kind})")
    return N_("Narrative") if obj.kind is SealedKind.NARRATIVE else N_("Sealed fields")
