"""minisign signatures, readable by the stock ``minisign`` tool (Debian's 0.11).

Export bundles are signed with this so that a recipient can check them with
``minisign -V`` alone, years from now, without Witnessbox. Only the prehashed
("ED") signature form is made and accepted: the message signed is the
BLAKE2b-512 of the file, so a file of any size is hashed in a stream.

Formats (https://jedisct1.github.io/minisign/):

- public key file: ``untrusted comment: ...`` then the base64 of
  ``"Ed" || key id (8 bytes) || Ed25519 public key (32 bytes)``;
- signature file: ``untrusted comment: ...``, base64 of
  ``"ED" || key id || Ed25519(BLAKE2b-512(file))``, ``trusted comment: ...``,
  and base64 of the global signature, Ed25519(signature || trusted comment).

Untrusted comments are, as the name says, covered by nothing: tools may
rewrite them. Every failure raises :class:`SignatureInvalid`, a
:class:`~crypto.errors.CryptoError`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass, field
from typing import BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from crypto.errors import CryptoError

KEY_ID_BYTES = 8
_PUBLIC_ALGORITHM = b"Ed"
_PREHASHED_ALGORITHM = b"ED"
_LEGACY_ALGORITHM = b"Ed"
_UNTRUSTED_PREFIX = "untrusted comment: "
_TRUSTED_PREFIX = "trusted comment: "
_DEFAULT_SIGNATURE_COMMENT = "signature from minisign secret key"
# minisign reads the trusted comment line into an 8192-byte buffer; we stay
# well below it so that no version of the tool truncates what we signed.
MAX_TRUSTED_COMMENT_BYTES = 1024
# Our own storage format of a secret key: magic, version, key id, seed.
_STORAGE_MAGIC = b"WBMS\x01"
_CHUNK = 1 << 16


class SignatureInvalid(CryptoError):
    """The signature does not verify, or a key or signature file is malformed."""


def _key_id_text(key_id: bytes) -> str:
    # minisign prints the key id as a little-endian 64-bit number in hex,
    # with printf's "%" PRIX64: no leading zeros (1 key in 16 starts with one).
    return f"{int.from_bytes(key_id, 'little'):X}"


@dataclass(frozen=True)
class MinisignPublicKey:
    """A minisign public key: key id and raw 32-byte Ed25519 public key."""

    key_id: bytes
    raw: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.key_id, bytes) or len(self.key_id) != KEY_ID_BYTES:
            raise CryptoError("a minisign key id has 8 bytes")
        if not isinstance(self.raw, bytes) or len(self.raw) != 32:
            raise CryptoError("an Ed25519 public key has 32 bytes")

    @property
    def key_id_text(self) -> str:
        """The key id as minisign prints it, e.g. ``39A99440B2B41AF9``."""
        return _key_id_text(self.key_id)


@dataclass(frozen=True)
class MinisignSecretKey:
    """A minisign signing key; store it sealed, never in the clear, never log it."""

    key_id: bytes
    _seed: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.key_id, bytes) or len(self.key_id) != KEY_ID_BYTES:
            raise CryptoError("a minisign key id has 8 bytes")
        if not isinstance(self._seed, bytes) or len(self._seed) != 32:
            raise CryptoError("an Ed25519 key has 32 bytes")

    @classmethod
    def generate(cls) -> MinisignSecretKey:
        seed = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
            serialization.NoEncryption())
        return cls(os.urandom(KEY_ID_BYTES), seed)

    @classmethod
    def from_bytes(cls, blob: bytes) -> MinisignSecretKey:
        """Read :meth:`to_bytes`'s format: ``WBMS`` 0x01, key id, 32-byte seed."""
        expected = len(_STORAGE_MAGIC) + KEY_ID_BYTES + 32
        if not isinstance(blob, bytes) or len(blob) != expected \
                or not blob.startswith(_STORAGE_MAGIC):
            raise CryptoError("not a Witnessbox minisign secret key")
        body = blob[len(_STORAGE_MAGIC):]
        return cls(body[:KEY_ID_BYTES], body[KEY_ID_BYTES:])

    def to_bytes(self) -> bytes:
        return _STORAGE_MAGIC + self.key_id + self._seed

    @property
    def public_key(self) -> MinisignPublicKey:
        public = Ed25519PrivateKey.from_private_bytes(self._seed).public_key()
        return MinisignPublicKey(self.key_id, public.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw))

    @property
    def key_id_text(self) -> str:
        return _key_id_text(self.key_id)

    def _sign(self, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self._seed).sign(message)


def public_key_text(key: MinisignSecretKey | MinisignPublicKey) -> str:
    """The contents of a minisign ``.pub`` file for ``key`` (the public half)."""
    public = key.public_key if isinstance(key, MinisignSecretKey) else key
    body = base64.b64encode(_PUBLIC_ALGORITHM + public.key_id + public.raw).decode("ascii")
    return f"{_UNTRUSTED_PREFIX}minisign public key {public.key_id_text}\n{body}\n"


def _lines(text: str, what: str) -> list[str]:
    if not isinstance(text, str):
        raise SignatureInvalid(f"a {what} is text")
    # minisign itself strips CR and LF line ends; so do we, and nothing else.
    return [line.rstrip("\r") for line in text.split("\n")]


def _b64(line: str, length: int, what: str) -> bytes:
    try:
        raw = base64.b64decode(line, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureInvalid(f"{what} is not base64") from None
    if len(raw) != length:
        raise SignatureInvalid(f"{what} has {len(raw)} bytes, expected {length}")
    # Unused low bits in the last base64 character would otherwise let the
    # same signature be written several ways; accept the canonical one only.
    if base64.b64encode(raw).decode("ascii") != line:
        raise SignatureInvalid(f"{what} is not in canonical base64")
    return raw


def parse_public_key(text: str) -> MinisignPublicKey:
    """Read a minisign ``.pub`` file (comment line, base64 line)."""
    lines = [line for line in _lines(text, "public key") if line]
    if len(lines) != 2 or not lines[0].startswith(_UNTRUSTED_PREFIX):
        raise SignatureInvalid("not a minisign public key file (expected an untrusted "
                               "comment line and a base64 line)")
    raw = _b64(lines[1], 2 + KEY_ID_BYTES + 32, "the public key")
    if raw[:2] != _PUBLIC_ALGORITHM:
        raise SignatureInvalid("not an Ed25519 minisign public key")
    return MinisignPublicKey(raw[2:2 + KEY_ID_BYTES], raw[2 + KEY_ID_BYTES:])


def _check_comment(comment: str) -> bytes:
    if not isinstance(comment, str):
        raise CryptoError("a trusted comment is a str")
    # Tab is allowed (minisign's own comments use it); nothing else below
    # space, and no line breaks of any kind, so the comment stays one line.
    if any((ord(char) < 0x20 and char != "\t") or ord(char) == 0x7F
           or char in "\u0085\u2028\u2029" for char in comment):
        raise CryptoError("a trusted comment is one line without control characters")
    encoded = comment.encode("utf-8")
    if len(encoded) > MAX_TRUSTED_COMMENT_BYTES:
        raise CryptoError(f"a trusted comment has at most {MAX_TRUSTED_COMMENT_BYTES} bytes")
    return encoded


def _prehash(data: bytes | BinaryIO) -> bytes:
    digest = hashlib.blake2b(digest_size=64)
    if isinstance(data, bytes | bytearray | memoryview):
        digest.update(data)
    else:
        while chunk := data.read(_CHUNK):
            digest.update(chunk)
    return digest.digest()


def sign(key: MinisignSecretKey, data: bytes | BinaryIO, trusted_comment: str) -> str:
    """The contents of a ``.minisig`` file for ``data`` (bytes or a binary file
    read to its end in chunks)."""
    if not isinstance(key, MinisignSecretKey):
        raise CryptoError("sign() needs a MinisignSecretKey")
    comment = _check_comment(trusted_comment)
    signature = key._sign(_prehash(data))
    global_signature = key._sign(signature + comment)
    encode = base64.b64encode
    return (f"{_UNTRUSTED_PREFIX}{_DEFAULT_SIGNATURE_COMMENT}\n"
            f"{encode(_PREHASHED_ALGORITHM + key.key_id + signature).decode('ascii')}\n"
            f"{_TRUSTED_PREFIX}{trusted_comment}\n"
            f"{encode(global_signature).decode('ascii')}\n")


def verify(public: MinisignPublicKey, data: bytes | BinaryIO, signature_text: str) -> str:
    """Check a ``.minisig`` over ``data``; return its trusted comment.

    Raises :class:`SignatureInvalid` for a malformed file, a legacy
    (not prehashed) signature, another key's id, or a bad signature or
    global signature.
    """
    if not isinstance(public, MinisignPublicKey):
        raise CryptoError("verify() needs a MinisignPublicKey")
    lines = _lines(signature_text, "signature")
    while lines and lines[-1] == "":
        lines.pop()
    if len(lines) != 4:
        raise SignatureInvalid(f"a minisign signature file has 4 lines, this one {len(lines)}")
    untrusted, signature_line, trusted, global_line = lines
    if not untrusted.startswith(_UNTRUSTED_PREFIX):
        raise SignatureInvalid("the first line of a signature is an untrusted comment")
    if not trusted.startswith(_TRUSTED_PREFIX):
        raise SignatureInvalid("the third line of a signature is a trusted comment")
    raw = _b64(signature_line, 2 + KEY_ID_BYTES + 64, "the signature")
    algorithm, key_id, signature = raw[:2], raw[2:2 + KEY_ID_BYTES], raw[2 + KEY_ID_BYTES:]
    if algorithm == _LEGACY_ALGORITHM:
        raise SignatureInvalid("legacy (not prehashed) minisign signatures are not accepted")
    if algorithm != _PREHASHED_ALGORITHM:
        raise SignatureInvalid("not an Ed25519 minisign signature")
    if key_id != public.key_id:
        raise SignatureInvalid(f"signed by key {_key_id_text(key_id)}, "
                               f"not by key {public.key_id_text}")
    global_signature = _b64(global_line, 64, "the global signature")
    comment = trusted[len(_TRUSTED_PREFIX):]
    verifier = Ed25519PublicKey.from_public_bytes(public.raw)
    try:
        verifier.verify(signature, _prehash(data))
    except InvalidSignature:
        raise SignatureInvalid("the signature does not match the file") from None
    try:
        verifier.verify(global_signature, signature + comment.encode("utf-8"))
    except InvalidSignature:
        raise SignatureInvalid("the trusted comment's signature does not verify") from None
    return comment
