"""The authenticator app's entry names the site or organisation and the member,
not "Witnessbox:account 2" (issue 12)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import segno
from sqlalchemy.orm import Session

from app.auth import totp
from app.models import Role
from app.orgs.service import add_member, create_organisation


def test_the_entry_names_the_organisation_and_the_member(web: Any, demo_org: Any,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
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
    assert unquote(uri.path) == f"/Witnessbox ({demo_org.organisation.name}):{email}"
    assert parse_qs(uri.query)["issuer"] == [f"Witnessbox ({demo_org.organisation.name})"]


def test_a_member_of_several_organisations_sees_the_site(db: Session, demo_org: Any) -> None:
    email = demo_org.email(Role.INTERVIEWER)
    beta = create_organisation(db, "beta", "Beta: Legal Aid")
    membership = add_member(db, beta.organisation, email, "irrelevant-pass-1", Role.INTERVIEWER)
    assert totp.authenticator_label(db, membership.user, "https://wb.example.org") == (
        "Witnessbox (wb.example.org)", email)
    # No site configured: the product's name alone.
    assert totp.authenticator_label(db, membership.user) == ("Witnessbox", email)
    demo_org.members[Role.INTERVIEWER].active = False
    db.flush()
    # A colon would split the label in the wrong place.
    assert totp.authenticator_label(db, membership.user)[0] == "Witnessbox (Beta Legal Aid)"
