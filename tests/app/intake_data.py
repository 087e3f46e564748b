"""Builders for intake submissions shared by the intake tests and benchmarks."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from web_support import CSRF_PATTERN, SUBMISSION_TOKEN
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app.audit.checkpoints import signer_for
from app.intake import schema
from app.intake.schema import IntakeAnswers
from app.intake.sealing import AGE_SEALER
from app.intake.service import IntakeSubmission
from app.models import Case, Role
from app.storage import BlobStore
from crypto.signing import SigningKey

CANARY = "CanaryQx7Zebra"


def minimal_form(**overrides: Any) -> dict[str, Any]:
    """The required answers only."""
    data: dict[str, Any] = {
        "interview_date": "2024-03-01",
        "consent_scopes": ["internal_only", "aggregate_stats"],
        "source_connection": "experienced",
        "sector": "construction",
        "narrative": "We worked from six in the morning until two at night.",
    }
    for name, _label in schema.ILO_INDICATORS:
        data[f"ilo_{name}_present"] = "unknown"
    data.update(overrides)
    return data


def full_form(marker: str) -> dict[str, Any]:
    """Every sealed text field carries ``marker``; coded fields carry codes only."""
    data = minimal_form()
    for spec in schema.FIELDS:
        if not spec.tier.sealed:
            continue
        if spec.kind in {schema.Kind.TEXT, schema.Kind.LONG_TEXT}:
            data[spec.name] = f"{spec.name} {marker} {marker.lower()}"
        elif spec.kind is schema.Kind.DATE:
            data[spec.name] = "2019-05-04"
        elif spec.kind is schema.Kind.NUMBER:
            data[spec.name] = str(spec.minimum or 1)
        elif spec.kind is schema.Kind.CHOICE:
            data[spec.name] = spec.choices[0][0]
    data.update({
        "recontact_allowed": "y", "recruitment": "state_assigned", "contract": "none_seen",
        "daily_hours": "18", "days_off_per_year": "2", "loyalty_fee_per_month": "700",
        "passport_held_by": "security_official", "phone_ban": "y",
        "ilo_retention_of_documents_present": "yes",
        "ilo_retention_of_documents_basis": "experienced",
        "ilo_excessive_overtime_present": "yes",
        "ilo_excessive_overtime_frequency": "constant",
        "narrative": f"Narrative {marker}. " * 50 + marker.upper(),
    })
    return data


def form_tokens(user: Any) -> dict[str, str]:
    """The CSRF and one-time submission tokens of a freshly opened intake form."""
    html = user.client.get("/intake/").get_data(as_text=True)
    csrf, token = CSRF_PATTERN.search(html), SUBMISSION_TOKEN.search(html)
    assert csrf, "the intake form carries no CSRF token"
    assert token, "the intake form carries no submission token"
    return {"csrf_token": csrf.group(1), "submission_token": token.group(1)}


def submit(user: Any, data: dict[str, Any], *, csrf: bool = True,
           tokens: dict[str, str] | None = None) -> Any:
    """POST the intake form as the browser does: multipart, the page's CSRF and
    submission tokens first (``tokens`` re-sends those of an earlier form)."""
    body = dict(data)
    if csrf:
        body = {**(tokens or form_tokens(user)), **body}
    payload, content_type = encode(body)
    return user.client.post("/intake/", data=payload, content_type=content_type)


def receipt_page(user: Any, response: Any) -> Any:
    """Follow a stored submission's redirect to its receipt page."""
    assert response.status_code == 303, response.get_data(as_text=True)
    return user.client.get(response.headers["Location"])


def attachment(kind: str, payload: bytes, filename: str, slot: int = 0) -> dict[str, Any]:
    return {f"attachment_{slot}_kind": kind,
            f"attachment_{slot}": FileStorage(io.BytesIO(payload), filename)}


def encode(data: dict[str, Any]) -> tuple[bytes, str]:
    """A multipart body in the order given (the browser sends DOM order), in memory.

    (Werkzeug's test client would spool a large body to a temporary file.)
    """
    boundary, body = encode_multipart(MultiDict(field_pairs(data)))
    return body, f"multipart/form-data; boundary={boundary}"


def field_pairs(data: dict[str, Any]) -> list[tuple[str, Any]]:
    """Form values as (name, value) pairs, a list value giving one pair per item."""
    return [(k, item) for k, v in data.items() for item in (v if isinstance(v, list) else [v])]


def _field_part(boundary: str, name: str, value: str) -> bytes:
    return (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n").encode()


def _file_header(boundary: str, name: str, filename: str) -> bytes:
    return (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode()


def _closing(boundary: str) -> bytes:
    return f"--{boundary}--\r\n".encode()


def stream_multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, Any]],
                     boundary: str = "WitnessboxBoundary7d1f") -> tuple[Any, str]:
    """A generator body (sent chunked) with fields first, then files.

    Each file is ``(field name, filename, iterable of byte chunks)``, so a
    large attachment never needs to be in memory at once.
    """
    def parts() -> Any:
        for name, value in fields:
            yield _field_part(boundary, name, value)
        for name, filename, chunks in files:
            yield _file_header(boundary, name, filename)
            yield from chunks
            yield b"\r\n"
        yield _closing(boundary)

    return parts(), f"multipart/form-data; boundary={boundary}"


def receipt_key(db: Session) -> SigningKey:
    """The app's signing key, as the intake view passes it to IntakeSubmission.commit."""
    return signer_for(db).signing_key


def multipart_file_envelope(fields: list[tuple[str, str]], name: str, filename: str,
                            boundary: str) -> tuple[bytes, bytes, str]:
    """What goes before and after the content of one file sent after ``fields``,
    and the content type: for a body of known length whose file is generated
    while it is sent (the benchmark's large upload)."""
    head = b"".join(_field_part(boundary, n, v) for n, v in fields)
    return (head + _file_header(boundary, name, filename), b"\r\n" + _closing(boundary),
            f"multipart/form-data; boundary={boundary}")


def file_case(db: Session, org: Any, blobs: BlobStore, narrative: str = CANARY,
              attachments: Sequence[tuple[str, str, bytes]] = ()) -> Case:
    """File a real sealed case through the intake service as the org's
    interviewer; ``attachments`` are (kind chosen, file name, bytes)."""
    with IntakeSubmission(db, org.members[Role.INTERVIEWER], blobs, AGE_SEALER) as submission:
        for label, filename, payload in attachments:
            submission.add_attachment(label, filename, "application/octet-stream",
                                      io.BytesIO(payload))
        receipt = submission.store(IntakeAnswers(
            values={"sector": "logging", "consent_scopes": ["internal_only"],
                    "source_connection": "witnessed", "name_dprk": "Pak"},
            narrative=narrative, indicators={}), receipt_key(db))
    db.commit()  # as the request would: the service only flushes
    return db.scalars(select(Case).where(Case.public_id == receipt.case_id)).one()
