"""intake submission token: one case per intake form

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing cases keep NULL: they were filed before forms carried a token,
    # and a unique column admits any number of NULLs on both backends.
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submission_token_sha256", sa.String(length=64),
                                      nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_case_record_submission_token_sha256"), ["submission_token_sha256"])


def downgrade() -> None:
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_case_record_submission_token_sha256"), type_="unique")
        batch_op.drop_column("submission_token_sha256")
