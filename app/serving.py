"""gunicorn settings for Witnessbox's workers: ``gunicorn -c python:app.serving``.

The detector's Korean, Russian and learned models take seconds and hundreds
of MB to load. Without this, the first reviewer to open the redaction editor
on each worker waits for them; here every worker loads them once, right
after it forks and before it accepts a request. (Loading them in the master
and forking, ``preload_app``, would share the memory, but kiwipiepy's and
natasha's state is not known to survive a fork.)

Only the time it took is logged: never text.
"""

from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    """gunicorn's hook: runs in each new worker before its first request."""
    # Imported here, in the worker: the master only reads these settings.
    from app.review import detection

    detection.detector()
    worker.log.info("detector warmed in %.1f s", detection.warm_seconds() or 0.0)
