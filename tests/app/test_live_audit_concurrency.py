"""A burst of writers on SQLite: every request gets an answer, none a 5xx.

The security review sent 100 concurrent failed sign-ins to a live server on
SQLite: 4 came back 503, because two transactions read the same audit head
(``SELECT ... FOR UPDATE`` does nothing on SQLite) and one then failed on the
sequence number. The head is now moved with an UPDATE first, which takes
SQLite's write lock before the head is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from live_server import LiveServer, serving
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from web_support import CSRF_PATTERN

from app.config import Settings
from app.models import AuditEvent

# A live gunicorn: `make test-slow` (CI runs it too).
pytestmark = pytest.mark.slow

ATTEMPTS = 100


@pytest.fixture
def server(settings: Settings, tmp_path: Path, demo_org: Any) -> Iterator[LiveServer]:
    # Limits out of the way: this is about the database, not about throttling.
    with serving(settings, tmp_path, workers=4, login_rate_limit="10000 per minute") as live:
        yield live


def _failed_sign_in(url: str, attempt: int) -> int:
    with requests.Session() as http:
        page = http.get(f"{url}/login", timeout=60)
        token = CSRF_PATTERN.search(page.text)
        assert token
        response = http.post(f"{url}/login", timeout=60, data={
            "csrf_token": token.group(1), "email": f"nobody{attempt}@example.org",
            "password": "not the password"})
        return response.status_code


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_burst_of_failed_sign_ins_on_sqlite_gets_no_server_error(
        server: LiveServer, db: Session) -> None:
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(lambda n: _failed_sign_in(server.url, n), range(ATTEMPTS)))
    assert sorted(set(statuses)) == [401], {s: statuses.count(s) for s in set(statuses)}
    db.expire_all()
    failures = db.scalar(select(func.count()).select_from(AuditEvent)
                         .where(AuditEvent.action == "sign_in_failed"))
    assert failures == ATTEMPTS
