"""Organisation settings an admin changes (each change audited)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.audit import service as audit
from app.errors import NotFound
from app.members.common import require_admin
from app.models import Membership, NewCasesTo, Organisation, Role


def organisation_of(session: Session, admin: Membership) -> Organisation:
    require_admin(admin)
    organisation = session.get(Organisation, admin.organisation_id)
    if organisation is None:  # pragma: no cover - the membership's foreign key holds it
        raise NotFound("organisation")
    return organisation


def set_interviewer_totp_required(session: Session, admin: Membership, required: bool) -> bool:
    """Change the setting; return whether anything changed (only changes are audited)."""
    organisation = organisation_of(session, admin)
    if organisation.interviewer_totp_required == required:
        return False
    organisation.interviewer_totp_required = required
    audit.record(session, audit.Action.SETTINGS_CHANGED, organisation_id=organisation.id,
                 actor_user_id=admin.user_id, target=f"organisation:{organisation.id}",
                 setting="interviewer_totp_required", value=required)
    return True


def set_new_cases_to(session: Session, admin: Membership, value: NewCasesTo) -> bool:
    """Whose keys new cases are wrapped to (app.intake.service.case_readers).

    Changes only cases filed from now on: existing wraps stay as they are.
    """
    organisation = organisation_of(session, admin)
    if organisation.new_cases_to is value:
        return False
    organisation.new_cases_to = value
    audit.record(session, audit.Action.SETTINGS_CHANGED, organisation_id=organisation.id,
                 actor_user_id=admin.user_id, target=f"organisation:{organisation.id}",
                 setting="new_cases_to", value=value.value)
    return True


def triage_candidates(session: Session, admin: Membership) -> list[Membership]:
    """The organisation's active reviewers, who may be put in the triage group
    (admins get every new case anyway)."""
    require_admin(admin)
    return list(session.scalars(
        select(Membership).options(selectinload(Membership.user))
        .where(Membership.organisation_id == admin.organisation_id,
               Membership.role == Role.REVIEWER, Membership.active.is_(True))
        .order_by(Membership.id)))


def set_triage_group(session: Session, admin: Membership, membership_ids: Iterable[int]) -> int:
    """Make exactly ``membership_ids`` (among the active reviewers) the triage
    group; return how many memberships changed (each change audited)."""
    chosen = set(membership_ids)
    changed = 0
    for member in triage_candidates(session, admin):
        wanted = member.id in chosen
        if member.in_triage_group != wanted:
            member.in_triage_group = wanted
            changed += 1
            audit.record(session, audit.Action.SETTINGS_CHANGED,
                         organisation_id=admin.organisation_id, actor_user_id=admin.user_id,
                         target=f"membership:{member.id}", setting="in_triage_group",
                         value=wanted)
    session.flush()
    return changed
