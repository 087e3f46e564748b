"""recovery shares (k of n) and resumable recovery rotations

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-06 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organisation") as batch:
        batch.add_column(sa.Column("recovery_recipient_next", sa.String(100), nullable=True))
        batch.add_column(sa.Column("recovery_custodians", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("recovery_threshold", sa.Integer(), nullable=True))
    op.create_table(
        "recovery_rotation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("old_recipient", sa.String(100), nullable=False),
        sa.Column("new_recipient", sa.String(100), nullable=False),
        sa.Column("custodians", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("state", sa.Enum("running", "finished", name="rotationstate",
                                   native_enum=False, create_constraint=True, length=20),
                  nullable=False),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("rewrapped", sa.Integer(), nullable=False),
        sa.Column("batches", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_recovery_rotation_organisation_id_organisation"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_rotation")),
    )
    op.create_index(op.f("ix_recovery_rotation_organisation_id"), "recovery_rotation",
                    ["organisation_id"])
    op.create_index("uq_recovery_rotation_running", "recovery_rotation", ["organisation_id"],
                    unique=True, sqlite_where=sa.text("state = 'running'"),
                    postgresql_where=sa.text("state = 'running'"))


def downgrade() -> None:
    op.drop_index("uq_recovery_rotation_running", table_name="recovery_rotation")
    op.drop_index(op.f("ix_recovery_rotation_organisation_id"), table_name="recovery_rotation")
    op.drop_table("recovery_rotation")
    with op.batch_alter_table("organisation") as batch:
        batch.drop_column("recovery_threshold")
        batch.drop_column("recovery_custodians")
        batch.drop_column("recovery_recipient_next")
