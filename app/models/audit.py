"""The append-only, hash-chained audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class AuditEvent(Base):
    """One accountable action. Never content: ids, actions, outcomes only.

    ``event_hash`` covers every column and ``prev_hash``, so editing,
    deleting, inserting or reordering events breaks the chain.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Plain indexed integers, not foreign keys: the log outlives what it
    # names, and an ON DELETE action would rewrite hashed columns (deleting
    # an organisation used to turn its events into "edited" ones).
    organisation_id: Mapped[int | None] = mapped_column(index=True)
    actor_user_id: Mapped[int | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str | None] = mapped_column(String(80))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    event_hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's tip (one row): locked while appending, so appends are serial,
    and compared on verification, so a truncated tail is detected too."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """The chain's head at one moment, signed with the key kept outside the
    database: rewriting the chain before a checkpoint needs that key.

    The signature covers seq, event_hash, created_at and interval (the most
    events the chain may grow before the next checkpoint), see
    :func:`app.audit.checkpoints.checkpoint_message`.
    """

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    event_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    interval: Mapped[int] = mapped_column()
    # Base64 of the signer's Ed25519 public key and of the signature.
    public_key: Mapped[str] = mapped_column(String(44))
    signature: Mapped[str] = mapped_column(String(88))
