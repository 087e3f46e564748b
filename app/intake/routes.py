"""The interviewer's intake form: parse the streamed body, seal, store, receipt."""

from __future__ import annotations

import logging
import re

from flask import Blueprint, abort, current_app, render_template, request
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest
from wtforms.validators import ValidationError

from app.auth.access import current_membership, membership_required
from app.db import get_session
from app.intake import schema
from app.intake.forms import IntakeForm
from app.intake.media import MalformedMedia
from app.intake.multipart import FieldPart, MultipartReader
from app.intake.service import IntakeSubmission
from app.models import Role
from app.storage import BlobStore

bp = Blueprint("intake", __name__, url_prefix="/intake")
log = logging.getLogger(__name__)
_ATTACHMENT_FIELD = re.compile(r"^attachment_(\d{1,2})$")


def _render(form: IntakeForm, errors: list[str] | None = None, status: int = 200
            ) -> tuple[str, int]:
    return render_template("intake/form.html", form=form, sections=IntakeForm.grouped(form),
                           schema=schema, attachment_errors=errors or []), status


@bp.get("/")
@membership_required(Role.INTERVIEWER)
def new() -> tuple[str, int]:
    return _render(IntakeForm(formdata=None))


def _check_csrf(fields: MultiDict[str, str]) -> None:
    try:
        validate_csrf(fields.get("csrf_token"))
    except ValidationError as exc:
        raise CSRFError(str(exc)) from exc


@bp.post("/")
@membership_required(Role.INTERVIEWER)
def submit() -> tuple[str, int]:
    membership = current_membership()
    assert membership is not None  # guaranteed by membership_required
    mimetype, options = request.mimetype, request.mimetype_params
    if mimetype != "multipart/form-data" or "boundary" not in options:
        raise BadRequest("The intake form must be sent as multipart/form-data.")
    settings = current_app.config["WITNESSBOX"]
    max_bytes = settings.max_upload_bytes
    if request.content_length is not None and request.content_length > max_bytes:
        abort(413)

    reader = MultipartReader(request.stream, options["boundary"].encode("latin-1"),
                             max_field_bytes=settings.max_form_field_kb * 1024)
    fields: MultiDict[str, str] = MultiDict()
    attachment_errors: list[str] = []
    files_received = 0
    csrf_checked = False
    db = get_session()
    with IntakeSubmission(db, membership, BlobStore(settings.blob_dir)) as submission:
        for part in reader.parts():
            if isinstance(part, FieldPart):
                fields.add(part.name, part.value)
                continue
            match = _ATTACHMENT_FIELD.match(part.name)
            if not part.filename or match is None:
                continue  # an empty file input; the reader drains it
            files_received += 1
            if not csrf_checked:
                # Before a single byte of a file is processed: the token must
                # precede the files, as it does in our form.
                _check_csrf(fields)
                csrf_checked = True
            kind = fields.get(f"attachment_{match.group(1)}_kind", "")
            if kind not in dict(schema.ATTACHMENT_KINDS):
                attachment_errors.append("Choose audio, photo or document for each file.")
                continue
            try:
                submission.add_attachment(kind, part.filename, part.content_type, part.stream)
            except MalformedMedia as exc:
                attachment_errors.append(f"A file could not be accepted: {exc}.")
        if not csrf_checked:
            _check_csrf(fields)

        form = IntakeForm(formdata=fields)
        if not form.validate() or attachment_errors:
            # Leaving the block without commit deletes the sealed attachments.
            if attachment_errors:
                attachment_errors.append("Nothing was stored. Please attach the files again.")
            elif files_received:
                # A browser cannot refill file inputs: say so rather than drop them quietly.
                attachment_errors.append(
                    f"The {files_received} file{'s' if files_received > 1 else ''} you attached "
                    f"{'were' if files_received > 1 else 'was'} not kept: nothing is stored "
                    "until the whole form is valid. Please choose "
                    f"{'them' if files_received > 1 else 'it'} again before submitting.")
            return _render(form, attachment_errors, 400)
        receipt = submission.commit(form.answers())
    log.info("intake stored case=%s objects=%d", receipt.case_id, len(receipt.lines))
    return render_template("intake/receipt.html", receipt=receipt), 201
