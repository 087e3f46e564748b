"""The navigation bar per role, and the one page a suspended or removed member sees."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.models import Membership, Role

NAV = re.compile(r'<nav aria-label="Main">(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>')


def nav_links(page: str) -> list[tuple[str, str, bool]]:
    found = NAV.search(page)
    if found is None:
        return []
    return [(label, href, bool(current)) for href, current, label in LINK.findall(found.group(1))]


@pytest.mark.parametrize(("role", "labels"), [
    (Role.INTERVIEWER, ["Record an interview", "My submissions"]),
    (Role.REVIEWER, ["Queue"]),
    # Exports come from another package: not linked until it is installed.
    (Role.ADMIN, ["Queue", "Members", "Grants", "Audit", "Exports", "Retention"]),
])
def test_each_role_sees_its_own_links_and_every_link_opens(
        web: Any, demo_org: Any, role: Role, labels: list[str]) -> None:
    web.sign_in(demo_org.email(role))
    links = nav_links(web.client.get("/").get_data(as_text=True))
    assert [label for label, _href, _current in links] == labels
    for label, href, _current in links:
        response = web.client.get(href)
        assert response.status_code == 200, label
        here = nav_links(response.get_data(as_text=True))
        assert [name for name, _h, current in here if current] == [label]


def test_the_nav_marks_no_link_current_on_other_pages(web: Any, demo_org: Any) -> None:
    web.sign_in(demo_org.email(Role.ADMIN))
    links = nav_links(web.client.get("/account").get_data(as_text=True))
    assert links
    assert not any(current for _label, _href, current in links)


def _end(db: Session, membership: Membership, *, removed: bool) -> None:
    db.execute(update(Membership).where(Membership.id == membership.id).values(
        active=False, removed_at=datetime.now(UTC) if removed else None))
    db.commit()


@pytest.mark.parametrize(("removed", "word"), [(False, "suspended"), (True, "removed")])
def test_a_member_without_access_sees_one_page_that_says_why(
        db: Session, web: Any, demo_org: Any, removed: bool, word: str) -> None:
    _end(db, demo_org.members[Role.REVIEWER], removed=removed)
    web.sign_in(demo_org.email(Role.REVIEWER))
    response = web.client.get("/", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert (f"Your access to <strong>{demo_org.organisation.name}</strong> has been\n{word}"
            in page)
    assert "contact your administrator" in page.lower()
    assert "Choose an organisation" not in page
    assert nav_links(page) == []
    assert 'action="/logout"' in page
    # Every member page leads back to the same explanation, not an empty chooser.
    for path in ("/queue", "/key", "/intake/mine"):
        assert web.client.get(path, follow_redirects=True).status_code == 403, path
