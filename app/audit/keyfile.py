"""The server's Ed25519 signing key, kept in a file outside the database.

Whoever can write the database must not be able to sign: the key file is
the one thing such an attacker lacks. The file holds the base64 of the 32
raw key bytes on one line, and must be readable by its owner only (0600).
"""

from __future__ import annotations

import base64
import binascii
import os
import stat
from pathlib import Path

from app.config import ConfigError
from crypto.errors import CryptoError
from crypto.signing import SigningKey, VerifyKey


def public_key_text(key: VerifyKey) -> str:
    return base64.b64encode(key.raw).decode("ascii")


def parse_public_key(text: str) -> VerifyKey:
    try:
        return VerifyKey(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError, CryptoError) as exc:
        raise ConfigError(f"not an Ed25519 public key: {text!r}") from exc


def read_signing_key(path: str | os.PathLike[str]) -> SigningKey:
    """Load the key; refuse a file that anyone but its owner may read or write."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ConfigError(f"audit_signing_key_file: {path} does not exist "
                          "(make one with `witnessbox audit keygen PATH`)") from None
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"audit_signing_key_file: {path} is not a regular file")
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise ConfigError(f"audit_signing_key_file: {path} has mode {mode:04o}; it must be "
                          f"readable by its owner only (chmod 600 {path})")
    text = path.read_text(encoding="ascii", errors="replace").strip()
    try:
        return SigningKey(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError, CryptoError):
        raise ConfigError(f"audit_signing_key_file: {path} does not hold a key "
                          "(expected the base64 of 32 bytes on one line)") from None


def write_new_signing_key(path: str | os.PathLike[str]) -> SigningKey:
    """Write a fresh key to ``path`` (0600); FileExistsError if it exists.

    Written to a temporary file and linked into place, so the key file never
    exists half-written and an existing key is never overwritten.
    """
    path = Path(path)
    key = SigningKey.generate()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(base64.b64encode(key.to_bytes()).decode("ascii") + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return key
