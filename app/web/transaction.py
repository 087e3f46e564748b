"""One commit per request.

Views and services only change the request's session; the commit happens
here, once, after the view returned and before the response leaves, so a
failed commit becomes a "nothing was stored" page instead of a success that
was not kept. A request that ends in an error handler is abandoned
(app.web.errors): everything it changed rolls back, except what
:mod:`app.unit_of_work` is told to keep.
"""

from __future__ import annotations

from flask import Flask, g, make_response
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from app import unit_of_work
from app.web.pages import database_unavailable

_ABANDONED = "unit_of_work_abandoned"


def _request_session() -> Session | None:
    session: Session | None = g.get("db_session")
    return session


def abandon_request() -> None:
    """Roll back this request's changes (called by every error handler)."""
    g.setdefault(_ABANDONED, True)
    session = _request_session()
    if session is not None:
        unit_of_work.abandon(session)


def _commit(response: Response) -> Response:
    session = _request_session()
    if session is None or g.get(_ABANDONED):
        return response
    try:
        unit_of_work.finish(session)
    except SQLAlchemyError as exc:
        g.setdefault(_ABANDONED, True)
        return make_response(database_unavailable(exc))
    return response


def _end(exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is None:
        return
    if exc is not None and not g.get(_ABANDONED):
        # An exception no handler answered (tests re-raise them): still a failure.
        unit_of_work.abandon(session)
    session.close()


def init_app(app: Flask) -> None:
    """Register last among after-request functions so it runs first (Flask
    runs them in reverse): headers then apply to a 503 page made here too."""
    app.after_request(_commit)
    app.teardown_appcontext(_end)
