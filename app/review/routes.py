"""The redaction editor (/cases/<id>/redaction) and the approval page (/cases/<id>/approval).

Every change is a POST with CSRF that saves a new sealed layer version and
redirects back (303). Without JavaScript everything works; app/static/
redaction.js only adds marking a span by selecting text.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

import crypto
from app.cases import workflow
from app.db import get_session
from app.errors import NoKeyAccess
from app.models import CaseStatus, Membership, Role
from app.review import cluster_entities, detection, forms, layers, service
from app.web import case_openings, unlock_cookie
from app.web.access import membership_required, signed_in_membership
from app.web.pages import error_page
from app.web.transaction import abandon_request

bp = Blueprint("review", __name__)
KEY_HOLDERS = (Role.REVIEWER, Role.ADMIN)


@bp.errorhandler(NoKeyAccess)
def _no_wrap(_exc: NoKeyAccess) -> tuple[str, int]:
    abandon_request()
    return error_page(403, _("Not granted to you"),
                      _("This case's key is not shared with your key, so you cannot open it. "
                      "Ask an admin to grant you the case."))


@bp.errorhandler(service.OwnWork)
def _own_work(_exc: service.OwnWork) -> tuple[str, int]:
    abandon_request()
    return error_page(403, _("You cannot approve your own redaction"),
                      _("You worked on this redaction, so a second reviewer must approve or "
                      "return it. Nothing was changed."))



def _identity(membership: Membership) -> crypto.Identity | None:
    return unlock_cookie.unlocked_identity(get_session(), membership)


def _locked(page: str) -> ResponseReturnValue:
    return render_template("review/locked.html", next_url=page)


def _back(public_id: str, anchor: str | None = None) -> ResponseReturnValue:
    """Back to the editor; at ``anchor`` so a reviewer working down a list keeps their place."""
    return redirect(url_for("review.editor", public_id=public_id, _anchor=anchor), 303)


def _opened(public_id: str, *, suggestions: bool = True
            ) -> tuple[Membership, crypto.Identity | None, service.Workspace | None]:
    membership = signed_in_membership()
    db = get_session()
    case = service.open_case(db, membership, public_id)
    identity = _identity(membership)
    if identity is None:
        return membership, None, None
    return membership, identity, service.load(db, membership, case, identity,
                                              detection.spans if suggestions else None)


def _workspace(public_id: str, *, suggestions: bool = True
               ) -> tuple[Membership, service.Workspace | None]:
    membership, _, ws = _opened(public_id, suggestions=suggestions)
    return membership, ws


def _shared(membership: Membership, identity: crypto.Identity,
            ws: service.Workspace) -> cluster_entities.SharedView | None:
    """What the case shares with its clusters' other cases.

    Opening a related case is a decryption: its DECRYPT event is recorded
    once per visit, as the case view does (app.web.case_openings).
    """
    audited: set[str] = set()

    def audit_opening(public_id: str) -> bool:
        if case_openings.already_opened(membership, public_id):
            return False
        audited.add(public_id)
        return True

    view = cluster_entities.shared(get_session(), membership, ws.case, ws.texts, ws.found,
                                   ws.layer, identity, detection.spans, audit_opening)
    for public_id in sorted(audited):
        case_openings.remember_opening(membership, public_id)
    return view


def _history(ws: service.Workspace) -> list[dict[str, object]]:
    authors = service.authors(get_session(), ws.versions)
    rows: list[dict[str, object]] = []
    for version in reversed(ws.versions):
        opened = ws.open_version(version)
        rows.append({"version": version, "author": authors.get(
            version.author_membership_id or -1, "a former member"), "comment": opened.comment})
    return rows


@bp.get("/cases/<public_id>/redaction")
@membership_required(*KEY_HOLDERS)
def editor(public_id: str) -> ResponseReturnValue:
    db = get_session()
    case = service.open_case(db, signed_in_membership(), public_id)
    editing = case.status is CaseStatus.IN_REDACTION
    membership, identity, ws = _opened(public_id, suggestions=editing)
    if ws is None or identity is None:
        return _locked(request.path)
    pending, open_items = service.blockers(ws) if editing else (0, 0)
    shared = _shared(membership, identity, ws) if editing else None
    return render_template(
        "review/editor.html", ws=ws, case=ws.case, editing=editing,
        status_label=workflow.STATUS_LABELS[ws.case.status], fields=layers.text_fields(),
        pseudonymised=ws.pseudonymised(), sweep_items=ws.sweep_items() if editing else [],
        pending=pending, open_items=open_items, history=_history(ws), L=layers,
        decide_form=forms.DecideForm(), group_form=forms.GroupForm(),
        phrase_form=forms.PhraseForm(), sweep_form=forms.SweepForm(),
        submit_form=forms.SubmitForm(), membership=membership, shared=shared,
        shared_form=forms.SharedForm())


@bp.post("/cases/<public_id>/redaction/shared")
@membership_required(*KEY_HOLDERS)
def mask_shared(public_id: str) -> ResponseReturnValue:
    """Mask in this case every occurrence of one shared entity, or of all of them."""
    form = forms.SharedForm()
    membership, identity, ws = _opened(public_id)
    if ws is None or identity is None:
        return _locked(url_for("review.editor", public_id=public_id))
    if not form.validate_on_submit():
        flash(_("Choose what to mask."), "error")
        return _back(public_id)
    view = _shared(membership, identity, ws)
    entities = view.entities if view is not None else []
    if form.entity.data:
        entities = [e for e in entities if e.id == form.entity.data]
    if not entities:
        flash(_("Those words are no longer shared with a related case you can open."), "error")
        return _back(public_id)
    _version, changed = service.mask_shared(get_session(), membership, ws, entities)
    flash(ngettext("%(num)d place(s) in this case masked.",
                   "%(num)d place(s) in this case masked.", changed) if changed
          else _("They were already masked everywhere in this case."), "info")
    return _back(public_id)


@bp.post("/cases/<public_id>/redaction/decide")
@membership_required(*KEY_HOLDERS)
def decide(public_id: str) -> ResponseReturnValue:
    form = forms.DecideForm()
    membership, ws = _workspace(public_id)
    if ws is None:
        return _locked(url_for("review.editor", public_id=public_id))
    if not form.validate_on_submit():
        flash(_("Choose accept or reject for a suggestion."), "error")
        return _back(public_id)
    service.decide(get_session(), membership, ws, [form.span.data or ""], form.decision.data or "")
    return _back(public_id, "suggestions-heading")


@bp.post("/cases/<public_id>/redaction/accept-group")
@membership_required(*KEY_HOLDERS)
def accept_group(public_id: str) -> ResponseReturnValue:
    form = forms.GroupForm()
    membership, ws = _workspace(public_id)
    if ws is None:
        return _locked(url_for("review.editor", public_id=public_id))
    if not form.validate_on_submit():
        flash(_("Choose which suggestions to accept."), "error")
        return _back(public_id)
    keys = service.group_keys(ws.layer, form.group.data or "")
    service.decide(get_session(), membership, ws, keys, layers.ACCEPTED)
    flash(ngettext("%(num)d suggestion(s) accepted.", "%(num)d suggestion(s) accepted.",
                   len(keys)), "info")
    return _back(public_id)


@bp.post("/cases/<public_id>/redaction/phrase")
@membership_required(*KEY_HOLDERS)
def add_phrase(public_id: str) -> ResponseReturnValue:
    form = forms.PhraseForm()
    membership, ws = _workspace(public_id)
    if ws is None:
        return _locked(url_for("review.editor", public_id=public_id))
    if not form.validate_on_submit():
        flash(_("Type the exact words to mask."), "error")
        return _back(public_id)
    at = None
    if form.field.data and form.start.data is not None and form.end.data is not None:
        at = (form.field.data, form.start.data, form.end.data)
    try:
        _version, added = service.add_phrase(
            get_session(), membership, ws, form.phrase.data or "", form.category.data or "",
            form.id_type.data or "", at=at)
    except ValueError:
        flash(_("Those words are not in the text as selected. Try again."), "error")
        return _back(public_id)
    if added:
        flash(ngettext("%(num)d place(s) in the text added.",
                       "%(num)d place(s) in the text added.", added) if at is None else
              _("The selected words are masked."), "info")
    else:
        flash(_("Those exact words are not in the texts, or are already suggested."), "error")
    return _back(public_id)


@bp.post("/cases/<public_id>/redaction/sweep")
@membership_required(*KEY_HOLDERS)
def sweep(public_id: str) -> ResponseReturnValue:
    form = forms.SweepForm()
    membership, ws = _workspace(public_id)
    if ws is None:
        return _locked(url_for("review.editor", public_id=public_id))
    if form.validate_on_submit():
        decisions = {name.removeprefix("sweep-"): value for name, value in request.form.items()
                     if name.startswith("sweep-")}
        service.record_sweep(get_session(), membership, ws, decisions)
    return _back(public_id)


@bp.post("/cases/<public_id>/redaction/submit")
@membership_required(*KEY_HOLDERS)
def submit(public_id: str) -> ResponseReturnValue:
    form = forms.SubmitForm()
    membership, ws = _workspace(public_id)
    if ws is None:
        return _locked(url_for("review.editor", public_id=public_id))
    if not form.validate_on_submit():
        return _back(public_id)
    try:
        service.submit(get_session(), membership, ws)
    except service.NotReady as exc:
        flash(_("Not submitted: %(what)s. Decide each of them first.", what=exc), "error")
        return _back(public_id)
    flash(_("Submitted for approval by a second reviewer."), "info")
    return redirect(url_for("review.approval", public_id=public_id), 303)


@bp.get("/cases/<public_id>/approval")
@membership_required(*KEY_HOLDERS)
def approval(public_id: str) -> ResponseReturnValue:
    membership, ws = _workspace(public_id, suggestions=False)
    if ws is None:
        return _locked(request.path)
    own = membership.id in service.redactors(get_session(), ws.case)
    return render_template(
        "review/approval.html", ws=ws, case=ws.case, fields=layers.text_fields(),
        status_label=workflow.STATUS_LABELS[ws.case.status], own_work=own,
        awaiting=ws.case.status is CaseStatus.AWAITING_APPROVAL,
        pseudonymised=ws.pseudonymised(), history=_history(ws),
        approve_form=forms.ApproveForm(), return_form=forms.ReturnForm())


@bp.post("/cases/<public_id>/approval/approve")
@membership_required(*KEY_HOLDERS)
def approve(public_id: str) -> ResponseReturnValue:
    form = forms.ApproveForm()
    membership, ws = _workspace(public_id, suggestions=False)
    if ws is None:
        return _locked(url_for("review.approval", public_id=public_id))
    if form.validate_on_submit():
        service.approve(get_session(), membership, ws)
        flash(_("Approved. The redacted text may now be exported."), "info")
    return redirect(url_for("review.approval", public_id=public_id), 303)


@bp.post("/cases/<public_id>/approval/return")
@membership_required(*KEY_HOLDERS)
def return_case(public_id: str) -> ResponseReturnValue:
    form = forms.ReturnForm()
    membership, ws = _workspace(public_id, suggestions=False)
    if ws is None:
        return _locked(url_for("review.approval", public_id=public_id))
    if form.validate_on_submit():
        service.return_to_redactor(get_session(), membership, ws,
                                   workflow.Reason(form.reason.data), form.comment.data or "")
        flash(_("Returned to the redactor with your comment."), "info")
    return redirect(url_for("review.approval", public_id=public_id), 303)
