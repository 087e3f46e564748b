"""Case keys: one age identity per case, wrapped to each permitted reader.

All sealed material of a case is encrypted to the case's recipient. Only the
small case key is encrypted ("wrapped") to reviewers, admins and the offline
recovery recipient, so granting, revoking and rotating never touch the content,
and destroying every wrap destroys the case. (Each reader gets a wrap of their
own by calling :meth:`CaseKey.wrap` with one recipient.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from crypto.envelope import open_sealed, seal
from crypto.errors import CryptoError
from crypto.identities import Identity, Recipient, generate_identity, parse_identity


@dataclass(frozen=True)
class CaseKey:
    """The secret key of one case."""

    _identity: Identity = field(repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self._identity, Identity):
            raise CryptoError("a case key is an Identity")

    @classmethod
    def create(cls) -> CaseKey:
        return cls(generate_identity())

    @property
    def recipient(self) -> Recipient:
        """Seal case material to this."""
        return self._identity.recipient

    @property
    def identity(self) -> Identity:
        """Open case material with this."""
        return self._identity

    def wrap(self, recipients: Sequence[Recipient]) -> bytes:
        """The case key as an age file (an age key file inside) for ``recipients``."""
        return seal(self._identity.to_age_identity_file(), recipients)

    @classmethod
    def unwrap(cls, wrapped: bytes, identities: Sequence[Identity]) -> CaseKey:
        """Recover the case key from a wrap; CryptoError if none of ``identities`` fits."""
        key_file = open_sealed(wrapped, identities)
        try:
            return cls(parse_identity(key_file))
        except CryptoError as exc:
            raise CryptoError("wrap does not hold a case key") from exc
