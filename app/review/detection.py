"""The detector of this worker process: built and warmed once, at first use,
and a small in-memory cache of its answers.

Loading the Korean and Russian models costs seconds and hundreds of MB, so
no request builds a Detector; every request of the process shares this one
(``Detector.detect`` keeps no per-call state).

Every editor request and every decision rebuilds the layer from the
detector's spans, and the texts of a case do not change, so the spans of the
last texts seen are kept in this process's memory. The cache holds offsets
and categories only, never text, keyed by an HMAC of the text under a key
made at random when the process starts and never stored: the keys cannot be
checked against a guessed name, even by someone reading the process memory
without that key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict

from app.redaction.detector import Detector, default_detector
from app.redaction.spans import Span

CACHE_TEXTS = 256

_lock = threading.Lock()
_warmed_in: float | None = None
_cache_key = secrets.token_bytes(32)
_cache: OrderedDict[bytes, tuple[Span, ...]] = OrderedDict()


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


def spans(text: str) -> list[Span]:
    """The detector's spans of ``text``, from the cache when it saw the text lately."""
    key = hmac.new(_cache_key, text.encode("utf-8"), hashlib.sha256).digest()
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return list(hit)
    found = tuple(detector().detect(text))
    with _lock:
        _cache[key] = found
        while len(_cache) > CACHE_TEXTS:
            _cache.popitem(last=False)
    return list(found)


def clear_cache() -> None:
    """Forget every cached answer (the benchmark times the detector this way)."""
    with _lock:
        _cache.clear()
