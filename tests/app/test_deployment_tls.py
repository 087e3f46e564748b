"""The deployment of docs/deploy.md, for real: the files under deploy/ run as
shipped (only paths, ports and the host name replaced), gunicorn on a unix
socket behind nginx with TLS, PostgreSQL, Redis rate limits, non-demo settings.

The first organisation is made with ``witnessbox org create`` (a subprocess
with gunicorn's environment); its admin accepts the invitation over HTTPS,
enrols TOTP, invites a reviewer and an interviewer; the interviewer files a
case and the reviewer unlocks their key and reads it.

The proxy design under test: nginx overwrites X-Forwarded-For with the
address it sees and the app trusts exactly one hop, so a client-supplied
header changes nothing. Bypassing nginx is made impossible rather than
harmless: gunicorn listens on a unix socket that "others" cannot open
(UMask=0007 in the unit; nginx's user is in the app's group). Whoever can
open the socket could claim any address; the test shows that too, since it
is the reason for the socket's permissions.
"""

from __future__ import annotations

import getpass
import http.client
import os
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pyotp
import pytest
import redis
import requests
from intake_data import minimal_form, stream_multipart
from live_server import REPOSITORY, LiveServer, free_port, launch_server
from sqlalchemy import select
from sqlalchemy.orm import Session
from stock_tools import missing, require_tool
from web_support import CSRF_PATTERN, SECRET_KEY, SUBMISSION_TOKEN, TOTP_SEED_KEYS

from app.models import AuditEvent, Case, Organisation

# Not marked slow: the production-shaped test runs in `make test` itself
# (about a minute for its three tests, which start nginx and gunicorn each).

DEPLOY = REPOSITORY / "deploy"
REDIS_DB = 14
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
NARRATIVE = "DeployCanaryNarrative9q: we were kept at the site."
ADMIN, REVIEWER, INTERVIEWER = ("first.admin@ngo.test", "reviewer@ngo.test",
                                "interviewer@ngo.test")
PASSWORDS = {email: f"the password of {email} 2026" for email in (ADMIN, REVIEWER, INTERVIEWER)}
PASSPHRASES = {email: f"key passphrase for {email} only" for email in (ADMIN, REVIEWER)}
FAKE_CLIENT, OTHER_FAKE_CLIENT = "203.0.113.9", "198.51.100.7"
HSTS = "max-age=63072000; includeSubDomains"


def _tool(name: str) -> str:
    return require_tool(name, {"nginx": "nginx-light"}.get(name, name))


@pytest.fixture
def rate_limit_store() -> Iterator[redis.Redis]:
    store = redis.Redis.from_url(REDIS_URL)
    try:
        store.ping()
    except redis.RedisError as exc:
        store.close()
        missing(f"Redis at {REDIS_URL} is not answering ({type(exc).__name__})")
    store.flushdb()
    yield store
    store.flushdb()
    store.close()


def counters(store: redis.Redis) -> list[str]:
    """The names of the rate-limit counters in Redis (they embed the address)."""
    return [key.decode() if isinstance(key, bytes) else str(key) for key in store.keys("*")]


def templated(name: str, replacements: list[tuple[str, str]]) -> str:
    """A file of deploy/ with ``replacements`` made; each must occur in it, so
    the test breaks if the shipped file stops matching what it checks."""
    text = (DEPLOY / name).read_text()
    for old, new in replacements:
        assert old in text, f"deploy/{name} no longer contains {old!r}"
        text = text.replace(old, new)
    return text


def service_gunicorn_args(socket_path: Path) -> list[str]:
    """gunicorn's options from deploy/witnessbox.service's ExecStart, the bind
    address and the worker count (two cores here) adapted."""
    unit = (DEPLOY / "witnessbox.service").read_text()
    [exec_start] = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    argv = shlex.split(exec_start.removeprefix("ExecStart="))
    assert argv[0].endswith("/gunicorn")
    assert argv[-1] == "app:create_app()"
    args = argv[1:-1]
    bind = args.index("--bind")
    assert args[bind + 1] == "unix:/run/witnessbox/gunicorn.sock"
    del args[bind:bind + 2]  # launch_server binds, to the same kind of address
    workers = args.index("--workers")
    args[workers + 1] = "2"
    assert "--access-logfile" not in args  # request lines carry tokens
    assert "UMask=0007" in unit
    assert args[args.index("--umask") + 1] == "0007"  # gunicorn's own, for the socket
    return args


def _unit_umask() -> None:
    os.umask(0o007)  # UMask=0007, as deploy/witnessbox.service sets


@dataclass
class Deployment:
    base_url: str
    http_url: str
    certificate: str
    env: dict[str, str]
    root: Path
    socket: Path
    gunicorn: LiveServer

    def client(self) -> requests.Session:
        http = requests.Session()
        # Not from the environment: REQUESTS_CA_BUNDLE would override
        # Session.verify (requests#3829), and no proxy is wanted on loopback.
        http.trust_env = False
        http.verify = self.certificate
        return http

    def witnessbox(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The CLI, as the operator runs it: gunicorn's environment, output to a log."""
        with (self.root / "cli.log").open("a") as log:
            return subprocess.run([sys.executable, "-m", "app.cli", *args], env=self.env,
                                  cwd=REPOSITORY, stdout=log, stderr=subprocess.STDOUT,
                                  text=True, timeout=120, check=False)

    def logs(self) -> str:
        return "\n".join(path.read_text(errors="replace")
                         for path in sorted(self.root.rglob("*.log")))


def _wait_for(url: str, certificate: str, processes: list[subprocess.Popen[bytes]],
              describe: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"a server exited: {describe}")
        try:
            if requests.get(url, verify=certificate, timeout=10).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {timeout} s: {describe}")


@pytest.fixture
def deployment(database_url: str, tmp_path: Path, audit_key_file: Path,
               rate_limit_store: redis.Redis) -> Iterator[Deployment]:
    nginx, openssl = _tool("nginx"), _tool("openssl")
    root = tmp_path / "deploy"
    for folder in ("data", "log", "nginx/logs", "nginx/tmp", "tls"):
        (root / folder).mkdir(parents=True)
    # A short path: unix socket names stop at 108 bytes.
    run_dir = Path(tempfile.mkdtemp(prefix="wb-run-"))
    socket_path = run_dir / "gunicorn.sock"
    https_port, http_port = free_port(), free_port()
    base_url = f"https://127.0.0.1:{https_port}"

    certificate, key = root / "tls" / "fullchain.pem", root / "tls" / "privkey.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(certificate)],
                   check=True, capture_output=True)

    config = root / "config.toml"
    config.write_text(templated("config.toml", [
        ("https://witnessbox.example.org", base_url),
        ("postgresql+psycopg://witnessbox@/witnessbox", database_url),
        ("/var/lib/witnessbox", str(root / "data")),
        ("/etc/witnessbox/audit-signing-key", str(audit_key_file)),
        ("/var/log/witnessbox", str(root / "log")),
        ("redis://127.0.0.1:6379/0", REDIS_URL),
    ]))
    env = {key: value for key, value in os.environ.items() if not key.startswith("WITNESSBOX_")}
    env.update({
        "WITNESSBOX_CONFIG": str(config),
        # What /etc/witnessbox/secrets.env holds in production.
        "WITNESSBOX_SECRET_KEY": SECRET_KEY,
        "WITNESSBOX_TOTP_SEED_KEYS": ",".join(TOTP_SEED_KEYS),
        # Tight, to see which address the limits count (test_rate_limits_...).
        "WITNESSBOX_LOGIN_RATE_LIMIT": "3 per minute",
        "TMPDIR": str(root / "tmp"),
    })

    site = root / "nginx" / "witnessbox.conf"
    site.write_text(templated("nginx-witnessbox.conf", [
        ("https://witnessbox.example.org$request_uri", f"{base_url}$request_uri"),
        ("/etc/letsencrypt/live/witnessbox.example.org/fullchain.pem", str(certificate)),
        ("/etc/letsencrypt/live/witnessbox.example.org/privkey.pem", str(key)),
        ("witnessbox.example.org", "127.0.0.1"),
        ("unix:/run/witnessbox/gunicorn.sock", f"unix:{socket_path}"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("/var/log/nginx/", f"{root / 'nginx' / 'logs'}/"),
    ]))
    temp = root / "nginx" / "tmp"
    # What Debian's /etc/nginx/nginx.conf provides, in the test's own prefix;
    # as root, the workers run as this user (in production: www-data, in the
    # app's group), so they may open the socket.
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    main_conf = root / "nginx" / "nginx.conf"
    main_conf.write_text(f"""
daemon off;
{user}
worker_processes 1;
pid {root / 'nginx' / 'nginx.pid'};
error_log {root / 'nginx' / 'logs' / 'error.log'} warn;
events {{ worker_connections 64; }}
http {{
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site};
}}
""")
    nginx_command = [nginx, "-c", str(main_conf), "-p", str(root / "nginx"),
                     "-e", str(root / "nginx" / "logs" / "error.log")]
    checked = subprocess.run([*nginx_command, "-t"], capture_output=True, text=True,
                             check=False)
    assert checked.returncode == 0, checked.stderr

    gunicorn = launch_server(root, env, workers=2, gunicorn_args=service_gunicorn_args(socket_path),
                             log_level="info", access_log=False,
                             inherit_witnessbox_env=False, bind=f"unix:{socket_path}",
                             preexec_fn=_unit_umask)
    with (root / "nginx" / "logs" / "stdout.log").open("wb") as console:
        proxy = subprocess.Popen(nginx_command, stdout=console, stderr=subprocess.STDOUT)
    deployed = Deployment(base_url, f"http://127.0.0.1:{http_port}", str(certificate), env,
                          root, socket_path, gunicorn)
    try:
        _wait_for(f"{base_url}/login", str(certificate), [gunicorn.process, proxy],
                  gunicorn.log_tail())
        yield deployed
    finally:
        proxy.send_signal(signal.SIGQUIT)  # graceful: finish requests, then exit
        try:
            proxy.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proxy.kill()
            proxy.wait()
        gunicorn.stop()
        shutil.rmtree(run_dir, ignore_errors=True)


def csrf_of(http: requests.Session, url: str) -> str:
    page = http.get(url, timeout=30)
    match = CSRF_PATTERN.search(page.text)
    assert match, f"no CSRF token on {url} ({page.status_code})"
    return match.group(1)


def accept(deployed: Deployment, link: str, email: str) -> None:
    """Accept the invitation as a browser would, over HTTPS, with no Referer
    (the app's Referrer-Policy is no-referrer: browsers send none)."""
    assert link.startswith(f"{deployed.base_url}/invite/")
    http = deployed.client()
    data = {"csrf_token": csrf_of(http, link), "password": PASSWORDS[email],
            "confirm_password": PASSWORDS[email]}
    if email in PASSPHRASES:
        data |= {"passphrase": PASSPHRASES[email], "confirm_passphrase": PASSPHRASES[email]}
    response = http.post(link, data=data, allow_redirects=False, timeout=60)
    assert response.status_code == 302, response.text
    assert response.headers["Location"].endswith("/login")


def sign_in(deployed: Deployment, email: str) -> requests.Session:
    """Password, then TOTP: enrolment on the first sign-in of a key holder."""
    http = deployed.client()
    login = f"{deployed.base_url}/login"
    response = http.post(login, allow_redirects=False, timeout=30, data={
        "email": email, "password": PASSWORDS[email], "csrf_token": csrf_of(http, login)})
    assert response.status_code == 302, response.text
    # Every cookie the app sets over HTTPS is Secure (and HttpOnly).
    assert response.cookies, "no session cookie set"
    for cookie in response.cookies:
        assert cookie.secure, f"cookie {cookie.name} lacks the Secure flag"
        assert cookie.has_nonstandard_attr("HttpOnly")
    if response.headers["Location"].endswith("/account/two-factor"):
        enrol = f"{deployed.base_url}/account/two-factor"
        page = http.get(enrol, timeout=30).text
        secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page)
        assert secret, "no TOTP secret on the enrolment page"
        token = CSRF_PATTERN.search(page)
        assert token
        done = http.post(enrol, timeout=30, data={
            "code": pyotp.TOTP(secret.group(1)).now(), "csrf_token": token.group(1)})
        assert done.status_code == 200, done.text
        assert "recovery" in done.text.lower()
    return http


def invite(deployed: Deployment, admin: requests.Session, email: str, role: str) -> str:
    url = f"{deployed.base_url}/members/invite"
    page = admin.post(url, timeout=30, data={"email": email, "role": role,
                                             "csrf_token": csrf_of(admin, url)})
    assert page.status_code == 200, page.text
    link = re.search(re.escape(deployed.base_url) + r"/invite/[A-Za-z0-9_-]+", page.text)
    assert link, "no invitation link on the page"
    return link.group(0)


def file_case(deployed: Deployment, interviewer: requests.Session) -> str:
    page = interviewer.get(f"{deployed.base_url}/intake/", timeout=30).text
    csrf, submission = CSRF_PATTERN.search(page), SUBMISSION_TOKEN.search(page)
    assert csrf
    assert submission
    fields = [("csrf_token", csrf.group(1)), ("submission_token", submission.group(1))]
    for name, value in minimal_form(narrative=NARRATIVE).items():
        fields += [(name, item) for item in value] if isinstance(value, list) \
            else [(name, value)]
    body, content_type = stream_multipart(fields, [])
    response = interviewer.post(f"{deployed.base_url}/intake/", data=body, timeout=120,
                                headers={"Content-Type": content_type},
                                allow_redirects=False)
    assert response.status_code == 303, response.text
    receipt = re.search(r"/intake/receipts/([^/?#]+)$", response.headers["Location"])
    assert receipt, response.headers["Location"]
    return receipt.group(1)


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_first_organisation_from_the_cli_to_a_read_case_over_tls(
        deployment: Deployment, db: Session) -> None:
    deployed = deployment
    assert deployed.witnessbox("db", "upgrade").returncode == 0, deployed.logs()
    recovery, link_file = deployed.root / "recovery.key", deployed.root / "invitation.txt"
    created = deployed.witnessbox("org", "create", "Field Rights NGO", "--admin", ADMIN,
                                  "--recovery-file", str(recovery),
                                  "--invitation-file", str(link_file))
    assert created.returncode == 0, (deployed.root / "cli.log").read_text()
    assert stat.S_IMODE(recovery.stat().st_mode) == 0o600
    admin_link = link_file.read_text().strip()

    accept(deployed, admin_link, ADMIN)
    admin = sign_in(deployed, ADMIN)
    reviewer_link = invite(deployed, admin, REVIEWER, "reviewer")
    interviewer_link = invite(deployed, admin, INTERVIEWER, "interviewer")
    accept(deployed, reviewer_link, REVIEWER)
    accept(deployed, interviewer_link, INTERVIEWER)
    reviewer = sign_in(deployed, REVIEWER)
    interviewer = sign_in(deployed, INTERVIEWER)

    case_id = file_case(deployed, interviewer)
    key_page = f"{deployed.base_url}/key"
    unlocked = reviewer.post(f"{deployed.base_url}/key/unlock", allow_redirects=False,
                             timeout=60, data={"passphrase": PASSPHRASES[REVIEWER],
                                               "csrf_token": csrf_of(reviewer, key_page)})
    assert unlocked.status_code == 302, unlocked.text
    case_page = reviewer.get(f"{deployed.base_url}/cases/{case_id}", timeout=60)
    assert case_page.status_code == 200
    assert NARRATIVE in case_page.text
    # HSTS over HTTPS, exactly once (nginx's, the app's hidden), on pages and on
    # nginx's own answers; plain HTTP only redirects.
    assert case_page.headers["Strict-Transport-Security"] == HSTS
    missing = reviewer.get(f"{deployed.base_url}/no-such-page", timeout=30)
    assert missing.headers["Strict-Transport-Security"] == HSTS
    plain = requests.get(f"{deployed.http_url}/login", allow_redirects=False, timeout=30)
    assert plain.status_code == 301
    assert plain.headers["Location"] == f"{deployed.base_url}/login"
    assert not plain.cookies

    db.expire_all()
    [organisation] = db.scalars(select(Organisation)).all()
    case = db.scalars(select(Case)).one()
    assert case.organisation_id == organisation.id
    actions = list(db.scalars(select(AuditEvent.action).where(
        AuditEvent.organisation_id == organisation.id).order_by(AuditEvent.seq)))
    assert actions[:2] == ["org_created", "member_invited"]
    assert actions.count("member_joined") == 3
    assert "intake" in actions
    assert "decrypt" in actions
    # Logs (nginx's, gunicorn's, the CLI's) hold no secret and no content.
    logs = deployed.logs()
    for secret in [NARRATIVE, admin_link.rsplit("/", 1)[1], reviewer_link.rsplit("/", 1)[1],
                   interviewer_link.rsplit("/", 1)[1], "AGE-SECRET-KEY-",
                   *PASSWORDS.values(), *PASSPHRASES.values()]:
        assert secret not in logs, "a secret or testimony content reached a log"
    assert "/invite/" not in logs


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_rate_limits_count_nginx_view_of_the_client_not_its_header(
        deployment: Deployment, rate_limit_store: redis.Redis) -> None:
    deployed = deployment
    login = f"{deployed.base_url}/login"

    def wrong_sign_in(forwarded_for: str) -> int:
        http = deployed.client()
        token = csrf_of(http, login)
        return http.post(login, allow_redirects=False, timeout=30,
                         headers={"X-Forwarded-For": forwarded_for},
                         data={"email": "nobody@ngo.test", "password": "not a password",
                               "csrf_token": token}).status_code

    # login_rate_limit is "3 per minute": the fourth attempt is refused even
    # though the client claims to be someone else each time.
    assert [wrong_sign_in(FAKE_CLIENT) for _ in range(3)] == [401, 401, 401]
    assert wrong_sign_in(OTHER_FAKE_CLIENT) == 429
    keys = counters(rate_limit_store)
    assert keys, "no rate-limit counter in Redis: are the limits using it?"
    assert all("127.0.0.1" in key for key in keys), keys
    assert not any(FAKE_CLIENT in key or OTHER_FAKE_CLIENT in key for key in keys), keys


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_gunicorn_is_reachable_only_through_its_socket_and_nginx(
        deployment: Deployment, rate_limit_store: redis.Redis) -> None:
    deployed = deployment
    mode = deployed.socket.stat().st_mode
    assert stat.S_ISSOCK(mode)
    assert stat.S_IMODE(mode) & 0o007 == 0, oct(mode)  # "others" cannot connect
    # No TCP port: the gunicorn command line binds the socket only.
    command = Path(f"/proc/{deployed.gunicorn.process.pid}/cmdline").read_bytes().split(b"\0")
    binds = [command[i + 1].decode() for i, arg in enumerate(command) if arg == b"--bind"]
    assert binds == [f"unix:{deployed.socket}"]
    # Why the permissions matter: whoever CAN open the socket is the one
    # trusted hop, so their X-Forwarded-For is believed.
    rate_limit_store.flushdb()
    forged = {"X-Forwarded-For": FAKE_CLIENT, "X-Forwarded-Proto": "https",
              "Host": "127.0.0.1"}
    page = _over_socket(deployed.socket, "GET", "/login", forged)
    token = CSRF_PATTERN.search(page.read().decode())
    assert token
    cookie = page.getheader("Set-Cookie", "").split(";", 1)[0]
    answer = _over_socket(deployed.socket, "POST", "/login", forged | {
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        urlencode({"email": "nobody@ngo.test", "password": "not a password",
                   "csrf_token": token.group(1)}))
    assert answer.status == 401
    keys = counters(rate_limit_store)
    assert keys
    assert all(FAKE_CLIENT in key for key in keys), keys


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: Path) -> None:
        super().__init__("127.0.0.1", timeout=30)
        self.socket_path = str(path)

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.socket_path)


def _over_socket(path: Path, method: str, url: str, headers: dict[str, str],
                 body: str | None = None) -> http.client.HTTPResponse:
    connection = _UnixConnection(path)
    connection.request(method, url, body=body, headers=headers)
    return connection.getresponse()


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_every_deployed_worker_loads_the_detector_before_serving(
        deployment: Deployment) -> None:
    # deploy/witnessbox.service passes -c python:app.serving: each worker
    # loads the models after it forks, so no reviewer's first editor page
    # waits for them (two workers here).
    log = deployment.root / "logs" / "error.log"
    deadline = time.monotonic() + 120
    warmed: list[str] = []
    while time.monotonic() < deadline:
        warmed = [line for line in log.read_text(errors="replace").splitlines()
                  if "detector warmed in" in line]
        if len(warmed) == 2:
            break
        time.sleep(0.5)
    assert len(warmed) == 2, deployment.gunicorn.log_tail()
    # Each line comes from a different worker process ([pid] in gunicorn's format).
    assert len({line.split("] [", 2)[1] for line in warmed}) == 2, warmed
