"""Document metadata (PDF info and XMP, Office and ODF properties) is removed, content kept.

Each fixture is a real document built here with a planted author name in
every kind of metadata; the tests first check the name is really there, so
they cannot pass on a fixture that never held it.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile

import pikepdf
import pytest

from app.intake.media.common import CleanReport
from app.intake.media.documents import clean_document, detect_document
from app.intake.media.errors import CannotClean

PLANTED = "Pak Yong-ho Moscow"
PLANTED_BYTES = PLANTED.encode()
SECOND_AUTHOR = "Second Revision Author"
XMP = (
    '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>{PLANTED}</dc:creator>'
    '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
).encode()
PAGE_CONTENT = b"BT /F1 12 Tf 20 100 Td (Testimony content stays) Tj ET"


# ---------------------------------------------------------------- PDF


def uncompressed(pdf_bytes: bytes) -> bytes:
    """The PDF re-saved with every stream decoded, so planted text is searchable."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        out = io.BytesIO()
        pdf.save(out, compress_streams=False,
                 stream_decode_level=pikepdf.StreamDecodeLevel.generalized,
                 object_stream_mode=pikepdf.ObjectStreamMode.disable)
        return out.getvalue()


def make_pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    pdf.add_blank_page(page_size=(200, 200))
    page = pdf.pages[0]
    page.obj.Contents = pdf.make_stream(PAGE_CONTENT)
    pdf.trailer.Info = pdf.make_indirect(pikepdf.Dictionary(
        Author=pikepdf.String(PLANTED), Title=pikepdf.String(PLANTED + " title"),
        Producer=pikepdf.String("Word for " + PLANTED)))
    pdf.Root.Metadata = pdf.make_stream(XMP, Type=pikepdf.Name.Metadata,
                                        Subtype=pikepdf.Name.XML)
    page.obj.Metadata = pdf.make_stream(XMP)
    image = pdf.make_stream(b"\xff\x00\x00", Type=pikepdf.Name.XObject,
                            Subtype=pikepdf.Name.Image, Width=1, Height=1,
                            ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8)
    image.Metadata = pdf.make_stream(XMP)
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    page.obj.PieceInfo = pikepdf.Dictionary(Illustrator=pikepdf.Dictionary(
        LastModified=pikepdf.String("D:20240501"), Private=pikepdf.String(PLANTED)))
    comment = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, Rect=[0, 0, 10, 10],
        T=pikepdf.String(PLANTED), Contents=pikepdf.String("a note"),
        M=pikepdf.String("D:20240501120000"))
    field = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, Rect=[0, 20, 50, 30],
        FT=pikepdf.Name.Tx, T=pikepdf.String("worker_name_field"))
    field = pdf.make_indirect(field)
    page.obj.Annots = pikepdf.Array([pdf.make_indirect(comment), field])
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]))
    out = io.BytesIO()
    pdf.save(out, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return out.getvalue()


def with_incremental_update(base: bytes) -> bytes:
    """Append a revision that points /Info at a new dictionary, as editors do.

    The first revision's /Info (with the planted author) stays in the file as
    an unreferenced object: only a full rewrite gets rid of it.
    """
    previous_xref = int(re.findall(rb"startxref\s+(\d+)", base)[-1])
    trailer = re.findall(rb"trailer\s*<<(.*?)>>\s*startxref", base, re.S)[-1]
    size = int(re.search(rb"/Size (\d+)", trailer).group(1))  # type: ignore[union-attr]
    root = re.search(rb"/Root (\d+ \d+ R)", trailer).group(1)  # type: ignore[union-attr]
    body = base if base.endswith(b"\n") else base + b"\n"
    new_object = f"{size} 0 obj\n<< /Author ({SECOND_AUTHOR}) >>\nendobj\n".encode()
    xref_at = len(body) + len(new_object)
    xref = (f"xref\n0 1\n0000000000 65535 f \n{size} 1\n{len(body):010d} 00000 n \n"
            f"trailer\n<< /Size {size + 1} /Root {root.decode()} /Info {size} 0 R "
            f"/Prev {previous_xref} >>\nstartxref\n{xref_at}\n%%EOF\n").encode()
    return body + new_object + xref


def test_pdf_fixture_really_holds_the_planted_metadata() -> None:
    original = with_incremental_update(make_pdf())
    assert original.count(PLANTED_BYTES) >= 6
    with pikepdf.open(io.BytesIO(original)) as pdf:
        assert str(pdf.docinfo["/Author"]) == SECOND_AUTHOR


def test_pdf_info_xmp_and_old_revisions_are_gone_and_pages_remain() -> None:
    original = with_incremental_update(make_pdf())
    report = CleanReport()
    cleaned = clean_document(original, "pdf", report)

    for text in (cleaned, uncompressed(cleaned)):
        assert PLANTED_BYTES not in text
        assert SECOND_AUTHOR.encode() not in text
        assert b"20240501" not in text
    with pikepdf.open(io.BytesIO(cleaned)) as pdf:
        assert len(pdf.pages) == 2
        assert "/Info" not in pdf.trailer
        assert "/Metadata" not in pdf.Root
        page = pdf.pages[0]
        assert page.obj.Contents.read_bytes() == PAGE_CONTENT
        assert page.obj.Resources.XObject.Im0.read_bytes() == b"\xff\x00\x00"
        assert "/Metadata" not in page.obj.Resources.XObject.Im0
        comment, field = page.obj.Annots
        assert str(comment.Contents) == "a note"
        assert str(field.T) == "worker_name_field"  # form field names are kept
    assert report.outcome == "removed"


def test_pdf_gets_a_new_file_identifier() -> None:
    original = make_pdf()
    cleaned = clean_document(original, "pdf")
    with pikepdf.open(io.BytesIO(original)) as before, pikepdf.open(io.BytesIO(cleaned)) as after:
        assert bytes(before.trailer.ID[0]) not in {bytes(part) for part in after.trailer.ID}


def test_pdf_without_metadata_reports_none_found() -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out)
    report = CleanReport()
    clean_document(out.getvalue(), "pdf", report)
    assert report.outcome == "none found"


@pytest.mark.parametrize("user_password", ["", "secret"])
def test_encrypted_pdf_is_refused(user_password: str) -> None:
    with pikepdf.open(io.BytesIO(make_pdf())) as pdf:
        out = io.BytesIO()
        pdf.save(out, encryption=pikepdf.Encryption(owner="owner", user=user_password))
    with pytest.raises(CannotClean, match="encrypted"):
        clean_document(out.getvalue(), "pdf")


def test_unreadable_pdf_is_refused() -> None:
    with pytest.raises(CannotClean):
        clean_document(b"%PDF-1.7\nthis is not a pdf at all", "pdf")


# ---------------------------------------------------------------- OOXML


CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
)


def rels(core: str = "docProps/core.xml") -> bytes:
    base = "http://schemas.openxmlformats.org"
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="'
        f'{base}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{base}/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/>'
        f'<Relationship Id="rId2" Type="{base}/package/2006/relationships/metadata/'
        f'core-properties" Target="{core}"/>'
        f"<Relationship Id='rId3' Type='{base}/officeDocument/2006/relationships/"
        "extended-properties' Target='docProps/app.xml'/>"
        f'<Relationship Id="rId4" Type="{base}/officeDocument/2006/relationships/'
        'custom-properties" Target="/docProps/custom.xml"/></Relationships>'
    ).encode()


CORE = (
    '<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.'
    'openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/'
    f'elements/1.1/"><dc:creator>{PLANTED}</dc:creator><cp:lastModifiedBy>{PLANTED}'
    "</cp:lastModifiedBy></cp:coreProperties>"
).encode()
APP = f"<Properties><Company>{PLANTED} Trading</Company><TotalTime>42</TotalTime></Properties>"
CUSTOM = f"<Properties><property name='Interviewer'><vt:lpwstr>{PLANTED}</vt:lpwstr></property>"
DOCUMENT = (
    b"<w:document><w:body><w:p><w:t>Wages withheld</w:t></w:p></w:body></w:document>")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def make_zip(entries: list[tuple[str, bytes, int]], comment: bytes = b"") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content, method in entries:
            info = zipfile.ZipInfo(name, date_time=(2024, 5, 1, 13, 45, 10))
            info.compress_type = method
            info.comment = PLANTED_BYTES
            archive.writestr(info, content)
        archive.comment = comment
    return out.getvalue()


def docx_entries(core_path: str = "docProps/core.xml") -> list[tuple[str, bytes, int]]:
    deflated, stored = zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED
    return [
        ("[Content_Types].xml", CONTENT_TYPES, deflated),
        ("_rels/.rels", rels(core_path), deflated),
        ("word/document.xml", DOCUMENT, deflated),
        ("word/media/image1.png", PNG, stored),
        (core_path, CORE, deflated),
        ("docProps/app.xml", APP.encode(), deflated),
        ("docProps/custom.xml", CUSTOM.encode(), deflated),
    ]


def entries_of(document: bytes) -> list[tuple[str, bytes, int]]:
    with zipfile.ZipFile(io.BytesIO(document)) as archive:
        return [(info.filename, archive.read(info), info.compress_type)
                for info in archive.infolist()]


def test_docx_fixture_really_holds_the_planted_author() -> None:
    assert any(PLANTED_BYTES in content for _, content, _ in entries_of(make_zip(docx_entries())))


def test_docx_properties_are_emptied_and_every_other_part_is_identical() -> None:
    original = make_zip(docx_entries(), comment=PLANTED_BYTES)
    report = CleanReport()
    cleaned = clean_document(original, "ooxml", report)

    before, after = entries_of(original), entries_of(cleaned)
    assert [name for name, _, _ in after] == [name for name, _, _ in before]
    property_parts = {"docProps/core.xml", "docProps/app.xml", "docProps/custom.xml"}
    for (name, old, method), (_, new, new_method) in zip(before, after, strict=True):
        assert new_method == method
        if name in property_parts:
            assert PLANTED_BYTES not in new
            assert new.startswith(b"<?xml")
        else:
            assert new == old
    assert PLANTED_BYTES not in cleaned
    assert report.outcome == "removed"


def test_docx_zip_times_and_comments_are_not_carried_over() -> None:
    cleaned = clean_document(make_zip(docx_entries(), comment=PLANTED_BYTES), "ooxml")
    with zipfile.ZipFile(io.BytesIO(cleaned)) as archive:
        assert archive.comment == b""
        for info in archive.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.comment == b""


def test_core_properties_at_a_path_named_only_in_the_relationships_are_emptied() -> None:
    original = make_zip(docx_entries(core_path="meta/props-1.xml"))
    cleaned = clean_document(original, "ooxml")
    assert dict((name, content) for name, content, _ in entries_of(cleaned))[
        "meta/props-1.xml"].count(PLANTED_BYTES) == 0


def test_zip_without_content_types_is_not_taken_for_ooxml() -> None:
    with pytest.raises(CannotClean):
        clean_document(make_zip([("word/document.xml", DOCUMENT, zipfile.ZIP_DEFLATED)]), "ooxml")


def test_zip_unpacking_past_the_limit_is_refused() -> None:
    bomb = make_zip([*docx_entries(), ("word/big.bin", bytes(200_000), zipfile.ZIP_DEFLATED)])
    assert len(bomb) < 10_000
    with pytest.raises(CannotClean, match="limit"):
        clean_document(bomb, "ooxml", max_uncompressed=100_000)


def test_zip_with_too_many_entries_is_refused() -> None:
    with pytest.raises(CannotClean, match="too many"):
        clean_document(make_zip(docx_entries()), "ooxml", max_entries=3)


def test_zip_with_two_parts_of_the_same_name_is_refused() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate it writes
        doubled = make_zip([*docx_entries(), ("docProps/core.xml", CORE, zipfile.ZIP_DEFLATED)])
    with pytest.raises(CannotClean, match="same name"):
        clean_document(doubled, "ooxml")


def test_zip_with_an_encrypted_part_is_refused() -> None:
    original = bytearray(make_zip(docx_entries()))
    central = original.index(b"PK\x01\x02")
    original[central + 8] |= 0x01  # general purpose flag: encrypted
    with pytest.raises(CannotClean, match="encrypted"):
        clean_document(bytes(original), "ooxml")


def test_document_over_the_size_limit_is_refused() -> None:
    with pytest.raises(CannotClean, match="too large"):
        clean_document(make_zip(docx_entries()), "ooxml", max_size=100)


def test_corrupt_zip_entry_is_refused() -> None:
    original = bytearray(make_zip(docx_entries()))
    at = original.index(b"word/document.xml") + len("word/document.xml") + 5
    original[at] ^= 0xFF  # damage the compressed document part
    with pytest.raises(CannotClean):
        clean_document(bytes(original), "ooxml")


# ---------------------------------------------------------------- ODF


ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
ODF_META = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-meta xmlns:office="urn:oasis:'
    'names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:'
    'xmlns:meta:1.0" office:version="1.3"><office:meta><meta:initial-creator>'
    f"{PLANTED}</meta:initial-creator><meta:creation-date>2024-05-01T13:45:10"
    "</meta:creation-date></office:meta></office:document-meta>"
).encode()


def make_odt() -> bytes:
    return make_zip([
        ("mimetype", ODT_MIMETYPE, zipfile.ZIP_STORED),
        ("content.xml", b"<office:document-content>Wages withheld</office:document-content>",
         zipfile.ZIP_DEFLATED),
        ("meta.xml", ODF_META, zipfile.ZIP_DEFLATED),
        ("META-INF/manifest.xml", b"<manifest:manifest/>", zipfile.ZIP_DEFLATED),
    ])


def test_odt_meta_is_emptied_and_the_package_still_reads_as_odf() -> None:
    original = make_odt()
    cleaned = clean_document(original, "odf")

    assert PLANTED_BYTES not in cleaned
    before, after = dict(entries_of(original)[i][:2] for i in range(4)), dict(
        entries_of(cleaned)[i][:2] for i in range(4))
    assert after["meta.xml"] == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta xmlns:office="urn:oasis:'
        b'names:tc:opendocument:xmlns:office:1.0" office:version="1.3"><office:meta/>'
        b"</office:document-meta>")
    for name in ("mimetype", "content.xml", "META-INF/manifest.xml"):
        assert after[name] == before[name]
    # ODF readers need the mimetype first and stored, readable at a fixed offset.
    assert cleaned[30:38] == b"mimetype"
    assert cleaned[38:38 + len(ODT_MIMETYPE)] == ODT_MIMETYPE
    assert detect_document(cleaned[:128]) == "odf"


def test_zip_whose_first_entry_is_not_mimetype_is_not_taken_for_odf() -> None:
    with pytest.raises(CannotClean):
        clean_document(make_zip(docx_entries()), "odf")


# ---------------------------------------------------------------- detection


def test_detect_document_names_each_format() -> None:
    assert detect_document(make_pdf()[:128]) == "pdf"
    assert detect_document(make_zip(docx_entries())[:128]) == "ooxml"
    assert detect_document(make_odt()[:128]) == "odf"


def test_detect_document_does_not_guess_on_other_zips_or_short_heads() -> None:
    epub = make_zip([("mimetype", b"application/epub+zip", zipfile.ZIP_STORED)])
    other = make_zip([("notes.txt", b"hello", zipfile.ZIP_DEFLATED)])
    assert detect_document(epub[:128]) is None
    assert detect_document(other[:128]) is None
    assert detect_document(make_zip(docx_entries())[:16]) is None
    assert detect_document(b"ID3\x04" + bytes(12)) is None


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(CannotClean):
        clean_document(b"plain text", "txt")
