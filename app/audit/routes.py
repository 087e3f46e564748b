"""Admins browse and filter their organisation's audit log."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from app.audit import service
from app.db import get_session
from app.models import Role
from app.web.access import current_membership, membership_required
from app.web.urls import query_id

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.get("/")
@membership_required(Role.ADMIN)
def index() -> str:
    membership = current_membership()
    assert membership is not None  # guaranteed by membership_required
    action = request.args.get("action") or None
    if action not in {a.value for a in service.Action}:
        action = None
    actor = request.args.get("actor", "")
    actor_user_id = query_id("actor")  # 400 for anything but a member number
    db = get_session()
    events = service.events_for(db, membership, action=action, actor_user_id=actor_user_id)
    return render_template("audit/index.html", events=events, actions=list(service.Action),
                           selected_action=action or "", actor=actor,
                           details_text=service.details_text)
