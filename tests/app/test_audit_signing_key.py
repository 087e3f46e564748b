"""The audit signing key lives in a file outside the database: required, private, made once."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from web_support import SECRET_KEY, TOTP_SEED_KEYS

from app import create_app
from app.audit.keyfile import public_key_text, read_signing_key, write_new_signing_key
from app.config import ConfigError, Settings, load_settings


def _settings(tmp_path: Path, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "secret_key": SECRET_KEY, "totp_seed_keys": TOTP_SEED_KEYS,
        "database_url": "sqlite://", "blob_dir": str(tmp_path / "blobs"),
        "base_url": "https://witnessbox.example", **changes}
    return Settings(**values)


def test_a_key_file_is_required_outside_demo_mode(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="audit_signing_key_file must be set"):
        create_app(_settings(tmp_path))


def test_a_missing_key_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"does not exist.*audit keygen"):
        create_app(_settings(tmp_path, audit_signing_key_file=str(tmp_path / "nope")))


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o644])
def test_a_key_file_others_can_read_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "key"
    write_new_signing_key(path)
    path.chmod(mode)
    with pytest.raises(ConfigError, match=rf"mode {mode:04o}.*chmod 600"):
        create_app(_settings(tmp_path, audit_signing_key_file=str(path)))


def test_a_key_file_without_a_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "key"
    path.write_text("not a key\n")
    path.chmod(0o600)
    with pytest.raises(ConfigError, match="does not hold a key"):
        read_signing_key(path)


def test_the_app_signs_with_the_key_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "key"
    key = write_new_signing_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    app = create_app(_settings(tmp_path, audit_signing_key_file=str(path)))
    try:
        assert app.extensions["witnessbox.audit_signer"].public_key == \
            public_key_text(key.verify_key)
    finally:
        app.extensions["witnessbox.engine"].dispose()


def test_demo_mode_generates_a_private_key_once(tmp_path: Path, monkeypatch: Any) -> None:
    import app as app_module
    monkeypatch.setattr(app_module, "PROJECT_ROOT", tmp_path)
    demo = _settings(tmp_path, demo_mode=True, secret_key="", base_url="")
    first = create_app(demo)
    path = tmp_path / "instance" / "demo-audit-signing-key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = create_app(demo)
    assert first.extensions["witnessbox.audit_signer"].public_key == \
        second.extensions["witnessbox.audit_signer"].public_key == \
        public_key_text(read_signing_key(path).verify_key)


def test_keygen_writes_a_private_key_prints_its_public_half_and_never_overwrites(
        tmp_path: Path) -> None:
    from click.testing import CliRunner

    from app.cli import main

    path = tmp_path / "audit-signing-key"
    result = CliRunner().invoke(main, ["audit", "keygen", str(path)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert f"public key: {public_key_text(read_signing_key(path).verify_key)}" in result.output
    before = path.read_bytes()
    again = CliRunner().invoke(main, ["audit", "keygen", str(path)])
    assert again.exit_code != 0
    assert "exists already" in again.output
    assert path.read_bytes() == before
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_bad_verify_keys_are_named() -> None:
    env = {"WITNESSBOX_SECRET_KEY": "s" * 40, "WITNESSBOX_TOTP_SEED_KEYS": "k" * 40,
           "WITNESSBOX_BASE_URL": "https://wb.test", "WITNESSBOX_AUDIT_VERIFY_KEYS": "abc"}
    with pytest.raises(ConfigError, match="audit_verify_keys"):
        load_settings(environ=env)
