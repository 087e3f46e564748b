"""Ed25519 signing keys for export manifests and audit checkpoints."""

from __future__ import annotations

import pytest

from crypto import CryptoError, SigningKey, VerifyKey

MANIFEST = b'{"files": {"report.pdf": "sha256:..."}}'


@pytest.fixture
def key() -> SigningKey:
    return SigningKey.generate()


def test_signature_verifies(key: SigningKey) -> None:
    signature = key.sign(MANIFEST)
    assert len(signature) == 64
    key.verify_key.verify(signature, MANIFEST)  # raises on failure


def test_key_survives_a_round_trip_through_bytes(key: SigningKey) -> None:
    raw = key.to_bytes()
    assert len(raw) == 32
    restored = SigningKey.from_bytes(raw)
    assert restored.verify_key == key.verify_key
    # Ed25519 is deterministic: the same key signs the same message identically.
    assert restored.sign(MANIFEST) == key.sign(MANIFEST)
    VerifyKey(key.verify_key.raw).verify(restored.sign(MANIFEST), MANIFEST)


def test_tampered_message_fails(key: SigningKey) -> None:
    signature = key.sign(MANIFEST)
    with pytest.raises(CryptoError):
        key.verify_key.verify(signature, MANIFEST + b" ")
    with pytest.raises(CryptoError):
        key.verify_key.verify(signature, MANIFEST.replace(b"report", b"rep0rt"))


@pytest.mark.parametrize("position", [0, 31, 32, 63])
def test_tampered_signature_fails(key: SigningKey, position: int) -> None:
    signature = bytearray(key.sign(MANIFEST))
    signature[position] ^= 0x01
    with pytest.raises(CryptoError):
        key.verify_key.verify(bytes(signature), MANIFEST)


@pytest.mark.parametrize("signature", [b"", b"\x00" * 63, b"\x00" * 64, b"\x00" * 65])
def test_malformed_signature_fails(key: SigningKey, signature: bytes) -> None:
    with pytest.raises(CryptoError):
        key.verify_key.verify(signature, MANIFEST)


def test_signature_by_another_key_fails(key: SigningKey) -> None:
    other = SigningKey.generate()
    with pytest.raises(CryptoError):
        key.verify_key.verify(other.sign(MANIFEST), MANIFEST)


@pytest.mark.parametrize("length", [0, 16, 31, 33, 64])
def test_keys_of_the_wrong_length_are_refused(length: int) -> None:
    with pytest.raises(CryptoError):
        SigningKey.from_bytes(b"\x01" * length)
    # Regression: the dataclass constructor skipped from_bytes' check, and
    # sign() then failed with cryptography's ValueError.
    with pytest.raises(CryptoError):
        SigningKey(b"\x01" * length)
    with pytest.raises(CryptoError):
        VerifyKey(b"\x01" * length)


def test_secret_key_does_not_leak_through_repr(key: SigningKey) -> None:
    raw = key.to_bytes()
    shown = repr(key) + str(key)
    assert raw.hex() not in shown
    assert repr(raw) not in shown
