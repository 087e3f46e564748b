"""Creating organisations, members and member keys."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import crypto
from app.auth.passwords import hash_password
from app.auth.service import normalise_email
from app.models import AuditEvent, MemberKey, Membership, Organisation, Role, User


@dataclass(frozen=True)
class NewOrganisation:
    organisation: Organisation
    # The only copy of the offline recovery identity: print it, never store it.
    recovery_identity: crypto.Identity = field(repr=False)


def create_organisation(session: Session, slug: str, name: str) -> NewOrganisation:
    recovery = crypto.generate_identity()
    organisation = Organisation(slug=slug, name=name,
                                recovery_recipient=str(recovery.recipient))
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        # SQLite hands out the highest id + 1, so a new organisation could take
        # a deleted one's id (app.orgs.deletion) and with it that one's audit
        # events, which name organisations by id. PostgreSQL's sequence never
        # goes back.
        organisation.id = 1 + max(session.scalar(select(func.max(Organisation.id))) or 0,
                                  session.scalar(select(func.max(AuditEvent.organisation_id)))
                                  or 0)
    session.add(organisation)
    session.flush()
    return NewOrganisation(organisation, recovery)


def new_secret(words: int = 6) -> str:
    """A random password or passphrase: 6 groups of 5 base32 characters (150 bits)."""
    alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(words))


def add_member(session: Session, organisation: Organisation, email: str, password: str,
               role: Role, *, must_change_password: bool = True) -> Membership:
    email = normalise_email(email)
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, password_hash=hash_password(password),
                    must_change_password=must_change_password)
        session.add(user)
    membership = Membership(user=user, organisation=organisation, role=role)
    session.add(membership)
    session.flush()
    return membership


def add_member_key(session: Session, membership: Membership, protected_identity: bytes,
                   recipient: crypto.Recipient) -> MemberKey:
    """Attach an already protected identity (see :func:`create_member_key`)."""
    if not membership.role.holds_key:
        raise ValueError("only reviewers and admins hold decryption keys")
    key = MemberKey(membership=membership, recipient=str(recipient),
                    protected_identity=protected_identity)
    session.add(key)
    session.flush()
    return key


def create_member_key(session: Session, membership: Membership, passphrase: str) -> MemberKey:
    identity = crypto.generate_identity()
    return add_member_key(session, membership, crypto.protect_identity(identity, passphrase),
                          identity.recipient)


@dataclass(frozen=True)
class DemoCredentials:
    organisation: str
    passwords: dict[str, str]
    passphrases: dict[str, str]
    recovery_identity: crypto.Identity = field(repr=False)


DEMO_MEMBERS = (
    ("admin@demo.witnessbox.invalid", Role.ADMIN),
    ("reviewer@demo.witnessbox.invalid", Role.REVIEWER),
    ("interviewer@demo.witnessbox.invalid", Role.INTERVIEWER),
)


def bootstrap_demo(session: Session, slug: str = "demo", name: str = "Demo NGO"
                   ) -> DemoCredentials:
    """A demo organisation with one member per role. Secrets are returned once."""
    if session.scalar(select(Organisation).where(Organisation.slug == slug)) is not None:
        raise ValueError(f"organisation {slug!r} already exists")
    created = create_organisation(session, slug, name)
    passwords: dict[str, str] = {}
    passphrases: dict[str, str] = {}
    for email, role in DEMO_MEMBERS:
        passwords[email] = new_secret()
        membership = add_member(session, created.organisation, email, passwords[email], role)
        if role.holds_key:
            passphrases[email] = new_secret()
            create_member_key(session, membership, passphrases[email])
    session.flush()
    return DemoCredentials(created.organisation.slug, passwords, passphrases,
                           created.recovery_identity)
