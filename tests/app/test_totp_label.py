"""The authenticator app's entry names the site, not "Witnessbox:account 2"
(issue 12), and neither the member nor the organisation (seized phones)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import segno

from app.auth import totp
from app.models import Role


def test_the_entry_names_the_site_but_not_the_member_or_organisation(
        web: Any, demo_org: Any, app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    original = segno.make

    def capture(content: str, **kwargs: Any) -> Any:
        made.append(content)  # the URI is only ever inside the QR image
        return original(content, **kwargs)

    monkeypatch.setattr(segno, "make", capture)
    email = demo_org.email(Role.INTERVIEWER)
    web.sign_in(email)
    assert web.client.get("/account/two-factor").status_code == 200
    uri = urlsplit(made[-1])
    assert uri.scheme == "otpauth"
    host = urlsplit(app.config["WITNESSBOX"].base_url).hostname or "sign-in"
    assert unquote(uri.path) == f"/Witnessbox:{host}"
    assert parse_qs(uri.query)["issuer"] == ["Witnessbox"]
    # A seized phone's entry ties nobody to the organisation.
    assert email not in unquote(made[-1])
    assert demo_org.organisation.name not in unquote(made[-1])


def test_the_label_is_the_sites_host_name() -> None:
    assert totp.authenticator_label("https://wb.example.org:8443/x") == (
        "Witnessbox", "wb.example.org")
    # No site configured: a word, not an account number.
    assert totp.authenticator_label() == ("Witnessbox", "sign-in")
