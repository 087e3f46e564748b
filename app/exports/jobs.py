"""Building an export in the background (app.jobs): progress and failure on the row.

The identity was opened by the request that asked for the export and is
handed to the job in memory only (see app.jobs for why there is no queue).
The build is one unit of work; each progress note is a small unit of its
own, so that other workers' pages see it move. A build that raises is
recorded as failed (by exception type only, never a message that could
quote content) and leaves nothing behind: the builder removes its working
directory whatever happens.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from flask import current_app

import crypto
from app.config import Settings
from app.db import new_session
from app.exports import service
from app.models import Export, ExportStatus, Membership
from app.storage import BlobStore
from app.unit_of_work import unit_of_work

log = logging.getLogger(__name__)
# Progress is written at most this often (seconds).
PROGRESS_EVERY = 1.0


def _progress(export_id: int) -> Callable[[int, int], None]:
    last = 0.0

    def note(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last < PROGRESS_EVERY and done < total:
            return
        last = now
        with new_session() as session, unit_of_work(session):
            service.note_progress(session, export_id, done)
    return note


def run_build(export_id: int, identity: crypto.Identity) -> None:
    settings: Settings = current_app.config["WITNESSBOX"]
    with new_session() as session:
        try:
            with unit_of_work(session):
                export = session.get(Export, export_id)
                if export is None or export.status is not ExportStatus.BUILDING:
                    return
                admin = session.get(Membership, export.created_by_membership_id)
                if admin is None:
                    service.fail(session, export, "the admin who asked for it is gone")
                    return
                service.build(session, admin, identity, BlobStore(settings.blob_dir), export,
                              export_dir=Path(settings.export_dir),
                              key_dir=Path(settings.export_key_dir),
                              progress=_progress(export_id))
        except Exception as exc:
            log.error("export %s failed to build: %s", export_id, type(exc).__name__)
            with unit_of_work(session):
                export = session.get(Export, export_id)
                if export is not None and export.status is ExportStatus.BUILDING:
                    service.fail(session, export, f"the build failed ({type(exc).__name__}); "
                                                  "nothing was kept")
