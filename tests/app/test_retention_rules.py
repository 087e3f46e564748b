"""Retention rules and legal holds: the run deletes what is due, the dry run
nothing, a hold keeps its case; the pages are for the case's own admins."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from intake_data import file_case
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import shred_list
from app.audit.service import verify
from app.cli import main
from app.config import Settings
from app.models import (
    AuditEvent,
    Case,
    CaseKeyWrap,
    CaseStatus,
    LegalHoldReason,
    RetentionRule,
    Role,
    SealedObject,
)
from app.storage import BlobStore


def _counts(db: Session) -> tuple[int, int, int, int]:
    db.expire_all()
    return tuple(db.scalar(select(func.count()).select_from(model)) or 0  # type: ignore[return-value]
                 for model in (Case, SealedObject, CaseKeyWrap, AuditEvent))


def _aged(db: Session, case: Case, status: CaseStatus, days: int) -> str:
    case.status = status
    case.status_changed_at = datetime.now(UTC) - timedelta(days=days)
    db.commit()
    return case.public_id


def test_the_run_deletes_what_is_due_and_the_dry_run_nothing(
        app: Any, db: Session, make_org: Any, blobs: BlobStore, settings: Settings) -> None:
    org = make_org("alpha")
    other = make_org("beta")
    db.add(RetentionRule(organisation_id=org.organisation.id, status=CaseStatus.ARCHIVED,
                         keep_days=30))
    old = _aged(db, file_case(db, org, blobs), CaseStatus.ARCHIVED, 40)
    young = _aged(db, file_case(db, org, blobs), CaseStatus.ARCHIVED, 10)
    dated_case = file_case(db, org, blobs)
    dated_case.delete_after = date.today() - timedelta(days=1)
    held_case = file_case(db, org, blobs)
    held = _aged(db, held_case, CaseStatus.ARCHIVED, 400)
    held_case.legal_hold_reason = LegalHoldReason.INVESTIGATION
    elsewhere = _aged(db, file_case(db, other, blobs), CaseStatus.ARCHIVED, 400)
    db.commit()
    dated = dated_case.public_id
    runner = app.test_cli_runner()

    before = _counts(db)
    db.rollback()  # the command's VACUUM FULL would wait for this session
    dry = runner.invoke(main, ["retention", "run", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"alpha: would delete {old} (archived; archived for more than 30 day(s); " \
           "reason retention_rule)" in dry.output
    assert f"alpha: would delete {dated} (submitted; retention date" in dry.output
    assert f"alpha: kept {held} (archived; archived for more than 30 day(s)): " \
           "on legal hold (investigation)" in dry.output
    assert young not in dry.output
    assert elsewhere not in dry.output  # beta has no rule
    assert "dry run: 2 case(s) would be deleted, 1 kept on legal hold; nothing was deleted" \
        in dry.output
    assert _counts(db) == before
    assert shred_list.read(settings.shred_list_file) == []

    db.rollback()  # the command's VACUUM FULL would wait for this session

    run = runner.invoke(main, ["retention", "run"])
    assert run.exit_code == 0, run.output
    assert f"alpha: deleted {old}" in run.output
    assert f"alpha: deleted {dated}" in run.output
    assert f"alpha: kept {held}" in run.output
    assert "retention run: 2 case(s) crypto-shredded, 1 kept on legal hold" in run.output
    assert "storage:" in run.output
    left = set(db.scalars(select(Case.public_id)))
    assert left == {young, held, elsewhere}
    reasons = {event.target: event.details["reason"] for event in db.scalars(
        select(AuditEvent).where(AuditEvent.action == "case_shredded"))}
    assert reasons == {old: "retention_rule", dated: "retention_date"}
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "storage_scrubbed")) == 1
    assert {entry.case for entry in shred_list.read(settings.shred_list_file)} == {old, dated}
    assert verify(db).ok
    db.rollback()
    assert runner.invoke(main, ["audit", "verify"]).exit_code == 0

    # Nothing more is due: a second run deletes nothing and scrubs nothing again.
    db.rollback()  # the command's VACUUM FULL would wait for this session
    again = runner.invoke(main, ["retention", "run", "--org", "alpha"])
    assert "retention run: 0 case(s) crypto-shredded, 1 kept on legal hold" in again.output
    assert "storage:" not in again.output
    db.rollback()  # the command's VACUUM FULL would wait for this session
    unknown = runner.invoke(main, ["retention", "run", "--org", "nope"])
    assert unknown.exit_code == 1
    assert "no organisation with slug 'nope'" in unknown.output


def _post(user: Any, path: str, **data: Any) -> Any:
    return user.client.post(path, data={"csrf_token": user.csrf_token("/retention"), **data})


def test_admin_pages_set_rules_and_holds_and_delete_with_typed_confirmation(
        db: Session, demo_org: Any, admin_web: Any, blobs: BlobStore, settings: Settings
        ) -> None:
    case = file_case(db, demo_org, blobs)
    public_id = case.public_id
    page = f"/cases/{public_id}/retention"

    saved = _post(admin_web, "/retention", keep_archived="1826", keep_submitted="")
    assert saved.status_code == 302
    assert {r.status: r.keep_days for r in db.scalars(select(RetentionRule))} == {
        CaseStatus.ARCHIVED: 1826}
    assert "archived for" not in admin_web.client.get("/retention").get_data(as_text=True)

    shown = admin_web.client.get(page).get_data(as_text=True)
    assert "Set a legal hold" in shown
    assert f"Delete case {public_id} for good" in shown
    assert _post(admin_web, f"{page}/hold", reason="litigation").status_code == 302
    shown = admin_web.client.get(page).get_data(as_text=True)
    assert "Lift the legal hold" in shown
    assert "It cannot be deleted while it is on legal hold" in shown
    db.expire_all()
    assert db.scalar(select(Case.legal_hold_reason)) is LegalHoldReason.LITIGATION
    refused = _post(admin_web, f"/cases/{public_id}/delete", reason="duplicate",
                    confirm=public_id)
    assert refused.status_code == 409
    assert db.scalar(select(func.count()).select_from(Case)) == 1

    assert _post(admin_web, f"{page}/hold/lift", reason="matter_closed").status_code == 302
    mistyped = _post(admin_web, f"/cases/{public_id}/delete", reason="duplicate",
                     confirm=public_id[:-1])
    assert mistyped.status_code == 400
    assert db.scalar(select(func.count()).select_from(Case)) == 1

    deleted = _post(admin_web, f"/cases/{public_id}/delete", reason="duplicate",
                    confirm=public_id)
    assert deleted.status_code == 302
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Case)) == 0
    assert admin_web.client.get(page).status_code == 404
    actions = list(db.scalars(select(AuditEvent.action).where(
        AuditEvent.target == public_id).order_by(AuditEvent.seq)))
    assert actions[-3:] == ["legal_hold_set", "legal_hold_lifted", "case_shredded"]
    assert verify(db).ok


def test_a_reviewer_and_another_organisations_admin_cannot_delete(
        db: Session, make_org: Any, web: Any, blobs: BlobStore) -> None:
    alpha, _beta = make_org("alpha"), make_org("beta")
    public_id = file_case(db, alpha, blobs).public_id
    for email, expected in ((alpha.email(Role.REVIEWER), 403),
                            ("admin@beta.test", 404)):
        web.sign_in(email)
        token = web.csrf_token("/account")
        for path, data in ((f"/cases/{public_id}/delete",
                            {"reason": "duplicate", "confirm": public_id}),
                           (f"/cases/{public_id}/retention/hold", {"reason": "other"})):
            response = web.client.post(path, data={"csrf_token": token, **data})
            assert response.status_code == expected, (email, path)
        web.client.post("/logout", data={"csrf_token": token})
    db.expire_all()
    case = db.scalars(select(Case)).one()
    assert case.legal_hold_reason is None
    assert case.sealed_objects
