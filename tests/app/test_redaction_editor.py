"""The redaction editor through HTTP: suggestions, decisions, typed phrases,
sealed versions and the second sweep."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from flask import Flask
from review_fixtures import (
    FIELDS,
    NARRATIVE,
    SECOND_REVIEWER,
    add_second_reviewer,
    editor_url,
    file_in_redaction,
    page,
    post,
    signed_in,
    span_key,
)
from sqlalchemy import select
from sqlalchemy.orm import Session
from web_support import OrgFixture, TotpRegistry

import crypto
from app.cases import workflow
from app.models import Case, CaseStatus, RedactionVersion, Role
from app.redaction.spans import Span
from app.review import detection
from app.review.layers import Layer, LayerSpan
from app.storage import BlobStore


@pytest.fixture
def case(db: Session, demo_org: OrgFixture, blobs: BlobStore) -> Any:
    return file_in_redaction(db, demo_org, blobs)


@pytest.fixture
def reviewer(app: Flask, demo_org: OrgFixture, totp_registry: TotpRegistry) -> Any:
    return signed_in(app, totp_registry, demo_org.email(Role.REVIEWER))


def _decide(user: Any, case: Any, key: str, decision: str) -> Any:
    return post(user, f"{editor_url(case)}/decide", {"span": key, "decision": decision},
                csrf_from=editor_url(case))


def _versions(db: Session, case: Any) -> list[RedactionVersion]:
    db.expire_all()
    return list(db.scalars(select(RedactionVersion).where(
        RedactionVersion.case_id == case.id).order_by(RedactionVersion.number)))


def _layer(db: Session, org: OrgFixture, version: RedactionVersion) -> Layer:
    """Open a version with the reviewer's identity, as only a key holder can."""
    case = db.get(Case, version.case_id)
    assert case is not None
    identity = org.identities[Role.REVIEWER]
    key = crypto.CaseKey.unwrap(next(w.wrapped_key for w in case.key_wraps
                                     if w.recipient == str(identity.recipient)), [identity])
    return Layer.from_json(crypto.open_sealed(version.ciphertext, [key.identity]))


def test_a_name_in_two_fields_is_suggested_in_both_with_one_pseudonym(
        reviewer: Any, case: Any) -> None:
    html = page(reviewer, editor_url(case))
    assert span_key(html, "narrative", "Kim Chol-su", NARRATIVE)
    assert span_key(html, "name_dprk", "Kim Chol-su", FIELDS["name_dprk"])
    rows = re.findall(r"<td[^>]*>Kim Chol-su</td>.*?<td>(\[PERSON [A-Z]+\])</td>", html, re.S)
    assert len(rows) == 2, rows
    assert rows[0] == rows[1]
    assert "<td>Person</td>" in html
    assert "<td>Direct identifier</td>" in html
    assert "<td>Quasi-identifier</td>" in html
    # Side by side: the pseudonymised text carries the label where the name was.
    assert f"Our foreman {rows[0]} took our passports" in html


def test_accept_and_reject_save_new_versions_with_the_author(
        reviewer: Any, case: Any, db: Session, demo_org: OrgFixture) -> None:
    html = page(reviewer, editor_url(case))
    kim = span_key(html, "narrative", "Kim Chol-su", NARRATIVE)
    city = span_key(html, "narrative", "Vladivostok", NARRATIVE)
    assert _decide(reviewer, case, kim, "accepted").status_code == 303
    assert _decide(reviewer, case, city, "rejected").status_code == 303
    versions = _versions(db, case)
    assert [v.number for v in versions] == [1, 2]
    assert {v.author_membership_id for v in versions} == {demo_org.members[Role.REVIEWER].id}
    assert (versions[0].accepted_count, versions[1].rejected_count) == (1, 1)
    decisions = {s.key: s.decision for s in _layer(db, demo_org, versions[-1]).spans}
    assert (decisions[kim], decisions[city]) == ("accepted", "rejected")
    html = page(reviewer, editor_url(case))
    # A kept place is not pseudonymised any more; the history lists both saves.
    assert "took our passports in Vladivostok." in html
    assert re.search(r"<td>2</td>\s*<td>reviewer@alpha.test</td>", html)


def test_the_layer_is_sealed_no_name_in_the_row(reviewer: Any, case: Any, db: Session) -> None:
    html = page(reviewer, editor_url(case))
    _decide(reviewer, case, span_key(html, "narrative", "Kim Chol-su", NARRATIVE), "accepted")
    (version,) = _versions(db, case)
    row = b"".join(str(value).encode() if not isinstance(value, bytes) else value
                   for value in db.execute(select(RedactionVersion.__table__)).one())
    assert b"Kim" not in row
    assert b"PERSON" not in row
    assert version.ciphertext.startswith(b"age-encryption.org/v1")


def test_accept_a_whole_category(reviewer: Any, case: Any, db: Session,
                                 demo_org: OrgFixture) -> None:
    response = post(reviewer, f"{editor_url(case)}/accept-group", {"group": "PERSON"},
                    csrf_from=editor_url(case))
    assert response.status_code == 303
    layer = _layer(db, demo_org, _versions(db, case)[-1])
    people = [s for s in layer.spans if s.category == "PERSON"]
    assert len(people) >= 3  # Kim twice, Pak once
    assert all(s.decision == "accepted" for s in people)
    assert all(s.decision == "pending" for s in layer.spans if s.category != "PERSON")


def test_a_typed_phrase_is_offered_wherever_it_occurs(reviewer: Any, db: Session,
                                                      demo_org: OrgFixture,
                                                      blobs: BlobStore) -> None:
    case = file_in_redaction(db, demo_org, blobs,
                             narrative="The site was called Blue Gate. Blue Gate had a fence.",
                             fields={"employer": "the Blue Gate company"})
    response = post(reviewer, f"{editor_url(case)}/phrase",
                    {"phrase": "Blue Gate", "category": "ORG", "id_type": "QUASI"},
                    csrf_from=editor_url(case))
    assert response.status_code == 303
    layer = _layer(db, demo_org, _versions(db, case)[-1])
    manual = sorted((s.field, s.start) for s in layer.spans if s.source == "manual")
    assert manual == [("employer", 4), ("narrative", 20), ("narrative", 31)]
    html = page(reviewer, editor_url(case))
    assert "3 place(s) in the text added." in html
    assert html.count("(added by hand)") == 3


def test_a_selection_masks_that_occurrence_only(reviewer: Any, case: Any, db: Session,
                                                demo_org: OrgFixture) -> None:
    start = NARRATIVE.index("the site")
    response = post(reviewer, f"{editor_url(case)}/phrase",
                    {"phrase": "the site", "category": "PLACE", "id_type": "QUASI",
                     "field": "narrative", "start": start, "end": start + 8},
                    csrf_from=editor_url(case))
    assert response.status_code == 303
    layer = _layer(db, demo_org, _versions(db, case)[-1])
    (added,) = [s for s in layer.spans if s.source == "manual"]
    assert (added.start, added.decision) == (start, "accepted")


def test_a_selection_that_does_not_match_the_text_is_refused(reviewer: Any, case: Any,
                                                            db: Session) -> None:
    response = post(reviewer, f"{editor_url(case)}/phrase",
                    {"phrase": "nothing like it", "category": "PLACE", "id_type": "QUASI",
                     "field": "narrative", "start": 0, "end": 15}, csrf_from=editor_url(case))
    assert response.status_code == 303
    assert _versions(db, case) == []


def _sweep_keys(html: str) -> list[str]:
    return sorted(set(re.findall(r'name="sweep-([^"]+)"', html)))


def test_the_sweep_lists_unmasked_lookalikes_and_blocks_submission(
        reviewer: Any, case: Any, db: Session) -> None:
    post(reviewer, f"{editor_url(case)}/accept-group", {"group": "DIRECT"},
         csrf_from=editor_url(case))
    post(reviewer, f"{editor_url(case)}/accept-group", {"group": "QUASI"},
         csrf_from=editor_url(case))
    html = page(reviewer, editor_url(case))
    keys = _sweep_keys(html)
    boss = NARRATIVE.index("Boss")
    assert f"narrative:{boss}:{boss + 4}" in keys  # a capital not at a sentence start
    refused = post(reviewer, f"{editor_url(case)}/submit", {}, csrf_from=editor_url(case))
    assert refused.status_code == 303
    assert "Not submitted" in page(reviewer, editor_url(case))
    db.expire_all()
    assert case.status is CaseStatus.IN_REDACTION
    decisions = {f"sweep-{key}": "safe" for key in keys}
    decisions[f"sweep-narrative:{boss}:{boss + 4}"] = "mask"
    post(reviewer, f"{editor_url(case)}/sweep", decisions, csrf_from=editor_url(case))
    html = page(reviewer, editor_url(case))
    assert _sweep_keys(html) == []
    assert "Later the [DETAIL] paid" in html
    done = post(reviewer, f"{editor_url(case)}/submit", {}, csrf_from=editor_url(case))
    assert done.status_code == 303
    assert done.headers["Location"].endswith(f"/cases/{case.public_id}/approval")
    db.expire_all()
    assert case.status is CaseStatus.AWAITING_APPROVAL


def test_posts_need_a_csrf_token(reviewer: Any, case: Any, db: Session) -> None:
    html = page(reviewer, editor_url(case))
    key = span_key(html, "narrative", "Kim Chol-su", NARRATIVE)
    response = reviewer.client.post(f"{editor_url(case)}/decide",
                                    data={"span": key, "decision": "accepted"})
    assert response.status_code == 400
    assert _versions(db, case) == []


def test_an_interviewer_gets_403(app: Flask, case: Any, demo_org: OrgFixture,
                                 totp_registry: TotpRegistry) -> None:
    user = signed_in(app, totp_registry, demo_org.email(Role.INTERVIEWER), unlocked=False)
    assert user.client.get(editor_url(case)).status_code == 403


def test_a_reviewer_without_a_wrap_gets_403(app: Flask, case: Any, db: Session,
                                            demo_org: OrgFixture, identity_pool: Any,
                                            totp_registry: TotpRegistry) -> None:
    add_second_reviewer(db, demo_org, identity_pool, totp_registry)  # after the case: no wrap
    user = signed_in(app, totp_registry, SECOND_REVIEWER)
    response = user.client.get(editor_url(case))
    assert response.status_code == 403
    assert "Kim" not in response.get_data(as_text=True)


def test_a_locked_key_shows_the_unlock_page_without_content(
        app: Flask, case: Any, demo_org: OrgFixture, totp_registry: TotpRegistry) -> None:
    user = signed_in(app, totp_registry, demo_org.email(Role.REVIEWER), unlocked=False)
    html = page(user, editor_url(case))
    assert "Unlock your key" in html
    assert "Kim" not in html


def test_another_status_shows_a_read_only_view(reviewer: Any, db: Session,
                                               demo_org: OrgFixture, blobs: BlobStore) -> None:
    case = file_in_redaction(db, demo_org, blobs)
    workflow.change_status(db, case, CaseStatus.IN_REVIEW, actor=demo_org.members[Role.ADMIN],
                           reason=workflow.Reason.CODING_ERROR)
    db.commit()
    html = page(reviewer, editor_url(case))
    assert "In review" in html
    assert "can be changed only while the case is in redaction" in html
    assert 'name="span"' not in html
    refused = post(reviewer, f"{editor_url(case)}/accept-group", {"group": "PERSON"},
                   csrf_from=editor_url(case))
    assert refused.status_code == 409


@pytest.mark.parametrize(("status", "link"), [
    (CaseStatus.IN_REDACTION, "Open the redaction editor"),
    (CaseStatus.AWAITING_APPROVAL, "Review the redaction for approval"),
    (CaseStatus.IN_REVIEW, None),
])
def test_the_case_view_partial_links_by_status(app: Flask, case: Any, demo_org: OrgFixture,
                                               status: CaseStatus, link: str | None) -> None:
    case.status = status
    with app.test_request_context():
        html = app.jinja_env.get_template("cases/_redaction_link.html").render(
            case=case, membership=demo_org.members[Role.REVIEWER])
        interviewer = app.jinja_env.get_template("cases/_redaction_link.html").render(
            case=case, membership=demo_org.members[Role.INTERVIEWER])
    if link is None:
        assert "href" not in html
    else:
        assert link in html
        assert case.public_id in html
    assert "href" not in interviewer


def test_the_workers_span_cache_holds_no_text_and_gives_the_same_page(
        reviewer: Any, case: Any) -> None:
    detection.clear_cache()
    first = page(reviewer, editor_url(case))
    second = page(reviewer, editor_url(case))
    suggestions = re.compile(r'name="span" value="([^"]+)"')
    assert suggestions.findall(first) == suggestions.findall(second)
    cached = dict(detection._cache)  # the module's own store, inspected
    assert cached, "the editor did not use the worker's detector cache"
    for key, spans in cached.items():
        assert key not in {hashlib.sha256(text.encode()).digest()
                           for text in (NARRATIVE, *FIELDS.values())}
        assert all(isinstance(span, Span) for span in spans)
    assert detection.detector() is detection.detector()


def test_a_decision_on_a_span_the_detector_no_longer_finds_is_kept(
        reviewer: Any, case: Any, db: Session) -> None:
    # A version saved when an earlier detector suggested "foreman" and it was accepted.
    start = NARRATIVE.index("foreman")
    old = Layer(spans=[LayerSpan("narrative", start, start + 7, "DEM", "QUASI", "accepted",
                                 "[DETAIL]", "detector")])
    db.add(RedactionVersion(case_id=case.id, number=1, author_membership_id=None,
                            ciphertext=crypto.seal(old.to_json(), [
                                crypto.parse_recipient(case.case_recipient)])))
    db.commit()
    html = page(reviewer, editor_url(case))
    assert "Our [DETAIL] [PERSON A] took our passports" in html
