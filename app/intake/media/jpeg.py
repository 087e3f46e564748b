"""JPEG: keep what a decoder needs, drop everything else, anywhere in the file.

Kept: SOI, the frame header (SOFn), the tables (DQT, DHT, DAC for arithmetic
coding, DRI, and DNL/DHP/EXP which some encoders need), every scan (SOS and its
entropy-coded data, RST markers included), EOI; APP0 only as a bare JFIF header
(its thumbnail, an unredacted copy of the picture, is cut); APP14 only as the
12-byte Adobe colour-transform header (without it CMYK/YCCK decode wrongly).

Dropped: APP1–APP13 and APP15 (EXIF with GPS and serial numbers, XMP, ICC
profiles, IPTC, maker notes, MPF), COM, JFXX thumbnails, every other marker,
and anything after EOI (appended videos of "motion photos", a second picture).
This happens between scans too: the entropy-coded data is scanned for markers,
so an APP1 placed after the first scan or between progressive scans is found.

The pixels are not re-encoded (the photo is evidence): scan data is copied
byte for byte. Each segment is at most 64 KiB and scan data moves in pieces,
so memory stays bounded whatever the file size.
"""

from __future__ import annotations

import struct
from collections.abc import Generator, Iterator

from app.intake.media.errors import UnsupportedPhoto
from app.intake.media.streams import CHUNK, ExactReader, Reader

SOI, EOI, SOS, APP0, APP14 = 0xD8, 0xD9, 0xDA, 0xE0, 0xEE
_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_TABLES = {0xC4, 0xCC, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF}  # DHT DAC DQT DNL DRI DHP EXP
# Markers without a length: TEM and RST0–7 (the latter belong inside scans).
_STANDALONE = {0x01, *range(0xD0, 0xD8)}
_JFIF_HEADER = 14  # "JFIF\0", version, units, densities, thumbnail size
_ADOBE_HEADER = 12  # "Adobe", version, flags0, flags1, transform


def strip_jpeg(head: bytes, source: Reader) -> Iterator[bytes]:
    reader = ExactReader(source, head, what="JPEG", error=UnsupportedPhoto)
    if reader.take(2) != b"\xff\xd8":
        raise UnsupportedPhoto("the file is not a JPEG")
    yield b"\xff\xd8"
    framed = scanned = False
    code = _next_marker(reader)
    while True:
        if code == EOI:
            if not scanned:
                raise UnsupportedPhoto("the JPEG has no image data")
            yield b"\xff\xd9"
            return  # whatever follows EOI is not read into the sealed file
        if code == SOI:
            raise UnsupportedPhoto("the JPEG is malformed (a second start of image)")
        if code in _STANDALONE:
            code = _next_marker(reader)
            continue
        length_bytes = reader.take(2)
        (length,) = struct.unpack(">H", length_bytes)
        if length < 2:
            raise UnsupportedPhoto("the JPEG is malformed (bad segment length)")
        if code in _FRAMES or code in _TABLES or code == SOS:
            if code == SOS and not framed:
                raise UnsupportedPhoto("the JPEG is malformed (a scan before the frame header)")
            framed = framed or code in _FRAMES
            yield bytes((0xFF, code)) + length_bytes + reader.take(length - 2)
            if code == SOS:
                code = yield from _entropy_coded(reader)
                scanned = True
                continue
        elif code == APP0:
            yield from _jfif(reader.take(length - 2))
        elif code == APP14:
            yield from _adobe(reader.take(length - 2))
        else:
            reader.skip(length - 2)
        code = _next_marker(reader)


def _next_marker(reader: ExactReader) -> int:
    if reader.take(1) != b"\xff":
        raise UnsupportedPhoto("the JPEG is malformed (data where a marker should be)")
    code = reader.take(1)[0]
    while code == 0xFF:  # fill bytes may precede a marker
        code = reader.take(1)[0]
    return code


def _entropy_coded(reader: ExactReader) -> Generator[bytes, None, int]:
    """Copy a scan's entropy-coded data and return the marker that ends it.

    In scan data 0xFF is always followed by 0x00 (a stuffed data byte), by
    RST0–7 (kept: they are part of the scan), by another 0xFF (fill) or by a
    real marker, which ends the scan. bytes.find keeps the search in C.
    """
    carry = b""
    while True:
        piece = reader.read(CHUNK)
        if not piece:
            raise UnsupportedPhoto("the JPEG is truncated")
        data = carry + piece if carry else piece
        position = data.find(b"\xff")
        while position != -1 and position + 1 < len(data):
            following = data[position + 1]
            if following == 0xFF:
                position += 1  # a fill byte; the next 0xFF may start the marker
                continue
            if following and not 0xD0 <= following <= 0xD7:
                if position:
                    yield data[:position]
                reader.unread(data[position + 2:])
                return following
            position = data.find(b"\xff", position + 2)
        if position == -1:
            carry = b""
            yield data
        else:
            # A 0xFF is the last byte: whether it is data or a marker depends
            # on the next piece.
            carry = data[position:]
            if position:
                yield data[:position]


def _jfif(body: bytes) -> Iterator[bytes]:
    if body[:5] != b"JFIF\x00" or len(body) < _JFIF_HEADER:
        return  # JFXX thumbnails and unknown APP0 data
    header = body[:_JFIF_HEADER - 2] + b"\x00\x00"  # no thumbnail
    yield b"\xff\xe0" + struct.pack(">H", len(header) + 2) + header


def _adobe(body: bytes) -> Iterator[bytes]:
    if body[:5] != b"Adobe" or len(body) < _ADOBE_HEADER:
        return
    header = body[:_ADOBE_HEADER]
    yield b"\xff\xee" + struct.pack(">H", len(header) + 2) + header
