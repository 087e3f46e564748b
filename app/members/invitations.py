"""Invitations: issued by an admin, shown once, accepted once.

Only the SHA-256 of a token is stored. Accepting creates the account (or
joins an existing one with its own password, which then counts toward its
lockout like a sign-in) and, for reviewers and admins, their key.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

import crypto
from app.audit import service as audit
from app.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from app.auth.service import (
    DEFAULT_LOCKOUT_MINUTES,
    DEFAULT_LOCKOUT_THRESHOLD,
    audit_user_event,
    is_locked,
    normalise_email,
    register_failure,
)
from app.errors import NotFound
from app.i18n import N_
from app.members.common import Refused, aware, require_admin, rowcount
from app.models import Invitation, Membership, Organisation, Role, User
from app.orgs.service import add_member_key
from crypto.identities import MIN_PASSPHRASE_LENGTH


class InvitationInvalid(Exception):
    """Unknown, used, revoked or expired: deliberately one error, so the
    accept page never tells a token guesser which."""


class WrongPassword(Exception):
    """An existing user accepting an invitation gave the wrong password, or the
    account is locked (one error: the lock must not confirm a right guess)."""


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    # The only copy of the token: shown once to the admin, never stored.
    token: str = field(repr=False)


def invite(session: Session, admin: Membership, email: str, role: Role, *,
           lifetime: timedelta, now: datetime | None = None) -> IssuedInvitation:
    """Create an invitation; the caller shows ``token`` once and commits nothing more."""
    require_admin(admin)
    email = normalise_email(email)
    existing = session.scalar(
        select(Membership).join(User).where(
            User.email == email, Membership.organisation_id == admin.organisation_id))
    if existing is not None and existing.removed_at is None:
        raise Refused("This person is already a member of your organisation"
                      + ("." if existing.active else " (suspended: reinstate them instead)."))
    return _issue(session, admin.organisation_id, email, role, lifetime=lifetime, now=now,
                  issuer=admin)


def invite_first_admin(session: Session, organisation: Organisation, email: str, *,
                       lifetime: timedelta, now: datetime | None = None) -> IssuedInvitation:
    """The invitation of a new organisation's first admin, issued by the server's
    operator (``witnessbox org create``): there is no admin yet to issue it.
    Refused once the organisation has any member: then its admins invite."""
    if session.scalar(select(Membership.id).where(
            Membership.organisation_id == organisation.id).limit(1)) is not None:
        raise Refused(N_("This organisation has members already: its admins invite people."))
    return _issue(session, organisation.id, normalise_email(email), Role.ADMIN,
                  lifetime=lifetime, now=now, issuer=None)


def _issue(session: Session, organisation_id: int, email: str, role: Role, *,
           lifetime: timedelta, now: datetime | None, issuer: Membership | None
           ) -> IssuedInvitation:
    now = now or datetime.now(UTC)
    # One live link per person: an older link that leaked stops working.
    session.execute(
        update(Invitation)
        .where(Invitation.organisation_id == organisation_id, Invitation.email == email,
               Invitation.used_at.is_(None), Invitation.revoked_at.is_(None))
        .values(revoked_at=now))
    token = secrets.token_urlsafe(32)
    invitation = Invitation(organisation_id=organisation_id, email=email, role=role,
                            token_sha256=token_digest(token),
                            created_by_membership_id=issuer.id if issuer else None,
                            expires_at=now + lifetime)
    session.add(invitation)
    session.flush()
    if issuer is not None:
        audit.record(session, audit.Action.MEMBER_INVITED, organisation_id=organisation_id,
                     actor_user_id=issuer.user_id, target=f"invitation:{invitation.id}",
                     role=role.value)
    else:
        audit.record(session, audit.Action.MEMBER_INVITED, organisation_id=organisation_id,
                     target=f"invitation:{invitation.id}", role=role.value,
                     issued_by="operator")
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
    if rowcount(revoked) != 1:
        raise NotFound("invitation")


def find_invitation(session: Session, token: str, now: datetime | None = None) -> Invitation:
    """The pending invitation for ``token``, or InvitationInvalid whatever the reason."""
    now = now or datetime.now(UTC)
    invitation = session.scalar(
        select(Invitation).options(selectinload(Invitation.organisation))
        .where(Invitation.token_sha256 == token_digest(token)))
    if (invitation is None or invitation.used_at is not None
            or invitation.revoked_at is not None or aware(invitation.expires_at) <= now):
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
        raise WrongPassword
    protected: tuple[bytes, crypto.Recipient] | None = None
    if invitation.role.holds_key:
        if passphrase is None or len(passphrase) < MIN_PASSPHRASE_LENGTH:
            raise Refused(f"Use at least {MIN_PASSPHRASE_LENGTH} characters "
                          "for the key passphrase.")
        if passphrase == password:
            # The password is typed at every sign-in; the passphrase must not
            # fall with it.
            raise Refused(N_("The key passphrase must differ from the password."))
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
    if rowcount(claimed) != 1:
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
    return membership
