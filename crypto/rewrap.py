"""Re-wrapping many case keys from one identity to another recipient, in parallel.

Used when a member's key is replaced: every case key wrapped to the old
identity is unwrapped and wrapped again to the new recipient. Each key costs
an X25519 unwrap and wrap in pyrage, which holds the GIL, so threads would run
one at a time; the work goes to a pool of processes instead, in chunks so
that each task carries many keys.

The identity reaches the workers once, as age key-file text through the pool
initializer (a pipe to the child, never a log or the command line), and is
parsed there. ``spawn`` rather than ``fork``: a fork copies a web worker's
whole memory, other threads' locks included, into the children.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from crypto.case_keys import CaseKey
from crypto.errors import CryptoError
from crypto.identities import Identity, Recipient, parse_identity, parse_recipient

# Tasks per worker process: more than one evens out uneven chunks, few enough
# that the per-task pickling stays negligible.
_TASKS_PER_PROCESS = 4

# Set in each worker by _start_worker; None in the parent.
_worker_keys: tuple[Identity, Recipient] | None = None


def _rewrap_one(index: int, wrapped: bytes, identity: Identity, recipient: Recipient) -> bytes:
    try:
        case_key = CaseKey.unwrap(wrapped, [identity])
    except CryptoError:
        # The index only: never the wrap, the key or why pyrage refused it.
        raise CryptoError(f"wrap {index} does not open with the given identity") from None
    return case_key.wrap([recipient])


def _rewrap_chunk(start: int, chunk: Sequence[bytes], identity: Identity,
                  recipient: Recipient) -> list[bytes]:
    return [_rewrap_one(start + offset, wrapped, identity, recipient)
            for offset, wrapped in enumerate(chunk)]


def _start_worker(key_file: bytes, recipient_text: str) -> None:
    global _worker_keys
    _worker_keys = (parse_identity(key_file), parse_recipient(recipient_text))


def _worker_chunk(start: int, chunk: list[bytes]) -> list[bytes]:
    assert _worker_keys is not None, "worker started without _start_worker"
    return _rewrap_chunk(start, chunk, *_worker_keys)


def rewrap(wrapped: Sequence[bytes], identity: Identity, recipient: Recipient,
           processes: int | None = None) -> list[bytes]:
    """Each wrap in ``wrapped`` opened with ``identity`` and wrapped to ``recipient``.

    The result is in the order of ``wrapped``. ``processes`` defaults to the
    machine's core count; 1 (or a single wrap) runs in this process without a
    pool. A wrap that does not open raises :class:`CryptoError` naming its
    index (the lowest such index); nothing is returned then.
    """
    if (not isinstance(wrapped, Sequence) or isinstance(wrapped, str | bytes)
            or not all(isinstance(w, bytes) for w in wrapped)):
        raise CryptoError("expected a list of wraps (bytes)")
    if not isinstance(identity, Identity):
        raise CryptoError("expected an Identity")
    if not isinstance(recipient, Recipient):
        raise CryptoError("expected a Recipient")
    if processes is None:
        processes = os.cpu_count() or 1
    if not isinstance(processes, int) or processes < 1:
        raise ValueError("processes must be a positive integer")
    items = list(wrapped)
    processes = min(processes, len(items))
    if processes <= 1:
        return _rewrap_chunk(0, items, identity, recipient)

    chunk_size = -(-len(items) // (processes * _TASKS_PER_PROCESS))
    starts = range(0, len(items), chunk_size)
    with ProcessPoolExecutor(
            max_workers=processes, mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(identity.to_age_identity_file(), recipient.text)) as pool:
        futures: list[Future[list[bytes]]] = [
            pool.submit(_worker_chunk, start, items[start:start + chunk_size])
            for start in starts]
        results: list[bytes] = []
        for future in futures:  # in submission order: the first failure has the lowest index
            try:
                results.extend(future.result())
            except CryptoError as exc:
                pool.shutdown(cancel_futures=True)
                # A fresh error: the worker's traceback text stays behind.
                raise CryptoError(str(exc)) from None
    return results
