"""Test support for the app tests: credentials, key and TOTP pools, a browser-like
client. A plain module (not conftest.py) so tests can import it by a unique name."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import pyotp
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session

import crypto
from app.auth import totp
from app.models import Membership, Organisation, Role, User

PASSWORD = "correct horse battery staple"


PASSPHRASE = "reviewer passphrase for tests"


SECRET_KEY = "test-secret-key-" + "x" * 32
TOTP_SEED_KEYS = ("test-totp-seed-key-" + "t" * 32,)


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
        totp.install_secret(user, secret, TOTP_SEED_KEYS)
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
        # The oldest acceptable step leaves up to three sign-ins per step, but
        # it expires at the next step boundary: close to one, wait it out so the
        # server (a few ms later) still accepts the code.
        if time.time() % totp.STEP_SECONDS > totp.STEP_SECONDS - 3:
            time.sleep(totp.STEP_SECONDS - time.time() % totp.STEP_SECONDS + 0.05)
        current = int(time.time()) // totp.STEP_SECONDS
        step = max(current - totp.VALID_WINDOW, self._last_step.get(email, -1) + 1)
        assert step <= current + totp.VALID_WINDOW, \
            f"{email} signed in more than three times within one 30-second step"
        self._last_step[email] = step
        return pyotp.TOTP(self.secrets[email]).generate_otp(step)


@dataclass
class OrgFixture:
    organisation: Organisation
    recovery: crypto.Identity
    members: dict[Role, Membership] = field(default_factory=dict)
    identities: dict[Role, crypto.Identity] = field(default_factory=dict)
    totp_secrets: dict[Role, str] = field(default_factory=dict)

    def email(self, role: Role) -> str:
        return f"{role.value}@{self.organisation.slug}.test"


CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# The intake form's one-time token (app.intake.service.new_submission_token).
SUBMISSION_TOKEN = re.compile(r'name="submission_token"[^>]*value="([^"]+)"')


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
