"""Case clusters: list, create, show, add and remove cases."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.clusters import service
from app.clusters.forms import ActionForm, AddCaseForm, CreateClusterForm
from app.db import get_session
from app.errors import NotFound
from app.models import ClusterReason, Role
from app.web.access import membership_required, signed_in_membership
from app.web.language import translated
from app.web.pages import error_page

bp = Blueprint("clusters", __name__)


@bp.errorhandler(NotFound)
def _not_found(_exc: NotFound) -> ResponseReturnValue:
    # The same answer for another organisation's cluster and no cluster at all.
    return error_page(404, _("Not found"), _("No such cluster in your organisation."))



@bp.route("/clusters", methods=["GET", "POST"])
@membership_required(Role.REVIEWER, Role.ADMIN)
def index() -> ResponseReturnValue:
    db = get_session()
    member = signed_in_membership()
    form = CreateClusterForm()
    status = 200
    if form.validate_on_submit():
        try:
            cluster = service.create_cluster(db, member, ClusterReason(form.reason.data),
                                             form.case_public_id.data or "")
        except service.Refused as exc:
            flash(translated(str(exc)), "error")
            status = 400
        else:
            flash(_("Cluster created."), "info")
            return redirect(url_for("clusters.show", public_id=cluster.public_id))
    elif form.is_submitted():
        status = 400
    return render_template("clusters/index.html", clusters=service.list_clusters(db, member),
                           form=form), status


@bp.get("/clusters/<public_id>")
@membership_required(Role.REVIEWER, Role.ADMIN)
def show(public_id: str) -> ResponseReturnValue:
    db = get_session()
    member = signed_in_membership()
    cluster = service.get_cluster(db, member, public_id)
    return render_template("clusters/show.html", cluster=cluster,
                           cases=service.cases_in(db, member, cluster),
                           form=AddCaseForm(), action_form=ActionForm())


@bp.post("/clusters/<public_id>/cases")
@membership_required(Role.REVIEWER, Role.ADMIN)
def add_case(public_id: str) -> ResponseReturnValue:
    db = get_session()
    member = signed_in_membership()
    cluster = service.get_cluster(db, member, public_id)
    form = AddCaseForm()
    if not form.validate_on_submit():
        return render_template("clusters/show.html", cluster=cluster,
                               cases=service.cases_in(db, member, cluster),
                               form=form, action_form=ActionForm()), 400
    try:
        service.add_case(db, member, public_id, form.case_public_id.data or "")
    except service.Refused as exc:
        flash(translated(str(exc)), "error")
    else:
        flash(_("Case added to the cluster."), "info")
    return redirect(url_for("clusters.show", public_id=public_id))


@bp.post("/clusters/<public_id>/cases/<case_public_id>/remove")
@membership_required(Role.REVIEWER, Role.ADMIN)
def remove_case(public_id: str, case_public_id: str) -> ResponseReturnValue:
    db = get_session()
    member = signed_in_membership()
    service.get_cluster(db, member, public_id)
    if ActionForm().validate_on_submit():
        try:
            service.remove_case(db, member, public_id, case_public_id)
        except service.Refused as exc:
            flash(translated(str(exc)), "error")
        else:
            flash(_("Case removed from the cluster."), "info")
    return redirect(url_for("clusters.show", public_id=public_id))
