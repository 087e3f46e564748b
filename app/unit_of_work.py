"""One unit of work per request or CLI command, without Flask.

Services change the session and ``flush()``; they never commit. Whoever owns
the unit (the request, see :mod:`app.web.transaction`, or a CLI command via
:func:`unit_of_work`) ends it exactly once: :func:`finish` commits everything,
:func:`abandon` rolls everything back.

Work that must wait for the commit (:func:`on_commit`), such as queueing a
background job that reads what the unit wrote, runs right after it.

Two things must outlive an abandoned unit, and they say so here, in one place:

- **Durable records** (:func:`keep_if_abandoned`): an audit event such as a
  failed sign-in or a decryption happened whatever became of the request, so
  after the rollback it is recorded again, in a transaction of its own.
- **Clean-up** (:func:`on_abandon`): work done outside the database for the
  unit (sealed blobs written to disk) is undone when the rows that would
  have referred to it are rolled back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_DURABLE = "witnessbox.durable"
_CLEANUP = "witnessbox.cleanup"
_AFTER_COMMIT = "witnessbox.after_commit"


def keep_if_abandoned(session: Session, record_again: Callable[[Session], object]) -> None:
    """If this unit is abandoned, call ``record_again(session)`` after the
    rollback and commit what it records."""
    session.info.setdefault(_DURABLE, []).append(record_again)


def on_abandon(session: Session, clean_up: Callable[[], None]) -> None:
    """If this unit is abandoned, call ``clean_up()`` after the rollback."""
    session.info.setdefault(_CLEANUP, []).append(clean_up)


def on_commit(session: Session, then: Callable[[], None]) -> None:
    """Once this unit is committed, call ``then()`` (never if it is abandoned)."""
    session.info.setdefault(_AFTER_COMMIT, []).append(then)


def _forget_hooks(session: Session) -> tuple[list[Callable[[Session], object]],
                                              list[Callable[[], None]]]:
    session.info.pop(_AFTER_COMMIT, None)
    return session.info.pop(_DURABLE, []), session.info.pop(_CLEANUP, [])


def finish(session: Session) -> None:
    """Commit the unit. If the commit fails, the unit is abandoned and the
    error propagates (the caller reports it)."""
    try:
        session.commit()
    except BaseException:
        abandon(session)
        raise
    after = session.info.pop(_AFTER_COMMIT, [])
    _forget_hooks(session)
    for then in after:
        then()


def abandon(session: Session) -> None:
    """Roll the unit back, clean up after it, and keep its durable records."""
    durable, cleanup = _forget_hooks(session)
    session.rollback()
    for clean_up in cleanup:
        try:
            clean_up()
        except Exception as exc:  # one failed clean-up must not stop the others
            log.error("clean-up after an abandoned unit of work failed: %s",
                      type(exc).__name__)
    if not durable:
        return
    try:
        for record_again in durable:
            record_again(session)
        session.commit()
    except SQLAlchemyError as exc:
        # The database is gone: nothing can be recorded, and nothing else was kept.
        session.rollback()
        log.error("could not keep %d durable record(s) of an abandoned unit of work: %s",
                  len(durable), type(exc).__name__)
    finally:
        _forget_hooks(session)  # recording again registered them anew


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    """Commit once at the end of the block; abandon it on any exception."""
    try:
        yield session
    except BaseException:
        abandon(session)
        raise
    finish(session)
