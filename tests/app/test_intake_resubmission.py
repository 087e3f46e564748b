"""A reload or a double click must not file an interview twice.

The receipt used to be the POST response: reloading it re-sent the form and
filed a second case, and so did a double click on submit. Now a stored
submission redirects (303) to a receipt page, and each form carries a
one-time submission token whose SHA-256 the case keeps in a unique column.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from intake_data import (
    attachment,
    encode,
    field_pairs,
    file_case,
    form_tokens,
    minimal_form,
    receipt_key,
    receipt_page,
    stream_multipart,
    submit,
)
from live_server import LiveServer, serving
from media_samples import wav_bytes
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from web_support import PASSWORD, SUBMISSION_TOKEN

from app.config import Settings
from app.intake import service as intake
from app.intake.schema import IntakeAnswers
from app.intake.sealing import AGE_SEALER
from app.models import Case, Role, SealedObject
from app.orgs.service import add_member
from app.storage import BlobStore

pytestmark = pytest.mark.usefixtures("demo_org")
RECEIPT_URL = re.compile(r"/intake/receipts/(WB-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})$")


def case_count(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Case)) or 0


def receipt_case_id(response: Any) -> str:
    match = RECEIPT_URL.search(response.headers.get("Location", ""))
    assert response.status_code == 303, response.status_code
    assert match, response.headers.get("Location")
    return match.group(1)


def test_stored_submission_redirects_to_a_receipt_built_from_the_stored_rows(
        interviewer: Any, db: Session) -> None:
    data = {**minimal_form(), **attachment("audio", wav_bytes(b"r" * 3000), "a.wav")}
    response = submit(interviewer, data)
    case_id = receipt_case_id(response)
    page = receipt_page(interviewer, response)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    case = db.scalars(select(Case)).one()
    assert case.public_id == case_id
    assert case_id in html
    assert len(case.sealed_objects) == 3
    for obj in case.sealed_objects:
        assert obj.sha256 in html
        assert f"<td>{obj.size:,}</td>" in html  # numbers per locale (English here)
    assert "Attachment (audio)" in html
    # Reloading the receipt is only a GET: it files nothing.
    assert interviewer.client.get(response.headers["Location"]).status_code == 200
    assert case_count(db) == 1


def test_reload_of_the_post_files_one_case_and_shows_the_same_receipt(
        interviewer: Any, db: Session, settings: Settings) -> None:
    payload, content_type = encode({
        **form_tokens(interviewer), **minimal_form(),
        **attachment("document", b"%PDF-1.4 reloaded", "d.pdf")})
    first = interviewer.client.post("/intake/", data=payload, content_type=content_type)
    # The browser's "resend form data" after a reload: the very same body.
    second = interviewer.client.post("/intake/", data=payload, content_type=content_type)
    assert receipt_case_id(first) == receipt_case_id(second)
    assert case_count(db) == 1
    assert db.scalar(select(func.count()).select_from(SealedObject)) == 3
    assert len(list(BlobStore(settings.blob_dir).walk())) == 1


def test_case_stores_only_the_digest_of_its_submission_token(
        interviewer: Any, db: Session) -> None:
    tokens = form_tokens(interviewer)
    receipt_case_id(submit(interviewer, minimal_form(), tokens=tokens))
    case = db.scalars(select(Case)).one()
    token = tokens["submission_token"]
    assert case.submission_token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(case.__dict__)


def test_each_form_page_gets_a_fresh_random_token(interviewer: Any) -> None:
    tokens = {form_tokens(interviewer)["submission_token"] for _ in range(3)}
    assert len(tokens) == 3
    assert all(len(token) >= 43 for token in tokens)


@pytest.mark.parametrize("token", [None, "", "short", "x" * 43 + "!", "é" * 43, "a" * 500])
def test_missing_or_malformed_submission_token_is_refused_and_nothing_stored(
        interviewer: Any, db: Session, settings: Settings, token: str | None) -> None:
    tokens = form_tokens(interviewer)
    body: dict[str, Any] = {"csrf_token": tokens["csrf_token"]}
    if token is not None:
        body["submission_token"] = token
    payload, content_type = encode({**body, **minimal_form(),
                                    **attachment("audio", b"a" * 5000, "a.wav")})
    response = interviewer.client.post("/intake/", data=payload, content_type=content_type)
    assert response.status_code == 400
    assert "submission token" in response.get_data(as_text=True)
    assert case_count(db) == 0
    assert list(BlobStore(settings.blob_dir).walk()) == []


def test_failed_validation_keeps_the_token_and_the_corrected_form_files_once(
        interviewer: Any, db: Session) -> None:
    tokens = form_tokens(interviewer)
    without_sector = {k: v for k, v in minimal_form().items() if k != "sector"}
    rejected = submit(interviewer, without_sector, tokens=tokens)
    assert rejected.status_code == 400
    kept = SUBMISSION_TOKEN.search(rejected.get_data(as_text=True))
    assert kept
    assert kept.group(1) == tokens["submission_token"]
    assert case_count(db) == 0
    # Corrected and sent twice (a double click): one case.
    first = submit(interviewer, minimal_form(), tokens=tokens)
    second = submit(interviewer, minimal_form(), tokens=tokens)
    assert receipt_case_id(first) == receipt_case_id(second)
    assert case_count(db) == 1


def test_token_already_used_by_another_interviewer_files_nothing_and_reveals_nothing(
        app: Any, interviewer: Any, web: Any, db: Session, demo_org: Any,
        totp_registry: Any) -> None:
    tokens = form_tokens(interviewer)
    case_id = receipt_case_id(submit(interviewer, minimal_form(), tokens=tokens))
    add_member(db, demo_org.organisation, "second@alpha.test", PASSWORD, Role.INTERVIEWER,
               must_change_password=False)
    db.commit()
    other = type(web)(app.test_client(), totp_registry)
    other.sign_in("second@alpha.test")
    own = form_tokens(other)
    response = submit(other, minimal_form(), tokens={
        "csrf_token": own["csrf_token"], "submission_token": tokens["submission_token"]})
    assert response.status_code == 400
    assert case_id not in response.get_data(as_text=True)
    assert "Location" not in response.headers
    assert case_count(db) == 1


def test_receipt_is_shown_only_to_the_interviewer_who_filed_it(
        app: Any, interviewer: Any, web: Any, db: Session, demo_org: Any,
        totp_registry: Any) -> None:
    location = submit(interviewer, minimal_form()).headers["Location"]
    add_member(db, demo_org.organisation, "second@alpha.test", PASSWORD, Role.INTERVIEWER,
               must_change_password=False)
    db.commit()
    for email in ("second@alpha.test", demo_org.email(Role.REVIEWER),
                  demo_org.email(Role.ADMIN)):
        other = type(web)(app.test_client(), totp_registry)
        other.sign_in(email)
        assert other.client.get(location).status_code == 404, email
    assert interviewer.client.get("/intake/receipts/WB-0000-0000-0000").status_code == 404


def test_receipt_service_refuses_everyone_but_the_filing_membership(
        db: Session, demo_org: Any, blobs: BlobStore) -> None:
    case = file_case(db, demo_org, blobs)
    filer = demo_org.members[Role.INTERVIEWER]
    receipt = intake.filed_receipt(db, filer, case.public_id)
    assert receipt.case_id == case.public_id
    assert [line.label for line in receipt.lines] == ["Narrative", "Sealed fields"]
    for role in (Role.REVIEWER, Role.ADMIN):
        with pytest.raises(intake.NotFound):
            intake.filed_receipt(db, demo_org.members[role], case.public_id)
    filer.active = False
    with pytest.raises(intake.NotFound):
        intake.filed_receipt(db, filer, case.public_id)


def test_concurrent_commit_with_the_same_token_is_decided_by_the_unique_constraint(
        app: Any, db: Session, demo_org: Any, blobs: BlobStore) -> None:
    """Both submissions pass the early check before either is stored; the
    database's unique constraint lets one in; the other's unit of work rolls
    back, learns which case won, and removes its blobs."""
    token = intake.new_submission_token()
    factory = app.extensions["witnessbox.sessionmaker"]
    membership_id = demo_org.members[Role.INTERVIEWER].id
    sessions = [factory(), factory()]
    try:
        submissions = []
        for index, session in enumerate(sessions):
            membership = session.get(type(demo_org.members[Role.INTERVIEWER]), membership_id)
            submission = intake.IntakeSubmission(session, membership, blobs, AGE_SEALER)
            assert submission.use_submission_token(token) is None
            submission.add_attachment("document", f"d{index}.pdf", "application/pdf",
                                      io.BytesIO(b"%PDF-1.4 " + bytes([index]) * 2000))
            submissions.append(submission)
        answers = IntakeAnswers(values={"sector": "it", "consent_scopes": ["internal_only"],
                                               "source_connection": "experienced"},
                                       narrative="first", indicators={})
        key = receipt_key(db)
        with submissions[0]:
            winner = submissions[0].store(answers, key)
        sessions[0].commit()
        with submissions[1]:
            with pytest.raises(intake.InsertRaced):
                submissions[1].store(answers, key)
            sessions[1].rollback()  # as the request's unit of work is abandoned
            assert submissions[1].race_winner() == winner.case_id
    finally:
        for session in sessions:
            session.close()
    assert case_count(db) == 1
    assert len(list(blobs.walk())) == 1



# ------------------------------------------------------------- live server


@pytest.fixture
def server(settings: Settings, tmp_path: Path) -> Iterator[LiveServer]:
    with serving(settings, tmp_path, workers=2, log_level="DEBUG") as live:
        yield live




# A live gunicorn: `make test-slow` (CI runs it too).
@pytest.mark.slow
def test_double_submit_against_the_live_server_files_one_case(
        server: LiveServer, demo_org: Any, db: Session, settings: Settings) -> None:
    """Two gunicorn workers receive the same form at once (a double click).

    Each client sends the fields and the start of the file, waits until the
    other has done the same and a moment more, so that both workers have
    checked the token (and found no case) before either finishes: the race is
    decided by the unique constraint, not by the early check."""
    email = demo_org.email(Role.INTERVIEWER)
    http = server.session(email, PASSWORD)
    fields = [*server.intake_tokens(http),
              *field_pairs({**minimal_form(), "attachment_0_kind": "audio"})]
    both_started = threading.Barrier(2, timeout=60)
    responses: list[requests.Response] = []
    failures: list[BaseException] = []

    def chunks() -> Iterator[bytes]:
        yield b"RIFF" + b"s" * 70_000
        both_started.wait()
        time.sleep(1.5)
        for _ in range(16):
            yield b"t" * 65_536

    def post() -> None:
        try:
            client = requests.Session()  # one per thread, signed in as the same member
            client.cookies.update(http.cookies)
            body, content_type = stream_multipart(fields, [("attachment_0", "a.wav", chunks())])
            responses.append(client.post(f"{server.url}/intake/", data=body, timeout=120,
                                       allow_redirects=False,
                                       headers={"Content-Type": content_type}))
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert failures == []
    assert [r.status_code for r in responses] == [303, 303], [r.text[:300] for r in responses]
    assert responses[0].headers["Location"] == responses[1].headers["Location"]
    receipt = http.get(server.url + responses[0].headers["Location"], timeout=30)
    assert receipt.status_code == 200
    server.stop()  # flush the logs
    assert case_count(db) == 1
    case = db.scalars(select(Case)).one()
    assert case.public_id in receipt.text
    # The loser's sealed attachment was deleted: one blob, the stored case's.
    assert [obj.blob_path for obj in case.sealed_objects if obj.blob_path] == list(
        BlobStore(settings.blob_dir).walk())
    logs = (server.root / "logs" / "error.log").read_text()
    assert "decided by the unique constraint" in logs
