"""Clusters: reviewers and admins link cases they can open, within their organisation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from access_support import (
    add_key_holder,
    file_coded_case,
    signed_in,  # noqa: F401 - a fixture
)
from members_fixtures import events
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clusters.service import cluster_case_ids
from app.models import CaseCluster, CaseClusterMember, Role
from app.storage import BlobStore


def _create(user: Any, case_public_id: str, reason: str = "same_team") -> Any:
    return user.client.post("/clusters", data={
        "csrf_token": user.csrf_token("/clusters"), "reason": reason,
        "case_public_id": case_public_id})


def _add(user: Any, cluster_id: str, case_public_id: str) -> Any:
    return user.client.post(f"/clusters/{cluster_id}/cases", data={
        "csrf_token": user.csrf_token(f"/clusters/{cluster_id}"),
        "case_public_id": case_public_id})


def _members(db: Session) -> set[tuple[int, int]]:
    db.expire_all()
    return {(m.cluster_id, m.case_id) for m in db.scalars(select(CaseClusterMember))}


@pytest.fixture
def reviewer(demo_org: Any, signed_in: Any) -> Any:  # noqa: F811
    return signed_in(demo_org.email(Role.REVIEWER))


def _cluster_id(response: Any) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    return str(response.headers["Location"].rsplit("/", 1)[-1])


def test_a_reviewer_links_cases_and_the_editor_finds_the_others(
        db: Session, demo_org: Any, blobs: BlobStore, reviewer: Any) -> None:
    first, second, third = (file_coded_case(db, demo_org, blobs) for _ in range(3))
    cluster_id = _cluster_id(_create(reviewer, first.public_id, "same_site"))
    assert _add(reviewer, cluster_id, second.public_id).status_code == 302

    page = reviewer.client.get(f"/clusters/{cluster_id}").get_data(as_text=True)
    assert first.public_id in page
    assert second.public_id in page
    assert third.public_id not in page
    assert "The witnesses worked at the same site" in page
    listing = reviewer.client.get("/clusters").get_data(as_text=True)
    assert cluster_id in listing
    assert cluster_case_ids(db, first.id) == [second.id]
    assert cluster_case_ids(db, second.id) == [first.id]
    assert cluster_case_ids(db, third.id) == []


def test_cluster_case_ids_spans_every_cluster_of_the_case(
        db: Session, demo_org: Any, blobs: BlobStore, reviewer: Any) -> None:
    hub, team_mate, incident_mate = (file_coded_case(db, demo_org, blobs) for _ in range(3))
    team = _cluster_id(_create(reviewer, hub.public_id, "same_team"))
    _add(reviewer, team, team_mate.public_id)
    incident = _cluster_id(_create(reviewer, incident_mate.public_id, "same_incident"))
    _add(reviewer, incident, hub.public_id)
    assert cluster_case_ids(db, hub.id) == sorted([team_mate.id, incident_mate.id])
    assert cluster_case_ids(db, team_mate.id) == [hub.id]


def test_a_case_is_in_a_cluster_once(db: Session, demo_org: Any, blobs: BlobStore,
                                     reviewer: Any) -> None:
    case = file_coded_case(db, demo_org, blobs)
    cluster_id = _cluster_id(_create(reviewer, case.public_id))
    response = _add(reviewer, cluster_id, case.public_id)
    page = reviewer.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "That case is already in this cluster." in page
    assert len(_members(db)) == 1


def test_removing_a_case_from_a_cluster(db: Session, demo_org: Any, blobs: BlobStore,
                                        reviewer: Any) -> None:
    first, second = file_coded_case(db, demo_org, blobs), file_coded_case(db, demo_org, blobs)
    cluster_id = _cluster_id(_create(reviewer, first.public_id))
    _add(reviewer, cluster_id, second.public_id)
    response = reviewer.client.post(
        f"/clusters/{cluster_id}/cases/{second.public_id}/remove",
        data={"csrf_token": reviewer.csrf_token(f"/clusters/{cluster_id}")})
    assert response.status_code == 302
    assert cluster_case_ids(db, first.id) == []


def test_clusters_do_not_cross_organisations(db: Session, demo_org: Any, make_org: Any,
                                             blobs: BlobStore, reviewer: Any,
                                             signed_in: Any) -> None:  # noqa: F811
    own = file_coded_case(db, demo_org, blobs)
    other = make_org("beta")
    foreign = file_coded_case(db, other, blobs)
    cluster_id = _cluster_id(_create(reviewer, own.public_id))

    response = _add(reviewer, cluster_id, foreign.public_id)
    page = reviewer.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "There is no case with that number in your organisation." in page
    assert _create(reviewer, foreign.public_id).status_code == 400
    assert cluster_case_ids(db, own.id) == []
    assert all(case_id != foreign.id for _, case_id in _members(db))

    stranger = signed_in(other.email(Role.REVIEWER))
    assert stranger.client.get(f"/clusters/{cluster_id}").status_code == 404
    assert _add(stranger, cluster_id, foreign.public_id).status_code == 404
    assert cluster_id not in stranger.client.get("/clusters").get_data(as_text=True)


def test_a_reviewer_links_only_cases_they_can_open(
        db: Session, demo_org: Any, blobs: BlobStore, identity_pool: Any,
        totp_registry: Any, signed_in: Any) -> None:  # noqa: F811
    case = file_coded_case(db, demo_org, blobs)
    late = add_key_holder(db, demo_org, identity_pool, totp_registry, "late")
    user = signed_in(late.email)
    response = _create(user, case.public_id)
    assert response.status_code == 400
    assert "You can only link cases you can open." in response.get_data(as_text=True)
    assert db.scalars(select(CaseCluster)).all() == []


def test_interviewers_cannot_use_clusters(demo_org: Any, signed_in: Any) -> None:  # noqa: F811
    interviewer = signed_in(demo_org.email(Role.INTERVIEWER))
    assert interviewer.client.get("/clusters").status_code == 403


def test_cluster_changes_are_audited_as_codes(db: Session, demo_org: Any, blobs: BlobStore,
                                              reviewer: Any) -> None:
    first, second = file_coded_case(db, demo_org, blobs), file_coded_case(db, demo_org, blobs)
    cluster_id = _cluster_id(_create(reviewer, first.public_id, "same_employer"))
    _add(reviewer, cluster_id, second.public_id)
    changes = [(e.target, e.details["change"]) for e in events(db, "cluster")]
    assert changes == [(f"cluster:{cluster_id}", "created"), (first.public_id, "added"),
                       (second.public_id, "added")]
    text = json.dumps([e.details for e in events(db, "cluster")])
    assert "Pak" not in text
    assert demo_org.email(Role.REVIEWER) not in text
