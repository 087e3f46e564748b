"""Export pages for admins: build, approve, download, and the approval setting."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm import Session

import crypto
from app.config import Settings
from app.db import get_session
from app.errors import NotFound
from app.exports import service
from app.exports.forms import ActionForm, ApprovalSettingForm, ExportForm
from app.exports.jobs import run_build
from app.exports.selection import EXCLUSION_LABELS, PURPOSE_LABELS, ExportScope
from app.i18n import N_
from app.jobs import jobs
from app.models import Export, ExportApproval, ExportPurpose, ExportStatus, Membership, Role
from app.unit_of_work import on_commit
from app.web.access import membership_required, signed_in_membership
from app.web.language import translated
from app.web.pages import error_page
from app.web.unlock_cookie import unlocked_identity

# An export's state as the list shows it (translated by the page).
EXPORT_STATES = {"building": N_("building"), "awaiting_approval": N_("awaiting approval"),
                 "ready": N_("ready"), "refused": N_("refused"), "failed": N_("failed")}

bp = Blueprint("exports", __name__)


@bp.errorhandler(NotFound)
def _not_found(_exc: NotFound) -> ResponseReturnValue:
    return error_page(404, _("Not found"), _("No such export in your organisation."))


def _settings() -> Settings:
    settings: Settings = current_app.config["WITNESSBOX"]
    return settings


def _index(form: ExportForm, status: int = 200) -> ResponseReturnValue:
    db = get_session()
    admin = signed_in_membership()
    setting = ApprovalSettingForm(formdata=None,
                                  data={"export_approval": admin.organisation.export_approval})
    return render_template(
        "exports/index.html", form=form, exports=service.list_exports(db, admin),
        setting=setting, purposes=PURPOSE_LABELS, export_states=EXPORT_STATES,
        unlocked=unlocked_identity(db, admin) is not None,
        public_key=service.public_key_text(admin.organisation)), status


@bp.get("/exports")
@membership_required(Role.ADMIN)
def index() -> ResponseReturnValue:
    return _index(ExportForm())


def _recipient(text: str | None) -> crypto.Recipient | None:
    return crypto.parse_recipient(text.strip()) if text and text.strip() else None


@bp.post("/exports")
@membership_required(Role.ADMIN)
def create() -> ResponseReturnValue:
    db = get_session()
    admin = signed_in_membership()
    form = ExportForm()
    if not form.validate_on_submit():
        return _index(form, 400)
    identity = unlocked_identity(db, admin)
    if identity is None:
        flash(_("Unlock your key first: building an export opens each included case."), "error")
        return redirect(url_for("keys.status", next=url_for("exports.index")))
    scope = ExportScope(sector=form.sector.data or "", indicator=form.indicator.data or "",
                        cluster_public_id=(form.cluster_public_id.data or "").strip(),
                        filed_from=form.filed_from.data, filed_to=form.filed_to.data)
    settings = _settings()
    try:
        export = service.start(
            db, admin, purpose=ExportPurpose(form.purpose.data), scope=scope,
            key_dir=Path(settings.export_key_dir),
            prosecutor=_recipient(form.prosecutor.data),
            encrypt_to=_recipient(form.encrypt_to.data))
    except (service.Refused, crypto.CryptoError) as exc:
        flash(translated(str(exc)), "error")
        return _index(form, 400)
    # Built once the new row is committed, in this worker, with the key this
    # request unlocked (kept in memory only: app.jobs).
    app, export_id = current_app._get_current_object(), export.id  # type: ignore[attr-defined]

    def build_it() -> None:
        jobs(app).submit(run_build, export_id, identity)
    on_commit(db, build_it)
    return redirect(url_for("exports.show", public_id=export.public_id))


def _opened(public_id: str) -> tuple[Session, Membership, Export]:
    """The request's session, the signed-in admin and their organisation's export."""
    db = get_session()
    admin = signed_in_membership()
    return db, admin, service.get_export(db, admin, public_id)


@bp.get("/exports/<public_id>")
@membership_required(Role.ADMIN)
def show(public_id: str) -> ResponseReturnValue:
    db, admin, export = _opened(public_id)
    people = {m.id: m.user.email for m in (
        db.get(Membership, i) for i in (export.created_by_membership_id,
                                        export.approved_by_membership_id) if i) if m}
    return render_template("exports/show.html", export=export, action_form=ActionForm(),
                           building=export.status is ExportStatus.BUILDING,
                           purposes=PURPOSE_LABELS, exclusions=EXCLUSION_LABELS,
                           people=people, own=export.created_by_membership_id == admin.id,
                           public_key=service.public_key_text(admin.organisation))


@bp.post("/exports/<public_id>/approve")
@membership_required(Role.ADMIN)
def approve(public_id: str) -> ResponseReturnValue:
    db, admin, export = _opened(public_id)
    if ActionForm().validate_on_submit():
        try:
            service.approve(db, admin, export)
        except service.Refused as exc:
            flash(translated(str(exc)), "error")
        else:
            flash(_("Export approved: it can now be downloaded."), "info")
    return redirect(url_for("exports.show", public_id=public_id))


@bp.post("/exports/<public_id>/download")
@membership_required(Role.ADMIN)
def download(public_id: str) -> ResponseReturnValue:
    # A POST, so that a link followed by a crawler or a prefetch is not a download.
    db, admin, export = _opened(public_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("exports.show", public_id=public_id))
    try:
        path = service.open_bundle(db, admin, export, Path(_settings().export_dir))
    except service.Refused as exc:
        flash(translated(str(exc)), "error")
        return redirect(url_for("exports.show", public_id=public_id))
    # The download's audit event is committed (app.web.transaction) before a byte leaves.
    response = send_file(path, as_attachment=True, download_name=path.name,
                         mimetype="application/octet-stream", max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/exports/settings")
@membership_required(Role.ADMIN)
def change_setting() -> ResponseReturnValue:
    db = get_session()
    admin = signed_in_membership()
    form = ApprovalSettingForm()
    if form.validate_on_submit():
        service.set_approval_rule(db, admin, ExportApproval(form.export_approval.data))
        flash(_("Export approval setting saved."), "info")
    return redirect(url_for("exports.index"))
