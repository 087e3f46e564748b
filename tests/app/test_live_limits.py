"""Limits through a real server: a chunked upload (no Content-Length) past the limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from intake_data import minimal_form, stream_multipart
from live_server import LiveServer, serving
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.models import Case, Role

# A live gunicorn: `make test-slow` (CI runs it too).
pytestmark = pytest.mark.slow


@pytest.fixture
def server(settings: Settings, tmp_path: Path, demo_org: Any) -> Iterator[LiveServer]:
    with serving(settings, tmp_path, workers=1, max_upload_mb="1") as live:
        yield live


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_chunked_upload_over_the_limit_gets_413_and_stores_nothing(
        server: LiveServer, demo_org: Any, db: Session, settings: Settings) -> None:
    http = server.session(demo_org.email(Role.INTERVIEWER), "correct horse battery staple")
    fields = [*server.intake_tokens(http), ("attachment_0_kind", "audio")]
    fields += [(k, v) for k, v in minimal_form().items() if not isinstance(v, list)]
    fields += [("consent_scopes", "internal_only")]
    body, content_type = stream_multipart(
        fields, [("attachment_0", "big.wav", (b"x" * 65536 for _ in range(40)))])
    # A generator body is sent with Transfer-Encoding: chunked: the server
    # cannot refuse it up front and must stop while reading.
    response = http.post(f"{server.url}/intake/", data=body, timeout=60,
                         headers={"Content-Type": content_type})
    assert response.status_code == 413
    assert "Nothing was stored" in response.text
    assert db.scalar(select(func.count()).select_from(Case)) == 0
    assert list(Path(settings.blob_dir).rglob("*.age")) == []
