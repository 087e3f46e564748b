"""Smaller holes from the outside security review (issue 7): open redirects,
oversized ids, the Host header in links, HSTS, proxy addresses, file modes."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from intake_data import attachment, encode, form_tokens, minimal_form
from sqlalchemy.orm import Session
from web_support import PASSPHRASE, OrgFixture, TotpRegistry, WebUser

from app import create_app
from app.cli import db_upgrade
from app.config import ConfigError, Settings, load_settings
from app.models import Role
from app.web import urls as web_layer

EVIL_TARGETS = [
    "/\t/evil.com", "/\n/evil.com", "/\r\n/evil.com", "//evil.com", "///evil.com",
    "/\\evil.com", "\\/evil.com", "https:evil.com", "https://evil.com", "javascript:alert(1)",
    "/%2F/evil.com", "%2F%2Fevil.com", "/%09/evil.com", "/%5Cevil.com", " /evil",
    "/\u3000/evil.com", "/\uff0f/evil.com", "/\u2028/evil.com", "/\x00/evil.com", "", "evil.com",
]
GOOD_TARGETS = ["/", "/key", "/audit/?action=export", "/members/invite#top"]


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_evil_redirect_targets_fall_back_to_the_index(app: Flask, target: str) -> None:
    with app.test_request_context():
        assert web_layer.safe_redirect_target(target) == "/"


@pytest.mark.parametrize("target", GOOD_TARGETS)
def test_same_site_paths_are_kept(app: Flask, target: str) -> None:
    with app.test_request_context():
        assert web_layer.safe_redirect_target(target) == target


def test_unlock_does_not_redirect_off_site(web: WebUser, demo_org: OrgFixture) -> None:
    web.sign_in(demo_org.email(Role.REVIEWER))
    csrf = web.csrf_token("/key")
    # %2F%09%2Fevil.com decodes to "/\t/evil.com", which browsers read as //evil.com.
    evil = web.client.post("/key/unlock?next=%2F%09%2Fevil.com",
                           data={"passphrase": PASSPHRASE, "csrf_token": csrf})
    assert evil.status_code == 302
    assert evil.headers["Location"] == "/"
    good = web.client.post("/key/unlock?next=%2Faudit%2F",
                           data={"passphrase": PASSPHRASE, "csrf_token": csrf})
    assert good.headers["Location"] == "/audit/"


@pytest.mark.parametrize("actor", [
    "\u00b2", "1" * 40, str(2**63), str(2**31), "-1", "\u0661", "1 "])
def test_bad_actor_filter_is_a_clear_400(admin_web: WebUser, actor: str) -> None:
    response = admin_web.client.get("/audit/", query_string={"actor": actor})
    assert response.status_code == 400
    assert "actor" in response.get_data(as_text=True)


def test_good_actor_filter_still_works(admin_web: WebUser, demo_org: OrgFixture) -> None:
    actor = demo_org.members[Role.ADMIN].user_id
    assert admin_web.client.get(f"/audit/?actor={actor}").status_code == 200
    # The largest id PostgreSQL's INTEGER columns hold is a filter that finds nothing.
    assert admin_web.client.get(f"/audit/?actor={2**31 - 1}").status_code == 200


@pytest.mark.parametrize("path", ["/members/{}/suspend", "/members/{}/reinstate",
                                  "/members/{}/remove", "/members/invitations/{}/revoke"])
def test_huge_ids_in_the_path_are_not_found(admin_web: WebUser, path: str) -> None:
    csrf = admin_web.csrf_token("/members/invite")
    for number in ("1" * 40, str(2**63), str(2**31)):
        response = admin_web.client.post(path.format(number), data={"csrf_token": csrf})
        assert response.status_code == 404, (path, number)


def test_invitation_link_ignores_a_forged_host(admin_web: WebUser, settings: Settings) -> None:
    csrf = admin_web.csrf_token("/members/invite")
    cookie = admin_web.client.get_cookie("session")
    assert cookie is not None
    admin_web.client.set_cookie("session", cookie.value, domain="evil.example")
    page = admin_web.client.post("/members/invite", headers={"Host": "evil.example"}, data={
        "email": "new@example.org", "role": Role.INTERVIEWER.value,
        "csrf_token": csrf}).get_data(as_text=True)
    assert "evil.example" not in page
    assert f"{settings.base_url}/invite/" in page


def test_base_url_is_required_and_https_outside_demo_mode() -> None:
    secret = {"WITNESSBOX_SECRET_KEY": "s" * 40, "WITNESSBOX_TOTP_SEED_KEYS": "k" * 40}
    with pytest.raises(ConfigError, match="base_url"):
        load_settings(environ=secret)
    with pytest.raises(ConfigError, match="https"):
        load_settings(environ=secret | {"WITNESSBOX_BASE_URL": "http://witnessbox.example"})
    assert load_settings(environ=secret | {"WITNESSBOX_BASE_URL": "https://wb.example/"}
                         ).base_url == "https://wb.example"
    assert load_settings(environ={"WITNESSBOX_DEMO_MODE": "true"}).base_url \
        == "http://127.0.0.1:5000"


def test_hsts_outside_demo_mode_only(client: Any, settings: Settings) -> None:
    for path in ("/login", "/no-such-page"):
        assert client.get(path).headers["Strict-Transport-Security"] \
            == "max-age=63072000; includeSubDomains"
    demo = create_app(replace(settings, demo_mode=True))
    try:
        assert "Strict-Transport-Security" not in demo.test_client().get("/login").headers
    finally:
        demo.extensions["witnessbox.engine"].dispose()


def _client_at(app: Flask, totp_registry: TotpRegistry, address: str) -> WebUser:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return WebUser(client, totp_registry)


def _moved_session(app: Flask, web: WebUser, totp_registry: TotpRegistry, address: str,
                   forwarded: str) -> int:
    """Copy ``web``'s session cookie to a browser at ``address`` claiming
    ``forwarded``; the status of its request for the index page."""
    moved = _client_at(app, totp_registry, address)
    cookie = web.client.get_cookie("session")
    assert cookie is not None
    moved.client.set_cookie("session", cookie.value)
    status: int = moved.client.get("/", headers={"X-Forwarded-For": forwarded}).status_code
    return status


def _login_statuses(app: Flask, totp_registry: TotpRegistry, address: str) -> list[int]:
    """Three wrong sign-ins from ``address``, each claiming another X-Forwarded-For."""
    web = _client_at(app, totp_registry, address)
    csrf = web.csrf_token("/login")
    return [web.client.post("/login", headers={"X-Forwarded-For": f"203.0.113.{n}"}, data={
        "email": "nobody@example.org", "password": "wrong", "csrf_token": csrf}).status_code
        for n in range(3)]


def _proxy_app(settings: Settings, hops: int) -> Flask:
    proxied = create_app(replace(settings, trusted_proxy_hops=hops,
                                 login_rate_limit="2 per minute"))
    proxied.config["TESTING"] = True
    return proxied


def test_spoofed_forwarded_for_is_ignored_without_trusted_proxies(
        settings: Settings, demo_org: OrgFixture, totp_registry: TotpRegistry) -> None:
    direct = _proxy_app(settings, 0)
    try:
        web = _client_at(direct, totp_registry, "192.0.2.1")
        web.sign_in(demo_org.email(Role.INTERVIEWER))
        # A stolen cookie used from elsewhere, claiming the victim's address.
        assert _moved_session(direct, web, totp_registry, "198.51.100.7", "192.0.2.1") == 302
        # Rotating the header does not escape the per-address limit.
        assert _login_statuses(direct, totp_registry, "192.0.2.9")[-1] == 429
    finally:
        direct.extensions["witnessbox.engine"].dispose()


def test_forwarded_for_is_honoured_with_one_trusted_proxy(
        settings: Settings, demo_org: OrgFixture, totp_registry: TotpRegistry) -> None:
    proxied = _proxy_app(settings, 1)
    try:
        web = _client_at(proxied, totp_registry, "10.0.0.1")
        web.client.environ_base["HTTP_X_FORWARDED_FOR"] = "192.0.2.1"
        web.sign_in(demo_org.email(Role.INTERVIEWER))
        assert web.client.get("/").status_code == 200
        # Same proxy, another real client: the session is not theirs.
        assert _moved_session(proxied, web, totp_registry, "10.0.0.1", "198.51.100.7") == 302
        # Each real client has its own limit behind the one proxy.
        assert 429 not in _login_statuses(proxied, totp_registry, "10.0.0.1")
    finally:
        proxied.extensions["witnessbox.engine"].dispose()


@pytest.fixture
def common_umask() -> Iterator[None]:
    """The usual 022, under which plain mkdir/open give 0755/0644."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_database_blobs_and_instance_files_are_owner_only(
        tmp_path: Path, settings: Settings, identity_pool: Any, totp_registry: TotpRegistry,
        common_umask: None) -> None:
    from app.orgs.service import add_member, add_member_key, create_organisation

    (tmp_path / "fresh").mkdir(mode=0o755)
    instance = tmp_path / "fresh" / "instance"
    fresh = replace(settings, database_url=f"sqlite:///{instance / 'witnessbox.sqlite3'}",
                    blob_dir=str(instance / "blobs"))
    app = create_app(fresh)
    app.config["TESTING"] = True
    try:
        result = app.test_cli_runner().invoke(db_upgrade)
        assert result.exit_code == 0, result.output
        db: Session = app.extensions["witnessbox.sessionmaker"]()
        created = create_organisation(db, "perm", "Perm NGO")
        interviewer = add_member(db, created.organisation, "i@perm.test", "correct horse battery",
                                 Role.INTERVIEWER, must_change_password=False)
        reviewer = add_member(db, created.organisation, "r@perm.test", "correct horse battery",
                              Role.REVIEWER, must_change_password=False)
        identity, protected = identity_pool.get(0)
        add_member_key(db, reviewer, protected, identity.recipient)
        db.commit()
        db.close()
        web = WebUser(app.test_client(), totp_registry)
        web.sign_in(interviewer.user.email, "correct horse battery")
        payload, content_type = encode({**form_tokens(web), **minimal_form(),
                                        **attachment("audio", b"a" * 5000, "ok.wav")})
        response = web.client.post("/intake/", data=payload, content_type=content_type)
        assert response.status_code == 303, response.get_data(as_text=True)
        with app.extensions["witnessbox.engine"].connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
            connection.exec_driver_sql("CREATE TABLE wal_probe (x INTEGER)")
            assert _mode(instance / "witnessbox.sqlite3-wal") == 0o600
    finally:
        app.extensions["witnessbox.engine"].dispose()
    files = [p for p in instance.rglob("*") if p.is_file()]
    dirs = [instance, *(p for p in instance.rglob("*") if p.is_dir())]
    assert any(p.suffix == ".age" for p in files)
    assert {str(p): _mode(p) for p in files} == {str(p): 0o600 for p in files}
    assert {str(p): _mode(p) for p in dirs} == {str(p): 0o700 for p in dirs}
    assert _mode(tmp_path / "fresh") == 0o755  # an existing parent is not the app's


def test_demo_secret_is_owner_only(tmp_path: Path, settings: Settings,
                                   monkeypatch: pytest.MonkeyPatch, common_umask: None) -> None:
    import app as app_package

    monkeypatch.setattr(app_package, "PROJECT_ROOT", tmp_path / "demo")
    demo = create_app(replace(settings, demo_mode=True, secret_key=""))
    demo.extensions["witnessbox.engine"].dispose()
    instance = Path(demo.instance_path)
    assert instance == tmp_path / "demo" / "instance"
    assert _mode(instance) == 0o700
    assert _mode(instance / "demo-secret-key") == 0o600
