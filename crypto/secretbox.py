"""Symmetric authenticated encryption for small server-side secrets.

Used where age's public-key envelope is the wrong tool: TOTP secrets sealed
under a key derived from the server secret, and an unlocked identity sealed
under a random key that lives only in the member's cookie. ChaCha20-Poly1305
with a random 96-bit nonce per message; the key is derived with HKDF-SHA256
for one stated purpose, so keys for different purposes never coincide.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crypto.errors import CryptoError

_NONCE_BYTES = 12
_VERSION = b"\x01"
_KEY_BYTES = 32
MIN_KEY_MATERIAL = 32


def _check_bytes(value: object, what: str) -> bytes:
    if not isinstance(value, bytes):
        raise CryptoError(f"{what} must be bytes")
    return value


@dataclass(frozen=True)
class SecretBox:
    _key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        # Checked at construction: a short key used to pass here and fail at
        # first use with cryptography's ValueError.
        if not isinstance(self._key, bytes) or len(self._key) != _KEY_BYTES:
            raise CryptoError(f"a SecretBox key has {_KEY_BYTES} bytes")

    @classmethod
    def derive(cls, key_material: bytes, purpose: str) -> SecretBox:
        """A box for one ``purpose`` from at least 32 bytes of secret material."""
        if not isinstance(key_material, bytes) or not isinstance(purpose, str) or not purpose:
            raise CryptoError("key material is bytes and a purpose is non-empty text")
        if len(key_material) < MIN_KEY_MATERIAL:
            raise CryptoError(f"key material must have at least {MIN_KEY_MATERIAL} bytes")
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=f"witnessbox/{purpose}".encode()).derive(key_material)
        return cls(key)

    @staticmethod
    def random_key() -> bytes:
        return os.urandom(32)

    def seal(self, plaintext: bytes, context: bytes = b"") -> bytes:
        """Encrypt; ``context`` (e.g. a user id) is authenticated, not stored."""
        plaintext, context = _check_bytes(plaintext, "plaintext"), _check_bytes(context, "context")
        nonce = os.urandom(_NONCE_BYTES)
        return _VERSION + nonce + ChaCha20Poly1305(self._key).encrypt(
            nonce, plaintext, _VERSION + context)

    def open(self, sealed: bytes, context: bytes = b"") -> bytes:
        sealed, context = _check_bytes(sealed, "sealed"), _check_bytes(context, "context")
        if len(sealed) < 1 + _NONCE_BYTES + 16 or sealed[:1] != _VERSION:
            raise CryptoError("not a sealed secret")
        nonce, body = sealed[1:1 + _NONCE_BYTES], sealed[1 + _NONCE_BYTES:]
        try:
            return ChaCha20Poly1305(self._key).decrypt(nonce, body, _VERSION + context)
        except InvalidTag as exc:
            raise CryptoError("wrong key, wrong context, or tampered secret") from exc
