"""Granting and revoking access to cases.

Access is a wrap of the case key to the member's current key (crypto/
case_keys.py): granting unwraps the case key with the admin's identity and
wraps only that key to the grantee; no sealed material is touched.
Revoking deletes the grantee's wraps, so the next opening of the case (which
re-checks the wrap) is refused. A copy the grantee already decrypted, or a
backup holding the old wrap, is beyond recall: see docs/security.md.

The history lives in CaseGrant (app.models.grant). "Held before", for
re-granting a member who comes back with a new key, is every open grant
row of theirs (one made by an admin or recorded at intake, not closed by a
revoke) whose case their current key has no wrap of. Removal retires keys
and destroys wraps but leaves the grant rows open on purpose, and so does a
member's new key made without the old one (app.keys.rekey.replace_lost_key):
both are re-granted by :func:`regrant_former`.

Every case whose access changes gets its own GRANT or REVOKE event (target:
the case's public id, ``grantee_user_id`` in the details); one more event
per request, targeted at the membership, carries the counts including the
cases skipped because the admin cannot open them. Unwrapping the case key to
re-wrap it is audited by the GRANT event, not as a DECRYPT: no content is
opened.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import Session, selectinload

import crypto
from app.audit import service as audit
from app.clusters.service import cluster_cases
from app.errors import NotFound, PermissionDenied
from app.i18n import N_
from app.models import (
    Case,
    CaseGrant,
    CaseIndicator,
    CaseKeyWrap,
    CaseStatus,
    MemberKey,
    Membership,
    Role,
    WrapPurpose,
)


class Refused(ValueError):
    """A permitted kind of action that cannot be done to this member; the message says why."""


class Scope(enum.StrEnum):
    CASE = "case"
    FILTER = "filter"
    CLUSTER = "cluster"


@dataclass(frozen=True)
class Selection:
    """Which cases: one by its number, a filter on coded columns, or a cluster.

    A filter needs at least one criterion (an empty one would be every case).
    There is no year filter: no year is stored in the clear (interview and
    dispatch dates are sealed quasi-identifiers).
    """

    scope: Scope
    case_public_id: str = ""
    sector: str = ""
    status: str = ""
    indicator: str = ""
    cluster_public_id: str = ""


@dataclass(frozen=True)
class Outcome:
    # Public ids of the cases whose access changed.
    changed: tuple[str, ...]
    # Already held (grant) or not held (revoke): nothing to do.
    unchanged: int
    # The admin's own key cannot open these: not granted (grants only).
    skipped: int

    @property
    def selected(self) -> int:
        return len(self.changed) + self.unchanged + self.skipped


def require_admin(membership: Membership) -> None:
    if not membership.active or membership.role is not Role.ADMIN:
        raise PermissionDenied("only admins grant and revoke access")


def grantees(session: Session, admin: Membership) -> list[Membership]:
    """Members an admin may grant cases to: the organisation's other active
    reviewers and admins (with or without a key; the page says which)."""
    require_admin(admin)
    return list(session.scalars(
        select(Membership).options(selectinload(Membership.user), selectinload(Membership.keys))
        .where(Membership.organisation_id == admin.organisation_id, Membership.id != admin.id,
               Membership.active.is_(True), Membership.role.in_([Role.REVIEWER, Role.ADMIN]))
        .order_by(Membership.id)))


def get_grantee(session: Session, admin: Membership, membership_id: int) -> Membership:
    """A member of the admin's organisation; another organisation's id is not found."""
    require_admin(admin)
    member = session.scalar(select(Membership).where(
        Membership.id == membership_id, Membership.organisation_id == admin.organisation_id))
    if member is None:
        raise NotFound("member")
    return member


def _key_for_grant(admin: Membership, grantee: Membership) -> MemberKey:
    if grantee.id == admin.id:
        raise Refused(N_("You cannot change your own access; ask another admin."))
    if not grantee.active or not grantee.role.holds_key:
        raise Refused(N_("Only active reviewers and admins can be given access to cases."))
    key = grantee.current_key
    if key is None:
        raise Refused(N_("This member holds no key yet, so nothing can be wrapped to them."))
    return key


def _admin_key(admin: Membership, identity: crypto.Identity) -> MemberKey:
    key = admin.current_key
    if key is None or str(identity.recipient) != key.recipient:
        raise PermissionDenied("the unlocked identity is not the admin's current key")
    return key


def select_cases(session: Session, admin: Membership, selection: Selection) -> list[Case]:
    """The admin's organisation's cases that ``selection`` names.

    A case number or cluster not found in the organisation is Refused, never
    looked for elsewhere.
    """
    require_admin(admin)
    query = select(Case).where(Case.organisation_id == admin.organisation_id)
    if selection.scope is Scope.CASE:
        case = session.scalar(query.where(Case.public_id == selection.case_public_id.strip()))
        if case is None:
            raise Refused(N_("There is no case with that number in your organisation."))
        return [case]
    if selection.scope is Scope.CLUSTER:
        try:
            return cluster_cases(session, admin, selection.cluster_public_id.strip())
        except NotFound:
            raise Refused(N_("There is no such cluster in your organisation.")) from None
    if not (selection.sector or selection.status or selection.indicator):
        raise Refused(N_("Choose at least one of sector, status or indicator."))
    if selection.sector:
        query = query.where(Case.sector == selection.sector)
    if selection.status:
        query = query.where(Case.status == CaseStatus(selection.status))
    if selection.indicator:
        query = query.where(exists().where(
            CaseIndicator.case_id == Case.id, CaseIndicator.indicator == selection.indicator,
            CaseIndicator.present == "yes"))
    return list(session.scalars(query.order_by(Case.id)))


def _open_grant(session: Session, case_id: int, user_id: int) -> CaseGrant | None:
    return session.scalar(select(CaseGrant).where(
        CaseGrant.case_id == case_id, CaseGrant.user_id == user_id,
        CaseGrant.revoked_at.is_(None)).order_by(CaseGrant.id.desc()).limit(1))


def _summary(session: Session, action: audit.Action, admin: Membership, grantee: Membership,
             scope: str, outcome: Outcome) -> None:
    audit.record(session, action, organisation_id=admin.organisation_id,
                 actor_user_id=admin.user_id, target=f"membership:{grantee.id}",
                 grantee_user_id=grantee.user_id, scope=scope, changed=len(outcome.changed),
                 unchanged=outcome.unchanged, skipped=outcome.skipped)


def grant(session: Session, admin: Membership, identity: crypto.Identity,
          grantee_membership_id: int, cases: Sequence[Case], *, scope: str,
          now: datetime | None = None) -> Outcome:
    """Wrap each case's key to the grantee's current key.

    ``identity`` is the admin's unlocked identity. A case whose key the
    admin's current key has no wrap of (or whose wrap does not open to the
    case's recipient) is skipped and counted.
    """
    require_admin(admin)
    now = now or datetime.now(UTC)
    grantee = get_grantee(session, admin, grantee_membership_id)
    grantee_key = _key_for_grant(admin, grantee)
    # Waits (PostgreSQL) for a re-key of this member's key in progress, which
    # holds this row locked (app.keys.rekey); a key retired by it meanwhile
    # must not be given a wrap.
    if session.scalar(select(MemberKey.id).where(
            MemberKey.id == grantee_key.id, MemberKey.retired_at.is_(None))
            .with_for_update()) is None:
        session.expire(grantee, ["keys"])
        raise Refused("This member's key was replaced a moment ago; try again.")
    admin_key = _admin_key(admin, identity)
    recipient = crypto.parse_recipient(grantee_key.recipient)
    changed: list[str] = []
    unchanged = skipped = 0
    for case in cases:
        if case.organisation_id != admin.organisation_id:
            raise PermissionDenied("case belongs to another organisation")
        held = session.scalar(select(CaseKeyWrap.id).where(
            CaseKeyWrap.case_id == case.id, CaseKeyWrap.member_key_id == grantee_key.id))
        if held is not None:
            unchanged += 1
            if _open_grant(session, case.id, grantee.user_id) is None:
                session.add(CaseGrant(case_id=case.id, user_id=grantee.user_id,
                                      granted_by_user_id=admin.user_id, granted_at=now))
            continue
        own = session.scalar(select(CaseKeyWrap).where(
            CaseKeyWrap.case_id == case.id, CaseKeyWrap.member_key_id == admin_key.id))
        case_key = _unwrap(own, identity, case)
        if case_key is None:
            skipped += 1
            continue
        session.add(CaseKeyWrap(case_id=case.id, member_key_id=grantee_key.id,
                                purpose=WrapPurpose.MEMBER, recipient=grantee_key.recipient,
                                wrapped_key=case_key.wrap([recipient])))
        if _open_grant(session, case.id, grantee.user_id) is None:
            session.add(CaseGrant(case_id=case.id, user_id=grantee.user_id,
                                  granted_by_user_id=admin.user_id, granted_at=now))
        session.flush()
        audit.record(session, audit.Action.GRANT, organisation_id=admin.organisation_id,
                     actor_user_id=admin.user_id, target=case.public_id,
                     grantee_user_id=grantee.user_id, scope=scope)
        changed.append(case.public_id)
    session.flush()
    outcome = Outcome(tuple(changed), unchanged, skipped)
    _summary(session, audit.Action.GRANT, admin, grantee, scope, outcome)
    return outcome


def _unwrap(wrap: CaseKeyWrap | None, identity: crypto.Identity,
            case: Case) -> crypto.CaseKey | None:
    if wrap is None:
        return None
    try:
        case_key = crypto.CaseKey.unwrap(wrap.wrapped_key, [identity])
    except crypto.CryptoError:
        return None
    # A wrap swapped in by someone who can write the database would hand the
    # grantee a key that opens nothing of this case (or something else).
    return case_key if str(case_key.recipient) == case.case_recipient else None


def revoke(session: Session, admin: Membership, grantee_membership_id: int,
           cases: Sequence[Case], *, scope: str, now: datetime | None = None) -> Outcome:
    """Delete the grantee's wraps of each case (any of their keys) and close
    their open grants. Needs no key: taking access away opens nothing."""
    require_admin(admin)
    now = now or datetime.now(UTC)
    grantee = get_grantee(session, admin, grantee_membership_id)
    if grantee.id == admin.id:
        raise Refused(N_("You cannot change your own access; ask another admin."))
    key_ids = select(MemberKey.id).where(MemberKey.membership_id == grantee.id)
    changed: list[str] = []
    unchanged = 0
    for case in cases:
        if case.organisation_id != admin.organisation_id:
            raise PermissionDenied("case belongs to another organisation")
        deleted = session.execute(delete(CaseKeyWrap).where(
            CaseKeyWrap.case_id == case.id, CaseKeyWrap.member_key_id.in_(key_ids))
            .execution_options(synchronize_session=False))
        closed = session.execute(update(CaseGrant).where(
            CaseGrant.case_id == case.id, CaseGrant.user_id == grantee.user_id,
            CaseGrant.revoked_at.is_(None))
            .values(revoked_at=now, revoked_by_user_id=admin.user_id)
            .execution_options(synchronize_session=False))
        if getattr(deleted, "rowcount", 0) or getattr(closed, "rowcount", 0):
            audit.record(session, audit.Action.REVOKE, organisation_id=admin.organisation_id,
                         actor_user_id=admin.user_id, target=case.public_id,
                         grantee_user_id=grantee.user_id, scope=scope,
                         wraps_deleted=int(getattr(deleted, "rowcount", 0)))
            changed.append(case.public_id)
        else:
            unchanged += 1
        # Loaded cases must not keep deleted wraps in their collection.
        session.expire(case, ["key_wraps"])
    session.flush()
    outcome = Outcome(tuple(changed), unchanged, 0)
    _summary(session, audit.Action.REVOKE, admin, grantee, scope, outcome)
    return outcome


def former_cases(session: Session, admin: Membership, grantee_membership_id: int) -> list[Case]:
    """Cases the member held (an open grant) that their current key cannot open."""
    grantee = get_grantee(session, admin, grantee_membership_id)
    key = grantee.current_key
    held_now = (select(CaseKeyWrap.case_id).where(CaseKeyWrap.member_key_id == key.id)
                if key is not None else None)
    query = (select(Case).where(
        Case.organisation_id == admin.organisation_id,
        exists().where(CaseGrant.case_id == Case.id, CaseGrant.user_id == grantee.user_id,
                       CaseGrant.revoked_at.is_(None))))
    if held_now is not None:
        query = query.where(Case.id.not_in(held_now))
    return list(session.scalars(query.order_by(Case.id)))


def regrant_former(session: Session, admin: Membership, identity: crypto.Identity,
                   grantee_membership_id: int) -> Outcome:
    """Re-grant a member who came back with a new key the cases they held."""
    return grant(session, admin, identity, grantee_membership_id,
                 former_cases(session, admin, grantee_membership_id), scope="regrant")


def holders(session: Session, admin: Membership, case: Case) -> list[Membership]:
    """The organisation's members whose current key holds a wrap of this case."""
    require_admin(admin)
    if case.organisation_id != admin.organisation_id:
        raise NotFound("case")
    return list(session.scalars(
        select(Membership).options(selectinload(Membership.user))
        .join(MemberKey, MemberKey.membership_id == Membership.id)
        .join(CaseKeyWrap, CaseKeyWrap.member_key_id == MemberKey.id)
        .where(CaseKeyWrap.case_id == case.id, MemberKey.retired_at.is_(None),
               Membership.organisation_id == admin.organisation_id)
        .order_by(Membership.id).distinct()))


def held_count(session: Session, grantee: Membership) -> int:
    """How many cases the member's current key can open."""
    key = grantee.current_key
    if key is None:
        return 0
    return int(session.scalar(select(func.count()).select_from(CaseKeyWrap).where(
        CaseKeyWrap.member_key_id == key.id)) or 0)
