"""The redaction editor's service: open, decide, save sealed versions, submit,
approve or return. Authorisation is checked here as well as by the routes:
the member must be a reviewer or admin of the case's organisation whose
current key holds a wrap of the case key, and an approver must not have
authored the layer under approval.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import crypto
from app.audit import service as audit
from app.cases import service as cases
from app.cases import workflow
from app.errors import NoKeyAccess, PermissionDenied, TransitionRefused
from app.models import (
    Case,
    CaseKeyWrap,
    CaseStatus,
    LayerEvent,
    Membership,
    RedactionVersion,
    Role,
)
from app.redaction.spans import Span
from app.review import cluster_entities, layers
from app.review.layers import ACCEPTED, MANUAL, PENDING, REJECTED, Layer, LayerSpan

KEY_HOLDERS = frozenset({Role.REVIEWER, Role.ADMIN})


class OwnWork(PermissionDenied):
    """The approver authored (part of) the redaction they were asked to approve."""


class NotReady(TransitionRefused):
    """The redaction cannot be submitted yet (undecided suggestions or sweep items)."""


def open_case(session: Session, membership: Membership, public_id: str) -> Case:
    """The case, if this member may redact or approve it (before any decryption)."""
    case = cases.get_case(session, membership, public_id)
    if not membership.active or membership.role not in KEY_HOLDERS:
        raise PermissionDenied("only reviewers and admins redact")
    key = membership.current_key
    if key is None or session.scalar(select(CaseKeyWrap.id).where(
            CaseKeyWrap.case_id == case.id, CaseKeyWrap.member_key_id == key.id)) is None:
        raise NoKeyAccess("case key not wrapped to this member")
    return case


@dataclass
class Workspace:
    """A case opened for redaction: its texts, the detector's spans, the current layer."""

    case: Case
    case_key: crypto.CaseKey
    texts: dict[str, str]
    found: layers.Found
    saved: Layer | None
    layer: Layer
    versions: Sequence[RedactionVersion]

    def sweep_items(self) -> list[layers.SweepItem]:
        return layers.sweep_items(self.texts, self.layer)

    def pseudonymised(self) -> dict[str, str]:
        return {name: layers.pseudonymised(text, [s for s in self.layer.spans
                                                  if s.field == name])
                for name, text in self.texts.items()}

    def open_version(self, version: RedactionVersion) -> Layer:
        return Layer.from_json(crypto.open_sealed(version.ciphertext,
                                                  [self.case_key.identity]))


def authors(session: Session, history: Sequence[RedactionVersion]) -> dict[int, str]:
    """E-mail of each version's author, by membership id (for the history list)."""
    ids = {v.author_membership_id for v in history if v.author_membership_id is not None}
    if not ids:
        return {}
    return {m.id: m.user.email for m in session.scalars(
        select(Membership).where(Membership.id.in_(ids)))}


def versions(session: Session, case: Case) -> Sequence[RedactionVersion]:
    return session.scalars(select(RedactionVersion).where(
        RedactionVersion.case_id == case.id).order_by(RedactionVersion.number)).all()


def load(session: Session, membership: Membership, case: Case, identity: crypto.Identity,
         detect: Callable[[str], list[Span]] | None) -> Workspace:
    """Decrypt the case and its latest layer; with ``detect``, merge its suggestions.

    Without a detector (read-only pages) the latest saved layer is shown as saved.
    """
    case_key = cases.unlock_case_key(session, membership, case, identity)
    texts = layers.case_texts(cases.read_narrative(case, case_key),
                              cases.read_sealed_fields(case, case_key))
    history = versions(session, case)
    saved = (Layer.from_json(crypto.open_sealed(history[-1].ciphertext, [case_key.identity]))
             if history else None)
    if detect is not None:
        found: layers.Found = layers.suggest(texts, detect)
        layer = layers.build(texts, found, saved)
    else:
        found = {}
        layer = saved.copy() if saved else Layer()
    return Workspace(case, case_key, texts, found, saved, layer, history)


def _require_editing(case: Case) -> None:
    if case.status is not CaseStatus.IN_REDACTION:
        label = workflow.STATUS_LABELS[case.status].lower()
        raise TransitionRefused(f"the case is {label}, not in redaction")


def save(session: Session, membership: Membership, ws: Workspace,
         layer: Layer) -> RedactionVersion | None:
    """Seal an edited ``layer`` as the case's next version (None if nothing changed)."""
    _require_editing(ws.case)
    layer = layers.build(ws.texts, ws.found, layer)
    if ws.saved is not None and layers.changes(ws.saved, layer).empty:
        return None
    return _seal_version(session, membership, ws, layer, LayerEvent.EDITED)


def _seal_version(session: Session, membership: Membership, ws: Workspace, layer: Layer,
                  event: LayerEvent) -> RedactionVersion:
    change = layers.changes(ws.saved, layer)
    number = (session.scalar(select(func.max(RedactionVersion.number)).where(
        RedactionVersion.case_id == ws.case.id)) or 0) + 1
    version = RedactionVersion(
        case_id=ws.case.id, number=number, author_membership_id=membership.id, event=event,
        ciphertext=crypto.seal(layer.to_json(), [crypto.parse_recipient(ws.case.case_recipient)]),
        added_count=change.added, accepted_count=change.accepted,
        rejected_count=change.rejected, swept_count=change.swept)
    session.add(version)
    session.flush()
    ws.saved, ws.layer = layer, layer
    return version


def decide(session: Session, membership: Membership, ws: Workspace, keys: Sequence[str],
           decision: str) -> RedactionVersion | None:
    """Accept or reject the spans with these keys."""
    if decision not in (ACCEPTED, REJECTED, PENDING):
        raise ValueError(decision)
    wanted = set(keys)
    layer = ws.layer.copy()
    layer.spans = [replace(s, decision=decision) if s.key in wanted else s for s in layer.spans]
    return save(session, membership, ws, layer)


def group_keys(layer: Layer, group: str) -> list[str]:
    """The undecided spans of a group: an identifier type (DIRECT, QUASI) or a category."""
    return [s.key for s in layer.spans if s.decision == PENDING
            and (s.id_type == group or s.category == group)]


def add_phrase(session: Session, membership: Membership, ws: Workspace, phrase: str,
               category: str, id_type: str, *, at: tuple[str, int, int] | None = None
               ) -> tuple[RedactionVersion | None, int]:
    """Offer every occurrence of ``phrase`` as a new suggestion (pending).

    With ``at`` (a selection made in the page), only that occurrence, and
    accepted at once: the reviewer pointed at it. Returns the version and how
    many spans were added.
    """
    if not layers.valid_category(category) or not layers.valid_id_type(id_type):
        raise ValueError("unknown category or identifier type")
    if at is not None:
        name, start, end = at
        if ws.texts.get(name, "")[start:end] != phrase or not phrase:
            raise ValueError("the selection does not match the text")
        spots, decision = [at], ACCEPTED
    else:
        spots, decision = layers.occurrences(ws.texts, phrase), PENDING
    known = {(s.field, s.start, s.end) for s in ws.layer.spans}
    new = [LayerSpan(name, start, end, category, id_type, decision, "", MANUAL)
           for name, start, end in spots if (name, start, end) not in known]
    if not new:
        return None, 0
    layer = ws.layer.copy()
    layer.spans = layer.spans + new
    return save(session, membership, ws, layer), len(new)


def mask_shared(session: Session, membership: Membership, ws: Workspace,
                entities: Sequence[cluster_entities.SharedEntity]
                ) -> tuple[RedactionVersion | None, int]:
    """Mask every occurrence in this case of entities it shares with related
    cases (accepted at once: the reviewer asked for it). Returns the version
    and how many occurrences changed."""
    layer, changed = cluster_entities.mask(ws.layer, entities)
    if not changed:
        return None, 0
    return save(session, membership, ws, layer), changed


def record_sweep(session: Session, membership: Membership, ws: Workspace,
                 decisions: Mapping[str, str]) -> RedactionVersion | None:
    """Mark sweep items safe or mask; a masked item becomes an accepted span."""
    items = {item.key: item for item in ws.sweep_items()}
    layer = ws.layer.copy()
    for key, decision in decisions.items():
        item = items.get(key)
        if item is None or decision not in (layers.SAFE, layers.MASK):
            continue
        layer.sweep[key] = decision
        if decision == layers.MASK:
            layer.spans.append(LayerSpan(item.field, item.start, item.end,
                                         layers.SWEEP_CATEGORY[item.kind], "QUASI",
                                         ACCEPTED, "", MANUAL))
    return save(session, membership, ws, layer)


def blockers(ws: Workspace) -> tuple[int, int]:
    """(undecided suggestions, undecided sweep items)."""
    pending = sum(1 for s in ws.layer.spans if s.decision == PENDING)
    open_items = sum(1 for item in ws.sweep_items() if item.decision is None)
    return pending, open_items


def submit(session: Session, membership: Membership, ws: Workspace) -> None:
    """in redaction → awaiting approval, once nothing is left undecided."""
    _require_editing(ws.case)
    pending, open_items = blockers(ws)
    if pending or open_items:
        raise NotReady(f"{pending} suggestion(s) and {open_items} second-sweep item(s) "
                       "are not decided yet")
    # A version by the submitter, even with nothing changed: who submitted is
    # a redactor of this round and may not approve it.
    version = _seal_version(session, membership, ws, ws.layer, LayerEvent.SUBMITTED)
    workflow.change_status(session, ws.case, CaseStatus.AWAITING_APPROVAL, actor=membership,
                           by_hand=False)
    audit.record(session, audit.Action.REDACTION, organisation_id=ws.case.organisation_id,
                 actor_user_id=membership.user_id, target=ws.case.public_id,
                 event="submitted", version=version.number)


def redactors(session: Session, case: Case) -> set[int]:
    """Members who authored a version of the current layer (since the last return)."""
    history = versions(session, case)
    since = 0
    for version in history:
        if version.event is LayerEvent.RETURNED:
            since = version.number
    return {v.author_membership_id for v in history
            if v.number > since and v.author_membership_id is not None}


def check_approver(session: Session, membership: Membership, case: Case) -> None:
    if membership.id in redactors(session, case):
        raise OwnWork("you redacted this case, so a second reviewer must approve it")


def _require_awaiting(case: Case) -> None:
    if case.status is not CaseStatus.AWAITING_APPROVAL:
        label = workflow.STATUS_LABELS[case.status].lower()
        raise TransitionRefused(f"the case is {label}, not awaiting approval")


def approve(session: Session, membership: Membership, ws: Workspace) -> None:
    _require_awaiting(ws.case)
    check_approver(session, membership, ws.case)
    number = ws.versions[-1].number if ws.versions else 0
    workflow.change_status(session, ws.case, CaseStatus.APPROVED, actor=membership,
                           by_hand=False)
    audit.record(session, audit.Action.APPROVAL, organisation_id=ws.case.organisation_id,
                 actor_user_id=membership.user_id, target=ws.case.public_id,
                 event="approved", version=number)


def return_to_redactor(session: Session, membership: Membership, ws: Workspace,
                       reason: workflow.Reason, comment: str) -> RedactionVersion:
    """awaiting approval → in redaction; the comment is sealed in a new version."""
    _require_awaiting(ws.case)
    check_approver(session, membership, ws.case)
    layer = ws.layer.copy()
    layer.comment = comment.strip() or None
    version = _seal_version(session, membership, ws, layer, LayerEvent.RETURNED)
    workflow.change_status(session, ws.case, CaseStatus.IN_REDACTION, actor=membership,
                           reason=reason, by_hand=False)
    audit.record(session, audit.Action.APPROVAL, organisation_id=ws.case.organisation_id,
                 actor_user_id=membership.user_id, target=ws.case.public_id,
                 event="returned", version=version.number)
    return version
