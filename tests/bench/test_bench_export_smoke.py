"""Smoke test for bench/export.py: it seeds approved cases, builds a bundle in a
fresh process and ends with its one-line summary. Checks the harness, not the numbers."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_export_benchmark_quick_run() -> None:
    before = set(Path(tempfile.gettempdir()).glob("witnessbox-bench-export-*"))
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "export.py"), "--cases", "10", "20"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-4000:]
    lines = completed.stdout.strip().splitlines()
    assert re.fullmatch(r"memory ratio 20/10 cases = \d+\.\d\d", lines[-2]), lines
    assert re.fullmatch(r"export cases=20 seconds=\d+\.\d peak_rss_mib=\d+", lines[-1]), lines
    assert set(Path(tempfile.gettempdir()).glob("witnessbox-bench-export-*")) <= before
