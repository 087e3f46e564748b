"""Photo cleaning through the dispatcher (app.intake.media.clean): the
metadata is gone wherever it was placed, the pixels are untouched."""

from __future__ import annotations

import io
import random
import struct
from collections.abc import Callable

import pytest
from media_samples import (
    GPS_MARKER,
    JPEG_SECRETS,
    PNG_SECRETS,
    exif_segment,
    insert_before_eoi,
    insert_before_scan,
    jpeg_with_metadata,
    noise_image,
    plain_jpeg,
    png_chunk,
    png_chunk_types,
    png_with_metadata,
    read_all,
    segment,
)
from PIL import Image

from app.intake import media


def cleaned(data: bytes) -> tuple[bytes, media.Cleaned]:
    result = media.clean(io.BytesIO(data))
    return read_all(result), result


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.tobytes()


def assert_no_secrets(data: bytes, secrets: tuple[bytes, ...]) -> None:
    found = [secret for secret in secrets if secret in data]
    assert not found, found


@pytest.mark.parametrize("progressive", [False, True])
def test_jpeg_metadata_is_removed_and_pixels_kept(progressive: bool) -> None:
    original = jpeg_with_metadata(progressive=progressive)
    assert all(secret in original for secret in JPEG_SECRETS)
    out, result = cleaned(original)
    assert_no_secrets(out, JPEG_SECRETS)
    assert (result.kind, result.format, result.metadata) == ("photo", "jpeg", "removed")
    assert pixels(out) == pixels(original)
    with Image.open(io.BytesIO(out)) as image:
        assert not image.getexif()
        assert "icc_profile" not in image.info


def test_exif_after_the_first_scan_is_removed() -> None:
    original = insert_before_eoi(plain_jpeg(), exif_segment() + segment(0xFE, b"LateComment"))
    out, result = cleaned(original)
    assert GPS_MARKER not in out
    assert b"LateComment" not in out
    assert result.metadata == "removed"
    assert pixels(out) == pixels(plain_jpeg())


def test_exif_between_progressive_scans_is_removed() -> None:
    base = plain_jpeg(progressive=True)
    assert base.count(b"\xff\xda") > 2
    original = insert_before_scan(base, 2, exif_segment() + segment(0xED, b"IptcSecret"))
    out, result = cleaned(original)
    assert GPS_MARKER not in out
    assert b"IptcSecret" not in out
    # Every scan and the tables between them survive: the picture decodes the same.
    assert out.count(b"\xff\xda") == base.count(b"\xff\xda")
    assert out == base
    assert result.metadata == "removed"


def test_bytes_after_the_end_of_a_jpeg_are_dropped() -> None:
    second = jpeg_with_metadata()  # a "multi-picture" second image, with its own EXIF
    original = plain_jpeg() + second + b"TrailingSecret"
    out, result = cleaned(original)
    assert out == plain_jpeg()
    assert GPS_MARKER not in out
    assert result.metadata == "removed"


def test_jfif_thumbnail_is_cut_and_adobe_header_kept() -> None:
    base = plain_jpeg()
    assert base[2:4] == b"\xff\xe0"
    (jfif_length,) = struct.unpack(">H", base[4:6])
    thumbnail = bytes([1, 1]) + b"ThumbSecret"[:3]  # a 1x1 RGB thumbnail
    jfif = base[6:6 + jfif_length - 4] + thumbnail
    adobe = b"Adobe\x00\x64\x00\x00\x00\x00\x01" + b"AdobeExtraSecret"
    original = (base[:2] + segment(0xE0, jfif) + segment(0xEE, adobe)
                + base[4 + jfif_length:])
    out, _ = cleaned(original)
    assert b"Thu" not in out
    assert b"AdobeExtraSecret" not in out
    assert segment(0xEE, adobe[:12]) in out
    assert out.startswith(base[:4 + jfif_length])  # the bare JFIF header, thumbnail 0x0
    assert pixels(out) == pixels(base)


def test_jpeg_without_metadata_is_kept_byte_for_byte_and_says_none_found() -> None:
    original = plain_jpeg()
    out, result = cleaned(original)
    assert out == original
    assert result.metadata == "none found"


def test_restart_markers_and_stuffed_bytes_stay_in_the_scan() -> None:
    out = io.BytesIO()
    noise_image((96, 64)).save(out, format="JPEG", quality=95, restart_marker_blocks=2)
    original = out.getvalue()
    assert b"\xff\xd0" in original  # a restart marker
    assert b"\xff\x00" in original  # a stuffed 0xFF data byte
    assert cleaned(original)[0] == original


@pytest.mark.parametrize(("damage", "message"), [
    (lambda jpeg: jpeg[:len(jpeg) // 2], "truncated"),
    (lambda jpeg: jpeg[:2] + b"\xff\xdb\x00\x05abc" + b"garbage", "malformed"),
    (lambda jpeg: jpeg[:4] + b"\x00\x01" + jpeg[6:], "segment length"),
    (lambda jpeg: b"\xff\xd8\xff\xd9", "no image data"),
])
def test_malformed_jpeg_is_refused(damage: Callable[[bytes], bytes], message: str) -> None:
    broken = damage(plain_jpeg())
    with pytest.raises(media.UnsupportedPhoto, match=message):
        cleaned(broken)


def test_png_metadata_chunks_and_trailing_bytes_are_removed() -> None:
    original = png_with_metadata()
    types = png_chunk_types(original)
    assert {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"iCCP", b"caBX", b"prVt"} <= set(types)
    assert all(secret in original for secret in (b"ChongjinSecret", b"SignerSecret"))
    out, result = cleaned(original)
    assert_no_secrets(out, PNG_SECRETS)
    assert png_chunk_types(out) == [t for t in types if t in {b"IHDR", b"pHYs", b"IDAT",
                                                              b"IEND"}]
    assert out.endswith(png_chunk(b"IEND", b""))
    assert (result.kind, result.format, result.metadata) == ("photo", "png", "removed")
    assert pixels(out) == pixels(original)


def test_png_allow_list_keeps_transparency_and_animation() -> None:
    frames = [noise_image((16, 16), seed=n).convert("P") for n in range(3)]
    out = io.BytesIO()
    frames[0].save(out, format="PNG", save_all=True, append_images=frames[1:],
                   transparency=0, duration=100)
    original = out.getvalue()
    assert {b"PLTE", b"tRNS", b"acTL", b"fcTL", b"fdAT"} <= set(png_chunk_types(original))
    clean_bytes, result = cleaned(original)
    assert clean_bytes == original
    assert result.metadata == "none found"


def test_png_with_bad_checksum_is_refused() -> None:
    out = io.BytesIO()
    noise_image((8, 8)).save(out, format="PNG")
    original = bytearray(out.getvalue())
    original[png_chunk_types_offset(bytes(original), b"IDAT") + 10] ^= 0x55
    with pytest.raises(media.UnsupportedPhoto, match="checksum"):
        cleaned(bytes(original))


def png_chunk_types_offset(png: bytes, chunk_type: bytes) -> int:
    return png.index(chunk_type) - 4


@pytest.mark.parametrize(("broken", "message"), [
    (b"\x89PNG\r\n\x1a\n" + png_chunk(b"tEXt", b"a\x00b"), "IHDR"),
    (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", b"\x00" * 13)[:15], "truncated"),
    (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", b"\x00" * 13) + b"\xff\xff\xff\xffIDAT",
     "bad chunk header"),
    (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", b"\x00" * 13) + b"\x00\x00\x00\x01I D T",
     "bad chunk header"),
])
def test_malformed_png_is_refused(broken: bytes, message: str) -> None:
    with pytest.raises(media.UnsupportedPhoto, match=message):
        cleaned(broken)


class Dribble:
    """An upload that arrives a few bytes at a time, so every structure (a
    0xFF at the end of a piece, a marker split in two) straddles reads."""

    def __init__(self, data: bytes, seed: int) -> None:
        self._data, self._offset = data, 0
        self._rng = random.Random(seed)

    def read(self, size: int = -1) -> bytes:
        count = min(size, self._rng.randint(1, 9)) if size > 0 else len(self._data)
        out = self._data[self._offset:self._offset + count]
        self._offset += len(out)
        return out


@pytest.mark.parametrize("seed", range(4))
def test_cleaning_does_not_depend_on_how_the_upload_is_split(seed: int) -> None:
    for original in (insert_before_scan(jpeg_with_metadata(progressive=True), 3,
                                        exif_segment()) + b"Trailing",
                     png_with_metadata()):
        expected, _ = cleaned(original)
        assert read_all(media.clean(Dribble(original, seed)), piece=7) == expected
