"""Taking turns on an organisation's row, the same way on PostgreSQL and SQLite.

Intake reads the organisation's recovery recipient under a shared lock, and
a recovery rotation changes it under an exclusive one (app.recovery.service),
so that no case is wrapped to a recipient that is being retired after the
rotation's final sweep.

PostgreSQL has row locks: ``SELECT … FOR SHARE`` and ``FOR UPDATE``. SQLite
has none, and a read outside a write transaction holds nothing at all, so
there both kinds take the database's one write lock at once, with an update
that changes nothing. SQLite allows one writer at a time anyway; this only
takes the turn before the read instead of at the first insert.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import Organisation


def lock_organisation(session: Session, organisation_id: int, *, shared: bool) -> None:
    """Hold the organisation's row until the end of the transaction: ``shared``
    by readers of what a rotation changes, exclusive by the rotation."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            update(Organisation).where(Organisation.id == organisation_id)
            .values(recovery_recipient_next=Organisation.recovery_recipient_next)
            .execution_options(synchronize_session=False))
        return
    session.execute(select(Organisation.id).where(Organisation.id == organisation_id)
                    .with_for_update(read=shared))
