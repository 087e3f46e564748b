"""Organisation settings an admin changes (each change audited)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.errors import NotFound
from app.members.common import require_admin
from app.models import Membership, Organisation


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
