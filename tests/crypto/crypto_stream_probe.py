"""Seal and open a large stream in a fresh process and report peak memory as JSON.

Run by test_crypto_stream_memory.py in a subprocess, so that the measurement
sees only this work and not the test runner's heap. Not collected by pytest
(the name does not start with ``test_``).

    python crypto_stream_probe.py SIZE_BYTES WORKDIR

Memory is the kernel's high-water mark of resident memory (VmHWM). It is reset
(``/proc/self/clear_refs``) once the imports are done; where the reset is not
allowed, the growth over the post-import mark is reported instead. A control
allocation at the end proves that the meter notices memory that is used.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import time
from pathlib import Path

from crypto import generate_identity, open_stream, seal_stream

BLOCK = 1024 * 1024
CONTROL_BYTES = 96 * 1024 * 1024


class PseudoRandomSource:
    """``size`` deterministic pseudo-random bytes, served by ``read(n)``.

    Generated one 1 MiB block at a time, so the source itself holds about
    one block however large the stream; the content does not depend on the
    read sizes the consumer asks for. Hashes what it hands out.
    """

    def __init__(self, size: int, seed: int = 20240501) -> None:
        self._rng = random.Random(seed)  # reproducible test data, not secrets
        self._left = size
        self._block = memoryview(b"")
        self.digest = hashlib.sha256()
        self.served = 0

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            raise ValueError("refusing to read the whole stream at once")
        size = min(size, self._left)
        parts = []
        while size:
            if not self._block:
                self._block = memoryview(self._rng.randbytes(min(BLOCK, self._left)))
            part = self._block[:size]
            self._block = self._block[len(part):]
            parts.append(part)
            size -= len(part)
            self._left -= len(part)
        data = b"".join(parts)
        self.digest.update(data)
        self.served += len(data)
        return data


class HashingSink:
    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.received = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.received += len(data)
        return len(data)


def high_water_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def reset_high_water() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")  # 5 = reset the peak RSS counter (Linux >= 4.0)
    except OSError:
        return False
    return True


def main(size: int, workdir: Path) -> dict[str, object]:
    identity = generate_identity()
    sealed_path = workdir / "stream.age"

    reset = reset_high_water()
    baseline = high_water_kib()

    source = PseudoRandomSource(size)
    started = time.perf_counter()
    with sealed_path.open("wb") as sealed:
        seal_stream(source, sealed, [identity.recipient])
    sealed_at = time.perf_counter()
    after_seal = high_water_kib()

    sink = HashingSink()
    with sealed_path.open("rb") as sealed:
        open_stream(sealed, sink, [identity])
    opened_at = time.perf_counter()
    after_open = high_water_kib()

    # Control: touch CONTROL_BYTES for real (b"\x01" * n writes every page).
    ballast = b"\x01" * CONTROL_BYTES
    after_control = high_water_kib()
    del ballast

    return {
        "size": size,
        "served": source.served,
        "received": sink.received,
        "ciphertext_size": sealed_path.stat().st_size,
        "source_sha256": source.digest.hexdigest(),
        "opened_sha256": sink.digest.hexdigest(),
        "high_water_reset": reset,
        "baseline_kib": baseline,
        "after_seal_kib": after_seal,
        "after_open_kib": after_open,
        "after_control_kib": after_control,
        "control_bytes": CONTROL_BYTES,
        "seal_seconds": round(sealed_at - started, 3),
        "open_seconds": round(opened_at - sealed_at, 3),
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), Path(sys.argv[2]))))
