"""``witnessbox export build / list / download``: the same service, from the shell."""

from __future__ import annotations

from pathlib import Path

from export_support import approved_case
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from web_support import PASSPHRASE, OrgFixture

from app.cli import main
from app.exports.bag import verify_bag
from app.models import AuditEvent, Export, Role
from app.storage import BlobStore


def _cli(app: Flask, *args: str, passphrase: str | None = None) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(
        main, ["export", *args], input=f"{passphrase}\n" if passphrase is not None else None)
    return result.exit_code, result.output


def test_build_list_and_download_from_the_command_line(
        app: Flask, db: Session, demo_org: OrgFixture, blobs: BlobStore,
        tmp_path: Path) -> None:
    approved_case(db, demo_org, blobs, narrative="Kim Chol-su kept our passports.",
                  masks=["Kim Chol-su"])
    admin = demo_org.email(Role.ADMIN)
    code, output = _cli(app, "build", "--org", "alpha", "--admin", admin,
                        "--purpose", "share_un", passphrase=PASSPHRASE)
    assert code == 0, output
    assert "1 case(s) included" in output
    assert PASSPHRASE not in output
    db.expire_all()
    export = db.scalars(select(Export)).one()
    code, output = _cli(app, "list", "--org", "alpha", "--admin", admin)
    assert code == 0
    assert export.public_id in output
    assert "ready" in output

    target = tmp_path / "bundle.tar"
    code, output = _cli(app, "download", export.public_id, "--org", "alpha", "--admin", admin,
                        "-o", str(target))
    assert code == 0, output
    assert verify_bag(target).ok
    events = [e.details["event"] for e in db.scalars(
        select(AuditEvent).where(AuditEvent.target == export.public_id).order_by(AuditEvent.id))]
    assert events == ["built", "downloaded"]


def test_a_wrong_passphrase_or_a_non_admin_builds_nothing(
        app: Flask, db: Session, demo_org: OrgFixture, blobs: BlobStore) -> None:
    approved_case(db, demo_org, blobs, narrative="A narrative.", masks=[])
    code, output = _cli(app, "build", "--org", "alpha", "--admin",
                        demo_org.email(Role.ADMIN), "--purpose", "aggregate_stats",
                        passphrase="not the passphrase at all")
    assert code != 0
    assert "wrong passphrase" in output
    code, output = _cli(app, "build", "--org", "alpha", "--admin",
                        demo_org.email(Role.REVIEWER), "--purpose", "aggregate_stats",
                        passphrase=PASSPHRASE)
    assert code != 0
    assert "no active admin" in output
    db.expire_all()
    assert db.scalars(select(Export)).first() is None
