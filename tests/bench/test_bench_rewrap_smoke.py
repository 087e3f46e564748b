"""Smoke test for bench/rewrap.py: a small run checks the harness, not the numbers."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAST_LINE = re.compile(r"^rewrap keys=200 seconds=\d+\.\d\d$")


@pytest.mark.slow
def test_rewrap_benchmark_small_run() -> None:
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "rewrap.py"), "--keys", "200"],
        cwd=ROOT, capture_output=True, text=True, timeout=180, check=False)
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-4000:]
    lines = completed.stdout.strip().splitlines()
    assert LAST_LINE.match(lines[-1]), lines[-1]
    assert "verified sample=200" in lines
