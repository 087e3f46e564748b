"""Byte streams for the cleaners: exact reads over an upload, and the adapter
that turns a cleaner's output back into ``read(n)`` for the sealer.

Both work in bounded pieces and copy each byte a bounded number of times, so
cleaning costs time linear in the file and memory independent of it (a 64 MB
PNG chunk used to be held whole and re-sliced on every read: quadratic).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

from app.intake.media.errors import MalformedMedia

# Matches the multipart reader's and age's chunking; every piece a cleaner
# yields or holds is at most about this big.
CHUNK = 64 * 1024


class Reader(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class ExactReader:
    """Reads an upload whose first bytes (``head``) were already taken for sniffing.

    ``take`` is for small structures (headers, a JPEG segment of at most 64 KiB);
    ``pieces``/``skip`` walk a large body without holding it. A short read raises
    ``error`` naming ``what`` is truncated.
    """

    def __init__(self, source: Reader, head: bytes = b"", *, what: str = "file",
                 error: type[MalformedMedia] = MalformedMedia) -> None:
        self._source = source
        self._pending = memoryview(head)
        self._what = what
        self._error = error

    def read(self, size: int = CHUNK) -> bytes:
        """Up to ``size`` bytes (fewer at the end); ``b""`` at the end."""
        if size < 0:
            size = CHUNK
        if self._pending:
            out = bytes(self._pending[:size])
            self._pending = self._pending[len(out):]
            return out
        return self._source.read(size)

    def unread(self, data: bytes) -> None:
        """Put back bytes read too far (at most a piece), to be read again first."""
        self._pending = memoryview(bytes(data) + bytes(self._pending))

    def take(self, size: int) -> bytes:
        first = self.read(size) if size <= CHUNK else b""
        if len(first) == size:
            return first
        return first + b"".join(self.pieces(size - len(first)))

    def pieces(self, size: int) -> Iterator[bytes]:
        """Exactly ``size`` bytes, in pieces of at most CHUNK."""
        remaining = size
        while remaining:
            piece = self.read(min(remaining, CHUNK))
            if not piece:
                raise self._error(f"the {self._what} is truncated")
            remaining -= len(piece)
            yield piece

    def skip(self, size: int) -> None:
        for _ in self.pieces(size):
            pass

    def rest(self) -> Iterator[bytes]:
        while piece := self.read(CHUNK):
            yield piece


class IteratorReader:
    """``read(n)`` over an iterator of byte pieces, for the sealing stream.

    Holds one piece and an offset into it: a read copies only what it returns,
    never the rest of a buffer, so the cost is linear whatever the piece sizes.
    """

    def __init__(self, pieces: Iterable[bytes]) -> None:
        self._pieces = iter(pieces)
        self._current = b""
        self._offset = 0
        self._finished = False

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            return b"".join(self._collect(None))
        return b"".join(self._collect(size))

    def _collect(self, size: int | None) -> Iterator[bytes]:
        wanted = size
        while wanted is None or wanted > 0:
            available = len(self._current) - self._offset
            if not available:
                if self._finished or not self._advance():
                    return
                continue
            count = available if wanted is None else min(available, wanted)
            if self._offset == 0 and count == len(self._current):
                yield self._current  # the whole piece: no copy
            else:
                yield self._current[self._offset:self._offset + count]
            self._offset += count
            if wanted is not None:
                wanted -= count

    def _advance(self) -> bool:
        try:
            self._current = next(self._pieces)
        except StopIteration:
            self._finished = True
            self._current = b""
            return False
        self._offset = 0
        return True
