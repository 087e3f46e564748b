"""queue indexes: keyset pages per sort order, wraps by key, indicators present

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 13:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES: tuple[tuple[str, str, list[str]], ...] = (
    ("ix_case_record_queue_filed", "case_record", ["organisation_id", "created_at", "id"]),
    ("ix_case_record_queue_status", "case_record",
     ["organisation_id", "status", "created_at", "id"]),
    ("ix_case_record_queue_priority", "case_record",
     ["organisation_id", "priority", "created_at", "id"]),
    ("ix_case_record_queue_filer", "case_record",
     ["created_by_membership_id", "created_at", "id"]),
    ("ix_case_key_wrap_member_key_case", "case_key_wrap", ["member_key_id", "case_id"]),
    ("ix_case_indicator_queue", "case_indicator", ["indicator", "present", "case_id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
