"""Audio tags are stripped while the recording streams; the audio bytes are untouched.

Every fixture is a real file layout built here byte by byte (or with the stdlib
``wave`` module) with a planted string in each kind of tag, so a test fails if
any tag survives or a single audio byte changes.
"""

from __future__ import annotations

import io
import random
import struct
import tracemalloc
import wave
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.intake.media.audio import clean_audio, detect_audio
from app.intake.media.common import CleanReport
from app.intake.media.errors import CannotClean
from app.intake.media.mp4 import MAX_MOVIE_BOX

PLANTED = b"Kim Chol-su Vladivostok"
PLANTED_UTF16 = PLANTED.decode().encode("utf-16-le")


class ChunkedReader:
    """A source that returns at most ``step`` bytes per read, like a slow upload."""

    def __init__(self, data: bytes, step: int | None = None) -> None:
        self._data = memoryview(data)
        self._position = 0
        self._step = step

    def read(self, size: int = -1, /) -> bytes:
        if size < 0:
            size = len(self._data)
        if self._step is not None:
            size = min(size, self._step)
        out = bytes(self._data[self._position : self._position + size])
        self._position += len(out)
        return out


def clean(data: bytes, step: int | None = None, head_size: int = 16) -> tuple[bytes, CleanReport]:
    report = CleanReport()
    head = data[:head_size]
    pieces = list(clean_audio(head, ChunkedReader(data[head_size:], step), report))
    return b"".join(pieces), report


def assert_planted_gone(cleaned: bytes) -> None:
    assert PLANTED not in cleaned
    assert PLANTED_UTF16 not in cleaned
    assert b"Kim Chol" not in cleaned


# ---------------------------------------------------------------- WAV


def riff_chunk(chunk_id: bytes, body: bytes) -> bytes:
    pad = b"\0" if len(body) % 2 else b""
    return chunk_id + struct.pack("<I", len(body)) + body + pad


def list_info(text: bytes) -> bytes:
    # INAM (title) and IART (artist) with an odd length, so a pad byte follows.
    items = riff_chunk(b"INAM", text + b"\0") + riff_chunk(b"IART", text + b"!\0")
    return riff_chunk(b"LIST", b"INFO" + items)


def make_wav(frames: bytes, before_data: list[bytes], after_data: list[bytes]) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        writer.writeframes(frames)
    plain = out.getvalue()
    fmt_end = 12 + 8 + struct.unpack("<I", plain[16:20])[0]
    body = plain[12:fmt_end] + b"".join(before_data) + plain[fmt_end:] + b"".join(after_data)
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body


def read_wav(data: bytes) -> tuple[tuple[int, int, int, int], bytes]:
    with wave.open(io.BytesIO(data), "rb") as reader:
        params = (reader.getnchannels(), reader.getsampwidth(), reader.getframerate(),
                  reader.getnframes())
        return params, reader.readframes(reader.getnframes())


def audio_frames(count: int = 4000, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.getrandbits(8) for _ in range(count * 2))


def tagged_wav() -> bytes:
    bext = riff_chunk(b"bext", PLANTED.ljust(256, b"\0") + b"2024-05-01")
    ixml = riff_chunk(b"iXML", b"<BWFXML><NOTE>" + PLANTED + b"</NOTE></BWFXML>")
    xmp = riff_chunk(b"_PMX", b"<x:xmpmeta>" + PLANTED + b"</x:xmpmeta>")
    id3 = riff_chunk(b"id3 ", b"ID3\x03\0\0\0\0\0\x20TIT2" + PLANTED)
    cue_labels = riff_chunk(b"LIST", b"adtl" + riff_chunk(b"labl", b"\1\0\0\0" + PLANTED))
    return make_wav(audio_frames(), [bext, list_info(PLANTED), ixml],
                    [xmp, id3, cue_labels])


def test_wav_metadata_chunks_are_gone_and_the_frames_read_back_identical() -> None:
    original = tagged_wav()
    cleaned, report = clean(original)

    assert_planted_gone(cleaned)
    assert len(cleaned) == len(original)
    assert cleaned[:8] == original[:8]  # RIFF size unchanged
    assert read_wav(cleaned) == read_wav(original)
    assert report.outcome == "removed"
    assert {"bext chunk", "LIST chunk", "iXML chunk", "_PMX chunk", "id3 chunk"} <= set(
        report.removed)


def test_wav_data_chunk_bytes_stay_at_the_same_offset() -> None:
    original = tagged_wav()
    cleaned, _ = clean(original)
    data_at = original.index(b"data")
    size = struct.unpack("<I", original[data_at + 4 : data_at + 8])[0]
    assert cleaned[data_at : data_at + 8 + size] == original[data_at : data_at + 8 + size]


def test_wav_metadata_chunks_become_junk_of_the_same_size() -> None:
    original = tagged_wav()
    cleaned, _ = clean(original)
    list_at = original.index(b"LIST")
    size = struct.unpack("<I", original[list_at + 4 : list_at + 8])[0]
    assert cleaned[list_at : list_at + 8] == b"JUNK" + original[list_at + 4 : list_at + 8]
    assert cleaned[list_at + 8 : list_at + 8 + size] == bytes(size)


def test_plain_wav_reports_none_found_and_is_unchanged() -> None:
    original = make_wav(audio_frames(), [], [])
    cleaned, report = clean(original)
    assert cleaned == original
    assert report.outcome == "none found"


def test_wav_odd_chunk_without_its_pad_byte_is_still_followed() -> None:
    odd_info = b"LIST" + struct.pack("<I", 13) + b"INFOINAM\x01\0\0\0X"  # 13 bytes, no pad
    original = make_wav(audio_frames(100), [odd_info], [])
    cleaned, report = clean(original)
    assert report.outcome == "removed"  # the chunk after it was still recognised
    data_at = original.index(b"data")
    assert cleaned[data_at:] == original[data_at:]
    assert cleaned[:data_at] != original[:data_at]


def test_wav_tag_appended_after_the_riff_end_is_zeroed() -> None:
    original = make_wav(audio_frames(100), [], [])
    tagged = original + id3v1(PLANTED)
    cleaned, report = clean(tagged)
    assert cleaned[: len(original)] == original
    assert cleaned[len(original) :] == bytes(128)
    assert report.outcome == "removed"


def test_wav_chunk_overrunning_the_riff_size_is_passed_through_and_reported() -> None:
    original = make_wav(audio_frames(100), [], [])
    broken = original + b"LIST" + struct.pack("<I", 999) + b"INFO" + PLANTED
    broken = broken[:4] + struct.pack("<I", len(broken) - 8) + broken[8:]
    cleaned, report = clean(broken)
    assert cleaned == broken  # nothing is zeroed blindly past a broken size
    assert report.outcome == "not removed"
    assert report.reason


def test_wav_with_audio_in_a_wave_list_is_passed_through_rather_than_zeroed() -> None:
    fmt = riff_chunk(b"fmt ", struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16))
    wave_list = riff_chunk(b"LIST", b"wavl" + riff_chunk(b"data", audio_frames(50)))
    body = fmt + list_info(PLANTED) + wave_list
    original = b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body
    cleaned, report = clean(original)
    assert cleaned.endswith(wave_list)
    assert report.outcome == "not removed"


def test_rf64_is_refused_with_the_consumed_bytes_handed_back() -> None:
    original = b"RF64" + b"\xff" * 4 + b"WAVE" + b"ds64" + bytes(40)
    source = ChunkedReader(original[16:])
    with pytest.raises(CannotClean) as refusal:
        next(clean_audio(original[:16], source, CleanReport()))
    assert refusal.value.consumed + source.read() == original


# ---------------------------------------------------------------- MP3


def mpeg_frames(count: int = 30, seed: int = 3) -> bytes:
    # MPEG-1 layer III, 128 kbit/s, 44.1 kHz, no padding: 417-byte frames.
    rng = random.Random(seed)
    header = b"\xff\xfb\x90\x00"
    return b"".join(header + bytes(rng.getrandbits(8) for _ in range(413)) for _ in range(count))


def synchsafe(size: int) -> bytes:
    return bytes(((size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F))


def id3v2(text: bytes, footer: bool = False) -> bytes:
    frame_body = b"\x01\xff\xfe" + text.decode().encode("utf-16-le")
    frames = b"TIT2" + struct.pack(">I", len(frame_body)) + b"\0\0" + frame_body
    frames += b"TPE1" + struct.pack(">I", len(text) + 1) + b"\0\0\0" + text
    body = frames + bytes(64)  # padding
    flags = 0x10 if footer else 0
    out = b"ID3\x04\x00" + bytes((flags,)) + synchsafe(len(body)) + body
    if footer:
        out += b"3DI\x04\x00" + bytes((flags,)) + synchsafe(len(body))
    return out


def apev2(text: bytes) -> bytes:
    item = struct.pack("<II", len(text), 0) + b"Artist\0" + text
    size = len(item) + 32
    header = b"APETAGEX" + struct.pack("<IIII", 2000, size, 1, 0xA0000000) + bytes(8)
    footer = b"APETAGEX" + struct.pack("<IIII", 2000, size, 1, 0x80000000) + bytes(8)
    return header + item + footer


def id3v1(text: bytes) -> bytes:
    return (b"TAG" + text.ljust(30, b"\0")[:30] + text.ljust(30, b"\0")[:30]
            + bytes(30) + b"2024" + bytes(30) + b"\x0c")


def tagged_mp3() -> tuple[bytes, bytes]:
    audio = mpeg_frames()
    enhanced = b"TAG+" + PLANTED.ljust(223, b"\0")
    return id3v2(PLANTED) + id3v2(PLANTED, footer=True) + audio + apev2(PLANTED) + enhanced \
        + id3v1(PLANTED), audio


def test_mp3_loses_every_tag_and_keeps_the_frames_byte_for_byte() -> None:
    original, audio = tagged_mp3()
    cleaned, report = clean(original)
    assert cleaned == audio
    assert report.outcome == "removed"
    assert {"ID3v2 tag", "APEv2 tag", "enhanced ID3v1 tag", "ID3v1 tag"} <= set(report.removed)


def test_mp3_lyrics3_and_appended_id3v2_at_the_end_are_cut() -> None:
    audio = mpeg_frames(5)
    lyrics_body = b"LYRICSBEGININD0000210" + b"LYR00023" + PLANTED
    lyrics = lyrics_body + str(len(lyrics_body)).zfill(6).encode() + b"LYRICS200"
    original = audio + id3v2(PLANTED, footer=True) + lyrics + id3v1(PLANTED)
    cleaned, report = clean(original)
    assert cleaned == audio
    assert report.outcome == "removed"


def test_untagged_mp3_is_unchanged_and_reports_none_found() -> None:
    audio = mpeg_frames()
    cleaned, report = clean(audio)
    assert cleaned == audio
    assert report.outcome == "none found"


def test_mp3_apev2_tag_larger_than_the_tail_window_is_reported_not_removed() -> None:
    from app.intake.media.audio import MP3_TAIL_WINDOW

    audio = mpeg_frames(10)
    cover = bytes(MP3_TAIL_WINDOW + 100_000)
    huge_item = struct.pack("<II", len(cover), 2) + b"Cover Art (Front)\0" + cover
    size = len(huge_item) + 32
    footer = b"APETAGEX" + struct.pack("<IIII", 2000, size, 1, 0) + bytes(8)
    original = audio + huge_item + footer
    cleaned, report = clean(original)
    assert cleaned == original
    assert report.outcome == "not removed"
    assert "APEv2" in report.reason


def test_id3_tag_followed_by_something_that_is_not_audio_is_refused() -> None:
    original = id3v2(PLANTED) + b"this is not an mpeg frame" * 10
    source = ChunkedReader(original[16:])
    with pytest.raises(CannotClean) as refusal:
        next(clean_audio(original[:16], source, CleanReport()))
    assert refusal.value.consumed + source.read() == original


def test_flac_behind_a_stray_id3_tag_is_cleaned_as_flac() -> None:
    flac, audio = tagged_flac()
    cleaned, report = clean(id3v2(PLANTED) + flac)
    assert_planted_gone(cleaned)
    assert cleaned.endswith(audio)
    assert report.outcome == "removed"


# ---------------------------------------------------------------- FLAC


def flac_block(block_type: int, body: bytes, last: bool = False) -> bytes:
    return bytes(((0x80 if last else 0) | block_type,)) + len(body).to_bytes(3, "big") + body


def tagged_flac() -> tuple[bytes, bytes]:
    streaminfo = flac_block(0, bytes(range(34)))
    seektable = flac_block(3, b"\0" * 8 + b"\0" * 8 + b"\0\0")
    vendor = b"reference libFLAC 1.4.3"
    comment = b"ARTIST=" + PLANTED
    vorbis = struct.pack("<I", len(vendor)) + vendor + struct.pack("<II", 1, len(comment)) \
        + comment
    picture = struct.pack(">II", 3, 9) + b"image/png" + struct.pack(">I", len(PLANTED)) + PLANTED \
        + bytes(16) + struct.pack(">I", 4) + b"\x89PNG"
    audio = b"\xff\xf8" + bytes(random.Random(5).getrandbits(8) for _ in range(5000))
    flac = b"fLaC" + streaminfo + seektable + flac_block(4, vorbis) + flac_block(
        6, picture, last=True) + audio
    return flac, audio


def test_flac_comments_and_pictures_become_padding_of_the_same_size() -> None:
    original, audio = tagged_flac()
    cleaned, report = clean(original)
    assert_planted_gone(cleaned)
    assert len(cleaned) == len(original)
    assert cleaned.endswith(audio)
    assert cleaned[:4 + 38] == original[:4 + 38]  # magic and STREAMINFO kept
    vorbis_at = 4 + 38 + 22
    assert cleaned[vorbis_at] == 0x01  # PADDING, not last
    last_at = vorbis_at + 4 + int.from_bytes(original[vorbis_at + 1 : vorbis_at + 4], "big")
    assert cleaned[last_at] == 0x81  # PADDING, still the last block
    assert report.outcome == "removed"


# ---------------------------------------------------------------- MP4


def box(box_type: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + box_type + body


def full_box(box_type: bytes, version: int, body: bytes) -> bytes:
    return box(box_type, bytes((version, 0, 0, 0)) + body)


CREATION_TIME = 3_800_000_000  # 2024 in seconds since 1904


def m4a_parts(mdat_payload: bytes, chunk_offset: int) -> tuple[bytes, bytes]:
    ftyp = box(b"ftyp", b"M4A \0\0\0\0M4A mp42isom")
    mvhd = full_box(b"mvhd", 0, struct.pack(">IIII", CREATION_TIME, CREATION_TIME, 1000, 5000)
                    + bytes(80))
    tkhd = full_box(b"tkhd", 1, struct.pack(">QQ", CREATION_TIME, CREATION_TIME) + bytes(72))
    mdhd = full_box(b"mdhd", 0, struct.pack(">IIII", CREATION_TIME, CREATION_TIME, 44100, 9)
                    + bytes(4))
    stco = full_box(b"stco", 0, struct.pack(">II", 1, chunk_offset))
    hdlr = full_box(b"hdlr", 0, b"\0\0\0\0soun" + bytes(12) + b"SoundHandler\0")
    stbl = box(b"stbl", stco)
    minf = box(b"minf", stbl)
    mdia = box(b"mdia", mdhd + hdlr + minf)
    track_meta = box(b"udta", box(b"name", PLANTED))
    trak = box(b"trak", tkhd + mdia + track_meta)
    ilst = box(b"ilst", box(b"\xa9nam", box(b"data", b"\0\0\0\1\0\0\0\0" + PLANTED)))
    meta = full_box(b"meta", 0, full_box(b"hdlr", 0, bytes(4) + b"mdirappl" + bytes(9)) + ilst)
    udta = box(b"udta", meta + box(b"\xa9xyz", b"+39.0+125.7/"))
    moov = box(b"moov", mvhd + trak + udta)
    return ftyp, moov


def m4a_faststart() -> tuple[bytes, int, bytes]:
    payload = bytes(random.Random(11).getrandbits(8) for _ in range(3000))
    ftyp, moov = m4a_parts(payload, 0)
    xmp = box(b"uuid", bytes.fromhex("be7acfcb97a942e89c71999491e3afac") + b"<x:xmpmeta>"
              + PLANTED + b"</x:xmpmeta>")
    offset = len(ftyp) + len(moov) + len(xmp) + 8
    ftyp, moov = m4a_parts(payload, offset)
    return ftyp + moov + xmp + box(b"mdat", payload), offset, payload


def test_m4a_udta_meta_and_xmp_boxes_are_zeroed_and_offsets_still_point_at_the_audio() -> None:
    original, offset, payload = m4a_faststart()
    cleaned, report = clean(original)

    assert_planted_gone(cleaned)
    assert b"+39.0+125.7" not in cleaned
    assert len(cleaned) == len(original)
    assert cleaned[offset : offset + len(payload)] == payload
    stco_at = cleaned.index(b"stco")
    assert struct.unpack(">I", cleaned[stco_at + 12 : stco_at + 16])[0] == offset
    for metadata_box in (b"udta", b"meta", b"uuid"):
        assert metadata_box not in cleaned
    assert report.outcome == "removed"
    assert "recording times" in report.removed


def test_m4a_recording_times_are_zeroed() -> None:
    original, _, _ = m4a_faststart()
    cleaned, _ = clean(original)
    for name in (b"mvhd", b"mdhd"):
        at = cleaned.index(name)
        assert cleaned[at + 8 : at + 16] == bytes(8)
    tkhd_at = cleaned.index(b"tkhd")
    assert cleaned[tkhd_at + 4] == 1
    assert cleaned[tkhd_at + 8 : tkhd_at + 24] == bytes(16)
    assert struct.pack(">I", CREATION_TIME) not in cleaned


def test_m4a_with_movie_box_after_a_64_bit_mdat_is_cleaned() -> None:
    payload = bytes(random.Random(13).getrandbits(8) for _ in range(2000))
    ftyp, _ = m4a_parts(payload, 0)
    mdat = struct.pack(">I", 1) + b"mdat" + struct.pack(">Q", 16 + len(payload)) + payload
    offset = len(ftyp) + 16
    _, moov = m4a_parts(payload, offset)
    original = ftyp + mdat + moov
    cleaned, report = clean(original)
    assert_planted_gone(cleaned)
    assert cleaned[: len(ftyp) + len(mdat)] == ftyp + mdat
    assert report.outcome == "removed"


def test_m4a_box_running_to_the_end_of_the_file_is_handled() -> None:
    payload = b"\x21" * 500
    ftyp, moov = m4a_parts(payload, 0)
    original = ftyp + moov + struct.pack(">I", 0) + b"mdat" + payload
    cleaned, report = clean(original)
    assert cleaned.endswith(b"mdat" + payload)
    assert report.outcome == "removed"


def test_m4a_broken_box_inside_a_late_movie_box_passes_through_as_not_removed() -> None:
    payload = b"\x22" * 500
    ftyp, _ = m4a_parts(payload, 0)
    broken_moov = box(b"moov", struct.pack(">I", 999) + b"udta" + PLANTED)
    original = ftyp + box(b"mdat", payload) + broken_moov
    cleaned, report = clean(original)
    assert cleaned == original
    assert report.outcome == "not removed"


def test_m4a_movie_box_over_the_limit_before_any_audio_is_refused() -> None:
    ftyp, _ = m4a_parts(b"", 0)
    header = ftyp + struct.pack(">I", MAX_MOVIE_BOX + 9) + b"moov"
    source = ChunkedReader(header[16:] + PLANTED)
    with pytest.raises(CannotClean) as refusal:
        next(clean_audio(header[:16], source, CleanReport()))
    assert refusal.value.consumed + source.read() == header + PLANTED


def test_heif_image_is_not_taken_for_audio() -> None:
    assert detect_audio(b"\0\0\0\x18ftypheic\0\0\0\0") is None


# ---------------------------------------------------------------- all formats


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"ID3\x04\0\0\0\0\0\0\0\0\0\0\0\0", "mp3"),
        (b"\xff\xfb\x90\x00" + bytes(12), "mp3"),
        (b"RIFF\0\0\0\0WAVEfmt ", "wav"),
        (b"\0\0\0\x20ftypM4A \0\0\0\0", "m4a"),
        (b"OggS\0\2" + bytes(10), "ogg"),
        (b"fLaC\0\0\0\x22" + bytes(8), "flac"),
        (b"\xff\xf1\x50\x80" + bytes(12), None),  # AAC in ADTS, not MP3
        (b"%PDF-1.7\n" + bytes(7), None),
    ],
)
def test_detect_audio_names_each_container(head: bytes, kind: str | None) -> None:
    assert detect_audio(head) == kind


def test_ogg_is_refused_so_the_caller_shows_metadata_not_removed() -> None:
    original = b"OggS\0\2" + bytes(50) + b"\x03vorbis" + PLANTED
    with pytest.raises(CannotClean) as refusal:
        next(clean_audio(original[:16], ChunkedReader(original[16:]), CleanReport()))
    assert "Ogg" in refusal.value.reason


def all_fixtures() -> list[bytes]:
    return [tagged_wav(), tagged_mp3()[0], tagged_flac()[0], m4a_faststart()[0]]


@pytest.mark.parametrize("step", [1, 7])
@pytest.mark.parametrize("fixture", range(4), ids=["wav", "mp3", "flac", "m4a"])
def test_tiny_reads_give_the_same_output_as_large_ones(fixture: int, step: int) -> None:
    original = all_fixtures()[fixture]
    expected, expected_report = clean(original)
    cleaned, report = clean(original, step=step)
    assert cleaned == expected
    assert report == expected_report


@pytest.mark.parametrize("head_size", [4, 12, 16, 40])
def test_the_head_length_does_not_change_the_output(head_size: int) -> None:
    original, _ = tagged_mp3()
    expected, _ = clean(original)
    assert clean(original, head_size=head_size)[0] == expected


def test_report_says_not_removed_until_the_stream_is_exhausted() -> None:
    report = CleanReport()
    original = tagged_wav()
    pieces = clean_audio(original[:16], ChunkedReader(original[16:]), report)
    next(pieces)
    assert report.outcome == "not removed"


# ---------------------------------------------------------------- memory


class PatternReader:
    """``size`` bytes of a repeating pattern, produced on demand (never held)."""

    def __init__(self, size: int) -> None:
        self._left = size
        self._block = bytes(range(256)) * 256

    def read(self, size: int = -1, /) -> bytes:
        size = min(self._left, len(self._block) if size < 0 else size, len(self._block))
        self._left -= size
        return self._block[:size]


def peak_while_cleaning(data_size: int) -> tuple[int, int]:
    fmt = riff_chunk(b"fmt ", struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16))
    info = list_info(PLANTED)
    head = (b"RIFF" + struct.pack("<I", 4 + len(fmt) + len(info) + 8 + data_size) + b"WAVE"
            + fmt + info + b"data" + struct.pack("<I", data_size))
    report = CleanReport()
    tracemalloc.start()
    try:
        total = 0
        for piece in clean_audio(head, PatternReader(data_size), report):
            total += len(piece)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.outcome == "removed"
    return total - len(head), peak


@pytest.mark.slow
def test_100_mb_wav_data_chunk_streams_with_bounded_memory() -> None:
    data_size = 100 * 1024 * 1024
    streamed, peak = peak_while_cleaning(data_size)
    print(f"100 MB WAV: peak traced memory {peak / 1024:.0f} KiB")
    assert streamed == data_size
    assert peak < 8 * 1024 * 1024


def test_the_memory_meter_would_notice_a_buffered_stream() -> None:
    # Without this, a meter that always read 0 would make the bound above pass.
    tracemalloc.start()
    try:
        held = b"".join(iter_pattern(16 * 1024 * 1024))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(held) == 16 * 1024 * 1024
    assert peak > 8 * 1024 * 1024


def iter_pattern(size: int) -> Iterator[bytes]:
    reader = PatternReader(size)
    while piece := reader.read(64 * 1024):
        yield piece


# ---------------------------------------------------------------- damaged input


@settings(max_examples=200, deadline=None)
@given(
    fixture=st.integers(0, 3),
    cut=st.floats(0, 1),
    flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=5),
    step=st.sampled_from([None, 1, 5, 4096]),
)
def test_damaged_files_are_refused_whole_or_cleaned_without_crashing(
    fixture: int, cut: float, flips: list[tuple[float, int]], step: int | None
) -> None:
    data = bytearray(FIXTURES[fixture])
    for where, value in flips:
        data[int(where * (len(data) - 1))] = value
    damaged = bytes(data[: int(cut * len(data))] if cut < 0.99 else data)
    source = ChunkedReader(damaged[16:], step)
    report = CleanReport()
    refused: CannotClean | None = None
    try:
        cleaned = b"".join(clean_audio(damaged[:16], source, report))
    except CannotClean as refusal:
        refused = refusal
    if refused is not None:
        rest = b"".join(iter(lambda: source.read(4096), b""))
        assert refused.consumed + rest == damaged
        return
    assert report.outcome in ("removed", "none found", "not removed")
    if report.outcome == "not removed":
        assert report.reason
    assert len(cleaned) <= len(damaged)


FIXTURES = all_fixtures()
