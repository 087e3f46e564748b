"""PostgreSQL helpers for tests: one admin engine, throwaway databases."""

from __future__ import annotations

import functools
import os
import uuid

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get("WITNESSBOX_TEST_POSTGRES_URL", "")


@functools.cache
def admin_engine() -> Engine:
    """One engine for CREATE/DROP DATABASE, disposed when the session ends."""
    return create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


def fresh_postgres_database(template: str | None = None) -> tuple[str, str]:
    """Create a database (optionally from a template); return (name, url)."""
    name = f"wb_test_{uuid.uuid4().hex[:12]}"
    clause = f' TEMPLATE "{template}"' if template else ""
    with admin_engine().connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
    return name, make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(name: str) -> None:
    with admin_engine().connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
