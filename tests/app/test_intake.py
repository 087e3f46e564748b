"""The intake form end to end through the Flask test client."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from intake_data import attachment, form_tokens, full_form, minimal_form, receipt_page, submit
from media_samples import wav_bytes
from PIL import Image
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.cases import service as cases
from app.config import Settings
from app.intake import schema
from app.models import Case, CaseKeyWrap, Role, SealedObject, WrapPurpose
from app.storage import BlobStore

pytestmark = pytest.mark.usefixtures("demo_org")


def stored_counts(db: Session, settings: Settings) -> tuple[int, int, list[str]]:
    db.expire_all()
    cases_count = db.scalar(select(func.count()).select_from(Case)) or 0
    objects = db.scalar(select(func.count()).select_from(SealedObject)) or 0
    return cases_count, objects, list(BlobStore(settings.blob_dir).walk())


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (32, 24), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCamMaker"  # Make
    exif[0x8825] = {1: "N", 2: (39.0, 1.0, 10.0)}  # GPS IFD: latitude near Pyongyang
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"CommentedSecret")
    return out.getvalue()


def test_form_renders_every_schema_field(interviewer: Any) -> None:
    page = interviewer.client.get("/intake/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in html
    for spec in schema.FIELDS:
        assert f'name="{spec.name}"' in html, spec.name
    # The CSRF token precedes the first file input: files are sealed after it is checked.
    assert html.index('name="csrf_token"') < html.index('type="file"')
    assert "<script" not in html
    assert page.headers["Cache-Control"] == "no-store"


def test_reviewer_cannot_use_intake(web: Any, demo_org: Any) -> None:
    web.sign_in(demo_org.email(Role.REVIEWER))
    assert web.client.get("/intake/").status_code == 403


def test_anonymous_is_sent_to_sign_in(client: Any) -> None:
    response = client.post("/intake/", data={"sector": "it"})
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_submission_is_sealed_coded_and_wrapped(interviewer: Any, db: Session, demo_org: Any,
                                                settings: Settings) -> None:
    audio = wav_bytes(bytes(range(256)) * 400)
    data = {**full_form("Marker"), **attachment("audio", audio, "voice memo.wav", 0),
            **attachment("photo", jpeg_with_gps(), "IMG_0001.jpg", 1)}
    page = receipt_page(interviewer, submit(interviewer, data))
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html

    case = db.scalars(select(Case)).one()
    assert case.public_id in html
    # Coded tier: readable columns, exactly the submitted codes.
    assert (case.sector, case.source_connection, case.recruitment) == (
        "construction", "experienced", "state_assigned")
    assert case.consent_scopes == ["internal_only", "aggregate_stats"]
    assert case.recontact_allowed is True
    assert case.conditions["daily_hours"] == 18
    indicators = {i.indicator: i for i in case.indicators}
    assert len(indicators) == len(schema.ILO_INDICATORS)
    assert indicators["retention_of_documents"].present == "yes"
    assert indicators["retention_of_documents"].basis == "experienced"

    kinds = sorted(obj.kind.value for obj in case.sealed_objects)
    assert kinds == ["attachment", "attachment", "fields", "narrative"]
    blobs = BlobStore(settings.blob_dir)
    for obj in case.sealed_objects:
        # The receipt shows each ciphertext's hash, and the hash is of what is stored.
        assert obj.sha256 in html
        stored = (obj.inline_ciphertext if obj.blob_path is None
                  else (Path(settings.blob_dir) / obj.blob_path).read_bytes())
        assert stored is not None
        assert stored.startswith(b"age-encryption.org/v1\n")
        assert hashlib.sha256(stored).hexdigest() == obj.sha256
        assert len(stored) == obj.size

    # Wrapped to the reviewer, the admin and the recovery key; never the interviewer.
    wraps = db.scalars(select(CaseKeyWrap).where(CaseKeyWrap.case_id == case.id)).all()
    recipients = {w.recipient for w in wraps}
    assert recipients == {str(demo_org.identities[Role.REVIEWER].recipient),
                          str(demo_org.identities[Role.ADMIN].recipient),
                          demo_org.organisation.recovery_recipient}
    assert sum(w.purpose is WrapPurpose.RECOVERY for w in wraps) == 1

    # The reviewer reads everything back.
    reviewer = demo_org.members[Role.REVIEWER]
    key = cases.unlock_case_key(db, reviewer, case, demo_org.identities[Role.REVIEWER])
    assert cases.read_narrative(case, key) == full_form("Marker")["narrative"]
    fields = cases.read_sealed_fields(case, key)
    assert fields["name_dprk"] == "name_dprk Marker marker"
    assert fields["sex"] == "female"
    assert fields["interview_date"] == "2019-05-04"
    assert {a["filename"] for a in fields["attachments"]} == {"voice memo.wav", "IMG_0001.jpg"}
    audio_meta = next(a for a in fields["attachments"] if a["kind"] == "audio")
    assert audio_meta["sha256"] == hashlib.sha256(audio).hexdigest()
    sink = io.BytesIO()
    cases.read_attachment(case, key, audio_meta["object_id"], blobs, sink)
    assert sink.getvalue() == audio


def test_photo_metadata_is_stripped_before_sealing(interviewer: Any, db: Session,
                                                   demo_org: Any, settings: Settings) -> None:
    original = jpeg_with_gps()
    assert b"SecretCamMaker" in original
    assert b"CommentedSecret" in original
    response = submit(interviewer, {**minimal_form(),
                                    **attachment("photo", original, "p.jpg")})
    assert response.status_code == 303
    case = db.scalars(select(Case)).one()
    key = cases.unlock_case_key(db, demo_org.members[Role.ADMIN], case,
                                demo_org.identities[Role.ADMIN])
    photo_meta = cases.read_sealed_fields(case, key)["attachments"][0]
    sink = io.BytesIO()
    cases.read_attachment(case, key, photo_meta["object_id"], BlobStore(settings.blob_dir), sink)
    cleaned = sink.getvalue()
    assert b"SecretCamMaker" not in cleaned
    assert b"CommentedSecret" not in cleaned
    assert b"Exif" not in cleaned
    with Image.open(io.BytesIO(cleaned)) as reopened, Image.open(io.BytesIO(original)) as first:
        assert not reopened.getexif()
        # Pixels untouched: the photo is evidence, it is not re-encoded.
        assert reopened.tobytes() == first.tobytes()


def test_png_text_chunks_are_stripped(interviewer: Any, db: Session, demo_org: Any,
                                      settings: Settings) -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Location", "ChongjinSecret")
    out = io.BytesIO()
    Image.new("L", (8, 8), 90).save(out, format="PNG", pnginfo=info)
    assert b"ChongjinSecret" in out.getvalue()
    assert submit(interviewer, {**minimal_form(),
                                **attachment("photo", out.getvalue(), "a.png")}).status_code == 303
    case = db.scalars(select(Case)).one()
    key = cases.unlock_case_key(db, demo_org.members[Role.REVIEWER], case,
                                demo_org.identities[Role.REVIEWER])
    meta = cases.read_sealed_fields(case, key)["attachments"][0]
    sink = io.BytesIO()
    cases.read_attachment(case, key, meta["object_id"], BlobStore(settings.blob_dir), sink)
    assert b"ChongjinSecret" not in sink.getvalue()
    with Image.open(io.BytesIO(sink.getvalue())) as reopened:
        assert reopened.size == (8, 8)


def test_broken_photo_is_refused_and_nothing_stored(interviewer: Any, db: Session,
                                                    settings: Settings) -> None:
    # The earlier, valid attachment was sealed already; it must go too.
    broken_png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + b"x" * 5
    response = submit(interviewer, {**minimal_form(),
                                    **attachment("audio", wav_bytes(), "ok.wav", 0),
                                    **attachment("photo", broken_png, "x.png", 1)})
    assert response.status_code == 400
    assert "could not be accepted: the PNG is truncated" in response.get_data(as_text=True)
    assert stored_counts(db, settings) == (0, 0, [])


@pytest.mark.parametrize("missing", ["sector", "source_connection", "consent_scopes",
                                     "narrative", "interview_date"])
def test_missing_required_field_shows_errors_and_stores_nothing(
        interviewer: Any, db: Session, settings: Settings, missing: str) -> None:
    data = {k: v for k, v in minimal_form().items() if k != missing}
    response = submit(interviewer, {**data, **attachment("document", b"%PDF-1.4 x", "d.pdf")})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "not stored" in html
    assert 'class="error"' in html
    assert stored_counts(db, settings) == (0, 0, [])


def test_files_dropped_by_a_failed_validation_are_named_on_the_page(
        interviewer: Any, db: Session, settings: Settings) -> None:
    data = {k: v for k, v in minimal_form().items() if k != "sector"}
    files = {**attachment("document", b"%PDF-1.4 x", "d.pdf", 0),
             **attachment("audio", b"RIFF" + b"x" * 1000, "a.wav", 1)}
    html = submit(interviewer, {**data, **files}).get_data(as_text=True)
    assert "these 2 files were not kept" in html
    assert "Attach again:" in html
    assert "d.pdf" in html
    assert "a.wav" in html
    assert stored_counts(db, settings) == (0, 0, [])


def test_malformed_values_are_rejected(interviewer: Any, db: Session, settings: Settings) -> None:
    response = submit(interviewer, minimal_form(sector="shipbuilding'; drop table x",
                                                daily_hours="25", interview_date="yesterday"))
    assert response.status_code == 400
    assert stored_counts(db, settings) == (0, 0, [])


def test_missing_csrf_token_is_refused_before_files_are_read(
        interviewer: Any, db: Session, settings: Settings) -> None:
    data = {**minimal_form(), **attachment("audio", b"x" * 100_000, "a.wav")}
    response = submit(interviewer, data, csrf=False)
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert stored_counts(db, settings) == (0, 0, [])


def test_wrong_csrf_token_is_refused(interviewer: Any, db: Session, settings: Settings) -> None:
    data = {"csrf_token": "forged", **minimal_form()}
    response = interviewer.client.post("/intake/", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert stored_counts(db, settings) == (0, 0, [])


@pytest.fixture
def small_limit_app(app: Flask) -> Flask:
    from dataclasses import replace

    tight = replace(app.config["WITNESSBOX"], max_upload_mb=1)
    app.config.update(WITNESSBOX=tight, MAX_CONTENT_LENGTH=tight.max_upload_bytes)
    return app


@pytest.mark.usefixtures("small_limit_app")
def test_oversize_upload_gets_413_and_stores_nothing(interviewer: Any, db: Session,
                                                     settings: Settings) -> None:
    data = {**minimal_form(), **attachment("audio", b"z" * (2 * 1024 * 1024), "big.wav")}
    response = submit(interviewer, data)
    assert response.status_code == 413
    assert "limit" in response.get_data(as_text=True)
    assert stored_counts(db, settings) == (0, 0, [])


def test_not_multipart_is_a_bad_request(interviewer: Any) -> None:
    response = interviewer.client.post("/intake/", data={"sector": "it"})
    assert response.status_code == 400


def test_truncated_body_is_a_bad_request_and_stores_nothing(
        interviewer: Any, db: Session, settings: Settings) -> None:
    tokens = form_tokens(interviewer)
    boundary = "XyZ"
    head = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                   f"{value}\r\n" for name, value in tokens.items())
    body = (head + f'--{boundary}\r\nContent-Disposition: form-data; '
                   'name="attachment_0_kind"\r\n\r\n'
                   f'audio\r\n--{boundary}\r\nContent-Disposition: form-data; name="attachment_0"; '
                   f'filename="a.wav"\r\n\r\n').encode() + b"a" * 200_000
    response = interviewer.client.post(
        "/intake/", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400
    assert "cut short" in response.get_data(as_text=True)
    assert stored_counts(db, settings) == (0, 0, [])


def _break_connection_on_sealed_insert(app: Flask, backend: str) -> None:
    """Make the database go away in the middle of the intake transaction."""
    engine = app.extensions["witnessbox.engine"]

    @event.listens_for(engine, "before_cursor_execute")
    def _go_away(conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith("INSERT INTO SEALED_OBJECT"):
            return
        raw = conn.connection.dbapi_connection
        if backend == "postgres":
            # A real server-side disconnect: the server ends this backend.
            from pgtools import admin_engine
            from sqlalchemy import text

            with admin_engine().connect() as admin:
                admin.execute(text("select pg_terminate_backend(:pid)"),
                              {"pid": raw.info.backend_pid})
        else:
            raw.close()


def test_database_going_away_mid_submit_leaves_nothing(
        interviewer: Any, app: Flask, db: Session, settings: Settings, backend: str) -> None:
    _break_connection_on_sealed_insert(app, backend)
    data = {**full_form("Gone"), **attachment("audio", b"q" * 300_000, "a.wav")}
    response = submit(interviewer, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 503, html
    assert "Nothing was stored" in html
    assert "Gone" not in html
    assert stored_counts(db, settings) == (0, 0, [])


def test_blob_store_refuses_paths_outside_it(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    with pytest.raises(ValueError, match="escapes"):
        store.delete("../../etc/passwd")
