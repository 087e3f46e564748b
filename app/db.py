"""Engine and per-request session, without a Flask-specific ORM wrapper.

Services receive a :class:`~sqlalchemy.orm.Session` as a parameter; views get
the request's session from :func:`get_session`, which app.web.transaction
commits once at the end of the request.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from app.storage import make_private_dirs


def make_engine(url: str) -> Engine:
    kwargs: dict[str, Any] = {"pool_pre_ping": True}
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _private_sqlite_file(engine.url.database)
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            # Foreign keys are off by default in SQLite; the schema relies on them.
            cursor.execute("PRAGMA foreign_keys=ON")
            # Overwrite deleted content instead of leaving it in free pages.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()
    return engine


def _private_sqlite_file(database: str | None) -> None:
    """Create the database file 0600 (in 0700 directories) before SQLite opens it.

    SQLite gives its -journal, -wal and -shm files the mode of the database
    file, so owner-only here covers them too, whatever the process umask
    (no process-wide umask change, which would race other threads). An
    existing file is tightened as well: installs from before this fix.
    """
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    make_private_dirs(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def init_app(app: Flask, url: str, session_info: dict[str, Any] | None = None) -> None:
    """``session_info`` is copied into every session's ``info`` (the audit signer)."""
    engine = make_engine(url)
    app.extensions["witnessbox.engine"] = engine
    app.extensions["witnessbox.sessionmaker"] = sessionmaker(
        engine, expire_on_commit=False, info=session_info or {})


def get_engine() -> Engine:
    engine: Engine = current_app.extensions["witnessbox.engine"]
    return engine


def new_session() -> Session:
    factory: sessionmaker[Session] = current_app.extensions["witnessbox.sessionmaker"]
    return factory()


def get_session() -> Session:
    if "db_session" not in g:
        g.db_session = new_session()
    session: Session = g.db_session
    return session
