"""Decrypting an attachment as a stream of byte chunks for an HTTP response.

pyrage decrypts by pushing plaintext into a sink (``crypto.open_stream``);
a WSGI response pulls chunks from an iterator. A worker thread runs the
decryption into a small bounded queue, and :func:`plaintext_range` yields
from it: memory stays at a few 64 KiB blocks whatever the file's size, and
nothing is written to disk.

age's STREAM format authenticates every 64 KiB chunk but pyrage cannot seek,
so a range starting at byte ``n`` decrypts and discards the ``n`` bytes
before it. A range that stops before the end stops the decryption there.

Integrity. Each chunk handed out passed age's authentication. The whole
blob's SHA-256 (signed in the intake receipt) and age's end-of-stream check
are known only when the file has been read to its end, so the last block is
held back until then: a full download of a blob that fails either check
never receives its last block (the response ends short of its
Content-Length, which browsers and HTTP clients report as a failed
download). The limit: a range that ends before the end of the file is never
checked against the whole-file hash; its bytes are still authenticated by
age chunk by chunk, and the case's receipt was checked before it started.
"""

from __future__ import annotations

import contextlib
import hashlib
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import crypto
from app.errors import TamperedCase
from app.storage import BlobStore

BLOCK = 64 * 1024
# Blocks decrypted ahead of the client: bounds memory per download.
QUEUE_BLOCKS = 4
# How long the decrypting thread waits for a client that stopped reading
# before it checks again whether the download was abandoned.
_PUT_POLL_SECONDS = 0.5


class StreamFailed(Exception):
    """The attachment could not be decrypted to its end; ``code`` is safe to log."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class BlobRef:
    """What the decrypting thread needs: no database objects cross into it."""

    case_public_id: str
    blob_path: str
    ciphertext_sha256: str


class _Stop(Exception):
    """Raised from the sink to end decryption (range served, or client gone)."""


class _Done:
    def __init__(self, verified: bool) -> None:
        self.verified = verified


class _Failed:
    def __init__(self, code: str) -> None:
        self.code = code


class _RangeSink:
    """Receives plaintext from pyrage; passes bytes ``first..last`` on in blocks."""

    def __init__(self, out: queue.Queue[bytes | _Done | _Failed], first: int, last: int,
                 cancelled: threading.Event) -> None:
        self._out = out
        self._first, self._last = first, last
        self._cancelled = cancelled
        self._position = 0
        self._pending = bytearray()
        self.stopped_early = False

    def write(self, data: bytes) -> int:
        start, self._position = self._position, self._position + len(data)
        if start > self._last:
            # Everything asked for was passed on: stop decrypting.
            self.stopped_early = True
            raise _Stop
        if self._position > self._first:
            piece = memoryview(data)[max(0, self._first - start):self._last + 1 - start]
            self._pending += piece
            while len(self._pending) >= BLOCK:
                self._put(bytes(self._pending[:BLOCK]))
                del self._pending[:BLOCK]
        if self._position > self._last + 1:
            # The range ends inside this write, before the end of the file:
            # pass the rest on and stop decrypting.
            self.flush_pending()
            self.stopped_early = True
            raise _Stop
        return len(data)

    def flush_pending(self) -> None:
        if self._pending:
            self._put(bytes(self._pending))
            self._pending.clear()

    def _put(self, item: bytes | _Done | _Failed) -> None:
        while True:
            if self._cancelled.is_set():
                raise _Stop
            try:
                self._out.put(item, timeout=_PUT_POLL_SECONDS)
                return
            except queue.Full:
                continue

    def finish(self, item: _Done | _Failed) -> None:
        with contextlib.suppress(_Stop):  # the client went away: nobody to tell
            self._put(item)


class HashingSource:
    """Hashes the ciphertext as pyrage reads it, to compare with the receipt's hash."""

    def __init__(self, source: BinaryIO) -> None:
        self._source = source
        self._digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._source.read(size)
        self._digest.update(data)
        return data

    def drain(self) -> None:
        # Bytes after the age payload would not change the plaintext, but
        # they are not what was signed either.
        while self.read(BLOCK):
            pass

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()


def _decrypt(blob: BlobRef, identity: crypto.Identity, blobs: BlobStore,
             sink: _RangeSink) -> None:
    try:
        with blobs.open(blob.blob_path) as source:
            hashing = HashingSource(source)
            try:
                crypto.open_stream(hashing, sink, [identity])
            except crypto.CryptoError as exc:
                if isinstance(exc.__cause__, _Stop):
                    sink.finish(_Done(verified=False))
                    return
                raise
            hashing.drain()
        if hashing.sha256 != blob.ciphertext_sha256:
            raise TamperedCase(f"case {blob.case_public_id}: attachment hash mismatch")
        sink.flush_pending()
        sink.finish(_Done(verified=True))
    except _Stop:
        sink.finish(_Done(verified=False))
    except TamperedCase:
        sink.finish(_Failed("attachment_hash_mismatch"))
    except crypto.CryptoError:
        sink.finish(_Failed("attachment_decrypt_failed"))
    except OSError:
        sink.finish(_Failed("attachment_unreadable"))


def plaintext_range(blob: BlobRef, identity: crypto.Identity, blobs: BlobStore,
                    first: int, last: int) -> Iterator[bytes]:
    """Plaintext bytes ``first`` to ``last`` (inclusive) of an attachment.

    Raises :class:`StreamFailed` (after the blocks already yielded) if the
    blob fails authentication or its signed hash; the block held back is
    then never yielded. Closing the iterator early stops the decryption.
    """
    out: queue.Queue[bytes | _Done | _Failed] = queue.Queue(maxsize=QUEUE_BLOCKS)
    cancelled = threading.Event()
    sink = _RangeSink(out, first, last, cancelled)
    worker = threading.Thread(target=_decrypt, args=(blob, identity, blobs, sink),
                              name="attachment-decrypt", daemon=True)
    worker.start()
    held: bytes | None = None
    try:
        while True:
            item = out.get()
            if isinstance(item, _Failed):
                raise StreamFailed(item.code)
            if isinstance(item, _Done):
                if held is not None:
                    yield held
                return
            if held is not None:
                yield held
            held = item
    finally:
        cancelled.set()
        # Unblock a worker waiting on a full queue, then let it end.
        while worker.is_alive():
            try:
                out.get(timeout=_PUT_POLL_SECONDS)
            except queue.Empty:
                continue
        worker.join()
