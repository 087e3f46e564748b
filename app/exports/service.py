"""Exports: build a bundle, have a second admin approve it, hand it out.

Only active admins export, approve or download, checked here (the routes
check too). An export that needs approval cannot be downloaded until an
admin other than its creator approves it: always for evidence packages,
and otherwise as the organisation's setting says (by default whenever it
has two or more active admins). Building, refusing, approving and every
download are audited (action EXPORT, target the export's public id).

The organisation's export signing key is a file outside the database, one
per organisation, made on first use; its public half is kept in the
organisation row so that a swapped key file is refused, not silently used.
"""

from __future__ import annotations

import importlib.metadata
import os
import secrets
import stat
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

import crypto
from app.audit import service as audit
from app.errors import NotFound, PermissionDenied
from app.exports import selection
from app.exports.selection import ExportScope
from app.i18n import N_
from app.models import (
    Export,
    ExportApproval,
    ExportPurpose,
    ExportStatus,
    Membership,
    Organisation,
    Role,
)
from app.storage import BlobStore
from crypto import minisign

if TYPE_CHECKING:
    from app.exports.builder import Built

# (cases read, cases in all): how a build reports its progress.
Progress = Callable[[int, int], None]
FOUR_EYES_ALWAYS = frozenset({ExportPurpose.SHARE_PROSECUTORS})
# A build notes its progress every few cases; silent this long, it is dead.
STALE_AFTER = timedelta(minutes=10)


class Refused(ValueError):
    """The export cannot be made or released as asked; the message says why."""


def _require_admin(member: Membership) -> None:
    if not member.active or member.role is not Role.ADMIN:
        raise PermissionDenied("only admins export")


def software_version() -> str:
    try:
        return importlib.metadata.version("witnessbox")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def new_export_id() -> str:
    return "EX-" + secrets.token_hex(6).upper()


# -- the signing key ---------------------------------------------------------

def _key_path(key_dir: Path, organisation: Organisation) -> Path:
    return key_dir / f"org-{organisation.id}.minisign-key"


def signing_key(session: Session, organisation: Organisation,
                key_dir: Path) -> minisign.MinisignSecretKey:
    """The organisation's export key, made (file 0600, public half recorded) on first use."""
    path = _key_path(key_dir, organisation)
    if not path.exists():
        if organisation.export_public_key:
            raise Refused("the organisation's export signing key file is missing; restore it "
                          f"from backup to {path} (exports are refused until then)")
        key = minisign.MinisignSecretKey.generate()
        key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key.to_bytes())
        organisation.export_public_key = minisign.public_key_text(key)
        session.flush()
        return key
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise Refused(f"the export signing key {path} may be read by others (chmod 600 it)")
    key = minisign.MinisignSecretKey.from_bytes(path.read_bytes())
    if minisign.public_key_text(key) != organisation.export_public_key:
        raise Refused("the export signing key file does not match the organisation's "
                      "recorded public key; exports are refused")
    return key


def set_approval_rule(session: Session, admin: Membership, rule: ExportApproval) -> None:
    _require_admin(admin)
    admin.organisation.export_approval = rule
    session.flush()
    audit.record(session, audit.Action.SETTINGS_CHANGED, organisation_id=admin.organisation_id,
                 actor_user_id=admin.user_id, target="export_approval", value=rule.value)


def public_key_text(organisation: Organisation) -> str | None:
    """The export key's minisign .pub file, for recipients (None before the first export)."""
    return organisation.export_public_key


# -- building ----------------------------------------------------------------

def approval_needed(session: Session, organisation: Organisation,
                    purpose: ExportPurpose) -> bool:
    if purpose in FOUR_EYES_ALWAYS or organisation.export_approval is ExportApproval.ALWAYS:
        return True
    if organisation.export_approval is ExportApproval.NEVER:
        return False
    admins = session.scalar(select(func.count(Membership.id)).where(
        Membership.organisation_id == organisation.id, Membership.role == Role.ADMIN,
        Membership.active.is_(True), Membership.removed_at.is_(None))) or 0
    return admins >= 2


def start(session: Session, admin: Membership, *, purpose: ExportPurpose, scope: ExportScope,
          key_dir: Path, prosecutor: crypto.Recipient | None = None,
          encrypt_to: crypto.Recipient | None = None) -> Export:
    """Record a new export (status building) with its counts; :func:`build` makes it.

    The signing key is checked (or made) here, so that a missing key file
    refuses the export before any case is opened.
    """
    _require_admin(admin)
    if purpose is ExportPurpose.SHARE_PROSECUTORS and prosecutor is None:
        raise Refused(N_("an evidence package needs the prosecutor's age public key"))
    organisation = admin.organisation
    signing_key(session, organisation, key_dir)
    chosen = selection.select_cases(session, admin, purpose, scope)
    export = Export(public_id=new_export_id(), organisation_id=organisation.id,
                    created_by_membership_id=admin.id, purpose=purpose, scope=scope.to_json(),
                    status=ExportStatus.BUILDING,
                    needs_approval=approval_needed(session, organisation, purpose),
                    included_count=len(chosen.case_ids),
                    excluded_counts=chosen.excluded_counts,
                    prosecutor=str(prosecutor) if prosecutor is not None else None,
                    encrypted_to=str(encrypt_to) if encrypt_to is not None else None,
                    created_at=datetime.now(UTC).replace(microsecond=0))
    session.add(export)
    session.flush()
    return export


def build(session: Session, admin: Membership, identity: crypto.Identity, blobs: BlobStore,
          export: Export, *, export_dir: Path, key_dir: Path,
          progress: Progress | None = None) -> Export:
    """Select the cases again (as they are now), build, leak-check and store the bundle."""
    # The builder brings WeasyPrint, matplotlib and scipy (~130 MB): loaded by
    # the first build, not by every web worker and command at start.
    from app.exports import builder
    from app.exports.builder import LeakFound

    _require_admin(admin)
    if export.status is not ExportStatus.BUILDING \
            or export.organisation_id != admin.organisation_id:
        raise Refused(N_("this export is not waiting to be built"))
    organisation = admin.organisation
    key = signing_key(session, organisation, key_dir)
    purpose, scope = export.purpose, ExportScope.from_json(export.scope)
    chosen = selection.select_cases(session, admin, purpose, scope)
    export.included_count, export.excluded_counts = len(chosen.case_ids), chosen.excluded_counts
    spec = builder.BuildInput(
        public_id=export.public_id, organisation_name=organisation.name, purpose=purpose,
        scope=scope, selection=chosen, created_at=_aware(export.created_at),
        software_version=software_version(),
        prosecutor=crypto.parse_recipient(export.prosecutor) if export.prosecutor else None,
        encrypt_to=crypto.parse_recipient(export.encrypted_to) if export.encrypted_to else None)
    try:
        built: Built = builder.build(session, admin, identity, blobs, spec,
                                     out_dir=export_dir / str(organisation.id), key=key,
                                     progress=progress)
    except LeakFound as exc:
        export.status = ExportStatus.REFUSED
        export.refusal = str(exc)
    else:
        export.bundle_path = f"{organisation.id}/{built.path.name}"
        export.bundle_sha256 = built.sha256
        export.bundle_size = built.size
        export.status = (ExportStatus.AWAITING_APPROVAL if export.needs_approval
                         else ExportStatus.READY)
    export.progress = export.included_count
    session.flush()
    audit.record(session, audit.Action.EXPORT, organisation_id=organisation.id,
                 actor_user_id=admin.user_id, target=export.public_id,
                 event="refused" if export.status is ExportStatus.REFUSED else "built",
                 purpose=purpose.value, cases=export.included_count,
                 excluded=sum(export.excluded_counts.values()))
    if purpose is ExportPurpose.SHARE_PROSECUTORS and export.status is not ExportStatus.REFUSED:
        # Each case's custody log shows that its originals left in this package.
        for case_public_id in _public_ids(session, chosen.case_ids):
            audit.record(session, audit.Action.EXPORT, organisation_id=organisation.id,
                         actor_user_id=admin.user_id, target=case_public_id,
                         event="evidence_packaged", export=export.public_id)
    return export


def create(session: Session, admin: Membership, identity: crypto.Identity, blobs: BlobStore,
           *, purpose: ExportPurpose, scope: ExportScope, export_dir: Path, key_dir: Path,
           prosecutor: crypto.Recipient | None = None,
           encrypt_to: crypto.Recipient | None = None,
           progress: Progress | None = None) -> Export:
    """:func:`start` and :func:`build` in one unit of work (the command line, tests)."""
    export = start(session, admin, purpose=purpose, scope=scope, key_dir=key_dir,
                   prosecutor=prosecutor, encrypt_to=encrypt_to)
    return build(session, admin, identity, blobs, export, export_dir=export_dir,
                 key_dir=key_dir, progress=progress)


def fail(session: Session, export: Export, why: str) -> None:
    """The build broke: say so on the export (never with case content)."""
    export.status = ExportStatus.FAILED
    export.refusal = why[:300]
    session.flush()
    audit.record(session, audit.Action.EXPORT, organisation_id=export.organisation_id,
                 target=export.public_id, event="failed")


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; every time stored here is UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def note_progress(session: Session, export_id: int, done: int) -> None:
    session.execute(update(Export).where(Export.id == export_id).values(
        progress=done, progress_at=datetime.now(UTC)))


def mark_if_stale(session: Session, export: Export, now: datetime | None = None) -> None:
    """A build whose progress stopped moving died with its worker process."""
    now = now or datetime.now(UTC)
    last = _aware(export.progress_at or export.created_at)
    if export.status is ExportStatus.BUILDING and now - last > STALE_AFTER:
        fail(session, export, "the build stopped (its worker process ended); build it again")


def _public_ids(session: Session, case_ids: Sequence[int]) -> list[str]:
    from app.models import Case
    out: list[str] = []
    for start in range(0, len(case_ids), 500):
        out.extend(session.scalars(select(Case.public_id).where(
            Case.id.in_(case_ids[start:start + 500])).order_by(Case.id)))
    return out


# -- after building ----------------------------------------------------------

def list_exports(session: Session, admin: Membership, limit: int = 50) -> Sequence[Export]:
    _require_admin(admin)
    return session.scalars(select(Export).where(
        Export.organisation_id == admin.organisation_id)
        .order_by(Export.created_at.desc(), Export.id.desc()).limit(limit)).all()


def get_export(session: Session, admin: Membership, public_id: str) -> Export:
    _require_admin(admin)
    export = session.scalar(select(Export).where(
        Export.public_id == public_id, Export.organisation_id == admin.organisation_id))
    if export is None:
        raise NotFound(public_id)
    mark_if_stale(session, export)
    return export


def approve(session: Session, admin: Membership, export: Export) -> None:
    _require_admin(admin)
    if export.status is not ExportStatus.AWAITING_APPROVAL:
        raise Refused(N_("this export is not awaiting approval"))
    if export.created_by_membership_id == admin.id:
        raise Refused(N_("a second admin must approve the export you built"))
    export.status = ExportStatus.READY
    export.approved_by_membership_id = admin.id
    export.approved_at = datetime.now(UTC)
    session.flush()
    audit.record(session, audit.Action.EXPORT, organisation_id=export.organisation_id,
                 actor_user_id=admin.user_id, target=export.public_id, event="approved")


def open_bundle(session: Session, admin: Membership, export: Export, export_dir: Path) -> Path:
    """The bundle's file, for download; audited as a download."""
    _require_admin(admin)
    if export.status is not ExportStatus.READY or not export.bundle_path:
        raise Refused("this export cannot be downloaded: "
                      + ("it awaits a second admin's approval"
                         if export.status is ExportStatus.AWAITING_APPROVAL
                         else "it was refused"))
    path = (export_dir / export.bundle_path).resolve()
    if export_dir.resolve() not in path.parents or not path.is_file():
        raise Refused(N_("the bundle's file is missing from the export directory"))
    audit.record(session, audit.Action.EXPORT, organisation_id=export.organisation_id,
                 actor_user_id=admin.user_id, target=export.public_id, event="downloaded")
    return path
