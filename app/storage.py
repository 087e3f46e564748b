"""The blob store: ciphertext files on disk, never plaintext.

Attachments are sealed while they stream in, straight into their final file,
which is created exclusively with owner-only permissions. A failed submission
deletes its files; `witnessbox blobs gc` removes any a crash left behind.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def make_private_dirs(path: Path) -> None:
    """``mkdir -p`` where every directory made is 0700: ``Path.mkdir(parents=True)``
    gives the intermediate ones the umask's mode (often 0755). Directories
    that already exist are left as they are (they may not be ours)."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=0o700)
        except FileExistsError:  # another worker made it first
            continue
        directory.chmod(0o700)  # the umask may have taken bits from mode


class HashingWriter:
    """Counts and hashes what passes to the underlying file."""

    def __init__(self, sink: BinaryIO) -> None:
        self._sink = sink
        self._digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self._digest.update(data)
        self.size += len(data)
        return self._sink.write(data)

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()


class BlobStore:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    @staticmethod
    def object_path(organisation_id: int, case_id: str, object_id: str) -> str:
        """Where a case's sealed object lives, relative to the store: one
        directory per organisation, then one per case."""
        return f"{organisation_id}/{case_id}/{object_id}.age"

    def _resolve(self, relative: str) -> Path:
        path = (self.root / relative).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError("blob path escapes the store")
        return path

    @contextmanager
    def create(self, relative: str) -> Iterator[HashingWriter]:
        """Create a new blob; on any exception the partial file is removed."""
        path = self._resolve(relative)
        make_private_dirs(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                writer = HashingWriter(handle)
                yield writer
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise

    def open(self, relative: str) -> BinaryIO:
        return self._resolve(relative).open("rb")

    def delete(self, relative: str) -> None:
        self._resolve(relative).unlink(missing_ok=True)

    def exists(self, relative: str) -> bool:
        return self._resolve(relative).exists()

    def modified_at(self, relative: str) -> float:
        return self._resolve(relative).stat().st_mtime

    def walk(self) -> Iterator[str]:
        """Every blob's relative path."""
        if not self.root.exists():
            return
        for path in self.root.rglob("*.age"):
            yield path.relative_to(self.root).as_posix()
