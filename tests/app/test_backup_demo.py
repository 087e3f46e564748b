"""The demo instance of `make run`, backed up and restored into a second one:
the demo reviewer opens the case with their passphrase, as in the app."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from backup_support import PROJECT, WITNESSBOX
from sqlalchemy import select

import crypto
from app import create_app
from app.cases import service as cases
from app.config import load_settings
from app.intake.schema import IntakeAnswers
from app.intake.sealing import AGE_SEALER
from app.intake.service import IntakeSubmission
from app.models import Membership, Organisation, Role, User
from app.storage import BlobStore

MARKER = "DemoBackupNarrativeZq"
# Demo mode's own secrets, made in the instance folder: the keys a restore
# needs besides the archive (docs/operations.md, "What a backup does not contain").
DEMO_KEY_FILES = ("demo-audit-signing-key", "demo-totp-seed-key", "demo-secret-key")


def run(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WITNESSBOX_")}
    env.update(PYTHONPATH=str(PROJECT), WITNESSBOX_CONFIG=str(config),
               TMPDIR=str(config.parent.parent / "tmp"))
    (config.parent.parent / "tmp").mkdir(exist_ok=True)
    done = subprocess.run([str(WITNESSBOX), *args], env=env, cwd=config.parent.parent,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


def member(session, role: Role) -> Membership:  # type: ignore[no-untyped-def]
    return session.scalars(select(Membership).join(Organisation)
                           .where(Organisation.slug == "demo", Membership.role == role)).one()


@pytest.mark.slow
def test_the_demo_reviewer_opens_a_case_after_a_restore(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "source" / "config.toml"
    for args in (("demo", "init"), ("db", "upgrade"), ("demo", "bootstrap")):
        run(source, *args)
    secrets = (source.parent / "demo-secrets.txt").read_text()
    passphrase = re.search(r"reviewer@demo\.witnessbox\.invalid\s+key passphrase: (\S+)",
                           secrets)
    assert passphrase
    recovery = source.parent.parent / "recovery.key"
    recovery.write_text(next(line.strip() for line in secrets.splitlines()
                             if line.strip().startswith("AGE-SECRET-KEY-")) + "\n")

    # The interviewer files a case in the source instance (in process).
    monkeypatch.setenv("WITNESSBOX_CONFIG", str(source))
    app = create_app(load_settings(source))
    session = app.extensions["witnessbox.sessionmaker"]()
    try:
        interviewer = member(session, Role.INTERVIEWER)
        settings = app.config["WITNESSBOX"]
        with IntakeSubmission(session, interviewer, BlobStore(settings.blob_dir),
                              AGE_SEALER) as submission:
            receipt = submission.store(IntakeAnswers(
                values={"sector": "it", "consent_scopes": ["internal_only"],
                        "source_connection": "experienced"}, narrative=MARKER, indicators={}),
                app.extensions["witnessbox.audit_signer"].signing_key)
        session.commit()
    finally:
        session.close()
        app.extensions["witnessbox.engine"].dispose()

    archive = tmp_path / "demo-backup.age"
    run(source, "backup", "create", "--output", str(archive))

    target = tmp_path / "target" / "config.toml"
    run(target, "demo", "init")
    for name in DEMO_KEY_FILES:
        shutil.copy2(source.parent / name, target.parent / name)
    restored = run(target, "backup", "restore", str(archive), "--identity", str(recovery))
    assert "audit log intact" in restored.stdout
    run(target, "audit", "verify")

    monkeypatch.setenv("WITNESSBOX_CONFIG", str(target))
    app = create_app(load_settings(target))
    session = app.extensions["witnessbox.sessionmaker"]()
    try:
        reviewer = member(session, Role.REVIEWER)
        assert session.get(User, reviewer.user_id).email == "reviewer@demo.witnessbox.invalid"
        key = reviewer.current_key
        assert key is not None
        identity = crypto.unprotect_identity(key.protected_identity, passphrase.group(1))
        case = cases.get_case(session, reviewer, receipt.case_id)
        case_key = cases.unlock_case_key(session, reviewer, case, identity)
        assert cases.read_narrative(case, case_key) == MARKER
        session.commit()
    finally:
        session.close()
        app.extensions["witnessbox.engine"].dispose()
    assert list((tmp_path / "tmp").iterdir()) == []
