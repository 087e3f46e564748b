"""Test support for recovery shares: read a printed sheet back (its text with
poppler's pdftotext, its QR code with zxing-cpp), and recover as a person
would, with the stock ``ssss-combine`` and ``age`` binaries."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from stock_tools import require_tool

from app.models import Case, CaseKeyWrap, SealedKind, SealedObject, WrapPurpose

_SHARE_START = re.compile(r"^(\d+-[0-9a-f]+)$")
_SHARE_LENGTH = re.compile(r"(\d+) characters, starting")


def sheet_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, timeout=60).stdout.decode("utf-8")


def share_from_sheet(path: Path) -> str:
    """The share line as printed under "Your share" (wrapped over several lines)."""
    text = sheet_text(path)
    length = int(_SHARE_LENGTH.search(text).group(1))  # type: ignore[union-attr]
    lines = text.split("Your share", 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if _SHARE_START.match(line.strip()))
    share = ""
    for line in lines[start:]:
        share += line.strip()
        if len(share) >= length:
            break
    assert len(share) == length
    return share


def qr_codes_on_sheet(path: Path, tmp_path: Path) -> list[str]:
    """Every QR code on the sheet's page, rendered at 150 dpi as a printer would."""
    import zxingcpp
    from PIL import Image

    out = tmp_path / f"{path.stem}-scan"
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(path), str(out)],
                   check=True, timeout=60)
    with Image.open(f"{out}.png") as image:
        return [result.text for result in zxingcpp.read_barcodes(image.convert("L"))]


def sheets_in(directory: Path) -> list[Path]:
    return sorted(directory.iterdir(), key=lambda path: int(path.stem.split("-")[-3]))


# docs/recovery.md, step 2, as written there (ssss-combine prints the secret,
# and any warning such as "couldn't get memory lock", on standard error).
COMBINE = "umask 077; ssss-combine -t {k} -q 2>&1 | grep -x 'AGE-SECRET-KEY-1[0-9A-Z]*' > {key}"


def ssss_combine_into(shares: list[str], key_file: Path,
                      threshold: int | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run docs/recovery.md's combine line in a shell, the custodians' lines on
    standard input; the identity (if any) lands in ``key_file``."""
    require_tool("ssss-combine", "ssss")
    command = COMBINE.format(k=threshold or len(shares), key=shlex.quote(str(key_file)))
    # The exit status is grep's: 0 when an identity line came out.
    return subprocess.run(["sh", "-c", command],
                          input="".join(f"{share}\n" for share in shares).encode(),
                          capture_output=True, timeout=30, check=False)


def age_recipient_of(key_file: Path) -> str:
    return subprocess.run([require_tool("age-keygen", "age"), "-y", str(key_file)],
                          check=True, capture_output=True, text=True, timeout=30).stdout.strip()


def age_open_narrative(db: Session, case: Case, key_file: Path, tmp_path: Path) -> str:
    """The two ``age -d`` steps of docs/recovery.md: the case's recovery wrap,
    then its narrative."""
    age = require_tool("age", "age")
    wrap = db.scalars(select(CaseKeyWrap).where(
        CaseKeyWrap.case_id == case.id, CaseKeyWrap.purpose == WrapPurpose.RECOVERY)).one()
    narrative = db.scalars(select(SealedObject).where(
        SealedObject.case_id == case.id, SealedObject.kind == SealedKind.NARRATIVE)).one()
    work = tmp_path / f"open-{case.public_id}"
    work.mkdir(exist_ok=True)
    (work / "wrap.age").write_bytes(wrap.wrapped_key)
    assert narrative.inline_ciphertext is not None
    (work / "narrative.age").write_bytes(narrative.inline_ciphertext)
    (work / "case.key").unlink(missing_ok=True)
    subprocess.run([age, "-d", "-i", str(key_file), "-o", str(work / "case.key"),
                    str(work / "wrap.age")], check=True, capture_output=True, timeout=30)
    return subprocess.run([age, "-d", "-i", str(work / "case.key"), str(work / "narrative.age")],
                          check=True, capture_output=True, timeout=30).stdout.decode()
