"""The decrypted case view for reviewers and admins, its attachments, coded
fields and notes.

Every request re-checks the wrap of the case key to the member's current
key (app.cases.service.member_wrap): a revoked grant stops the page, its
forms and an attachment already playing at the next request. Plaintext is
decrypted per request with the member's unlocked identity and never
written anywhere but the response.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from werkzeug.wrappers import Response

import crypto
from app.cases import service
from app.cases.forms import CodedForm, NoteForm, coded_form_for
from app.cases.streaming import BlobRef, StreamFailed, plaintext_range
from app.db import get_session
from app.errors import NoKeyAccess
from app.i18n import N_
from app.intake import coding, schema
from app.models import Case, Role
from app.storage import BlobStore
from app.web import case_openings
from app.web import unlock_cookie as key_cookie
from app.web.access import membership_required, signed_in_membership
from app.web.language import format_day, format_number
from app.web.pages import error_page

log = logging.getLogger(__name__)

bp = Blueprint("cases", __name__, url_prefix="/cases")

# Types a browser may show in the page: audio and pictures whose format was
# detected from their bytes at intake. Anything else is a download.
INLINE_TYPES = {
    ("audio", "mp3"): "audio/mpeg", ("audio", "wav"): "audio/wav",
    ("audio", "mp4"): "audio/mp4", ("audio", "flac"): "audio/flac",
    ("audio", "ogg"): "audio/ogg", ("audio", "aac"): "audio/aac",
    ("photo", "jpeg"): "image/jpeg", ("photo", "png"): "image/png",
    ("photo", "gif"): "image/gif", ("photo", "webp"): "image/webp",
}
DOWNLOAD_TYPES = {"pdf": "application/pdf"}
EXTENSIONS = {"mp3": "mp3", "wav": "wav", "mp4": "m4a", "flac": "flac", "ogg": "ogg",
              "aac": "aac", "jpeg": "jpg", "png": "png", "gif": "gif", "webp": "webp",
              "pdf": "pdf", "tiff": "tif", "heif": "heic", "bmp": "bmp"}

NOT_GRANTED = N_("You have not been granted this case")



def _blobs() -> BlobStore:
    return BlobStore(current_app.config["WITNESSBOX"].blob_dir)


def _not_granted() -> ResponseReturnValue:
    return error_page(403, _(NOT_GRANTED),
                      _("Your key holds no grant for this case, so it cannot be opened with "
                        "it. Ask an admin if you should be working on it."))


def _ask_to_unlock() -> Response:
    flash(_("Unlock your key to read this case. You will come back to it afterwards."), "info")
    return redirect(url_for("keys.status", next=request.full_path.rstrip("?")))


@dataclass(frozen=True)
class _Opened:
    case: Case
    case_key: crypto.CaseKey


def _open(public_id: str) -> _Opened | ResponseReturnValue:
    """The case and its key for this request, or the response refusing it.

    The first request of a visit records the DECRYPT event; the rest of the
    visit does not (app.web.case_openings). The wrap is checked every time.
    """
    db, membership = get_session(), signed_in_membership()
    case = service.get_case(db, membership, public_id)
    try:
        service.member_wrap(db, membership, case)
    except NoKeyAccess:
        return _not_granted()
    identity = key_cookie.unlocked_identity(db, membership)
    if identity is None:
        return _ask_to_unlock()
    first_of_visit = not case_openings.already_opened(membership, public_id)
    case_key = service.unlock_case_key(db, membership, case, identity,
                                       audit_opening=first_of_visit)
    if first_of_visit:
        case_openings.remember_opening(membership, public_id)
    return _Opened(case, case_key)


def _display(spec: schema.FieldSpec, value: Any) -> str | None:
    """A value as a person reads it: choice labels, not codes."""
    if value is None or value == "" or value == []:
        return None
    if spec.kind is schema.Kind.BOOLEAN:
        return str(_("Yes") if value else _("No"))
    labels = dict(spec.choices)
    if spec.kind is schema.Kind.MULTI:
        return ", ".join(_(labels[item]) if item in labels else item for item in value)
    if spec.kind is schema.Kind.CHOICE:
        return str(_(labels[value])) if value in labels else str(value)
    if spec.kind is schema.Kind.DATE and isinstance(value, str):
        with contextlib.suppress(ValueError):
            return format_day(date.fromisoformat(value))
    if spec.kind is schema.Kind.NUMBER and isinstance(value, int | float):
        return format_number(value)
    return str(value)


def _coded_values(case: Case) -> list[tuple[str, str]]:
    rows = []
    for spec in schema.coded_fields():
        value = (getattr(case, spec.name) if spec.name in schema.CASE_COLUMNS
                 else case.conditions.get(spec.name))
        shown = _display(spec, value)
        if shown is not None:
            rows.append((_(spec.label), shown))
    for spec in schema.sealed_fields():
        if spec.bands and case.conditions.get(spec.band_field):
            rows.append((_("%(field)s: band", field=_(spec.label)),
                         str(case.conditions[spec.band_field])))
    return rows


def _sealed_sections(fields: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    sections: dict[str, list[tuple[str, str]]] = {}
    for spec in schema.sealed_fields():
        shown = _display(spec, fields.get(spec.name))
        if shown is not None:
            sections.setdefault(spec.section, []).append((_(spec.label), shown))
    return [(_(schema.SECTION_LABELS[section]), sections[section])
            for section in schema.SECTIONS if section in sections]


def _page(case: Case, case_key: crypto.CaseKey, *, coded_form: Any = None,
          note_form: NoteForm | None = None, status: int = 200) -> ResponseReturnValue:
    db = get_session()
    fields = service.read_sealed_fields(case, case_key)
    indicator_labels = dict(schema.ILO_INDICATORS)
    return render_template(
        "cases/view.html", case=case, membership=signed_in_membership(),
        narrative=service.read_narrative(case, case_key),
        sealed_sections=_sealed_sections(fields), coded=_coded_values(case),
        attachments=service.attachments(case, fields),
        inline_types=INLINE_TYPES, notes=service.read_notes(db, case, case_key),
        indicators=sorted(case.indicators,
                          key=lambda row: list(indicator_labels).index(row.indicator)
                          if row.indicator in indicator_labels else 99),
        indicator_labels=indicator_labels, presence=dict(schema.PRESENCE),
        basis=dict(schema.BASIS), frequency=dict(schema.FREQUENCY),
        reliability=dict(schema.RELIABILITY),
        coded_form=coded_form or coded_form_for(case), note_form=note_form or NoteForm(),
        kind_labels=dict(schema.ATTACHMENT_KINDS)), status


@bp.get("/<public_id>")
@membership_required(Role.REVIEWER, Role.ADMIN)
def view(public_id: str) -> ResponseReturnValue:
    opened = _open(public_id)
    if not isinstance(opened, _Opened):
        return opened
    case, case_key = opened.case, opened.case_key
    return _page(case, case_key)


@bp.get("/<public_id>/attachments/<object_id>")
@membership_required(Role.REVIEWER, Role.ADMIN)
def attachment(public_id: str, object_id: str) -> ResponseReturnValue:
    opened = _open(public_id)
    if not isinstance(opened, _Opened):
        return opened
    case, case_key = opened.case, opened.case_key
    fields = service.read_sealed_fields(case, case_key)
    info = next((a for a in service.attachments(case, fields) if a.object_id == object_id),
                None)
    if info is None:
        return error_page(404, _("Not found"), _("There is nothing here."))
    blob = service.attachment_blob(case, object_id)
    inline_type = INLINE_TYPES.get((info.kind, info.format))
    content_type = inline_type or DOWNLOAD_TYPES.get(info.format, "application/octet-stream")
    # A neutral file name: the original one is sealed content.
    filename = f"case-{case.public_id}-{object_id[:8]}.{EXTENSIONS.get(info.format, 'bin')}"
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Type": content_type,
        "Content-Disposition": f'{"inline" if inline_type else "attachment"}; '
                               f'filename="{filename}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }
    size = info.size
    first, last, status = 0, size - 1, 200
    wanted = request.range
    if wanted is not None and wanted.units == "bytes" and len(wanted.ranges) == 1:
        bounds = wanted.range_for_length(size)
        if bounds is None:
            headers["Content-Range"] = f"bytes */{size}"
            return Response(b"", status=416, headers=headers)
        first, last, status = bounds[0], bounds[1] - 1, 206
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    elif request.headers.get("Range"):
        # Several ranges or a malformed header: served whole, as RFC 9110 allows.
        log.info("case attachment: Range header ignored (not one byte range)")
    headers["Content-Length"] = str(last - first + 1)
    identity = case_key.identity
    return Response(_stream(blob, identity, _blobs(), first, last, case.public_id),
                    status=status, headers=headers, direct_passthrough=True)


def _stream(blob: BlobRef, identity: crypto.Identity, blobs: BlobStore,
            first: int, last: int, public_id: str) -> Iterator[bytes]:
    if last < first:
        return
    try:
        yield from plaintext_range(blob, identity, blobs, first, last)
    except StreamFailed as exc:
        # Ids and a code only. The response ends short of its Content-Length:
        # the client sees a failed download, never a complete one.
        log.error("case attachment stream failed: case=%s code=%s", public_id, exc.code)


@bp.post("/<public_id>/coded")
@membership_required(Role.REVIEWER, Role.ADMIN)
def update_coded(public_id: str) -> ResponseReturnValue:
    db, membership = get_session(), signed_in_membership()
    case = service.get_case(db, membership, public_id)
    try:
        service.member_wrap(db, membership, case)
    except NoKeyAccess:
        return _not_granted()
    form = CodedForm()
    if not form.validate_on_submit():
        return error_page(400, _("Coded answers not saved"),
                          _("Some answers were not among the choices offered (or the form "
                            "expired). Nothing was changed; reload the case and try again."))
    changed = coding.update_coded(db, membership, case, form.indicator_answers(),
                                   form.reliability.data or None)
    flash(ngettext("Coded answers saved (%(num)d changed).",
                   "Coded answers saved (%(num)d changed).", len(changed)) if changed
          else _("No coded answer changed."), "info")
    return redirect(url_for("cases.view", public_id=public_id) + "#coded")


@bp.post("/<public_id>/notes")
@membership_required(Role.REVIEWER, Role.ADMIN)
def add_note(public_id: str) -> ResponseReturnValue:
    db, membership = get_session(), signed_in_membership()
    case = service.get_case(db, membership, public_id)
    try:
        service.member_wrap(db, membership, case)
    except NoKeyAccess:
        return _not_granted()
    form = NoteForm()
    if not form.validate_on_submit():
        return error_page(400, _("Note not saved"),
                          _("A note must have between 1 and %(limit)s characters "
                            "(or the form expired). Nothing was stored.",
                            limit=format_decimal(service.NOTE_LIMIT)))
    service.add_note(db, membership, case, form.text.data or "")
    flash(_("Note added, sealed to this case."), "info")
    return redirect(url_for("cases.view", public_id=public_id) + "#notes")
