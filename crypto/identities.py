"""age X25519 identities and their passphrase protection.

A member's identity is stored as an age file encrypted with age's own
passphrase (scrypt) recipient, so ``age -d key.age`` opens it with the stock
tool when this software is gone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyrage
from pyrage import passphrase as age_passphrase
from pyrage import x25519

from crypto.errors import CryptoError

# A passphrase this short falls to an offline guess even behind scrypt.
MIN_PASSPHRASE_LENGTH = 12


@dataclass(frozen=True)
class Recipient:
    """A public age X25519 recipient (``age1...``); safe to store and show."""

    text: str

    def __post_init__(self) -> None:
        # Validate on construction, not first use: a Recipient built from a bad
        # database value used to reach pyrage and escape as pyrage.RecipientError.
        # Canonical text (bech32 may be written in upper case) keeps equality,
        # hashing and de-duplication of recipients equal to key equality.
        try:
            canonical = str(x25519.Recipient.from_str(self.text))
        except (pyrage.RecipientError, ValueError, TypeError) as exc:
            raise CryptoError("not an age X25519 recipient") from exc
        object.__setattr__(self, "text", canonical)

    def __str__(self) -> str:
        return self.text

    def _native(self) -> x25519.Recipient:
        return x25519.Recipient.from_str(self.text)


@dataclass(frozen=True)
class Identity:
    """A secret age X25519 identity. Keep it in memory only as long as needed."""

    _secret: str = field(repr=False)

    def __post_init__(self) -> None:
        # As for Recipient: a malformed secret must fail here, as CryptoError,
        # rather than later inside pyrage as pyrage.IdentityError.
        try:
            canonical = str(x25519.Identity.from_str(self._secret))
        except (pyrage.IdentityError, ValueError, TypeError) as exc:
            raise CryptoError("malformed age secret key") from exc
        object.__setattr__(self, "_secret", canonical)

    @property
    def recipient(self) -> Recipient:
        return Recipient(str(self._native().to_public()))

    def to_age_identity_file(self) -> bytes:
        """The identity in age's key-file format (what ``age-keygen`` writes)."""
        created = datetime.now(UTC).replace(microsecond=0).isoformat()
        return (
            f"# created: {created}\n# public key: {self.recipient}\n{self._secret}\n"
        ).encode("ascii")

    def _native(self) -> x25519.Identity:
        return x25519.Identity.from_str(self._secret)

    def __repr__(self) -> str:
        return f"Identity(recipient={self.recipient.text!r})"


def generate_identity() -> Identity:
    """A fresh X25519 identity from the operating system's CSPRNG."""
    return Identity(str(x25519.Identity.generate()))


def parse_recipient(text: str) -> Recipient:
    """Validate an ``age1...`` string; raise :class:`CryptoError` if it is not one."""
    if not isinstance(text, str):
        raise CryptoError("a recipient is text")
    return Recipient(text.strip())


def parse_identity(key_file: bytes | str) -> Identity:
    """Read an identity from age key-file text: ``#`` comments, blank lines and
    exactly one ``AGE-SECRET-KEY-1...`` line, as ``age-keygen`` writes it.

    Any other line is rejected, as the age CLI rejects it: a damaged key file
    must not be half-accepted.
    """
    if isinstance(key_file, bytes):
        text = key_file.decode("ascii", "replace")
    elif isinstance(key_file, str):
        text = key_file
    else:
        raise CryptoError("a key file is bytes or text")
    lines = [line.strip() for line in text.splitlines()]
    secrets = [line for line in lines if line and not line.startswith("#")]
    if len(secrets) != 1 or not secrets[0].startswith("AGE-SECRET-KEY-"):
        raise CryptoError("expected exactly one age secret key")
    return Identity(secrets[0])


def protect_identity(identity: Identity, passphrase: str) -> bytes:
    """Encrypt the identity's key file under a passphrase with age's scrypt recipient.

    pyrage calibrates the scrypt work factor to about a second on this machine;
    that cost is the point.
    """
    if not isinstance(identity, Identity):
        raise CryptoError("expected an Identity")
    if not isinstance(passphrase, str):
        raise CryptoError("a passphrase is text")
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise CryptoError(f"passphrase must have at least {MIN_PASSPHRASE_LENGTH} characters")
    try:
        return bytes(age_passphrase.encrypt(identity.to_age_identity_file(), passphrase))
    except pyrage.EncryptError as exc:  # pragma: no cover - pyrage fails only on OOM
        raise CryptoError("could not protect identity") from exc


# age refuses a scrypt work factor more than 4 above what it measures this
# machine can do in about a second, and measures anew on every decryption:
# on a busy machine the measurement can come out 16 times slower than when
# the key was protected, and a right passphrase would be refused. Such a
# refusal costs no scrypt run, so it is simply tried again.
_EXCESSIVE_WORK = "Excessive work"
_WORK_ATTEMPTS = 3


def unprotect_identity(protected: bytes, passphrase: str) -> Identity:
    """Open a passphrase-protected identity; a wrong passphrase raises CryptoError."""
    if not isinstance(protected, bytes) or not isinstance(passphrase, str):
        raise CryptoError("expected protected bytes and a text passphrase")
    for _attempt in range(_WORK_ATTEMPTS):
        try:
            key_file = age_passphrase.decrypt(protected, passphrase)
        except pyrage.DecryptError as exc:
            if str(exc).startswith(_EXCESSIVE_WORK):
                continue
            raise CryptoError("wrong passphrase or damaged key") from exc
        except (ValueError, TypeError) as exc:
            raise CryptoError("wrong passphrase or damaged key") from exc
        return parse_identity(bytes(key_file))
    raise CryptoError("this key's passphrase protection asks for more work than this "
                      "machine will do right now; try again when it is less busy")
