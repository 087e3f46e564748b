#!/usr/bin/env python3
"""Grant benchmark: what granting costs per case, against the bare re-wrap.

    .venv/bin/python bench/grants.py               # 50 and 200 cases (~1 min)
    .venv/bin/python bench/grants.py --cases 20 100

A SQLite database made by the migrations in a temporary directory; one
organisation whose new cases go to the triage group only (the admin gets
them, the reviewer does not). Untimed: filing the cases through the intake
service. Timed, in the same run:

* ``rewrap``: unwrapping each case key with the admin's identity and
  wrapping it to the reviewer (crypto only, no database): the floor;
* ``grant``: ``app.grants.service.grant`` by filter over the same cases, and
  its flush and commit: the wrap rows, the grant history and one GRANT event
  per case (each signs an audit checkpoint at once).

The last line is ``grants cases=N grant_ms_per_case=G rewrap_ms_per_case=W
ratio=R`` for the largest N; R is what the database and the signed audit
cost on top of the cryptography. A grant to the same cases again (already
held) is timed too.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run by path, the script's folder (bench/) would come first on sys.path and
# bench/queue.py would shadow the standard library's queue: the repository
# root takes its place (siblings are imported as bench.<name>).
sys.path[0] = str(ROOT)
if str(ROOT / "tests" / "app") not in sys.path:
    sys.path.insert(1, str(ROOT / "tests" / "app"))

from alembic import command  # noqa: E402
from sqlalchemy import select  # noqa: E402

import crypto  # noqa: E402
from app import create_app  # noqa: E402
from app.audit.checkpoints import signer_for  # noqa: E402
from app.audit.keyfile import write_new_signing_key  # noqa: E402
from app.cli import alembic_config  # noqa: E402
from app.config import Settings  # noqa: E402
from app.grants import service as grants  # noqa: E402
from app.intake.schema import IntakeAnswers  # noqa: E402
from app.intake.sealing import AGE_SEALER  # noqa: E402
from app.intake.service import IntakeSubmission  # noqa: E402
from app.models import Case, CaseKeyWrap, NewCasesTo, Role  # noqa: E402
from app.orgs.service import add_member, add_member_key, create_organisation  # noqa: E402
from app.storage import BlobStore  # noqa: E402


def run(cases: int, workdir: Path) -> tuple[float, float, float]:
    url = f"sqlite:///{workdir / f'bench-{cases}.sqlite3'}"
    command.upgrade(alembic_config(url), "head")
    key_file = workdir / f"audit-{cases}"
    write_new_signing_key(key_file)
    app = create_app(Settings(secret_key="bench-" + "x" * 40, totp_seed_keys=("t" * 40,),
                              audit_signing_key_file=str(key_file), database_url=url,
                              blob_dir=str(workdir / "blobs"), log_level="WARNING"))
    db = app.extensions["witnessbox.sessionmaker"]()
    organisation = create_organisation(db, f"bench{cases}", "Bench NGO").organisation
    organisation.new_cases_to = NewCasesTo.TRIAGE_GROUP
    members = {}
    identities = {}
    for role in Role:
        members[role] = add_member(db, organisation, f"{role.value}@bench.test",
                                   "bench password 123", role, must_change_password=False)
        if role.holds_key:
            identities[role] = crypto.generate_identity()
            # The protection is never opened here: any bytes stand in for it.
            add_member_key(db, members[role], b"unused", identities[role].recipient)
    db.commit()
    blobs = BlobStore(str(workdir / "blobs"))
    for _ in range(cases):
        with IntakeSubmission(db, members[Role.INTERVIEWER], blobs, AGE_SEALER) as submission:
            submission.store(IntakeAnswers(
                values={"sector": "logging", "consent_scopes": ["internal_only"],
                        "source_connection": "witnessed"},
                narrative="A narrative for the benchmark.", indicators={}),
                signer_for(db).signing_key)
        db.commit()

    admin, reviewer = members[Role.ADMIN], members[Role.REVIEWER]
    admin_key = admin.current_key
    assert admin_key is not None
    wraps = list(db.scalars(select(CaseKeyWrap.wrapped_key).where(
        CaseKeyWrap.member_key_id == admin_key.id)))
    recipient = identities[Role.REVIEWER].recipient
    started = time.perf_counter()
    for wrapped in wraps:
        crypto.CaseKey.unwrap(wrapped, [identities[Role.ADMIN]]).wrap([recipient])
    rewrap = time.perf_counter() - started

    selection = grants.Selection(grants.Scope.FILTER, sector="logging")
    timings = []
    for _ in range(2):
        started = time.perf_counter()
        chosen = grants.select_cases(db, admin, selection)
        outcome = grants.grant(db, admin, identities[Role.ADMIN], reviewer.id, chosen,
                               scope="filter")
        db.commit()
        timings.append(time.perf_counter() - started)
        assert outcome.selected == cases
    assert db.scalar(select(Case.id).limit(1)) is not None
    db.close()
    app.extensions["witnessbox.engine"].dispose()
    return timings[0], timings[1], rewrap


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, nargs="+", default=[50, 200])
    args = parser.parse_args()
    last = ""
    with tempfile.TemporaryDirectory() as tmp:
        for cases in args.cases:
            grant, again, rewrap = run(cases, Path(tmp))
            print(f"cases={cases} grant_s={grant:.3f} grant_again_s={again:.3f} "
                  f"rewrap_s={rewrap:.3f}")
            last = (f"grants cases={cases} grant_ms_per_case={1000 * grant / cases:.2f} "
                    f"rewrap_ms_per_case={1000 * rewrap / cases:.2f} "
                    f"ratio={grant / rewrap:.1f}")
    print(last)


if __name__ == "__main__":
    main()
