"""Shared fixtures for the tests of :mod:`crypto`.

protect_identity runs scrypt calibrated to roughly one to two and a half
seconds per call (that cost is the point of it), so the one passphrase-protected
identity the suite needs is made once per session and shared.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

import pytest

from crypto import Identity, generate_identity, protect_identity
from crypto.identities import MIN_PASSPHRASE_LENGTH

# Exactly the minimum length, so the session fixture also proves that the
# shortest allowed passphrase is accepted (the too-short case is tested apart).
PASSPHRASE = "kimchi-42-ok"
assert len(PASSPHRASE) == MIN_PASSPHRASE_LENGTH


@dataclass(frozen=True)
class Protected:
    """An identity, the passphrase it was protected with, and the protected file."""

    identity: Identity
    passphrase: str
    blob: bytes


@pytest.fixture(scope="session")
def protected() -> Protected:
    identity = generate_identity()
    return Protected(identity, PASSPHRASE, protect_identity(identity, PASSPHRASE))


@pytest.fixture
def alice() -> Identity:
    return generate_identity()


@pytest.fixture
def bob() -> Identity:
    return generate_identity()


@pytest.fixture
def mallory() -> Identity:
    """Someone holding a valid key that no test seals to."""
    return generate_identity()


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


@pytest.fixture(scope="session")
def age_bin() -> str:
    """Path of the stock ``age`` CLI.

    Skipped on a developer machine without it; under CI the project's set-up
    installs the Debian package, so its absence there is a failure, not a skip.
    """
    path = shutil.which("age")
    if path is None:
        message = ("the stock `age` CLI is not on PATH; install the Debian package `age` "
                   "(apt-get install age) to run the interoperability tests")
        if _ci():
            pytest.fail(f"CI=true but {message}")
        pytest.skip(message)
    return path
