"""Response headers that harden every page."""

from __future__ import annotations

from flask import current_app, request
from werkzeug.wrappers import Response

CSP = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    # The intake page's script fetches its signed recipient list and sends
    # sealed cases to this site (app.intake.presealed_routes); nowhere else.
    "connect-src 'self'",
    # Its service worker (offline intake) comes from this site too.
    "worker-src 'self'",
    # ... and its web app manifest (installable intake page).
    "manifest-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    # The case view's <audio> player streams attachments from this site.
    "media-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
])


HSTS = "max-age=63072000; includeSubDomains"


def security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Permissions-Policy"] = (
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()")
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if not current_app.config["WITNESSBOX"].demo_mode:  # demo mode runs on plain http
        response.headers["Strict-Transport-Security"] = HSTS
    # Every dynamic page may show case material or a form about it: no caching.
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
    return response
