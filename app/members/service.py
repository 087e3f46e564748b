"""Invitations, member administration and organisation settings.

Every function takes the acting admin's membership, checks it itself and
scopes every query to that admin's organisation: a view that forgets a check
still cannot reach another organisation's members (the ids in URLs are
guessable). Audit events carry ids and roles, never e-mail addresses.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session, selectinload

import crypto
from app.audit import service as audit
from app.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from app.auth.service import (
    DEFAULT_LOCKOUT_MINUTES,
    DEFAULT_LOCKOUT_THRESHOLD,
    audit_user_event,
    end_sessions,
    is_locked,
    normalise_email,
    register_failure,
)
from app.errors import NotFound, PermissionDenied
from app.models import (
    CaseKeyWrap,
    Invitation,
    MemberKey,
    Membership,
    Organisation,
    Role,
    UnlockedKey,
    User,
)
from app.orgs.service import add_member_key
from crypto.identities import MIN_PASSPHRASE_LENGTH


class Refused(ValueError):
    """A permitted kind of action that cannot be done to this member; the message says why."""


class InvitationInvalid(Exception):
    """Unknown, used, revoked or expired: deliberately one error, so the
    accept page never tells a token guesser which."""


class WrongPassword(Exception):
    """An existing user accepting an invitation gave the wrong password, or the
    account is locked (one error: the lock must not confirm a right guess)."""


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _rowcount(result: Any) -> int:
    # UPDATE and DELETE return a CursorResult; Session.execute is typed more loosely.
    return int(cast(CursorResult[Any], result).rowcount)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def require_admin(membership: Membership) -> None:
    if not membership.active or membership.role is not Role.ADMIN:
        raise PermissionDenied("only admins manage members")


# --- invitations -----------------------------------------------------------

@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    # The only copy of the token: shown once to the admin, never stored.
    token: str = field(repr=False)


def invite(session: Session, admin: Membership, email: str, role: Role, *,
           lifetime: timedelta, now: datetime | None = None) -> IssuedInvitation:
    """Create an invitation; the caller shows ``token`` once and commits nothing more."""
    require_admin(admin)
    now = now or datetime.now(UTC)
    email = normalise_email(email)
    existing = session.scalar(
        select(Membership).join(User).where(
            User.email == email, Membership.organisation_id == admin.organisation_id))
    if existing is not None and existing.removed_at is None:
        raise Refused("This person is already a member of your organisation"
                      + ("." if existing.active else " (suspended: reinstate them instead)."))
    # One live link per person: an older link that leaked stops working.
    session.execute(
        update(Invitation)
        .where(Invitation.organisation_id == admin.organisation_id, Invitation.email == email,
               Invitation.used_at.is_(None), Invitation.revoked_at.is_(None))
        .values(revoked_at=now))
    token = secrets.token_urlsafe(32)
    invitation = Invitation(organisation_id=admin.organisation_id, email=email, role=role,
                            token_sha256=token_digest(token),
                            created_by_membership_id=admin.id, expires_at=now + lifetime)
    session.add(invitation)
    session.flush()
    audit.record(session, audit.Action.MEMBER_INVITED, organisation_id=admin.organisation_id,
                 actor_user_id=admin.user_id, target=f"invitation:{invitation.id}",
                 role=role.value)
    session.commit()
    return IssuedInvitation(invitation, token)


def pending_invitations(session: Session, admin: Membership,
                        now: datetime | None = None) -> list[Invitation]:
    require_admin(admin)
    now = now or datetime.now(UTC)
    return list(session.scalars(
        select(Invitation).where(
            Invitation.organisation_id == admin.organisation_id,
            Invitation.used_at.is_(None), Invitation.revoked_at.is_(None),
            Invitation.expires_at > now)
        .order_by(Invitation.created_at)))


def revoke_invitation(session: Session, admin: Membership, invitation_id: int,
                      now: datetime | None = None) -> None:
    require_admin(admin)
    revoked = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation_id,
               Invitation.organisation_id == admin.organisation_id,
               Invitation.used_at.is_(None), Invitation.revoked_at.is_(None))
        .values(revoked_at=now or datetime.now(UTC)))
    if _rowcount(revoked) != 1:
        session.rollback()
        raise NotFound("invitation")
    session.commit()


def find_invitation(session: Session, token: str, now: datetime | None = None) -> Invitation:
    """The pending invitation for ``token``, or InvitationInvalid whatever the reason."""
    now = now or datetime.now(UTC)
    invitation = session.scalar(
        select(Invitation).options(selectinload(Invitation.organisation))
        .where(Invitation.token_sha256 == token_digest(token)))
    if (invitation is None or invitation.used_at is not None
            or invitation.revoked_at is not None or _aware(invitation.expires_at) <= now):
        raise InvitationInvalid
    return invitation


def existing_user(session: Session, invitation: Invitation) -> User | None:
    """The account the invitation's e-mail already has, if any (it then joins
    with its own password instead of choosing a new one)."""
    return session.scalar(select(User).where(User.email == invitation.email))


def accept_invitation(session: Session, token: str, *, password: str,
                      passphrase: str | None = None,
                      threshold: int = DEFAULT_LOCKOUT_THRESHOLD,
                      lock_minutes: int = DEFAULT_LOCKOUT_MINUTES,
                      now: datetime | None = None) -> Membership:
    """Join the invitation's organisation, creating the account if needed.

    For a new account ``password`` is the password it gets; for an existing
    one it must be the current password, and a wrong one counts toward the
    account's lockout like a wrong sign-in (committed here, audited in the
    account's organisations): otherwise any admin who invites an existing
    e-mail could guess its password without limit. Key holders (reviewers, admins) must
    give a ``passphrase``: their new key is protected under it (scrypt, about
    a second or two — done before the invitation is claimed, so nothing is
    held locked meanwhile). The invitation is claimed with one conditional
    UPDATE, so two simultaneous acceptances cannot both succeed.
    """
    now = now or datetime.now(UTC)
    invitation = find_invitation(session, token, now)
    user = existing_user(session, invitation)
    if user is None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise Refused(f"Use at least {MIN_PASSWORD_LENGTH} characters for the password.")
    elif not verify_password(user.password_hash, password) or is_locked(user, now):
        if is_locked(user, now):
            audit_user_event(session, audit.Action.SIGN_IN_FAILED, user.id,
                             reason="invitation_locked")
        else:
            register_failure(session, user, audit.Action.SIGN_IN_FAILED, reason="invitation",
                             threshold=threshold, lock_minutes=lock_minutes, now=now)
        session.commit()
        raise WrongPassword
    protected: tuple[bytes, crypto.Recipient] | None = None
    if invitation.role.holds_key:
        if passphrase is None or len(passphrase) < MIN_PASSPHRASE_LENGTH:
            raise Refused(f"Use at least {MIN_PASSPHRASE_LENGTH} characters "
                          "for the key passphrase.")
        if passphrase == password:
            # The password is typed at every sign-in; the passphrase must not
            # fall with it.
            raise Refused("The key passphrase must differ from the password.")
        identity = crypto.generate_identity()
        protected = (crypto.protect_identity(identity, passphrase), identity.recipient)

    claimed = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None),
               Invitation.revoked_at.is_(None), Invitation.expires_at > now)
        .values(used_at=now)
        # SQLite returns naive datetimes, which Python cannot compare with `now`:
        # let the database decide which rows matched.
        .execution_options(synchronize_session="fetch"))
    if _rowcount(claimed) != 1:
        session.rollback()
        raise InvitationInvalid

    # The organisations the account already belongs to hear that it joined another.
    elsewhere = [] if user is None else list(session.scalars(
        select(Membership.organisation_id).where(
            Membership.user_id == user.id, Membership.active.is_(True),
            Membership.organisation_id != invitation.organisation_id)))
    if user is None:
        # The invitee chose this password themselves: no forced change.
        user = User(email=invitation.email, password_hash=hash_password(password),
                    must_change_password=False)
        session.add(user)
        session.flush()
    membership = session.scalar(select(Membership).where(
        Membership.user_id == user.id, Membership.organisation_id == invitation.organisation_id))
    if membership is None:
        membership = Membership(user=user, organisation_id=invitation.organisation_id,
                                role=invitation.role)
        session.add(membership)
    elif membership.removed_at is not None:
        # Re-invited after removal: the old keys stay retired; a new one follows.
        membership.active, membership.removed_at = True, None
        membership.role = invitation.role
    else:
        # Joined meanwhile through another invitation: this one is spent, nothing changes.
        session.rollback()
        raise InvitationInvalid
    session.flush()
    if protected is not None:
        add_member_key(session, membership, *protected)
    audit.record(session, audit.Action.MEMBER_JOINED, organisation_id=invitation.organisation_id,
                 actor_user_id=user.id, target=f"membership:{membership.id}",
                 invitation=invitation.id, role=invitation.role.value,
                 key_created=protected is not None)
    for organisation_id in elsewhere:
        # Which organisation is not said: that is the other organisation's business.
        audit.record(session, audit.Action.MEMBER_JOINED, organisation_id=organisation_id,
                     actor_user_id=user.id, target=f"user:{user.id}",
                     joined_another_organisation=True)
    session.commit()
    return membership


# --- member administration -------------------------------------------------

class MemberState:
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REMOVED = "removed"


def member_state(membership: Membership) -> str:
    if membership.removed_at is not None:
        return MemberState.REMOVED
    return MemberState.ACTIVE if membership.active else MemberState.SUSPENDED


def key_status(membership: Membership) -> str:
    if not membership.role.holds_key:
        return "not needed"
    if membership.current_key is not None:
        return "active"
    return "retired" if membership.keys else "missing"


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
        raise Refused("You cannot suspend or remove yourself; ask another admin.")
    return member


def _forget_unlocked_keys(session: Session, member: Membership) -> int:
    return _rowcount(session.execute(
        delete(UnlockedKey).where(UnlockedKey.membership_id == member.id)))


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
        raise Refused("Only an active member can be suspended.")
    member.active = False
    # A key unlocked or a session opened before the suspension must not outlive it.
    _forget_unlocked_keys(session, member)
    end_sessions(session, member.user_id)
    _revoke_their_invitations(session, member, datetime.now(UTC))
    audit.record(session, audit.Action.MEMBER_SUSPENDED, organisation_id=admin.organisation_id,
                 actor_user_id=admin.user_id, target=f"membership:{member.id}")
    session.commit()


def reinstate(session: Session, admin: Membership, membership_id: int) -> None:
    member = _target(session, admin, membership_id)
    if member_state(member) != MemberState.SUSPENDED:
        raise Refused("Only a suspended member can be reinstated; "
                      "a removed member needs a new invitation.")
    member.active = True
    audit.record(session, audit.Action.MEMBER_REINSTATED, organisation_id=admin.organisation_id,
                 actor_user_id=admin.user_id, target=f"membership:{member.id}")
    session.commit()


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
        raise Refused("This member was already removed.")
    key_ids = list(session.scalars(select(MemberKey.id).where(
        MemberKey.membership_id == member.id)))
    wraps_deleted = _rowcount(session.execute(
        delete(CaseKeyWrap).where(CaseKeyWrap.member_key_id.in_(key_ids)))) if key_ids else 0
    keys_retired = _rowcount(session.execute(
        update(MemberKey).where(MemberKey.membership_id == member.id,
                                MemberKey.retired_at.is_(None)).values(retired_at=now)))
    _forget_unlocked_keys(session, member)
    end_sessions(session, member.user_id)
    _revoke_their_invitations(session, member, now)
    member.active, member.removed_at = False, now
    audit.record(session, audit.Action.MEMBER_REMOVED, organisation_id=admin.organisation_id,
                 actor_user_id=admin.user_id, target=f"membership:{member.id}",
                 keys_retired=keys_retired, wraps_deleted=wraps_deleted)
    session.commit()
    # The bulk statements bypassed the identity map: reload what callers may read.
    session.expire(member)
    return Removal(keys_retired, wraps_deleted)


# --- organisation settings -------------------------------------------------

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
    session.commit()
    return True
