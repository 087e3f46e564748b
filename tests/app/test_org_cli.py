"""``witnessbox org create`` and ``org list``: the operator makes an organisation,
its recovery identity and its first admin's invitation, each secret shown once."""

from __future__ import annotations

import os
import pty
import select as io_select
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from members_fixtures import events
from sqlalchemy import func
from sqlalchemy import select as sql_select
from sqlalchemy.orm import Session
from stock_tools import require_tool
from web_support import OrgFixture

from app.audit.service import verify
from app.cli import main
from app.config import Settings
from app.members import invitations
from app.models import Invitation, Organisation, Role

REPOSITORY = Path(__file__).resolve().parents[2]
AGE_RECIPIENT_PREFIX = "age1"
AGE_SECRET_PREFIX = "AGE-SECRET-KEY-1"


def run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(main, ["org", *args])


def organisations(db: Session) -> list[Organisation]:
    db.expire_all()
    return list(db.scalars(sql_select(Organisation).order_by(Organisation.id)))


def age_tool(name: str) -> str:
    return require_tool(name, "age")


def assert_one_line_error(result: Result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ")
    for fragment in fragments:
        assert fragment in lines[0]


def test_create_writes_both_secrets_to_new_0600_files(app: Flask, db: Session,
                                                      tmp_path: Path) -> None:
    recovery, link_file = tmp_path / "recovery.age-key", tmp_path / "invitation.txt"
    result = run(app, "create", "Rights Watch", "--admin", " Head@Example.org ",
                 "--recovery-file", str(recovery), "--invitation-file", str(link_file))
    assert result.exit_code == 0, result.output
    [organisation] = organisations(db)
    assert (organisation.slug, organisation.name) == ("rights-watch", "Rights Watch")
    for path in (recovery, link_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # The secrets went to the files only, never to the output (a log, here).
    secret_text = recovery.read_text()
    link = link_file.read_text().strip()
    assert AGE_SECRET_PREFIX in secret_text
    assert AGE_SECRET_PREFIX not in result.output
    assert link not in result.output
    assert link.split("/invite/")[1] not in result.output
    # The stock age CLI reads the file and derives the recipient the server keeps.
    derived = subprocess.run([age_tool("age-keygen"), "-y", str(recovery)], check=True,
                             capture_output=True, text=True).stdout.strip()
    assert derived == organisation.recovery_recipient
    assert derived.startswith(AGE_RECIPIENT_PREFIX)
    assert organisation.recovery_recipient in result.output  # the public half is printed
    sealed = subprocess.run([age_tool("age"), "-r", derived], input=b"recovery drill",
                            check=True, capture_output=True).stdout
    opened = subprocess.run([age_tool("age"), "-d", "-i", str(recovery)], input=sealed,
                            check=True, capture_output=True).stdout
    assert opened == b"recovery drill"
    # The link is the members page's: on base_url, and its token finds the invitation.
    settings: Settings = app.config["WITNESSBOX"]
    assert link.startswith(f"{settings.base_url}/invite/")
    invitation = invitations.find_invitation(db, link.rsplit("/", 1)[1])
    assert invitation.organisation_id == organisation.id
    assert (invitation.email, invitation.role) == ("head@example.org", Role.ADMIN)
    assert invitation.created_by_membership_id is None


def test_create_is_audited_without_names_or_secrets(app: Flask, db: Session,
                                                    tmp_path: Path) -> None:
    result = run(app, "create", "Rights Watch", "--admin", "head@example.org",
                 "--slug", "rw", "--recovery-file", str(tmp_path / "r"),
                 "--invitation-file", str(tmp_path / "i"))
    assert result.exit_code == 0, result.output
    [organisation] = organisations(db)
    [created] = events(db, "org_created")
    [invited] = events(db, "member_invited")
    assert created.organisation_id == invited.organisation_id == organisation.id
    assert created.target == f"organisation:{organisation.id}"
    assert created.details["recovery_recipient"] == organisation.recovery_recipient
    assert created.details["recovery_to"] == "file"
    assert invited.actor_user_id is None
    assert invited.details["issued_by"] == "operator"
    recorded = str(created.details) + str(invited.details) + str(invited.target)
    assert "example.org" not in recorded
    assert "Rights Watch" not in recorded
    assert verify(db).ok


def test_refuses_to_print_secrets_when_stdout_is_not_a_terminal(app: Flask, db: Session,
                                                                 tmp_path: Path) -> None:
    # CliRunner's stdout is a buffer, as a redirect to a log file would be.
    # An undivided recovery identity (--custodians 1) would be printed.
    result = run(app, "create", "Rights Watch", "--admin", "head@example.org",
                 "--custodians", "1")
    assert_one_line_error(result, "not a terminal", "--recovery-file", "--invitation-file")
    assert organisations(db) == []
    # One file given: the other secret still has nowhere safe to go, and the
    # given file is not left behind.
    recovery = tmp_path / "recovery"
    result = run(app, "create", "Rights Watch", "--admin", "head@example.org",
                 "--recovery-file", str(recovery))
    assert_one_line_error(result, "--invitation-file")
    assert "--recovery-file" not in result.output
    assert not recovery.exists()
    assert organisations(db) == []
    # Shares go to their sheets, but the link would still be printed: refused,
    # and the sheet directory is not left behind either.
    result = run(app, "create", "Rights Watch", "--admin", "head@example.org",
                 "--shares-dir", str(tmp_path / "sheets"))
    assert_one_line_error(result, "not a terminal", "--invitation-file")
    assert "--recovery-file" not in result.output
    assert not (tmp_path / "sheets").exists()
    assert organisations(db) == []


def test_prints_secrets_once_on_a_terminal(settings: Settings, db: Session,
                                           tmp_path: Path) -> None:
    """A real process on a pseudo-terminal: an undivided recovery identity
    (--custodians 1) and the link are printed, no file is needed."""
    env = {**os.environ, "WITNESSBOX_SECRET_KEY": settings.secret_key,
           "WITNESSBOX_TOTP_SEED_KEYS": ",".join(settings.totp_seed_keys),
           "WITNESSBOX_AUDIT_SIGNING_KEY_FILE": settings.audit_signing_key_file,
           "WITNESSBOX_DATABASE_URL": settings.database_url,
           "WITNESSBOX_BLOB_DIR": settings.blob_dir,
           "WITNESSBOX_BASE_URL": settings.base_url,
           "WITNESSBOX_CONFIG": str(tmp_path / "none.toml")}
    (tmp_path / "none.toml").write_text("[witnessbox]\n")
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "org", "create", "Rights Watch", "--admin",
         "head@example.org", "--custodians", "1"], stdin=subprocess.DEVNULL, stdout=terminal,
        stderr=terminal, cwd=REPOSITORY, env=env)
    os.close(terminal)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = io_select.select([controller], [], [], 60)
        if not ready:
            process.kill()
            break
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closes when the process exits
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    assert process.wait(timeout=60) == 0, b"".join(chunks).decode(errors="replace")
    output = b"".join(chunks).decode()
    [organisation] = organisations(db)
    assert AGE_SECRET_PREFIX in output
    assert f"{settings.base_url}/invite/" in output
    token = output.split("/invite/")[1].split()[0]
    assert invitations.find_invitation(db, token).organisation_id == organisation.id
    [created] = events(db, "org_created")
    assert created.details["recovery_to"] == "terminal"


def test_duplicate_slug_is_one_line_and_exit_1(app: Flask, db: Session,
                                               tmp_path: Path) -> None:
    first = run(app, "create", "Rights Watch", "--admin", "a@example.org",
                "--recovery-file", str(tmp_path / "r1"), "--invitation-file",
                str(tmp_path / "i1"))
    assert first.exit_code == 0, first.output
    again = run(app, "create", "Another NGO", "--slug", "rights-watch", "--admin",
                "b@example.org", "--recovery-file", str(tmp_path / "r2"),
                "--invitation-file", str(tmp_path / "i2"))
    assert_one_line_error(again, "rights-watch", "exists already")
    assert not (tmp_path / "r2").exists()
    assert not (tmp_path / "i2").exists()
    assert len(organisations(db)) == 1
    assert len(events(db, "org_created")) == 1


@pytest.mark.parametrize("email", ["not-an-address", "two@@example.org", "a b@example.org"])
def test_bad_email_is_one_line_and_creates_nothing(app: Flask, db: Session, tmp_path: Path,
                                                   email: str) -> None:
    result = run(app, "create", "Rights Watch", "--admin", email,
                 "--recovery-file", str(tmp_path / "r"), "--invitation-file",
                 str(tmp_path / "i"))
    assert_one_line_error(result, "--admin", "not an e-mail address")
    assert organisations(db) == []
    assert not (tmp_path / "r").exists()


def test_bad_slug_is_one_line(app: Flask, db: Session, tmp_path: Path) -> None:
    result = run(app, "create", "Rights Watch", "--slug", "Rights Watch!", "--admin",
                 "a@example.org", "--recovery-file", str(tmp_path / "r"),
                 "--invitation-file", str(tmp_path / "i"))
    assert_one_line_error(result, "slug")
    assert organisations(db) == []


def test_existing_recovery_file_is_never_overwritten(app: Flask, db: Session,
                                                     tmp_path: Path) -> None:
    recovery = tmp_path / "recovery"
    recovery.write_text("an older organisation's only recovery key\n")
    result = run(app, "create", "Rights Watch", "--admin", "a@example.org",
                 "--recovery-file", str(recovery), "--invitation-file", str(tmp_path / "i"))
    assert_one_line_error(result, "exists already")
    assert recovery.read_text() == "an older organisation's only recovery key\n"
    assert not (tmp_path / "i").exists()
    assert organisations(db) == []
    assert db.scalar(sql_select(func.count()).select_from(Invitation)) == 0


def test_list_shows_slug_name_members_and_date(app: Flask, db: Session, tmp_path: Path,
                                               demo_org: OrgFixture) -> None:
    created = run(app, "create", "Rights Watch", "--admin", "a@example.org",
                  "--recovery-file", str(tmp_path / "r"), "--invitation-file",
                  str(tmp_path / "i"))
    assert created.exit_code == 0, created.output
    result = run(app, "list")
    assert result.exit_code == 0, result.output
    header, *rows = result.output.strip().splitlines()
    assert header.split() == ["slug", "members", "created", "name"]
    by_slug = {row.split()[0]: row.split(maxsplit=3) for row in rows}
    alpha = demo_org.organisation
    assert by_slug["alpha"] == ["alpha", str(len(demo_org.members)),
                                f"{alpha.created_at:%Y-%m-%d}", alpha.name]
    # A pending invitation is not a member yet.
    assert by_slug["rights-watch"][1:2] == ["0"]
    assert by_slug["rights-watch"][3] == "Rights Watch"


def test_list_without_organisations_says_so(app: Flask) -> None:
    result = run(app, "list")
    assert result.exit_code == 0
    assert "no organisations" in result.output
