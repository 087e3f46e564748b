"""Stock tools and services the suite relies on: skipped where missing on a
developer's machine, a failure under CI (scripts/install-system-deps.sh and
.ci/run provide them there)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def missing(message: str) -> NoReturn:
    """Skip the test (fail it under CI) because ``message`` names what is missing."""
    if IN_CI:
        pytest.fail(f"CI=true but {message}")
    pytest.skip(message)


def require_tool(name: str, package: str) -> str:
    """The path of the command ``name`` (also looked for in /usr/sbin)."""
    path = shutil.which(name) or (f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists()
                                  else None)
    if path is None:
        missing(f"the stock `{name}` command is missing: install the Debian package "
                f"`{package}` (scripts/install-system-deps.sh installs it)")
    return path
