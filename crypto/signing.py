"""Ed25519 signatures (export manifests, audit checkpoints) via cryptography."""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from crypto.errors import CryptoError


@dataclass(frozen=True)
class VerifyKey:
    """A public Ed25519 key, raw 32 bytes."""

    raw: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.raw, bytes) or len(self.raw) != 32:
            raise CryptoError("an Ed25519 public key has 32 bytes")

    def verify(self, signature: bytes, message: bytes) -> None:
        if not isinstance(signature, bytes) or not isinstance(message, bytes):
            raise CryptoError("bad signature")
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except (InvalidSignature, ValueError) as exc:
            raise CryptoError("bad signature") from exc


@dataclass(frozen=True)
class SigningKey:
    """A secret Ed25519 key, raw 32 bytes; store it sealed, never in the clear."""

    _raw: bytes = field(repr=False)

    def __post_init__(self) -> None:
        # Checked here, not only in from_bytes: SigningKey(b"short") used to be
        # accepted and then fail in sign() with cryptography's ValueError.
        if not isinstance(self._raw, bytes) or len(self._raw) != 32:
            raise CryptoError("an Ed25519 key has 32 bytes")

    @classmethod
    def generate(cls) -> SigningKey:
        key = Ed25519PrivateKey.generate()
        return cls(key.private_bytes(serialization.Encoding.Raw,
                                     serialization.PrivateFormat.Raw,
                                     serialization.NoEncryption()))

    @classmethod
    def from_bytes(cls, raw: bytes) -> SigningKey:
        return cls(raw)

    def to_bytes(self) -> bytes:
        return self._raw

    @property
    def verify_key(self) -> VerifyKey:
        public = Ed25519PrivateKey.from_private_bytes(self._raw).public_key()
        return VerifyKey(public.public_bytes(serialization.Encoding.Raw,
                                             serialization.PublicFormat.Raw))

    def sign(self, message: bytes) -> bytes:
        if not isinstance(message, bytes):
            raise CryptoError("a signed message is bytes")
        return Ed25519PrivateKey.from_private_bytes(self._raw).sign(message)
