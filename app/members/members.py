"""Member administration: list, suspend, reinstate, remove, and account
recovery (reset two-factor sign-in, unlock a locked account).

Suspension, removal and a two-factor reset end the member's sessions and
unlocked keys at once; removal also destroys every case key wrap to their keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, selectinload

from app.audit import service as audit
from app.auth import totp
from app.auth.service import end_sessions, is_locked, normalise_email
from app.errors import NotFound
from app.i18n import N_
from app.keys import service as keys
from app.members.common import Refused, require_admin, rowcount
from app.models import CaseKeyWrap, Invitation, MemberKey, Membership, RecoveryCode, User


class MemberState:
    # Shown on the members page, translated there (app.i18n.N_).
    ACTIVE = N_("active")
    SUSPENDED = N_("suspended")
    REMOVED = N_("removed")


def member_state(membership: Membership) -> str:
    if membership.removed_at is not None:
        return MemberState.REMOVED
    return MemberState.ACTIVE if membership.active else MemberState.SUSPENDED


def key_status(membership: Membership) -> str:
    if not membership.role.holds_key:
        return N_("not needed")
    if membership.current_key is not None:
        return N_("active")
    return N_("retired") if membership.keys else N_("missing")


def list_members(session: Session, admin: Membership) -> list[Membership]:
    require_admin(admin)
    return list(session.scalars(
        select(Membership)
        .options(selectinload(Membership.user), selectinload(Membership.keys))
        .where(Membership.organisation_id == admin.organisation_id)
        .order_by(Membership.removed_at.is_not(None), Membership.id)))


def get_member(session: Session, admin: Membership, membership_id: int) -> Membership:
    """A member of the admin's organisation; another organisation's id is simply not found."""
    require_admin(admin)
    member = session.scalar(select(Membership).where(
        Membership.id == membership_id, Membership.organisation_id == admin.organisation_id))
    if member is None:
        raise NotFound("member")
    return member


def _target(session: Session, admin: Membership, membership_id: int) -> Membership:
    member = get_member(session, admin, membership_id)
    if member.id == admin.id:
        # Without this an organisation's only admin could lock everyone out.
        raise Refused(N_("You cannot suspend or remove yourself; ask another admin."))
    return member


def _revoke_their_invitations(session: Session, member: Membership, now: datetime) -> None:
    # Links an admin handed out before being suspended or removed might have
    # gone to the wrong person; nobody vouches for them any more.
    session.execute(
        update(Invitation)
        .where(Invitation.created_by_membership_id == member.id,
               Invitation.used_at.is_(None), Invitation.revoked_at.is_(None))
        .values(revoked_at=now))


def suspend(session: Session, admin: Membership, membership_id: int) -> None:
    """Block sign-in to the organisation; keys and case access stay for a reinstatement."""
    member = _target(session, admin, membership_id)
    if member_state(member) != MemberState.ACTIVE:
        raise Refused(N_("Only an active member can be suspended."))
    member.active = False
    # A key unlocked or a session opened before the suspension must not outlive it.
    keys.forget(session, membership_id=member.id)
    end_sessions(session, member.user_id)
    _revoke_their_invitations(session, member, datetime.now(UTC))
    audit.record(session, audit.Action.MEMBER_SUSPENDED, organisation_id=admin.organisation_id,
                 actor_user_id=admin.user_id, target=f"membership:{member.id}")


def reinstate(session: Session, admin: Membership, membership_id: int) -> None:
    member = _target(session, admin, membership_id)
    if member_state(member) != MemberState.SUSPENDED:
        raise Refused(N_("Only a suspended member can be reinstated; "
                         "a removed member needs a new invitation."))
    member.active = True
    audit.record(session, audit.Action.MEMBER_REINSTATED, organisation_id=admin.organisation_id,
                 actor_user_id=admin.user_id, target=f"membership:{member.id}")


@dataclass(frozen=True)
class Removal:
    keys_retired: int
    wraps_deleted: int


def remove(session: Session, admin: Membership, membership_id: int,
           now: datetime | None = None) -> Removal:
    """End the membership and destroy every case key wrap to the member's keys.

    Deleting the wraps is what makes the revocation real: whatever the member
    kept (their passphrase, a copy of their protected key), no case key is
    encrypted to it any more. Backups taken before the removal still hold the
    old wraps — see docs on backup retention.
    """
    now = now or datetime.now(UTC)
    member = _target(session, admin, membership_id)
    if member.removed_at is not None:
        raise Refused(N_("This member was already removed."))
    key_ids = list(session.scalars(select(MemberKey.id).where(
        MemberKey.membership_id == member.id)))
    wraps_deleted = rowcount(session.execute(
        delete(CaseKeyWrap).where(CaseKeyWrap.member_key_id.in_(key_ids)))) if key_ids else 0
    keys_retired = rowcount(session.execute(
        update(MemberKey).where(MemberKey.membership_id == member.id,
                                MemberKey.retired_at.is_(None)).values(retired_at=now)))
    keys.forget(session, membership_id=member.id)
    end_sessions(session, member.user_id)
    _revoke_their_invitations(session, member, now)
    member.active, member.removed_at = False, now
    # Invited back, they start outside the triage group like any newcomer.
    member.in_triage_group = False
    audit.record(session, audit.Action.MEMBER_REMOVED, organisation_id=admin.organisation_id,
                 actor_user_id=admin.user_id, target=f"membership:{member.id}",
                 keys_retired=keys_retired, wraps_deleted=wraps_deleted)
    # The bulk statements bypassed the identity map: reload what callers may read.
    session.expire(member)
    return Removal(keys_retired, wraps_deleted)


# --- account recovery ----------------------------------------------------------

def _account_target(session: Session, admin: Membership, membership_id: int,
                    what: str) -> Membership:
    member = get_member(session, admin, membership_id)
    # The account, not the membership: the same person's membership in another
    # organisation is still themselves. An admin who could reset their own
    # second factor would make a stolen admin password enough to drop it.
    if member.user_id == admin.user_id:
        raise Refused(f"You cannot {what} your own account; ask another admin.")
    if member.removed_at is not None:
        raise Refused(N_("This member was removed; a new invitation starts a new account setup."))
    return member


def _record_account_event(session: Session, action: audit.Action, admin: Membership,
                          member: Membership) -> None:
    audit.record(session, action, organisation_id=admin.organisation_id,
                 actor_user_id=admin.user_id, target=f"membership:{member.id}")
    # The account is shared by all of the person's organisations: their admins
    # see what was done to it too (ids only: the acting admin's user id).
    others = session.scalars(select(Membership.organisation_id).where(
        Membership.user_id == member.user_id, Membership.active.is_(True),
        Membership.organisation_id != admin.organisation_id).order_by(Membership.organisation_id))
    for organisation_id in others:
        audit.record(session, action, organisation_id=organisation_id,
                     actor_user_id=admin.user_id, target=f"user:{member.user_id}")


def reset_two_factor(session: Session, admin: Membership, membership_id: int) -> None:
    """Forget the member's TOTP secret and recovery codes and end their sessions.

    For a member who lost their phone and their codes. A reviewer or admin
    (or an interviewer whose organisation requires it) must then enrol again
    at their next sign-in before reaching anything else (app.web.sign_in).
    Refused when the person also belongs to another organisation (suspended
    there included, removed not).
    """
    member = _account_target(session, admin, membership_id, "reset two-factor sign-in of")
    elsewhere = session.scalar(select(Membership.id).where(
        Membership.user_id == member.user_id, Membership.removed_at.is_(None),
        Membership.organisation_id != admin.organisation_id).limit(1))
    if elsewhere is not None:
        # The second factor guards the account, so every organisation's access
        # at once: one organisation's admin must not strip what another's key
        # holders rely on (whoever knows the password would enrol a new phone).
        raise Refused(N_("This person also belongs to another organisation, so their "
                         "two-factor sign-in cannot be reset from here: the server's "
                         "operator can (witnessbox account reset-2fa)."))
    _clear_second_factor(session, member.user)
    _record_account_event(session, audit.Action.TOTP_RESET, admin, member)
    session.flush()


def _clear_second_factor(session: Session, user: User) -> None:
    user.totp_secret_sealed = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    # Whoever holds the lost phone may also hold a session: every one ends,
    # and the keys unlocked in them are locked.
    user.session_generation += 1
    keys.forget(session, user_id=user.id)
    end_sessions(session, user.id)


# Why the server's operator reset someone's second factor: a code, never free
# text (the audit log carries no names or stories).
OPERATOR_RESET_REASONS = ("lost_device", "stolen_device", "replaced_device",
                          "identity_verified_in_person")


def operator_reset_two_factor(session: Session, email: str, reason: str) -> list[int]:
    """The server operator resets the two-factor sign-in of a whole account.

    For a person in several organisations, whose second factor no single
    organisation's admin may reset (:func:`reset_two_factor`). The operator
    runs ``witnessbox account reset-2fa`` after checking who asks (the
    reason code says how). Every organisation the person belongs to
    (suspended included, removed not) gets a TOTP_RESET event; sessions end
    and unlocked keys are locked as in the admin's reset. Returns those
    organisations' ids.
    """
    if reason not in OPERATOR_RESET_REASONS:
        raise Refused(f"reason must be one of {', '.join(OPERATOR_RESET_REASONS)}")
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound("account")
    has_codes = session.scalar(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id).limit(1)) is not None
    if not totp.is_enrolled(user) and user.totp_secret_sealed is None and not has_codes:
        raise Refused("This account has no two-factor sign-in to reset.")
    organisation_ids = list(session.scalars(
        select(Membership.organisation_id).where(
            Membership.user_id == user.id, Membership.removed_at.is_(None))
        .order_by(Membership.organisation_id)))
    _clear_second_factor(session, user)
    targets: list[int | None] = [*organisation_ids] or [None]
    for organisation_id in targets:
        audit.record(session, audit.Action.TOTP_RESET, organisation_id=organisation_id,
                     target=f"user:{user.id}", issued_by="operator", reason=reason)
    session.flush()
    return organisation_ids


def unlock(session: Session, admin: Membership, membership_id: int) -> None:
    """Lift a lockout early: clear the failure counter and the lock."""
    member = _account_target(session, admin, membership_id, "unlock")
    user = member.user
    if not is_locked(user):
        raise Refused(N_("This account is not locked."))
    user.failed_logins = 0
    user.locked_until = None
    _record_account_event(session, audit.Action.ACCOUNT_UNLOCKED, admin, member)
    session.flush()
