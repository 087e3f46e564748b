"""grants and clusters: case grant history, case clusters, the triage group

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _user_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["user_account.id"],
                                   name=op.f(f"fk_{table}_{column}_user_account"),
                                   ondelete="SET NULL")


def upgrade() -> None:
    with op.batch_alter_table("organisation") as batch:
        batch.add_column(sa.Column(
            "new_cases_to",
            sa.Enum("all_reviewers", "triage_group", name="newcasesto", native_enum=False,
                    create_constraint=True, length=20),
            nullable=False, server_default="all_reviewers"))
    with op.batch_alter_table("membership") as batch:
        batch.add_column(sa.Column("in_triage_group", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))

    op.create_table(
        "case_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("granted_by_user_id", sa.Integer(), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_record.id"],
                                name=op.f("fk_case_grant_case_id_case_record"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_case_grant_user_id_user_account"),
                                ondelete="CASCADE"),
        _user_fk("case_grant", "granted_by_user_id"),
        _user_fk("case_grant", "revoked_by_user_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_grant")),
    )
    op.create_index(op.f("ix_case_grant_case_id"), "case_grant", ["case_id"])
    op.create_index(op.f("ix_case_grant_user_id"), "case_grant", ["user_id"])
    # Cases filed before this revision: every member wrap is an open grant
    # made at intake, so those members can be re-granted after a rejoin too.
    op.execute(
        "INSERT INTO case_grant (case_id, user_id, granted_at) "
        "SELECT case_key_wrap.case_id, membership.user_id, MIN(case_key_wrap.created_at) "
        "FROM case_key_wrap "
        "JOIN member_key ON member_key.id = case_key_wrap.member_key_id "
        "JOIN membership ON membership.id = member_key.membership_id "
        "WHERE case_key_wrap.purpose = 'member' "
        "GROUP BY case_key_wrap.case_id, membership.user_id")

    op.create_table(
        "case_cluster",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Enum("same_team", "same_site", "same_employer", "same_incident",
                                    name="clusterreason", native_enum=False,
                                    create_constraint=True, length=20), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_case_cluster_organisation_id_organisation"),
                                ondelete="CASCADE"),
        _user_fk("case_cluster", "created_by_user_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_cluster")),
        sa.UniqueConstraint("public_id", name=op.f("uq_case_cluster_public_id")),
    )
    op.create_index(op.f("ix_case_cluster_organisation_id"), "case_cluster",
                    ["organisation_id"])
    op.create_table(
        "case_cluster_member",
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("added_by_user_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cluster_id"], ["case_cluster.id"],
                                name=op.f("fk_case_cluster_member_cluster_id_case_cluster"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["case_id"], ["case_record.id"],
                                name=op.f("fk_case_cluster_member_case_id_case_record"),
                                ondelete="CASCADE"),
        _user_fk("case_cluster_member", "added_by_user_id"),
        sa.PrimaryKeyConstraint("cluster_id", "case_id", name=op.f("pk_case_cluster_member")),
    )
    op.create_index(op.f("ix_case_cluster_member_case_id"), "case_cluster_member",
                    ["case_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_case_cluster_member_case_id"), table_name="case_cluster_member")
    op.drop_table("case_cluster_member")
    op.drop_index(op.f("ix_case_cluster_organisation_id"), table_name="case_cluster")
    op.drop_table("case_cluster")
    op.drop_index(op.f("ix_case_grant_user_id"), table_name="case_grant")
    op.drop_index(op.f("ix_case_grant_case_id"), table_name="case_grant")
    op.drop_table("case_grant")
    with op.batch_alter_table("membership") as batch:
        batch.drop_column("in_triage_group")
    with op.batch_alter_table("organisation") as batch:
        batch.drop_constraint(op.f("ck_organisation_newcasesto"), type_="check")
        batch.drop_column("new_cases_to")
