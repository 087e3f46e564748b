"""Alembic migrations are the only way the schema is made: up and down on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from pgtools import drop_postgres_database, fresh_postgres_database
from sqlalchemy import create_engine, inspect

from app.cli import alembic_config
from app.models import Base


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest
                       ) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    reason = request.getfixturevalue("postgres_available")
    if reason:
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    name, url = fresh_postgres_database()
    yield url
    drop_postgres_database(name)


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_to_head_and_back_to_base(empty_database_url: str) -> None:
    config = alembic_config(empty_database_url)
    command.upgrade(config, "head")
    assert _tables(empty_database_url) == {*Base.metadata.tables, "alembic_version"}
    command.downgrade(config, "base")
    assert _tables(empty_database_url) == {"alembic_version"}
    command.upgrade(config, "head")  # and up again: downgrade left nothing behind
    assert set(Base.metadata.tables) <= _tables(empty_database_url)


def test_models_match_migrations(empty_database_url: str) -> None:
    """A model change without a migration fails here (autogenerate finds a diff)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    command.upgrade(alembic_config(empty_database_url), "head")
    engine = create_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()
