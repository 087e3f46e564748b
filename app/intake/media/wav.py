"""WAV (RIFF) cleaner: every chunk but the audio becomes zeroed JUNK of the same size.

Keeping sizes means the RIFF size in the header, written before the cleaner
knows what follows, stays right without holding the file. A whitelist (fmt,
data, fact) rather than a list of metadata chunks, because recorders invent
their own chunks and any of them may hold text; none but these three is needed
to play the audio. See app.intake.media.audio for the overall contract.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from app.intake.media.common import PIECE_SIZE, ByteStream, CleanReport, zeroed
from app.intake.media.errors import CannotClean

_KEPT_CHUNKS = {b"fmt ", b"data", b"fact"}
# Chunks that are already filler: zeroing them only counts as a removal when
# they held something.
_FILLER_CHUNKS = {b"JUNK", b"junk", b"PAD ", b"FLLR", b"free"}
# The RIFF alternative to "data" (a LIST of type wavl holding data and slnt
# chunks) would turn into JUNK and lose the audio: the rest of the file passes
# through instead. No recorder in use writes it.
_UNSUPPORTED_AUDIO_CHUNKS = {b"wavl", b"slnt"}
_UNLIMITED_RIFF_SIZES = {0, 0xFFFFFFFF}  # written by recorders that never finished


def _is_chunk_id(four: bytes) -> bool:
    return len(four) == 4 and all(0x20 <= byte <= 0x7E for byte in four)


def _label(chunk_id: bytes) -> str:
    return chunk_id.decode("ascii").strip() + " chunk"


def clean_wav(stream: ByteStream, report: CleanReport) -> Iterator[bytes]:
    header = stream.take_upto(12)
    if header[:4] == b"RF64":
        raise CannotClean("RF64 (64-bit WAV) is not supported")
    first_chunk = stream.take_upto(8)
    if (
        len(header) < 12
        or header[:4] != b"RIFF"
        or header[8:12] != b"WAVE"
        or not _is_chunk_id(first_chunk[:4])
    ):
        raise CannotClean("not a RIFF WAVE file")
    stream.push_back(first_chunk)
    (riff_size,) = struct.unpack("<I", header[4:8])
    riff_end = None if riff_size in _UNLIMITED_RIFF_SIZES else 8 + riff_size
    yield header

    while True:
        chunk_header = stream.take_upto(8)
        if not chunk_header:
            break
        if len(chunk_header) < 8:
            # A few stray bytes after the last chunk carry nothing playable.
            yield bytes(len(chunk_header))
            if chunk_header.count(0) != len(chunk_header):
                report.note_removed("trailing bytes")
            break
        chunk_id = chunk_header[:4]
        (size,) = struct.unpack("<I", chunk_header[4:])
        start = stream.position - 8
        past_riff = riff_end is not None and start >= riff_end
        overruns_riff = (
            riff_end is not None and not past_riff and start + 8 + size > riff_end
        )
        if past_riff and chunk_id not in _KEPT_CHUNKS:
            # Not part of the WAV at all (an ID3v1 tag appended by a tagger,
            # say): its "size" may be text, so zero it all to the end.
            yield bytes(8)
            had_content = chunk_header.count(0) != 8
            for zeros, nonzero in zeroed(stream, None):
                had_content |= nonzero
                yield zeros
            if had_content:
                report.note_removed("bytes after the RIFF end")
            break
        list_type = b""
        if chunk_id == b"LIST":
            list_type = stream.take_upto(4)
            stream.push_back(list_type)
        if (
            not _is_chunk_id(chunk_id)
            or chunk_id in _UNSUPPORTED_AUDIO_CHUNKS
            or list_type in _UNSUPPORTED_AUDIO_CHUNKS
            or (overruns_riff and chunk_id not in _KEPT_CHUNKS)
        ):
            # The structure is not what it claims: zeroing a chunk of a wrong
            # size could wipe audio. Keep the rest as it is and say so.
            yield chunk_header
            yield from stream.rest()
            report.give_up("the WAV chunk list is not understood past this point")
            return
        if chunk_id in _KEPT_CHUNKS:
            yield chunk_header
            yield from stream.pieces(size)
        else:
            yield from _junk(stream, chunk_header, size, report)
        if stream.position < start + 8 + size:
            break  # the upload ends inside this chunk
        if size % 2:
            yield from _pad_byte(stream)
    report.finish()


def _junk(
    stream: ByteStream, chunk_header: bytes, size: int, report: CleanReport
) -> Iterator[bytes]:
    """The chunk as JUNK of the same size with a zeroed body.

    The body is read (counted, not kept) before anything is written, because
    if the upload ends inside it the declared size was never a size (it may be
    four bytes of tag text) and must be zeroed too.
    """
    chunk_id = chunk_header[:4]
    read = 0
    had_content = False
    for piece in stream.pieces(size):
        read += len(piece)
        had_content |= piece.count(0) != len(piece)
    if read == size:
        yield b"JUNK" + chunk_header[4:]
    else:
        yield bytes(8)
        had_content = True
    yield from _zeros(read)
    if chunk_id not in _FILLER_CHUNKS or had_content:
        report.note_removed(_label(chunk_id))


def _zeros(count: int) -> Iterator[bytes]:
    block = bytes(min(count, PIECE_SIZE))
    while count > 0:
        yield block[:count]
        count -= len(block)


def _pad_byte(stream: ByteStream) -> Iterator[bytes]:
    """Chunks of odd size are followed by a pad byte; some writers leave it out."""
    pad = stream.take_upto(1)
    if not pad or pad == b"\0":
        yield pad
        return
    following = stream.take_upto(3)
    if _is_chunk_id(pad + following):
        stream.push_back(pad + following)  # no pad byte: the next chunk starts here
        return
    stream.push_back(following)
    yield b"\0"  # a pad byte means nothing; a non-zero one could hide a byte of text
