"""Who can open a case: decided by the key wraps, and checked by organisation too."""

from __future__ import annotations

from typing import Any

import pytest
from intake_data import CANARY, file_case, receipt_key
from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from app.cases import service as cases
from app.errors import NoKeyAccess, NotFound, PermissionDenied
from app.intake.schema import IntakeAnswers
from app.intake.sealing import AGE_SEALER
from app.intake.service import IntakeSubmission
from app.models import Role, SealedKind
from app.orgs.service import bootstrap_demo
from app.storage import BlobStore


def test_reviewer_and_admin_open_the_case(db: Session, demo_org: Any, blobs: BlobStore) -> None:
    case = file_case(db, demo_org, blobs)
    for role in (Role.REVIEWER, Role.ADMIN):
        key = cases.unlock_case_key(db, demo_org.members[role], case, demo_org.identities[role])
        assert cases.read_narrative(case, key) == CANARY
        assert cases.read_sealed_fields(case, key)["name_dprk"] == "Pak"


def test_interviewer_has_no_wrap(db: Session, demo_org: Any, blobs: BlobStore) -> None:
    case = file_case(db, demo_org, blobs)
    with pytest.raises(NoKeyAccess):
        cases.unlock_case_key(db, demo_org.members[Role.INTERVIEWER], case,
                              crypto.generate_identity())


def test_other_organisation_cannot_find_or_open_it(db: Session, demo_org: Any, make_org: Any,
                                                   blobs: BlobStore) -> None:
    case = file_case(db, demo_org, blobs)
    other = make_org("beta")
    reviewer = other.members[Role.REVIEWER]
    with pytest.raises(NotFound):
        cases.get_case(db, reviewer, case.public_id)
    with pytest.raises(PermissionDenied):
        cases.unlock_case_key(db, reviewer, case, other.identities[Role.REVIEWER])
    # Even with the authorisation check bypassed, no wrap opens with their key.
    for wrap in case.key_wraps:
        with pytest.raises(crypto.CryptoError):
            crypto.CaseKey.unwrap(wrap.wrapped_key, [other.identities[Role.REVIEWER]])


# bootstrap_demo protects every demo key with scrypt (about 14 s): `make test-slow`,
# which CI runs too.
@pytest.mark.slow
def test_demo_reviewer_opens_with_their_passphrase(db: Session, blobs: BlobStore) -> None:
    credentials = bootstrap_demo(db, slug="demo")
    reviewer = next(m for m in credentials_memberships(db) if m.role is Role.REVIEWER)
    interviewer = next(m for m in credentials_memberships(db) if m.role is Role.INTERVIEWER)
    with IntakeSubmission(db, interviewer, blobs, AGE_SEALER) as submission:
        receipt = submission.store(IntakeAnswers(
            values={"sector": "it", "consent_scopes": ["internal_only"],
                    "source_connection": "experienced"}, narrative=CANARY, indicators={}),
            receipt_key(db))
    case = cases.get_case(db, reviewer, receipt.case_id)
    passphrase = credentials.passphrases[reviewer.user.email]
    key = reviewer.current_key
    assert key is not None
    with pytest.raises(crypto.CryptoError):
        crypto.unprotect_identity(key.protected_identity, passphrase + "x")
    identity = crypto.unprotect_identity(key.protected_identity, passphrase)
    assert cases.read_narrative(case, cases.unlock_case_key(db, reviewer, case, identity)) \
        == CANARY
    # And the recovery identity printed once opens it too.
    recovery_wrap = next(w for w in case.key_wraps if w.member_key_id is None)
    case_key = crypto.CaseKey.unwrap(recovery_wrap.wrapped_key, [credentials.recovery_identity])
    assert cases.read_narrative(case, case_key) == CANARY


def credentials_memberships(db: Session) -> list[Any]:
    from app.models import Membership, Organisation

    return list(db.scalars(select(Membership).join(Organisation)
                           .where(Organisation.slug == "demo")))


def test_interviewer_only_files_intake(db: Session, demo_org: Any, blobs: BlobStore) -> None:
    with pytest.raises(PermissionDenied):
        IntakeSubmission(db, demo_org.members[Role.REVIEWER], blobs, AGE_SEALER)


def test_tampered_ciphertext_raises_the_crypto_error(db: Session, demo_org: Any,
                                                     blobs: BlobStore) -> None:
    case = file_case(db, demo_org, blobs)
    key = cases.unlock_case_key(db, demo_org.members[Role.REVIEWER], case,
                                demo_org.identities[Role.REVIEWER])
    narrative = next(o for o in case.sealed_objects if o.kind is SealedKind.NARRATIVE)
    assert narrative.inline_ciphertext is not None
    damaged = bytearray(narrative.inline_ciphertext)
    damaged[-5] ^= 0x01
    narrative.inline_ciphertext = bytes(damaged)
    db.commit()
    db.expire_all()
    with pytest.raises(crypto.CryptoError):
        cases.read_narrative(cases.get_case(db, demo_org.members[Role.REVIEWER],
                                            case.public_id), key)
