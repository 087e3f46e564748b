"""Benchmark-only WSGI entry: the intake app with sealing swapped for a pass-through.

``bench/intake.py`` serves this with gunicorn (``--pythonpath bench
'_passthrough_app:create_app()'``) as the baseline against which the real,
sealed path (``'app:create_app()'``) is compared. The swap lives here and only
here: the product has no setting, flag or environment variable for it, so a
deployment cannot be talked into storing plaintext.

What is swapped is exactly the encryption the intake service performs:
``crypto.seal`` (narrative and sealed-fields objects), ``crypto.seal_stream``
(attachments) and ``crypto.CaseKey.wrap`` (the case key for each reader).
Everything else -- parsing, hashing, blob files with fsync, the SQL
transaction, templates -- runs unchanged, so the difference between the two
servers is the cost of sealing. Case-key generation (one X25519 key, a few
microseconds) is left in place because the case row needs a recipient.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from flask import Flask

import app.intake.service as intake_service
import crypto
from app import create_app as _product_create_app

# The multipart reader's chunk size: the natural unit of the pass-through copy.
_COPY_CHUNK = 64 * 1024


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class _Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


def _identity_seal(plaintext: bytes, recipients: Sequence[Any]) -> bytes:
    return bytes(plaintext)


def _copy_stream(source: _Readable, sink: _Writable, recipients: Sequence[Any]) -> None:
    while chunk := source.read(_COPY_CHUNK):
        sink.write(chunk)


def _identity_wrap(self: crypto.CaseKey, recipients: Sequence[Any]) -> bytes:
    return self.identity.to_age_identity_file()


# The service calls these through the module (``crypto.seal(...)``), so patching
# the module attributes reaches it. If it ever imported the names directly the
# patch would silently do nothing; bench/intake.py guards against that by
# checking that this server stored plaintext and the real one stored age files.
assert vars(intake_service)["crypto"] is crypto
crypto.seal = _identity_seal
crypto.seal_stream = _copy_stream
crypto.CaseKey.wrap = _identity_wrap  # type: ignore[method-assign]


def create_app() -> Flask:
    return _product_create_app()
