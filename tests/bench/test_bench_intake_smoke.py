"""Smoke test for bench/intake.py: the benchmark runs end to end and cleans up.

It checks that the harness works (servers start, clients sign in, both
configurations store what they should, results are written, nothing is left
behind), not the numbers: on a shared two-core machine a one-second round
says nothing about performance. About 10-15 s.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_intake_benchmark_quick_run(tmp_path: Path) -> None:
    output = tmp_path / "intake.json"
    before = set(Path(tempfile.gettempdir()).glob("witnessbox-bench-intake-*"))
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "intake.py"), "--quick", "--duration", "1",
         "--workers", "1", "--clients", "2", "--attachment-mib", "8", "--json", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-4000:]

    result = json.loads(output.read_text())
    narrative, attachment = result["summary"]["narrative"], result["summary"]["attachment"]
    assert narrative["errors"] == 0
    assert narrative["sealed_per_s_median"] > 0
    assert narrative["passthrough_per_s_median"] > 0
    assert [r["config"] for r in result["rounds"]] == ["sealed", "passthrough"]
    assert sorted(r["config"] for r in result["simultaneous_rounds"]) == ["passthrough", "sealed"]
    # Every acknowledged submission was stored, with two key wraps each.
    for check in result["database_checks"].values():
        assert check["cases"] > 0
        assert check["key_wraps"] == 2 * check["cases"]
    assert attachment["size_mib"] == 8
    assert {a["config"] for a in result["attachments"]} == {"sealed", "passthrough"}
    for upload in result["attachments"]:
        assert upload["worker_peak_rss_mib"] > 0
        # age adds a header and 16 bytes per 64 KiB chunk; the pass-through adds nothing.
        if upload["config"] == "sealed":
            assert upload["stored_bytes"] > upload["plaintext_bytes"]
        else:
            assert upload["stored_bytes"] == upload["plaintext_bytes"]
    # The temporary directory went away with the servers.
    assert set(Path(tempfile.gettempdir()).glob("witnessbox-bench-intake-*")) <= before
