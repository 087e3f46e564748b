"""Recovery with stock tools: the Debian `age` CLI opens a case the app wrote.

This is the promise in docs/recovery.md: if Witnessbox disappears, an NGO
with its offline recovery identity (or a reviewer with their key) can still
read its archive. On PostgreSQL the ciphertext is fetched with `psql`, as the
document shows; on SQLite with Python's sqlite3 module, which does what the
`sqlite3` shell's `writefile()` does in the document.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest
from intake_data import full_form, receipt_page, submit
from sqlalchemy.engine import make_url

from app.config import Settings
from app.models import Role

AGE = shutil.which("age")
pytestmark = pytest.mark.age_cli

if AGE is None and os.environ.get("CI", "").lower() == "true":
    pytest.fail("the age CLI is missing: scripts/install-system-deps.sh installs it",
                pytrace=False)


def fetch(settings: Settings, case_id: str, query: tuple[str, str], out: Path) -> None:
    """Fetch one ciphertext (``(column, from-and-where clause)``) into ``out``."""
    column, clause = query
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(url.database or "") as connection:
            (value,) = connection.execute(f"select {column} {clause}", (case_id,)).fetchone()
        out.write_bytes(value)
        return
    # psql prints bytea as text: ask for base64 and decode it, as docs/recovery.md does.
    psql_query = f"select encode({column}, 'base64') {clause}".replace("?", f"'{case_id}'")
    result = subprocess.run(
        ["psql", "-At", "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432),
         "-U", url.username or "postgres", "-d", url.database or "", "-c", psql_query],
        check=True, capture_output=True, text=True)
    out.write_bytes(subprocess.run(["base64", "-d"], input=result.stdout.encode(),
                                   check=True, capture_output=True).stdout)


WRAP_QUERY = ("w.wrapped_key", "from case_key_wrap w join case_record c on c.id = w.case_id "
              "where c.public_id = ? and w.purpose = 'recovery'")
REVIEWER_WRAP_QUERY = ("w.wrapped_key", "from case_key_wrap w "
                       "join case_record c on c.id = w.case_id "
                       "join member_key k on k.id = w.member_key_id "
                       "join membership m on m.id = k.membership_id "
                       "where c.public_id = ? and m.role = 'reviewer'")
NARRATIVE_QUERY = ("o.inline_ciphertext", "from sealed_object o "
                   "join case_record c on c.id = o.case_id "
                   "where c.public_id = ? and o.kind = 'narrative'")


@pytest.mark.skipif(AGE is None, reason="the age CLI is not installed "
                    "(scripts/install-system-deps.sh installs it)")
@pytest.mark.parametrize("holder", ["recovery", "reviewer"])
def test_stock_age_cli_opens_a_case(interviewer: Any, demo_org: Any, settings: Settings,
                                    tmp_path: Path, holder: str) -> None:
    receipt = receipt_page(interviewer, submit(interviewer, full_form("Recoverable")))
    case_id = receipt.get_data(as_text=True).split('class="case-id">')[1].split("<")[0]

    identity = (demo_org.recovery if holder == "recovery"
                else demo_org.identities[Role.REVIEWER])
    identity_file = tmp_path / f"{holder}.key"
    identity_file.write_bytes(identity.to_age_identity_file())
    fetch(settings, case_id, WRAP_QUERY if holder == "recovery" else REVIEWER_WRAP_QUERY,
          tmp_path / "wrap.age")
    fetch(settings, case_id, NARRATIVE_QUERY, tmp_path / "narrative.age")

    # Command 1: unwrap the case key. Command 2: decrypt the narrative with it.
    subprocess.run([AGE, "-d", "-i", str(identity_file), "-o", str(tmp_path / "case.key"),
                    str(tmp_path / "wrap.age")], check=True)
    narrative = subprocess.run([AGE, "-d", "-i", str(tmp_path / "case.key"),
                                str(tmp_path / "narrative.age")],
                               check=True, capture_output=True).stdout.decode()
    assert narrative == full_form("Recoverable")["narrative"]

    # The interviewer's side has nothing that opens it: a fresh identity fails.
    stranger = tmp_path / "stranger.key"
    subprocess.run(["age-keygen", "-o",
                    str(stranger)], check=True, capture_output=True)
    failed = subprocess.run([AGE, "-d", "-i", str(stranger), str(tmp_path / "wrap.age")],
                            capture_output=True)
    assert failed.returncode != 0
