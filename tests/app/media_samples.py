"""Real photos with planted metadata, built with Pillow, for the media tests.

Every secret is a distinct ASCII marker so a test can check that no byte of
it survives cleaning. Pixels are noise, so the scan data is realistic (0xFF
bytes, stuffing) rather than a flat colour that compresses to nothing.
"""

from __future__ import annotations

import io
import random
import struct
import wave
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

import pikepdf
from PIL import Image, PngImagePlugin

GPS_MARKER = b"GpsSecretN39"
MAKE_MARKER = b"SecretCamMaker"
JPEG_SECRETS = (GPS_MARKER, MAKE_MARKER, b"CommentedSecret", b"IccSecret", b"XmpSecret", b"Exif")


def noise_image(size: tuple[int, int] = (64, 48), seed: int = 7) -> Image.Image:
    rng = random.Random(seed)
    return Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))


def wav_bytes(frames: bytes = bytes(range(256)) * 40) -> bytes:
    """A real (tiny) WAV file, mono 16-bit 8 kHz."""
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        writer.writeframes(frames)
    return out.getvalue()


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = MAKE_MARKER.decode()  # camera make
    # GPS IFD: latitude near Pyongyang, and a text tag carrying the marker.
    exif[0x8825] = {1: "N", 2: (39.0, 1.0, 10.0), 0x1B: GPS_MARKER.decode()}
    return exif


def plain_jpeg(*, progressive: bool = False, image: Image.Image | None = None) -> bytes:
    """A JPEG as Pillow writes it with no metadata: only the JFIF header and tables."""
    out = io.BytesIO()
    (image or noise_image()).save(out, format="JPEG", quality=95, progressive=progressive)
    return out.getvalue()


def jpeg_with_metadata(*, progressive: bool = False) -> bytes:
    """EXIF with GPS, an ICC profile, XMP and a comment, where cameras put them."""
    out = io.BytesIO()
    noise_image().save(out, format="JPEG", quality=95, progressive=progressive,
                       exif=gps_exif(), comment=b"CommentedSecret",
                       icc_profile=b"IccSecret" * 20, xmp=b"<x:xmpmeta>XmpSecret</x:xmpmeta>")
    return out.getvalue()


def segment(code: int, body: bytes) -> bytes:
    return bytes((0xFF, code)) + struct.pack(">H", len(body) + 2) + body


def exif_segment(marker: bytes = GPS_MARKER) -> bytes:
    """A complete APP1 EXIF segment with GPS, as a camera writes it."""
    exif = gps_exif()
    exif[0x8825] = {1: "N", 2: (39.0, 1.0, 10.0), 0x1B: marker.decode()}
    return segment(0xE1, b"Exif\x00\x00" + exif.tobytes())


def insert_before_scan(jpeg: bytes, scan_number: int, extra: bytes) -> bytes:
    """Insert bytes just before the n-th SOS (0 = first). 0xFFDA cannot occur
    inside scan data, so a plain search finds segment boundaries."""
    position = -1
    for _ in range(scan_number + 1):
        position = jpeg.index(b"\xff\xda", position + 1)
    return jpeg[:position] + extra + jpeg[position:]


def insert_before_eoi(jpeg: bytes, extra: bytes) -> bytes:
    assert jpeg.endswith(b"\xff\xd9")
    return jpeg[:-2] + extra + jpeg[-2:]


def png_chunk(chunk_type: bytes, body: bytes) -> bytes:
    return (struct.pack(">I", len(body)) + chunk_type + body
            + struct.pack(">I", zlib.crc32(chunk_type + body)))


def png_chunk_types(png: bytes) -> list[bytes]:
    types, position = [], 8
    while position < len(png):
        (length,) = struct.unpack(">I", png[position:position + 4])
        types.append(png[position + 4:position + 8])
        position += 12 + length
        if types[-1] == b"IEND":
            break
    return types


def png_with_metadata() -> bytes:
    """tEXt, zTXt, iTXt, eXIf (GPS), iCCP and pHYs from Pillow, then a C2PA
    caBX box and a private chunk inserted before IDAT, and bytes after IEND."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Location", "ChongjinSecret")
    info.add_text("Author", "ZtxtSecret", zip=True)
    info.add_itxt("Comment", "ItxtSecret")
    out = io.BytesIO()
    noise_image().save(out, format="PNG", pnginfo=info, exif=gps_exif(),
                       icc_profile=b"IccSecret" * 20, dpi=(72, 72))
    png = out.getvalue()
    idat = png.index(b"IDAT") - 4
    extra = (png_chunk(b"caBX", b"jumb c2pa SignerSecret")
             + png_chunk(b"prVt", b"PrivateSecret"))
    return png[:idat] + extra + png[idat:] + b"TrailingSecret"


PNG_SECRETS = (GPS_MARKER, MAKE_MARKER, b"ChongjinSecret", b"ItxtSecret", b"SignerSecret",
               b"PrivateSecret", b"TrailingSecret", b"Location")


def big_png_pieces(idat_bytes: int, piece: int = 64 * 1024) -> Iterator[bytes]:
    """A PNG whose single IDAT chunk is ``idat_bytes`` long, generated piece by
    piece with a correct CRC, so neither the test nor the source holds it."""
    body = bytes(range(256)) * (piece // 256)
    crc = zlib.crc32(b"IDAT")
    for offset in range(0, idat_bytes, piece):
        crc = zlib.crc32(body[:min(piece, idat_bytes - offset)], crc)
    yield b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 4096, 4096, 8, 0, 0,
                                                               0, 0))
    yield struct.pack(">I", idat_bytes) + b"IDAT"
    for offset in range(0, idat_bytes, piece):
        yield body[:min(piece, idat_bytes - offset)]
    yield struct.pack(">I", crc) + png_chunk(b"tEXt", b"Comment\x00" + GPS_MARKER) \
        + png_chunk(b"IEND", b"")


def big_jpeg_pieces(scan_bytes: int, piece: int = 64 * 1024) -> Iterator[bytes]:
    """A JPEG structure with ``scan_bytes`` of entropy-coded data (stuffed 0xFF
    bytes and restart markers included), generated piece by piece. Only the
    marker structure is realistic: the stripper never decodes the pixels."""
    header = plain_jpeg(image=noise_image((8, 8)))
    sos = header.index(b"\xff\xda")
    (sos_length,) = struct.unpack(">H", header[sos + 2:sos + 4])
    yield header[:sos] + exif_segment() + header[sos:sos + 2 + sos_length]
    rng = random.Random(3)
    block = rng.randbytes(piece).replace(b"\xff", b"\xff\x00")[:piece - 2]
    if block.endswith(b"\xff"):
        block = block[:-1] + b"\x00"
    sent, restart = 0, 0
    while sent < scan_bytes:
        chunk = block[:min(len(block), scan_bytes - sent)]
        if chunk.endswith(b"\xff"):
            chunk = chunk[:-1] + b"\x01"
        yield chunk + bytes((0xFF, 0xD0 + restart % 8))
        restart += 1
        sent += len(chunk) + 2
    yield exif_segment() + b"\xff\xd9" + b"TrailingSecret"


class PiecesReader:
    """``read(n)`` over generated pieces, as the multipart reader serves an upload."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self._pieces = pieces
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            out, self._buffer = self._buffer + b"".join(self._pieces), b""
            return out
        while len(self._buffer) < size:
            piece = next(self._pieces, None)
            if piece is None:
                break
            self._buffer += piece
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out


def read_all(reader: Any, piece: int = 64 * 1024) -> bytes:
    """Read to the end in pieces, as the sealer does."""
    chunks = []
    while data := reader.read(piece):
        chunks.append(data)
    return b"".join(chunks)


# ---------------------------------------------------------------- audio and documents

AUTHOR_MARKER = "Ri Myong-hui Chongjin"


def riff_chunk(chunk_id: bytes, body: bytes) -> bytes:
    return chunk_id + struct.pack("<I", len(body)) + body + (b"\0" if len(body) % 2 else b"")


def wav_with_info(marker: str = AUTHOR_MARKER, frames: bytes = bytes(range(256)) * 40) -> bytes:
    """A WAV whose LIST/INFO chunk (before the audio, as recorders write it) names
    the artist and title."""
    plain = wav_bytes(frames)
    info = riff_chunk(b"LIST", b"INFO" + riff_chunk(b"IART", marker.encode() + b"\0")
                      + riff_chunk(b"INAM", b"Interview " + marker.encode() + b"\0"))
    fmt_end = 12 + 8 + struct.unpack("<I", plain[16:20])[0]
    body = plain[12:fmt_end] + info + plain[fmt_end:]
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body


def mp4_box(box_type: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + box_type + body


def mp4_with_broken_movie_box(movie_size: int, marker: str = AUTHOR_MARKER) -> bytes:
    """ftyp, then a movie box of ``movie_size`` bytes whose first child claims
    more than the box holds (the cleaner reads it whole, then declines), then
    audio data and a marker."""
    ftyp = mp4_box(b"ftyp", b"M4A \0\0\0\0M4A mp42isom")
    body = struct.pack(">I", movie_size) + b"trak" + marker.encode()
    body += bytes(range(256)) * ((movie_size - 8 - len(body)) // 256)
    body += b"\0" * (movie_size - 8 - len(body))
    return ftyp + mp4_box(b"moov", body) + mp4_box(b"mdat", marker.encode() * 100)


def docx_with_author(marker: str = AUTHOR_MARKER) -> bytes:
    """A minimal Word document whose core properties name the author."""
    ns = "http://schemas.openxmlformats.org"
    parts = {
        "[Content_Types].xml": (
            f'<?xml version="1.0"?><Types xmlns="{ns}/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/></Types>'),
        "_rels/.rels": (
            f'<?xml version="1.0"?><Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/>'
            f'<Relationship Id="rId2" Type="{ns}/package/2006/relationships/metadata/'
            'core-properties" Target="docProps/core.xml"/></Relationships>'),
        "word/document.xml": "<w:document><w:body><w:p><w:t>Wages withheld</w:t></w:p>"
                             "</w:body></w:document>",
        "docProps/core.xml": (
            f'<?xml version="1.0"?><cp:coreProperties xmlns:cp="{ns}/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:creator>{marker}</dc:creator></cp:coreProperties>"),
    }
    out = io.BytesIO()
    # Stored, not deflated, so the marker can be searched for in the bytes (the
    # cleaner keeps each part's compression method).
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def pdf_with_author(marker: str = AUTHOR_MARKER) -> bytes:
    """A one-page PDF whose information dictionary names the author, saved
    uncompressed so the marker is findable in the bytes."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    pdf.trailer.Info = pdf.make_indirect(pikepdf.Dictionary(Author=pikepdf.String(marker)))
    out = io.BytesIO()
    pdf.save(out, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return out.getvalue()
