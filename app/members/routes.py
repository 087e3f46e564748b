"""Admin pages for members, invitations and organisation settings, and the
public invitation-accept page (the only way into Witnessbox: no self-registration)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from app.auth.service import is_locked
from app.db import get_session
from app.errors import NotFound, PermissionDenied
from app.members import common as members_common
from app.members import invitations, members
from app.members import settings as org_settings
from app.members.forms import ActionForm, InviteForm, SettingsForm, accept_form
from app.models import NewCasesTo, Role
from app.security.limits import sensitive_limit
from app.web.access import membership_required, signed_in_membership
from app.web.language import translated
from app.web.urls import absolute_url

bp = Blueprint("members", __name__)


@bp.errorhandler(PermissionDenied)
def _denied(_exc: PermissionDenied) -> ResponseReturnValue:
    return render_template("error.html", status=403, title="Forbidden",
                           message="You do not have permission to do this."), 403


@bp.errorhandler(NotFound)
def _not_found(_exc: NotFound) -> ResponseReturnValue:
    # The same answer for "another organisation's member" and "no such member".
    return render_template("error.html", status=404, title="Not found",
                           message="No such member or invitation in your organisation."), 404



@bp.get("/members")
@membership_required(Role.ADMIN)
def index() -> ResponseReturnValue:
    db = get_session()
    admin = signed_in_membership()
    return render_template(
        "members/index.html", members=members.list_members(db, admin),
        invitations=invitations.pending_invitations(db, admin), me=admin,
        state=members.member_state, key_status=members.key_status, is_locked=is_locked,
        action_form=ActionForm())


@bp.route("/members/invite", methods=["GET", "POST"])
@membership_required(Role.ADMIN)
def invite() -> ResponseReturnValue:
    form = InviteForm()
    if form.validate_on_submit():
        hours = current_app.config["WITNESSBOX"].invitation_hours
        try:
            issued = invitations.invite(get_session(), signed_in_membership(),
                                        form.email.data or "", Role(form.role.data),
                                        lifetime=timedelta(hours=hours))
        except members_common.Refused as exc:
            flash(translated(str(exc)), "error")
            return render_template("members/invite.html", form=form), 400
        # Rendered, not redirected: the link must not travel through the
        # session cookie or a flash message, and is never shown again.
        return render_template(
            "members/invited.html", invitation=issued.invitation,
            link=absolute_url("members.accept", token=issued.token), hours=hours)
    return render_template("members/invite.html", form=form)


@bp.post("/members/invitations/<int:invitation_id>/revoke")
@membership_required(Role.ADMIN)
def revoke_invitation(invitation_id: int) -> ResponseReturnValue:
    if ActionForm().validate_on_submit():
        invitations.revoke_invitation(get_session(), signed_in_membership(), invitation_id)
        flash(_("Invitation revoked: its link no longer works."), "info")
    return redirect(url_for("members.index"))


def _member_action(membership_id: int, action: str) -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        return redirect(url_for("members.index"))
    db = get_session()
    try:
        if action == "suspend":
            members.suspend(db, signed_in_membership(), membership_id)
            flash(_("Member suspended. Their unlocked key was locked."), "info")
        elif action == "reinstate":
            members.reinstate(db, signed_in_membership(), membership_id)
            flash(_("Member reinstated."), "info")
        elif action == "reset_two_factor":
            members.reset_two_factor(db, signed_in_membership(), membership_id)
            flash(_("Two-factor sign-in reset: the member was signed out everywhere and "
                  "sets it up again at their next sign-in."), "info")
        elif action == "unlock":
            members.unlock(db, signed_in_membership(), membership_id)
            flash(_("Account unlocked: the member can sign in again."), "info")
        else:
            removal = members.remove(db, signed_in_membership(), membership_id)
            flash(_("Member removed: %(keys)s and %(wraps)s.",
                    keys=ngettext("%(num)d key retired", "%(num)d keys retired",
                                  removal.keys_retired),
                    wraps=ngettext("%(num)d case key wrap destroyed",
                                   "%(num)d case key wraps destroyed",
                                   removal.wraps_deleted)), "info")
    except members_common.Refused as exc:
        flash(translated(str(exc)), "error")
    return redirect(url_for("members.index"))


@bp.post("/members/<int:membership_id>/suspend")
@membership_required(Role.ADMIN)
def suspend(membership_id: int) -> ResponseReturnValue:
    return _member_action(membership_id, "suspend")


@bp.post("/members/<int:membership_id>/reinstate")
@membership_required(Role.ADMIN)
def reinstate(membership_id: int) -> ResponseReturnValue:
    return _member_action(membership_id, "reinstate")


@bp.post("/members/<int:membership_id>/reset-two-factor")
@membership_required(Role.ADMIN)
def reset_two_factor(membership_id: int) -> ResponseReturnValue:
    return _member_action(membership_id, "reset_two_factor")


@bp.post("/members/<int:membership_id>/unlock")
@membership_required(Role.ADMIN)
def unlock(membership_id: int) -> ResponseReturnValue:
    return _member_action(membership_id, "unlock")


@bp.route("/members/<int:membership_id>/remove", methods=["GET", "POST"])
@membership_required(Role.ADMIN)
def remove(membership_id: int) -> ResponseReturnValue:
    """GET asks for confirmation (removal cannot be undone); POST removes."""
    form = ActionForm()
    if form.is_submitted():
        return _member_action(membership_id, "remove")
    member = members.get_member(get_session(), signed_in_membership(), membership_id)
    return render_template("members/remove.html", member=member, form=form,
                           key_status=members.key_status(member))


@bp.route("/members/settings", methods=["GET", "POST"])
@membership_required(Role.ADMIN)
def settings() -> ResponseReturnValue:
    db = get_session()
    admin = signed_in_membership()
    organisation = org_settings.organisation_of(db, admin)
    reviewers = org_settings.triage_candidates(db, admin)
    form = SettingsForm(data={
        "interviewer_totp_required": organisation.interviewer_totp_required,
        "new_cases_to": organisation.new_cases_to.value,
        "triage_group": [member.id for member in reviewers if member.in_triage_group]})
    form.triage_group.choices = [(member.id, member.user.email) for member in reviewers]
    if form.validate_on_submit():
        changed = org_settings.set_interviewer_totp_required(
            db, admin, bool(form.interviewer_totp_required.data))
        changed |= org_settings.set_new_cases_to(db, admin, NewCasesTo(form.new_cases_to.data))
        changed |= org_settings.set_triage_group(db, admin, form.triage_group.data or []) > 0
        if changed:
            flash(_("Settings saved."), "info")
        return redirect(url_for("members.settings"))
    return render_template("members/settings.html", form=form, organisation=organisation)


@bp.route("/invite/<token>", methods=["GET", "POST"])
@sensitive_limit
def accept(token: str) -> ResponseReturnValue:
    """Open to anyone holding the link; the token is the only credential."""
    db = get_session()
    try:
        invitation = invitations.find_invitation(db, token)
    except invitations.InvitationInvalid:
        return _invalid_invitation()
    form = accept_form(invitation.role.holds_key)
    status = 200
    if form.validate_on_submit():
        passphrase = form.data.get("passphrase")
        try:
            settings = current_app.config["WITNESSBOX"]
            invitations.accept_invitation(db, token, password=form.data["password"] or "",
                                      passphrase=passphrase,
                                      threshold=settings.lockout_threshold,
                                      lock_minutes=settings.lockout_minutes)
        except invitations.InvitationInvalid:
            return _invalid_invitation()
        except invitations.WrongPassword:
            flash(_("That is not the password of the existing account with this e-mail "
                  "address, or the account is locked after repeated failures."), "error")
            status = 400
        except members_common.Refused as exc:
            flash(translated(str(exc)), "error")
            status = 400
        else:
            flash(_("You have joined. Sign in with your e-mail address and password."), "info")
            return redirect(url_for("auth.login"))
    elif form.is_submitted():
        status = 400
    return render_template("members/accept.html", form=form, invitation=invitation), status


def _invalid_invitation() -> ResponseReturnValue:
    # One page for unknown, used, revoked and expired: a guesser learns nothing.
    return render_template(
        "error.html", status=410, title="Invitation invalid or expired",
        message="This invitation link is invalid or has expired. "
                "Ask your organisation's admin for a new one."), 410
