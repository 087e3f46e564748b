"""The hash of one audit event: shared by recording, checkpointing and verifying."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from app.models import AuditEvent

GENESIS_HASH = "0" * 64


def utc_text(value: datetime) -> str:
    # SQLite returns naive datetimes; both backends store UTC.
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def event_hash(event: AuditEvent) -> str:
    canonical = json.dumps({
        "seq": event.seq,
        "created_at": utc_text(event.created_at),
        "organisation_id": event.organisation_id,
        "actor_user_id": event.actor_user_id,
        "action": event.action,
        "target": event.target,
        "details": event.details,
        "prev_hash": event.prev_hash,
    }, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()
