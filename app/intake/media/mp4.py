"""MP4/M4A (ISO base media) cleaner: metadata boxes become zeroed "free" boxes.

Same-size replacement matters: sample tables (stco/co64) address audio by
absolute file offset, so removing bytes anywhere before mdat would break
playback. See app.intake.media.audio for which boxes go and why.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from app.intake.media.common import ByteStream, CleanReport, zeroed
from app.intake.media.errors import CannotClean

# A movie box is held whole so boxes inside it can be rewritten; beyond this
# size the file is refused (or passed through if audio has already gone out).
MAX_MOVIE_BOX = 64 * 1024 * 1024
_MAX_FTYP = 4096  # a brand list; anything longer is not a real file type box

_HELD_TOP_LEVEL = {b"moov", b"moof"}
_KEPT_TOP_LEVEL = {
    b"ftyp", b"mdat", b"mfra", b"sidx", b"ssix", b"styp", b"pdin", b"prft", b"emsg",
}
_FILLER = {b"free", b"skip", b"wide"}
_CONTAINERS = {
    b"moov", b"trak", b"mdia", b"minf", b"dinf", b"stbl", b"edts", b"mvex", b"moof", b"traf",
}
_METADATA = {b"udta", b"meta", b"uuid"}
_TIMESTAMPED = {b"mvhd", b"tkhd", b"mdhd"}
# HEIF and AVIF share the container but are still images, cleaned elsewhere.
_IMAGE_BRANDS = {
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs",
    b"mif1", b"msf1", b"avif", b"avis", b"avio", b"crx ",
}


class _Malformed(Exception):
    pass


def is_audio_or_video_brand(brand: bytes) -> bool:
    return len(brand) == 4 and brand not in _IMAGE_BRANDS


def _label(box_type: bytes) -> str:
    printable = "".join(chr(b) if 0x20 <= b <= 0x7E else "?" for b in box_type)
    return f"{printable.strip()} box"


def _free_header(header: bytes) -> bytes:
    return header[:4] + b"free" + header[8:]


def clean_mp4(stream: ByteStream, report: CleanReport) -> Iterator[bytes]:
    probe = stream.take_upto(8)
    if len(probe) < 8 or probe[4:8] != b"ftyp":
        raise CannotClean("not an MP4 file starting with ftyp")
    (ftyp_size,) = struct.unpack(">I", probe[:4])
    if not 8 <= ftyp_size <= _MAX_FTYP:
        raise CannotClean("the MP4 file type box has an impossible size")
    # The file type box is held back until the next box is decided, so a movie
    # box too large to clean right after it can still be refused cleanly.
    held_back = probe + stream.take_upto(ftyp_size - 8)
    yielded = False

    def problem(reason: str, pending: bytes) -> Iterator[bytes]:
        if not yielded:
            raise CannotClean(reason)
        yield pending
        yield from stream.rest()
        report.give_up(reason)

    while True:
        header = stream.take_upto(8)
        if not header:
            break
        if len(header) < 8:
            yield from problem("the MP4 file ends inside a box header", held_back + header)
            return
        (size,) = struct.unpack(">I", header[:4])
        box_type = header[4:8]
        if size == 1:
            extended = stream.take_upto(8)
            header += extended
            if len(extended) < 8:
                yield from problem("the MP4 file ends inside a box header", held_back + header)
                return
            (size,) = struct.unpack(">Q", extended)
        body_size: int | None = None if size == 0 else size - len(header)  # 0: to the end
        if body_size is not None and body_size < 0:
            yield from problem("an MP4 box has an impossible size", held_back + header)
            return

        if box_type in _KEPT_TOP_LEVEL:
            yield held_back + header
            yield from stream.pieces(body_size)
        elif box_type in _HELD_TOP_LEVEL:
            if body_size is None or body_size > MAX_MOVIE_BOX:
                yield from problem("the MP4 movie box is too large to clean", held_back + header)
                return
            body = stream.take_upto(body_size)
            if len(body) < body_size:
                yield from problem(
                    "the MP4 file ends inside its movie box", held_back + header + body)
                return
            cleaned = bytearray(body)
            try:
                _clean_children(cleaned, 0, len(cleaned), report)
            except _Malformed:
                yield from problem(
                    "the MP4 movie box is not understood", held_back + header + body)
                return
            yield held_back + header + bytes(cleaned)
        else:
            yield held_back + _free_header(header)
            had_content = False
            for zeros, nonzero in zeroed(stream, body_size):
                had_content |= nonzero
                yield zeros
            if box_type not in _FILLER or had_content:
                report.note_removed(_label(box_type))
        held_back = b""
        yielded = True
        if body_size is None:
            break
    if held_back:
        yield held_back  # a file type box and nothing else
    report.finish()


def _clean_children(box: bytearray, start: int, end: int, report: CleanReport) -> None:
    """Rewrite, in place, the boxes between ``start`` and ``end`` of a held box."""
    position = start
    while position < end:
        if end - position < 8:
            raise _Malformed
        size, box_type = struct.unpack(">I4s", box[position : position + 8])
        header_size = 8
        if size == 1:
            if end - position < 16:
                raise _Malformed
            (size,) = struct.unpack(">Q", box[position + 8 : position + 16])
            header_size = 16
        elif size == 0:
            size = end - position
        if size < header_size or position + size > end:
            raise _Malformed
        body_start, box_end = position + header_size, position + size
        if box_type in _METADATA:
            box[position + 4 : position + 8] = b"free"
            box[body_start:box_end] = bytes(box_end - body_start)
            report.note_removed(_label(box_type))
        elif box_type in _CONTAINERS:
            _clean_children(box, body_start, box_end, report)
        elif box_type in _TIMESTAMPED:
            _zero_times(box, body_start, box_end, report)
        position = box_end


def _zero_times(box: bytearray, body_start: int, box_end: int, report: CleanReport) -> None:
    """Creation and modification times follow version and flags in mvhd/tkhd/mdhd."""
    if box_end - body_start < 4:
        raise _Malformed
    width = 8 if box[body_start] == 1 else 4
    times_start = body_start + 4
    times_end = times_start + 2 * width
    if times_end > box_end:
        raise _Malformed
    if any(box[times_start:times_end]):
        box[times_start:times_end] = bytes(times_end - times_start)
        report.note_removed("recording times")
