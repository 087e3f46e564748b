"""The decrypted case view through HTTP: who reads it, with which key, the
attachment stream (ranges, headers, tampering), the opening audit, coded
edits and sealed notes."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from auth_helpers import second_browser, sign_out
from intake_data import CANARY, file_case
from media_samples import pdf_with_author, plain_jpeg, wav_bytes
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from web_support import PASSPHRASE, OrgFixture, WebUser

import crypto
from app.cases import service as cases
from app.config import Settings
from app.models import (
    AuditEvent,
    Case,
    CaseIndicator,
    CaseKeyWrap,
    CaseNote,
    Role,
    SealedKind,
    UnlockedKey,
)
from app.orgs.service import add_member, add_member_key
from app.storage import BlobStore

# Several 64 KiB blocks, so ranges cross block boundaries.
AUDIO = wav_bytes(bytes(range(256)) * 1200)
NOT_GRANTED = "You have not been granted this case"


def unlock(user: WebUser, next_path: str | None = None) -> Any:
    token = user.csrf_token("/key")
    url = "/key/unlock" + (f"?next={next_path}" if next_path else "")
    response = user.client.post(url, data={"passphrase": PASSPHRASE, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def case(db: Session, demo_org: OrgFixture, blobs: BlobStore) -> Case:
    return file_case(db, demo_org, blobs, attachments=[
        ("audio", "voice memo.wav", AUDIO), ("document", "contract.pdf", pdf_with_author()),
        ("photo", "site.jpg", plain_jpeg())])


@pytest.fixture
def reviewer(web: WebUser, demo_org: OrgFixture) -> WebUser:
    web.sign_in(demo_org.email(Role.REVIEWER))
    unlock(web)
    return web


def attachment_url(db: Session, case: Case, kind: str) -> str:
    db.expire_all()
    fresh = db.get(Case, case.id)
    assert fresh is not None
    obj = next(o for o in fresh.sealed_objects
               if o.kind is SealedKind.ATTACHMENT and o.media_kind == kind)
    return f"/cases/{case.public_id}/attachments/{obj.id}"


def plaintext(db: Session, demo_org: OrgFixture, case: Case, blobs: BlobStore,
              kind: str) -> bytes:
    """The attachment as the service decrypts it (the reference for the stream)."""
    key = cases.unlock_case_key(db, demo_org.members[Role.REVIEWER], case,
                                demo_org.identities[Role.REVIEWER], audit_opening=False)
    obj = next(o for o in case.sealed_objects if o.media_kind == kind)
    sink = io.BytesIO()
    cases.read_attachment(case, key, obj.id, blobs, sink)
    db.rollback()
    return sink.getvalue()


def decrypt_events(db: Session, public_id: str) -> list[AuditEvent]:
    db.expire_all()
    return list(db.scalars(select(AuditEvent).where(
        AuditEvent.action == "decrypt", AuditEvent.target == public_id)))


def events(db: Session, action: str) -> list[AuditEvent]:
    db.expire_all()
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_view_shows_the_decrypted_case_with_human_labels(reviewer: WebUser, case: Case,
                                                         db: Session) -> None:
    response = reviewer.client.get(f"/cases/{case.public_id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert CANARY in html
    assert "Name used in the DPRK" in html
    assert "The witness" in html  # the section's heading, as on the form
    assert "Pak" in html
    assert "How the witness knows what they tell" in html
    assert "Saw it happen to others" in html
    assert "Use inside the organisation only" in html
    assert "internal_only" not in html
    assert "<audio controls" in html
    assert f'src="{attachment_url(db, case, "audio")}"' in html
    assert '<img src="' in html
    assert "contract.pdf" in html
    assert "voice memo.wav" in html
    assert response.headers["Cache-Control"] == "no-store"
    assert "media-src 'self'" in response.headers["Content-Security-Policy"]
    assert "<script>" not in html


def test_audio_streams_inline_with_hardened_headers(reviewer: WebUser, case: Case, db: Session,
                                                    demo_org: OrgFixture,
                                                    blobs: BlobStore) -> None:
    expected = plaintext(db, demo_org, case, blobs, "audio")
    response = reviewer.client.get(attachment_url(db, case, "audio"))
    assert response.status_code == 200
    assert response.get_data() == expected
    assert response.headers["Content-Length"] == str(len(expected))
    assert response.headers["Content-Type"] == "audio/wav"
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert "voice" not in response.headers["Content-Disposition"]  # the sealed name stays sealed
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Accept-Ranges"] == "bytes"


def test_pdf_is_offered_as_a_download_not_shown(reviewer: WebUser, case: Case,
                                                db: Session) -> None:
    response = reviewer.client.get(attachment_url(db, case, "document"))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.get_data().startswith(b"%PDF-")
    image = reviewer.client.get(attachment_url(db, case, "photo"))
    assert image.headers["Content-Disposition"].startswith("inline;")
    assert image.headers["Content-Type"] == "image/jpeg"


def test_unrecognised_bytes_are_a_download_whatever_they_were_called(
        reviewer: WebUser, db: Session, demo_org: OrgFixture, blobs: BlobStore) -> None:
    noise = file_case(db, demo_org, blobs, attachments=[("audio", "a.mp3", b"\x00noise" * 50)])
    response = reviewer.client.get(attachment_url(db, noise, "other"))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Content-Type"] == "application/octet-stream"


@pytest.mark.parametrize(("header", "window"), [
    ("bytes=10-99", (10, 100)),
    ("bytes=65530-131100", (65530, 131101)),  # across age's 64 KiB chunks
    ("bytes=-100", (-100, None)),
    ("bytes=300000-", (300000, None)),
])
def test_single_byte_ranges_give_206(reviewer: WebUser, case: Case, db: Session,
                                     demo_org: OrgFixture, blobs: BlobStore, header: str,
                                     window: tuple[int, int | None]) -> None:
    expected = plaintext(db, demo_org, case, blobs, "audio")
    part = expected[window[0]:window[1]]
    response = reviewer.client.get(attachment_url(db, case, "audio"),
                                   headers={"Range": header})
    assert response.status_code == 206
    assert response.get_data() == part
    first = window[0] if window[0] >= 0 else len(expected) + window[0]
    assert response.headers["Content-Range"] == \
        f"bytes {first}-{first + len(part) - 1}/{len(expected)}"
    assert response.headers["Content-Length"] == str(len(part))


def test_unsatisfiable_range_gives_416(reviewer: WebUser, case: Case, db: Session) -> None:
    url = attachment_url(db, case, "audio")
    size = len(reviewer.client.get(url).get_data())
    response = reviewer.client.get(url, headers={"Range": f"bytes={size}-"})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{size}"
    assert response.get_data() == b""


def test_an_opening_is_audited_once_per_visit(reviewer: WebUser, case: Case, db: Session,
                                              demo_org: OrgFixture) -> None:
    url = attachment_url(db, case, "audio")
    assert reviewer.client.get(f"/cases/{case.public_id}").status_code == 200
    for start in range(0, 5 * 1000, 1000):
        response = reviewer.client.get(url, headers={"Range": f"bytes={start}-{start + 99}"})
        assert response.status_code == 206
    assert reviewer.client.get(f"/cases/{case.public_id}").status_code == 200  # a reload
    [event] = decrypt_events(db, case.public_id)
    assert event.actor_user_id == demo_org.members[Role.REVIEWER].user_id
    # A new sign-in is a new visit.
    sign_out(reviewer)
    reviewer.sign_in(demo_org.email(Role.REVIEWER))
    unlock(reviewer)
    assert reviewer.client.get(url, headers={"Range": "bytes=0-9"}).status_code == 206
    assert len(decrypt_events(db, case.public_id)) == 2


def test_a_visit_to_another_case_is_audited_separately(reviewer: WebUser, case: Case,
                                                       db: Session, demo_org: OrgFixture,
                                                       blobs: BlobStore) -> None:
    other = file_case(db, demo_org, blobs)
    for _ in range(2):
        assert reviewer.client.get(f"/cases/{case.public_id}").status_code == 200
        assert reviewer.client.get(f"/cases/{other.public_id}").status_code == 200
    assert len(decrypt_events(db, case.public_id)) == 1
    assert len(decrypt_events(db, other.public_id)) == 1


def test_a_revoked_wrap_stops_the_next_request(reviewer: WebUser, case: Case, db: Session,
                                               demo_org: OrgFixture) -> None:
    url = attachment_url(db, case, "audio")
    assert reviewer.client.get(f"/cases/{case.public_id}").status_code == 200
    assert reviewer.client.get(url, headers={"Range": "bytes=0-99"}).status_code == 206
    key = demo_org.members[Role.REVIEWER].current_key
    assert key is not None
    db.execute(delete(CaseKeyWrap).where(CaseKeyWrap.case_id == case.id,
                                         CaseKeyWrap.member_key_id == key.id))
    db.commit()
    # The page already open asks for more of the recording: refused at once.
    refused = reviewer.client.get(url, headers={"Range": "bytes=100-199"})
    assert refused.status_code == 403
    assert NOT_GRANTED in refused.get_data(as_text=True)
    page = reviewer.client.get(f"/cases/{case.public_id}")
    assert page.status_code == 403
    assert CANARY not in page.get_data(as_text=True)


def test_a_member_without_a_wrap_is_refused_and_nothing_could_decrypt(
        app: Any, web: WebUser, case: Case, db: Session, demo_org: OrgFixture) -> None:
    late = add_member(db, demo_org.organisation, "late@alpha.test",
                      "correct horse battery staple", Role.REVIEWER,
                      must_change_password=False)
    # A key of its own, protected once (index 50 of the pool cost 50 scrypt runs).
    identity = crypto.generate_identity()
    protected = crypto.protect_identity(identity, PASSPHRASE)
    add_member_key(db, late, protected, identity.recipient)
    web.totp.enrol(db, late.user)
    db.commit()
    web.sign_in("late@alpha.test")
    unlock(web)
    response = web.client.get(f"/cases/{case.public_id}")
    assert response.status_code == 403
    assert NOT_GRANTED in response.get_data(as_text=True)
    assert web.client.get(attachment_url(db, case, "audio")).status_code == 403
    # With the database alone there is nothing to open for this member.
    db.refresh(late)
    assert late.current_key is not None
    assert db.scalars(select(CaseKeyWrap).where(
        CaseKeyWrap.member_key_id == late.current_key.id)).all() == []
    assert decrypt_events(db, case.public_id) == []


def test_interviewers_never_read_a_case_back(interviewer: WebUser, case: Case,
                                             db: Session) -> None:
    assert interviewer.client.get(f"/cases/{case.public_id}").status_code == 403
    assert interviewer.client.get(attachment_url(db, case, "audio")).status_code == 403


def test_another_organisation_finds_nothing(web: WebUser, case: Case, db: Session,
                                            make_org: Callable[[str], OrgFixture]) -> None:
    other = make_org("beta")
    web.sign_in(other.email(Role.REVIEWER))
    unlock(web)
    assert web.client.get(f"/cases/{case.public_id}").status_code == 404
    assert web.client.get(attachment_url(db, case, "audio")).status_code == 404


def test_a_locked_key_sends_to_the_unlock_page_and_back(web: WebUser, case: Case,
                                                        demo_org: OrgFixture) -> None:
    web.sign_in(demo_org.email(Role.REVIEWER))
    path = f"/cases/{case.public_id}"
    response = web.client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/key?next=")
    unlock_page = web.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Unlock your key to read this case" in unlock_page
    action = re.search(r'action="(/key/unlock[^"]*)"', unlock_page)
    assert action
    assert case.public_id in action[1]
    back = unlock(web, next_path=path)
    assert back.headers["Location"] == path
    assert CANARY in web.client.get(path).get_data(as_text=True)


def test_a_copied_cookie_decrypts_nothing_after_lock_sign_out_or_expiry(
        app: Any, reviewer: WebUser, case: Case, db: Session, demo_org: OrgFixture) -> None:
    path = f"/cases/{case.public_id}"

    def copy_of(user: WebUser) -> WebUser:
        copy = second_browser(app, user)
        cookie = user.client.get_cookie("session")
        assert cookie is not None
        copy.client.set_cookie("session", cookie.value)
        assert CANARY in copy.client.get(path).get_data(as_text=True)  # the copy works
        return copy

    # Locked in the original browser: the copy has K but the row is gone.
    copy = copy_of(reviewer)
    reviewer.client.post("/key/lock", data={"csrf_token": reviewer.csrf_token("/key")})
    locked = copy.client.get(path)
    assert locked.status_code == 302
    assert locked.headers["Location"].startswith("/key")

    # Expired: the unlocked row's time is up.
    unlock(reviewer)
    copy = copy_of(reviewer)
    db.execute(update(UnlockedKey).values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    db.commit()
    expired = copy.client.get(path)
    assert expired.status_code == 302
    assert expired.headers["Location"].startswith("/key")

    # Signed out: the server session is gone.
    unlock(reviewer)
    copy = copy_of(reviewer)
    sign_out(reviewer)
    for url in (path, attachment_url(db, case, "audio")):
        signed_out = copy.client.get(url)
        assert signed_out.status_code == 302
        assert "/login" in signed_out.headers["Location"]
        assert CANARY.encode() not in signed_out.get_data()


def coded_form(user: WebUser, public_id: str, **changes: str) -> dict[str, str]:
    html = user.client.get(f"/cases/{public_id}").get_data(as_text=True)
    form = html[html.index('id="coded"'):html.index('id="notes"')]
    data = {"csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)[1]}  # type: ignore[index]
    for name in re.findall(r'<select[^>]*name="([^"]+)"', form):
        select_html = form[form.index(f'name="{name}"'):]
        selected = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected',
                             select_html[:select_html.index("</select>")])
        data[name] = next(g for g in selected.groups() if g is not None) if selected else ""
    data.update(changes)
    return data


def test_coded_answers_are_edited_and_audited_by_name(reviewer: WebUser, case: Case,
                                                      db: Session) -> None:
    data = coded_form(reviewer, case.public_id, ilo_deception_present="yes",
                      ilo_deception_basis="experienced", reliability="consistent")
    response = reviewer.client.post(f"/cases/{case.public_id}/coded", data=data)
    assert response.status_code == 302
    db.expire_all()
    row = db.get(CaseIndicator, (case.id, "deception"))
    assert row is not None
    assert (row.present, row.basis) == ("yes", "experienced")
    fresh = db.get(Case, case.id)
    assert fresh is not None
    assert fresh.reliability == "consistent"
    [event] = events(db, "coded_changed")
    assert "ilo_deception_present" in event.details["fields"]
    assert "reliability" in event.details["fields"]
    assert "consistent" not in str(event.details)
    assert "experienced" not in str(event.details)
    page = reviewer.client.get(f"/cases/{case.public_id}").get_data(as_text=True)
    assert "Consistent and plausible, not corroborated" in page


def test_coded_answers_off_the_list_are_refused_and_nothing_changes(
        reviewer: WebUser, case: Case, db: Session) -> None:
    data = coded_form(reviewer, case.public_id, ilo_deception_present="yes",
                      ilo_isolation_frequency="every full moon")
    response = reviewer.client.post(f"/cases/{case.public_id}/coded", data=data)
    assert response.status_code == 400
    assert "Nothing was changed" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(CaseIndicator, (case.id, "deception")) is None
    assert events(db, "coded_changed") == []


def test_notes_are_sealed_and_shown_with_their_author(reviewer: WebUser, case: Case,
                                                      db: Session, demo_org: OrgFixture,
                                                      settings: Settings, backend: str) -> None:
    marker = "NoteMarkerKp4Walrus"
    html = reviewer.client.get(f"/cases/{case.public_id}").get_data(as_text=True)
    notes = html[html.index('id="notes"'):]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', notes)
    assert token
    response = reviewer.client.post(f"/cases/{case.public_id}/notes", data={
        "csrf_token": token[1], "text": f"Check the dates with {marker}."})
    assert response.status_code == 302
    page = reviewer.client.get(f"/cases/{case.public_id}").get_data(as_text=True)
    assert f"Check the dates with {marker}." in page
    assert demo_org.email(Role.REVIEWER) in page
    db.expire_all()
    [note] = db.scalars(select(CaseNote)).all()
    assert marker.encode() not in note.ciphertext
    assert note.ciphertext.startswith(b"age-encryption.org/v1")
    [event] = events(db, "note_added")
    assert event.target == case.public_id
    assert marker not in str(event.details)
    if backend == "sqlite":
        db.close()
        database = Path(settings.database_url.removeprefix("sqlite:///"))
        assert database.is_file()
        assert marker.lower().encode() not in database.read_bytes().lower()


def test_an_empty_note_is_refused(reviewer: WebUser, case: Case, db: Session) -> None:
    token = reviewer.csrf_token(f"/cases/{case.public_id}")
    response = reviewer.client.post(f"/cases/{case.public_id}/notes",
                                    data={"csrf_token": token, "text": ""})
    assert response.status_code == 400
    assert db.scalars(select(CaseNote)).all() == []


@pytest.mark.parametrize("damage", ["flip_last_chunk", "append_bytes"])
def test_a_tampered_attachment_never_downloads_whole(
        reviewer: WebUser, case: Case, db: Session, demo_org: OrgFixture, blobs: BlobStore,
        caplog: pytest.LogCaptureFixture, damage: str) -> None:
    expected = plaintext(db, demo_org, case, blobs, "audio")
    obj = next(o for o in case.sealed_objects if o.media_kind == "audio")
    assert obj.blob_path is not None
    path = blobs.root / obj.blob_path
    stored = bytearray(path.read_bytes())
    if damage == "flip_last_chunk":
        stored[-5] ^= 0x01
    else:
        stored += b"appended"
    path.write_bytes(bytes(stored))
    with caplog.at_level(logging.ERROR):
        response = reviewer.client.get(attachment_url(db, case, "audio"))
        body = response.get_data()
    assert response.headers["Content-Length"] == str(len(expected))
    assert len(body) < len(expected)  # the client sees an incomplete download
    assert expected.startswith(body)  # what was sent had passed age's authentication
    assert any("case attachment stream failed" in r.getMessage()
               and case.public_id in r.getMessage() for r in caplog.records)
