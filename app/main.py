"""The landing page: what the signed-in member can do."""

from __future__ import annotations

from flask import Blueprint, render_template
from werkzeug.wrappers import Response

from app.auth.forms import LogoutForm
from app.web.access import current_membership, membership_required

bp = Blueprint("main", __name__)


@bp.get("/")
@membership_required()
def index() -> str | Response:
    return render_template("index.html", membership=current_membership(),
                           logout_form=LogoutForm())
