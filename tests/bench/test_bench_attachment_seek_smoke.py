"""Smoke test for bench/attachment_seek.py: it files a case, serves it, seeks,
and ends with its one-line summary. Checks the harness, not the numbers."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_attachment_seek_benchmark_quick_run() -> None:
    before = set(Path(tempfile.gettempdir()).glob("witnessbox-bench-seek-*"))
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "attachment_seek.py"), "--mb", "2",
         "--repeat", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=180, check=False)
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-4000:]
    last = completed.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"seek mb=2 ttfb_end_ms=\d+ ttfb_start_ms=\d+(\.\d+)?", last), last
    assert set(Path(tempfile.gettempdir()).glob("witnessbox-bench-seek-*")) <= before
