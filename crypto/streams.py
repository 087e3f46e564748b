"""Reading an age file's plaintext as a file object, in constant memory.

pyrage decrypts by pushing plaintext into a sink (:func:`open_stream`); a
reader such as :mod:`tarfile`'s stream mode pulls with ``read(n)``. A thread
runs the decryption into a small bounded queue and :class:`DecryptingReader`
reads from it, so memory stays at a few 64 KiB blocks whatever the size of
the file and nothing is written to disk.

age authenticates every 64 KiB chunk, so every byte handed out passed
authentication; that the file was not cut short is known only at its end.
The end of the plaintext is therefore reported (``read`` returning ``b""``)
only after pyrage finished without error: a damaged, truncated or wrongly
keyed file raises :class:`CryptoError` from ``read`` instead, at the latest
where its end would be.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence
from types import TracebackType
from typing import BinaryIO

from crypto.envelope import open_stream
from crypto.errors import CryptoError
from crypto.identities import Identity

# Blocks decrypted ahead of the reader: bounds memory.
_QUEUE_BLOCKS = 8
# How often a blocked decrypting thread checks whether the reader gave up.
_POLL_SECONDS = 0.5
_END = object()


class _QueueSink:
    def __init__(self, blocks: queue.Queue[object], closed: threading.Event) -> None:
        self._blocks = blocks
        self._closed = closed

    def write(self, data: bytes) -> int:
        block = bytes(data)
        while True:
            if self._closed.is_set():
                raise OSError("the reader was closed")
            try:
                self._blocks.put(block, timeout=_POLL_SECONDS)
                return len(block)
            except queue.Full:
                continue


class DecryptingReader:
    """The plaintext of the age file ``source`` (open for reading), as ``read(n)``.

    Use it as a context manager, or call :meth:`close`: that stops the
    decrypting thread if the reader stopped early. ``source`` is read by
    that thread and must not be touched until the reader is closed.
    """

    def __init__(self, source: BinaryIO, identities: Sequence[Identity]) -> None:
        self._blocks: queue.Queue[object] = queue.Queue(maxsize=_QUEUE_BLOCKS)
        self._closed = threading.Event()
        self._error: BaseException | None = None
        self._buffer = b""
        self._ended = False
        sink = _QueueSink(self._blocks, self._closed)

        def run() -> None:
            try:
                open_stream(source, sink, identities)
            except BaseException as exc:  # handed to the reading thread
                self._error = exc
            finally:
                while not self._closed.is_set():
                    try:
                        self._blocks.put(_END, timeout=_POLL_SECONDS)
                        break
                    except queue.Full:
                        continue

        self._thread = threading.Thread(target=run, name="age-decrypt", daemon=True)
        self._thread.start()

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            chunks = []
            while block := self.read(1 << 20):
                chunks.append(block)
            return b"".join(chunks)
        while not self._buffer and not self._ended:
            item = self._blocks.get()
            if item is _END:
                self._thread.join()
                self._ended = True
                if self._error is not None:
                    if isinstance(self._error, CryptoError):
                        raise self._error
                    raise CryptoError("decryption stopped") from self._error
            else:
                assert isinstance(item, bytes)
                self._buffer = item
        if not self._buffer:
            return b""
        taken, self._buffer = self._buffer[:size], self._buffer[size:]
        return taken

    def close(self) -> None:
        self._closed.set()
        while self._thread.is_alive():
            try:
                self._blocks.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue
        self._thread.join()

    def __enter__(self) -> DecryptingReader:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()
