"""Routes for intake sealed in the browser (app.intake.presealed) and offline intake.

- ``GET /intake/sealing-context``: the signed recipient list, what the page
  needs to build the sealed plaintexts, the limits, and a fresh CSRF token
  (a queued case is sent long after its page was loaded).
- ``POST /intake/sealed``: ciphertext, coded answers and a manifest, as
  multipart parts in that order; JSON in reply.
- ``GET /intake/sw.js``: the service worker, served under /intake/ so that
  its scope covers the intake page.

The no-JavaScript form (app.intake.routes) is untouched by all of this.
"""

from __future__ import annotations

import json
import logging
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask_wtf.csrf import generate_csrf, validate_csrf
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from wtforms.validators import ValidationError

from app.db import get_session
from app.intake.multipart import FieldPart, MultipartReader
from app.intake.presealed import PresealedSubmission, Refused, sealing_schema
from app.intake.recipients_doc import signed_recipient_list
from app.intake.service import InsertRaced, InvalidSubmissionToken, SubmissionTokenUsed
from app.models import Role
from app.storage import BlobStore
from app.web.access import current_membership, membership_required
from app.web.transaction import abandon_request

bp = Blueprint("sealed_intake", __name__, url_prefix="/intake")
log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parents[1] / "static"
# Written by scripts/build-js.sh next to the bundle; checked by the tests.
INTEGRITY_FILE = STATIC / "integrity.json"
_CONTROL_FIELDS = ("csrf_token", "submission_token", "manifest")


@cache
def _integrity() -> dict[str, str]:
    data: dict[str, str] = json.loads(INTEGRITY_FILE.read_text(encoding="utf-8"))
    return data


@bp.app_template_global()
def static_integrity(filename: str) -> str:
    """The committed Subresource Integrity hash of a bundled static file."""
    return _integrity()[filename]


def _refuse(message: str, status: int = 400) -> tuple[Response, int]:
    return jsonify(error=message, stored=False), status


@bp.get("/sealing-context")
@membership_required(Role.INTERVIEWER)
def context() -> Response:
    membership = current_membership()
    assert membership is not None  # guaranteed by membership_required
    settings = current_app.config["WITNESSBOX"]
    signer = current_app.extensions["witnessbox.audit_signer"]
    return jsonify(
        recipients=signed_recipient_list(get_session(), membership, signer.signing_key),
        schema=sealing_schema(),
        max_upload_bytes=settings.max_upload_bytes,
        csrf_token=generate_csrf(),
        # A queued case is sent only under the membership that sealed it: another
        # member signing in on the same device must not file it as theirs.
        membership_id=membership.id,
        submit_url=url_for("sealed_intake.submit"),
        receipt_url=url_for("intake.receipt", case_id="CASE_ID"),
    )


@bp.get("/sw.js")
def service_worker() -> Response:
    response = current_app.send_static_file("intake-sw.js")
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    # The browser checks for a new worker on every visit; never a stale one.
    response.headers["Cache-Control"] = "no-cache"
    return response


def _filed(case_id: str, status: int, *, already: bool = False) -> tuple[Response, int]:
    return jsonify(case_id=case_id, stored=True, already_filed=already,
                   receipt_url=url_for("intake.receipt", case_id=case_id)), status


@bp.post("/sealed")
@membership_required(Role.INTERVIEWER)
def submit() -> tuple[Response, int]:
    membership = current_membership()
    assert membership is not None  # guaranteed by membership_required
    if request.mimetype != "multipart/form-data" or "boundary" not in request.mimetype_params:
        return _refuse("A sealed case must be sent as multipart/form-data.")
    settings = current_app.config["WITNESSBOX"]
    if request.content_length is not None and request.content_length > settings.max_upload_bytes:
        return _refuse("The upload is larger than allowed. Nothing was stored.", 413)
    reader = MultipartReader(request.stream,
                             request.mimetype_params["boundary"].encode("latin-1"),
                             max_field_bytes=settings.max_form_field_kb * 1024)
    fields: MultiDict[str, str] = MultiDict()
    db = get_session()
    with PresealedSubmission(db, membership, BlobStore(settings.blob_dir),
                             max_upload_bytes=settings.max_upload_bytes) as submission:
        checked = False
        try:
            for part in reader.parts():
                if isinstance(part, FieldPart):
                    if checked:
                        raise Refused("Every answer must come before the sealed objects.")
                    fields.add(part.name, part.value)
                    continue
                if not checked:
                    early = _check_start(submission, fields)
                    if early is not None:
                        return early
                    checked = True
                submission.add_part(part.name, part.stream)
            if not checked:
                early = _check_start(submission, fields)
                if early is not None:
                    return early
            stored = submission.store(
                current_app.extensions["witnessbox.audit_signer"].signing_key)
        except Refused as exc:
            return _refuse(f"{exc} Nothing was stored.")
        except (BadRequest, RequestEntityTooLarge) as exc:
            return _refuse(f"{exc.description} Nothing was stored.", exc.code or 400)
        except InsertRaced:
            abandon_request()
            try:
                winner = submission.race_winner_case()
            except SubmissionTokenUsed:
                return _refuse(_SPENT)
            if winner is None:
                raise
            return _filed(winner, 200, already=True)
    log.info("intake (sealed in the browser) stored case=%s objects=%d", stored.case_id,
             len(stored.lines))
    return _filed(stored.case_id, 201)


_SPENT = ("This case's submission token has already been used by someone else. "
          "Nothing was stored.")


def _check_start(submission: PresealedSubmission, fields: MultiDict[str, str]
                 ) -> tuple[Response, int] | None:
    """CSRF, the one-time token and the manifest, before any ciphertext is read."""
    try:
        validate_csrf(fields.get("csrf_token"))
    except ValidationError:
        return _refuse("The form's security token expired or is missing; the page fetches a "
                       "new one and sends again. Nothing was stored.", 400)
    try:
        already = submission.use_submission_token(fields.get("submission_token"))
    except InvalidSubmissionToken:
        return _refuse("The case's submission token was missing or malformed. "
                       "Nothing was stored.")
    except SubmissionTokenUsed:
        return _refuse(_SPENT)
    if already is not None:
        log.info("intake: sealed case re-sent for case=%s; nothing filed", already)
        return _filed(already, 200, already=True)
    coded = MultiDict([(k, v) for k, v in fields.items(multi=True) if k not in _CONTROL_FIELDS])
    submission.accept_manifest(fields.get("manifest"), coded)
    return None
