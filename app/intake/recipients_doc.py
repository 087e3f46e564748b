"""The organisation's recipient list, signed for a browser that seals a case itself.

A browser sealing in the page (app.intake.presealed) wraps the case key to
these recipients and to nobody else. The list is signed with the server's
audit signing key, which lives in a file outside the database
(``audit_signing_key_file``): whoever can only write the database can add a
member key of their own to the organisation, but cannot make a list the
browser accepts, because the browser pins the signing key on first use and
refuses to seal when it changes (web/src/trust.js). Whoever controls the
running server holds the key and is not stopped by this (docs/security.md).

The signed bytes are ``DOMAIN`` followed by canonical JSON (sorted keys, no
spaces, ASCII), so the browser verifies exactly the bytes it then parses.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from app.audit.keyfile import public_key_text
from app.intake.service import case_readers
from app.models import Membership
from crypto.signing import SigningKey, VerifyKey

DOMAIN = "witnessbox-intake-recipients-v1\n"


@dataclass(frozen=True)
class ExpectedReader:
    recipient: str
    purpose: str  # "member" or "recovery"
    member_key_id: int | None


def expected_readers(session: Session, membership: Membership, *, lock: bool = True
                     ) -> list[ExpectedReader]:
    """Whom a new case of this interviewer's organisation is wrapped to, now
    (the same rule as the server-sealed path: app.intake.service.case_readers)."""
    return [ExpectedReader(recipient, "member" if key else "recovery",
                           key.id if key else None)
            for key, recipient in case_readers(session, membership, lock=lock)]


def fingerprint(key: VerifyKey) -> str:
    """What a person compares by eye: SHA-256 of the raw public key, 16 groups."""
    digest = hashlib.sha256(key.raw).hexdigest()[:64].upper()
    return " ".join(digest[i:i + 4] for i in range(0, 64, 4))


def signed_recipient_list(session: Session, membership: Membership,
                          key: SigningKey) -> dict[str, str]:
    """The JSON the intake page fetches: payload, signature, public key, fingerprint."""
    payload = json.dumps({
        "version": 1,
        "organisation": membership.organisation.slug,
        "issued_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "recipients": [{"recipient": reader.recipient, "purpose": reader.purpose}
                       # Shown, not stored: no turn on the organisation's row (on
                       # SQLite that is the write lock); the upload is checked
                       # against the readers again, under the lock.
                       for reader in expected_readers(session, membership, lock=False)],
    }, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    signature = key.sign((DOMAIN + payload).encode("ascii"))
    return {
        "payload": payload,
        "signature": base64.b64encode(signature).decode("ascii"),
        "public_key": public_key_text(key.verify_key),
        "fingerprint": fingerprint(key.verify_key),
    }
