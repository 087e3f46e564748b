"""A real gunicorn server for end-to-end tests, with its own TMPDIR and logs."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from web_support import CSRF_PATTERN, SUBMISSION_TOKEN

from app.config import Settings

REPOSITORY = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    root: Path

    def wait_ready(self, timeout: float = 90, workers: Callable[[], bool] | None = None
                   ) -> None:
        """Until the sign-in page answers (and ``workers()`` says they are all up)."""
        # Generous: workers import the detector's models and the machine may be busy.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log_tail()}")
            try:
                if (requests.get(f"{self.url}/login", timeout=10).status_code == 200
                        and (workers is None or workers())):
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.process.kill()
        self.process.wait()
        raise RuntimeError(f"server did not start in {timeout} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        logs = self.root / "logs"
        text = "\n".join(path.read_text(errors="replace") for path in
                         (logs / "error.log", logs / "stdout.log") if path.exists())
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def session(self, email: str, password: str) -> requests.Session:
        http = requests.Session()
        token = CSRF_PATTERN.search(http.get(f"{self.url}/login", timeout=30).text)
        assert token
        response = http.post(f"{self.url}/login", timeout=30, allow_redirects=False, data={
            "email": email, "password": password, "csrf_token": token.group(1)})
        assert response.status_code == 302, response.text
        return http

    def csrf(self, http: requests.Session, path: str) -> str:
        token = CSRF_PATTERN.search(http.get(f"{self.url}{path}", timeout=30).text)
        assert token
        return token.group(1)

    def intake_tokens(self, http: requests.Session) -> list[tuple[str, str]]:
        """The CSRF and one-time submission tokens of a freshly opened intake
        form, as the form's first fields (they must precede the files)."""
        page = http.get(f"{self.url}/intake/", timeout=30)
        csrf, submission = CSRF_PATTERN.search(page.text), SUBMISSION_TOKEN.search(page.text)
        assert csrf, f"no CSRF token on the intake form ({page.status_code})"
        assert submission, f"no submission token on the intake form ({page.status_code})"
        return [("csrf_token", csrf.group(1)), ("submission_token", submission.group(1))]


def launch_server(root: Path, env_overrides: dict[str, str], workers: int = 2, *,
                  app_spec: str = "app:create_app()", gunicorn_args: Sequence[str] = (),
                  log_level: str = "debug", access_log: bool = True,
                  inherit_witnessbox_env: bool = True,
                  preexec_fn: Callable[[], None] | None = None,
                  bind: str | None = None) -> LiveServer:
    """Start gunicorn serving ``app_spec`` on a free loopback port, without
    waiting for it (see :meth:`LiveServer.wait_ready`). Everything it writes
    goes under ``root``: ``tmp/`` (its TMPDIR) and ``logs/``.

    ``inherit_witnessbox_env=False`` drops this process's WITNESSBOX_*
    variables, so only ``env_overrides`` configure the app (the benchmark);
    ``access_log=False`` spares a measured server a log write per request.
    ``bind`` replaces the loopback port (e.g. ``unix:/run/x.sock``, as
    deploy/witnessbox.service binds); the server's ``url`` is then that
    address, and requests go through whatever proxy the test puts in front.
    """
    (root / "tmp").mkdir(parents=True, exist_ok=True)
    (root / "logs").mkdir(exist_ok=True)
    address = bind or f"127.0.0.1:{free_port()}"
    inherited = {k: v for k, v in os.environ.items()
                 if inherit_witnessbox_env or not k.startswith("WITNESSBOX_")}
    env = {**inherited, "TMPDIR": str(root / "tmp"), **env_overrides}
    access = ["--access-logfile", str(root / "logs" / "access.log")] if access_log else []
    with (root / "logs" / "stdout.log").open("wb") as console:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "--workers", str(workers),
             "--bind", address, "--timeout", "120", *gunicorn_args,
             "--error-logfile", str(root / "logs" / "error.log"), *access,
             "--capture-output", "--log-level", log_level, app_spec],
            env=env, cwd=REPOSITORY, stdout=console, stderr=subprocess.STDOUT,
            preexec_fn=preexec_fn)
    return LiveServer(address if bind else f"http://{address}", process, root)


def start_server(root: Path, env_overrides: dict[str, str], workers: int = 2) -> LiveServer:
    """Serve ``app:create_app()`` with everything it writes under ``root``."""
    live = launch_server(root, env_overrides, workers)
    live.wait_ready()
    return live


@contextmanager
def serving(settings: Settings, root: Path, workers: int = 2, **env: str) -> Iterator[LiveServer]:
    """Serve the test's database and blob store; ``env`` adds WITNESSBOX_* overrides."""
    live = start_server(root, {
        "WITNESSBOX_SECRET_KEY": settings.secret_key,
        "WITNESSBOX_TOTP_SEED_KEYS": ",".join(settings.totp_seed_keys),
        "WITNESSBOX_AUDIT_SIGNING_KEY_FILE": settings.audit_signing_key_file,
        "WITNESSBOX_DATABASE_URL": settings.database_url,
        "WITNESSBOX_BLOB_DIR": settings.blob_dir,
        "WITNESSBOX_BASE_URL": settings.base_url,
        "WITNESSBOX_SECURE_COOKIES": "false",
        **{f"WITNESSBOX_{key.upper()}": value for key, value in env.items()},
    }, workers=workers)
    try:
        yield live
    finally:
        live.stop()
