"""Witnessbox: sealed intake of testimonies. ``create_app`` is the factory."""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from app import db, jobs, web
from app.audit.checkpoints import AuditSigner
from app.audit.checkpoints import session_info as audit_session_info
from app.audit.keyfile import parse_public_key, read_signing_key, write_new_signing_key
from app.config import PROJECT_ROOT, ConfigError, Settings, load_settings
from app.intake.sealing import AGE_SEALER, Sealer
from app.security import limits

csrf = CSRFProtect()


def create_app(settings: Settings | None = None, *, intake_sealer: Sealer | None = None,
               **overrides: Any) -> Flask:
    """``intake_sealer`` replaces age for intake sealing. Only code can pass it
    (bench/_passthrough_app.py, for the benchmark's baseline): no setting or
    environment variable reaches it, so a deployment cannot be configured
    into storing plaintext."""
    settings = settings or load_settings(**overrides)
    # The instance folder (demo mode's generated secrets) is the config file's
    # folder when WITNESSBOX_CONFIG names one, so a demo instance is one folder.
    named_config = os.environ.get("WITNESSBOX_CONFIG")
    instance = Path(named_config).resolve().parent if named_config else PROJECT_ROOT / "instance"
    app = Flask(__name__, template_folder=str(PROJECT_ROOT / "templates"),
                static_folder="static", instance_path=str(instance))
    if not settings.totp_seed_keys:
        if not settings.demo_mode:
            raise ConfigError("totp_seed_keys must be set (WITNESSBOX_TOTP_SEED_KEYS) "
                              "outside demo mode")
        settings = replace(settings, totp_seed_keys=(
            _demo_secret(app, "demo-totp-seed-key"),))
    app.config.update(
        WITNESSBOX=settings,
        SECRET_KEY=settings.secret_key or _demo_secret(app),
        # Werkzeug enforces this on the request stream, chunked bodies included.
        MAX_CONTENT_LENGTH=settings.max_upload_bytes,
        MAX_FORM_MEMORY_SIZE=settings.max_form_field_kb * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=settings.secure_cookies and not settings.demo_mode,
        REMEMBER_COOKIE_DURATION=timedelta(seconds=0),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_absolute_hours),
        WTF_CSRF_TIME_LIMIT=3600 * 4,  # long interviews are typed into one form
        # Flask-WTF's HTTPS-only Referer check would refuse every form: pages
        # send Referrer-Policy: no-referrer, so browsers send no Referer. The
        # CSRF token and SameSite=Strict cookies carry the protection.
        WTF_CSRF_SSL_STRICT=False,
    )
    logging.basicConfig(level=settings.log_level)
    # Libraries that lay out and subset the report PDF log per step at INFO
    # (fontTools names glyphs it keeps: characters of the text): warnings only.
    quiet = max(logging.WARNING, logging.getLogger().getEffectiveLevel())
    for chatty in ("weasyprint", "fontTools", "matplotlib", "pikepdf"):
        logging.getLogger(chatty).setLevel(quiet)

    if settings.trusted_proxy_hops:
        # Only the addresses our own proxies appended; anything further left
        # in X-Forwarded-For was written by the client.
        hops = settings.trusted_proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    signer = _audit_signer(app, settings)
    app.extensions["witnessbox.audit_signer"] = signer
    web.install_converters(app)
    if intake_sealer is not None:
        logging.getLogger(__name__).warning(
            "intake sealing replaced by %s: not for real testimonies",
            type(intake_sealer).__name__)
    app.extensions["witnessbox.intake_sealer"] = intake_sealer or AGE_SEALER
    db.init_app(app, settings.database_url, session_info=audit_session_info(signer))
    csrf.init_app(app)
    web.language.init_app(app)
    limits.init_app(app, settings)
    jobs.init_app(app, settings)

    from app.audit.routes import bp as audit_bp
    from app.auth.routes import bp as auth_bp
    from app.cases.routes import bp as cases_bp
    from app.clusters.routes import bp as clusters_bp
    from app.exports.routes import bp as exports_bp
    from app.grants.routes import bp as grants_bp
    from app.i18n.routes import bp as i18n_bp
    from app.intake.presealed_routes import bp as sealed_intake_bp
    from app.intake.presealed_routes import submit as sealed_intake_submit
    from app.intake.routes import bp as intake_bp
    from app.intake.routes import submit as intake_submit
    from app.keys.routes import bp as keys_bp
    from app.main import bp as main_bp
    from app.members.routes import bp as members_bp
    from app.queue.routes import bp as queue_bp
    from app.queue.routes import workflow_bp
    from app.retention.routes import bp as retention_bp
    from app.review.routes import bp as review_bp
    from app.web import sign_in

    sign_in.init_app(app)
    # The intake body is streamed; its view checks the CSRF token itself
    # before any attachment is processed (see app.intake.routes).
    csrf.exempt(intake_submit)
    csrf.exempt(sealed_intake_submit)  # the same, for cases sealed in the browser
    app.register_blueprint(audit_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(clusters_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(grants_bp)
    app.register_blueprint(i18n_bp)
    app.register_blueprint(intake_bp)
    app.register_blueprint(sealed_intake_bp)
    app.register_blueprint(keys_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(members_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(queue_bp)
    app.register_blueprint(workflow_bp)
    app.register_blueprint(retention_bp)
    web.register(app)
    return app


def _audit_signer(app: Flask, settings: Settings) -> AuditSigner:
    """The key that signs audit checkpoints and receipts, from its file.

    Required outside demo mode; demo mode makes instance/demo-audit-signing-key once.
    """

    from app.storage import make_private_dirs

    path = settings.audit_signing_key_file
    if not path:
        if not settings.demo_mode:
            raise ConfigError("audit_signing_key_file must be set "
                              "(WITNESSBOX_AUDIT_SIGNING_KEY_FILE) outside demo mode; "
                              "make one with `witnessbox audit keygen PATH`")
        demo_key = Path(app.instance_path) / "demo-audit-signing-key"
        if not demo_key.exists():
            make_private_dirs(demo_key.parent)
            with contextlib.suppress(FileExistsError):  # another worker made it first
                write_new_signing_key(demo_key)
        path = str(demo_key)
    return AuditSigner(
        signing_key=read_signing_key(path),
        interval=settings.audit_checkpoint_interval,
        log_path=Path(settings.audit_checkpoint_log) if settings.audit_checkpoint_log else None,
        older_keys=tuple(parse_public_key(key) for key in settings.audit_verify_keys))


def _demo_secret(app: Flask, name: str = "demo-secret-key") -> str:
    """Demo mode only: a per-install random secret kept in instance/ (mode 0600)."""
    import secrets

    from app.storage import make_private_dirs

    path = Path(app.instance_path) / name
    if not path.exists():
        make_private_dirs(path.parent)
        # Created 0600, never briefly readable by others.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker is writing it
            fd = -1
        if fd >= 0:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
