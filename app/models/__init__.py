"""Typed SQLAlchemy 2 models: columns and invariants only, no behaviour."""

from app.models.account import Invitation, RecoveryCode, SignInSession, UnlockedKey
from app.models.audit import AuditCheckpoint, AuditEvent, AuditHead
from app.models.base import Base
from app.models.case import (
    Case,
    CaseIndicator,
    CaseKeyWrap,
    CaseStatus,
    Priority,
    SealedKind,
    SealedObject,
    Storage,
    WrapPurpose,
)
from app.models.cluster import CLUSTER_REASON_LABELS, CaseCluster, CaseClusterMember, ClusterReason
from app.models.export import Export, ExportApproval, ExportPurpose, ExportStatus
from app.models.grant import CaseGrant
from app.models.note import CaseNote
from app.models.organisation import (
    MemberKey,
    Membership,
    NewCasesTo,
    Organisation,
    Role,
    User,
)
from app.models.recovery import RecoveryRotation, RotationState
from app.models.redaction_layer import LayerEvent, RedactionVersion

__all__ = [
    "CLUSTER_REASON_LABELS",
    "AuditCheckpoint",
    "AuditEvent",
    "AuditHead",
    "Base",
    "Case",
    "CaseCluster",
    "CaseClusterMember",
    "CaseGrant",
    "CaseIndicator",
    "CaseKeyWrap",
    "CaseNote",
    "CaseStatus",
    "ClusterReason",
    "Export",
    "ExportApproval",
    "ExportPurpose",
    "ExportStatus",
    "Invitation",
    "LayerEvent",
    "MemberKey",
    "Membership",
    "NewCasesTo",
    "Organisation",
    "Priority",
    "RecoveryCode",
    "RecoveryRotation",
    "RedactionVersion",
    "Role",
    "RotationState",
    "SealedKind",
    "SealedObject",
    "SignInSession",
    "Storage",
    "UnlockedKey",
    "User",
    "WrapPurpose",
]
