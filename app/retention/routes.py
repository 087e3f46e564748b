"""Admin pages: the organisation's retention rules, and a case's retention,
legal hold and deletion (typed confirmation; cannot be undone).

None of these pages decrypts anything: an admin manages retention without
unlocking a key. The services check the admin and the organisation again.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from app.cases.workflow import STATUS_LABELS
from app.db import get_session
from app.models import Case, CaseStatus, LegalHoldReason, Role
from app.retention import service
from app.retention.forms import (
    DateForm,
    DeleteForm,
    HoldForm,
    LiftForm,
    RulesForm,
    rules_form,
)
from app.retention.shredding import REASON_LABELS, LegalHoldActive, ShredReason, shred_case
from app.storage import BlobStore
from app.web.access import membership_required, signed_in_membership
from app.web.language import format_day, format_when

bp = Blueprint("retention", __name__)


@bp.route("/retention", methods=["GET", "POST"])
@membership_required(Role.ADMIN)
def index() -> ResponseReturnValue:
    db, admin = get_session(), signed_in_membership()
    current = service.rules(db, admin)
    form = RulesForm() if request.method == "POST" else rules_form(current)
    status = 200
    if request.method == "POST":
        if form.validate():
            changed = service.set_rules(db, admin, form.wanted())
            flash(ngettext("Retention rules saved (%(num)d changed).",
                           "Retention rules saved (%(num)d changed).", changed)
                  if changed else _("No rule changed."), "info")
            return redirect(url_for("retention.index"))
        status = 400
    return render_template(
        "retention/index.html", form=form, statuses=list(CaseStatus),
        status_labels=STATUS_LABELS, due=service.preview(db, admin),
        held=service.held_cases(db, admin), hold_labels=service.HOLD_LABELS), status


def _case_page(case: Case, *, status: int = 200, delete_form: DeleteForm | None = None
               ) -> ResponseReturnValue:
    return render_template(
        "retention/case.html", case=case, status_labels=STATUS_LABELS,
        hold_labels=service.HOLD_LABELS, hold_form=HoldForm(formdata=None),
        lift_form=LiftForm(formdata=None),
        date_form=DateForm(formdata=None, data={"delete_after": case.delete_after}),
        delete_form=delete_form or DeleteForm(formdata=None),
        rules=service.rules_for(get_session(), case.organisation_id)), status


@bp.get("/cases/<public_id>/retention")
@membership_required(Role.ADMIN)
def case(public_id: str) -> ResponseReturnValue:
    return _case_page(service.case_of(get_session(), signed_in_membership(), public_id))


def _back(public_id: str) -> ResponseReturnValue:
    return redirect(url_for("retention.case", public_id=public_id))


@bp.post("/cases/<public_id>/retention/hold")
@membership_required(Role.ADMIN)
def set_hold(public_id: str) -> ResponseReturnValue:
    db, admin = get_session(), signed_in_membership()
    found = service.case_of(db, admin, public_id)
    form = HoldForm()
    if not form.validate_on_submit():
        return _case_page(found, status=400)
    if service.set_legal_hold(db, admin, found, LegalHoldReason(form.reason.data)):
        flash(_("Legal hold set: nothing deletes this case until an admin lifts it."), "info")
    return _back(public_id)


@bp.post("/cases/<public_id>/retention/hold/lift")
@membership_required(Role.ADMIN)
def lift_hold(public_id: str) -> ResponseReturnValue:
    db, admin = get_session(), signed_in_membership()
    found = service.case_of(db, admin, public_id)
    form = LiftForm()
    if not form.validate_on_submit():
        return _case_page(found, status=400)
    if service.lift_legal_hold(db, admin, found, service.LiftReason(form.reason.data)):
        flash(_("Legal hold lifted: the retention rules apply to this case again."), "info")
    return _back(public_id)


@bp.post("/cases/<public_id>/retention/date")
@membership_required(Role.ADMIN)
def set_date(public_id: str) -> ResponseReturnValue:
    db, admin = get_session(), signed_in_membership()
    found = service.case_of(db, admin, public_id)
    form = DateForm()
    if not form.validate_on_submit() or (form.save.data and form.delete_after.data is None):
        return _case_page(found, status=400)
    day = None if form.clear.data else form.delete_after.data
    if service.set_delete_after(db, admin, found, day):
        flash(_("This case is deleted on or after %(day)s.", day=format_day(day)) if day
              else _("This case follows the organisation's rules again."), "info")
    return _back(public_id)


@bp.post("/cases/<public_id>/delete")
@membership_required(Role.ADMIN)
def delete_case(public_id: str) -> ResponseReturnValue:
    db, admin = get_session(), signed_in_membership()
    found = service.case_of(db, admin, public_id)
    form = DeleteForm()
    if not form.validate_on_submit():
        return _case_page(found, status=400, delete_form=form)
    if (form.confirm.data or "").strip() != found.public_id:
        flash(_("The id typed does not match this case's: nothing was deleted."), "error")
        return _case_page(found, status=400, delete_form=form)
    settings = current_app.config["WITNESSBOX"]
    try:
        shred_case(db, BlobStore(settings.blob_dir), found, reason=ShredReason(form.reason.data),
                   actor=admin, shred_list_file=settings.shred_list_file)
    except LegalHoldActive:
        flash(_("This case is on legal hold: it cannot be deleted until the hold is lifted."),
              "error")
        return _case_page(found, status=409, delete_form=form)
    # The database's deleted pages are scrubbed by the next `witnessbox
    # retention run` (app.retention.scrub: VACUUM FULL locks the tables).
    flash(_("Case %(case)s was crypto-shredded (%(reason)s) at %(when)s UTC. "
            "It cannot be restored.", case=public_id,
            reason=_(REASON_LABELS[ShredReason(form.reason.data)]).lower(),
            when=format_when(datetime.now(UTC))), "info")
    return redirect(url_for("queue.index"))
