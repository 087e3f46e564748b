"""The intake service's seams: the schema splits answers by tier, the sealer
is a parameter, the blob store owns its layout."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import pytest
from flask import Flask
from intake_data import attachment, minimal_form, receipt_key, submit
from sqlalchemy import select
from sqlalchemy.orm import Session
from web_support import TotpRegistry, WebUser

import crypto
from app import create_app
from app.config import Settings
from app.intake import schema
from app.intake.sealing import AGE_SEALER, Readable, Writable
from app.intake.service import IntakeSubmission
from app.models import Case, Role, SealedKind
from app.storage import BlobStore


def answers(**values: Any) -> schema.IntakeAnswers:
    return schema.IntakeAnswers(
        values={"sector": "logging", "consent_scopes": ["internal_only"],
                "source_connection": "witnessed", **values},
        narrative="The narrative.",
        indicators={"deception": {"present": "yes", "basis": "experienced", "frequency": None},
                    "isolation": {"present": None, "basis": None, "frequency": None}})


def test_split_puts_each_answer_in_its_tier() -> None:
    split = schema.split_answers(answers(name_dprk="Pak", daily_hours=14,
                                         loyalty_fee_per_month=837, phone_ban=True))
    assert split.case_columns == {"sector": "logging", "consent_scopes": ["internal_only"],
                                  "source_connection": "witnessed", "recruitment": None,
                                  "contract": None, "recontact_allowed": False}
    assert split.conditions == {"daily_hours": 14, "phone_ban": True,
                                "loyalty_fee_per_month_band": "500-999"}
    # Every sealed field is in the sealed part (None when unanswered), nothing else.
    assert set(split.sealed) == {spec.name for spec in schema.sealed_fields()}
    assert (split.sealed["name_dprk"], split.sealed["loyalty_fee_per_month"]) == ("Pak", 837)
    assert split.narrative == "The narrative."
    assert split.indicators == (
        schema.IndicatorAnswer("deception", "yes", "experienced", None),
        schema.IndicatorAnswer("isolation", "unknown", None, None))


def test_split_never_puts_a_sealed_value_in_the_coded_parts() -> None:
    texts = {spec.name: f"secret-{spec.name}" for spec in schema.sealed_fields()
             if spec.kind in {schema.Kind.TEXT, schema.Kind.LONG_TEXT}}
    split = schema.split_answers(answers(**texts))
    coded = repr((dict(split.case_columns), dict(split.conditions), split.indicators))
    assert "secret-" not in coded
    assert all(split.sealed[name] == value for name, value in texts.items())


def test_split_is_read_only() -> None:
    split = schema.split_answers(answers())
    with pytest.raises(TypeError):
        split.conditions["daily_hours"] = 99  # type: ignore[index]


class RecordingSealer:
    """The real age sealer, noting what it was asked to seal."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def seal(self, plaintext: bytes, recipients: Sequence[crypto.Recipient]) -> bytes:
        self.calls.append("seal")
        return AGE_SEALER.seal(plaintext, recipients)

    def seal_stream(self, source: Readable, sink: Writable,
                    recipients: Sequence[crypto.Recipient]) -> None:
        self.calls.append("seal_stream")
        AGE_SEALER.seal_stream(source, sink, recipients)

    def wrap_case_key(self, case_key: crypto.CaseKey,
                      recipients: Sequence[crypto.Recipient]) -> bytes:
        self.calls.append("wrap_case_key")
        return AGE_SEALER.wrap_case_key(case_key, recipients)



def test_submission_seals_through_the_sealer_it_is_given(
        db: Session, demo_org: Any, blobs: BlobStore) -> None:
    sealer = RecordingSealer()
    with IntakeSubmission(db, demo_org.members[Role.INTERVIEWER], blobs, sealer) as submission:
        submission.add_attachment("document", "d.pdf", "application/pdf",
                                  io.BytesIO(b"%PDF x" * 99))
        receipt = submission.store(answers(), receipt_key(db))
    # Narrative and fields, one attachment, and the key for reviewer, admin and recovery.
    assert sorted(sealer.calls) == ["seal", "seal", "seal_stream", "wrap_case_key",
                                    "wrap_case_key", "wrap_case_key"]
    case = db.scalars(select(Case).where(Case.public_id == receipt.case_id)).one()
    blob = next(obj for obj in case.sealed_objects if obj.kind is SealedKind.ATTACHMENT)
    # The store decides where the blob lives.
    assert blob.blob_path == blobs.object_path(case.organisation_id, case.public_id, blob.id)
    assert list(blobs.walk()) == [blob.blob_path]


def test_the_app_seals_with_age_unless_built_with_another_sealer(
        app: Flask, settings: Settings, demo_org: Any, totp_registry: TotpRegistry) -> None:
    assert app.extensions["witnessbox.intake_sealer"] is AGE_SEALER
    sealer = RecordingSealer()
    other = create_app(settings, intake_sealer=sealer)
    other.config["TESTING"] = True
    try:
        user = WebUser(other.test_client(), totp_registry)
        user.sign_in(demo_org.email(Role.INTERVIEWER))
        response = submit(user, {**minimal_form(),
                                 **attachment("audio", b"RIFF" + b"a" * 999, "a.wav")})
        assert response.status_code == 303, response.get_data(as_text=True)
    finally:
        other.extensions["witnessbox.engine"].dispose()
    # The view handed the app's sealer to the service.
    assert sorted(sealer.calls) == ["seal", "seal", "seal_stream", "wrap_case_key",
                                    "wrap_case_key", "wrap_case_key"]
