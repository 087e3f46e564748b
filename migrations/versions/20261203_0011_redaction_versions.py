"""redaction versions: sealed, versioned redaction layers

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "redaction_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("author_membership_id", sa.Integer(), nullable=True),
        sa.Column("event", sa.Enum("edited", "submitted", "returned", name="layerevent", native_enum=False,
                                   create_constraint=True, length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("added_count", sa.Integer(), nullable=False),
        sa.Column("accepted_count", sa.Integer(), nullable=False),
        sa.Column("rejected_count", sa.Integer(), nullable=False),
        sa.Column("swept_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_record.id"],
                                name=op.f("fk_redaction_version_case_id_case_record"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_membership_id"], ["membership.id"],
                                name=op.f("fk_redaction_version_author_membership_id_membership"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redaction_version")),
        sa.UniqueConstraint("case_id", "number", name=op.f("uq_redaction_version_case_id")),
    )
    with op.batch_alter_table("redaction_version") as batch:
        batch.create_index(batch.f("ix_redaction_version_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("redaction_version") as batch:
        batch.drop_index(batch.f("ix_redaction_version_case_id"))
    op.drop_table("redaction_version")
