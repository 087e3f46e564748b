"""PNG: keep the critical chunks and a short allow-list, drop everything else.

Kept: IHDR, PLTE, IDAT, IEND (critical); tRNS, gAMA, cHRM, sRGB, sBIT, bKGD,
pHYs, which change how pixels look and carry only numbers; and the APNG
chunks acTL, fcTL, fdAT, because an animated PNG's later frames are pixels
(evidence) and those chunks hold only frame geometry and timing.

Dropped, with any chunk not named above: tEXt/zTXt/iTXt (author, location,
comments), eXIf (GPS), tIME, iCCP (an ICC profile can name the device and
carries free text; without it viewers assume sRGB, a small colour shift we
accept), caBX and other C2PA/JUMBF provenance (signer identities, edit
history), sPLT, hIST and private chunks (any chunk a tool invents is unknown
to us, so it goes). Bytes after IEND are dropped too.

Chunk bodies stream through in pieces (a single IDAT can be hundreds of MB),
and kept chunks have their CRC checked: a damaged file is refused now rather
than sealed in a state no viewer will open.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator

from app.intake.media.errors import UnsupportedPhoto
from app.intake.media.streams import ExactReader, Reader

SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEPT_CHUNKS = frozenset({
    b"IHDR", b"PLTE", b"IDAT", b"IEND",
    b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"sBIT", b"bKGD", b"pHYs",
    b"acTL", b"fcTL", b"fdAT",
})
_MAX_LENGTH = 2**31 - 1  # the PNG specification's limit


def strip_png(head: bytes, source: Reader) -> Iterator[bytes]:
    reader = ExactReader(source, head, what="PNG", error=UnsupportedPhoto)
    if reader.take(8) != SIGNATURE:
        raise UnsupportedPhoto("the file is not a PNG")
    yield SIGNATURE
    first = True
    while True:
        header = reader.take(8)
        length, chunk_type = struct.unpack(">I4s", header)
        if length > _MAX_LENGTH or not chunk_type.isalpha() or not chunk_type.isascii():
            raise UnsupportedPhoto("the PNG is malformed (bad chunk header)")
        if first and (chunk_type != b"IHDR" or length != 13):
            raise UnsupportedPhoto("the PNG is malformed (it does not start with IHDR)")
        first = False
        if chunk_type not in KEPT_CHUNKS:
            reader.skip(length + 4)  # body and CRC
            continue
        yield header
        crc = zlib.crc32(chunk_type)
        for piece in reader.pieces(length):
            crc = zlib.crc32(piece, crc)
            yield piece
        stored_crc = reader.take(4)
        if struct.unpack(">I", stored_crc)[0] != crc:
            raise UnsupportedPhoto("the PNG is damaged (a chunk checksum does not match)")
        yield stored_crc
        if chunk_type == b"IEND":
            return
