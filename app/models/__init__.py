"""Typed SQLAlchemy 2 models: columns and invariants only, no behaviour."""

from app.models.base import Base
from app.models.case import (
    Case,
    CaseIndicator,
    CaseKeyWrap,
    CaseStatus,
    SealedKind,
    SealedObject,
    Storage,
    WrapPurpose,
)
from app.models.organisation import MemberKey, Membership, Organisation, Role, User

__all__ = [
    "Base",
    "Case",
    "CaseIndicator",
    "CaseKeyWrap",
    "CaseStatus",
    "MemberKey",
    "Membership",
    "Organisation",
    "Role",
    "SealedKind",
    "SealedObject",
    "Storage",
    "User",
    "WrapPurpose",
]
