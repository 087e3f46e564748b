"""What an intake submission needs from cryptography, as one small seam.

:class:`IntakeSubmission <app.intake.service.IntakeSubmission>` receives a
:class:`Sealer` instead of calling :mod:`crypto` itself, so the sealing it
performs is visible in one place and can be swapped by code that builds the
app on purpose (the benchmark's pass-through baseline), never by a setting.
The product always uses :data:`AGE_SEALER`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import crypto


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


class Sealer(Protocol):
    def seal(self, plaintext: bytes, recipients: Sequence[crypto.Recipient]) -> bytes:
        """Encrypt a small object (narrative, sealed fields) in memory."""
        ...

    def seal_stream(self, source: Readable, sink: Writable,
                    recipients: Sequence[crypto.Recipient]) -> None:
        """Encrypt an attachment from ``source`` to ``sink`` in constant memory.
        On failure the caller discards ``sink``."""
        ...

    def wrap_case_key(self, case_key: crypto.CaseKey,
                      recipients: Sequence[crypto.Recipient]) -> bytes:
        """The case key, encrypted so that ``recipients`` can recover it."""
        ...


class AgeSealer:
    """The real thing: age v1 files through :mod:`crypto`."""

    def seal(self, plaintext: bytes, recipients: Sequence[crypto.Recipient]) -> bytes:
        return crypto.seal(plaintext, recipients)

    def seal_stream(self, source: Readable, sink: Writable,
                    recipients: Sequence[crypto.Recipient]) -> None:
        crypto.seal_stream(source, sink, recipients)

    def wrap_case_key(self, case_key: crypto.CaseKey,
                      recipients: Sequence[crypto.Recipient]) -> bytes:
        return case_key.wrap(recipients)


AGE_SEALER: Sealer = AgeSealer()
