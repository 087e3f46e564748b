"""The navigation bar: one table of what each role can reach.

A link is shown only when its endpoint is installed (grants and exports come
from other packages), so nobody is offered a page that is not there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request, url_for

from app.i18n import N_
from app.models import Membership, Role
from app.web.access import current_membership

INTERVIEWER, REVIEWER, ADMIN = Role.INTERVIEWER, Role.REVIEWER, Role.ADMIN


@dataclass(frozen=True)
class NavItem:
    # Marked for the catalogs; templates/base.html translates it.
    label: str
    endpoint: str
    roles: frozenset[Role]


NAVIGATION: tuple[NavItem, ...] = (
    NavItem(N_("Record an interview"), "intake.new", frozenset({INTERVIEWER})),
    NavItem(N_("My submissions"), "queue.mine", frozenset({INTERVIEWER})),
    NavItem(N_("Queue"), "queue.index", frozenset({REVIEWER, ADMIN})),
    NavItem(N_("Members"), "members.index", frozenset({ADMIN})),
    NavItem(N_("Grants"), "grants.index", frozenset({ADMIN})),
    NavItem(N_("Audit"), "audit.index", frozenset({ADMIN})),
    NavItem(N_("Exports"), "exports.index", frozenset({ADMIN})),
    NavItem(N_("Retention"), "retention.index", frozenset({ADMIN})),
)


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


def links_for(membership: Membership | None) -> list[NavLink]:
    """The links this member's role may follow, among the installed endpoints."""
    if membership is None or not membership.active:
        return []
    return [NavLink(item.label, url_for(item.endpoint), request.endpoint == item.endpoint)
            for item in NAVIGATION
            if membership.role in item.roles and item.endpoint in current_app.view_functions]


def init_app(app: Flask) -> None:
    @app.context_processor
    def _navigation() -> dict[str, Any]:
        return {"navigation": lambda: links_for(current_membership())}
