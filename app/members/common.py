"""What the members package's services share: the admin check and its refusals.

Every function of the package takes the acting admin's membership, checks it
itself and scopes every query to that admin's organisation: a view that
forgets a check still cannot reach another organisation's members (the ids in
URLs are guessable). Audit events carry ids and roles, never e-mail addresses.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult

from app.errors import PermissionDenied
from app.models import Membership, Role


class Refused(ValueError):
    """A permitted kind of action that cannot be done to this member; the message says why."""


def aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def rowcount(result: Any) -> int:
    # UPDATE and DELETE return a CursorResult; Session.execute is typed more loosely.
    return int(cast(CursorResult[Any], result).rowcount)


def require_admin(membership: Membership) -> None:
    if not membership.active or membership.role is not Role.ADMIN:
        raise PermissionDenied("only admins manage members")
