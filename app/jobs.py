"""Background work for the web: a thread pool in each web worker process.

Why not a job queue (huey, RQ) in Redis or PostgreSQL? The work that takes
long here, building an export, decrypts every included case, so it needs
the admin's unlocked identity. That identity can only be opened with the
key K from the admin's session cookie, and K never reaches the server's
storage (brief, decision 5): a job serialised into a queue would have to
carry K or the identity itself. So the job runs in the process that holds
the identity for the request, in a thread of its own (concurrent.futures),
and writes its progress to the database, where any worker's page reads it.
If the process dies mid-build the export is marked failed when its
progress stops moving (app.exports.service.STALE_AFTER); nothing half-built
is kept either way.

With ``background_jobs`` off (tests, and the CLI, which shows its own
progress bar) a job runs at once in the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from flask import Flask

from app.config import Settings

EXTENSION = "witnessbox.jobs"
log = logging.getLogger(__name__)


class Jobs:
    def __init__(self, app: Flask, background: bool, workers: int = 1) -> None:
        self.app = app
        self.background = background
        # One build at a time per process: each holds a worker's CPU for minutes.
        self._pool = (ThreadPoolExecutor(max_workers=workers, thread_name_prefix="witnessbox-job")
                      if background else None)

    def submit(self, run: Callable[..., None], *args: Any) -> Future[None] | None:
        """Run ``run(*args)`` inside the app's context, now or in the background."""
        def in_context() -> None:
            with self.app.app_context():
                try:
                    run(*args)
                except Exception as exc:  # the job records its own failure; never lost silently
                    log.error("background job %s failed: %s", run.__name__, type(exc).__name__)
                    raise
        if self._pool is None:
            in_context()
            return None
        return self._pool.submit(in_context)


def init_app(app: Flask, settings: Settings) -> None:
    app.extensions[EXTENSION] = Jobs(app, settings.background_jobs)


def jobs(app: Flask) -> Jobs:
    found: Jobs = app.extensions[EXTENSION]
    return found
