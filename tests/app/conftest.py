"""App fixtures: settings, app, client, database session and member factories."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from web_support import (
    PASSWORD,
    SECRET_KEY,
    TOTP_SEED_KEYS,
    IdentityPool,
    OrgFixture,
    TotpRegistry,
    WebUser,
)

from app import create_app
from app.audit.keyfile import write_new_signing_key
from app.config import Settings
from app.models import Role
from app.orgs.service import add_member, add_member_key, create_organisation
from app.storage import BlobStore


@pytest.fixture(scope="session")
def audit_key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One audit signing key file (0600) for every non-demo app of the run."""
    path = tmp_path_factory.mktemp("audit-key") / "audit-signing-key"
    write_new_signing_key(path)
    return path


@pytest.fixture
def settings(database_url: str, tmp_path: Path, audit_key_file: Path) -> Settings:
    return Settings(secret_key=SECRET_KEY, totp_seed_keys=TOTP_SEED_KEYS,
                    audit_signing_key_file=str(audit_key_file),
                    database_url=database_url,
                    blob_dir=str(tmp_path / "instance" / "blobs"),
                    export_dir=str(tmp_path / "instance" / "exports"),
                    export_key_dir=str(tmp_path / "instance" / "export-keys"),
                    background_jobs=False,
                    shred_list_file=str(tmp_path / "instance" / "shred-list.jsonl"),
                    base_url="https://witnessbox.example",
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


@pytest.fixture(scope="session")
def identity_pool() -> IdentityPool:
    return IdentityPool()


@pytest.fixture
def totp_registry() -> TotpRegistry:
    return TotpRegistry()


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


@pytest.fixture
def web(client: FlaskClient, totp_registry: TotpRegistry) -> WebUser:
    return WebUser(client, totp_registry)


@pytest.fixture
def interviewer(web: WebUser, demo_org: OrgFixture) -> WebUser:
    web.sign_in(demo_org.email(Role.INTERVIEWER))
    return web


@pytest.fixture
def admin_web(web: WebUser, demo_org: OrgFixture) -> WebUser:
    web.sign_in(demo_org.email(Role.ADMIN))
    return web


@pytest.fixture
def blobs(settings: Settings) -> BlobStore:
    return BlobStore(settings.blob_dir)


@pytest.fixture
def make_app(settings: Settings) -> Iterator[Any]:
    """Apps with changed settings (limits, lockout) over the test's database."""
    made: list[Flask] = []

    def factory(**changes: Any) -> Flask:
        application = create_app(replace(settings, **changes))
        application.config["TESTING"] = True
        made.append(application)
        return application

    yield factory
    for application in made:
        application.extensions["witnessbox.engine"].dispose()
