"""Linking cases into clusters.

Reviewers and admins link cases of their own organisation, and only cases
they can open (their current key holds a wrap of the case key): linking
states something about a case, so its reader does it. A cluster carries a
coded reason and nothing else: no free text, which could name a team or a
site. Every query is scoped to the member's organisation; a case or cluster
of another organisation is simply not found.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.cases.access import readable_case_ids, wrap_of
from app.errors import NotFound, PermissionDenied
from app.i18n import N_
from app.models import Case, CaseCluster, CaseClusterMember, ClusterReason, Membership


class Refused(ValueError):
    """A permitted kind of action that cannot be done here; the message says why."""


def _require_key_holder(member: Membership) -> None:
    if not member.active or not member.role.holds_key:
        raise PermissionDenied("only reviewers and admins link cases")


def new_cluster_id() -> str:
    return secrets.token_hex(8)


@dataclass(frozen=True)
class ClusterSummary:
    cluster: CaseCluster
    size: int


def list_clusters(session: Session, member: Membership) -> list[ClusterSummary]:
    _require_key_holder(member)
    size = (select(func.count()).where(CaseClusterMember.cluster_id == CaseCluster.id)
            .scalar_subquery())
    rows = session.execute(
        select(CaseCluster, size)
        .where(CaseCluster.organisation_id == member.organisation_id)
        .order_by(CaseCluster.created_at.desc(), CaseCluster.id.desc())).all()
    return [ClusterSummary(cluster, int(count)) for cluster, count in rows]


def get_cluster(session: Session, member: Membership, public_id: str) -> CaseCluster:
    _require_key_holder(member)
    cluster = session.scalar(select(CaseCluster).where(
        CaseCluster.public_id == public_id,
        CaseCluster.organisation_id == member.organisation_id))
    if cluster is None:
        raise NotFound("cluster")
    return cluster


def _case(session: Session, member: Membership, case_public_id: str) -> Case:
    case = session.scalar(select(Case).where(
        Case.public_id == case_public_id.strip(),
        Case.organisation_id == member.organisation_id))
    if case is None:
        raise Refused(N_("There is no case with that number in your organisation."))
    return case


def _readable(session: Session, member: Membership, case: Case) -> None:
    if wrap_of(session, member, case.id) is None:
        raise Refused(N_("You can only link cases you can open."))


def create_cluster(session: Session, member: Membership, reason: ClusterReason,
                   first_case_public_id: str) -> CaseCluster:
    """A new cluster holding one case the member can open."""
    _require_key_holder(member)
    case = _case(session, member, first_case_public_id)
    _readable(session, member, case)
    cluster = CaseCluster(organisation_id=member.organisation_id, public_id=new_cluster_id(),
                          reason=reason, created_by_user_id=member.user_id)
    session.add(cluster)
    session.flush()
    audit.record(session, audit.Action.CLUSTER, organisation_id=member.organisation_id,
                 actor_user_id=member.user_id, target=f"cluster:{cluster.public_id}",
                 change="created", reason=reason.value)
    _add(session, member, cluster, case)
    return cluster


def _add(session: Session, member: Membership, cluster: CaseCluster, case: Case) -> None:
    session.add(CaseClusterMember(cluster_id=cluster.id, case_id=case.id,
                                  added_by_user_id=member.user_id))
    session.flush()
    audit.record(session, audit.Action.CLUSTER, organisation_id=member.organisation_id,
                 actor_user_id=member.user_id, target=case.public_id,
                 change="added", cluster=cluster.public_id)


def add_case(session: Session, member: Membership, cluster_public_id: str,
             case_public_id: str) -> Case:
    cluster = get_cluster(session, member, cluster_public_id)
    case = _case(session, member, case_public_id)
    _readable(session, member, case)
    if session.get(CaseClusterMember, (cluster.id, case.id)) is not None:
        raise Refused(N_("That case is already in this cluster."))
    _add(session, member, cluster, case)
    return case


def remove_case(session: Session, member: Membership, cluster_public_id: str,
                case_public_id: str) -> Case:
    cluster = get_cluster(session, member, cluster_public_id)
    case = _case(session, member, case_public_id)
    _readable(session, member, case)
    removed = session.execute(delete(CaseClusterMember).where(
        CaseClusterMember.cluster_id == cluster.id, CaseClusterMember.case_id == case.id))
    if not getattr(removed, "rowcount", 0):
        raise Refused(N_("That case is not in this cluster."))
    audit.record(session, audit.Action.CLUSTER, organisation_id=member.organisation_id,
                 actor_user_id=member.user_id, target=case.public_id,
                 change="removed", cluster=cluster.public_id)
    return case


@dataclass(frozen=True)
class ClusterCase:
    case: Case
    # Whether the member viewing the cluster can open this case.
    readable: bool


def cases_in(session: Session, member: Membership, cluster: CaseCluster) -> list[ClusterCase]:
    """The cluster's cases (public ids and coded columns only are shown)."""
    _require_key_holder(member)
    if cluster.organisation_id != member.organisation_id:
        raise NotFound("cluster")
    cases = list(session.scalars(
        select(Case).join(CaseClusterMember, CaseClusterMember.case_id == Case.id)
        .where(CaseClusterMember.cluster_id == cluster.id,
               Case.organisation_id == member.organisation_id)
        .order_by(CaseClusterMember.added_at, Case.id)))
    readable = readable_case_ids(session, member, (case.id for case in cases))
    return [ClusterCase(case, case.id in readable) for case in cases]


def cluster_case_ids(session: Session, case_id: int) -> list[int]:
    """The other cases in every cluster ``case_id`` is in (sorted, once each).

    No member check: for services that already decided the member may see
    ``case_id`` (the redaction editor, grants by cluster). Clusters never
    cross organisations (add_case refuses), so neither does this.
    """
    clusters = select(CaseClusterMember.cluster_id).where(CaseClusterMember.case_id == case_id)
    return list(session.scalars(
        select(CaseClusterMember.case_id).distinct()
        .where(CaseClusterMember.cluster_id.in_(clusters), CaseClusterMember.case_id != case_id)
        .order_by(CaseClusterMember.case_id)))


def cluster_cases(session: Session, member: Membership, cluster_public_id: str) -> list[Case]:
    """Every case of the cluster (for grants by cluster), member-checked."""
    return [entry.case for entry in cases_in(
        session, member, get_cluster(session, member, cluster_public_id))]
