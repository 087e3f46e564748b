"""signed audit checkpoints, signed intake receipts, audit columns without foreign keys

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("event_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("interval", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.String(length=44), nullable=False),
        sa.Column("signature", sa.String(length=88), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoint")),
        sa.UniqueConstraint("seq", name=op.f("uq_audit_checkpoint_seq")),
    )
    # The audit log outlives what it names: ON DELETE SET NULL rewrote hashed
    # columns (deleting an organisation made its events look edited).
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_constraint("fk_audit_event_organisation_id_organisation",
                                 type_="foreignkey")
        batch_op.drop_constraint("fk_audit_event_actor_user_id_user_account",
                                 type_="foreignkey")
        batch_op.create_index(batch_op.f("ix_audit_event_actor_user_id"), ["actor_user_id"],
                              unique=False)
    # Nullable: cases filed before this revision have no signed receipt yet
    # (`witnessbox cases sign-receipts` signs them once).
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("receipt_signature", sa.String(length=88), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.drop_column("receipt_signature")
    # The old foreign keys need every reference to exist: clearing dangling
    # ones edits hashed columns, which `witnessbox audit verify` will report.
    op.execute("UPDATE audit_event SET organisation_id = NULL WHERE organisation_id IS NOT NULL "
               "AND organisation_id NOT IN (SELECT id FROM organisation)")
    op.execute("UPDATE audit_event SET actor_user_id = NULL WHERE actor_user_id IS NOT NULL "
               "AND actor_user_id NOT IN (SELECT id FROM user_account)")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_actor_user_id"))
        batch_op.create_foreign_key("fk_audit_event_actor_user_id_user_account",
                                    "user_account", ["actor_user_id"], ["id"],
                                    ondelete="SET NULL")
        batch_op.create_foreign_key("fk_audit_event_organisation_id_organisation",
                                    "organisation", ["organisation_id"], ["id"],
                                    ondelete="SET NULL")
    op.drop_table("audit_checkpoint")
