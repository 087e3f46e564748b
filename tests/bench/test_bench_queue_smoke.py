"""Smoke test for bench/queue.py: seeds PostgreSQL, serves, signs in, times, cleans up.

It checks the harness, not the numbers (200 cases on a shared machine).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAST_LINE = re.compile(r"^queue cases=200 p50_ms=\d+\.\d p95_ms=\d+\.\d$")


@pytest.mark.slow
def test_queue_benchmark_small_run(postgres_available: str) -> None:
    if postgres_available:
        pytest.skip(postgres_available)
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "queue.py"), "--cases", "200", "--rounds", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=180, check=False,
        env={**os.environ})
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-4000:]
    lines = completed.stdout.strip().splitlines()
    assert LAST_LINE.match(lines[-1]), lines[-1]
    assert any(line.startswith("explain first:") and "Index" in line for line in lines)


# Every script (a module with a __main__ block); the others are its helpers.
SCRIPTS = sorted(path.name for path in (ROOT / "bench").glob("[a-z]*.py")
                 if '__name__ == "__main__"' in path.read_text())


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_bench_script_run_by_path_gets_the_standard_library_queue(script: str) -> None:
    """Run as `python bench/<script>`, Python puts bench/ first on sys.path,
    where queue.py would shadow the standard library's queue (which
    multiprocessing and concurrent.futures import). Each script must replace it."""
    probe = (
        "import runpy, sys\n"
        f"sys.path[0] = {str(ROOT / 'bench')!r}\n"
        f"sys.argv = [{str(ROOT / 'bench' / script)!r}, '--help']\n"
        "try:\n"
        f"    runpy.run_path(sys.argv[0], run_name='__main__')\n"
        "except SystemExit as exit:\n"
        "    assert exit.code in (0, None), exit.code\n"
        "import queue\n"
        "print(queue.__file__)\n")
    completed = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                               text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert not completed.stdout.strip().splitlines()[-1].startswith(str(ROOT)), completed.stdout
