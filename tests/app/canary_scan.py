"""Scanning what a server could have written for a canary's plaintext."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def files_containing(root: Path, needle: bytes) -> list[str]:
    """Every file under ``root`` containing ``needle`` case-insensitively."""
    needle = needle.lower()
    hits = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        with path.open("rb") as handle:
            tail = b""
            while block := handle.read(1024 * 1024):
                window = (tail + block).lower()
                if needle in window:
                    hits.append(str(path.relative_to(root)))
                    break
                tail = window[-len(needle):]
    return hits


def scan(roots: Iterable[Path], needle: bytes) -> dict[str, list[str]]:
    """The files holding ``needle`` under each root (roots with none are left out).

    Checks the scanner first on a file it writes under the first root's
    parent, so a scan that finds nothing cannot be a scan that cannot find.
    """
    roots = list(roots)
    control = roots[0].parent / "canary-scan-control"
    control.mkdir(exist_ok=True)
    (control / "x.bin").write_bytes(b"\x00" * 5000 + needle.upper() + b"\x00")
    assert files_containing(control, needle) == ["x.bin"], "the scanner misses a canary"
    (control / "x.bin").unlink()
    return {str(root): hits for root in roots if (hits := files_containing(root, needle))}
