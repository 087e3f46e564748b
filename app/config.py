"""Configuration: a TOML file, then environment overrides, then validation.

Order of precedence (last wins): built-in defaults, the TOML file named by
``WITNESSBOX_CONFIG`` (default ``instance/config.toml`` if it exists), and
``WITNESSBOX_<KEY>`` environment variables. Outside demo mode the app refuses
to start without a real secret key: a placeholder secret is worse than none.
"""

from __future__ import annotations

import base64
import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"
PLACEHOLDER_SECRET = "change-me"  # noqa: S105 - the value we refuse, not a secret
MIN_SECRET_LENGTH = 32
DEMO_BASE_URL = "http://127.0.0.1:5000"


class ConfigError(RuntimeError):
    """The configuration is unusable; the message says which key and why."""


@dataclass(frozen=True)
class Settings:
    secret_key: str = ""
    database_url: str = f"sqlite:///{DEFAULT_INSTANCE / 'witnessbox.sqlite3'}"
    blob_dir: str = str(DEFAULT_INSTANCE / "blobs")
    # Finished export bundles (mode 0600 files), one folder per organisation.
    export_dir: str = str(DEFAULT_INSTANCE / "exports")
    # Each organisation's export signing key (minisign format's Ed25519),
    # outside the database like the audit signing key. Back it up.
    export_key_dir: str = str(DEFAULT_INSTANCE / "export-keys")
    # Ids of crypto-shredded cases, appended after each deletion and applied
    # again by `backup restore` (app.shred_list). Outside the database and the
    # backups, so that restoring an older backup cannot bring a case back.
    shred_list_file: str = str(DEFAULT_INSTANCE / "shred-list.jsonl")
    # Long work started from a page (building an export) runs in a thread of
    # the web worker that holds the admin's key (app.jobs); off: in the request.
    background_jobs: bool = True
    max_upload_mb: int = 500
    max_form_field_kb: int = 512
    # Documents (PDF, OOXML, ODF) are cleaned in memory; larger ones are sealed
    # as uploaded and the receipt says "metadata not removed".
    max_document_clean_mb: int = 64
    demo_mode: bool = False
    log_level: str = "INFO"
    session_idle_minutes: int = 15
    session_absolute_hours: int = 12
    secure_cookies: bool = True
    lockout_threshold: int = 5
    lockout_minutes: int = 15
    ratelimit_storage_url: str = "memory://"
    login_rate_limit: str = "10 per minute; 50 per hour"
    second_factor_rate_limit: str = "10 per minute; 50 per hour"
    sensitive_rate_limit: str = "10 per minute; 50 per hour"
    invitation_hours: int = 72
    base_url: str = ""
    trusted_proxy_hops: int = 0
    # Keys that seal TOTP seeds: the first seals, every one opens (rotation).
    totp_seed_keys: tuple[str, ...] = ()
    # Ed25519 key (base64 of 32 bytes, file mode 0600) that signs audit
    # checkpoints and intake receipts. It lives outside the database so that
    # write access to the database alone cannot forge either.
    audit_signing_key_file: str = ""
    # Public keys (base64) of earlier signing keys whose checkpoints and
    # receipts are still accepted after a rotation.
    audit_verify_keys: tuple[str, ...] = ()
    # A signed checkpoint at most this many events after the previous one.
    audit_checkpoint_interval: int = 50
    # Optional file, outside the database, that every checkpoint is appended to.
    audit_checkpoint_log: str = ""

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @property
    def max_document_clean_bytes(self) -> int:
        return self.max_document_clean_mb * 1024 * 1024


def _coerce(name: str, raw: Any, template: Any) -> Any:
    if isinstance(template, tuple):
        # A TOML list of strings, or a comma-separated environment value.
        items = raw.split(",") if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
            raise ConfigError(f"{name}: expected a list of strings")
        return tuple(item.strip() for item in items if item.strip())
    if isinstance(template, bool):
        if isinstance(raw, bool):
            return raw
        if str(raw).lower() in {"1", "true", "yes", "on"}:
            return True
        if str(raw).lower() in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{name}: expected true or false")
    if isinstance(template, int):
        try:
            return int(raw)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{name}: expected a whole number") from exc
    return str(raw)


def config_file_path(environ: dict[str, str] | None = None) -> Path:
    """The TOML file settings load from: ``WITNESSBOX_CONFIG``, else instance/config.toml."""
    env = os.environ if environ is None else environ
    return Path(env.get("WITNESSBOX_CONFIG") or DEFAULT_INSTANCE / "config.toml")


def load_settings(path: str | os.PathLike[str] | None = None,
                  environ: dict[str, str] | None = None,
                  **overrides: Any) -> Settings:
    """Build :class:`Settings` from file, environment and explicit overrides."""
    env = dict(os.environ if environ is None else environ)
    defaults = Settings()
    values: dict[str, Any] = {}

    config_path = Path(path) if path else config_file_path(env)
    if config_path.exists():
        with config_path.open("rb") as handle:
            document = tomllib.load(handle)
        section = document.get("witnessbox", {})
        unknown = set(section) - {f.name for f in fields(Settings)}
        if unknown:
            raise ConfigError(f"unknown keys in {config_path}: {', '.join(sorted(unknown))}")
        values.update(section)
    elif path is not None or "WITNESSBOX_CONFIG" in env:
        raise ConfigError(f"configuration file not found: {config_path}")

    for f in fields(Settings):
        env_value = env.get(f"WITNESSBOX_{f.name.upper()}")
        if env_value is not None:
            values[f.name] = env_value
    values.update(overrides)

    settings = replace(defaults, **{
        name: _coerce(name, raw, getattr(defaults, name)) for name, raw in values.items()
    })
    settings = replace(settings, base_url=settings.base_url.rstrip("/")
                       or (DEMO_BASE_URL if settings.demo_mode else ""))
    validate(settings)
    return settings


def _is_public_key(text: str) -> bool:
    try:
        return len(base64.b64decode(text, validate=True)) == 32
    except ValueError:
        return False


def validate(settings: Settings) -> None:
    if not settings.demo_mode:
        if settings.secret_key in {"", PLACEHOLDER_SECRET}:
            raise ConfigError("secret_key must be set (WITNESSBOX_SECRET_KEY) outside demo mode")
        if len(settings.secret_key) < MIN_SECRET_LENGTH:
            raise ConfigError(f"secret_key must have at least {MIN_SECRET_LENGTH} characters")
        if not settings.totp_seed_keys:
            raise ConfigError("totp_seed_keys must be set (WITNESSBOX_TOTP_SEED_KEYS) "
                              "outside demo mode")
    for key in settings.totp_seed_keys:
        if key == PLACEHOLDER_SECRET or len(key) < MIN_SECRET_LENGTH:
            raise ConfigError(f"totp_seed_keys: every key must have at least "
                              f"{MIN_SECRET_LENGTH} characters")
        if key == settings.secret_key:
            raise ConfigError("totp_seed_keys must not contain secret_key")
    if settings.max_upload_mb < 1:
        raise ConfigError("max_upload_mb must be at least 1")
    if settings.max_document_clean_mb < 1:
        raise ConfigError("max_document_clean_mb must be at least 1")
    if settings.session_idle_minutes < 1:
        raise ConfigError("session_idle_minutes must be at least 1")
    if settings.lockout_threshold < 1 or settings.lockout_minutes < 1:
        raise ConfigError("lockout_threshold and lockout_minutes must be at least 1")
    if not settings.ratelimit_storage_url.startswith(("memory://", "redis://", "rediss://")):
        raise ConfigError("ratelimit_storage_url: expected memory:// or a redis:// URL")
    if settings.invitation_hours < 1:
        raise ConfigError("invitation_hours must be at least 1")
    base = urlsplit(settings.base_url)
    if not settings.demo_mode:
        if not settings.base_url:
            raise ConfigError("base_url must be set outside demo mode, "
                              "e.g. https://witnessbox.example.org (invitation links use it)")
        if base.scheme != "https":
            raise ConfigError("base_url must start with https:// outside demo mode")
    if base.scheme not in {"http", "https"} or not base.netloc or base.query or base.fragment:
        raise ConfigError("base_url: expected e.g. https://witnessbox.example.org")
    if settings.audit_checkpoint_interval < 1:
        raise ConfigError("audit_checkpoint_interval must be at least 1")
    for key in settings.audit_verify_keys:
        if not _is_public_key(key):
            raise ConfigError("audit_verify_keys: every key must be the base64 of 32 bytes "
                              "(as printed by `witnessbox audit keygen`)")
    if settings.trusted_proxy_hops < 0:
        raise ConfigError("trusted_proxy_hops must be 0 (no proxy) or more")
