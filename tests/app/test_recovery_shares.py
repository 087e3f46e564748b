"""``witnessbox org create`` splits the recovery identity into k-of-n shares, one
printed sheet per custodian; k sheets recover a case with the stock
``ssss-combine`` and ``age`` binaries alone, k-1 recover nothing."""

from __future__ import annotations

import itertools
import stat
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import Result
from flask import Flask
from intake_data import file_case
from members_fixtures import events
from recovery_support import (
    age_open_narrative,
    age_recipient_of,
    qr_codes_on_sheet,
    share_from_sheet,
    sheet_text,
    sheets_in,
    ssss_combine_into,
)
from sqlalchemy import func
from sqlalchemy import select as sql_select
from sqlalchemy.orm import Session
from stock_tools import require_tool
from web_support import PASSWORD

import crypto
from app.audit.service import verify
from app.cli import main
from app.models import Case, Organisation, Role
from app.orgs.service import add_member
from app.storage import BlobStore
from crypto import ssss

NARRATIVE = "The brigade leader kept our passports in his safe."


def create(app: Flask, tmp_path: Path, *args: str) -> Result:
    return app.test_cli_runner().invoke(main, [
        "org", "create", "Rights Watch", "--admin", "head@example.org",
        "--invitation-file", str(tmp_path / "invitation.txt"), *args])


def organisation(db: Session, slug: str = "rights-watch") -> Organisation:
    db.expire_all()
    return db.scalars(sql_select(Organisation).where(Organisation.slug == slug)).one()


def file_a_case(db: Session, org: Organisation, blobs: BlobStore) -> Case:
    interviewer = add_member(db, org, "field@example.org", PASSWORD, Role.INTERVIEWER,
                             must_change_password=False)
    db.commit()
    return file_case(db, SimpleNamespace(members={Role.INTERVIEWER: interviewer}), blobs,
                     narrative=NARRATIVE)


def recovers(shares: list[str], recipient: str) -> bool:
    try:
        return ssss.combine_identity(shares).recipient == crypto.parse_recipient(recipient)
    except crypto.CryptoError:
        return False


def test_k_sheets_open_a_case_with_ssss_combine_and_age_and_k_minus_1_do_not(
        app: Flask, db: Session, blobs: BlobStore, tmp_path: Path) -> None:
    sheets_dir = tmp_path / "sheets"
    result = create(app, tmp_path, "--custodians", "4", "--threshold", "3",
                    "--shares-dir", str(sheets_dir), "--contact", "Min-ji, security lead")
    assert result.exit_code == 0, result.output
    org = organisation(db)
    assert (org.recovery_custodians, org.recovery_threshold) == (4, 3)
    assert stat.S_IMODE(sheets_dir.stat().st_mode) == 0o700
    sheets = sheets_in(sheets_dir)
    assert [path.name for path in sheets] == [
        f"recovery-share-rights-watch-{i}-of-4.pdf" for i in range(1, 5)]
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in sheets)
    shares = [share_from_sheet(path) for path in sheets]
    assert [share.split("-")[0] for share in shares] == ["1", "2", "3", "4"]
    assert len(set(shares)) == 4
    # Neither the identity nor a share reached the output (a log, here).
    assert "AGE-SECRET-KEY" not in result.output
    assert not any(share.split("-")[1][:16] in result.output for share in shares)

    # Each sheet: its own share, nobody else's; who, how many, whom to call.
    for path, share in zip(sheets, shares, strict=True):
        text = sheet_text(path)
        flat = "".join(text.split())
        assert share in flat
        assert [other for other in shares if other != share and
                other.split("-")[1][:12] in flat] == []
        assert "Rights Watch" in text
        assert org.recovery_recipient in flat
        assert "Min-ji, security lead" in text
        assert "ssss-combine -t 3 -q 2>&1 | grep -x 'AGE-SECRET-KEY-1[0-9A-Z]*' > " \
            "recovery.key" in " ".join(text.split())
        assert "Any 3 of the 4" in " ".join(text.split())

    case = file_a_case(db, org, blobs)
    for number, chosen in enumerate(itertools.combinations(shares, 3)):
        key = tmp_path / f"recovery-{number}.key"
        combined = ssss_combine_into(list(chosen), key)
        assert combined.returncode == 0
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        assert age_recipient_of(key) == org.recovery_recipient
        assert age_open_narrative(db, case, key, tmp_path) == NARRATIVE

    age_keygen = require_tool("age-keygen", "age")
    for number, chosen in enumerate(itertools.combinations(shares, 2)):
        # Two shares combined as if two were enough: some other string, no key.
        key = tmp_path / f"short-{number}.key"
        ssss_combine_into(list(chosen), key)
        derived = subprocess.run([age_keygen, "-y", str(key)], capture_output=True,
                                 text=True, check=False)
        assert derived.returncode != 0 or derived.stdout.strip() != org.recovery_recipient
        with pytest.raises(subprocess.CalledProcessError):
            age_open_narrative(db, case, key, tmp_path)
        assert not recovers(list(chosen), org.recovery_recipient)
        # Told that three are needed, ssss-combine waits for the third and fails.
        assert ssss_combine_into(list(chosen), tmp_path / f"wait-{number}.key",
                                 threshold=3).returncode != 0

    [created] = events(db, "org_created")
    assert created.details["recovery_to"] == "shares"
    assert (created.details["custodians"], created.details["threshold"]) == (4, 3)
    assert "AGE-SECRET" not in str(created.details)
    assert verify(db).ok


def test_default_is_two_of_three_and_each_qr_code_scans_to_its_own_share(
        app: Flask, db: Session, tmp_path: Path) -> None:
    require_tool("pdftoppm", "poppler-utils")
    result = create(app, tmp_path, "--shares-dir", str(tmp_path / "sheets"))
    assert result.exit_code == 0, result.output
    org = organisation(db)
    assert (org.recovery_custodians, org.recovery_threshold) == (3, 2)
    sheets = sheets_in(tmp_path / "sheets")
    assert len(sheets) == 3
    for path in sheets:
        share = share_from_sheet(path)
        assert qr_codes_on_sheet(path, tmp_path) == [share]
        # No contact given: a blank line to fill in by hand.
        assert "Contact" in sheet_text(path)
    shares = [share_from_sheet(path) for path in sheets]
    assert ssss.combine_identity(shares[:2]).recipient == \
        crypto.parse_recipient(org.recovery_recipient)


@pytest.mark.parametrize(("options", "fragment"), [
    (["--custodians", "3", "--threshold", "4"], "threshold"),
    (["--custodians", "3", "--threshold", "1"], "threshold"),
    (["--custodians", "21", "--threshold", "2"], "custodians <= 20"),
    ([], "--shares-dir"),
    (["--recovery-file", "R", "--threshold", "2"], "undivided"),
    (["--recovery-file", "R", "--shares-dir", "S"], "undivided"),
])
def test_a_bad_scheme_is_one_line_and_creates_nothing(
        app: Flask, db: Session, tmp_path: Path, options: list[str], fragment: str) -> None:
    options = [str(tmp_path / option) if option in {"R", "S"} else option
               for option in options]
    result = create(app, tmp_path, *options)
    assert result.exit_code == 1, result.output
    assert fragment in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert db.scalar(sql_select(func.count()).select_from(Organisation)) == 0
    assert {path.name for path in tmp_path.iterdir()} <= {"instance"}  # the SQLite database


def test_an_existing_sheet_directory_is_refused_and_left_alone(
        app: Flask, db: Session, tmp_path: Path) -> None:
    sheets_dir = tmp_path / "sheets"
    sheets_dir.mkdir()
    (sheets_dir / "older-share.pdf").write_text("an earlier set")
    result = create(app, tmp_path, "--shares-dir", str(sheets_dir))
    assert result.exit_code == 1
    assert "exists already" in result.output
    assert [path.name for path in sheets_dir.iterdir()] == ["older-share.pdf"]
    assert db.scalar(sql_select(func.count()).select_from(Organisation)) == 0
    assert not (tmp_path / "invitation.txt").exists()


def test_a_failure_after_the_sheets_removes_them(app: Flask, db: Session, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from app.orgs import cli as org_cli

    def broken(*_args: object) -> None:
        # The invitation is written after the sheets: they exist by now.
        assert len(list((tmp_path / "sheets").iterdir())) == 3
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(org_cli, "_write", broken)
    result = create(app, tmp_path, "--shares-dir", str(tmp_path / "sheets"))
    assert result.exit_code == 1, result.output
    assert not (tmp_path / "sheets").exists()
    assert not (tmp_path / "invitation.txt").exists()
    assert db.scalar(sql_select(func.count()).select_from(Organisation)) == 0
