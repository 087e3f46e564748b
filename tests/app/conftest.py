"""App fixtures: settings, app, client, database session and member factories."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session

import crypto
from app import create_app
from app.auth import totp
from app.config import Settings
from app.models import Membership, Organisation, Role, User
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


class TotpRegistry:
    """TOTP secrets of the test members, by e-mail, and the codes they may use.

    A code is accepted once (the server remembers the last 30-second step),
    so a test that signs the same member in twice within 30 s needs a later
    step each time: the valid window allows the previous, current and next
    step, i.e. three sign-ins per member per step.
    """

    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}
        self._last_step: dict[str, int] = {}

    def enrol(self, db: Session, user: User) -> str:
        """Turn TOTP on for ``user`` directly in the database; returns the secret."""
        secret = pyotp.random_base32()
        totp.install_secret(user, secret, SECRET_KEY)
        db.flush()
        self.secrets[user.email] = secret
        return secret

    def rewind(self, db: Session, email: str) -> None:
        """Forget the member's spent codes, as if minutes had passed (for tests
        that must sign one member in more than three times in 30 s)."""
        # A statement, not the ORM object: the server changed the row behind
        # this session's back, so its cached copy may already say 0 or None.
        db.execute(update(User).where(User.email == email).values(totp_last_step=0))
        db.commit()
        self._last_step.pop(email, None)

    def next_code(self, email: str) -> str:
        current = int(time.time()) // totp.STEP_SECONDS
        step = max(current - totp.VALID_WINDOW, self._last_step.get(email, -1) + 1)
        assert step <= current + totp.VALID_WINDOW, \
            f"{email} signed in more than three times within one 30-second step"
        self._last_step[email] = step
        return pyotp.TOTP(self.secrets[email]).generate_otp(step)


@pytest.fixture
def totp_registry() -> TotpRegistry:
    return TotpRegistry()


@dataclass
class OrgFixture:
    organisation: Organisation
    recovery: crypto.Identity
    members: dict[Role, Membership] = field(default_factory=dict)
    identities: dict[Role, crypto.Identity] = field(default_factory=dict)
    totp_secrets: dict[Role, str] = field(default_factory=dict)

    def email(self, role: Role) -> str:
        return f"{role.value}@{self.organisation.slug}.test"


@pytest.fixture
def make_org(db: Session, identity_pool: IdentityPool,  # type: ignore[no-untyped-def]
             totp_registry: TotpRegistry):
    """Create an organisation with one member per role; key holders get keys
    and, as their role requires, TOTP (secrets in ``totp_secrets``)."""
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
                org.totp_secrets[role] = totp_registry.enrol(db, membership.user)
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

    def __init__(self, client: FlaskClient, totp_registry: TotpRegistry) -> None:
        self.client = client
        self.totp = totp_registry

    def csrf_token(self, path: str) -> str:
        page = self.client.get(path)
        match = CSRF_PATTERN.search(page.get_data(as_text=True))
        assert match, f"no CSRF token on {path} ({page.status_code})"
        return match.group(1)

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        """Password, then (for members with TOTP) a fresh code from the registry."""
        response = self.client.post("/login", data={
            "email": email, "password": password, "csrf_token": self.csrf_token("/login")})
        assert response.status_code == 302, response.get_data(as_text=True)
        if response.headers["Location"].endswith("/login/code"):
            response = self.client.post("/login/code", data={
                "code": self.totp.next_code(email),
                "csrf_token": self.csrf_token("/login/code")})
            assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def web(client: FlaskClient, totp_registry: TotpRegistry) -> WebUser:
    return WebUser(client, totp_registry)


@pytest.fixture
def interviewer(web: WebUser, demo_org: OrgFixture) -> WebUser:
    web.sign_in(demo_org.email(Role.INTERVIEWER))
    return web
