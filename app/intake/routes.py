"""The interviewer's intake form: parse the streamed body, seal, store, receipt.

A stored submission answers 303 to its receipt page (post/redirect/get): a
reload of the receipt is then a harmless GET, and a re-sent form (a reload
of the POST, a double click) carries a submission token already used, which
files nothing and leads to the same receipt.
"""

from __future__ import annotations

import logging
import re

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response
from wtforms.validators import ValidationError

from app.db import get_session
from app.i18n import N_
from app.intake import schema
from app.intake.forms import IntakeForm
from app.intake.media import MalformedMedia
from app.intake.multipart import FieldPart, MultipartReader
from app.intake.seal_messages import seal_messages
from app.intake.sealing import Sealer
from app.intake.service import (
    InsertRaced,
    IntakeSubmission,
    InvalidSubmissionToken,
    SubmissionTokenUsed,
    filed_receipt,
    new_submission_token,
)
from app.models import Role
from app.storage import BlobStore
from app.web.access import current_membership, membership_required
from app.web.language import translated
from app.web.transaction import abandon_request

bp = Blueprint("intake", __name__, url_prefix="/intake")
log = logging.getLogger(__name__)
_ATTACHMENT_FIELD = re.compile(r"^attachment_(\d{1,2})$")


def _render(form: IntakeForm, submission_token: str, errors: list[str] | None = None,
            status: int = 200, *, dropped_files: dict[int, str] | None = None,
            attachment_kinds: dict[int, str] | None = None) -> tuple[str, int]:
    return render_template("intake/form.html", form=form, sections=IntakeForm.grouped(form),
                           parts=form.parts(), error_links=form.error_links(),
                           schema=schema, attachment_errors=errors or [],
                           dropped_files=dropped_files or {},
                           attachment_kinds=attachment_kinds or {},
                           seal_messages=seal_messages(translated),
                           submission_token=submission_token), status


def _shown_filename(filename: str) -> str:
    """The name as the person chose it: no folders (old browsers send a whole
    Windows path), and short enough for one line."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return name if len(name) <= 120 else name[:117] + "..."


@bp.get("/")
@membership_required(Role.INTERVIEWER)
def new() -> tuple[str, int]:
    return _render(IntakeForm(formdata=None), new_submission_token())


def _to_receipt(case_id: str) -> Response:
    # 303: the browser follows with a GET, so reloading the receipt re-sends nothing.
    return redirect(url_for("intake.receipt", case_id=case_id), code=303)


@bp.get("/receipts/<case_id>")
@membership_required()
def receipt(case_id: str) -> str:
    membership = current_membership()
    assert membership is not None  # guaranteed by membership_required
    # The service decides who may see it: only the membership that filed it.
    signer = current_app.extensions["witnessbox.audit_signer"]
    return render_template("intake/receipt.html", receipt=filed_receipt(
        get_session(), membership, case_id, signer.signing_key.verify_key))


def _check_csrf(fields: MultiDict[str, str]) -> None:
    try:
        validate_csrf(fields.get("csrf_token"))
    except ValidationError as exc:
        raise CSRFError(str(exc)) from exc


def _claim_submission_token(submission: IntakeSubmission, fields: MultiDict[str, str]
                            ) -> str | None:
    """The case already filed with the form's token, if any; 400 for a bad token."""
    try:
        return submission.use_submission_token(fields.get("submission_token"))
    except InvalidSubmissionToken:
        raise BadRequest(_("The form's submission token was missing or malformed. Open the "
                         "intake form again and fill it in there. Nothing was stored.")) from None
    except SubmissionTokenUsed:
        raise BadRequest(_SPENT_FORM) from None


# Someone else's token (copied from their page): say nothing about their case.
_SPENT_FORM = N_("This form's submission token has already been used. Open a new intake "
                 "form to record an interview. Nothing was stored.")


@bp.post("/")
@membership_required(Role.INTERVIEWER)
def submit() -> tuple[str, int] | Response:
    membership = current_membership()
    assert membership is not None  # guaranteed by membership_required
    mimetype, options = request.mimetype, request.mimetype_params
    if mimetype != "multipart/form-data" or "boundary" not in options:
        raise BadRequest(_("The intake form must be sent as multipart/form-data."))
    settings = current_app.config["WITNESSBOX"]
    max_bytes = settings.max_upload_bytes
    if request.content_length is not None and request.content_length > max_bytes:
        abort(413)

    reader = MultipartReader(request.stream, options["boundary"].encode("latin-1"),
                             max_field_bytes=settings.max_form_field_kb * 1024)
    fields: MultiDict[str, str] = MultiDict()
    attachment_errors: list[str] = []
    files_received = 0
    received: dict[int, str] = {}  # slot -> file name, to name what must be attached again
    csrf_checked = False
    filed_case_id: str | None = None
    db = get_session()
    sealer: Sealer = current_app.extensions["witnessbox.intake_sealer"]  # age, from create_app
    with IntakeSubmission(db, membership, BlobStore(settings.blob_dir), sealer,
                          max_document_clean_bytes=settings.max_document_clean_bytes
                          ) as submission:
        for part in reader.parts():
            if isinstance(part, FieldPart):
                fields.add(part.name, part.value)
                continue
            match = _ATTACHMENT_FIELD.match(part.name)
            if not part.filename or match is None:
                continue  # an empty file input; the reader drains it
            files_received += 1
            received[int(match.group(1))] = _shown_filename(part.filename)
            if not csrf_checked:
                # Before a single byte of a file is processed: the tokens must
                # precede the files, as they do in our form.
                _check_csrf(fields)
                filed_case_id = _claim_submission_token(submission, fields)
                csrf_checked = True
            if filed_case_id is not None:
                continue  # a re-sent form: read to the end, seal nothing
            kind = fields.get(f"attachment_{match.group(1)}_kind", "")
            if kind not in dict(schema.ATTACHMENT_KINDS):
                attachment_errors.append(_("Choose audio, photo or document for each file."))
                continue
            try:
                submission.add_attachment(kind, part.filename, part.content_type, part.stream)
            except MalformedMedia as exc:
                attachment_errors.append(_("A file could not be accepted: %(why)s.", why=exc))
        if not csrf_checked:
            _check_csrf(fields)
            filed_case_id = _claim_submission_token(submission, fields)
        if filed_case_id is not None:
            log.info("intake: form re-sent for case=%s; nothing filed", filed_case_id)
            return _to_receipt(filed_case_id)

        form = IntakeForm(formdata=fields)
        if not form.validate() or attachment_errors:
            # Leaving the block without commit deletes the sealed attachments. A browser
            # cannot refill file inputs: the page names each file to attach again
            # (``dropped_files``) rather than drop them quietly.
            kinds = {slot: fields.get(f"attachment_{slot}_kind", "")
                     for slot in range(schema.ATTACHMENT_SLOTS)}
            # The same token again: correcting and re-sending still files one case.
            return _render(form, fields["submission_token"], attachment_errors, 400,
                           dropped_files=received, attachment_kinds=kinds)
        try:
            stored = submission.store(
                form.answers(), current_app.extensions["witnessbox.audit_signer"].signing_key)
        except InsertRaced:
            # The database decided between two copies of one form: this
            # request's unit rolls back; leaving the block deletes its blobs.
            abandon_request()
            try:
                winner = submission.race_winner()
            except SubmissionTokenUsed:
                raise BadRequest(_SPENT_FORM) from None
            if winner is None:
                raise
            return _to_receipt(winner)
    log.info("intake stored case=%s objects=%d", stored.case_id, len(stored.lines))
    return _to_receipt(stored.case_id)
