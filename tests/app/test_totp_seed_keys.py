"""TOTP seeds sealed under their own key list: rotation, rekey, config, sign-in."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy.orm import Session
from web_support import TOTP_SEED_KEYS, WebUser

from app import create_app
from app.auth import totp
from app.cli import main
from app.config import ConfigError, Settings, load_settings
from app.models import Role

KEY_A = "seed-key-a-" + "a" * 32
KEY_B = "seed-key-b-" + "b" * 32




def _reviewer(db: Session, demo_org: Any) -> Any:
    from sqlalchemy import select

    from app.models import User
    return db.scalar(select(User).where(User.email == demo_org.email(Role.REVIEWER)))


def test_rotation_rekey_and_removal_of_the_old_key(db: Session, demo_org: Any) -> None:
    user = _reviewer(db, demo_org)
    secret = pyotp.random_base32()
    totp.install_secret(user, secret, [KEY_A])
    db.commit()
    assert totp._open_secret(user, [KEY_B, KEY_A]) == secret
    assert totp._open_secret(user, [KEY_B]) is None
    # The admin's seed is under the fixtures' key: list it too, or it is unreadable.
    counts = totp.rekey_all(db, [KEY_B, KEY_A, *TOTP_SEED_KEYS])
    db.commit()
    assert counts == totp.RekeyCounts(resealed=2, unreadable=0)
    assert totp._open_secret(user, [KEY_B]) == secret
    assert totp._open_secret(user, [KEY_A]) is None


def test_cli_rekey_prints_counts_only(make_app: Any, db: Session, demo_org: Any) -> None:
    user = _reviewer(db, demo_org)
    secret = pyotp.random_base32()
    totp.install_secret(user, secret, [KEY_A])
    db.commit()
    rotated = make_app(totp_seed_keys=(KEY_B, KEY_A, *TOTP_SEED_KEYS))
    result = rotated.test_cli_runner().invoke(main, ["totp", "rekey"])
    assert result.exit_code == 0, result.output
    assert "re-sealed" in result.output
    assert secret not in result.output
    db.expire_all()
    user = _reviewer(db, demo_org)
    assert totp._open_secret(user, [KEY_B]) == secret
    assert totp._open_secret(user, [KEY_A]) is None


def test_changing_secret_key_does_not_affect_totp_sign_in(
        make_app: Any, demo_org: Any, totp_registry: Any) -> None:
    other = make_app(secret_key="a-completely-different-secret-" + "z" * 32)
    web = WebUser(other.test_client(), totp_registry)
    web.sign_in(demo_org.email(Role.REVIEWER))
    assert web.client.get("/").status_code == 200


def test_totp_seed_keys_are_required_outside_demo_mode() -> None:
    with pytest.raises(ConfigError, match="totp_seed_keys"):
        load_settings(environ={"WITNESSBOX_SECRET_KEY": "s" * 40})


def test_totp_seed_keys_from_environment_and_toml(tmp_path: Path) -> None:
    env = {"WITNESSBOX_SECRET_KEY": "s" * 40, "WITNESSBOX_TOTP_SEED_KEYS": f"{KEY_B}, {KEY_A}",
           "WITNESSBOX_BASE_URL": "https://wb.test"}
    assert load_settings(environ=env).totp_seed_keys == (KEY_B, KEY_A)
    config = tmp_path / "config.toml"
    config.write_text(f'[witnessbox]\nsecret_key = "{"s" * 40}"\nbase_url = "https://wb.test"\n'
                      f'totp_seed_keys = ["{KEY_A}"]\n')
    assert load_settings(config, environ={}).totp_seed_keys == (KEY_A,)


@pytest.mark.parametrize("keys", ['"short"', '[1, 2]', '["short"]', f'["{"s" * 40}"]'])
def test_bad_totp_seed_keys_are_named(tmp_path: Path, keys: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[witnessbox]\nsecret_key = "{"s" * 40}"\ntotp_seed_keys = {keys}\n')
    with pytest.raises(ConfigError, match="totp_seed_keys"):
        load_settings(config, environ={})


def test_demo_mode_generates_a_private_seed_key(tmp_path: Path, monkeypatch: Any) -> None:
    import app as app_module
    monkeypatch.setattr(app_module, "PROJECT_ROOT", tmp_path)
    demo = create_app(Settings(demo_mode=True, database_url="sqlite://",
                               blob_dir=str(tmp_path / "blobs")))
    path = tmp_path / "instance" / "demo-totp-seed-key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert demo.config["WITNESSBOX"].totp_seed_keys == (path.read_text().strip(),)
