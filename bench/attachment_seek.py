"""Seeking in a sealed recording: time to first byte of a Range request.

Files one case with an N MB WAV attachment (a real header, then noise)
through the real intake service (cleaned, sealed with age), starts gunicorn
on a fresh SQLite deployment, signs a reviewer in (password, TOTP), unlocks
their key, opens the case page once (the visit's one DECRYPT event), then
times the first body byte of

* a Range request for the last 64 KiB (pyrage cannot seek: everything before
  is decrypted and discarded), and
* a Range request for the first 64 KiB,

alternating, median of ``--repeat`` each, measured in the same run. The
ratio end/start is the cost of not being able to seek.

Last line: ``seek mb=N ttfb_end_ms=X ttfb_start_ms=Y``.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import statistics
import struct
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run by path, the script's folder (bench/) would come first on sys.path and
# bench/queue.py would shadow the standard library's queue: the repository
# root takes its place (siblings are imported as bench.<name>).
sys.path[0] = str(ROOT)
if str(ROOT / "tests" / "app") not in sys.path:
    sys.path.insert(1, str(ROOT / "tests" / "app"))

import pyotp  # noqa: E402
import requests  # noqa: E402
from live_server import launch_server  # noqa: E402
from web_support import CSRF_PATTERN  # noqa: E402

MB = 1024 * 1024
PIECE = 1024 * 1024
WINDOW = 64 * 1024
INTERVIEWER = "interviewer@bench.invalid"
REVIEWER = "reviewer@bench.invalid"


class WavSource:
    """A WAV header then ``data_bytes`` of noise, read in pieces: never all in memory."""

    def __init__(self, data_bytes: int) -> None:
        header = (b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE"
                  + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16)
                  + b"data" + struct.pack("<I", data_bytes))
        self._pieces = self._generate(header, data_bytes)
        self._buffer = b""

    @staticmethod
    def _generate(header: bytes, data_bytes: int) -> Iterator[bytes]:
        yield header
        noise = secrets.token_bytes(PIECE)
        left = data_bytes
        while left:
            size = min(PIECE, left)
            yield noise[:size]
            left -= size

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            piece = next(self._pieces, b"")
            if not piece:
                break
            self._buffer += piece
        if size < 0:
            size = len(self._buffer)
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


def prepare(work: Path, data_bytes: int, secrets_: dict[str, str]) -> tuple[str, str, str]:
    """Migrate a fresh database, add the members and file the case.

    Returns the database URL, the case's public id and the attachment's object id.
    """
    from alembic import command
    from sqlalchemy.orm import Session

    import crypto
    from app.audit.checkpoints import AuditSigner, session_info
    from app.audit.keyfile import read_signing_key, write_new_signing_key
    from app.auth import totp
    from app.cli import alembic_config
    from app.db import make_engine
    from app.intake.schema import IntakeAnswers
    from app.intake.sealing import AGE_SEALER
    from app.intake.service import IntakeSubmission
    from app.models import Role
    from app.orgs.service import add_member, add_member_key, create_organisation
    from app.storage import BlobStore

    url = f"sqlite:///{work / 'witnessbox.sqlite3'}"
    write_new_signing_key(work / "audit-signing-key")
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    try:
        signer = AuditSigner(read_signing_key(str(work / "audit-signing-key")))
        with Session(engine, info=session_info(signer)) as session:
            organisation = create_organisation(session, "bench", "Bench NGO").organisation
            interviewer = add_member(session, organisation, INTERVIEWER, secrets_["password"],
                                     Role.INTERVIEWER, must_change_password=False)
            reviewer = add_member(session, organisation, REVIEWER, secrets_["password"],
                                  Role.REVIEWER, must_change_password=False)
            identity = crypto.generate_identity()
            add_member_key(session, reviewer,
                           crypto.protect_identity(identity, secrets_["passphrase"]),
                           identity.recipient)
            totp.install_secret(reviewer.user, secrets_["totp"], (secrets_["seed"],))
            session.commit()
            started = time.perf_counter()
            with IntakeSubmission(session, interviewer, BlobStore(work / "blobs"),
                                  AGE_SEALER) as submission:
                submission.add_attachment("audio", "bench.wav", "audio/wav",
                                          WavSource(data_bytes))
                receipt = submission.store(IntakeAnswers(
                    values={"sector": "logging", "consent_scopes": ["internal_only"],
                            "source_connection": "witnessed"},
                    narrative="Benchmark case.", indicators={}), signer.signing_key)
            session.commit()
            print(f"filed {data_bytes / MB:.0f} MB through intake in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)
            case_id = receipt.case_id
            from sqlalchemy import select

            from app.models import Case, SealedKind
            case = session.scalars(select(Case).where(Case.public_id == case_id)).one()
            object_id = next(o.id for o in case.sealed_objects
                             if o.kind is SealedKind.ATTACHMENT)
    finally:
        engine.dispose()
    return url, case_id, object_id


def csrf(http: requests.Session, url: str) -> str:
    match = CSRF_PATTERN.search(http.get(url, timeout=60).text)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def sign_in(base: str, secrets_: dict[str, str]) -> requests.Session:
    http = requests.Session()
    for path, data in (
        ("/login", {"email": REVIEWER, "password": secrets_["password"]}),
        ("/login/code", {"code": pyotp.TOTP(secrets_["totp"]).now()}),
        ("/key/unlock", {"passphrase": secrets_["passphrase"]}),
    ):
        page = "/key" if path == "/key/unlock" else path
        response = http.post(f"{base}{path}", timeout=120, allow_redirects=False,
                             data={**data, "csrf_token": csrf(http, f"{base}{page}")})
        if response.status_code != 302:
            raise RuntimeError(f"{path}: {response.status_code}")
    return http


def ttfb_ms(http: requests.Session, url: str, byte_range: str, expect: int) -> float:
    started = time.perf_counter()
    with http.get(url, headers={"Range": byte_range}, stream=True, timeout=600) as response:
        if response.status_code != 206:
            raise RuntimeError(f"{byte_range}: {response.status_code}")
        first = response.raw.read(1)
        elapsed = (time.perf_counter() - started) * 1000
        rest = first + response.raw.read()
    if len(rest) != expect:
        raise RuntimeError(f"{byte_range}: {len(rest)} bytes, expected {expect}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200, help="attachment size in MB (MiB)")
    parser.add_argument("--repeat", type=int, default=3, help="timed requests per position")
    args = parser.parse_args(argv)
    data_bytes = args.mb * MB
    secrets_ = {"password": secrets.token_urlsafe(18), "passphrase": secrets.token_urlsafe(18),
                "totp": pyotp.random_base32(), "seed": secrets.token_urlsafe(48)}
    work = Path(tempfile.mkdtemp(prefix="witnessbox-bench-seek-"))
    server = None
    try:
        url, case_id, object_id = prepare(work, data_bytes, secrets_)
        config = work / "empty-config.toml"
        config.write_text("# benchmark: every setting comes from the environment\n")
        server = launch_server(work / "server", {
            "WITNESSBOX_CONFIG": str(config),
            "WITNESSBOX_DATABASE_URL": url,
            "WITNESSBOX_BLOB_DIR": str(work / "blobs"),
            "WITNESSBOX_SECRET_KEY": secrets.token_urlsafe(48),
            "WITNESSBOX_TOTP_SEED_KEYS": secrets_["seed"],
            "WITNESSBOX_AUDIT_SIGNING_KEY_FILE": str(work / "audit-signing-key"),
            "WITNESSBOX_SECURE_COOKIES": "false",
            "WITNESSBOX_BASE_URL": "https://bench.invalid",
        }, workers=1, gunicorn_args=["--timeout", "900"], log_level="info",
            access_log=False, inherit_witnessbox_env=False)
        server.wait_ready()
        http = sign_in(server.url, secrets_)
        page = http.get(f"{server.url}/cases/{case_id}", timeout=120)
        if page.status_code != 200:
            raise RuntimeError(f"case page: {page.status_code}")
        attachment = f"{server.url}/cases/{case_id}/attachments/{object_id}"
        size = data_bytes + 44
        end, start = [], []
        for _ in range(args.repeat):
            end.append(ttfb_ms(http, attachment, f"bytes=-{WINDOW}", WINDOW))
            start.append(ttfb_ms(http, attachment, f"bytes=0-{WINDOW - 1}", WINDOW))
        end_ms, start_ms = statistics.median(end), statistics.median(start)
        print(f"attachment {size} bytes; end: {', '.join(f'{v:.0f}' for v in end)} ms; "
              f"start: {', '.join(f'{v:.1f}' for v in start)} ms; "
              f"ratio end/start {end_ms / start_ms:.0f}; "
              f"decrypt-and-discard {data_bytes / MB / (end_ms / 1000):.0f} MB/s")
        print(f"seek mb={args.mb} ttfb_end_ms={end_ms:.0f} ttfb_start_ms={start_ms:.1f}")
        return 0
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
