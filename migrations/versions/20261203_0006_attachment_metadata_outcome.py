"""attachment metadata outcome: the receipt says whether metadata was removed

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sealed_object") as batch:
        batch.add_column(sa.Column("metadata_outcome", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sealed_object") as batch:
        batch.drop_column("metadata_outcome")
