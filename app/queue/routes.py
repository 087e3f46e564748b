"""The review queue, assignment and priority, the status buttons, and the
interviewer's own submissions. Nothing here decrypts.

Two blueprints: ``queue`` (lists and the assign/priority forms) and
``workflow`` (status moves, whose buttons ``templates/cases/_workflow.html``
shows on any case page through the ``workflow_actions`` helper).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs predate 3.3

from app.cases import workflow
from app.db import get_session
from app.errors import TransitionRefused
from app.i18n import N_
from app.models import Case, CaseStatus, Membership, Priority, Role
from app.queue import service
from app.queue.forms import (
    ASSIGNEE_ME,
    ASSIGNEE_NOBODY,
    INDICATOR_LABELS,
    PRIORITY_LABELS,
    SECTOR_LABELS,
    SORT_LABELS,
    AssignForm,
    PriorityForm,
    QueueFilterForm,
    StatusForm,
)
from app.web.access import current_membership, membership_required, signed_in_membership
from app.web.urls import MAX_ID, safe_redirect_target

bp = Blueprint("queue", __name__)
workflow_bp = Blueprint("workflow", __name__)

BAD_CURSOR = N_("This page link is not valid (it was edited or is from another sort order). "
              "Start again from the first page.")



def case_link(public_id: str) -> str | None:
    """The case page, once the case view is installed; None until then."""
    if "cases.view" not in current_app.view_functions:
        return None
    return url_for("cases.view", public_id=public_id)


def _back(target: str | None) -> Response:
    """303 to a same-site path from the form, or to the queue."""
    if target:
        return redirect(safe_redirect_target(target), code=303)
    return redirect(url_for("queue.index"), code=303)


def _assignee_choices(holders: Sequence[tuple[int, str]]) -> list[SelectChoice]:
    return [SelectChoice("", _("Anyone")), SelectChoice(ASSIGNEE_ME, _("Me")),
            SelectChoice(ASSIGNEE_NOBODY, _("Nobody (unassigned)"))] + [
        SelectChoice(str(membership_id), email) for membership_id, email in holders]


def _filters(form: QueueFilterForm, membership: Membership) -> service.QueueFilter:
    if not form.validate():
        fields = ", ".join(sorted(form.errors))
        abort(400, description=_("The queue cannot be filtered by that (%(fields)s).",
                                     fields=fields))
    assignee, assignee_id = service.AssigneeFilter.ANYONE, None
    if form.assignee.data == ASSIGNEE_ME:
        assignee = service.AssigneeFilter.ME
    elif form.assignee.data == ASSIGNEE_NOBODY:
        assignee = service.AssigneeFilter.NOBODY
    elif form.assignee.data:
        assignee, assignee_id = service.AssigneeFilter.MEMBER, int(form.assignee.data)
    return service.QueueFilter(
        status=CaseStatus(form.status.data) if form.status.data else None,
        sector=form.sector.data or None,
        indicators=tuple(form.indicator.data or ()),
        assignee=assignee, assignee_id=assignee_id,
        priority=Priority(int(form.priority.data)) if form.priority.data else None)


@bp.get("/queue")
@membership_required(Role.REVIEWER, Role.ADMIN)
def index() -> str:
    membership = signed_in_membership()
    db = get_session()
    holders = service.key_holders(db, membership.organisation_id)
    form = QueueFilterForm(formdata=request.args)
    form.assignee.choices = _assignee_choices(holders)
    filters = _filters(form, membership)
    sort = service.Sort(form.sort.data or service.Sort.NEWEST.value)
    try:
        page = service.queue_page(db, membership, filters, sort,
                                  request.args.get("after") or None)
    except service.BadCursor:
        abort(400, description=_(BAD_CURSOR))
    args = MultiDict(request.args)
    args.pop("after", None)
    first_url = url_for("queue.index", **args.to_dict(flat=False))  # type: ignore[arg-type]
    next_url = None
    if page.next_cursor:
        args["after"] = page.next_cursor
        next_url = url_for("queue.index", **args.to_dict(flat=False))  # type: ignore[arg-type]
    return render_template(
        "queue/index.html", form=form, page=page, membership=membership,
        first_url=first_url, next_url=next_url, holders=holders,
        here=request.full_path.rstrip("?"), case_link=case_link,
        status_labels=workflow.STATUS_LABELS, sector_labels=SECTOR_LABELS,
        indicator_labels=INDICATOR_LABELS, priority_labels=PRIORITY_LABELS,
        sort_labels=SORT_LABELS, assign_form=AssignForm(), priority_form=PriorityForm())


@bp.post("/cases/<public_id>/assign")
@membership_required(Role.REVIEWER, Role.ADMIN)
def assign(public_id: str) -> Response:
    service.case_for_member(get_session(), signed_in_membership(), public_id)  # 404 before any 400
    form = AssignForm()
    if not form.validate_on_submit():
        abort(400, description=_("The form was not complete."))
    raw = form.assignee.data or ""
    if raw == ASSIGNEE_ME:
        assignee_id: int | None = signed_in_membership().id
    elif raw == "":
        assignee_id = None
    elif raw.isascii() and raw.isdigit() and int(raw) <= MAX_ID:
        assignee_id = int(raw)
    else:
        abort(400, description=_("Choose a member to assign the case to."))
    service.assign(get_session(), signed_in_membership(), public_id, assignee_id)
    return _back(form.next.data)


@bp.post("/cases/<public_id>/priority")
@membership_required(Role.REVIEWER, Role.ADMIN)
def priority(public_id: str) -> Response:
    service.case_for_member(get_session(), signed_in_membership(), public_id)  # 404 before any 400
    form = PriorityForm()
    if not form.validate_on_submit():
        abort(400, description=_("Choose a priority."))
    service.set_priority(get_session(), signed_in_membership(), public_id,
                         Priority(int(form.priority.data or "1")))
    return _back(form.next.data)


@bp.get("/intake/mine")
@membership_required(Role.INTERVIEWER)
def mine() -> str:
    try:
        page = service.submissions_page(get_session(), signed_in_membership(),
                                        request.args.get("after") or None)
    except service.BadCursor:
        abort(400, description=_(BAD_CURSOR))
    next_url = url_for("queue.mine", after=page.next_cursor) if page.next_cursor else None
    return render_template("queue/mine.html", page=page, next_url=next_url,
                           status_labels=workflow.STATUS_LABELS)


# --- status moves ---------------------------------------------------------------------

@workflow_bp.app_context_processor
def _workflow_helpers() -> dict[str, Any]:
    def workflow_actions(case: Case) -> Sequence[workflow.Transition]:
        membership = current_membership()
        if membership is None:
            return ()
        return workflow.available(get_session(), case, membership)

    return {"workflow_actions": workflow_actions, "status_labels": workflow.STATUS_LABELS,
            "reason_form": StatusForm}


@workflow_bp.get("/cases/<public_id>/status")
@membership_required(Role.REVIEWER, Role.ADMIN)
def status(public_id: str) -> str:
    """The case's status and the moves the member may make (the case page shows
    the same buttons)."""
    found = service.case_for_member(get_session(), signed_in_membership(), public_id)
    return render_template("cases/status.html", case=found, membership=signed_in_membership(),
                           case_link=case_link(public_id))


@workflow_bp.post("/cases/<public_id>/status")
@membership_required(Role.REVIEWER, Role.ADMIN)
def change_status(public_id: str) -> Response:
    membership = signed_in_membership()
    db = get_session()
    found = service.case_for_member(db, membership, public_id)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400, description=_("The form was not complete."))
    try:
        target = CaseStatus(form.target.data or "")
    except ValueError:
        abort(400, description=_("There is no such status."))
    reason = None
    if form.reason.data:
        reason = workflow.Reason(form.reason.data)
    move = workflow.find(found.status, target)
    if move is not None and move.backwards and reason is None:
        raise TransitionRefused("Moving a case back needs a reason: choose one")
    workflow.change_status(db, found, target, actor=membership, reason=reason)
    return _back(form.next.data)
