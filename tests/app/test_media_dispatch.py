"""The dispatcher: format from the bytes, honest outcomes, the cleaner
contract, and cleaning in bounded memory."""

from __future__ import annotations

import io
import random
import tracemalloc
from collections.abc import Callable, Generator, Iterator

import pytest
from media_samples import (
    AUTHOR_MARKER,
    GPS_MARKER,
    PiecesReader,
    big_jpeg_pieces,
    big_png_pieces,
    docx_with_author,
    jpeg_with_metadata,
    mp4_with_broken_movie_box,
    pdf_with_author,
    read_all,
    wav_bytes,
    wav_with_info,
)

from app.intake import media
from app.intake.media.streams import ExactReader, IteratorReader, Reader


@pytest.mark.parametrize(("head", "kind", "fmt"), [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "photo", "jpeg"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo", "png"),
    (b"GIF89a\x01\x00\x01\x00", "photo", "gif"),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "photo", "webp"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "photo", "heif"),
    (b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1avif", "photo", "heif"),
    (b"II*\x00\x08\x00\x00\x00", "photo", "tiff"),
    (b"MM\x00*\x00\x00\x00\x08", "photo", "tiff"),
    (b"ID3\x04\x00\x00\x00\x00\x00\x00", "audio", "mp3"),
    (b"\xff\xfb\x90\x64\x00", "audio", "mp3"),
    (b"\xff\xf1\x50\x80\x00", "audio", "aac"),
    (wav_bytes()[:64], "audio", "wav"),
    (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom", "audio", "mp4"),
    (b"OggS\x00\x02\x00\x00", "audio", "ogg"),
    (b"fLaC\x00\x00\x00\x22", "audio", "flac"),
    (b"#!AMR\n\x3c", "audio", "amr"),
    (b"%PDF-1.7\n%\xe2\xe3", "document", "pdf"),
    (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 16 + b"\x13\x00\x00\x00"
     + b"[Content_Types].xml", "document", "ooxml"),
    (b"PK\x03\x04\x14\x00\x00\x00\x00\x00" + b"\x00" * 16 + b"\x08\x00\x00\x00"
     + b"mimetypeapplication/vnd.oasis.opendocument.text", "document", "odf"),
    (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 16 + b"\x07\x00\x00\x00"
     + b"a/b.txt", "other", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "document", "ole"),
    (b"{\\rtf1\\ansi", "document", "rtf"),
    (b"hello, plain text", "other", "unknown"),
    (b"", "other", "unknown"),
])
def test_format_is_sniffed_from_the_first_bytes(head: bytes, kind: str, fmt: str) -> None:
    assert media.sniff(head) == media.Detected(kind, fmt)


@pytest.mark.parametrize(("data", "kind"), [
    (b"GIF89a" + b"\x00" * 5000, "photo"),
    (b"OggS\x00\x02" + b"\x00" * 5000, "audio"),
    (b"#!AMR\n" + b"\x3c" * 500, "audio"),
    (b"{\\rtf1\\ansi {\\author AuthorSecret}}", "document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "document"),
    (b"an unknown format" * 1000, "other"),
    (b"x", "other"),
])
def test_files_without_a_cleaner_are_sealed_as_uploaded_and_say_not_removed(
        data: bytes, kind: str) -> None:
    result = media.clean(io.BytesIO(data))
    assert read_all(result) == data
    assert (result.kind, result.metadata) == (kind, "not removed")
    assert result.reason is not None


def test_outcome_is_unknown_until_the_stream_is_read() -> None:
    result = media.clean(io.BytesIO(jpeg_with_metadata()))
    with pytest.raises(RuntimeError, match="after the stream"):
        _ = result.metadata
    read_all(result)
    assert result.metadata == "removed"


def declines_after_reading(head: bytes, source: Reader) -> Iterator[bytes]:
    reader = ExactReader(source, head)
    reader.take(len(head) + 10_000)  # looks deep into the file first
    raise media.CannotClean("variant not supported")
    yield b""  # pragma: no cover - makes this a generator


def test_a_declining_cleaner_leaves_the_file_exactly_as_uploaded() -> None:
    data = b"GIF89a" + bytes(range(256)) * 200
    result = media.clean(io.BytesIO(data), cleaners={"gif": declines_after_reading})
    assert read_all(result) == data
    assert (result.metadata, result.reason) == ("not removed", "variant not supported")


def declines_too_late(head: bytes, source: Reader) -> Iterator[bytes]:
    yield head
    raise media.CannotClean("changed its mind")


def test_declining_after_yielding_refuses_the_file() -> None:
    result = media.clean(io.BytesIO(b"GIF89a" + b"\x00" * 100),
                         cleaners={"gif": declines_too_late})
    with pytest.raises(media.MalformedMedia, match="changed its mind"):
        read_all(result)


def test_a_plain_wav_is_cleaned_and_has_no_metadata_to_remove() -> None:
    data = wav_bytes()
    result = media.clean(io.BytesIO(data))
    assert read_all(result) == data
    assert (result.kind, result.format, result.metadata) == ("audio", "wav", "none found")


def test_an_unreadable_pdf_is_sealed_as_uploaded_and_says_not_removed() -> None:
    data = b"%PDF-1.4\n/Author (AuthorSecret)"
    result = media.clean(io.BytesIO(data))
    assert read_all(result) == data
    assert (result.kind, result.metadata) == ("document", "not removed")
    assert result.reason == "the PDF cannot be read"


def declines_past_the_limit(head: bytes, source: Reader) -> Iterator[bytes]:
    ExactReader(source, head).skip(media.REPLAY_LIMIT + len(head) + 1)
    raise media.CannotClean("read far, kept nothing")
    yield b""  # pragma: no cover - makes this a generator


def test_declining_past_the_replay_limit_without_handing_bytes_back_is_a_contract_error(
        ) -> None:
    result = media.clean(io.BytesIO(b"GIF89a" + b"\x00" * (2 * media.REPLAY_LIMIT)),
                         cleaners={"gif": declines_past_the_limit})
    with pytest.raises(media.CleanerContractError, match="without handing them back"):
        read_all(result)


def hands_back(drop: int, repeat: int) -> media.Cleaner:
    """A cleaner that reads 3 MiB, then declines and hands back what it read,
    minus ``drop`` bytes at the end, plus ``repeat`` bytes repeated."""
    def cleaner(head: bytes, source: Reader) -> Iterator[bytes]:
        read = ExactReader(source).take(3 * media.REPLAY_LIMIT)
        consumed = head + read
        consumed = consumed[:len(consumed) - drop] + consumed[:repeat]
        raise media.CannotClean("too deep", consumed=consumed)
        yield b""  # pragma: no cover - makes this a generator
    return cleaner


def test_bytes_handed_back_past_the_replay_limit_are_sealed_byte_for_byte() -> None:
    data = b"GIF89a" + bytes(range(256)) * (20 * 4096)
    result = media.clean(io.BytesIO(data), cleaners={"gif": hands_back(0, 0)})
    assert read_all(result) == data
    assert (result.metadata, result.reason) == ("not removed", "too deep")


@pytest.mark.parametrize(("drop", "repeat"), [(1, 0), (0, 1), (1, 1), (2, 2)])
def test_bytes_handed_back_that_are_not_what_was_read_are_a_contract_error(
        drop: int, repeat: int) -> None:
    data = b"GIF89a" + bytes(range(256)) * (20 * 4096)
    result = media.clean(io.BytesIO(data), cleaners={"gif": hands_back(drop, repeat)})
    with pytest.raises(media.CleanerContractError, match="not the"):
        read_all(result)


def reads_far_then_cleans(head: bytes, source: Reader) -> Iterator[bytes]:
    reader = ExactReader(source, head)
    body = reader.take(2 * media.REPLAY_LIMIT)
    yield body.replace(b"Secret", b"\x00" * 6)
    yield from reader.rest()


def test_a_cleaner_may_read_past_the_replay_limit_before_its_first_yield() -> None:
    data = b"GIF89a" + b"Secret" * (media.REPLAY_LIMIT // 2)
    result = media.clean(io.BytesIO(data), cleaners={"gif": reads_far_then_cleans})
    cleaned = read_all(result)
    assert len(cleaned) == len(data)
    assert b"Secret" not in cleaned[:2 * media.REPLAY_LIMIT - 6]
    assert result.metadata == "removed"


def passes_the_rest_through(head: bytes, source: Reader
                            ) -> Generator[bytes, None, media.CleanReport]:
    report = media.CleanReport()
    yield head.replace(b"Secret", b"\x00" * 6)  # cleaned the start...
    yield from ExactReader(source).rest()        # ...but not the rest
    report.give_up("the rest is not understood")
    return report


def test_a_cleaner_that_says_not_removed_is_believed_although_bytes_changed() -> None:
    data = b"GIF89aSecret" + b"Secret" * 10_000
    result = media.clean(io.BytesIO(data), cleaners={"gif": passes_the_rest_through})
    assert read_all(result) != data
    assert (result.metadata, result.reason) == ("not removed", "the rest is not understood")


def test_iterator_reader_serves_exact_sizes_across_uneven_pieces() -> None:
    pieces = [b"a" * 3, b"", b"b" * 100_000, b"c", b"d" * 70_000]
    reader = IteratorReader(iter(pieces))
    out = []
    for size in (1, 2, 5, 65_536, 65_536, 1, 100_000):
        out.append(reader.read(size))
    assert [len(piece) for piece in out] == [1, 2, 5, 65_536, 65_536, 1, 38_923]
    assert b"".join(out) == b"".join(pieces)
    assert reader.read(10) == b""


def peak_traced_bytes(reader: Reader) -> tuple[int, bytes, bool, int]:
    """Read a cleaned stream to the end as the sealer does; return its size, its
    last bytes, whether the GPS marker occurs anywhere, and peak traced memory."""
    tracemalloc.start()
    try:
        size, tail, gps_found = 0, b"", False
        while piece := reader.read(64 * 1024):
            size += len(piece)
            window = tail + piece
            gps_found = gps_found or GPS_MARKER in window
            tail = window[-64:]
        return size, tail, gps_found, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_png_with_a_64_mb_chunk_is_cleaned_in_bounded_memory() -> None:
    idat = 64 * 1024 * 1024
    result = media.clean(PiecesReader(big_png_pieces(idat)))
    size, tail, gps_found, peak = peak_traced_bytes(result)
    assert size == 8 + 25 + 12 + idat + 12  # signature, IHDR, IDAT, IEND: tEXt dropped
    assert tail.endswith(b"IEND\xae\x42\x60\x82")
    assert not gps_found
    assert result.metadata == "removed"
    assert peak < 8 * 1024 * 1024, peak


def test_a_jpeg_with_64_mb_of_scan_data_is_cleaned_in_bounded_memory() -> None:
    result = media.clean(PiecesReader(big_jpeg_pieces(64 * 1024 * 1024)))
    size, tail, gps_found, peak = peak_traced_bytes(result)
    assert size > 64 * 1024 * 1024
    assert tail.endswith(b"\xff\xd9")  # trailing bytes after EOI dropped
    assert not gps_found  # EXIF before the scan and after it
    assert result.metadata == "removed"
    assert peak < 8 * 1024 * 1024, peak


def test_an_mp4_whose_8_mb_movie_box_is_refused_is_sealed_byte_for_byte() -> None:
    # The MP4 cleaner reads the whole movie box (8 times the replay limit)
    # before it finds it broken, and hands every byte back.
    data = mp4_with_broken_movie_box(8 * 1024 * 1024)
    result = media.clean(PiecesReader(iter([data[i:i + 1000] for i in range(0, len(data),
                                                                             1000)])))
    assert read_all(result) == data
    assert (result.kind, result.format, result.metadata) == ("audio", "mp4", "not removed")
    assert result.reason == "the MP4 movie box is not understood"


@pytest.mark.parametrize("seed", range(20))
def test_random_bytes_that_look_like_an_mpeg_frame_are_sealed_as_is(seed: int) -> None:
    data = b"\xff\xfb" + random.Random(seed).randbytes(20_000)
    result = media.clean(io.BytesIO(data))
    assert result.format == "mp3"
    assert read_all(result) == data
    assert result.metadata == "not removed"


def test_a_wav_loses_its_info_chunk_through_the_dispatcher() -> None:
    data = wav_with_info()
    result = media.clean(io.BytesIO(data))
    cleaned = read_all(result)
    assert AUTHOR_MARKER.encode() not in cleaned
    assert len(cleaned) == len(data)  # the chunk became zeroed JUNK of the same size
    assert (result.kind, result.metadata) == ("audio", "removed")


def test_a_document_over_the_clean_limit_is_sealed_as_uploaded() -> None:
    data = docx_with_author() + bytes(300_000)  # zip readers allow bytes after the end
    result = media.clean(io.BytesIO(data), media.cleaners_for(max_document_bytes=200_000))
    assert read_all(result) == data
    assert (result.kind, result.metadata) == ("document", "not removed")
    assert result.reason == "the document is too large to clean"


@pytest.mark.parametrize("build", [docx_with_author, pdf_with_author])
def test_documents_lose_their_author_through_the_dispatcher(build: Callable[[], bytes]) -> None:
    data = build()
    assert AUTHOR_MARKER.encode() in data
    result = media.clean(io.BytesIO(data))
    assert AUTHOR_MARKER.encode() not in read_all(result)
    assert (result.kind, result.metadata) == ("document", "removed")
