"""Authentication and the active membership, independent of Flask views."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password
from app.models import Membership, User


class PasswordPolicyError(ValueError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user if the password matches; None otherwise, in the same time."""
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if not verify_password(user.password_hash if user else None, password) or user is None:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.commit()
    return user


def set_password(session: Session, user: User, new_password: str) -> None:
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    session.commit()


def active_memberships(session: Session, user_id: int) -> list[Membership]:
    return list(session.scalars(
        select(Membership)
        .options(selectinload(Membership.organisation))
        .where(Membership.user_id == user_id, Membership.active.is_(True))
        .order_by(Membership.id)
    ))


def load_membership(session: Session, user_id: int, membership_id: int) -> Membership | None:
    """The membership only if it belongs to this user and is active."""
    return session.scalar(select(Membership).where(
        Membership.id == membership_id, Membership.user_id == user_id,
        Membership.active.is_(True)))
