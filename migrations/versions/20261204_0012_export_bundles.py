"""export bundles and the organisation's export settings

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


def upgrade() -> None:
    with op.batch_alter_table("organisation") as batch:
        batch.add_column(sa.Column("export_approval",
                                   _enum("exportapproval", "auto", "always", "never"),
                                   nullable=False, server_default="auto"))
        batch.add_column(sa.Column("export_public_key", sa.String(200), nullable=True))
    op.create_table(
        "export_bundle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(32), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_by_membership_id", sa.Integer(), nullable=True),
        sa.Column("approved_by_membership_id", sa.Integer(), nullable=True),
        sa.Column("purpose", _enum("exportpurpose", "aggregate_stats", "anonymised_quotes",
                                   "share_un", "share_prosecutors"), nullable=False),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("status", _enum("exportstatus", "building", "awaiting_approval", "ready",
                                  "refused", "failed"),
                  nullable=False),
        sa.Column("needs_approval", sa.Boolean(), nullable=False),
        sa.Column("included_count", sa.Integer(), nullable=False),
        sa.Column("excluded_counts", sa.JSON(), nullable=False),
        sa.Column("encrypted_to", sa.String(100), nullable=True),
        sa.Column("bundle_path", sa.String(300), nullable=True),
        sa.Column("bundle_sha256", sa.String(64), nullable=True),
        sa.Column("bundle_size", sa.BigInteger(), nullable=True),
        sa.Column("refusal", sa.String(300), nullable=True),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("progress_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("prosecutor", sa.String(100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_export_bundle_organisation_id_organisation"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_membership_id"], ["membership.id"],
                                name=op.f("fk_export_bundle_created_by_membership_id_membership"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["approved_by_membership_id"], ["membership.id"],
                                name=op.f("fk_export_bundle_approved_by_membership_id_membership"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_bundle")),
        sa.UniqueConstraint("public_id", name=op.f("uq_export_bundle_public_id")),
    )
    with op.batch_alter_table("export_bundle") as batch:
        batch.create_index(batch.f("ix_export_bundle_organisation_id"), ["organisation_id"],
                           unique=False)


def downgrade() -> None:
    with op.batch_alter_table("export_bundle") as batch:
        batch.drop_index(batch.f("ix_export_bundle_organisation_id"))
    op.drop_table("export_bundle")
    with op.batch_alter_table("organisation") as batch:
        batch.drop_column("export_public_key")
        batch.drop_constraint(op.f("ck_organisation_exportapproval"), type_="check")
        batch.drop_column("export_approval")
