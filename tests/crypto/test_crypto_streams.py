"""DecryptingReader: an age file's plaintext through read(n), in constant memory,
ending only when age has authenticated the whole file."""

from __future__ import annotations

import io
import threading

import pytest

import crypto


def sealed(plaintext: bytes, identity: crypto.Identity) -> bytes:
    out = io.BytesIO()
    crypto.seal_stream(io.BytesIO(plaintext), out, [identity.recipient])
    return out.getvalue()


def test_reads_the_plaintext_in_pieces_of_any_size() -> None:
    identity = crypto.generate_identity()
    plaintext = bytes(range(256)) * 2000  # several 64 KiB chunks
    with crypto.DecryptingReader(io.BytesIO(sealed(plaintext, identity)), [identity]) as reader:
        pieces = []
        for size in (1, 7, 1000, 65536, 300000):
            pieces.append(reader.read(size))
        pieces.append(reader.read())
        assert reader.read(10) == b""
    assert b"".join(pieces) == plaintext


@pytest.mark.parametrize("damage", ["cut", "flip", "wrong-key"])
def test_damage_raises_instead_of_an_end(damage: str) -> None:
    identity = crypto.generate_identity()
    data = sealed(b"x" * 200_000, identity)
    if damage == "cut":
        data = data[:-100]
    elif damage == "flip":
        data = data[:-5] + bytes([data[-5] ^ 1]) + data[-4:]
    keys = [crypto.generate_identity()] if damage == "wrong-key" else [identity]

    def read_all(reader: crypto.DecryptingReader) -> None:
        while reader.read(4096):
            pass

    with crypto.DecryptingReader(io.BytesIO(data), keys) as reader, \
            pytest.raises(crypto.CryptoError):
        read_all(reader)


def test_closing_early_stops_the_decrypting_thread() -> None:
    identity = crypto.generate_identity()
    data = sealed(b"y" * 5_000_000, identity)
    before = threading.active_count()
    with crypto.DecryptingReader(io.BytesIO(data), [identity]) as reader:
        assert reader.read(10) == b"y" * 10
    assert threading.active_count() == before
