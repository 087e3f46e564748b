"""A real gunicorn server for end-to-end tests, with its own TMPDIR and logs."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from web_support import CSRF_PATTERN, SUBMISSION_TOKEN

from app.config import Settings


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


def start_server(root: Path, env_overrides: dict[str, str], workers: int = 2) -> LiveServer:
    """Serve ``app:create_app()`` with everything it writes under ``root``."""
    (root / "tmp").mkdir(parents=True, exist_ok=True)
    (root / "logs").mkdir(exist_ok=True)
    port = free_port()
    env = {**os.environ, "TMPDIR": str(root / "tmp"), **env_overrides}
    with (root / "logs" / "stdout.log").open("wb") as console:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "--workers", str(workers),
             "--bind", f"127.0.0.1:{port}", "--timeout", "120",
             "--error-logfile", str(root / "logs" / "error.log"),
             "--access-logfile", str(root / "logs" / "access.log"),
             "--capture-output", "--log-level", "debug", "app:create_app()"],
            env=env, cwd=Path(__file__).resolve().parents[2],
            stdout=console, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    # Generous: workers import the detector's models and the machine may be busy.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((root / "logs" / "error.log").read_text())
        try:
            requests.get(f"{url}/login", timeout=10)
            return LiveServer(url, process, root)
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    process.wait()
    raise RuntimeError("server did not start")


@contextmanager
def serving(settings: Settings, root: Path, workers: int = 2, **env: str) -> Iterator[LiveServer]:
    """Serve the test's database and blob store; ``env`` adds WITNESSBOX_* overrides."""
    live = start_server(root, {
        "WITNESSBOX_SECRET_KEY": settings.secret_key,
        "WITNESSBOX_TOTP_SEED_KEYS": ",".join(settings.totp_seed_keys),
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
