"""Sealing bytes and streams to a set of recipients as age v1 files."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import BinaryIO, Protocol

import pyrage

from crypto.errors import CryptoError
from crypto.identities import Identity, Recipient


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class _Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


def _recipients(recipients: Iterable[Recipient]) -> list[object]:
    natives = [r._native() for r in dict.fromkeys(recipients)]  # noqa: SLF001 - same package
    if not natives:
        # An age file with no recipient would be unreadable by anyone: a bug, not data.
        raise CryptoError("at least one recipient is required")
    return natives


def _identities(identities: Iterable[Identity]) -> list[object]:
    natives = [i._native() for i in identities]  # noqa: SLF001 - same package
    if not natives:
        raise CryptoError("at least one identity is required")
    return natives


def seal(plaintext: bytes, recipients: Sequence[Recipient]) -> bytes:
    """Encrypt ``plaintext`` so any one of ``recipients`` can open it."""
    try:
        return bytes(pyrage.encrypt(plaintext, _recipients(recipients)))
    except pyrage.EncryptError as exc:  # pragma: no cover - only on resource failure
        raise CryptoError("encryption failed") from exc


def open_sealed(ciphertext: bytes, identities: Sequence[Identity]) -> bytes:
    """Decrypt an age file; wrong key, tampering or truncation raise CryptoError."""
    try:
        return bytes(pyrage.decrypt(ciphertext, _identities(identities)))
    except (pyrage.DecryptError, ValueError, TypeError) as exc:
        raise CryptoError("cannot decrypt: wrong key, or ciphertext damaged") from exc


def seal_stream(source: BinaryIO | _Readable, sink: BinaryIO | _Writable,
                recipients: Sequence[Recipient]) -> None:
    """Encrypt from ``source`` to ``sink`` in age's 64 KiB chunks: constant memory.

    ``source`` needs ``read(n)``; ``sink`` needs ``write(b)``. The caller owns
    both and must discard ``sink`` if this raises.
    """
    try:
        pyrage.encrypt_io(source, sink, _recipients(recipients))
    except (pyrage.EncryptError, OSError, ValueError, TypeError) as exc:
        raise CryptoError("stream encryption failed") from exc


def open_stream(source: BinaryIO | _Readable, sink: BinaryIO | _Writable,
                identities: Sequence[Identity]) -> None:
    """Decrypt a stream. age authenticates chunk by chunk: on CryptoError the
    sink may hold an authenticated prefix and the caller must discard it."""
    try:
        pyrage.decrypt_io(source, sink, _identities(identities))
    except (pyrage.DecryptError, OSError, ValueError, TypeError) as exc:
        raise CryptoError("cannot decrypt stream: wrong key, or ciphertext damaged") from exc
