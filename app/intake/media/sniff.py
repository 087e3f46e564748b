"""What a file is, from its first bytes (magic numbers), never from the
interviewer's dropdown or the browser's content type: both are just claims,
and a photo sent as "audio" must still lose its GPS position.
"""

from __future__ import annotations

from dataclasses import dataclass

# Enough for every signature below, including the first entry name of a ZIP
# (OOXML, OpenDocument) and a PDF header after a little junk.
SNIFF_BYTES = 4096

PHOTO, AUDIO, DOCUMENT, OTHER = "photo", "audio", "document", "other"

# ISO base media (ftyp box) brands: still images versus audio/video.
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs",
                b"mif1", b"msf1", b"avif", b"avis"}
_MP4_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"M4V ", b"mp41", b"mp42", b"isom", b"iso2",
               b"iso4", b"iso5", b"iso6", b"dash", b"3gp4", b"3gp5", b"3gp6", b"3gp7",
               b"3g2a", b"3g2b", b"3g2c", b"qt  ", b"f4a ", b"f4v ", b"avc1", b"MSNV"}


@dataclass(frozen=True)
class Detected:
    kind: str    # photo, audio, document or other: what is stored as media_kind
    format: str  # jpeg, png, gif, ..., or "unknown"


def sniff(head: bytes) -> Detected:
    """Classify a file by its first bytes (up to SNIFF_BYTES of them)."""
    if head.startswith(b"\xff\xd8\xff"):
        return Detected(PHOTO, "jpeg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Detected(PHOTO, "png")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Detected(PHOTO, "gif")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Detected(PHOTO, "webp")
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return Detected(PHOTO, "tiff")  # also camera raw (DNG, CR2, NEF)
    if head[:2] == b"BM" and len(head) >= 26 and head[6:10] == b"\x00\x00\x00\x00":
        return Detected(PHOTO, "bmp")
    if head[4:8] == b"ftyp":
        return _iso_media(head)
    return _audio(head) or _document(head) or Detected(OTHER, "unknown")


def _iso_media(head: bytes) -> Detected:
    major = head[8:12]
    size = int.from_bytes(head[:4], "big")
    compatible = {head[i:i + 4] for i in range(16, min(size, len(head)) - 3, 4)}
    if major in _HEIF_BRANDS or (major not in _MP4_BRANDS and compatible & _HEIF_BRANDS):
        return Detected(PHOTO, "heif")
    if major in _MP4_BRANDS or compatible & _MP4_BRANDS:
        return Detected(AUDIO, "mp4")  # m4a, and video too: one container
    return Detected(OTHER, "unknown")


def _audio(head: bytes) -> Detected | None:
    if head.startswith(b"ID3"):
        return Detected(AUDIO, "mp3")
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        # MPEG audio frame sync (MP3 without a tag) or ADTS AAC.
        return Detected(AUDIO, "aac" if head[1] & 0x06 == 0 else "mp3")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return Detected(AUDIO, "wav")
    if head[:4] == b"OggS":
        return Detected(AUDIO, "ogg")
    if head[:4] == b"fLaC":
        return Detected(AUDIO, "flac")
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return Detected(AUDIO, "aiff")
    if head.startswith((b"#!AMR\n", b"#!AMR-WB\n")):
        return Detected(AUDIO, "amr")
    return None


def _document(head: bytes) -> Detected | None:
    if b"%PDF-" in head[:1024]:
        return Detected(DOCUMENT, "pdf")
    if head.startswith(b"PK\x03\x04") and len(head) >= 30:
        name_length = int.from_bytes(head[26:28], "little")
        name = head[30:30 + name_length]
        if name == b"mimetype" and b"application/vnd.oasis.opendocument" in head[:200]:
            return Detected(DOCUMENT, "odf")
        if name in (b"[Content_Types].xml", b"_rels/.rels", b"docProps/app.xml",
                    b"docProps/core.xml") or name.startswith((b"word/", b"xl/", b"ppt/")):
            return Detected(DOCUMENT, "ooxml")  # docx, xlsx, pptx
        return Detected(OTHER, "zip")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return Detected(DOCUMENT, "ole")  # legacy doc, xls, ppt
    if head.startswith(b"{\\rtf"):
        return Detected(DOCUMENT, "rtf")
    return None
