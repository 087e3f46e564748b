"""The editor's "Shared with related cases" panel through HTTP: entities a case
shares with the other cases of its clusters, masked in this case, the DECRYPT
events of opening the related cases, and reviewers who cannot open them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from members_fixtures import events
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
)
from sqlalchemy import select
from sqlalchemy.orm import Session
from web_support import IdentityPool, OrgFixture, TotpRegistry

import crypto
from app.models import Case, RedactionVersion, Role
from app.review import detection
from app.review.cluster_entities import entity_id, normalise
from app.review.layers import ACCEPTED, Layer
from app.storage import BlobStore

# Case B names the foreman of case A (in capitals, which the detector alone
# would miss here) and the same city, and a worker case A never names.
OTHER_NARRATIVE = ("In Vladivostok the foreman KIM CHOL-SU beat Choe Myong-il. "
                   "We lived in a container behind the depot.")
OTHER_FIELDS = {"name_dprk": "Choe Myong-il", "russian_location": "Vladivostok"}
ONLY_IN_B = ("Choe Myong-il", "KIM CHOL-SU", "container behind the depot")
SHARED_ROW = re.compile(r"<tr>\s*<td>([^<]+)</td>.*?<td>(\d+) cases: ([^<]+)</td>", re.S)


def _panel(html: str) -> str:
    start = html.index('id="shared-heading"')
    return html[start:html.index("</section>", start)]


def _shared_rows(html: str) -> dict[str, tuple[int, str]]:
    return {words: (int(count), ids) for words, count, ids in SHARED_ROW.findall(_panel(html))}


def _link(user: Any, first: Case, second: Case, reason: str = "same_team") -> str:
    created = user.client.post("/clusters", data={
        "csrf_token": user.csrf_token("/clusters"), "reason": reason,
        "case_public_id": first.public_id})
    assert created.status_code == 302, created.get_data(as_text=True)
    cluster_id = str(created.headers["Location"].rsplit("/", 1)[-1])
    added = user.client.post(f"/clusters/{cluster_id}/cases", data={
        "csrf_token": user.csrf_token(f"/clusters/{cluster_id}"),
        "case_public_id": second.public_id})
    assert added.status_code == 302, added.get_data(as_text=True)
    return cluster_id


def _layer(db: Session, org: OrgFixture, case: Case) -> tuple[int, Layer]:
    """The latest version's number and layer, opened with the reviewer's identity."""
    db.expire_all()
    fresh = db.get(Case, case.id)
    assert fresh is not None
    history = list(db.scalars(select(RedactionVersion).where(
        RedactionVersion.case_id == case.id).order_by(RedactionVersion.number)))
    if not history:
        return 0, Layer()
    identity = org.identities[Role.REVIEWER]
    key = crypto.CaseKey.unwrap(next(w.wrapped_key for w in fresh.key_wraps
                                     if w.recipient == str(identity.recipient)), [identity])
    return history[-1].number, Layer.from_json(
        crypto.open_sealed(history[-1].ciphertext, [key.identity]))


def _masked_everywhere(layer: Layer, texts: dict[str, str], words: str) -> bool:
    spots = [(name, m.start(), m.end()) for name, text in texts.items()
             for m in re.finditer(re.escape(words), text)]
    assert spots, words
    return all(any(s.field == name and s.start <= start and end <= s.end
                   and s.decision == ACCEPTED for s in layer.spans)
               for name, start, end in spots)


TEXTS_A = {"narrative": NARRATIVE, **FIELDS}


@pytest.fixture
def reviewer(app: Flask, demo_org: OrgFixture, totp_registry: TotpRegistry) -> Any:
    return signed_in(app, totp_registry, demo_org.email(Role.REVIEWER))


@pytest.fixture
def pair(db: Session, demo_org: OrgFixture, blobs: BlobStore, reviewer: Any) -> Any:
    """Case A (the editor's) and case B, naming the same foreman and city, linked."""
    a = file_in_redaction(db, demo_org, blobs)
    b = file_in_redaction(db, demo_org, blobs, OTHER_NARRATIVE, OTHER_FIELDS)
    cluster_id = _link(reviewer, a, b)
    return a, b, cluster_id


def test_the_editor_lists_the_names_a_case_shares_with_its_cluster(
        reviewer: Any, pair: Any) -> None:
    a, b, cluster_id = pair
    html = page(reviewer, editor_url(a))
    rows = _shared_rows(html)
    assert rows["Kim Chol-su"] == (2, f"{a.public_id}, {b.public_id}")
    assert rows["Vladivostok"][0] == 2
    assert "Shared with related cases" in html
    assert f'href="/clusters/{cluster_id}"' in _panel(html)
    # Named in A only: not shared. Named in B only: not listed, nor B's words anywhere.
    assert "Pak Yong-ho" not in rows
    for words in ONLY_IN_B:
        assert words not in html
    assert "you cannot open" not in _panel(html)


def test_mask_in_this_case_masks_every_occurrence_in_a_new_version(
        db: Session, demo_org: OrgFixture, blobs: BlobStore, reviewer: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A names the foreman a third time in capitals, and the detector is made to
    # miss that mention: masking a shared entity must not depend on the detector
    # having found every occurrence.
    found_by_detector = detection.spans

    def missing_the_capitals(text: str) -> list[Any]:
        return [span for span in found_by_detector(text)
                if text[span.start:span.end] != "KIM CHOL-SU"]

    monkeypatch.setattr(detection, "spans", missing_the_capitals)
    narrative = f"{NARRATIVE} Everyone feared KIM CHOL-SU."
    a = file_in_redaction(db, demo_org, blobs, narrative)
    _link(reviewer, a, file_in_redaction(db, demo_org, blobs, OTHER_NARRATIVE, OTHER_FIELDS))
    texts = {**TEXTS_A, "narrative": narrative}
    html = page(reviewer, editor_url(a))
    assert "<td>KIM CHOL-SU</td>" not in html  # not a suggestion of the detector
    assert _shared_rows(html)["Kim Chol-su"][0] == 2
    before, _ = _layer(db, demo_org, a)
    response = post(reviewer, f"{editor_url(a)}/shared",
                    {"entity": entity_id(normalise("Kim Chol-su"))}, csrf_from=editor_url(a))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(editor_url(a))
    number, layer = _layer(db, demo_org, a)
    assert number == before + 1
    assert _masked_everywhere(layer, texts, "Kim Chol-su")  # narrative and name field
    assert _masked_everywhere(layer, texts, "KIM CHOL-SU")  # added by hand
    assert not _masked_everywhere(layer, texts, "Vladivostok")
    html = page(reviewer, editor_url(a))
    assert "Masked everywhere" in _panel(html)
    assert 'aria-label="Mask Kim Chol-su in this case"' not in html
    # Masking it again changes nothing: no new version.
    post(reviewer, f"{editor_url(a)}/shared", {"entity": entity_id(normalise("Kim Chol-su"))},
         csrf_from=editor_url(a))
    assert _layer(db, demo_org, a)[0] == number


def test_mask_all_shared_masks_each_shared_entity_in_one_version(
        db: Session, demo_org: OrgFixture, reviewer: Any, pair: Any) -> None:
    a, b, _cluster = pair
    before, _ = _layer(db, demo_org, a)
    response = post(reviewer, f"{editor_url(a)}/shared", {}, csrf_from=editor_url(a))
    assert response.status_code == 303
    number, layer = _layer(db, demo_org, a)
    assert number == before + 1
    for words in ("Kim Chol-su", "Vladivostok"):
        assert _masked_everywhere(layer, TEXTS_A, words)
    # Only the shared words: a name case A alone gives is left to the reviewer.
    assert not _masked_everywhere(layer, TEXTS_A, "Pak Yong-ho")
    # Case B is not touched.
    assert _layer(db, demo_org, b)[0] == 0


def test_a_shared_mask_needs_the_csrf_token(reviewer: Any, pair: Any, db: Session,
                                             demo_org: OrgFixture) -> None:
    a, _b, _cluster = pair
    response = reviewer.client.post(f"{editor_url(a)}/shared", data={})
    assert response.status_code == 400
    assert _layer(db, demo_org, a)[0] == 0


def test_opening_the_related_case_is_audited_once_per_visit(
        db: Session, reviewer: Any, pair: Any) -> None:
    a, b, _cluster = pair

    def opened_b() -> int:
        return sum(1 for e in events(db, "decrypt") if e.target == b.public_id)

    assert opened_b() == 0
    page(reviewer, editor_url(a))
    assert opened_b() == 1
    page(reviewer, editor_url(a))
    post(reviewer, f"{editor_url(a)}/shared", {}, csrf_from=editor_url(a))
    assert opened_b() == 1
    # Nothing of the texts in the event: codes and ids only.
    event = next(e for e in events(db, "decrypt") if e.target == b.public_id)
    assert "Kim" not in str(event.details)
    assert "Vladivostok" not in str(event.details)


def test_a_reviewer_who_cannot_open_the_related_case_sees_only_a_count(
        app: Flask, db: Session, demo_org: OrgFixture, blobs: BlobStore,
        identity_pool: IdentityPool, totp_registry: TotpRegistry, reviewer: Any) -> None:
    # B is filed before the second reviewer joins, so B's key is not wrapped to them.
    b = file_in_redaction(db, demo_org, blobs, OTHER_NARRATIVE, OTHER_FIELDS)
    add_second_reviewer(db, demo_org, identity_pool, totp_registry)
    a = file_in_redaction(db, demo_org, blobs)
    _link(reviewer, a, b)
    second = signed_in(app, totp_registry, SECOND_REVIEWER)

    html = page(second, editor_url(a))
    panel = _panel(html)
    assert "1 related case you cannot open" in panel
    assert _shared_rows(html) == {}
    assert "Kim Chol-su" not in panel
    for words in ONLY_IN_B:
        assert words not in html
    assert not [e for e in events(db, "decrypt") if e.target == b.public_id]
    # Nothing to mask from a case they cannot open.
    post(second, f"{editor_url(a)}/shared", {}, csrf_from=editor_url(a))
    assert _layer(db, demo_org, a)[0] == 0


def test_a_case_in_no_cluster_shows_no_shared_panel(
        db: Session, demo_org: OrgFixture, blobs: BlobStore, reviewer: Any) -> None:
    a = file_in_redaction(db, demo_org, blobs)
    file_in_redaction(db, demo_org, blobs, OTHER_NARRATIVE, OTHER_FIELDS)
    html = page(reviewer, editor_url(a))
    assert "Shared with related cases" not in html
    assert "Suggestions" in html


@pytest.mark.parametrize(("surface", "norm"), [
    ("Kim  Chol-su", "kim chol-su"),
    ("KIM\nCHOL-SU", "kim chol-su"),
    ("김철수", "김철수"),
    ("Владивосток", "Владивосток"),
])
def test_surfaces_are_normalised_case_folded_except_hangul_and_cyrillic(
        surface: str, norm: str) -> None:
    assert normalise(surface) == norm
