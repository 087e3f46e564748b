"""Remove author and editing metadata from PDF, OOXML and ODF documents.

A document attached to a testimony (a contract, a pay slip someone typed up)
names its author, the last person to save it, the organisation and the times it
was edited; an NGO must not seal that with the testimony nor let it leave in an
export. Documents are cleaned in memory: the caller enforces a size limit and
passes the whole file (``max_size`` is checked again here).

* PDF (with pikepdf/qpdf): the document information dictionary, every XMP
  ``/Metadata`` stream (catalog, pages, images, fonts, anywhere), ``/PieceInfo``
  (private application data) with its ``/LastModified``, and the author
  (``/T``) and dates of comments are removed; the file is rewritten in full,
  so earlier revisions kept by incremental updates and unreferenced objects are
  gone, and it gets a new file identifier (/ID) derived from the cleaned
  content instead of the original's, which would link the two files.
  Encrypted PDFs are refused.
* OOXML (docx, xlsx, pptx) and ODF (odt, ods, odp): the core, extended (app)
  and custom property parts, or ODF's meta.xml, are replaced by empty ones; all
  other parts are copied with the same content and order (recompressed, with a
  fixed timestamp and no extra fields or comments, because zip entry times are
  the local time the document was saved).

Not cleaned (the caller should not claim more): authors of tracked changes and
comments inside the body parts (word/comments.xml, people.xml, xl comments,
ppt commentAuthors.xml), Word revision session ids and template paths in
settings.xml, ODF settings.xml (printer names), text in PDF content and form
fields, files embedded in a PDF or a document, the EXIF of pictures inside
documents, thumbnails of the first page.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Generator, Iterator

import pikepdf

from app.intake.media.common import CleanReport
from app.intake.media.errors import CannotClean
from app.intake.media.streams import CHUNK, Reader

__all__ = ["CannotClean", "clean_document", "detect_document", "strip_document"]

MAX_DOCUMENT_SIZE = 64 * 1024 * 1024
# Zip bomb guards: only entries are decompressed, one piece at a time, but the
# rewritten document is held in memory.
MAX_ZIP_ENTRIES = 10_000
MAX_UNCOMPRESSED_SIZE = 512 * 1024 * 1024
_COPY_PIECE = 64 * 1024
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

_ODF_MIMETYPE_PREFIX = b"application/vnd.oasis.opendocument."
_OOXML_FIRST_ENTRIES = {b"[Content_Types].xml", b"_rels/.rels"}
_OOXML_FIRST_PREFIXES = (b"docProps/", b"word/", b"xl/", b"ppt/")

_PDF_METADATA_KEYS = ("/Metadata", "/PieceInfo", "/LastModified")
_PDF_COMMENT_KEYS = ("/T", "/M", "/CreationDate")

_EMPTY_CORE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    b'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    b'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
    b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
)
_EMPTY_APP = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'docPropsVTypes"/>'
)
_EMPTY_CUSTOM = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'docPropsVTypes"/>'
)
_OOXML_PROPERTY_PARTS = {
    "core-properties": (_EMPTY_CORE, "docProps/core.xml"),
    "extended-properties": (_EMPTY_APP, "docProps/app.xml"),
    "custom-properties": (_EMPTY_CUSTOM, "docProps/custom.xml"),
}
_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship\b([^>]*)>")
_ODF_VERSION = re.compile(rb'office:version\s*=\s*["\']([0-9.]{1,8})["\']')


def detect_document(head: bytes) -> str | None:
    """Name the document format from its first bytes, or None.

    PDF needs 5 bytes. Zip-based formats are told apart by the name of the
    first entry (and for ODF the mimetype stored in it), so pass at least the
    first 128 bytes; a shorter head gives None for them.
    """
    if head.startswith(b"%PDF-"):
        return "pdf"
    if not head.startswith(b"PK\x03\x04") or len(head) < 30:
        return None
    (method,) = struct.unpack("<H", head[8:10])
    name_length, extra_length = struct.unpack("<HH", head[26:30])
    name = head[30 : 30 + name_length]
    if len(name) < name_length:
        return None
    if name == b"mimetype":
        content = head[30 + name_length + extra_length :]
        is_odf = method == zipfile.ZIP_STORED and content.startswith(_ODF_MIMETYPE_PREFIX)
        return "odf" if is_odf else None
    if name in _OOXML_FIRST_ENTRIES or name.startswith(_OOXML_FIRST_PREFIXES):
        return "ooxml"
    return None


def clean_document(
    data: bytes,
    kind: str,
    report: CleanReport | None = None,
    *,
    max_size: int = MAX_DOCUMENT_SIZE,
    max_entries: int = MAX_ZIP_ENTRIES,
    max_uncompressed: int = MAX_UNCOMPRESSED_SIZE,
) -> bytes:
    """The document without its metadata, or CannotClean(reason).

    ``kind`` is what detect_document said. ``report``, if given, gets "removed"
    or "none found" with what was removed; on CannotClean it is left as it was.
    """
    report = report if report is not None else CleanReport()
    if len(data) > max_size:
        raise CannotClean("the document is too large to clean")
    if kind == "pdf":
        cleaned = _clean_pdf(data, report)
    elif kind in ("ooxml", "odf"):
        cleaned = _clean_zip(data, kind, report, max_entries, max_uncompressed)
    else:
        raise CannotClean("not a recognised document format")
    report.finish()
    return cleaned


def strip_document(head: bytes, source: Reader, kind: str, *,
                   max_size: int = MAX_DOCUMENT_SIZE) -> Generator[bytes, None, CleanReport]:
    """:func:`clean_document` as a dispatcher cleaner (see :mod:`app.intake.media`),
    for ``kind`` "pdf", "ooxml" or "odf" as sniffed.

    Reads the whole document (at most ``max_size`` bytes plus one, to know it
    is over) before yielding anything. A refusal, including "too large to
    clean", hands every byte read back in ``CannotClean.consumed``, so the
    dispatcher can seal the upload as it came.
    """
    pieces = [head]
    size = len(head)
    while size <= max_size and (piece := source.read(min(CHUNK, max_size + 1 - size))):
        pieces.append(piece)
        size += len(piece)
    data = b"".join(pieces)
    del pieces
    if size > max_size:
        raise CannotClean("the document is too large to clean", consumed=data)
    report = CleanReport()
    try:
        cleaned = clean_document(data, kind, report, max_size=max_size)
    except CannotClean as refusal:
        raise CannotClean(refusal.reason, consumed=data) from None
    del data
    view = memoryview(cleaned)
    for start in range(0, len(view), CHUNK):
        yield bytes(view[start:start + CHUNK])
    return report


# ---------------------------------------------------------------- PDF


def _clean_pdf(data: bytes, report: CleanReport) -> bytes:
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise CannotClean("the PDF is encrypted") from None
    except (pikepdf.PdfError, ValueError):
        raise CannotClean("the PDF cannot be read") from None
    with pdf:
        if pdf.is_encrypted:
            raise CannotClean("the PDF is encrypted")
        if "/Info" in pdf.trailer:
            del pdf.trailer["/Info"]
            report.note_removed("document information")
        for indirect in pdf.objects:
            _strip_pdf_metadata(indirect, report)
        for page in pdf.pages:
            for annotation in page.obj.get("/Annots", pikepdf.Array()):
                _strip_comment_author(annotation, report)
        if "/ID" in pdf.trailer:
            # The first identifier is kept for the life of a file and its
            # copies: it would link the sealed copy to the witness's original.
            del pdf.trailer["/ID"]
        out = io.BytesIO()
        try:
            # A full rewrite: only objects reachable from the new trailer are
            # written, so old revisions and the removed objects are gone.
            pdf.save(out, deterministic_id=True)
        except pikepdf.PdfError:
            raise CannotClean("the PDF cannot be rewritten") from None
    return out.getvalue()


def _strip_pdf_metadata(obj: pikepdf.Object, report: CleanReport) -> None:
    """Remove metadata keys from ``obj`` and the direct objects nested in it.

    Indirect children are not followed: they are in ``pdf.objects`` already.
    """
    pending = [obj]
    while pending:
        current = pending.pop()
        if isinstance(current, pikepdf.Dictionary | pikepdf.Stream):
            for key in _PDF_METADATA_KEYS:
                if key in current:
                    del current[key]
                    report.note_removed("XMP and application metadata")
            children: Iterator[pikepdf.Object] = iter(current.values())
        elif isinstance(current, pikepdf.Array):
            children = iter(current)
        else:
            continue
        pending.extend(
            child for child in children
            if isinstance(child, pikepdf.Dictionary | pikepdf.Stream | pikepdf.Array)
            and not child.is_indirect
        )


def _strip_comment_author(annotation: pikepdf.Object, report: CleanReport) -> None:
    if not isinstance(annotation, pikepdf.Dictionary):
        return
    # A form field's /T is its name, needed to fill it in; on comments it is the author.
    if annotation.get("/Subtype") == pikepdf.Name.Widget:
        return
    for key in _PDF_COMMENT_KEYS:
        if key in annotation:
            del annotation[key]
            report.note_removed("comment authors and dates")


# ---------------------------------------------------------------- OOXML and ODF


def _clean_zip(
    data: bytes, kind: str, report: CleanReport, max_entries: int, max_uncompressed: int
) -> bytes:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise CannotClean("the document's zip structure cannot be read") from None
    with archive:
        entries = archive.infolist()
        _check_zip_limits(entries, max_entries, max_uncompressed)
        try:
            if kind == "ooxml":
                replacements = _ooxml_replacements(archive)
            else:
                replacements = _odf_replacements(archive, entries)
            for name, empty in replacements.items():
                if _read_small(archive, name, 16 * 1024 * 1024) != empty:
                    report.note_removed("document properties")
            if any(entry.date_time != _FIXED_ZIP_TIME or entry.extra or entry.comment
                   for entry in entries) or archive.comment:
                report.note_removed("zip entry times and comments")
            cleaned = _rewrite_zip(archive, entries, replacements, max_uncompressed)
        except CannotClean:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError):
            raise CannotClean("the document's zip entries cannot be read") from None
    return cleaned


def _check_zip_limits(
    entries: list[zipfile.ZipInfo], max_entries: int, max_uncompressed: int
) -> None:
    if len(entries) > max_entries:
        raise CannotClean("the document has too many parts")
    names = [entry.filename for entry in entries]
    if len(set(names)) != len(names):
        # Two parts of one name: which one a reader opens is up to the reader.
        raise CannotClean("the document has two parts of the same name")
    if sum(entry.file_size for entry in entries) > max_uncompressed:
        raise CannotClean("the document unpacks to more than the limit")
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise CannotClean("the document has encrypted parts")
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise CannotClean("the document uses an unusual zip compression")


def _read_small(archive: zipfile.ZipFile, name: str, limit: int = 1024 * 1024) -> bytes:
    if archive.getinfo(name).file_size > limit:
        raise CannotClean(f"the document's {name} part is implausibly large")
    return archive.read(name)


def _ooxml_replacements(archive: zipfile.ZipFile) -> dict[str, bytes]:
    names = set(archive.namelist())
    if "[Content_Types].xml" not in names:
        raise CannotClean("not an Office Open XML package")
    targets = {path: empty for empty, path in _OOXML_PROPERTY_PARTS.values()}
    if "_rels/.rels" in names:
        # The package relationships say where the property parts really are;
        # Office uses docProps/, other writers may not.
        for attributes in _RELATIONSHIP.findall(_read_small(archive, "_rels/.rels")):
            kind = _attribute(attributes, b"Type").rsplit("/", 1)[-1]
            target = _attribute(attributes, b"Target").lstrip("/").removeprefix("./")
            if kind in _OOXML_PROPERTY_PARTS and target:
                targets[target] = _OOXML_PROPERTY_PARTS[kind][0]
    return {name: empty for name, empty in targets.items() if name in names}


def _attribute(attributes: bytes, name: bytes) -> str:
    found = re.search(rb"\b" + name + rb"""\s*=\s*(["'])(.*?)\1""", attributes)
    return found.group(2).decode("utf-8", "replace") if found else ""


def _odf_replacements(
    archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]
) -> dict[str, bytes]:
    if not entries or entries[0].filename != "mimetype":
        raise CannotClean("not an OpenDocument package")
    if not _read_small(archive, "mimetype", 256).startswith(_ODF_MIMETYPE_PREFIX):
        raise CannotClean("not an OpenDocument package")
    if "meta.xml" not in archive.namelist():
        return {}
    version = _ODF_VERSION.search(_read_small(archive, "meta.xml", 16 * 1024 * 1024)[:4096])
    version_attribute = b' office:version="' + version.group(1) + b'"' if version else b""
    empty_meta = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        + version_attribute + b"><office:meta/></office:document-meta>"
    )
    return {"meta.xml": empty_meta}


def _rewrite_zip(
    archive: zipfile.ZipFile,
    entries: list[zipfile.ZipInfo],
    replacements: dict[str, bytes],
    max_uncompressed: int,
) -> bytes:
    out = io.BytesIO()
    unpacked = 0
    with zipfile.ZipFile(out, "w") as rewritten:
        for entry in entries:
            copy = zipfile.ZipInfo(entry.filename, date_time=_FIXED_ZIP_TIME)
            copy.compress_type = entry.compress_type
            if entry.filename in replacements:
                rewritten.writestr(copy, replacements[entry.filename])
                continue
            if entry.is_dir():
                rewritten.writestr(copy, b"")
                continue
            with archive.open(entry) as source, rewritten.open(copy, "w") as target:
                while piece := source.read(_COPY_PIECE):
                    # Declared sizes bound what zipfile unpacks; count anyway.
                    unpacked += len(piece)
                    if unpacked > max_uncompressed:
                        raise CannotClean("the document unpacks to more than the limit")
                    target.write(piece)
    return out.getvalue()
