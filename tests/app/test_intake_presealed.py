"""Cases sealed in the browser (app.intake.presealed), without a browser.

A Python stand-in for the page's script builds what it sends: the case key,
age files with one X25519 stanza (age_single, as age-encryption writes them),
the sealed plaintexts in the server's own formats, and wraps to the signed
recipient list. The server must store a good one exactly like a server-sealed
case and refuse every malformed one with a clear message and nothing stored.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import age_single
import pytest
from intake_data import CANARY
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

import crypto
from app.cases import service as cases
from app.config import Settings
from app.intake import schema
from app.intake.recipients_doc import DOMAIN
from app.models import Case, CaseKeyWrap, Role, SealedObject
from app.storage import BlobStore
from crypto.signing import VerifyKey

pytestmark = pytest.mark.usefixtures("demo_org")


def stored(db: Session, settings: Settings) -> tuple[int, int, int, list[str]]:
    db.expire_all()
    return (db.scalar(select(func.count()).select_from(Case)) or 0,
            db.scalar(select(func.count()).select_from(SealedObject)) or 0,
            db.scalar(select(func.count()).select_from(CaseKeyWrap)) or 0,
            list(BlobStore(settings.blob_dir).walk()))


def context(user: Any) -> dict[str, Any]:
    response = user.client.get("/intake/sealing-context")
    assert response.status_code == 200, response.get_data(as_text=True)
    data: dict[str, Any] = response.get_json()
    return data


@dataclass
class BrowserCase:
    """What the page's script sends, built the way it builds it."""

    recipients: list[str]
    narrative: str = f"We cut timber from dawn. {CANARY}"
    attachment: bytes = b"RIFF" + bytes(200_000)
    case_key: crypto.CaseKey = field(default_factory=crypto.CaseKey.create)
    object_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def sealed_fields(self) -> bytes:
        values: dict[str, Any] = {spec.name: None for spec in schema.sealed_fields()}
        values.update(interview_date="2024-03-01", name_dprk=f"Kim {CANARY}",
                      loyalty_fee_per_month=700)
        values["attachments"] = [{
            "object_id": self.object_id, "kind": "audio", "label": "audio", "format": "wav",
            "metadata": "not removed", "filename": f"{CANARY}.wav",
            "content_type": "audio/wav", "size": len(self.attachment),
            "sha256": hashlib.sha256(self.attachment).hexdigest()}]
        return json.dumps(values, ensure_ascii=False).encode("utf-8")

    def parts(self) -> dict[str, bytes]:
        recipient = str(self.case_key.recipient)
        out = {"object_0": age_single.seal(self.narrative.encode(), [recipient]),
               "object_1": age_single.seal(self.sealed_fields(), [recipient]),
               "object_2": age_single.seal(self.attachment, [recipient])}
        key_file = self.case_key.identity.to_age_identity_file()
        for index, reader in enumerate(self.recipients):
            out[f"wrap_{index}"] = age_single.seal(key_file, [reader])
        return out

    def manifest(self, parts: dict[str, bytes]) -> dict[str, Any]:
        return {
            "version": 1, "case_recipient": str(self.case_key.recipient),
            "bands": {"loyalty_fee_per_month_band": "500-999"},
            "objects": [
                {"part": "object_0", "kind": "narrative", "size": len(parts["object_0"])},
                {"part": "object_1", "kind": "fields", "size": len(parts["object_1"])},
                {"part": "object_2", "kind": "attachment", "size": len(parts["object_2"]),
                 "object_id": self.object_id, "media_kind": "audio",
                 "metadata": "not removed"}],
            "wraps": [{"part": f"wrap_{i}", "recipient": r, "size": len(parts[f"wrap_{i}"])}
                      for i, r in enumerate(self.recipients)],
        }


def coded() -> list[tuple[str, str]]:
    pairs = [("consent_scopes", "internal_only"), ("consent_scopes", "aggregate_stats"),
             ("source_connection", "experienced"), ("sector", "logging")]
    pairs += [(f"ilo_{name}_present", "unknown") for name, _ in schema.ILO_INDICATORS]
    return pairs


def post(user: Any, manifest: dict[str, Any], parts: dict[str, bytes], *,
         token: str | None = None, extra: list[tuple[str, str]] | None = None) -> Any:
    ctx = context(user)
    fields = [("csrf_token", ctx["csrf_token"]),
              ("submission_token", token or base64.urlsafe_b64encode(bytes(range(32)))
               .decode().rstrip("=")),
              ("manifest", json.dumps(manifest)), *coded(),
              *(extra if extra is not None else [("daily_hours", "18")])]
    files = [(name, FileStorage(io.BytesIO(data), name, content_type="application/octet-stream"))
             for name, data in parts.items()]
    boundary, body = encode_multipart(MultiDict([*fields, *files]))
    return user.client.post("/intake/sealed", data=body,
                            content_type=f"multipart/form-data; boundary={boundary}")


def recipients_of(user: Any) -> list[str]:
    payload = json.loads(context(user)["recipients"]["payload"])
    return [r["recipient"] for r in payload["recipients"]]


def test_the_recipient_list_is_signed_with_the_audit_key(interviewer: Any, demo_org: Any,
                                                         app: Any) -> None:
    doc = context(interviewer)["recipients"]
    key = VerifyKey(base64.b64decode(doc["public_key"]))
    assert key == app.extensions["witnessbox.audit_signer"].signing_key.verify_key
    key.verify(base64.b64decode(doc["signature"]), (DOMAIN + doc["payload"]).encode())
    listed = {r["recipient"] for r in json.loads(doc["payload"])["recipients"]}
    expected = {str(demo_org.identities[role].recipient) for role in (Role.ADMIN, Role.REVIEWER)}
    assert listed == expected | {demo_org.organisation.recovery_recipient}
    assert len(doc["fingerprint"].split()) == 16


def test_a_browser_sealed_case_is_stored_and_opens_for_the_reviewer(
        interviewer: Any, db: Session, demo_org: Any, settings: Settings) -> None:
    browser = BrowserCase(recipients_of(interviewer))
    parts = browser.parts()
    response = post(interviewer, browser.manifest(parts), parts)
    assert response.status_code == 201, response.get_data(as_text=True)
    answer = response.get_json()
    case = db.scalars(select(Case).where(Case.public_id == answer["case_id"])).one()
    assert case.sector == "logging"
    assert case.conditions["loyalty_fee_per_month_band"] == "500-999"
    assert case.conditions["daily_hours"] == 18
    assert len(case.key_wraps) == 3
    reviewer = demo_org.members[Role.REVIEWER]
    key = cases.unlock_case_key(db, reviewer, case, demo_org.identities[Role.REVIEWER])
    assert cases.read_narrative(case, key) == browser.narrative
    fields = cases.read_sealed_fields(case, key)
    assert fields["name_dprk"] == f"Kim {CANARY}"
    [info] = cases.attachments(case, fields)
    assert info.metadata == "not removed"
    assert info.filename == f"{CANARY}.wav"
    sink = io.BytesIO()
    cases.read_attachment(case, key, info.object_id, BlobStore(settings.blob_dir), sink)
    assert sink.getvalue() == browser.attachment
    # The same receipt as a server-sealed case: signed, and shown to the filer.
    page = interviewer.client.get(answer["receipt_url"]).get_data(as_text=True)
    assert case.receipt_signature in page
    assert "Attachment (audio)" in page
    # Sent again (a retry after a lost answer): the same case, nothing new.
    again = post(interviewer, browser.manifest(parts), parts)
    assert again.status_code == 200
    assert again.get_json()["case_id"] == case.public_id
    assert stored(db, settings)[0] == 1


def test_a_photo_cleaned_in_the_browser_is_reported_as_such(interviewer: Any, db: Session
                                                            ) -> None:
    browser = BrowserCase(recipients_of(interviewer))
    parts = browser.parts()
    manifest = browser.manifest(parts)
    manifest["objects"][2].update(media_kind="photo", metadata="removed")
    response = post(interviewer, manifest, parts)
    assert response.status_code == 201
    page = interviewer.client.get(response.get_json()["receipt_url"]).get_data(as_text=True)
    assert "metadata removed in your browser (the server cannot check this)" in page
    obj = db.scalars(select(SealedObject).where(SealedObject.media_kind == "photo")).one()
    assert obj.metadata_outcome == "browser: removed"


def _two_stanzas(browser: BrowserCase, parts: dict[str, bytes]) -> None:
    other = str(crypto.CaseKey.create().recipient)
    parts["object_0"] = age_single.seal(b"x", [str(browser.case_key.recipient), other])


def _wrap_not_age(browser: BrowserCase, parts: dict[str, bytes]) -> None:
    parts["wrap_0"] = b"AGE-SECRET-KEY-1 not an age file at all"


def _wrong_size(browser: BrowserCase, parts: dict[str, bytes]) -> None:
    parts["object_2"] = parts["object_2"][:-100]


def _pyrage_grease(browser: BrowserCase, parts: dict[str, bytes]) -> None:
    parts["object_1"] = crypto.seal(browser.sealed_fields(), [browser.case_key.recipient])


@pytest.mark.parametrize(("spoil", "message"), [
    (_two_stanzas, "The sealed narrative is not a well-formed age file: the age file has 2 "
                   "recipient stanzas, not exactly one."),
    (_wrap_not_age, "A key wrap is not a well-formed age file: not an age v1 file."),
    (_wrong_size, "A sealed attachment has"),
    (_pyrage_grease, "recipient stanzas, not exactly one"),
])
def test_malformed_sealed_objects_are_refused_and_nothing_is_stored(
        interviewer: Any, db: Session, settings: Settings, spoil: Any, message: str) -> None:
    browser = BrowserCase(recipients_of(interviewer))
    parts = browser.parts()
    manifest = browser.manifest(parts)  # sizes as the browser stated them
    spoil(browser, parts)
    if spoil is _two_stanzas or spoil is _pyrage_grease:
        manifest = browser.manifest(parts)  # stated honestly: the shape is what is wrong
    response = post(interviewer, manifest, parts)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert message in error
    assert error.endswith("Nothing was stored.")
    assert stored(db, settings) == (0, 0, 0, [])


def test_an_oversize_upload_is_refused_and_nothing_is_stored(
        interviewer: Any, db: Session, settings: Settings, make_app: Any) -> None:
    browser = BrowserCase(recipients_of(interviewer), attachment=bytes(1024 * 1024 + 10))
    parts = browser.parts()
    manifest = browser.manifest(parts)
    limited = make_app(max_upload_mb=1)
    with limited.test_client() as client:
        interviewer.client = client
        interviewer.sign_in(f"{Role.INTERVIEWER.value}@alpha.test")
        response = post(interviewer, manifest, parts)
    assert response.status_code == 413
    assert "larger than allowed" in response.get_json()["error"]
    assert stored(db, settings) == (0, 0, 0, [])


def test_an_oversize_object_inside_the_limit_is_refused_while_it_streams(
        interviewer: Any, db: Session, settings: Settings) -> None:
    browser = BrowserCase(recipients_of(interviewer))
    parts = browser.parts()
    manifest = browser.manifest(parts)
    manifest["objects"][2]["size"] = 1000  # the attachment is far larger than stated
    response = post(interviewer, manifest, parts)
    assert response.status_code == 400
    assert "larger than the 1000 bytes the manifest states" in response.get_json()["error"]
    assert stored(db, settings) == (0, 0, 0, [])


def test_wraps_must_match_the_organisations_recipients(interviewer: Any, db: Session,
                                                       settings: Settings) -> None:
    readers = recipients_of(interviewer)
    for recipients in (readers[:-1], [*readers[:-1], str(crypto.CaseKey.create().recipient)]):
        browser = BrowserCase(recipients)
        parts = browser.parts()
        response = post(interviewer, browser.manifest(parts), parts)
        assert response.status_code == 400
        assert "recipient list changed" in response.get_json()["error"]
    assert stored(db, settings) == (0, 0, 0, [])


def test_coded_answers_are_validated_like_the_forms(interviewer: Any, db: Session,
                                                    settings: Settings) -> None:
    browser = BrowserCase(recipients_of(interviewer))
    parts = browser.parts()
    response = post(interviewer, browser.manifest(parts), parts,
                    extra=[("daily_hours", "99")])
    assert response.status_code == 400
    assert "The coded answers are not valid (daily_hours" in response.get_json()["error"]
    manifest = browser.manifest(parts)
    manifest["bands"] = {"loyalty_fee_per_month_band": CANARY}
    response = post(interviewer, manifest, parts)
    assert "is not one of its field's bands" in response.get_json()["error"]
    assert stored(db, settings) == (0, 0, 0, [])


def test_the_page_loads_the_bundle_with_its_committed_integrity(interviewer: Any) -> None:
    static = Path(__file__).resolve().parents[2] / "app" / "static"
    bundle = (static / "intake-seal.js").read_bytes()
    digest = base64.b64encode(hashlib.sha384(bundle).digest()).decode()
    integrity = json.loads((static / "integrity.json").read_text())
    assert integrity == {"intake-seal.js": f"sha384-{digest}"}, (
        "app/static/intake-seal.js changed without scripts/build-js.sh")
    html = interviewer.client.get("/intake/").get_data(as_text=True)
    assert (f'<script type="module" src="/static/intake-seal.js" '
            f'integrity="sha384-{digest}"></script>') in html
    worker = interviewer.client.get("/intake/sw.js")
    assert worker.status_code == 200
    assert worker.mimetype == "text/javascript"
    worker.close()
    # Installable: a manifest from this site whose scope is the worker's.
    assert '<link rel="manifest" href="/static/intake.webmanifest">' in html
    manifest = json.loads((static / "intake.webmanifest").read_text())
    assert manifest["start_url"] == manifest["scope"] == "/intake/"
