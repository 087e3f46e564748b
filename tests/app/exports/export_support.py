"""Approved cases for the export tests: filed, redacted by the reviewer, approved by the admin."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from intake_data import receipt_key
from sqlalchemy import select
from sqlalchemy.orm import Session
from web_support import OrgFixture

from app.cases import workflow
from app.intake.schema import IntakeAnswers
from app.intake.sealing import AGE_SEALER
from app.intake.service import IntakeSubmission
from app.models import Case, CaseStatus, Role
from app.review import layers
from app.review import service as review
from app.storage import BlobStore

ALL_PURPOSES = ["aggregate_stats", "anonymised_quotes", "share_un", "share_prosecutors"]


def file_case(db: Session, org: OrgFixture, blobs: BlobStore, *, narrative: str,
              consent: Sequence[str] = ALL_PURPOSES, sector: str = "construction",
              indicators: dict[str, str] | None = None,
              fields: dict[str, Any] | None = None) -> Case:
    values: dict[str, Any] = {"sector": sector, "consent_scopes": list(consent),
                              "source_connection": "experienced", **(fields or {})}
    answers = {name: {"present": present, "basis": "experienced", "frequency": None}
               for name, present in (indicators or {}).items()}
    with IntakeSubmission(db, org.members[Role.INTERVIEWER], blobs, AGE_SEALER) as submission:
        receipt = submission.store(IntakeAnswers(values=values, narrative=narrative,
                                                 indicators=answers), receipt_key(db))
    db.commit()
    return db.scalars(select(Case).where(Case.public_id == receipt.case_id)).one()


def redact_and_approve(db: Session, org: OrgFixture, case: Case, masks: Sequence[str],
                       *, approve: bool = True) -> Case:
    """The reviewer masks every occurrence of each phrase (as PERSON), marks
    the rest of the second sweep safe and submits; the admin approves."""
    reviewer, admin = org.members[Role.REVIEWER], org.members[Role.ADMIN]
    workflow.change_status(db, case, CaseStatus.IN_REVIEW, actor=reviewer)
    workflow.change_status(db, case, CaseStatus.IN_REDACTION, actor=reviewer)
    # No detector: the phrases below are the only masks (a detector that finds nothing).
    ws = review.load(db, reviewer, case, org.identities[Role.REVIEWER], lambda _text: [])
    for phrase in masks:
        review.add_phrase(db, reviewer, ws, phrase, "PERSON", "DIRECT")
    review.decide(db, reviewer, ws, [s.key for s in ws.layer.spans], layers.ACCEPTED)
    review.record_sweep(db, reviewer, ws, {item.key: layers.SAFE for item in ws.sweep_items()})
    review.submit(db, reviewer, ws)
    if approve:
        check = review.load(db, admin, case, org.identities[Role.ADMIN], None)
        review.approve(db, admin, check)
    db.commit()
    return case


def approved_case(db: Session, org: OrgFixture, blobs: BlobStore, *, narrative: str,
                  masks: Sequence[str] = (), **filing: Any) -> Case:
    return redact_and_approve(db, org, file_case(db, org, blobs, narrative=narrative, **filing),
                              masks)
