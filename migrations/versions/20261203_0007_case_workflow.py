"""case workflow: in redaction and awaiting approval, assignee, priority

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = ("submitted", "in_review", "redacted", "approved", "archived")
NEW = ("submitted", "in_review", "in_redaction", "awaiting_approval", "approved", "archived")


def _status(values: Sequence[str]) -> sa.Enum:
    return sa.Enum(*values, name="casestatus", native_enum=False, create_constraint=True,
                   length=20)


def upgrade() -> None:
    # The old 'redacted' meant "redaction done, not yet approved".
    with op.batch_alter_table("case_record") as batch:
        batch.alter_column("status", existing_type=_status(OLD),
                           type_=sa.String(length=20), existing_nullable=False)
    op.execute("UPDATE case_record SET status = 'awaiting_approval' WHERE status = 'redacted'")
    with op.batch_alter_table("case_record") as batch:
        batch.alter_column("status", existing_type=sa.String(length=20), type_=_status(NEW),
                           existing_nullable=False)
        batch.add_column(sa.Column("assignee_membership_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("priority", sa.SmallInteger(), nullable=False,
                                   server_default="1"))
        batch.create_foreign_key("fk_case_record_assignee_membership_id_membership",
                                 "membership", ["assignee_membership_id"], ["id"],
                                 ondelete="SET NULL")
        batch.create_index("ix_case_record_assignee_membership_id",
                           ["assignee_membership_id"])


def downgrade() -> None:
    with op.batch_alter_table("case_record") as batch:
        batch.drop_index("ix_case_record_assignee_membership_id")
        batch.drop_constraint("fk_case_record_assignee_membership_id_membership",
                              type_="foreignkey")
        batch.drop_column("priority")
        batch.drop_column("assignee_membership_id")
        batch.alter_column("status", existing_type=_status(NEW),
                           type_=sa.String(length=20), existing_nullable=False)
    op.execute("UPDATE case_record SET status = 'redacted' "
               "WHERE status IN ('in_redaction', 'awaiting_approval')")
    with op.batch_alter_table("case_record") as batch:
        batch.alter_column("status", existing_type=sa.String(length=20), type_=_status(OLD),
                           existing_nullable=False)
