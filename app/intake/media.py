"""Strip identifying metadata from photos while they stream.

EXIF carries GPS coordinates, camera serial numbers and timestamps; those
must never be sealed with the photo, let alone leave in an export. The filter
works segment by segment so it never holds the whole image, and it keeps the
pixel data byte for byte (no re-encoding: the image is evidence).

JPEG: drop APP1–APP15 (EXIF, XMP, ICC, IPTC, maker notes) and comments; keep
APP0 (JFIF) and APP14 (Adobe colour transform, needed to decode). PNG: drop
textual, EXIF and time chunks. Other formats are refused rather than passed
through unchecked.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Protocol

JPEG_MAGIC = b"\xff\xd8"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PNG_DROPPED_CHUNKS = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}
_KEEP_APP = {0xE0, 0xEE}
_STANDALONE_MARKERS = {0x01, *range(0xD0, 0xD8)}


class UnsupportedPhoto(ValueError):
    """The upload is not a JPEG or PNG, or is malformed."""


class _Reader(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class _Exact:
    def __init__(self, source: _Reader) -> None:
        self._source = source

    def take(self, size: int) -> bytes:
        pieces, remaining = [], size
        while remaining:
            piece = self._source.read(remaining)
            if not piece:
                raise UnsupportedPhoto("the image is truncated")
            pieces.append(piece)
            remaining -= len(piece)
        return b"".join(pieces)

    def rest(self, chunk: int = 64 * 1024) -> Iterator[bytes]:
        while piece := self._source.read(chunk):
            yield piece


def _jpeg(source: _Exact) -> Iterator[bytes]:
    yield JPEG_MAGIC
    while True:
        marker = source.take(2)
        if marker[0] != 0xFF:
            raise UnsupportedPhoto("malformed JPEG segment")
        code = marker[1]
        while code == 0xFF:  # fill bytes before a marker
            code = source.take(1)[0]
        if code in _STANDALONE_MARKERS:
            yield bytes((0xFF, code))
            continue
        if code == 0xD9:  # end of image before any scan
            yield b"\xff\xd9"
            return
        length_bytes = source.take(2)
        (length,) = struct.unpack(">H", length_bytes)
        if length < 2:
            raise UnsupportedPhoto("malformed JPEG segment length")
        body = source.take(length - 2)
        dropped = (0xE1 <= code <= 0xEF and code not in _KEEP_APP) or code == 0xFE
        if not dropped:
            yield bytes((0xFF, code)) + length_bytes + body
        if code == 0xDA:
            # Start of scan: entropy-coded data follows. Metadata segments
            # after the first scan are not written by cameras; the rest of
            # the file is pixel data and passes through unchanged.
            yield from source.rest()
            return


def _png(source: _Exact) -> Iterator[bytes]:
    yield PNG_MAGIC
    while True:
        header = source.take(8)
        (length,) = struct.unpack(">I", header[:4])
        chunk_type = header[4:]
        body_and_crc = source.take(length + 4)
        if chunk_type not in PNG_DROPPED_CHUNKS:
            yield header + body_and_crc
        if chunk_type == b"IEND":
            return


def strip_photo_metadata(source: _Reader) -> Iterator[bytes]:
    """Yield the photo without metadata. Raises UnsupportedPhoto for other formats."""
    exact = _Exact(source)
    head = exact.take(2)
    if head == JPEG_MAGIC:
        yield from _jpeg(exact)
        return
    if head + exact.take(6) == PNG_MAGIC:
        yield from _png(exact)
        return
    raise UnsupportedPhoto("photos must be JPEG or PNG")


class IteratorReader:
    """Adapt an iterator of byte chunks to ``read(n)`` for the sealing stream."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            try:
                self._buffer += next(self._chunks)
            except StopIteration:
                break
        if size < 0:
            size = len(self._buffer)
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out
