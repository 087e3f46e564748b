#!/usr/bin/env python3
"""Export benchmark: build a signed bundle of N approved cases; time and peak memory.

    .venv/bin/python bench/export.py                     # 1,000 and 10,000 cases
    .venv/bin/python bench/export.py --cases 200         # a smoke run

For each N, untimed: a SQLite database made by the migrations in a
temporary directory, one organisation, N cases filed through the intake
service (narrative with names, sealed fields with a birth year, a province,
a place in Russia and dispatch dates, 3 to 8 ILO indicator answers, consent
to every purpose), each with a sealed redaction layer masking the names and
set to approved (the layer is written directly, not through the editor).

Timed, in a fresh process so that seeding does not count: one "share_un"
export of every case through app.exports.service.create (select, decrypt,
generalise, suppress, PDF, leak check, bag, signature, tar). Its peak RSS is
the process's maximum resident set (getrusage).

One line per N, then the ratio of the largest N's peak memory to the
smallest's, then as the last line ``export cases=N seconds=S
peak_rss_mib=M`` for the largest N. The target: memory at 10,000 cases
within 1.3x of memory at 1,000.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run by path, bench/ would come first on sys.path and bench/queue.py would
# shadow the standard library's queue: the repository root takes its place.
sys.path[0] = str(ROOT)

from alembic import command  # noqa: E402
from sqlalchemy import select  # noqa: E402

import crypto  # noqa: E402
from app import create_app  # noqa: E402
from app.audit.checkpoints import signer_for  # noqa: E402
from app.audit.keyfile import write_new_signing_key  # noqa: E402
from app.cli import alembic_config  # noqa: E402
from app.config import Settings  # noqa: E402
from app.intake import schema  # noqa: E402
from app.intake.schema import IntakeAnswers  # noqa: E402
from app.intake.sealing import AGE_SEALER  # noqa: E402
from app.intake.service import IntakeSubmission  # noqa: E402
from app.models import Case, CaseStatus, LayerEvent, Membership, RedactionVersion, Role  # noqa: E402
from app.orgs.service import add_member, add_member_key, create_organisation  # noqa: E402
from app.review.layers import ACCEPTED, Layer, LayerSpan  # noqa: E402
from app.storage import BlobStore  # noqa: E402

SURNAMES = ["Kim", "Pak", "Ri", "Choe", "Jong", "Kang", "Han", "Yun", "Jang", "Rim"]
GIVEN = ["Chol-su", "Yong-ho", "Myong-hak", "Song-il", "Kwang-jin", "Hyok", "Un-gyong"]
PROVINCES = ["North Hamgyong", "South Hamgyong", "Ryanggang", "South Pyongan", "Kangwon"]
PLACES = ["Vladivostok", "Khabarovsk", "Nakhodka", "Blagoveshchensk", "Moscow", "Tomsk"]
FILLER = ("We started at six and stopped after midnight, every day except the national "
          "holidays. The security officer read our letters and took our phones. The loyalty "
          "fee was taken from the wage before we saw it, and the rest was promised for the "
          "day we went home. ")


def _settings(work: Path) -> Settings:
    return Settings(secret_key="bench-" + "x" * 40, totp_seed_keys=("t" * 40,),
                    audit_signing_key_file=str(work / "audit-key"),
                    database_url=f"sqlite:///{work / 'bench.sqlite3'}",
                    blob_dir=str(work / "blobs"), export_dir=str(work / "exports"),
                    export_key_dir=str(work / "export-keys"), log_level="WARNING")


def seed(cases: int, work: Path) -> None:
    settings = _settings(work)
    command.upgrade(alembic_config(settings.database_url), "head")
    write_new_signing_key(work / "audit-key")
    app = create_app(settings)
    db = app.extensions["witnessbox.sessionmaker"]()
    organisation = create_organisation(db, "bench", "Bench NGO").organisation
    members = {}
    admin_identity = crypto.generate_identity()
    for role in Role:
        members[role] = add_member(db, organisation, f"{role.value}@bench.test",
                                   "bench password 123", role, must_change_password=False)
        if role.holds_key:
            identity = admin_identity if role is Role.ADMIN else crypto.generate_identity()
            # The protection is never opened here: any bytes stand in for it.
            add_member_key(db, members[role], b"unused", identity.recipient)
    db.commit()
    (work / "admin.key").write_bytes(admin_identity.to_age_identity_file())
    blobs = BlobStore(settings.blob_dir)
    rng = random.Random(cases)
    indicators = [name for name, _label in schema.ILO_INDICATORS]
    receipt_key = signer_for(db).signing_key
    for number in range(cases):
        name = f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"
        place = rng.choice(PLACES)
        narrative = (f"My foreman {name} took our passports in {place}. " + FILLER * 4
                     + f"Later {name} said we would never leave.")
        answers = {indicator: {"present": rng.choice(["yes", "yes", "no", "unknown"]),
                               "basis": "experienced", "frequency": None}
                   for indicator in rng.sample(indicators, rng.randint(3, 8))}
        with IntakeSubmission(db, members[Role.INTERVIEWER], blobs, AGE_SEALER) as submission:
            receipt = submission.store(IntakeAnswers(values={
                "sector": rng.choice(schema.SECTORS)[0],
                "consent_scopes": ["aggregate_stats", "anonymised_quotes", "share_un",
                                   "share_prosecutors"],
                "source_connection": "experienced", "name_dprk": name,
                "birth_year": rng.randint(1960, 2000), "sex": rng.choice(["male", "female"]),
                "hometown_province": rng.choice(PROVINCES), "russian_location": place,
                "dispatch_start": f"{rng.randint(2008, 2022)}-0{rng.randint(1, 9)}-01",
            }, narrative=narrative, indicators=answers), receipt_key)
        case = db.scalars(select(Case).where(Case.public_id == receipt.case_id)).one()
        spans = [LayerSpan("narrative", start, start + len(name), "PERSON", "DIRECT", ACCEPTED,
                           "[PERSON-1]")
                 for start in (narrative.index(name), narrative.rindex(name))]
        spans.append(LayerSpan("narrative", narrative.index(place),
                               narrative.index(place) + len(place), "PLACE", "QUASI", ACCEPTED,
                               "[PLACE-1]"))
        spans.append(LayerSpan("name_dprk", 0, len(name), "PERSON", "DIRECT", ACCEPTED,
                               "[PERSON-1]"))
        db.add(RedactionVersion(
            case_id=case.id, number=1, author_membership_id=members[Role.REVIEWER].id,
            event=LayerEvent.SUBMITTED,
            ciphertext=crypto.seal(Layer(spans=spans).to_json(),
                                   [crypto.parse_recipient(case.case_recipient)])))
        case.status = CaseStatus.APPROVED
        if number % 200 == 0:
            db.commit()
    db.commit()
    db.close()
    app.extensions["witnessbox.engine"].dispose()


def build(work: Path) -> dict[str, float]:
    """In this (fresh) process: one export of every case; seconds and peak RSS."""
    from app.exports import service
    from app.exports.selection import ExportScope
    from app.models import ExportPurpose

    settings = _settings(work)
    app = create_app(settings)
    db = app.extensions["witnessbox.sessionmaker"]()
    admin = db.scalars(select(Membership).where(Membership.role == Role.ADMIN)).one()
    identity = crypto.parse_identity((work / "admin.key").read_text())
    started = time.perf_counter()
    export = service.create(db, admin, identity, BlobStore(settings.blob_dir),
                            purpose=ExportPurpose.SHARE_UN, scope=ExportScope(),
                            export_dir=Path(settings.export_dir),
                            key_dir=Path(settings.export_key_dir))
    db.commit()
    seconds = time.perf_counter() - started
    if export.refusal:
        raise SystemExit(f"the export was refused: {export.refusal}")
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "peak_rss_mib": peak_kib / 1024,
            "included": export.included_count, "bundle_mib": (export.bundle_size or 0) / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--build-in", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_in:
        print(json.dumps(build(args.build_in)))
        return
    results = {}
    with tempfile.TemporaryDirectory(prefix="witnessbox-bench-export-") as tmp:
        for cases in sorted(args.cases):
            work = Path(tmp) / str(cases)
            work.mkdir()
            started = time.perf_counter()
            seed(cases, work)
            seeded = time.perf_counter() - started
            child = subprocess.run([sys.executable, __file__, "--build-in", str(work)],
                                   capture_output=True, text=True, check=False)
            if child.returncode != 0:
                raise SystemExit(child.stdout[-2000:] + child.stderr[-4000:])
            result = json.loads(child.stdout.strip().splitlines()[-1])
            assert result["included"] == cases, result
            results[cases] = result
            print(f"cases={cases} seed_s={seeded:.1f} export_s={result['seconds']:.1f} "
                  f"peak_rss_mib={result['peak_rss_mib']:.0f} "
                  f"bundle_mib={result['bundle_mib']:.1f}", flush=True)
    smallest, largest = min(results), max(results)
    if largest != smallest:
        print(f"memory ratio {largest}/{smallest} cases = "
              f"{results[largest]['peak_rss_mib'] / results[smallest]['peak_rss_mib']:.2f}")
    print(f"export cases={largest} seconds={results[largest]['seconds']:.1f} "
          f"peak_rss_mib={results[largest]['peak_rss_mib']:.0f}")


if __name__ == "__main__":
    main()
