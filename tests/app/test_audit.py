"""The hash-chained audit log: recording, browsing, and detecting every kind of tampering."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.audit.service import Action
from app.models import AuditEvent, AuditHead, Role


def run_verify(app: Flask) -> Result:
    from app.cli import audit_verify

    return app.test_cli_runner().invoke(audit_verify)


@pytest.fixture
def chain(db: Session, demo_org: Any) -> list[AuditEvent]:
    org = demo_org.organisation.id
    events = [audit.record(db, Action.SIGN_IN, organisation_id=org, actor_user_id=1),
              audit.record(db, Action.DECRYPT, organisation_id=org, actor_user_id=2,
                           target="WB-AAAA-BBBB-CCCC"),
              audit.record(db, Action.MEMBER_SUSPENDED, organisation_id=org, actor_user_id=1,
                           target="membership:3"),
              audit.record(db, Action.EXPORT, organisation_id=org, actor_user_id=1, files=3)]
    db.commit()
    return events


def test_intact_chain_verifies(app: Flask, chain: list[AuditEvent]) -> None:
    result = run_verify(app)
    assert result.exit_code == 0, result.output
    assert "4 events" in result.output


def _edit(db: Session, events: list[AuditEvent]) -> None:
    db.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(target="WB-OTHER"))


def _edit_details(db: Session, events: list[AuditEvent]) -> None:
    db.execute(update(AuditEvent).where(AuditEvent.seq == 4).values(details={"files": 1}))


def _delete_middle(db: Session, events: list[AuditEvent]) -> None:
    db.execute(delete(AuditEvent).where(AuditEvent.seq == 2))


def _delete_last_and_fix_head(db: Session, events: list[AuditEvent]) -> None:
    db.execute(delete(AuditEvent).where(AuditEvent.seq == 4))


def _insert_forged(db: Session, events: list[AuditEvent]) -> None:
    forged = AuditEvent(seq=99, organisation_id=events[0].organisation_id, actor_user_id=1,
                        action="sign_in", details={}, prev_hash=events[-1].event_hash,
                        created_at=events[-1].created_at)
    forged.event_hash = audit.event_hash(forged)
    db.add(forged)


def _reorder(db: Session, events: list[AuditEvent]) -> None:
    # Swap the sequence numbers of two events (through a free number: seq is unique).
    db.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(seq=1000))
    db.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(seq=2))
    db.execute(update(AuditEvent).where(AuditEvent.seq == 1000).values(seq=3))


def _rehash_edit(db: Session, events: list[AuditEvent]) -> None:
    """A careful forger edits an event and recomputes its own hash: the next link breaks."""
    event = db.scalars(select(AuditEvent).where(AuditEvent.seq == 2)).one()
    event.target = "WB-FORGED"
    event.event_hash = audit.event_hash(event)


@pytest.mark.parametrize("tamper", [_edit, _edit_details, _delete_middle,
                                    _delete_last_and_fix_head, _insert_forged, _reorder,
                                    _rehash_edit])
def test_every_kind_of_tampering_is_detected(app: Flask, db: Session, chain: list[AuditEvent],
                                             tamper: Callable[[Session, list[AuditEvent]], None]
                                             ) -> None:
    tamper(db, chain)
    db.commit()
    result = run_verify(app)
    assert result.exit_code == 1
    assert "TAMPERED" in result.output


def test_truncating_events_and_head_together_is_detected_by_the_chain(
        app: Flask, db: Session, chain: list[AuditEvent]) -> None:
    db.execute(delete(AuditEvent).where(AuditEvent.seq == 1))
    db.commit()
    assert run_verify(app).exit_code == 1
    head = db.get(AuditHead, 1)
    assert head is not None


def test_intake_and_decryption_are_recorded_without_content(db: Session, demo_org: Any,
                                                             settings: Any) -> None:
    from intake_data import file_case

    from app.cases import service as cases
    from app.storage import BlobStore

    case = file_case(db, demo_org, BlobStore(settings.blob_dir), narrative="Secret words")
    cases.unlock_case_key(db, demo_org.members[Role.REVIEWER], case,
                          demo_org.identities[Role.REVIEWER])
    events = db.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert [e.action for e in events] == ["intake", "decrypt"]
    assert {e.target for e in events} == {case.public_id}
    assert events[1].actor_user_id == demo_org.members[Role.REVIEWER].user_id
    assert all("Secret" not in str(e.details) for e in events)
    assert audit.verify(db).ok


def test_admin_browses_and_filters_own_organisation_only(
        web: Any, db: Session, demo_org: Any, make_org: Any) -> None:
    other = make_org("beta")
    alpha_admin = demo_org.members[Role.ADMIN].user_id
    audit.record(db, Action.EXPORT, organisation_id=demo_org.organisation.id,
                 actor_user_id=alpha_admin, target="alpha-export")
    audit.record(db, Action.EXPORT, organisation_id=other.organisation.id,
                 actor_user_id=other.members[Role.ADMIN].user_id, target="beta-export")
    audit.record(db, Action.GRANT, organisation_id=demo_org.organisation.id,
                 actor_user_id=alpha_admin, target="alpha-grant")
    db.commit()
    web.sign_in(demo_org.email(Role.ADMIN))
    page = web.client.get("/audit/").get_data(as_text=True)
    assert "alpha-export" in page
    assert "alpha-grant" in page
    assert "beta-export" not in page
    filtered = web.client.get("/audit/?action=grant").get_data(as_text=True)
    assert "alpha-grant" in filtered
    assert "alpha-export" not in filtered


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.INTERVIEWER])
def test_non_admins_cannot_read_the_log(web: Any, demo_org: Any, role: Role) -> None:
    web.sign_in(demo_org.email(role))
    assert web.client.get("/audit/").status_code == 403


def test_deleting_an_organisation_or_user_leaves_their_events_as_they_were(
        db: Session, make_org: Any) -> None:
    from sqlalchemy import text

    doomed = make_org("gamma")
    admin = doomed.members[Role.ADMIN]
    org_id, user_id = doomed.organisation.id, admin.user_id
    audit.record(db, Action.EXPORT, organisation_id=org_id, actor_user_id=user_id, files=1)
    audit.record(db, Action.SIGN_IN, organisation_id=org_id, actor_user_id=user_id)
    db.commit()
    db.execute(text("DELETE FROM organisation WHERE id = :id"), {"id": org_id})
    db.execute(text("DELETE FROM user_account WHERE id = :id"), {"id": user_id})
    db.commit()
    db.expire_all()
    events = db.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert [(e.organisation_id, e.actor_user_id) for e in events] == [(org_id, user_id)] * 2
    result = audit.verify(db)
    assert result.ok, result.problems
