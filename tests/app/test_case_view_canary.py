"""Reading a case leaves no plaintext behind: a real gunicorn server (its own
TMPDIR, debug-level logs) serves a reviewer who opens a case, plays its
recording and seeks in it; afterwards the instance directory, TMPDIR and the
captured logs hold no trace of the canary."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from canary_scan import scan
from intake_data import file_case
from live_server import LiveServer, serving
from media_samples import wav_bytes
from sqlalchemy.orm import Session
from web_support import PASSPHRASE, PASSWORD, TotpRegistry

from app.config import Settings
from app.models import Role
from app.storage import BlobStore

# A live gunicorn: `make test-slow` (CI runs it too).
pytestmark = pytest.mark.slow


@pytest.fixture
def server(settings: Settings, tmp_path: Path, demo_org: Any) -> Iterator[LiveServer]:
    with serving(settings, tmp_path, log_level="DEBUG") as live:
        yield live


def signed_in_reviewer(server: LiveServer, email: str, totp: TotpRegistry) -> requests.Session:
    http = server.session(email, PASSWORD)
    response = http.post(f"{server.url}/login/code", timeout=30, allow_redirects=False, data={
        "code": totp.next_code(email), "csrf_token": server.csrf(http, "/login/code")})
    assert response.status_code == 302, response.text
    response = http.post(f"{server.url}/key/unlock", timeout=60, allow_redirects=False, data={
        "passphrase": PASSPHRASE, "csrf_token": server.csrf(http, "/key")})
    assert response.status_code == 302, response.text
    return http


def test_playing_and_seeking_leaves_no_plaintext_on_disk_or_in_logs(
        server: LiveServer, demo_org: Any, db: Session, blobs: BlobStore, tmp_path: Path,
        totp_registry: TotpRegistry) -> None:
    canary = "Canary" + secrets.token_hex(8).upper()
    frames = (canary.encode() + secrets.token_bytes(500)) * 600  # ~300 KB, canary throughout
    case = file_case(db, demo_org, blobs, narrative=f"The foreman {canary} said so.",
                     attachments=[("audio", f"{canary}.wav", wav_bytes(frames))])
    audio = next(o for o in case.sealed_objects if o.media_kind == "audio")
    http = signed_in_reviewer(server, demo_org.email(Role.REVIEWER), totp_registry)

    page = http.get(f"{server.url}/cases/{case.public_id}", timeout=60)
    assert page.status_code == 200
    assert canary in page.text
    url = f"{server.url}/cases/{case.public_id}/attachments/{audio.id}"
    played = http.get(url, timeout=60)
    assert played.status_code == 200
    assert canary.encode() in played.content
    for seek in ("bytes=150000-", "bytes=-70000", "bytes=65000-70000"):
        part = http.get(url, headers={"Range": seek}, timeout=60)
        assert part.status_code == 206
        assert part.content in played.content
    server.stop()  # flush the logs, end the workers

    roots = [tmp_path / "instance", tmp_path / "tmp", tmp_path / "logs"]
    assert any(p.is_file() for p in roots[0].rglob("*.age"))
    assert (tmp_path / "logs" / "access.log").stat().st_size > 0
    assert scan(roots, canary.encode()) == {}
