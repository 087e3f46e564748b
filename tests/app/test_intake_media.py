"""Attachments through the real HTTP path: cleaning follows the bytes, not the
dropdown, and the receipt and sealed record say what was (not) removed."""

from __future__ import annotations

import dataclasses
import io
import random
import tracemalloc
import wave
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from intake_data import attachment, minimal_form, receipt_key, receipt_page, submit
from media_samples import (
    AUTHOR_MARKER,
    GPS_MARKER,
    JPEG_SECRETS,
    PiecesReader,
    big_png_pieces,
    docx_with_author,
    jpeg_with_metadata,
    pdf_with_author,
    wav_with_info,
)
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cases import service as cases
from app.config import Settings
from app.intake.sealing import AGE_SEALER
from app.intake.service import IntakeAnswers, IntakeSubmission
from app.models import Case, Role, SealedKind
from app.storage import BlobStore

pytestmark = pytest.mark.usefixtures("demo_org")


def stored_attachments(db: Session, demo_org: Any, settings: Settings
                       ) -> list[tuple[dict[str, Any], str | None, bytes]]:
    """Each attachment's sealed record, stored media_kind and decrypted bytes,
    opened with the reviewer's key."""
    case = db.scalars(select(Case)).one()
    key = cases.unlock_case_key(db, demo_org.members[Role.REVIEWER], case,
                                demo_org.identities[Role.REVIEWER])
    kinds = {obj.id: obj.media_kind for obj in case.sealed_objects
             if obj.kind is SealedKind.ATTACHMENT}
    out = []
    for meta in cases.read_sealed_fields(case, key)["attachments"]:
        sink = io.BytesIO()
        cases.read_attachment(case, key, meta["object_id"], BlobStore(settings.blob_dir), sink)
        out.append((meta, kinds[meta["object_id"]], sink.getvalue()))
    return out


@pytest.mark.parametrize("label", ["audio", "document", "photo"])
def test_a_photo_is_cleaned_whatever_the_dropdown_says(
        interviewer: Any, db: Session, demo_org: Any, settings: Settings, label: str) -> None:
    original = jpeg_with_metadata()
    assert GPS_MARKER in original
    response = receipt_page(interviewer, submit(interviewer, {**minimal_form(),
                                    **attachment(label, original, "IMG_0001.jpg")}))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "metadata removed" in html
    assert "metadata not removed" not in html
    ((meta, media_kind, sealed),) = stored_attachments(db, demo_org, settings)
    found = [secret for secret in JPEG_SECRETS if secret in sealed]
    assert not found, found
    assert media_kind == "photo"
    assert (meta["kind"], meta["label"], meta["format"], meta["metadata"]) == (
        "photo", label, "jpeg", "removed")
    assert "metadata_stripped" not in meta
    with Image.open(io.BytesIO(sealed)) as stored, Image.open(io.BytesIO(original)) as first:
        assert stored.tobytes() == first.tobytes()


def test_a_file_of_unknown_format_is_sealed_as_is_and_the_receipt_says_so(
        interviewer: Any, db: Session, demo_org: Any, settings: Settings) -> None:
    payload = b"\x00\x01unknown container, author: AuthorSecret" * 100
    response = receipt_page(interviewer, submit(interviewer, {**minimal_form(),
                                    **attachment("document", payload, "notes.bin")}))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "metadata not removed" in html
    ((meta, media_kind, sealed),) = stored_attachments(db, demo_org, settings)
    assert sealed == payload
    assert media_kind == "other"
    assert (meta["kind"], meta["format"], meta["metadata"]) == ("other", "unknown",
                                                                "not removed")


def test_a_gif_labelled_photo_is_kept_but_never_claimed_clean(
        interviewer: Any, db: Session, demo_org: Any, settings: Settings) -> None:
    out = io.BytesIO()
    Image.new("P", (8, 8), 3).save(out, format="GIF", comment=b"GifSecret")
    response = receipt_page(interviewer, submit(interviewer, {**minimal_form(),
                                    **attachment("photo", out.getvalue(), "a.gif")}))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "metadata not removed" in html
    assert "metadata removed" not in html.replace("metadata not removed", "")
    ((meta, media_kind, sealed),) = stored_attachments(db, demo_org, settings)
    assert (media_kind, meta["format"], meta["metadata"]) == ("photo", "gif", "not removed")
    assert sealed == out.getvalue()


def test_a_broken_jpeg_in_any_slot_is_refused_and_nothing_stored(
        interviewer: Any, db: Session, settings: Settings) -> None:
    broken = jpeg_with_metadata()[:300]
    response = submit(interviewer, {**minimal_form(),
                                    **attachment("audio", broken, "voice.m4a")})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "could not be accepted: the JPEG is truncated" in html
    assert db.scalars(select(Case)).first() is None
    assert list(BlobStore(settings.blob_dir).walk()) == []


def test_sealing_a_png_with_a_64_mb_chunk_holds_no_large_buffer(
        db: Session, demo_org: Any, blobs: BlobStore) -> None:
    idat = 64 * 1024 * 1024
    with IntakeSubmission(db, demo_org.members[Role.INTERVIEWER], blobs, AGE_SEALER) as submission:
        tracemalloc.start()
        try:
            submission.add_attachment("audio", "big.png", "image/png",
                                      PiecesReader(big_png_pieces(idat)))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        receipt = submission.store(IntakeAnswers(
            values={"sector": "logging", "consent_scopes": ["internal_only"],
                    "source_connection": "witnessed"},
            narrative="A large photo.", indicators={}), receipt_key(db))
    assert peak < 8 * 1024 * 1024, peak
    assert [line.metadata for line in receipt.lines] == [None, None, "removed"]
    case = db.scalars(select(Case)).one()
    (stored,) = [obj for obj in case.sealed_objects if obj.kind is SealedKind.ATTACHMENT]
    assert stored.media_kind == "photo"
    assert stored.size > idat


def test_a_wav_in_the_photo_slot_loses_its_info_chunk_and_is_stored_as_audio(
        interviewer: Any, db: Session, demo_org: Any, settings: Settings) -> None:
    original = wav_with_info()
    assert AUTHOR_MARKER.encode() in original
    response = receipt_page(interviewer, submit(interviewer, {**minimal_form(),
                                    **attachment("photo", original, "IMG_0002.jpg")}))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "metadata removed" in html
    assert "metadata not removed" not in html
    ((meta, media_kind, sealed),) = stored_attachments(db, demo_org, settings)
    assert AUTHOR_MARKER.encode() not in sealed
    assert media_kind == "audio"
    assert (meta["label"], meta["format"], meta["metadata"]) == ("photo", "wav", "removed")
    with wave.open(io.BytesIO(sealed)) as stored, wave.open(io.BytesIO(original)) as first:
        assert stored.readframes(stored.getnframes()) == first.readframes(first.getnframes())


@pytest.mark.parametrize(("build", "fmt", "filename"), [
    (docx_with_author, "ooxml", "contract.docx"),
    (pdf_with_author, "pdf", "payslip.pdf"),
])
def test_a_document_loses_its_author(
        interviewer: Any, db: Session, demo_org: Any, settings: Settings,
        build: Callable[[], bytes], fmt: str, filename: str) -> None:
    original = build()
    assert AUTHOR_MARKER.encode() in original
    response = receipt_page(interviewer, submit(interviewer, {**minimal_form(),
                                    **attachment("document", original, filename)}))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "metadata removed" in html
    assert "metadata not removed" not in html
    ((meta, media_kind, sealed),) = stored_attachments(db, demo_org, settings)
    assert AUTHOR_MARKER.encode() not in sealed
    assert (media_kind, meta["format"], meta["metadata"]) == ("document", fmt, "removed")


def test_random_bytes_starting_like_an_mpeg_frame_are_sealed_as_is(
        interviewer: Any, db: Session, demo_org: Any, settings: Settings) -> None:
    payload = b"\xff\xfb" + random.Random(5).randbytes(50_000)
    response = receipt_page(interviewer, submit(interviewer, {**minimal_form(),
                                    **attachment("audio", payload, "voice.mp3")}))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "metadata not removed" in html
    ((meta, media_kind, sealed),) = stored_attachments(db, demo_org, settings)
    assert sealed == payload
    assert (media_kind, meta["format"], meta["metadata"]) == ("audio", "mp3", "not removed")
    assert meta["metadata_reason"] == "the file is not a chain of MPEG audio frames"


def test_a_document_over_the_configured_clean_limit_is_sealed_as_uploaded(
        app: Flask, interviewer: Any, db: Session, demo_org: Any, settings: Settings) -> None:
    app.config["WITNESSBOX"] = dataclasses.replace(settings, max_document_clean_mb=1)
    original = docx_with_author() + random.Random(2).randbytes(1024 * 1024)
    response = receipt_page(interviewer, submit(interviewer, {**minimal_form(),
                                    **attachment("document", original, "big.docx")}))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "metadata not removed" in html
    ((meta, _, sealed),) = stored_attachments(db, demo_org, settings)
    assert sealed == original
    assert (meta["metadata"], meta["metadata_reason"]) == (
        "not removed", "the document is too large to clean")
