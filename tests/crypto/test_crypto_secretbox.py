"""SecretBox: small symmetric secrets with purpose-bound keys."""

from __future__ import annotations

import pytest

from crypto import CryptoError, SecretBox

MATERIAL = b"m" * 32


def test_round_trip_with_context() -> None:
    box = SecretBox.derive(MATERIAL, "totp")
    sealed = box.seal(b"JBSWY3DPEHPK3PXP", b"user:7")
    assert b"JBSWY3DPEHPK3PXP" not in sealed
    assert box.open(sealed, b"user:7") == b"JBSWY3DPEHPK3PXP"


def test_nonces_differ() -> None:
    box = SecretBox(SecretBox.random_key())
    assert box.seal(b"x") != box.seal(b"x")


@pytest.mark.parametrize("mutate", [
    lambda b, s: SecretBox.derive(MATERIAL, "other").open(s, b"user:7"),
    lambda b, s: b.open(s, b"user:8"),
    lambda b, s: b.open(s[:-1] + bytes([s[-1] ^ 1]), b"user:7"),
    lambda b, s: b.open(s[:10], b"user:7"),
    lambda b, s: b.open(b"\x02" + s[1:], b"user:7"),
    lambda b, s: SecretBox.derive(b"n" * 32, "totp").open(s, b"user:7"),
])
def test_wrong_key_context_or_tampering_raise_crypto_error(mutate) -> None:  # type: ignore[no-untyped-def]
    box = SecretBox.derive(MATERIAL, "totp")
    sealed = box.seal(b"secret", b"user:7")
    with pytest.raises(CryptoError):
        mutate(box, sealed)


def test_short_key_material_is_refused() -> None:
    with pytest.raises(CryptoError):
        SecretBox.derive(b"short", "totp")
