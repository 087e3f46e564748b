"""Every route × every role × own and other organisation, declared in one table.

A route added without a row here fails ``test_every_route_is_in_the_table``;
a row whose route is gone fails it too. The expected outcome of each request
is declared per actor:

* ``ALLOW``: authorisation passed (the request may still fail validation,
  e.g. an empty form gives 400, but never 401/403/404/405/410 nor a bounce
  to the sign-in page);
* ``LOGIN``: redirected to the sign-in page;
* a status code: exactly that status.

Object routes (with an id in the URL) are requested twice: with an object of
the actor's own organisation and with one of another organisation, whose
expected outcome is declared separately. POSTs carry a valid CSRF token, so
a refusal here is authorisation, never CSRF.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask, url_for
from intake_data import file_case
from media_samples import wav_bytes
from sqlalchemy.orm import Session

from app.clusters.service import create_cluster
from app.config import Settings
from app.models import ClusterReason, Export, ExportPurpose, ExportStatus, Invitation, Role
from app.orgs.service import add_member
from app.storage import BlobStore

ALLOW, LOGIN = "allow", "login"
ANON = "anonymous"
ACTORS: tuple[str, ...] = (ANON, Role.INTERVIEWER, Role.REVIEWER, Role.ADMIN)
DENIED_STATUSES = {401, 403, 404, 405, 410}


def everyone(outcome: str | int) -> dict[str, str | int]:
    return dict.fromkeys(ACTORS, outcome)


def members_only(**roles: str | int) -> dict[str, str | int]:
    """Anonymous visitors go to sign-in; each role gets what is given (default ALLOW)."""
    outcomes: dict[str, str | int] = {ANON: LOGIN}
    for role in (Role.INTERVIEWER, Role.REVIEWER, Role.ADMIN):
        outcomes[role] = roles.get(role.value, ALLOW)
    return outcomes


ADMIN_ONLY = members_only(interviewer=403, reviewer=403)
KEY_HOLDERS = members_only(interviewer=403)
INTERVIEWER_ONLY = members_only(reviewer=403, admin=403)


@dataclass(frozen=True)
class Row:
    outcomes: dict[str, str | int]
    # For routes with ids: build URL values from the target organisation's objects.
    params: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    other_org: dict[str, str | int] = field(default_factory=dict)
    # The request ends the actor's session (sign-out): sign in again afterwards.
    ends_session: bool = False
    # Requests run in this order, so destructive ones come last.
    order: int = 0


def victim(objects: dict[str, Any]) -> dict[str, Any]:
    return {"membership_id": objects["victim"]}


def invitation(objects: dict[str, Any]) -> dict[str, Any]:
    return {"invitation_id": objects["invitation"]}


def filed_case(objects: dict[str, Any]) -> dict[str, Any]:
    return {"case_id": objects["case"]}


def cluster(objects: dict[str, Any]) -> dict[str, Any]:
    return {"public_id": objects["cluster"]}


def export_page(objects: dict[str, Any]) -> dict[str, Any]:
    return {"public_id": objects["export"]}


def cluster_case(objects: dict[str, Any]) -> dict[str, Any]:
    return {"public_id": objects["cluster"], "case_public_id": objects["case"]}


OTHER_ORG_KEY_HOLDERS = {ANON: LOGIN, Role.INTERVIEWER: 403, Role.REVIEWER: 404,
                         Role.ADMIN: 404}
OTHER_ORG_ADMIN_ONLY = {ANON: LOGIN, Role.INTERVIEWER: 403, Role.REVIEWER: 403,
                        Role.ADMIN: 404}
# A receipt is for the interviewer who filed the case; to anyone else it does not exist.
FILER_ONLY = members_only(reviewer=404, admin=404)
# Another organisation's case does not exist for its key holders either.
OTHER_ORG_KEY_HOLDERS = {ANON: LOGIN, Role.INTERVIEWER: 403, Role.REVIEWER: 404,
                         Role.ADMIN: 404}


def case_attachment(objects: dict[str, Any]) -> dict[str, Any]:
    return {"public_id": objects["case"], "object_id": objects["attachment"]}


def case_page(objects: dict[str, Any]) -> dict[str, Any]:
    return {"public_id": objects["case"]}


NOBODY_ELSE = members_only(interviewer=404, reviewer=404, admin=404)

TABLE: dict[tuple[str, str], Row] = {
    ("static", "GET"): Row(everyone(ALLOW)),
    ("auth.login", "GET"): Row(everyone(ALLOW)),
    ("auth.login", "POST"): Row(everyone(ALLOW)),
    # Without a pending password step the code page starts sign-in over.
    ("auth.second_factor", "GET"): Row(everyone(LOGIN), ends_session=True, order=8),
    ("auth.second_factor", "POST"): Row(everyone(LOGIN), ends_session=True, order=8),
    ("auth.logout", "POST"): Row(everyone(LOGIN), ends_session=True, order=9),
    # Signing out everywhere ends this session too: back to sign-in.
    ("auth.logout_everywhere", "POST"): Row(everyone(LOGIN), ends_session=True, order=9),
    ("auth.account", "GET"): Row(members_only()),
    ("auth.totp_enrol", "GET"): Row(members_only()),
    ("auth.totp_enrol", "POST"): Row(members_only()),
    ("auth.choose_organisation", "GET"): Row(members_only()),
    ("auth.choose_organisation", "POST"): Row(members_only()),
    # An empty form (no current password): a 400 for every member, never a refusal.
    ("auth.regenerate_recovery_codes", "POST"): Row(members_only()),
    ("auth.change_password", "GET"): Row(members_only()),
    ("auth.change_password", "POST"): Row(members_only()),
    ("main.index", "GET"): Row(members_only()),
    # The language switcher: anyone, signed in or not (it saves a signed-in
    # member's own setting only).
    ("i18n.choose", "POST"): Row(everyone(ALLOW)),
    ("intake.new", "GET"): Row(INTERVIEWER_ONLY),
    ("intake.submit", "POST"): Row(INTERVIEWER_ONLY),
    ("intake.receipt", "GET"): Row(FILER_ONLY, filed_case, NOBODY_ELSE),
    # Sealed in the browser (app.intake.presealed_routes): the signed recipient
    # list and the upload are the interviewer's; the service worker is public code.
    ("sealed_intake.context", "GET"): Row(INTERVIEWER_ONLY),
    ("sealed_intake.submit", "POST"): Row(INTERVIEWER_ONLY),
    ("sealed_intake.service_worker", "GET"): Row(everyone(ALLOW)),
    # Reviewers and admins of the case's organisation pass (without an
    # unlocked key the view sends them to unlock it: still authorised).
    ("cases.view", "GET"): Row(KEY_HOLDERS, case_page, OTHER_ORG_KEY_HOLDERS),
    ("cases.attachment", "GET"): Row(KEY_HOLDERS, case_attachment, OTHER_ORG_KEY_HOLDERS),
    ("cases.update_coded", "POST"): Row(KEY_HOLDERS, case_page, OTHER_ORG_KEY_HOLDERS),
    ("cases.add_note", "POST"): Row(KEY_HOLDERS, case_page, OTHER_ORG_KEY_HOLDERS),
    # A case of one's own organisation: the key is not unlocked in this test,
    # so key holders get the unlock page (allowed); another organisation's is not found.
    ("review.editor", "GET"): Row(KEY_HOLDERS, case_page, OTHER_ORG_KEY_HOLDERS),
    ("review.decide", "POST"): Row(KEY_HOLDERS, case_page, OTHER_ORG_KEY_HOLDERS),
    ("review.accept_group", "POST"): Row(KEY_HOLDERS, case_page,
                                         OTHER_ORG_KEY_HOLDERS),
    ("review.add_phrase", "POST"): Row(KEY_HOLDERS, case_page,
                                       OTHER_ORG_KEY_HOLDERS),
    ("review.sweep", "POST"): Row(KEY_HOLDERS, case_page, OTHER_ORG_KEY_HOLDERS),
    ("review.mask_shared", "POST"): Row(KEY_HOLDERS, case_page, OTHER_ORG_KEY_HOLDERS),
    ("review.submit", "POST"): Row(KEY_HOLDERS, case_page, OTHER_ORG_KEY_HOLDERS),
    ("review.approval", "GET"): Row(KEY_HOLDERS, case_page, OTHER_ORG_KEY_HOLDERS),
    ("review.approve", "POST"): Row(KEY_HOLDERS, case_page, OTHER_ORG_KEY_HOLDERS),
    ("review.return_case", "POST"): Row(KEY_HOLDERS, case_page,
                                        OTHER_ORG_KEY_HOLDERS),
    ("queue.index", "GET"): Row(KEY_HOLDERS),
    ("queue.mine", "GET"): Row(INTERVIEWER_ONLY),
    # Empty forms: a reviewer "releases" an unassigned case (no change), an
    # admin unassigns it; priority and status without a value are a 400.
    ("queue.assign", "POST"): Row(KEY_HOLDERS, case_page, OTHER_ORG_KEY_HOLDERS),
    ("queue.priority", "POST"): Row(KEY_HOLDERS, case_page, OTHER_ORG_KEY_HOLDERS),
    ("workflow.status", "GET"): Row(KEY_HOLDERS, case_page, OTHER_ORG_KEY_HOLDERS),
    ("workflow.change_status", "POST"): Row(KEY_HOLDERS, case_page, OTHER_ORG_KEY_HOLDERS),
    ("keys.status", "GET"): Row(KEY_HOLDERS),
    ("keys.unlock", "POST"): Row(KEY_HOLDERS),
    ("keys.lock", "POST"): Row(KEY_HOLDERS),
    ("keys.change_passphrase", "POST"): Row(KEY_HOLDERS),
    # Empty forms (no passphrase, no re-authentication): a 400 for key holders.
    ("keys.rekey", "POST"): Row(KEY_HOLDERS),
    ("keys.new_key", "POST"): Row(KEY_HOLDERS),
    ("audit.index", "GET"): Row(ADMIN_ONLY),
    ("members.index", "GET"): Row(ADMIN_ONLY),
    ("members.invite", "GET"): Row(ADMIN_ONLY),
    ("members.invite", "POST"): Row(ADMIN_ONLY),
    ("members.settings", "GET"): Row(ADMIN_ONLY),
    ("members.settings", "POST"): Row(ADMIN_ONLY),
    ("members.revoke_invitation", "POST"): Row(ADMIN_ONLY, invitation, OTHER_ORG_ADMIN_ONLY,
                                               order=5),
    ("members.suspend", "POST"): Row(ADMIN_ONLY, victim, OTHER_ORG_ADMIN_ONLY, order=5),
    ("members.reinstate", "POST"): Row(ADMIN_ONLY, victim, OTHER_ORG_ADMIN_ONLY, order=6),
    # The victim is not locked: an admin's unlock is refused with a message (a redirect).
    ("members.unlock", "POST"): Row(ADMIN_ONLY, victim, OTHER_ORG_ADMIN_ONLY, order=5),
    ("members.reset_two_factor", "POST"): Row(ADMIN_ONLY, victim, OTHER_ORG_ADMIN_ONLY,
                                              order=5),
    ("members.remove", "GET"): Row(ADMIN_ONLY, victim, OTHER_ORG_ADMIN_ONLY, order=6),
    ("members.remove", "POST"): Row(ADMIN_ONLY, victim, OTHER_ORG_ADMIN_ONLY, order=7),
    ("grants.index", "GET"): Row(ADMIN_ONLY),
    ("grants.change", "POST"): Row(ADMIN_ONLY),
    ("grants.regrant", "POST"): Row(ADMIN_ONLY, victim, OTHER_ORG_ADMIN_ONLY),
    ("clusters.index", "GET"): Row(KEY_HOLDERS),
    ("clusters.index", "POST"): Row(KEY_HOLDERS),
    ("clusters.show", "GET"): Row(KEY_HOLDERS, cluster, OTHER_ORG_KEY_HOLDERS),
    ("clusters.add_case", "POST"): Row(KEY_HOLDERS, cluster, OTHER_ORG_KEY_HOLDERS),
    ("clusters.remove_case", "POST"): Row(KEY_HOLDERS, cluster_case, OTHER_ORG_KEY_HOLDERS,
                                          order=5),
    ("exports.index", "GET"): Row(ADMIN_ONLY),
    # An empty form: a 400 for admins, refused before that for everyone else.
    ("exports.create", "POST"): Row(ADMIN_ONLY),
    ("exports.show", "GET"): Row(ADMIN_ONLY, export_page, OTHER_ORG_ADMIN_ONLY),
    ("exports.approve", "POST"): Row(ADMIN_ONLY, export_page, OTHER_ORG_ADMIN_ONLY, order=5),
    ("exports.download", "POST"): Row(ADMIN_ONLY, export_page, OTHER_ORG_ADMIN_ONLY, order=6),
    ("exports.change_setting", "POST"): Row(ADMIN_ONLY),
    ("retention.index", "GET"): Row(ADMIN_ONLY),
    # An empty form: no rule changes (every status kept), for admins only.
    ("retention.index", "POST"): Row(ADMIN_ONLY),
    ("retention.case", "GET"): Row(ADMIN_ONLY, case_page, OTHER_ORG_ADMIN_ONLY),
    # Empty forms: a 400 for admins (no reason, no date, no typed confirmation).
    ("retention.set_hold", "POST"): Row(ADMIN_ONLY, case_page, OTHER_ORG_ADMIN_ONLY),
    ("retention.lift_hold", "POST"): Row(ADMIN_ONLY, case_page, OTHER_ORG_ADMIN_ONLY),
    ("retention.set_date", "POST"): Row(ADMIN_ONLY, case_page, OTHER_ORG_ADMIN_ONLY),
    ("retention.delete_case", "POST"): Row(ADMIN_ONLY, case_page, OTHER_ORG_ADMIN_ONLY,
                                           order=7),
    # Public by design: whoever holds a valid token. A bogus one is gone for all.
    ("members.accept", "GET"): Row(everyone(410), lambda _o: {"token": "not-a-real-token"}),
    ("members.accept", "POST"): Row(everyone(410), lambda _o: {"token": "not-a-real-token"}),
}

SAMPLE_VALUES = {"filename": "site.css"}


def routes(app: Flask) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            for method in rule.methods or () if method not in {"HEAD", "OPTIONS"}}


def test_every_route_is_in_the_table(app: Flask) -> None:
    assert routes(app) - set(TABLE) == set(), "routes missing from the authorisation table"
    assert set(TABLE) - routes(app) == set(), "table rows for routes that do not exist"


def _objects(db: Session, org: Any, slug: str, blobs: BlobStore) -> dict[str, Any]:
    """A victim member, a pending invitation, a case filed by the
    organisation's interviewer and a cluster holding it, that requests may act on."""
    victim_member = add_member(db, org.organisation, f"victim@{slug}.test", "victim password 1",
                               Role.INTERVIEWER, must_change_password=False)
    pending = Invitation(organisation_id=org.organisation.id, email=f"new@{slug}.test",
                         role=Role.INTERVIEWER, token_sha256=f"{slug:0<64}"[:64],
                         expires_at=datetime.now(UTC) + timedelta(hours=1))
    db.add(pending)
    db.commit()
    case = file_case(db, org, blobs, attachments=[("audio", "a.wav", wav_bytes())])
    attachment = next(o.id for o in case.sealed_objects if o.media_kind == "audio")
    linked = create_cluster(db, org.members[Role.REVIEWER], ClusterReason.SAME_TEAM,
                            case.public_id)
    export = Export(public_id=f"EX-{slug.upper()}", organisation_id=org.organisation.id,
                    purpose=ExportPurpose.AGGREGATE_STATS, scope={},
                    status=ExportStatus.AWAITING_APPROVAL, needs_approval=True,
                    excluded_counts={})
    db.add(export)
    db.commit()
    return {"victim": victim_member.id, "invitation": pending.id, "case": case.public_id,
            "attachment": attachment, "cluster": linked.public_id, "export": export.public_id}


def _verdict(response: Any) -> str | int:
    location = response.headers.get("Location", "")
    if response.status_code in {301, 302, 303} and "/login" in location:
        return LOGIN
    if response.status_code in DENIED_STATUSES:
        return int(response.status_code)
    return ALLOW


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The matrix signs in dozens of times from one address: that is not what
    # the rate limits are tested for (see test_lockout.py).
    generous = "10000 per minute"
    return replace(settings, login_rate_limit=generous, second_factor_rate_limit=generous,
                   sensitive_rate_limit=generous, lockout_threshold=1000)


def test_authorisation_matrix(app: Flask, db: Session, make_org: Any, web: Any,
                              blobs: BlobStore) -> None:
    own, other = make_org("alpha"), make_org("beta")
    own_objects = _objects(db, own, "alpha", blobs)
    other_objects = _objects(db, other, "beta", blobs)
    users = {actor: type(web)(app.test_client(), web.totp) for actor in ACTORS}

    def sign_in(actor: str) -> None:
        if actor != ANON:
            web.totp.rewind(db, own.email(actor))
            users[actor].sign_in(own.email(actor))

    for actor in ACTORS:
        sign_in(actor)

    mismatches: list[str] = []
    rows = sorted(TABLE.items(), key=lambda item: (item[1].order, item[0]))
    for (endpoint, method), row in rows:
        targets = [("own", own_objects, row.outcomes)]
        if row.params is not None and row.other_org:
            targets.append(("other", other_objects, row.other_org))
        for actor in ACTORS:
            user = users[actor]
            for which, objects, outcomes in targets:
                values = row.params(objects) if row.params else {}
                with app.test_request_context():
                    url = url_for(endpoint, **values, **(
                        SAMPLE_VALUES if endpoint == "static" else {}))
                if method == "GET":
                    response = user.client.get(url)
                else:
                    token = user.csrf_token("/login" if actor == ANON else "/account")
                    response = user.client.post(url, data={"csrf_token": token})
                got = _verdict(response)
                response.close()  # static files are streamed from an open file
                expected = outcomes[actor]
                if got != expected:
                    seen = f"{response.status_code} {response.headers.get('Location', '')}"
                    mismatches.append(f"{method} {endpoint} ({which} org) as {actor}: "
                                      f"expected {expected}, got {got} ({seen})")
                if row.ends_session:
                    sign_in(actor)
    assert mismatches == []
