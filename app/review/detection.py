"""The detector of this worker process: built and warmed once, at first use.

Loading the Korean and Russian models costs seconds and hundreds of MB, so
no request builds a Detector; every request of the process shares this one
(``Detector.detect`` keeps no per-call state).
"""

from __future__ import annotations

import threading
import time

from app.redaction.detector import Detector, default_detector

_lock = threading.Lock()
_warmed_in: float | None = None


def detector() -> Detector:
    """The process's detector, warmed (models loaded) on the first call."""
    global _warmed_in
    instance = default_detector()
    if _warmed_in is None:
        with _lock:
            if _warmed_in is None:
                started = time.perf_counter()
                instance.warm()
                _warmed_in = time.perf_counter() - started
    return instance


def warm_seconds() -> float | None:
    """How long warming took in this process (None before the first use)."""
    return _warmed_in
