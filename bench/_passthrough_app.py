"""Benchmark-only WSGI entry: the intake app with sealing swapped for a pass-through.

``bench/intake.py`` serves this with gunicorn (``--pythonpath`` the repository
root, ``'bench._passthrough_app:create_app()'``) as the baseline against which the real,
sealed path (``'app:create_app()'``) is compared. The swap lives here and only
here: the product has no setting, flag or environment variable for it, so a
deployment cannot be talked into storing plaintext. It goes through the app
factory's ``intake_sealer`` parameter, the seam the intake service receives
its sealer by; nothing is patched.

What is swapped is exactly the encryption the intake service performs
(:class:`app.intake.sealing.Sealer`): ``seal`` (narrative and sealed-fields
objects), ``seal_stream`` (attachments) and ``wrap_case_key`` (the case key
for each reader). Everything else -- parsing, hashing, blob files with fsync,
the SQL transaction, templates -- runs unchanged, so the difference between
the two servers is the cost of sealing. Case-key generation (one X25519 key,
a few microseconds) is left in place because the case row needs a recipient.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask

import crypto
from app import create_app as _product_create_app
from app.intake.sealing import Readable, Writable

# The multipart reader's chunk size: the natural unit of the pass-through copy.
_COPY_CHUNK = 64 * 1024


class PassThroughSealer:
    """Stores plaintext: the baseline's stand-in for age, and nothing else."""

    def seal(self, plaintext: bytes, recipients: Sequence[crypto.Recipient]) -> bytes:
        return bytes(plaintext)

    def seal_stream(self, source: Readable, sink: Writable,
                    recipients: Sequence[crypto.Recipient]) -> None:
        while chunk := source.read(_COPY_CHUNK):
            sink.write(chunk)

    def wrap_case_key(self, case_key: crypto.CaseKey,
                      recipients: Sequence[crypto.Recipient]) -> bytes:
        return case_key.identity.to_age_identity_file()


def create_app() -> Flask:
    # bench/intake.py checks afterwards that this server stored plaintext and
    # the product stored age files, so a swap that did nothing would be caught.
    return _product_create_app(intake_sealer=PassThroughSealer())
