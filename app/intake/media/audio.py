"""Strip tags from audio recordings while they stream.

A recording of a testimony can carry the witness's or interviewer's name, the
phone model, the place and the time of recording in its tags. The cleaners take
those out without decoding or re-encoding anything: the audio is evidence and
its bytes pass through unchanged. Memory stays bounded (recordings run to
hundreds of megabytes): only headers, the MP3 tail window and an MP4 movie box
(at most 64 MB) are ever held.

What each format gets (contract for the caller: see app.intake.media.common):

* MP3: ID3v2 tags at the start are dropped (several in a row, footer flag
  honoured); at the end ID3v1 ("TAG", 128 bytes), enhanced "TAG+" (227 bytes),
  APEv2, Lyrics3 v2 and an appended ID3v2 ("3DI" footer) are dropped. The end is found by
  holding back the last 2 MB until the upload ends; an APE tag bigger than that
  cannot be cut any more, so the tail is passed through and the report says
  "not removed". An MP3 whose first tag is followed by "fLaC" is a FLAC file
  with a stray ID3 tag and is cleaned as FLAC.
* WAV (RIFF): only "fmt ", "data" and "fact" chunks are kept. Every other
  chunk, including LIST/INFO, "id3 ", bext, iXML, axml, cart, _PMX (XMP),
  "cue " and LIST/adtl (cue labels are free text) and existing JUNK, becomes a
  "JUNK" chunk of the same size with a zeroed body, so no offset and no RIFF
  size changes. RF64 is refused.
* MP4/M4A (ISO BMFF): "mdat" streams through. "moov" and "moof" are held (up to
  64 MB) and inside them every "udta", "meta" and "uuid" box (at any depth under
  moov, trak, mdia, minf, dinf, stbl, edts, mvex, moof, traf) becomes a "free"
  box of the same size with a zeroed body, so stco/co64 chunk offsets stay
  valid; creation and modification times in mvhd, tkhd and mdhd are zeroed.
  At the top level only ftyp, mdat, moov, moof, mfra, sidx, ssix, styp, pdin,
  prft and emsg are kept; any other top-level box (meta, udta, uuid/XMP, free,
  unknown) becomes a zeroed "free" box (players skip unknown top-level boxes, so
  none of them is needed to play). Movie boxes over 64 MB are refused before
  anything is yielded, or passed through ("not removed") if audio already went.
* FLAC: STREAMINFO, SEEKTABLE and CUESHEET blocks are kept; VORBIS_COMMENT,
  PICTURE, APPLICATION (it can carry the original WAV's chunks) and anything
  else become PADDING of the same size with a zeroed body.
* Ogg (Vorbis, Opus): refused. Its comment header sits in pages with CRCs and
  sequence numbers; rewriting them is not implemented, so the caller seals the
  original and shows "metadata not removed".

Not cleaned anywhere: what is in the audio itself (voices, background sounds,
watermarks), encoder strings inside the first MPEG frame (LAME/Xing header),
MP4 handler names.
"""

from __future__ import annotations

import struct
from collections.abc import Generator, Iterator

from app.intake.media.common import PIECE_SIZE, ByteStream, CleanReport, refusable, zeroed
from app.intake.media.errors import CannotClean
from app.intake.media.mp4 import clean_mp4, is_audio_or_video_brand
from app.intake.media.streams import Reader
from app.intake.media.wav import clean_wav

__all__ = ["CannotClean", "CleanReport", "clean_audio", "detect_audio", "strip_audio"]

# The MP3 tail is held back this long so tags at the very end can be cut off.
MP3_TAIL_WINDOW = 2 * 1024 * 1024
# Tags skipped before the first audio byte is yielded are bounded, because a
# refusal must be able to hand every consumed byte back (CannotClean.consumed).
MAX_LEADING_ID3 = 64 * 1024 * 1024

_FLAC_KEPT_BLOCKS = {0: "STREAMINFO", 3: "SEEKTABLE", 5: "CUESHEET"}
_FLAC_PADDING = 1
_FLAC_INVALID = 127


def detect_audio(head: bytes) -> str | None:
    """Name the audio container from the first bytes (16 are enough), or None.

    An ID3v2 tag says "mp3" without looking past it; a FLAC file behind a stray
    ID3 tag is recognised by the cleaner, not here.
    """
    if head.startswith(b"ID3"):
        return "mp3"
    if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
        return "wav"
    if head[4:8] == b"ftyp" and is_audio_or_video_brand(head[8:12]):
        return "m4a"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"fLaC"):
        return "flac"
    if is_mpeg_frame_header(head[:4]):
        return "mp3"
    return None


def clean_audio(head: bytes, source: Reader, report: CleanReport) -> Iterator[bytes]:
    """Yield the recording without tags; see the module docstring for each format.

    Raises CannotClean from the first ``next()`` (nothing yielded yet, the
    consumed bytes attached) for files it does not understand. ``report`` is
    final once the iterator is exhausted.
    """
    stream = ByteStream(head, source)
    kind = detect_audio(head)
    if kind == "mp3":
        cleaner = _clean_mp3(stream, report)
    elif kind == "wav":
        cleaner = clean_wav(stream, report)
    elif kind == "m4a":
        cleaner = clean_mp4(stream, report)
    elif kind == "flac":
        cleaner = _clean_flac(stream, report)
    elif kind == "ogg":
        cleaner = _refuse(
            "Ogg comment headers are not removed: rewriting checksummed pages is not implemented"
        )
    else:
        cleaner = _refuse("not a recognised audio format")
    return refusable(stream, cleaner)


def strip_audio(head: bytes, source: Reader) -> Generator[bytes, None, CleanReport]:
    """:func:`clean_audio` as a dispatcher cleaner (see :mod:`app.intake.media`):
    the report is the generator's return value, so a file passed through in
    part after a structural problem is recorded as "not removed"."""
    report = CleanReport()
    yield from clean_audio(head, source, report)
    return report


def _refuse(reason: str) -> Iterator[bytes]:
    raise CannotClean(reason)
    yield b""  # pragma: no cover - makes this a generator, so it raises on next()


def is_mpeg_frame_header(header: bytes) -> bool:
    """True for the 4 bytes of a plausible MPEG-1/2/2.5 layer I–III frame header."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return False
    version = (header[1] >> 3) & 0b11
    layer = (header[1] >> 1) & 0b11
    bitrate = header[2] >> 4
    sample_rate = (header[2] >> 2) & 0b11
    emphasis = header[3] & 0b11
    # Layer 0 is AAC in ADTS framing, not MP3.
    return version != 1 and layer != 0 and bitrate != 0xF and sample_rate != 3 and emphasis != 2


# Bitrates in kbit/s by (MPEG-1?, layer) and index; index 0 is "free format".
_BITRATES = {
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_CHAIN_FRAMES = 3
_LONGEST_FRAME = 2900  # layer I at 448 kbit/s and 32 kHz is the longest: 2,884 bytes with padding
_TRAILING_TAGS = (b"TAG", b"APETAGEX", b"LYRICSBEGIN", b"3DI", b"ID3")


def mpeg_frame_length(header: bytes) -> int | None:
    """Length in bytes of the frame starting with ``header`` (None for free format)."""
    version = (header[1] >> 3) & 0b11
    layer = 4 - ((header[1] >> 1) & 0b11)  # the bits count down: 3 is layer I
    bitrate = _BITRATES[(version == 3, layer)][header[2] >> 4] * 1000
    sample_rate = _SAMPLE_RATES[version][(header[2] >> 2) & 0b11]
    padding = (header[2] >> 1) & 1
    if not bitrate:
        return None
    if layer == 1:
        return (12 * bitrate // sample_rate + padding) * 4
    per_sample = 72 if layer == 3 and version != 3 else 144
    return per_sample * bitrate // sample_rate + padding


def _check_frame_chain(stream: ByteStream) -> None:
    """Refuse (CannotClean) unless the first frames follow one another.

    Any file starting with 11 set bits is sniffed as MPEG audio, and one
    plausible header in random bytes is common; a chain of frames whose
    lengths land on the next header is not. Without this check random bytes
    would be passed through and labelled "no metadata found".
    """
    peek = stream.take_upto(_CHAIN_FRAMES * _LONGEST_FRAME + 4)
    stream.push_back(peek)
    position = 0
    for index in range(_CHAIN_FRAMES):
        header = peek[position:position + 4]
        ends_here = not header or header.startswith(_TRAILING_TAGS)
        if index and ends_here:
            return  # a short recording: its audio ends on a frame boundary
        if not is_mpeg_frame_header(header) or header[1] | 1 != peek[1] | 1 or (
                header[2] & 0x0C != peek[2] & 0x0C):
            raise CannotClean("the file is not a chain of MPEG audio frames")
        length = mpeg_frame_length(header)
        if length is None:
            raise CannotClean("free-format MPEG audio is not supported")
        position += length
        if position > len(peek):
            if index:
                return  # the upload ends inside a later frame: a cut-off recording
            raise CannotClean("the file ends inside its first MPEG audio frame")


def _synchsafe(four: bytes) -> int | None:
    if any(byte & 0x80 for byte in four):
        return None
    return (four[0] << 21) | (four[1] << 14) | (four[2] << 7) | four[3]


def _clean_mp3(stream: ByteStream, report: CleanReport) -> Iterator[bytes]:
    skipped = 0
    while True:
        header = stream.take_upto(10)
        if len(header) < 10 or header[:3] != b"ID3":
            stream.push_back(header)
            break
        size = _synchsafe(header[6:10])
        if size is None or header[3] > 4:
            raise CannotClean("malformed ID3v2 tag header")
        if header[5] & 0x10:  # a footer repeats the header after the tag
            size += 10
        skipped += size
        if skipped > MAX_LEADING_ID3:
            raise CannotClean("ID3v2 tags at the start are too large")
        if sum(len(piece) for piece in stream.pieces(size)) < size:
            raise CannotClean("the file ends inside its ID3v2 tag")
        report.note_removed("ID3v2 tag")

    first = stream.take_upto(4)
    stream.push_back(first)
    if first == b"fLaC":
        yield from _clean_flac(stream, report)
        return
    if not is_mpeg_frame_header(first):
        raise CannotClean("no MPEG audio frame where the audio should start")
    _check_frame_chain(stream)

    held = bytearray()
    for piece in stream.rest():
        held += piece
        if len(held) >= MP3_TAIL_WINDOW + PIECE_SIZE:
            cut = len(held) - MP3_TAIL_WINDOW
            yield bytes(held[:cut])
            del held[:cut]
    tail = bytes(held)
    end, problem = _mp3_tail_end(tail, report)
    if problem:
        yield tail
        report.give_up(problem)
        return
    if end:
        yield tail[:end]
    report.finish()


def _mp3_tail_end(tail: bytes, report: CleanReport) -> tuple[int, str]:
    """Where the audio ends inside ``tail`` once trailing tags are cut, or a problem.

    Trailing tags stack in any order (APEv2 or Lyrics3 before ID3v1 is common;
    some taggers add "TAG+" or an appended ID3v2), so cut until nothing matches.
    """
    end = len(tail)
    while True:
        if end >= 128 and tail[end - 128 : end - 125] == b"TAG":
            end -= 128
            report.note_removed("ID3v1 tag")
            if end >= 227 and tail[end - 227 : end - 223] == b"TAG+":
                end -= 227
                report.note_removed("enhanced ID3v1 tag")
            continue
        if end >= 32 and tail[end - 32 : end - 24] == b"APETAGEX":
            size, _items, flags = struct.unpack("<III", tail[end - 20 : end - 8])
            total = size + (32 if flags & 0x80000000 else 0)
            if total < 32 or total > end:
                return end, "an APEv2 tag at the end is larger than the part held back"
            end -= total
            report.note_removed("APEv2 tag")
            continue
        if end >= 15 and tail[end - 9 : end] == b"LYRICS200" and tail[end - 15 : end - 9].isdigit():
            total = int(tail[end - 15 : end - 9]) + 15
            if total > end:
                return end, "a Lyrics3 tag at the end is larger than the part held back"
            end -= total
            report.note_removed("Lyrics3 tag")
            continue
        if end >= 10 and tail[end - 10 : end - 7] == b"3DI":
            size = _synchsafe(tail[end - 4 : end])
            if size is None or size + 20 > end:
                return end, "an ID3v2 tag at the end is larger than the part held back"
            end -= size + 20
            report.note_removed("ID3v2 tag")
            continue
        return end, ""


def _clean_flac(stream: ByteStream, report: CleanReport) -> Iterator[bytes]:
    magic = stream.take_upto(4)
    first_block = stream.take_upto(4)
    if magic != b"fLaC" or len(first_block) < 4 or first_block[0] & 0x7F != 0:
        raise CannotClean("not a FLAC stream starting with STREAMINFO")
    stream.push_back(first_block)
    yield magic
    while True:
        block_header = stream.take_upto(4)
        if len(block_header) < 4:
            yield block_header
            report.give_up("the FLAC file ends inside its metadata")
            return
        is_last = block_header[0] & 0x80
        block_type = block_header[0] & 0x7F
        (length,) = struct.unpack(">I", b"\0" + block_header[1:])
        if block_type == _FLAC_INVALID:
            yield block_header
            yield from stream.rest()
            report.give_up("invalid FLAC metadata block")
            return
        if block_type in _FLAC_KEPT_BLOCKS:
            yield block_header
            yield from stream.pieces(length)
        else:
            yield bytes((is_last | _FLAC_PADDING,)) + block_header[1:]
            had_content = False
            for zeros, nonzero in zeroed(stream, length):
                had_content |= nonzero
                yield zeros
            if block_type != _FLAC_PADDING or had_content:
                report.note_removed("FLAC metadata block")
        if is_last:
            break
    # Audio frames follow the last metadata block, byte for byte.
    yield from stream.rest()
    report.finish()
