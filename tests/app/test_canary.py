"""The canary test: plaintext never touches the server's disk, logs or database.

A real gunicorn server (worker processes, its own TMPDIR, debug-level logs)
takes a submission whose narrative, every sealed field, the photo's EXIF, an
attachment's file name and a 20 MB attachment all carry a unique canary, plus
a rejected submission carrying it too. Afterwards every file the server could
have written is scanned, and on PostgreSQL every text, JSON and bytea column:
the canary appears nowhere, in any letter case.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from canary_scan import files_containing
from intake_data import field_pairs, full_form, minimal_form, stream_multipart
from live_server import LiveServer, serving
from PIL import Image
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from app.cases import service as cases
from app.config import Settings
from app.models import Case, Role
from app.storage import BlobStore

ATTACHMENT_BYTES = 20 * 1024 * 1024
CHUNK = 256 * 1024


def canary_chunks(canary: bytes, total: int) -> Iterator[bytes]:
    """``total`` bytes of noise with the canary in every chunk, in varying case."""
    sent = 0
    variants = [canary, canary.lower(), canary.upper()]
    index = 0
    while sent < total:
        size = min(CHUNK, total - sent)
        marker = variants[index % 3]
        index += 1
        noise = secrets.token_bytes(size - len(marker))
        cut = len(noise) // 2
        yield noise[:cut] + marker + noise[cut:]
        sent += size


def photo_with_canary(canary: str) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = canary  # camera make
    exif[0x9286] = canary  # user comment
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (1, 2, 3)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def columns_containing(database_url: str, needle: str) -> list[str]:
    """Every PostgreSQL text, JSON or bytea column holding ``needle`` (any case)."""
    engine = create_engine(database_url)
    hits = []
    try:
        with engine.connect() as connection:
            columns = connection.execute(text(
                "select table_name, column_name, data_type from information_schema.columns "
                "where table_schema = 'public' and data_type in "
                "('text', 'character varying', 'json', 'jsonb', 'bytea')")).all()
            assert columns, "no columns found: the scan would prove nothing"
            for table, column, data_type in columns:
                value = (f'encode("{column}", \'escape\')' if data_type == "bytea"
                         else f'"{column}"::text')
                found = connection.execute(text(
                    # Names come from information_schema, not from input.
                    f'select count(*) from "{table}" where position(:n in lower({value})) > 0'),  # noqa: S608
                    {"n": needle.lower()}).scalar_one()
                if found:
                    hits.append(f"{table}.{column}")
    finally:
        engine.dispose()
    return hits


@pytest.fixture
def server(settings: Settings, tmp_path: Path, demo_org: Any) -> Iterator[LiveServer]:
    with serving(settings, tmp_path, max_upload_mb="40", log_level="DEBUG") as live:
        yield live


# A live gunicorn: `make test-slow` (CI runs it too).
@pytest.mark.slow
def test_canary_never_reaches_disk_logs_or_columns(
        server: LiveServer, demo_org: Any, db: Session, settings: Settings,
        tmp_path: Path, backend: str) -> None:
    canary = "Canary" + secrets.token_hex(8).upper()
    http = server.session(demo_org.email(Role.INTERVIEWER), "correct horse battery staple")

    # A rejected submission first (no sector): its canary must vanish too.
    rejected = {k: v for k, v in minimal_form(narrative=canary).items() if k != "sector"}
    body, content_type = stream_multipart(
        [*server.intake_tokens(http), *field_pairs(rejected)], [])
    response = http.post(f"{server.url}/intake/", data=body, timeout=60,
                         headers={"Content-Type": content_type})
    assert response.status_code == 400
    assert canary in response.text  # echoed back into the form for correction, not stored

    fields = [*field_pairs(full_form(canary)), ("attachment_0_kind", "audio"),
              ("attachment_1_kind", "photo")]
    body, content_type = stream_multipart(
        [*server.intake_tokens(http), *fields],
        [("attachment_0", f"{canary}-voice.wav",
          canary_chunks(canary.encode(), ATTACHMENT_BYTES)),
         ("attachment_1", f"{canary.lower()}.jpg", [photo_with_canary(canary)])])
    response = http.post(f"{server.url}/intake/", data=body, timeout=120,
                         headers={"Content-Type": content_type})
    # Followed to the receipt page, which carries no content.
    assert [r.status_code for r in (*response.history, response)] == [303, 200], \
        response.text[:500]
    assert "/intake/receipts/" in response.url
    assert canary.lower() not in response.text.lower()
    server.stop()  # flush logs, end workers

    # Positive control: the canary went in and is readable with the right key.
    case = db.scalars(select(Case)).one()
    key = cases.unlock_case_key(db, demo_org.members[Role.REVIEWER], case,
                                demo_org.identities[Role.REVIEWER])
    assert canary in cases.read_narrative(case, key)
    sealed = cases.read_sealed_fields(case, key)
    # Noise is no known format: stored as sent, under the interviewer's label.
    audio = next(a for a in sealed["attachments"] if a["label"] == "audio")
    assert audio["size"] == ATTACHMENT_BYTES
    sink = io.BytesIO()
    cases.read_attachment(case, key, audio["object_id"], BlobStore(settings.blob_dir), sink)
    assert canary.encode() in sink.getvalue()

    # Scanner control: it finds what is there.
    control = tmp_path / "scanner-control"
    control.mkdir()
    (control / "x.bin").write_bytes(b"\x00" * 5000 + canary.lower().encode() + b"\x00")
    assert files_containing(control, canary.encode()) == ["x.bin"]

    written = [tmp_path / "instance", tmp_path / "tmp", tmp_path / "logs"]
    assert any(p.is_file() for p in (tmp_path / "instance").rglob("*.age"))
    assert (tmp_path / "logs" / "access.log").stat().st_size > 0
    for root in written:
        assert files_containing(root, canary.encode()) == [], root
    if backend == "postgres":
        assert columns_containing(settings.database_url, canary) == []


