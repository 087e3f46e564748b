"""Shared fixtures: an app per test on SQLite and, when it answers, PostgreSQL.

Each test gets a fresh database cloned from a template migrated once per
session (a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on
PostgreSQL), so every test sees the schema exactly as the migrations make it.

PostgreSQL comes from ``WITNESSBOX_TEST_POSTGRES_URL``. Without it, or when
it does not answer, PostgreSQL tests are skipped with a message; under
``CI=true`` an unreachable PostgreSQL fails the run instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from argon2 import PasswordHasher
from pgtools import POSTGRES_URL, admin_engine, drop_postgres_database, fresh_postgres_database
from sqlalchemy import text
from sqlalchemy.engine import make_url
from stock_tools import require_tool

from app.auth import passwords
from app.cli import alembic_config

IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(scope="session", autouse=True)
def _dispose_admin_engine() -> Iterator[None]:
    yield
    if admin_engine.cache_info().currsize:
        admin_engine().dispose()


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """argon2id at the production cost takes about 0.1 s a hash and the suite
    hashes thousands of passwords (every member of every test organisation,
    every sign-in). Tests in this process hash with the same algorithm at its
    minimum cost; test_auth checks the production parameters, and the live
    server tests (separate processes) use them."""
    production, dummy = passwords._hasher, passwords._DUMMY_HASH
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    passwords._DUMMY_HASH = passwords._hasher.hash("witnessbox-timing-equaliser")
    yield
    passwords._hasher, passwords._DUMMY_HASH = production, dummy


@pytest.fixture(scope="session", autouse=True)
def _no_developer_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """`make run` writes instance/config.toml (demo_mode = true) in the checkout;
    settings loaded by tests without a file of their own must not read it."""
    import app.config

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app.config, "DEFAULT_INSTANCE",
                      tmp_path_factory.getbasetemp() / "no-default-instance")
        yield


@pytest.fixture(scope="session")
def postgres_available() -> str:
    """The reason PostgreSQL cannot be used, or '' when it can."""
    if not POSTGRES_URL:
        reason = "WITNESSBOX_TEST_POSTGRES_URL is not set"
    else:
        try:
            with admin_engine().connect() as connection:
                connection.execute(text("select 1"))
            return ""
        except Exception as exc:  # any failure to connect means "not here"
            reason = f"PostgreSQL at {make_url(POSTGRES_URL).render_as_string()} " \
                     f"did not answer ({type(exc).__name__})"
    if IN_CI:
        pytest.fail(f"CI requires PostgreSQL: {reason}")
    return reason


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    command.upgrade(alembic_config(f"sqlite:///{path}"), "head")
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_available: str) -> Iterator[str]:
    if postgres_available:
        pytest.skip(f"PostgreSQL tests skipped: {postgres_available}")
    name = f"wb_template_{os.getpid()}"
    engine = admin_engine()
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name)
    command.upgrade(alembic_config(url.render_as_string(hide_password=False)), "head")
    yield name
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        path = tmp_path / "instance" / "witnessbox.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("postgres_template")
    name, url = fresh_postgres_database(template)
    yield url
    drop_postgres_database(name)


@pytest.fixture(scope="session")
def minisign_bin() -> str:
    """Path of the stock ``minisign`` CLI (the tool export recipients use).

    Skipped on a developer machine without it; under CI it is installed by
    scripts/install-system-deps.sh, so its absence there is a failure.
    """
    return require_tool("minisign", "minisign")
