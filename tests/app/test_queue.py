"""The review queue through the real HTTP path: who sees which cases, filters,
sorts, keyset pages, bad cursors, assignment and priority, and that listing
never decrypts. Cases are seeded without sealing (queue_data.py)."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable, Sequence
from typing import Any

import pyrage
import pytest
from intake_data import file_case
from queue_data import SeededCase, generate, insert_cases
from sqlalchemy import select, update
from sqlalchemy.orm import Session

import crypto
from app.models import AuditEvent, Case, Membership, Priority, Role
from app.orgs.service import add_member
from app.queue.service import STATUS_ORDER
from app.storage import BlobStore

ROW = re.compile(r'<tr class="case-row" data-case="([^"]+)">')
NEXT = re.compile(r'<a href="([^"]+)" rel="next">')
NO_KEY = "Not granted to you: cannot be opened"


def key_id(org: Any, role: Role) -> int:
    key = org.members[role].current_key
    assert key is not None
    return int(key.id)


def listed(user: Any, query: str = "") -> list[list[str]]:
    """Every page of the queue for ``query``, following the Next links: ids per page."""
    pages: list[list[str]] = []
    url: str | None = "/queue" + (f"?{query}" if query else "")
    while url is not None:
        response = user.client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)[-500:]
        page = response.get_data(as_text=True)
        pages.append(ROW.findall(page))
        found = NEXT.search(page)
        url = html.unescape(found.group(1)) if found else None
        assert len(pages) < 100, "the pages never end"
    return pages


def flat(pages: Sequence[Sequence[str]]) -> list[str]:
    return [public_id for page in pages for public_id in page]


def test_a_reviewer_lists_only_the_cases_granted_to_them(
        db: Session, web: Any, make_org: Any) -> None:
    own, other = make_org("alpha"), make_org("beta")
    cases = list(generate(12, seed=1))
    granted, withheld = cases[:7], cases[7:]
    insert_cases(db, own.organisation.id, granted, wrap_to=[key_id(own, Role.REVIEWER)])
    insert_cases(db, own.organisation.id, withheld, wrap_to=[key_id(own, Role.ADMIN)])
    elsewhere = list(generate(4, seed=2))
    insert_cases(db, other.organisation.id, elsewhere, wrap_to=[key_id(other, Role.REVIEWER)])
    web.sign_in(own.email(Role.REVIEWER))

    assert sorted(flat(listed(web))) == sorted(case.public_id for case in granted)
    page = web.client.get("/queue").get_data(as_text=True)
    assert NO_KEY not in page


def test_an_admin_lists_every_case_of_the_organisation_and_sees_which_they_cannot_open(
        db: Session, web: Any, make_org: Any) -> None:
    own, other = make_org("alpha"), make_org("beta")
    cases = list(generate(9, seed=3))
    openable, closed = cases[:4], cases[4:]
    insert_cases(db, own.organisation.id, openable, wrap_to=[key_id(own, Role.ADMIN)])
    insert_cases(db, own.organisation.id, closed, wrap_to=[key_id(own, Role.REVIEWER)])
    insert_cases(db, other.organisation.id, list(generate(3, seed=4)),
                 wrap_to=[key_id(other, Role.ADMIN)])
    web.sign_in(own.email(Role.ADMIN))

    page = web.client.get("/queue").get_data(as_text=True)
    assert sorted(ROW.findall(page)) == sorted(case.public_id for case in cases)
    marked = {public_id for public_id, chunk in zip(
        ROW.findall(page), re.split(ROW, page)[2::2], strict=True) if NO_KEY in chunk}
    assert marked == {case.public_id for case in closed}


@pytest.fixture
def seeded(db: Session, make_org: Any) -> tuple[Any, list[SeededCase]]:
    """130 cases granted to alpha's reviewer and admin, some assigned; seven
    filed at each instant so that ties must be broken by id."""
    org = make_org("alpha")
    cases = list(generate(130, seed=5, same_instant_every=7))
    ids = insert_cases(db, org.organisation.id, cases,
                       wrap_to=[key_id(org, Role.REVIEWER), key_id(org, Role.ADMIN)])
    reviewer, admin = org.members[Role.REVIEWER].id, org.members[Role.ADMIN].id
    for case in cases[::5]:
        db.execute(update(Case).where(Case.id == ids[case.public_id]).values(
            assignee_membership_id=reviewer))
    for case in cases[1::9]:
        db.execute(update(Case).where(Case.id == ids[case.public_id]).values(
            assignee_membership_id=admin))
    db.commit()
    return org, cases


def _assignee(case: SeededCase, org: Any) -> int | None:
    # As seeded: the admin's assignments come second and win.
    if case.index % 9 == 1:
        return int(org.members[Role.ADMIN].id)
    if case.index % 5 == 0:
        return int(org.members[Role.REVIEWER].id)
    return None


FILTERS: dict[str, Callable[[SeededCase, Any], bool]] = {
    "status=in_review": lambda c, _o: c.status.value == "in_review",
    "sector=logging": lambda c, _o: c.sector == "logging",
    "indicator=deception&indicator=debt_bondage":
        lambda c, _o: bool(c.present & {"deception", "debt_bondage"}),
    "priority=2": lambda c, _o: c.priority is Priority.HIGH,
    "assignee=me": lambda c, o: _assignee(c, o) == o.members[Role.REVIEWER].id,
    "assignee=nobody": lambda c, o: _assignee(c, o) is None,
    "status=submitted&sector=construction&priority=1":
        lambda c, _o: (c.status.value, c.sector, c.priority) == ("submitted", "construction",
                                                                 Priority.NORMAL),
}


def test_each_filter_lists_exactly_the_matching_cases(
        web: Any, seeded: tuple[Any, list[SeededCase]]) -> None:
    org, cases = seeded
    web.sign_in(org.email(Role.REVIEWER))
    admin_id = org.members[Role.ADMIN].id
    checks = {**FILTERS, f"assignee={admin_id}":
              lambda c, o: _assignee(c, o) == o.members[Role.ADMIN].id}
    for query, matches in checks.items():
        expected = sorted(case.public_id for case in cases if matches(case, org))
        assert expected, f"the seed gives no case for {query}"
        assert sorted(flat(listed(web, query))) == expected, query


def _ordered(cases: Sequence[SeededCase], sort: str) -> list[str]:
    # Ids grow with the index (inserted in order): the tie-breaker.
    keys: dict[str, Callable[[SeededCase], Any]] = {
        "newest": lambda c: (-c.created_at.timestamp(), -c.index),
        "oldest": lambda c: (c.created_at.timestamp(), c.index),
        "priority": lambda c: (-int(c.priority), -c.created_at.timestamp(), -c.index),
        "status": lambda c: (STATUS_ORDER.index(c.status), c.created_at.timestamp(), c.index),
    }
    return [case.public_id for case in sorted(cases, key=keys[sort])]


@pytest.mark.parametrize("sort", ["newest", "oldest", "priority", "status"])
def test_each_sort_pages_through_every_case_once_in_order(
        web: Any, seeded: tuple[Any, list[SeededCase]], sort: str) -> None:
    org, cases = seeded
    web.sign_in(org.email(Role.ADMIN))
    pages = listed(web, f"sort={sort}")
    assert [len(page) for page in pages] == [50, 50, 30]
    assert flat(pages) == _ordered(cases, sort)


def test_a_filtered_sort_pages_through_the_matching_cases_once(
        web: Any, seeded: tuple[Any, list[SeededCase]]) -> None:
    org, cases = seeded
    web.sign_in(org.email(Role.REVIEWER))
    matching = [c for c in cases if c.present & {"isolation", "deception", "debt_bondage"}]
    assert len(matching) > 50
    pages = listed(web, "indicator=isolation&indicator=deception&indicator=debt_bondage"
                        "&sort=priority")
    assert len(pages) > 1
    assert flat(pages) == _ordered(matching, "priority")


def test_the_status_order_with_a_status_filter_pages_through_that_status_once(
        web: Any, seeded: tuple[Any, list[SeededCase]]) -> None:
    org, cases = seeded
    web.sign_in(org.email(Role.REVIEWER))
    submitted = [c for c in cases if c.status.value == "submitted"]
    assert len(submitted) > 50
    pages = listed(web, "status=submitted&sort=status")
    assert len(pages) == 2
    assert flat(pages) == _ordered(submitted, "status")


def _cursor(*values: Any) -> str:
    raw = ("[" + ",".join(f'"{v}"' if isinstance(v, str) else str(v) for v in values) + "]")
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize("cursor", [
    "not-a-cursor!", "%%%", "x" * 300, _cursor("oldest", "2026-01-01T00:00:00", 5),
    _cursor("newest", "2026-01-01T00:00:00", "5"), _cursor("newest", "yesterday", 5),
    _cursor("newest", "2026-01-01T00:00:00", 2**40), _cursor("newest", 5),
    base64.urlsafe_b64encode(b'{"a": 1}').decode(),
])
def test_a_bad_cursor_is_a_400_that_says_so(
        web: Any, demo_org: Any, cursor: str) -> None:
    web.sign_in(demo_org.email(Role.REVIEWER))
    response = web.client.get("/queue", query_string={"after": cursor})
    assert response.status_code == 400
    assert "Start again from the first page" in response.get_data(as_text=True)


def test_an_unknown_filter_value_is_a_400(web: Any, demo_org: Any) -> None:
    web.sign_in(demo_org.email(Role.REVIEWER))
    for query in ("status=redacted", "sector=mining", "indicator=nothing", "priority=9",
                  "sort=random", "assignee=12345678"):
        assert web.client.get(f"/queue?{query}").status_code == 400, query


def test_listing_the_queue_never_decrypts(
        db: Session, web: Any, demo_org: Any, blobs: BlobStore,
        monkeypatch: pytest.MonkeyPatch) -> None:
    real = file_case(db, demo_org, blobs)
    insert_cases(db, demo_org.organisation.id, list(generate(60, seed=6)),
                 wrap_to=[key_id(demo_org, Role.REVIEWER)])
    web.sign_in(demo_org.email(Role.REVIEWER))

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the queue decrypted something")

    for module, name in ((pyrage, "decrypt"), (pyrage, "decrypt_io"),
                         (pyrage.passphrase, "decrypt"), (crypto, "open_sealed"),
                         (crypto, "open_stream"), (crypto, "unprotect_identity"),
                         (crypto.envelope, "open_sealed"), (crypto.envelope, "open_stream")):
        monkeypatch.setattr(module, name, refuse)
    pages = listed(web, "sort=oldest")
    assert real.public_id in flat(pages)
    listed(web, "indicator=deception&sort=status")
    decrypts = db.scalars(select(AuditEvent).where(AuditEvent.action == "decrypt")).all()
    assert decrypts == []


# --- assignment and priority ----------------------------------------------------------

def post(user: Any, url: str, data: dict[str, str]) -> Any:
    token = user.csrf_token("/queue")
    return user.client.post(url, data={**data, "csrf_token": token})


def assigned(db: Session, public_id: str) -> int | None:
    db.expire_all()
    case = db.scalars(select(Case).where(Case.public_id == public_id)).one()
    return case.assignee_membership_id


def events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)
                           .order_by(AuditEvent.id)))


@pytest.fixture
def two_cases(db: Session, demo_org: Any) -> list[str]:
    cases = list(generate(2, seed=7))
    insert_cases(db, demo_org.organisation.id, cases,
                 wrap_to=[key_id(demo_org, Role.REVIEWER), key_id(demo_org, Role.ADMIN)])
    return [case.public_id for case in cases]


def test_a_reviewer_takes_and_releases_a_case_and_both_are_audited_with_ids(
        db: Session, web: Any, demo_org: Any, two_cases: list[str]) -> None:
    web.sign_in(demo_org.email(Role.REVIEWER))
    reviewer = demo_org.members[Role.REVIEWER]
    case = two_cases[0]
    response = post(web, f"/cases/{case}/assign", {"assignee": "me", "next": "/queue?sort=oldest"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/queue?sort=oldest"
    assert assigned(db, case) == reviewer.id
    assert post(web, f"/cases/{case}/assign", {"assignee": ""}).status_code == 303
    assert assigned(db, case) is None
    moves = events(db, "case_assigned")
    assert [(e.target, e.details) for e in moves] == [
        # The audit log leaves out empty values: no "from" is from nobody.
        (case, {"to_membership_id": reviewer.id}),
        (case, {"from_membership_id": reviewer.id})]
    assert all(e.actor_user_id == reviewer.user_id for e in moves)


def test_a_reviewer_cannot_assign_others_nor_take_a_case_someone_holds(
        db: Session, web: Any, demo_org: Any, two_cases: list[str]) -> None:
    admin = demo_org.members[Role.ADMIN]
    web.sign_in(demo_org.email(Role.REVIEWER))
    first, second = two_cases
    assert post(web, f"/cases/{first}/assign",
                {"assignee": str(admin.id)}).status_code == 403
    db.execute(update(Case).where(Case.public_id == second).values(
        assignee_membership_id=admin.id))
    db.commit()
    assert post(web, f"/cases/{second}/assign", {"assignee": "me"}).status_code == 403
    assert post(web, f"/cases/{second}/assign", {"assignee": ""}).status_code == 403
    assert assigned(db, first) is None
    assert assigned(db, second) == admin.id
    assert events(db, "case_assigned") == []


def test_an_admin_assigns_only_key_holders_with_a_wrap_for_the_case(
        db: Session, web: Any, demo_org: Any, make_org: Any) -> None:
    reviewer, interviewer = demo_org.members[Role.REVIEWER], demo_org.members[Role.INTERVIEWER]
    cases = list(generate(2, seed=8))
    insert_cases(db, demo_org.organisation.id, cases[:1],
                 wrap_to=[key_id(demo_org, Role.REVIEWER)])
    insert_cases(db, demo_org.organisation.id, cases[1:],
                 wrap_to=[key_id(demo_org, Role.ADMIN)])
    granted, not_granted = cases[0].public_id, cases[1].public_id
    other = make_org("beta")
    web.sign_in(demo_org.email(Role.ADMIN))

    assert post(web, f"/cases/{granted}/assign",
                {"assignee": str(reviewer.id)}).status_code == 303
    assert assigned(db, granted) == reviewer.id
    # No wrap for the reviewer; an interviewer; a member of another organisation.
    assert post(web, f"/cases/{not_granted}/assign",
                {"assignee": str(reviewer.id)}).status_code == 403
    for member in (interviewer, other.members[Role.REVIEWER]):
        assert post(web, f"/cases/{granted}/assign",
                    {"assignee": str(member.id)}).status_code == 403
    assert assigned(db, granted) == reviewer.id
    assert assigned(db, not_granted) is None
    assert len(events(db, "case_assigned")) == 1


def test_cases_of_another_organisation_cannot_be_assigned_or_prioritised(
        db: Session, web: Any, demo_org: Any, make_org: Any) -> None:
    other = make_org("beta")
    theirs = list(generate(1, seed=9))
    insert_cases(db, other.organisation.id, theirs, wrap_to=[key_id(other, Role.REVIEWER)])
    web.sign_in(demo_org.email(Role.ADMIN))
    public_id = theirs[0].public_id
    assert post(web, f"/cases/{public_id}/assign", {"assignee": ""}).status_code == 404
    assert post(web, f"/cases/{public_id}/priority", {"priority": "3"}).status_code == 404
    assert public_id not in flat(listed(web))


def test_priority_is_set_on_granted_cases_and_audited_with_codes(
        db: Session, web: Any, demo_org: Any) -> None:
    cases = list(generate(2, seed=10))
    insert_cases(db, demo_org.organisation.id, cases[:1],
                 wrap_to=[key_id(demo_org, Role.REVIEWER)])
    insert_cases(db, demo_org.organisation.id, cases[1:],
                 wrap_to=[key_id(demo_org, Role.ADMIN)])
    web.sign_in(demo_org.email(Role.REVIEWER))
    mine, not_mine = cases[0].public_id, cases[1].public_id
    before = int(cases[0].priority)
    target = "3" if before != 3 else "0"
    assert post(web, f"/cases/{mine}/priority", {"priority": target}).status_code == 303
    assert post(web, f"/cases/{not_mine}/priority", {"priority": "3"}).status_code == 404
    assert post(web, f"/cases/{mine}/priority", {"priority": "7"}).status_code == 400
    db.expire_all()
    stored = {c.public_id: c.priority for c in db.scalars(select(Case))}
    assert stored == {mine: int(target), not_mine: int(cases[1].priority)}
    [event] = events(db, "priority_changed")
    assert (event.target, event.details) == (
        mine, {"from_priority": before, "to_priority": int(target)})


def test_assign_and_priority_need_a_csrf_token(
        db: Session, web: Any, demo_org: Any, two_cases: list[str]) -> None:
    web.sign_in(demo_org.email(Role.ADMIN))
    case = two_cases[0]
    assert web.client.post(f"/cases/{case}/assign", data={"assignee": "me"}).status_code == 400
    assert web.client.post(f"/cases/{case}/priority", data={"priority": "3"}).status_code == 400
    assert assigned(db, case) is None
    assert events(db, "case_assigned") == events(db, "priority_changed") == []


# --- the interviewer's own submissions ------------------------------------------------

def test_an_interviewer_lists_what_they_filed_with_receipt_hashes_and_no_content(
        db: Session, web: Any, demo_org: Any, blobs: BlobStore) -> None:
    interviewer = demo_org.members[Role.INTERVIEWER]
    real = file_case(db, demo_org, blobs)
    seeded = list(generate(55, seed=11))
    insert_cases(db, demo_org.organisation.id, seeded, filed_by=interviewer.id)
    colleague = add_member(db, demo_org.organisation, "colleague@alpha.test", "x" * 20,
                           Role.INTERVIEWER, must_change_password=False)
    db.commit()
    insert_cases(db, demo_org.organisation.id, list(generate(3, seed=12)),
                 filed_by=colleague.id)
    web.sign_in(demo_org.email(Role.INTERVIEWER))

    first = web.client.get("/intake/mine").get_data(as_text=True)
    ids = re.findall(r'class="case-id" href="/intake/receipts/([0-9a-zA-Z_-]+)"', first)
    found = NEXT.search(first)
    assert found is not None
    second = web.client.get(html.unescape(found.group(1))).get_data(as_text=True)
    ids += re.findall(r'class="case-id" href="/intake/receipts/([0-9a-zA-Z_-]+)"', second)
    assert sorted(ids) == sorted([real.public_id] + [c.public_id for c in seeded])
    assert len(ids) == len(set(ids))
    assert NEXT.search(second) is None
    page = first + second
    for obj in real.sealed_objects:
        assert obj.sha256 in page
    assert "Submitted" in page
    assert "CanaryQx7Zebra" not in page


def test_own_submissions_are_for_interviewers_only(
        db: Session, web: Any, demo_org: Any) -> None:
    membership = db.get(Membership, demo_org.members[Role.REVIEWER].id)
    assert membership is not None
    web.sign_in(demo_org.email(Role.REVIEWER))
    assert web.client.get("/intake/mine").status_code == 403
