"""A pull-based multipart/form-data reader that never spools to disk.

Werkzeug's form parser writes file parts larger than 500 KB to a temporary
file: plaintext on disk. This reader hands each file part to the caller as a
``read(n)`` stream pulled straight from the request body, so the caller can
seal it chunk by chunk (brief, decision 4). Field parts are small and kept in
memory up to a limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.sansio.multipart import (
    Data,
    Epilogue,
    Event,
    Field,
    File,
    MultipartDecoder,
    NeedData,
    Preamble,
)

CHUNK_SIZE = 64 * 1024


@dataclass
class FieldPart:
    name: str
    value: str


@dataclass
class FilePart:
    name: str
    filename: str
    content_type: str
    stream: PartStream


class MultipartReader:
    def __init__(self, body: IO[bytes], boundary: bytes, *, max_field_bytes: int,
                 max_parts: int = 500) -> None:
        self._body = body
        # The decoder's own limit bounds its buffer; we pull data out as it comes,
        # so the buffer never holds more than a chunk plus a boundary.
        self._decoder = MultipartDecoder(
            boundary, max_form_memory_size=max_field_bytes + CHUNK_SIZE, max_parts=max_parts)
        self._max_field_bytes = max_field_bytes

    def next_event(self) -> Event:
        while True:
            try:
                event = self._decoder.next_event()
            except ValueError as exc:
                raise BadRequest("The form data was malformed or cut short.") from exc
            if not isinstance(event, NeedData):
                return event
            chunk = self._body.read(CHUNK_SIZE)
            self._decoder.receive_data(chunk or None)

    def parts(self) -> Iterator[FieldPart | FilePart]:
        """Yield parts in order. A file part's stream is drained if the caller
        leaves it unread, so the next part can be reached."""
        while True:
            event = self.next_event()
            if isinstance(event, Epilogue):
                return
            if isinstance(event, Preamble):
                continue
            if isinstance(event, Field):
                yield FieldPart(event.name, self._read_field())
            elif isinstance(event, File):
                stream = PartStream(self)
                content_type = event.headers.get("content-type", "application/octet-stream")
                yield FilePart(event.name, event.filename, content_type, stream)
                stream.drain()
            else:
                raise BadRequest("Unexpected data in the form.")

    def _read_field(self) -> str:
        pieces: list[bytes] = []
        size = 0
        while True:
            event = self.next_event()
            if not isinstance(event, Data):
                raise BadRequest("The form data was malformed.")
            size += len(event.data)
            if size > self._max_field_bytes:
                raise RequestEntityTooLarge("A form field is larger than allowed.")
            pieces.append(event.data)
            if not event.more_data:
                return b"".join(pieces).decode("utf-8", "replace")


class PartStream:
    """``read(n)`` over one file part's body."""

    def __init__(self, reader: MultipartReader) -> None:
        self._reader = reader
        self._buffer = bytearray()
        self._finished = False

    def read(self, size: int = -1) -> bytes:
        while not self._finished and (size < 0 or len(self._buffer) < size):
            event = self._reader.next_event()
            if not isinstance(event, Data):
                raise BadRequest("The form data was malformed.")
            self._buffer.extend(event.data)
            self._finished = not event.more_data
        if size < 0:
            size = len(self._buffer)
        out = bytes(self._buffer[:size])
        del self._buffer[:size]
        return out

    def drain(self) -> None:
        while self.read(CHUNK_SIZE):
            pass
