#!/usr/bin/env python3
"""Queue benchmark: the reviewer's common queue pages over HTTP on PostgreSQL.

    .venv/bin/python bench/queue.py                 # 100,000 cases
    .venv/bin/python bench/queue.py --cases 1000000
    .venv/bin/python bench/queue.py --cases 200 --rounds 3   # smoke run

1. A fresh PostgreSQL database (``WITNESSBOX_TEST_POSTGRES_URL``, as the
   tests use; tests/pgtools.py), migrated to head, with one organisation, an
   interviewer who filed everything, and one reviewer with a real key and
   two-factor sign-in.
2. N cases seeded with COPY: coded columns, realistic indicator answers
   (2 to 7 per case, about half "present"; tests/app/queue_data.py) and a
   dummy key wrap per case to the reviewer. Nothing is sealed: the queue reads
   coded columns only. ANALYZE afterwards, as autovacuum would.
3. gunicorn (2 workers) serving ``app:create_app()`` on the database; the
   reviewer signs in through the real pages (password, then a TOTP code) with
   ``requests``.
4. Rounds of the common pages: the first page, a filtered page (status and
   two indicators), a page sorted by priority, and a deep page (the 21st,
   reached by following the Next links). Every request is timed end to end;
   p50 and p95 over all of them are the headline. The status-ordered page is
   timed too and reported on its own.
5. EXPLAIN of the first page's and the deep page's query, to show that they
   are served by an index and not a sequential scan.

The last line is ``queue cases=N p50_ms=X p95_ms=Y``. The database and the
server are removed on exit.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from html import unescape
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The repository root first, never bench/ (this file would shadow the standard
# library's queue module); then the tests' helpers.
sys.path[0] = str(ROOT)
for _helpers in (ROOT / "tests", ROOT / "tests" / "app"):
    if str(_helpers) not in sys.path:
        sys.path.insert(1, str(_helpers))
os.environ.setdefault("WITNESSBOX_TEST_POSTGRES_URL",
                      "postgresql+psycopg://postgres@127.0.0.1:5432/test")

import psycopg  # noqa: E402
import pyotp  # noqa: E402
import requests  # noqa: E402
from live_server import launch_server  # noqa: E402
from pgtools import drop_postgres_database, fresh_postgres_database  # noqa: E402
from queue_data import DUMMY_RECIPIENT, generate  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from web_support import CSRF_PATTERN  # noqa: E402

PASSWORD = "bench reviewer password " + secrets.token_urlsafe(8)
REVIEWER, INTERVIEWER = "reviewer@bench.test", "interviewer@bench.test"
TOTP_SEED_KEYS = (secrets.token_urlsafe(40),)
SECRET_KEY = secrets.token_urlsafe(40)
PAGES = {
    "first": "/queue",
    "filtered": "/queue?status=in_review&indicator=deception&indicator=debt_bondage",
    "sorted": "/queue?sort=priority",
}
DEEP_PAGE = 21
NEXT = re.compile(r'<a href="([^"]+)" rel="next">')
ROW = re.compile(r'<tr class="case-row"')


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=60,
                        help="requests per page kind (default 60)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def setup(url: str) -> dict[str, Any]:
    """Migrate; one organisation, an interviewer, a reviewer with key and TOTP."""
    from alembic import command
    from sqlalchemy.orm import Session

    import crypto
    from app.audit.checkpoints import AuditSigner, session_info
    from app.audit.keyfile import read_signing_key
    from app.auth import totp
    from app.cli import alembic_config
    from app.db import make_engine
    from app.models import Role
    from app.orgs.service import add_member, add_member_key, create_organisation

    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    try:
        signer = AuditSigner(read_signing_key(os.environ["BENCH_AUDIT_KEY"]))
        with Session(engine, info=session_info(signer)) as session:
            organisation = create_organisation(session, "bench", "Bench NGO").organisation
            interviewer = add_member(session, organisation, INTERVIEWER, PASSWORD,
                                     Role.INTERVIEWER, must_change_password=False)
            reviewer = add_member(session, organisation, REVIEWER, PASSWORD, Role.REVIEWER,
                                  must_change_password=False)
            identity = crypto.generate_identity()
            key = add_member_key(session, reviewer,
                                 crypto.protect_identity(identity, secrets.token_urlsafe(18)),
                                 identity.recipient)
            secret = pyotp.random_base32()
            totp.install_secret(reviewer.user, secret, TOTP_SEED_KEYS)
            session.commit()
            return {"organisation": organisation.id, "interviewer": interviewer.id,
                    "reviewer_key": key.id, "totp": secret}
    finally:
        engine.dispose()


def seed(url: str, ids: dict[str, Any], count: int, seed_value: int) -> float:
    """COPY ``count`` cases, their indicator rows and one wrap each; seconds taken."""
    started = time.perf_counter()
    with psycopg.connect(_libpq(url)) as connection, connection.cursor() as cursor:
        with cursor.copy(
                "COPY case_record (id, public_id, organisation_id, created_by_membership_id, "
                "status, priority, case_recipient, sector, recontact_allowed, consent_scopes, "
                "conditions, created_at, updated_at, status_changed_at) FROM STDIN") as copy:
            answers: list[tuple[int, str, str]] = []
            for case in generate(count, seed=seed_value, same_instant_every=3):
                case_id = case.index + 1
                copy.write_row((case_id, case.public_id, ids["organisation"],
                                ids["interviewer"], case.status.value, int(case.priority),
                                DUMMY_RECIPIENT, case.sector, False, '["internal_only"]', "{}",
                                case.created_at, case.created_at, case.created_at))
                answers.extend((case_id, code, presence) for code, presence in case.answers)
        with cursor.copy("COPY case_indicator (case_id, indicator, present) FROM STDIN") as copy:
            for row in answers:
                copy.write_row(row)
        with cursor.copy("COPY case_key_wrap (case_id, member_key_id, purpose, recipient, "
                         "wrapped_key, created_at) FROM STDIN") as copy:
            for case_id in range(1, count + 1):
                copy.write_row((case_id, ids["reviewer_key"], "member", "dummy-reviewer",
                                b"not a key", "2026-01-01T00:00:00+00:00"))
        cursor.execute("SELECT setval(pg_get_serial_sequence('case_record', 'id'), %s)",
                       (count,))
        connection.commit()
        connection.autocommit = True
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def sign_in(base: str, secret: str) -> requests.Session:
    http = requests.Session()
    token = CSRF_PATTERN.search(http.get(f"{base}/login", timeout=30).text)
    assert token
    response = http.post(f"{base}/login", allow_redirects=False, timeout=60, data={
        "email": REVIEWER, "password": PASSWORD, "csrf_token": token.group(1)})
    assert response.headers["Location"].endswith("/login/code"), response.status_code
    token = CSRF_PATTERN.search(http.get(f"{base}/login/code", timeout=30).text)
    assert token
    response = http.post(f"{base}/login/code", allow_redirects=False, timeout=30, data={
        "code": pyotp.TOTP(secret).now(), "csrf_token": token.group(1)})
    assert response.status_code == 302
    assert "/login" not in response.headers["Location"]
    return http


def get(http: requests.Session, url: str) -> tuple[float, str]:
    started = time.perf_counter()
    response = http.get(url, timeout=60)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return elapsed, response.text


def deep_url(http: requests.Session, base: str) -> str:
    """The queue's 21st page, reached as a person would: Next, Next, ..."""
    url = base + PAGES["first"]
    for _ in range(DEEP_PAGE - 1):
        _elapsed, page = get(http, url)
        found = NEXT.search(page)
        if found is None:  # fewer cases than that: the last page is the deepest
            break
        url = base + unescape(found.group(1))
    return url


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def explain(url: str, ids: dict[str, Any], deep_cursor: str | None) -> dict[str, list[str]]:
    """EXPLAIN of the service's own queries for the first page and the deep page."""
    from sqlalchemy import event, select
    from sqlalchemy.orm import Session

    from app.db import make_engine
    from app.models import Membership
    from app.queue import service

    engine = make_engine(url)
    plans: dict[str, list[str]] = {}
    try:
        with Session(engine) as session:
            reviewer = session.scalars(select(Membership).where(
                Membership.organisation_id == ids["organisation"],
                Membership.role == "reviewer")).one()
            for label, cursor in (("first", None), ("deep", deep_cursor)):
                seen: list[tuple[str, Any]] = []

                def capture(_conn: Any, _cur: Any, statement: str, parameters: Any,
                            _context: Any, _many: bool, seen: list[tuple[str, Any]] = seen
                            ) -> None:
                    if "FROM case_record" in statement and "ORDER BY" in statement:
                        seen.append((statement, parameters))

                event.listen(engine, "before_cursor_execute", capture)
                service.queue_page(session, reviewer, service.QueueFilter(),
                                   service.Sort.NEWEST, cursor)
                event.remove(engine, "before_cursor_execute", capture)
                statement, parameters = seen[0]
                raw = session.connection().connection.driver_connection
                assert raw is not None
                with raw.cursor() as pg:
                    pg.execute("EXPLAIN " + statement, parameters)  # type: ignore[arg-type]
                    plans[label] = [line for (line,) in pg.fetchall()]
    finally:
        engine.dispose()
    return plans


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="witnessbox-bench-queue-"))
    from app.audit.keyfile import write_new_signing_key

    audit_key = work / "audit-signing-key"
    write_new_signing_key(audit_key)
    os.environ["BENCH_AUDIT_KEY"] = str(audit_key)
    name, url = fresh_postgres_database()
    server = None
    try:
        ids = setup(url)
        seconds = seed(url, ids, args.cases, args.seed)
        print(f"seeded {args.cases} cases with indicators and wraps in {seconds:.1f} s",
              flush=True)
        server = launch_server(work / "server", {
            "WITNESSBOX_DATABASE_URL": url, "WITNESSBOX_SECRET_KEY": SECRET_KEY,
            "WITNESSBOX_TOTP_SEED_KEYS": ",".join(TOTP_SEED_KEYS),
            "WITNESSBOX_AUDIT_SIGNING_KEY_FILE": str(audit_key),
            "WITNESSBOX_BASE_URL": "https://bench.invalid",
            "WITNESSBOX_SECURE_COOKIES": "false", "WITNESSBOX_LOG_LEVEL": "WARNING",
            "WITNESSBOX_BLOB_DIR": str(work / "blobs"),
        }, args.workers, log_level="warning", access_log=False, inherit_witnessbox_env=False)
        server.wait_ready()
        http = sign_in(server.url, ids["totp"])
        urls = {kind: server.url + path for kind, path in PAGES.items()}
        urls["deep"] = deep_url(http, server.url)
        urls_status = server.url + "/queue?sort=status"
        for url_ in [*urls.values(), urls_status]:  # warm the workers and caches
            get(http, url_)
        timings: dict[str, list[float]] = {kind: [] for kind in urls}
        status_timings: list[float] = []
        rows: dict[str, int] = {}
        for _ in range(args.rounds):
            for kind, page_url in urls.items():
                elapsed, page = get(http, page_url)
                timings[kind].append(elapsed)
                rows[kind] = len(ROW.findall(page))
            status_timings.append(get(http, urls_status)[0])
        for kind, values in timings.items():
            print(f"{kind:>9}: rows={rows[kind]:>2} p50={statistics.median(values):6.1f} ms "
                  f"p95={percentile(values, 0.95):6.1f} ms")
        print(f"   status: p50={statistics.median(status_timings):6.1f} ms "
              f"p95={percentile(status_timings, 0.95):6.1f} ms (not in the headline)")
        cursor = unescape(urls["deep"]).split("after=")[-1] if "after=" in urls["deep"] else None
        for label, plan in explain(url, ids, cursor).items():
            scans = [line.strip() for line in plan if "Scan" in line or "Index Cond" in line]
            print(f"explain {label}: " + " | ".join(scans))
        everything = [value for values in timings.values() for value in values]
        print(f"queue cases={args.cases} p50_ms={statistics.median(everything):.1f} "
              f"p95_ms={percentile(everything, 0.95):.1f}")
        return 0
    finally:
        if server is not None:
            server.stop()
        drop_postgres_database(name)
        for path in sorted(work.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        work.rmdir()


if __name__ == "__main__":
    sys.exit(main())
