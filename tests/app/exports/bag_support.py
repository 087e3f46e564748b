"""A small signed bag, and the recipient's stock-tool check of it."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from app.exports.bag import BagWriter
from crypto.minisign import MinisignSecretKey, public_key_text

INFO = {
    "Source-Organization": "Example NGO (서울)",
    "Bagging-Date": "2026-11-30",
    "Witnessbox-Purpose": "submission to a UN commission of inquiry",
    "Witnessbox-Scope": "cases filed 2024-01-01 to 2026-06-30, redacted",
    "Witnessbox-Cases-Included": "3",
    "Witnessbox-Cases-Excluded-No-Consent": "1",
    "Witnessbox-Software-Version": "0.1.0",
    "Witnessbox-Export-Time": "2026-11-30T12:00:00Z",
}
PAYLOAD = {
    "report.pdf": [b"%PDF-1.7\n", b"\x00\xff" * 3000, b"%%EOF\n"],
    "cases.json": ['[{"case": "WB-0001", "site": "공사장"}]\n'.encode()],
    "tables/statistics.csv": [b"country,cases\r\nRU,2\r\nCN,1\r\n"],
}
TRUSTED_COMMENT = "witnessbox export 7\tscope:3 cases\tmade:2026-11-30T12:00:00Z"
# Every file a finished bag holds: the tamper tests run over this list.
BAG_FILES = sorted([
    "bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt",
    "tagmanifest-sha256.txt.minisig", "export-key.pub",
    *(f"data/{name}" for name in PAYLOAD),
])


def build_bag(directory: Path, key: MinisignSecretKey,
              order: list[str] | None = None) -> Path:
    writer = BagWriter(directory, INFO)
    for name in order or list(PAYLOAD):
        writer.add_file(name, iter(PAYLOAD[name]))
    writer.finish(key, TRUSTED_COMMENT)
    return directory


def files_of(bag: Path) -> list[str]:
    return sorted(path.relative_to(bag).as_posix() for path in bag.rglob("*")
                  if path.is_file())


@dataclass(frozen=True)
class ChainResult:
    """Which step of the recipient's check failed first (None: all passed)."""

    failed_step: str | None
    output: str


def recipient_chain(minisign: str, bag: Path, public_key_file: Path) -> ChainResult:
    """What the documentation tells a recipient to run, from the bag's root:
    minisign -Vm tagmanifest-sha256.txt -p KEY && sha256sum -c tagmanifest...
    && sha256sum -c manifest-sha256.txt."""
    sha256sum = shutil.which("sha256sum") or "sha256sum"
    steps = [
        ("minisign", [minisign, "-Vm", "tagmanifest-sha256.txt", "-p", str(public_key_file)]),
        ("tagmanifest", [sha256sum, "-c", "--strict", "tagmanifest-sha256.txt"]),
        ("manifest", [sha256sum, "-c", "--strict", "manifest-sha256.txt"]),
    ]
    output = []
    for name, command in steps:
        done = subprocess.run(command, cwd=bag, capture_output=True, text=True, timeout=60,
                              check=False)
        output.append(done.stdout + done.stderr)
        if done.returncode != 0:
            return ChainResult(name, "".join(output))
    return ChainResult(None, "".join(output))


def out_of_band_key(directory: Path, key: MinisignSecretKey) -> Path:
    """The public key as a recipient would get it: apart from the bundle."""
    path = directory / "organisation-export-key.pub"
    path.write_text(public_key_text(key))
    return path
