"""Deleting an organisation (the operator's ``witnessbox org delete``).

Every case is crypto-shredded as an admin's deletion would (app.retention.
shredding: wraps first, a tombstone each, blobs and the shred list after the
commit); then the organisation's memberships, member keys, unlocked keys,
invitations, clusters, exports and retention rules go with its row, and user
accounts left without any membership are deleted too. The export signing key
file and the export bundles are deleted after the commit. One transaction;
the audit log keeps a tombstone (``org_deleted``: slug and counts).

Refused while any case is on legal hold: an operator command does not
override a hold. The organisation's admins lift holds first (each lift
audited with a reason); an organisation without admins cannot be deleted
until an operator re-invites one.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.models import Case, Export, Invitation, Membership, Organisation, User
from app.retention.shredding import OPERATOR, ShredReason, shred_case
from app.storage import BlobStore
from app.unit_of_work import on_commit

log = logging.getLogger(__name__)


class CasesOnHold(Exception):
    def __init__(self, public_ids: list[str]) -> None:
        super().__init__(f"{len(public_ids)} case(s) on legal hold")
        self.public_ids = public_ids


@dataclass(frozen=True)
class OrganisationDeleted:
    slug: str
    organisation_id: int
    cases: int
    memberships: int
    users: int
    invitations: int
    exports: int


def held_cases(session: Session, organisation: Organisation) -> list[str]:
    return list(session.scalars(select(Case.public_id).where(
        Case.organisation_id == organisation.id, Case.legal_hold_reason.is_not(None))
        .order_by(Case.public_id)))


def delete_organisation(session: Session, blob_store: BlobStore, organisation: Organisation,
                        *, export_dir: Path, key_dir: Path,
                        shred_list_file: str | os.PathLike[str] | None
                        ) -> OrganisationDeleted:
    """Delete ``organisation`` and everything of it. The caller (the operator's
    command) is trusted; flushes, never commits."""
    held = held_cases(session, organisation)
    if held:
        raise CasesOnHold(held)
    org_id, slug = organisation.id, organisation.slug
    cases = list(session.scalars(select(Case).where(Case.organisation_id == org_id)
                                 .order_by(Case.id)))
    for case in cases:
        shred_case(session, blob_store, case, reason=ShredReason.ORGANISATION_DELETED,
                   actor=OPERATOR, shred_list_file=shred_list_file)

    def count(model: type[Membership] | type[Invitation] | type[Export]) -> int:
        return session.scalar(select(func.count()).select_from(model)
                              .where(model.organisation_id == org_id)) or 0

    memberships, invitations, exports = count(Membership), count(Invitation), count(Export)
    member_users = select(Membership.user_id).where(Membership.organisation_id == org_id)
    elsewhere = select(Membership.user_id).where(Membership.organisation_id != org_id)
    lonely = list(session.scalars(select(User.id).where(User.id.in_(member_users),
                                                        User.id.not_in(elsewhere))))
    # The row's ON DELETE CASCADE takes memberships (and with them member keys
    # and unlocked keys), invitations, clusters, exports and retention rules.
    session.flush()
    session.execute(delete(Organisation).where(Organisation.id == org_id)
                    .execution_options(synchronize_session=False))
    if lonely:
        session.execute(delete(User).where(User.id.in_(lonely))
                        .execution_options(synchronize_session=False))
    session.expunge_all()  # every loaded row of the organisation is gone
    audit.record(session, audit.Action.ORG_DELETED, organisation_id=org_id,
                 target=f"organisation:{org_id}", issued_by="operator", slug=slug,
                 cases=len(cases), memberships=memberships, users=len(lonely),
                 invitations=invitations, exports=exports)
    on_commit(session, lambda: _remove_files(blob_store, org_id, export_dir, key_dir))
    return OrganisationDeleted(slug, org_id, len(cases), memberships, len(lonely),
                               invitations, exports)


def _remove_files(blob_store: BlobStore, org_id: int, export_dir: Path, key_dir: Path) -> None:
    """After the commit: the export key, the bundles, and whatever of the
    organisation's blob folder the cases' own clean-up left (orphans of an
    interrupted intake)."""
    with contextlib.suppress(FileNotFoundError):
        (key_dir / f"org-{org_id}.minisign-key").unlink()
    for folder in (export_dir / str(org_id), blob_store.root / str(org_id)):
        try:
            shutil.rmtree(folder)
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.error("organisation deletion: could not remove a folder: %s",
                      type(exc).__name__)
