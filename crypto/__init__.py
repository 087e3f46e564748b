"""Witnessbox's cryptographic boundary: age v1 envelopes through pyrage.

Nothing here knows about Flask or SQLAlchemy. The API is deliberately small and
modelled on Fernet: keys and nonces are made inside, callers pass recipients and
identities around as opaque values, and every failure is one exception type,
:class:`CryptoError`, so a caller cannot mistake garbage for plaintext.

Everything produced here is a standard age v1 file, readable with the stock
``age`` command-line tool (see docs/recovery.md).
"""

from crypto.case_keys import CaseKey
from crypto.envelope import open_sealed, open_stream, seal, seal_stream
from crypto.errors import CryptoError
from crypto.identities import (
    Identity,
    Recipient,
    generate_identity,
    parse_identity,
    parse_recipient,
    protect_identity,
    unprotect_identity,
)
from crypto.secretbox import SecretBox
from crypto.signing import SigningKey, VerifyKey
from crypto.streams import DecryptingReader

__all__ = [
    "CaseKey",
    "CryptoError",
    "DecryptingReader",
    "Identity",
    "Recipient",
    "SecretBox",
    "SigningKey",
    "VerifyKey",
    "generate_identity",
    "open_sealed",
    "open_stream",
    "parse_identity",
    "parse_recipient",
    "protect_identity",
    "seal",
    "seal_stream",
    "unprotect_identity",
]
