"""A minimal age v1 encryptor for tests: X25519 stanzas only, no grease.

pyrage adds a grease stanza to every file it writes; the browser's
age-encryption does not. The server's check of browser-sealed objects
(crypto.age_format) wants exactly one X25519 stanza, so the tests make such
files here, from the spec (C2SP age), with `cryptography`.
"""

from __future__ import annotations

import base64
import hmac
import os
from hashlib import sha256

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _bech32_decode(text: str) -> bytes:
    data = [_CHARSET.index(c) for c in text[text.rindex("1") + 1:]][:-6]
    acc, bits, out = 0, 0, bytearray()
    for value in data:
        acc = (acc << 5) | value
        bits += 5
        while bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    return bytes(out)


def _b64(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def _hkdf(key: bytes, salt: bytes | None, info: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt, info).derive(key)


def _stanza(file_key: bytes, recipient: str) -> bytes:
    public = _bech32_decode(recipient.lower())
    ephemeral = X25519PrivateKey.generate()
    share = ephemeral.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public))
    wrap_key = _hkdf(shared, share + public, b"age-encryption.org/v1/X25519")
    body = _b64(ChaCha20Poly1305(wrap_key).encrypt(b"\x00" * 12, file_key, None))
    lines = [body[i:i + 64] for i in range(0, len(body), 64)] or [b""]
    if len(lines[-1]) == 64:
        lines.append(b"")
    return b"-> X25519 " + _b64(share) + b"\n" + b"\n".join(lines) + b"\n"


def seal(plaintext: bytes, recipients: list[str]) -> bytes:
    file_key = os.urandom(16)
    header = b"age-encryption.org/v1\n" + b"".join(_stanza(file_key, r) for r in recipients)
    header += b"---"
    mac = hmac.new(_hkdf(file_key, None, b"header"), header, sha256).digest()
    header += b" " + _b64(mac) + b"\n"
    nonce = os.urandom(16)
    aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
    chunks = [plaintext[i:i + 65536] for i in range(0, len(plaintext), 65536)] or [b""]
    out = [header, nonce]
    for index, chunk in enumerate(chunks):
        last = b"\x01" if index == len(chunks) - 1 else b"\x00"
        out.append(aead.encrypt(index.to_bytes(11, "big") + last, chunk, None))
    return b"".join(out)
