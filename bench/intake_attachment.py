"""One large attachment streamed to a one-worker server: throughput and the
worker's memory."""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
import time
from collections.abc import Iterator
from typing import Any

from intake_data import field_pairs, minimal_form, multipart_file_envelope

from bench.intake_load import sign_in
from bench.intake_plan import AGE_HEADER, MIB
from bench.intake_procfs import cpu_seconds, memory_kib, pss_kib, reset_peak_rss
from bench.intake_servers import Server


class StreamedUpload:
    """A multipart body whose file part is generated while it is sent.

    ``len()`` gives requests a Content-Length (so the server can refuse an
    oversize body up front, as for a browser upload) and iteration yields the
    same 1 MiB block over and over: the client holds one block, never the file.
    """

    def __init__(self, head: bytes, size: int, tail: bytes, block: bytes) -> None:
        self._head, self._size, self._tail, self._block = head, size, tail, block

    def __len__(self) -> int:
        return len(self._head) + self._size + len(self._tail)

    def __iter__(self) -> Iterator[bytes]:
        yield self._head
        remaining = self._size
        while remaining:
            piece = self._block if remaining >= len(self._block) else self._block[:remaining]
            remaining -= len(piece)
            yield piece
        yield self._tail


def attachment_upload(csrf_token: str, size: int) -> tuple[StreamedUpload, str, bytes]:
    # Incompressible content, so nothing downstream gets an easy ride.
    block = os.urandom(MIB)
    boundary = "----witnessbox-bench-" + secrets.token_hex(16)
    if boundary.encode() in block:  # pragma: no cover - 2**-128
        raise RuntimeError("boundary collides with the payload; run again")
    fields = {"csrf_token": csrf_token, "submission_token": secrets.token_urlsafe(32),
              **minimal_form(narrative="A statement with one large recording."),
              "attachment_0_kind": "document"}
    head, tail, content_type = multipart_file_envelope(
        field_pairs(fields), "attachment_0", "recording.bin", boundary)
    return StreamedUpload(head, size, tail, block), content_type, block


class PeakSampler(threading.Thread):
    """Samples a process's VmRSS and PSS every 20 ms: a cross-check on VmHWM,
    the only peak we have where the kernel refuses to reset VmHWM, and the
    only peak of PSS (the kernel keeps none)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kib, self.peak_pss_kib = pid, 0, 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(0.02):
            with contextlib.suppress(OSError, KeyError, RuntimeError):
                self.peak_kib = max(self.peak_kib, memory_kib(self.pid)["VmRSS"])
                self.peak_pss_kib = max(self.peak_pss_kib, pss_kib(self.pid))

    def stop(self) -> tuple[int, int]:
        self._halt.set()
        self.join(timeout=5)
        return self.peak_kib, self.peak_pss_kib


def attachment_run(server: Server, size: int, sealed: bool) -> dict[str, Any]:
    (worker,) = server.worker_pids()
    session, token = sign_in(server)
    upload, content_type, block = attachment_upload(token, size)
    idle = memory_kib(worker)
    reset = reset_peak_rss(worker)
    reset_peak_rss()
    client_before = memory_kib()
    sampler = PeakSampler(worker)
    sampler.start()
    cpu_before = cpu_seconds(worker)
    started = time.perf_counter()
    try:
        response = session.post(server.base_url + "/intake/", data=upload, timeout=900,
                                allow_redirects=False, headers={"Content-Type": content_type})
    finally:
        sampled_peak, sampled_peak_pss = sampler.stop()
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds(worker) - cpu_before
    after = memory_kib(worker)
    if response.status_code != 303:
        raise RuntimeError(f"{server.label} upload failed: HTTP {response.status_code}\n"
                           f"{server.log_tail()}")
    blob = max(server.deployment.blob_dir.rglob("*.age"), key=lambda p: p.stat().st_mtime)
    with blob.open("rb") as handle:
        start = handle.read(len(AGE_HEADER))
    stored = blob.stat().st_size
    # The comparison only means something if one server sealed and the other did not.
    if sealed != (start == AGE_HEADER) or (not sealed and start != block[:len(AGE_HEADER)]):
        raise RuntimeError(f"{server.label}: stored attachment is not what this server should "
                           f"write (sealed={sealed}, starts {start!r})")
    blob.unlink()  # 500 MiB per upload: do not let the temp dir pile them up
    return {
        "config": server.label, "plaintext_bytes": size, "stored_bytes": stored,
        "seconds": round(elapsed, 3), "mb_per_s": round(size / MIB / elapsed, 1),
        "worker_cpu_s": round(cpu, 2),
        "worker_idle_rss_mib": round(idle["VmRSS"] / 1024, 1),
        "worker_peak_rss_mib": round(after["VmHWM"] / 1024, 1),
        "worker_peak_rss_sampled_mib": round(sampled_peak / 1024, 1),
        "worker_rss_after_mib": round(after["VmRSS"] / 1024, 1),
        "peak_reset_before_upload": reset,
        # The master only supervises (no --preload: the app lives in the worker),
        # but it is resident too; its peak is since boot. Master + worker are
        # added as PSS, which does not count shared library pages twice.
        "master_peak_rss_mib": round(memory_kib(server.process.pid)["VmHWM"] / 1024, 1),
        "server_peak_pss_mib": round((sampled_peak_pss + pss_kib(server.process.pid)) / 1024, 1),
        "client_peak_rss_mib": round(memory_kib()["VmHWM"] / 1024, 1),
        "client_rss_before_mib": round(client_before["VmRSS"] / 1024, 1),
    }

