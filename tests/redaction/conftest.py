"""Shared fixtures for the redaction tests: one detector per session (models load once)."""

from __future__ import annotations

import pytest

from app.redaction.detector import Detector


@pytest.fixture(scope="session")
def detector() -> Detector:
    d = Detector()
    d.warm()
    return d

