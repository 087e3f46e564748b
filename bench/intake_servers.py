"""The benchmark's deployments (fresh migrated SQLite databases) and the
gunicorn servers on top of them, started by the tests' live-server helper."""

from __future__ import annotations

import contextlib
import ctypes
import os
import secrets
import signal
from dataclasses import dataclass
from pathlib import Path

from live_server import LiveServer, launch_server

from bench.intake_plan import INTERVIEWER, REVIEWER, ROOT
from bench.intake_procfs import child_pids, cpu_seconds, sched_ns


@dataclass(frozen=True)
class Deployment:
    """One fresh database + blob store + settings; a server runs on top of it."""

    name: str
    directory: Path
    database_path: Path
    blob_dir: Path
    password: str

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.database_path}"

    @property
    def audit_key_file(self) -> Path:
        return self.directory / "audit-signing-key"


def new_deployment(work: Path, name: str) -> Deployment:
    """Paths only: servers can be started on it before it is migrated, since
    nothing touches the database until the first signed-in request."""
    from app.audit.keyfile import write_new_signing_key

    directory = work / name
    directory.mkdir()
    deployment = Deployment(name, directory, directory / "witnessbox.sqlite3",
                            directory / "blobs", secrets.token_urlsafe(18))
    write_new_signing_key(deployment.audit_key_file)
    return deployment


def populate(deployment: Deployment, reviewer_key: tuple[bytes, str]) -> None:
    """Migrate the fresh SQLite database and add an organisation with an
    interviewer and a key-holding reviewer (wraps go to that reviewer and the
    organisation's recovery recipient: two per case)."""
    from alembic import command
    from sqlalchemy.orm import Session

    import crypto
    from app.audit.checkpoints import AuditSigner, session_info
    from app.audit.keyfile import read_signing_key
    from app.cli import alembic_config
    from app.db import make_engine
    from app.models import Role
    from app.orgs.service import add_member, add_member_key, create_organisation

    command.upgrade(alembic_config(deployment.database_url), "head")
    engine = make_engine(deployment.database_url)
    try:
        signer = AuditSigner(read_signing_key(deployment.audit_key_file))
        with Session(engine, info=session_info(signer)) as session:
            organisation = create_organisation(session, "bench", "Bench NGO").organisation
            add_member(session, organisation, INTERVIEWER, deployment.password, Role.INTERVIEWER,
                       must_change_password=False)
            reviewer = add_member(session, organisation, REVIEWER, secrets.token_urlsafe(18),
                                  Role.REVIEWER, must_change_password=False)
            protected, recipient = reviewer_key
            add_member_key(session, reviewer, protected, crypto.parse_recipient(recipient))
            session.commit()
    finally:
        engine.dispose()


def protected_reviewer_key() -> tuple[bytes, str]:
    """One passphrase-protected identity for every deployment: scrypt costs ~2 s."""
    import crypto

    identity = crypto.generate_identity()
    return crypto.protect_identity(identity, secrets.token_urlsafe(18)), str(identity.recipient)




def die_with_parent() -> None:
    """In a child (gunicorn before exec, a client after fork): SIGTERM it if the
    benchmark dies without cleaning up (SIGKILL, a crash), so no server is left
    serving a temporary database and no client keeps knocking."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Server:
    """A real gunicorn master with ``workers`` sync workers on 127.0.0.1."""

    def __init__(self, label: str, app_spec: str, deployment: Deployment, work: Path,
                 workers: int, max_upload_mib: int = 500) -> None:
        self.label = label
        self.deployment = deployment
        self.workers = workers
        config = work / "empty-config.toml"
        config.write_text("# benchmark: every setting comes from the environment\n")
        # No inherited WITNESSBOX_* variable may change what is measured, and
        # instance/config.toml must not be read: point the app at an empty file.
        env = {
            "WITNESSBOX_CONFIG": str(config),
            "WITNESSBOX_DATABASE_URL": deployment.database_url,
            "WITNESSBOX_BLOB_DIR": str(deployment.blob_dir),
            # A real secret rather than demo mode: demo mode would write
            # instance/demo-secret-key in the repository.
            "WITNESSBOX_SECRET_KEY": secrets.token_urlsafe(48),
            "WITNESSBOX_TOTP_SEED_KEYS": secrets.token_urlsafe(48),
            "WITNESSBOX_AUDIT_SIGNING_KEY_FILE": str(deployment.audit_key_file),
            "WITNESSBOX_SECURE_COOKIES": "false",  # plain HTTP on loopback
            "WITNESSBOX_BASE_URL": "https://bench.invalid",  # required; no links are followed
            "WITNESSBOX_MAX_UPLOAD_MB": str(max_upload_mib),
        }
        # Same process group as us: Ctrl-C in a terminal reaches gunicorn too.
        # No access log: a write per request would be measured along with sealing.
        self.live: LiveServer = launch_server(
            work / f"{label}.server", env, workers, app_spec=app_spec,
            gunicorn_args=["--timeout", "900", "--graceful-timeout", "5",
                           "--pythonpath", str(ROOT)],
            log_level="info", access_log=False, inherit_witnessbox_env=False,
            preexec_fn=die_with_parent)
        self.process = self.live.process
        self.base_url = self.live.url

    def wait_ready(self, timeout: float = 60.0) -> None:
        try:
            self.live.wait_ready(timeout, lambda: len(self.worker_pids()) == self.workers)
        except RuntimeError as exc:
            raise RuntimeError(f"{self.label}: {exc}") from None

    def worker_pids(self) -> list[int]:
        return child_pids(self.process.pid)

    def worker_cpu(self) -> float:
        total = 0.0
        for pid in self.worker_pids():
            with contextlib.suppress(OSError):
                total += cpu_seconds(pid)
        return total

    def worker_sched(self) -> tuple[float, float]:
        """Seconds the workers ran and waited for a CPU, summed over workers."""
        ran = waited = 0
        for pid in self.worker_pids():
            with contextlib.suppress(OSError):
                r, w = sched_ns(pid)
                ran, waited = ran + r, waited + w
        return ran / 1e9, waited / 1e9

    def log_tail(self, lines: int = 30) -> str:
        return self.live.log_tail(lines)

    def stop(self) -> None:
        workers = self.worker_pids() if self.process.poll() is None else []
        self.live.stop()
        # Workers whose master was killed outright exit on their own within a
        # second or so; make sure, by pid, and only if still gunicorn.
        for pid in workers:
            with contextlib.suppress(OSError):
                if b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    os.kill(pid, signal.SIGKILL)
