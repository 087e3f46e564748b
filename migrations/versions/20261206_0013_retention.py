"""retention: rules per organisation and status, per-case retention date, legal hold

Revision ID: 0013
Revises: 0014

Numbered 0013 but applied after 0014 (recovery shares), which reached the
main line first: rewriting an applied migration's parent would strand
databases already at 0014.
Create Date: 2026-12-06 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("submitted", "in_review", "in_redaction", "awaiting_approval", "approved",
            "archived")
HOLD_REASONS = ("litigation", "investigation", "preservation_request", "other")


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


def upgrade() -> None:
    with op.batch_alter_table("case_record") as batch:
        batch.add_column(sa.Column("status_changed_at", sa.DateTime(timezone=True),
                                   nullable=True))
        batch.add_column(sa.Column("delete_after", sa.Date(), nullable=True))
        batch.add_column(sa.Column("legal_hold_reason", _enum("legalholdreason", *HOLD_REASONS),
                                   nullable=True))
        batch.add_column(sa.Column("legal_hold_since", sa.DateTime(timezone=True),
                                   nullable=True))
    # Cases from before: the last status change the audit log recorded, else
    # their filing (a case never moved is in its first status since then).
    op.execute(sa.text(
        "UPDATE case_record SET status_changed_at = COALESCE("
        "(SELECT MAX(audit_event.created_at) FROM audit_event "
        " WHERE audit_event.action = 'status_changed' "
        " AND audit_event.target = case_record.public_id), case_record.created_at)"))
    with op.batch_alter_table("case_record") as batch:
        batch.alter_column("status_changed_at", existing_type=sa.DateTime(timezone=True),
                           nullable=False)
    op.create_table(
        "retention_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("status", _enum("casestatus", *STATUSES), nullable=False),
        sa.Column("keep_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_retention_rule_organisation_id_organisation"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_rule")),
        sa.UniqueConstraint("organisation_id", "status",
                            name=op.f("uq_retention_rule_organisation_id")),
    )
    with op.batch_alter_table("retention_rule") as batch:
        batch.create_index(batch.f("ix_retention_rule_organisation_id"), ["organisation_id"],
                           unique=False)


def downgrade() -> None:
    with op.batch_alter_table("retention_rule") as batch:
        batch.drop_index(batch.f("ix_retention_rule_organisation_id"))
    op.drop_table("retention_rule")
    with op.batch_alter_table("case_record") as batch:
        batch.drop_column("legal_hold_since")
        batch.drop_constraint(op.f("ck_case_record_legalholdreason"), type_="check")
        batch.drop_column("legal_hold_reason")
        batch.drop_column("delete_after")
        batch.drop_column("status_changed_at")
