"""Sealing bytes and streams to a set of recipients as age v1 files."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import BinaryIO, Protocol, TypeVar

import pyrage

from crypto.errors import CryptoError
from crypto.identities import Identity, Recipient


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class _Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


# What pyrage raises for bad keys, damaged input or I/O trouble inside a stream:
# its own errors, OSError for failures found mid-stream ("age file is
# truncated", "decryption error"), TypeError/ValueError for unusable arguments.
_PYRAGE_FAILURES = (pyrage.EncryptError, pyrage.DecryptError, OSError, ValueError, TypeError)


_T = TypeVar("_T")


def _only(values: object, kind: type[_T], what: str) -> list[_T]:
    """``values`` as a list if it is a list or tuple of ``kind``; CryptoError otherwise.

    A str, bytes or a single key is refused rather than iterated, and an Identity
    where a Recipient belongs (or the reverse) is refused before pyrage sees it.
    """
    if (not isinstance(values, Sequence) or isinstance(values, str | bytes)
            or not all(isinstance(v, kind) for v in values)):
        raise CryptoError(f"expected a list of {what}")
    return list(values)


def _bytes(value: object, what: str) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise CryptoError(f"{what} must be bytes")
    return bytes(value)


def _recipients(recipients: Iterable[Recipient]) -> list[object]:
    # Private access within the package is deliberate: natives never leave crypto/.
    natives = [r._native() for r in dict.fromkeys(_only(recipients, Recipient, "Recipients"))]
    if not natives:
        # An age file with no recipient would be unreadable by anyone: a bug, not data.
        raise CryptoError("at least one recipient is required")
    return natives


def _identities(identities: Iterable[Identity]) -> list[object]:
    natives = [i._native() for i in _only(identities, Identity, "Identities")]
    if not natives:
        raise CryptoError("at least one identity is required")
    return natives


class _Source:
    """Wraps the caller's ``source`` and remembers the exception its ``read`` raised.

    pyrage flattens such an exception into a string inside its own error (or, for
    KeyboardInterrupt, into an ordinary error); remembering the original lets
    :func:`_stream` chain it and let interrupts through.
    """

    def __init__(self, inner: BinaryIO | _Readable) -> None:
        self._inner = inner
        self.error: BaseException | None = None

    def read(self, size: int) -> bytes:
        try:
            return self._inner.read(size)
        except BaseException as exc:
            self.error = self.error or exc
            raise


class _Sink:
    """Wraps the caller's ``sink`` and remembers the first exception ``write`` raised.

    This is not cosmetic. pyrage writes through a Rust ``BufWriter`` that it never
    flushes explicitly: the last buffered bytes (for a file under ~8 KiB, the whole
    ciphertext) are written when the writer is dropped, and Rust ignores errors
    there. Without this record a sink that fails on that last write (disk full, a
    broken blob store) left a truncated or empty ciphertext and seal_stream
    returned normally. Some sink exceptions also escaped decrypt_io unconverted.
    After a failure, further writes are refused so the sink is not left with a
    hole followed by more data.
    """

    def __init__(self, inner: BinaryIO | _Writable) -> None:
        self._inner = inner
        self.error: BaseException | None = None

    def write(self, data: bytes) -> int:
        if self.error is not None:
            raise OSError("an earlier write to the sink failed")
        try:
            written = self._inner.write(data)
            # A count we cannot trust (None, or more than was given) must fail even
            # on the final write, where pyrage would not notice.
            if type(written) is not int or not 0 <= written <= len(data):
                raise OSError(f"sink.write() returned {written!r}, not a byte count")
        except BaseException as exc:
            self.error = exc
            raise
        return written


def _stream(run: Callable[[_Source, _Sink], None], source: BinaryIO | _Readable,
            sink: BinaryIO | _Writable, failure_message: str) -> None:
    guarded_source, guarded_sink = _Source(source), _Sink(sink)
    try:
        run(guarded_source, guarded_sink)
    except CryptoError:
        raise
    except Exception as exc:
        caller_error = guarded_source.error or guarded_sink.error
        if caller_error is None and not isinstance(exc, _PYRAGE_FAILURES):
            raise  # pragma: no cover - neither pyrage's failure nor the caller's: a bug
        _raise_for(guarded_source, guarded_sink, failure_message, exc)
    # pyrage may have swallowed a sink error during its final flush (see _Sink).
    _raise_for(guarded_source, guarded_sink, failure_message, None)


def _raise_for(source: _Source, sink: _Sink, failure_message: str,
               pyrage_error: BaseException | None) -> None:
    for caller_error, what in ((source.error, "reading the source failed"),
                               (sink.error, "writing the sink failed")):
        if caller_error is None:
            continue
        if not isinstance(caller_error, Exception):
            # KeyboardInterrupt, SystemExit: the caller asked to stop, not a crypto failure.
            raise caller_error
        raise CryptoError(what) from caller_error
    if pyrage_error is not None:
        raise CryptoError(failure_message) from pyrage_error


def seal(plaintext: bytes, recipients: Sequence[Recipient]) -> bytes:
    """Encrypt ``plaintext`` so any one of ``recipients`` can open it."""
    try:
        natives = _recipients(recipients)
        return bytes(pyrage.encrypt(_bytes(plaintext, "plaintext"), natives))
    except pyrage.EncryptError as exc:  # pragma: no cover - only on resource failure
        raise CryptoError("encryption failed") from exc


def open_sealed(ciphertext: bytes, identities: Sequence[Identity]) -> bytes:
    """Decrypt an age file; wrong key, tampering or truncation raise CryptoError."""
    try:
        natives = _identities(identities)
        return bytes(pyrage.decrypt(_bytes(ciphertext, "ciphertext"), natives))
    except (pyrage.DecryptError, ValueError, TypeError) as exc:
        raise CryptoError("cannot decrypt: wrong key, or ciphertext damaged") from exc


def seal_stream(source: BinaryIO | _Readable, sink: BinaryIO | _Writable,
                recipients: Sequence[Recipient]) -> None:
    """Encrypt from ``source`` to ``sink`` in age's 64 KiB chunks: constant memory.

    ``source`` needs ``read(n)``; ``sink`` needs ``write(b)`` returning the number
    of bytes written. The caller owns both and must discard ``sink`` if this
    raises (including when ``source`` or ``sink`` themselves failed).
    """
    natives = _recipients(recipients)
    _stream(lambda src, dst: pyrage.encrypt_io(src, dst, natives), source, sink,
            "stream encryption failed")


def open_stream(source: BinaryIO | _Readable, sink: BinaryIO | _Writable,
                identities: Sequence[Identity]) -> None:
    """Decrypt a stream. age authenticates chunk by chunk: on CryptoError the
    sink may hold an authenticated prefix and the caller must discard it."""
    natives = _identities(identities)
    _stream(lambda src, dst: pyrage.decrypt_io(src, dst, natives), source, sink,
            "cannot decrypt stream: wrong key, or ciphertext damaged")
