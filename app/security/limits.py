"""Request throttling with Flask-Limiter, shared by every blueprint.

One module-level :data:`limiter`, initialised by the app factory, so views in
any blueprint can be decorated at import time. Apply the ready-made
decorators to POSTs that guess at a secret::

    from app.security.limits import sensitive_limit

    @bp.route("/invitation/<token>", methods=["GET", "POST"])
    @sensitive_limit
    def accept(token): ...

Limits count per client address. Storage is in memory (per process) unless
``ratelimit_storage_url`` names a Redis server, which every worker then
shares. The per-account lockout in the database (app.auth.service) is the
second line: it holds whatever address an attacker comes from.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, render_template, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits import parse_many

from app.config import ConfigError, Settings

log = logging.getLogger(__name__)

limiter = Limiter(key_func=get_remote_address)


def _setting(name: str) -> str:
    value: str = getattr(current_app.config["WITNESSBOX"], name)
    return value


# Callables, not strings: the limit is read from the running app's settings,
# so tests and deployments can change it without re-importing views.
login_limit = limiter.limit(lambda: _setting("login_rate_limit"), methods=["POST"])
second_factor_limit = limiter.limit(lambda: _setting("second_factor_rate_limit"),
                                    methods=["POST"])
sensitive_limit = limiter.limit(lambda: _setting("sensitive_rate_limit"), methods=["POST"])


def init_app(app: Flask, settings: Settings) -> None:
    for name in ("login_rate_limit", "second_factor_rate_limit", "sensitive_rate_limit"):
        try:
            parse_many(getattr(settings, name))
        except ValueError as exc:
            raise ConfigError(f"{name}: expected e.g. '10 per minute; 50 per hour'") from exc
    # Set every key explicitly: the limiter object outlives one app (tests
    # make many), and without a storage URI it warns and falls back silently.
    app.config.update(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_url,
        RATELIMIT_HEADERS_ENABLED=True,
        # A storage outage must not switch throttling off: fail closed.
        RATELIMIT_SWALLOW_ERRORS=False,
    )
    limiter.init_app(app)

    @app.errorhandler(RateLimitExceeded)
    def _too_many(_exc: RateLimitExceeded) -> tuple[str, int]:
        log.warning("rate limit reached on %s", request.url_rule.rule if request.url_rule
                    else "?")
        return render_template(
            "error.html", status=429, title="Too many attempts",
            message="There were too many attempts from your address. Wait a minute, "
                    "then try again. Nothing was changed."), 429
