"""A 200 MB stream is sealed and opened with bounded memory.

Attachments (audio, up to 500 MB) are sealed while they upload; holding one in
memory would make a few concurrent uploads exhaust a small server. This runs
the real API on 200 MB in a fresh process (crypto_stream_probe.py) and checks
the content arrives intact and the peak resident memory hardly moves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import crypto

SIZE = 200 * 1000 * 1000  # "200 MB"
CHUNK = 64 * 1024
MAX_GROWTH_KIB = 64 * 1024  # the limit under test
PROBE = Path(__file__).with_name("crypto_stream_probe.py")


@pytest.fixture(scope="module")
def probe_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, int | str | bool]:
    workdir = tmp_path_factory.mktemp("stream")
    # The probe must import the same crypto package as the tests, installed or not.
    package_root = str(Path(crypto.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    completed = subprocess.run(
        [sys.executable, str(PROBE), str(SIZE), str(workdir)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    report: dict[str, int | str | bool] = json.loads(completed.stdout)
    return report


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"),
                       reason="peak memory is read from Linux /proc/self/status"),
]


def test_200_mb_stream_round_trips_intact(probe_report: dict[str, int | str | bool]) -> None:
    assert probe_report["served"] == SIZE
    assert probe_report["received"] == SIZE
    assert probe_report["opened_sha256"] == probe_report["source_sha256"]
    # It really was stored sealed: the file on disk is the plaintext plus age's
    # overhead (a 16-byte tag per 64 KiB chunk, a nonce, a header under 1 KiB).
    chunks = -(-SIZE // CHUNK)
    overhead = int(probe_report["ciphertext_size"]) - SIZE - 16 * chunks - 16
    assert 0 < overhead < 1024


def test_200_mb_stream_peak_memory_growth_is_bounded(
        probe_report: dict[str, int | str | bool]) -> None:
    baseline = int(probe_report["baseline_kib"])
    seal_growth = int(probe_report["after_seal_kib"]) - baseline
    open_growth = int(probe_report["after_open_kib"]) - baseline
    # Shown with `pytest -rP`; the numbers go into docs/benchmarks.md.
    print(f"200 MB stream: peak RSS {baseline} KiB before, +{seal_growth} KiB sealing "
          f"({probe_report['seal_seconds']} s), +{open_growth} KiB opening "
          f"({probe_report['open_seconds']} s); high-water reset: "
          f"{probe_report['high_water_reset']}")

    assert seal_growth < MAX_GROWTH_KIB, f"sealing 200 MB grew peak RSS by {seal_growth} KiB"
    assert open_growth < MAX_GROWTH_KIB, f"opening 200 MB grew peak RSS by {open_growth} KiB"


def test_the_memory_meter_would_notice_a_buffered_stream(
        probe_report: dict[str, int | str | bool]) -> None:
    # Without this, a broken meter (always 0) would make the bound above pass.
    # After streaming, the probe touched 96 MiB; the high-water mark must show it.
    control_growth = int(probe_report["after_control_kib"]) - int(probe_report["baseline_kib"])
    control_kib = int(probe_report["control_bytes"]) // 1024
    assert control_growth >= 0.9 * control_kib
