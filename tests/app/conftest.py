"""App fixtures: settings, app, client, database session and member factories."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

import crypto
from app import create_app
from app.config import Settings
from app.models import Membership, Organisation, Role
from app.orgs.service import add_member, add_member_key, create_organisation

PASSWORD = "correct horse battery staple"
PASSPHRASE = "reviewer passphrase for tests"
SECRET_KEY = "test-secret-key-" + "x" * 32


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(secret_key=SECRET_KEY, database_url=database_url,
                    blob_dir=str(tmp_path / "instance" / "blobs"),
                    max_upload_mb=30, secure_cookies=False, log_level="INFO")


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    application = create_app(settings)
    application.config["TESTING"] = True
    yield application
    application.extensions["witnessbox.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    # Not inside app.app_context(): a pushed app context would be shared by
    # every test-client request (Flask reuses it), and with it `g`.
    session: Session = app.extensions["witnessbox.sessionmaker"]()
    yield session
    session.close()


class IdentityPool:
    """Passphrase-protected identities made on first use and reused by later
    tests: scrypt costs seconds a call. Each test still gets distinct keys."""

    def __init__(self) -> None:
        self._made: list[tuple[crypto.Identity, bytes]] = []

    def get(self, index: int) -> tuple[crypto.Identity, bytes]:
        while len(self._made) <= index:
            identity = crypto.generate_identity()
            self._made.append((identity, crypto.protect_identity(identity, PASSPHRASE)))
        return self._made[index]


@pytest.fixture(scope="session")
def identity_pool() -> IdentityPool:
    return IdentityPool()


@dataclass
class OrgFixture:
    organisation: Organisation
    recovery: crypto.Identity
    members: dict[Role, Membership] = field(default_factory=dict)
    identities: dict[Role, crypto.Identity] = field(default_factory=dict)

    def email(self, role: Role) -> str:
        return f"{role.value}@{self.organisation.slug}.test"


@pytest.fixture
def make_org(db: Session, identity_pool: IdentityPool):  # type: ignore[no-untyped-def]
    """Create an organisation with one member per role; key holders get keys."""
    used = itertools.count()

    def factory(slug: str) -> OrgFixture:
        created = create_organisation(db, slug, f"{slug.title()} NGO")
        org = OrgFixture(created.organisation, created.recovery_identity)
        for role in Role:
            membership = add_member(db, created.organisation, org.email(role), PASSWORD, role,
                                    must_change_password=False)
            org.members[role] = membership
            if role.holds_key:
                identity, protected = identity_pool.get(next(used))
                add_member_key(db, membership, protected, identity.recipient)
                org.identities[role] = identity
        db.commit()
        return org

    return factory


@pytest.fixture
def demo_org(make_org) -> OrgFixture:  # type: ignore[no-untyped-def]
    org: OrgFixture = make_org("alpha")
    return org


CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class WebUser:
    """Drives the test client like a person: reads CSRF tokens from pages."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def csrf_token(self, path: str) -> str:
        page = self.client.get(path)
        match = CSRF_PATTERN.search(page.get_data(as_text=True))
        assert match, f"no CSRF token on {path} ({page.status_code})"
        return match.group(1)

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        response = self.client.post("/login", data={
            "email": email, "password": password, "csrf_token": self.csrf_token("/login")})
        assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def web(client: FlaskClient) -> WebUser:
    return WebUser(client)


@pytest.fixture
def interviewer(web: WebUser, demo_org: OrgFixture) -> WebUser:
    web.sign_in(demo_org.email(Role.INTERVIEWER))
    return web
