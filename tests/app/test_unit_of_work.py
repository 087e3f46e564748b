"""One commit per request: what an abandoned request keeps, and what it does not."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from intake_data import attachment, form_tokens, minimal_form, submit
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app import unit_of_work
from app.audit import service as audit
from app.config import Settings
from app.models import AuditEvent, Case
from app.storage import BlobStore


def _new_session(app: Flask) -> Session:
    session: Session = app.extensions["witnessbox.sessionmaker"]()
    return session


def _actions(app: Flask) -> list[str]:
    with _new_session(app) as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_an_abandoned_unit_keeps_its_durable_events_and_nothing_else(app: Flask) -> None:
    with _new_session(app) as session:
        audit.record(session, audit.Action.SIGN_IN, actor_user_id=None)
        audit.record(session, audit.Action.SIGN_IN_FAILED, reason="password")
        audit.record(session, audit.Action.DECRYPT, target="WB-TEST")
        unit_of_work.abandon(session)
    assert _actions(app) == ["sign_in_failed", "decrypt"]
    with _new_session(app) as session:
        assert audit.verify(session).ok


def test_a_finished_unit_records_each_durable_event_once(app: Flask) -> None:
    with _new_session(app) as session, unit_of_work.unit_of_work(session):
        audit.record(session, audit.Action.SIGN_IN_FAILED, reason="password")
    with _new_session(app) as session:  # a later abandoned unit must not replay it
        unit_of_work.abandon(session)
    assert _actions(app) == ["sign_in_failed"]


def test_clean_up_runs_only_when_the_unit_is_abandoned(app: Flask) -> None:
    cleaned: list[str] = []
    with _new_session(app) as session:
        unit_of_work.on_abandon(session, lambda: cleaned.append("finished unit"))
        unit_of_work.finish(session)
        unit_of_work.on_abandon(session, lambda: cleaned.append("abandoned unit"))
        unit_of_work.abandon(session)
    assert cleaned == ["abandoned unit"]


def test_after_commit_work_runs_only_once_the_unit_is_committed(app: Flask) -> None:
    ran: list[str] = []
    with _new_session(app) as session:
        unit_of_work.on_commit(session, lambda: ran.append("abandoned unit"))
        unit_of_work.abandon(session)
        unit_of_work.on_commit(session, lambda: ran.append(
            f"committed, {len(_actions(app))} event(s) visible"))
        audit.record(session, audit.Action.SIGN_IN, actor_user_id=None)
        unit_of_work.finish(session)
        unit_of_work.finish(session)  # a second, empty unit: nothing left to run
    assert ran == ["committed, 1 event(s) visible"]


def test_an_exception_in_a_cli_unit_rolls_back_all_but_durable_events(app: Flask) -> None:
    def failing_command(session: Session) -> None:
        with unit_of_work.unit_of_work(session):
            audit.record(session, audit.Action.SETTINGS_CHANGED, setting="x")
            audit.record(session, audit.Action.UNLOCK_FAILED)
            raise RuntimeError("the command failed")

    with _new_session(app) as session, pytest.raises(RuntimeError):
        failing_command(session)
    assert _actions(app) == ["unlock_failed"]


@contextmanager
def database_gone_at_commit(app: Flask) -> Iterator[None]:
    """The database accepts the request's statements, then is gone when it commits."""
    engine = app.extensions["witnessbox.engine"]

    def refuse(_connection: Any) -> None:
        raise OperationalError("COMMIT", {}, ConnectionError("server closed the connection"))

    event.listen(engine, "commit", refuse)
    try:
        yield
    finally:
        event.remove(engine, "commit", refuse)


def test_intake_whose_commit_fails_says_nothing_was_stored_and_leaves_no_blob(
        interviewer: Any, app: Flask, settings: Settings, db: Session) -> None:
    tokens = form_tokens(interviewer)
    with database_gone_at_commit(app):
        response = submit(interviewer, {**minimal_form(), **attachment(
            "audio", b"RIFF" + bytes(4096), "a.wav")}, tokens=tokens)
    assert response.status_code == 503
    assert "Nothing was stored" in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Case)) == 0
    assert list(BlobStore(settings.blob_dir).walk()) == []
