"""Printable share sheets: one PDF per custodian, written 0600 into a new directory.

Each sheet carries exactly one share (its text and a QR code of it), what it
is, how to keep it, how the custodians recover with ``ssss-combine`` and
``age``, and whom to contact. Sheets are files for the operator to print and
delete; nothing of them is stored in the database.

Rendered with the export's WeasyPrint set-up (app.exports.pdf): tagged PDF,
and a fetcher that serves the QR code and nothing else.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import jinja2
import segno

import crypto
from app.exports.pdf import RESOURCE_SCHEME, EmbeddedResource, html_to_pdf
from crypto import ssss
from crypto.ssss import Share

_TEMPLATES = Path(__file__).parent / "templates"
_QR_URL = f"{RESOURCE_SCHEME}:share-qr.svg"
# The share printed in groups of this many characters a line: easier to read
# out and type than one 150-character line.
_LINE = 38


@dataclass(frozen=True)
class ShareSheet:
    organisation: str
    slug: str
    recipient: str
    index: int
    custodians: int
    threshold: int
    share: Share = field(repr=False)
    contact: str | None
    issued_at: datetime

    @property
    def filename(self) -> str:
        return f"recovery-share-{self.slug}-{self.index}-of-{self.custodians}.pdf"


def sheets_for(shares: Sequence[Share], *, organisation: str, slug: str, recipient: str,
               threshold: int, contact: str | None, issued_at: datetime) -> list[ShareSheet]:
    return [ShareSheet(organisation, slug, recipient, share.index, len(shares), threshold,
                       share, contact, issued_at) for share in shares]


def qr_code(share: Share) -> segno.QRCode:
    """The QR code of the share's line, as ``ssss-combine`` reads it."""
    return segno.make(share.text, error="m", micro=False)


def render_sheet(sheet: ShareSheet) -> bytes:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=True,
        undefined=jinja2.StrictUndefined)
    text = sheet.share.text
    html = environment.get_template("share_sheet.html").render(
        sheet=sheet, share_lines=[text[i:i + _LINE] for i in range(0, len(text), _LINE)],
        share_length=len(text), share_start=text[:6], qr_url=_QR_URL,
        issued_date=f"{sheet.issued_at:%Y-%m-%d}", issued_w3c=sheet.issued_at.isoformat())
    svg = qr_code(sheet.share).svg_inline(scale=4, border=4).encode("utf-8")
    return html_to_pdf(html, {_QR_URL: EmbeddedResource(svg, "image/svg+xml")}).pdf


def make_sheet_directory(path: Path) -> None:
    """Create ``path`` (0700); refuse an existing one: sheets never mix with older files."""
    os.mkdir(path, 0o700)
    os.chmod(path, 0o700)  # whatever the umask


def write_sheets(directory: Path, sheets: Sequence[ShareSheet]) -> list[Path]:
    """Render and write every sheet (0600, never overwriting, on disk before returning)."""
    written: list[Path] = []
    try:
        for sheet in sheets:
            pdf = render_sheet(sheet)
            path = directory / sheet.filename
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            written.append(path)
            with os.fdopen(fd, "wb") as handle:
                handle.write(pdf)
                handle.flush()
                os.fsync(handle.fileno())
        directory_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(directory_fd)
        finally:
            os.close(directory_fd)
    except BaseException:
        remove_sheets(written)
        raise
    return written


def remove_sheets(paths: Sequence[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


# More custodians than this is not a plan a small organisation can keep.
MAX_CUSTODIANS = 20


def issue_sheets(directory: Path, identity: crypto.Identity, *, organisation: str, slug: str,
                 custodians: int, threshold: int, contact: str | None,
                 issued_at: datetime) -> list[Path]:
    """Split ``identity`` into shares and write one sheet per custodian into
    ``directory`` (which must exist, empty). Before anything is written, the
    shares are combined back (the first ``threshold`` and the last) and must
    give the identity: a sheet set that cannot recover is never issued."""
    shares = ssss.split_identity(identity, threshold, custodians)
    for subset in (shares[:threshold], shares[-threshold:]):
        if ssss.combine_identity(subset).recipient != identity.recipient:
            raise crypto.CryptoError("the shares do not combine back to the identity")
    return write_sheets(directory, sheets_for(
        shares, organisation=organisation, slug=slug, recipient=str(identity.recipient),
        threshold=threshold, contact=contact, issued_at=issued_at))
