"""Case access for admins: grant, revoke, re-grant a returning member's cases."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from app.db import get_session
from app.errors import NotFound
from app.grants import service
from app.grants.forms import ActionForm, ChooseMemberForm, GrantForm
from app.models import Case, Membership, Role
from app.web.access import membership_required, signed_in_membership
from app.web.language import translated
from app.web.pages import error_page
from app.web.unlock_cookie import unlocked_identity
from app.web.urls import safe_redirect_target

bp = Blueprint("grants", __name__)


@bp.errorhandler(NotFound)
def _not_found(_exc: NotFound) -> ResponseReturnValue:
    # The same answer for another organisation's member and no member at all.
    return error_page(404, _("Not found"), _("No such member in your organisation."))



@bp.app_context_processor
def _grants_panel() -> dict[str, object]:
    """``grants_panel(case, membership)`` for templates/cases/_grants.html:
    who holds the case now and whom it could be granted to. A function, so
    pages that never include the panel never query."""
    def grants_panel(case: Case, membership: Membership) -> dict[str, list[Membership]]:
        db = get_session()
        holders = service.holders(db, membership, case)
        holding = {holder.id for holder in holders}
        others = [member for member in service.grantees(db, membership)
                  if member.id not in holding and member.current_key is not None]
        return {"holders": holders, "others": others}
    return {"grants_panel": grants_panel}


def _member_choices(members: list[Membership]) -> list[tuple[int, str]]:
    return [(member.id, f"{member.user.email} ({member.role.value})") for member in members]


def _page(form: GrantForm, chosen: Membership | None, status: int = 200) -> ResponseReturnValue:
    db = get_session()
    admin = signed_in_membership()
    members = service.grantees(db, admin)
    chooser = ChooseMemberForm(formdata=None, data={"member": chosen.id if chosen else None})
    chooser.member.choices = _member_choices(members)
    form.member.choices = chooser.member.choices
    if chosen is not None and not form.is_submitted():
        form.member.data = chosen.id
    return render_template(
        "grants/index.html", form=form, chooser=chooser, chosen=chosen, members=members,
        held=service.held_count(db, chosen) if chosen else 0,
        former=len(service.former_cases(db, admin, chosen.id)) if chosen else 0,
        action_form=ActionForm(),
        unlocked=unlocked_identity(db, admin) is not None), status


@bp.get("/grants")
@membership_required(Role.ADMIN)
def index() -> ResponseReturnValue:
    member_id = request.args.get("member", type=int)
    chosen = (service.get_grantee(get_session(), signed_in_membership(), member_id)
              if member_id else None)
    return _page(GrantForm(), chosen)


def _unlock_first(back: str) -> Response:
    flash(_("Unlock your key first: granting re-wraps each case's key with yours."), "error")
    return redirect(url_for("keys.status", next=back))


def _report(outcome: service.Outcome, granting: bool) -> None:
    if granting:
        # English keeps "case(s)"; Korean and Russian get their own plural forms.
        message = ngettext("Access granted to %(num)d case(s); %(held)d already held.",
                           "Access granted to %(num)d case(s); %(held)d already held.",
                           len(outcome.changed), held=outcome.unchanged)
        if outcome.skipped:
            message += " " + ngettext(
                "%(num)d case(s) skipped: your own key cannot open them, "
                "so you cannot give them to anyone.",
                "%(num)d case(s) skipped: your own key cannot open them, "
                "so you cannot give them to anyone.", outcome.skipped)
        flash(message, "error" if outcome.skipped else "info")
    else:
        flash(ngettext("Access revoked from %(num)d case(s); %(held)d were not held.",
                       "Access revoked from %(num)d case(s); %(held)d were not held.",
                       len(outcome.changed), held=outcome.unchanged), "info")


@bp.post("/grants")
@membership_required(Role.ADMIN)
def change() -> ResponseReturnValue:
    db = get_session()
    admin = signed_in_membership()
    form = GrantForm()
    if not form.validate_on_submit() or not (form.grant.data or form.revoke.data):
        return _page(form, None, 400)
    grantee = service.get_grantee(db, admin, form.member.data or 0)
    back = (safe_redirect_target(form.next.data) if form.next.data
            else url_for("grants.index", member=grantee.id))
    selection = service.Selection(
        service.Scope(form.scope.data), case_public_id=form.case_public_id.data or "",
        sector=form.sector.data or "", status=form.status.data or "",
        indicator=form.indicator.data or "",
        cluster_public_id=form.cluster_public_id.data or "")
    try:
        cases = service.select_cases(db, admin, selection)
        if form.revoke.data:
            outcome = service.revoke(db, admin, grantee.id, cases, scope=selection.scope.value)
        else:
            identity = unlocked_identity(db, admin)
            if identity is None:
                return _unlock_first(back)
            outcome = service.grant(db, admin, identity, grantee.id, cases,
                                    scope=selection.scope.value)
    except service.Refused as exc:
        flash(translated(str(exc)), "error")
        return _page(form, grantee, 400)
    _report(outcome, granting=not form.revoke.data)
    return redirect(back)


@bp.post("/grants/members/<int:membership_id>/regrant")
@membership_required(Role.ADMIN)
def regrant(membership_id: int) -> ResponseReturnValue:
    db = get_session()
    admin = signed_in_membership()
    grantee = service.get_grantee(db, admin, membership_id)
    back = url_for("grants.index", member=grantee.id)
    if not ActionForm().validate_on_submit():
        return redirect(back)
    identity = unlocked_identity(db, admin)
    if identity is None:
        return _unlock_first(back)
    try:
        outcome = service.regrant_former(db, admin, identity, grantee.id)
    except service.Refused as exc:
        flash(translated(str(exc)), "error")
    else:
        _report(outcome, granting=True)
    return redirect(back)
