"""The rotation and intake take turns on the organisation's row
(app.orgs.locks): a rotation waits for intakes that read the old recovery
recipient, and intakes after its start read the new one. Otherwise an intake
could wrap a new case to the identity being retired after the final sweep.
On PostgreSQL these are row locks; on SQLite the database's write lock."""

from __future__ import annotations

import threading
import time

import pytest
from flask import Flask
from sqlalchemy.orm import Session
from web_support import OrgFixture

import crypto
from app.intake.service import recovery_recipient_for_new_cases
from app.models import Organisation, RecoveryRotation
from app.recovery import service as recovery


def _session(app: Flask) -> Session:
    session: Session = app.extensions["witnessbox.sessionmaker"]()
    return session


@pytest.mark.parametrize("step", ["start", "finish"])
def test_a_rotation_step_waits_for_an_intake_holding_the_recipient(
        app: Flask, db: Session, demo_org: OrgFixture, step: str) -> None:
    org_id = demo_org.organisation.id
    old, new = demo_org.recovery, crypto.generate_identity()
    if step == "finish":
        with _session(app) as session:
            recovery.start_rotation(session, session.get_one(Organisation, org_id), old,
                                    new.recipient, 3, 2)
            session.commit()

    intake = _session(app)
    read = recovery_recipient_for_new_cases(intake, org_id)  # share lock, still open
    assert read == str(old.recipient if step == "start" else new.recipient)

    done = threading.Event()
    failure: list[BaseException] = []

    def rotation_step() -> None:
        try:
            with _session(app) as session:
                organisation = session.get_one(Organisation, org_id)
                if step == "start":
                    recovery.start_rotation(session, organisation, old, new.recipient, 3, 2)
                else:
                    rotation = recovery.running_rotation(session, organisation)
                    assert isinstance(rotation, RecoveryRotation)
                    recovery.finish_rotation(session, rotation, old, processes=1)
                session.commit()
        except BaseException as exc:  # reported in the test thread
            failure.append(exc)
        finally:
            done.set()

    worker = threading.Thread(target=rotation_step)
    worker.start()
    time.sleep(1.0)
    assert not done.is_set(), "the rotation did not wait for the intake in flight"
    intake.commit()
    intake.close()
    worker.join(timeout=30)
    assert done.is_set()
    assert not failure, failure

    with _session(app) as later:
        assert recovery_recipient_for_new_cases(later, org_id) == str(new.recipient)
        organisation = later.get_one(Organisation, org_id)
        if step == "start":
            assert organisation.recovery_recipient == str(old.recipient)
            assert organisation.recovery_recipient_next == str(new.recipient)
        else:
            assert organisation.recovery_recipient == str(new.recipient)
            assert organisation.recovery_recipient_next is None
