"""Configuration: TOML, environment overrides, and refusal without real secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import PLACEHOLDER_SECRET, ConfigError, load_settings

REAL_SECRET = "s" * 40
TOTP_KEYS_LINE = f'totp_seed_keys = ["{"k" * 40}"]\n'
# What every file outside demo mode must have.
HEAD = f'[witnessbox]\nsecret_key = "{REAL_SECRET}"\nbase_url = "https://wb.test"\n{TOTP_KEYS_LINE}'


def test_refuses_to_start_without_a_secret_outside_demo_mode(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="secret_key"):
        load_settings(environ={"WITNESSBOX_CONFIG_UNUSED": str(tmp_path)})


def test_refuses_the_example_placeholder_and_short_secrets() -> None:
    with pytest.raises(ConfigError, match="secret_key"):
        load_settings(environ={"WITNESSBOX_SECRET_KEY": PLACEHOLDER_SECRET})
    with pytest.raises(ConfigError, match="at least 32"):
        load_settings(environ={"WITNESSBOX_SECRET_KEY": "short"})


def test_demo_mode_starts_without_a_secret() -> None:
    settings = load_settings(environ={"WITNESSBOX_DEMO_MODE": "true"})
    assert settings.demo_mode
    assert settings.secret_key == ""


def test_toml_then_environment_overrides(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'{HEAD}max_upload_mb = 64\n'
                      'database_url = "sqlite:///from-file.sqlite3"\n')
    settings = load_settings(config, environ={"WITNESSBOX_MAX_UPLOAD_MB": "128"})
    assert settings.database_url == "sqlite:///from-file.sqlite3"
    assert settings.max_upload_mb == 128
    assert settings.max_upload_bytes == 128 * 1024 * 1024


def test_config_file_from_environment_variable(tmp_path: Path) -> None:
    config = tmp_path / "elsewhere.toml"
    config.write_text(f'{HEAD}log_level = "WARNING"\n')
    assert load_settings(environ={"WITNESSBOX_CONFIG": str(config)}).log_level == "WARNING"


@pytest.mark.parametrize(("content", "message"), [
    ('[witnessbox]\nsecret_kye = "x"\n', "unknown keys"),
    (f'{HEAD}max_upload_mb = "lots"\n', "whole number"),
    (f'{HEAD}demo_mode = "perhaps"\n', "true or false"),
    (f'{HEAD}max_upload_mb = 0\n', "at least 1"),
])
def test_bad_values_are_named(tmp_path: Path, content: str, message: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_settings(config, environ={})


def test_missing_named_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_example_config_documents_every_key_and_loads() -> None:
    from dataclasses import fields

    from app.config import PROJECT_ROOT, Settings

    example = PROJECT_ROOT / "config.example.toml"
    text = example.read_text()
    lines = text.splitlines()
    for field in fields(Settings):
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{field.name} ="))
        assert lines[index - 1].startswith("#"), f"{field.name} has no comment above it"
    with pytest.raises(ConfigError, match="secret_key"):
        load_settings(example, environ={})  # its placeholder secret is refused
