"""The shred list: the public ids of crypto-shredded cases, kept in a file
outside the database.

Deleting a case removes its rows and blobs in one transaction, but a backup
taken before the deletion still holds them. Restoring that backup must not
bring the case back, so every shredding is also appended here (after the
deleting transaction commits) and ``backup restore`` deletes every listed case
again before the restored instance serves a request. The file holds ids and
times only: nothing that identifies a person.

One JSON object per line: ``{"case": "<public id>", "organisation": "<slug>",
"shredded_at": "<ISO 8601 UTC>"}``. Lines are appended with ``O_APPEND`` and
fsynced; a torn last line (a crash mid-write) is ignored on reading.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.storage import make_private_dirs


@dataclass(frozen=True)
class ShredEntry:
    case: str
    organisation: str
    shredded_at: datetime


def append(path: str | os.PathLike[str], entries: Iterable[ShredEntry]) -> None:
    """Add ``entries`` to the list at ``path`` (created 0600 if missing) and
    fsync it: the caller has already committed the deletion."""
    lines = b"".join(
        json.dumps({"case": entry.case, "organisation": entry.organisation,
                    "shredded_at": entry.shredded_at.isoformat()},
                   sort_keys=True).encode("ascii") + b"\n"
        for entry in entries)
    if not lines:
        return
    target = Path(path)
    make_private_dirs(target.parent)
    descriptor = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, lines)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read(path: str | os.PathLike[str]) -> list[ShredEntry]:
    """Every entry in the list; an absent file is an empty list."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return []
    entries = []
    for line in raw.splitlines():
        try:
            record = json.loads(line)
            entries.append(ShredEntry(case=str(record["case"]),
                                      organisation=str(record["organisation"]),
                                      shredded_at=datetime.fromisoformat(record["shredded_at"])))
        except (ValueError, KeyError, TypeError):
            continue  # a line torn by a crash mid-append: the rest still count
    return entries
