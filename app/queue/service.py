"""The review queue, the interviewer's own submissions, assignment and priority.

Everything here reads coded columns only (status, sector, priority, dates,
indicator codes, assignee): nothing is decrypted, so listing a queue needs no
unlocked key and can never leak a word of a testimony.

Pages are keyset pages: each ends with a cursor naming the last row's sort key
and id, and the next page starts strictly after it, so a page costs the same
however deep it is and rows filed at the same instant are neither repeated nor
skipped (the id breaks the tie). A cursor is only a position: the next page
is filtered by organisation and grant exactly as the first, so a forged cursor
can move the reader within what they may see and nowhere else. It is still
checked strictly, and anything malformed is a :class:`BadCursor`.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    Select,
    exists,
    false,
    literal,
    select,
    true,
    tuple_,
)
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.errors import NotFound, PermissionDenied
from app.i18n import N_
from app.models import (
    Case,
    CaseIndicator,
    CaseKeyWrap,
    CaseStatus,
    Membership,
    Priority,
    Role,
    SealedObject,
    User,
)

PAGE_SIZE = 50
KEY_HOLDERS = frozenset({Role.REVIEWER, Role.ADMIN})
# The workflow's order, for sorting by status (the codes sort alphabetically).
STATUS_ORDER: tuple[CaseStatus, ...] = (
    CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW, CaseStatus.IN_REDACTION,
    CaseStatus.AWAITING_APPROVAL, CaseStatus.APPROVED, CaseStatus.ARCHIVED)
# The indicator answer that means "present" (app.intake.schema.PRESENCE).
PRESENT = "yes"
Rows = Select[*tuple[Any, ...]]


class BadCursor(ValueError):
    """A page cursor that this code did not write (edited, truncated, another sort)."""


class Sort(enum.StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    PRIORITY = "priority"
    STATUS = "status"


class AssigneeFilter(enum.StrEnum):
    ANYONE = "anyone"
    ME = "me"
    NOBODY = "nobody"
    MEMBER = "member"


@dataclass(frozen=True)
class QueueFilter:
    status: CaseStatus | None = None
    sector: str | None = None
    # Any of these indicators answered "present".
    indicators: tuple[str, ...] = ()
    assignee: AssigneeFilter = AssigneeFilter.ANYONE
    assignee_id: int | None = None  # with AssigneeFilter.MEMBER
    priority: Priority | None = None


@dataclass(frozen=True)
class QueueRow:
    public_id: str
    status: CaseStatus
    sector: str | None
    priority: Priority
    created_at: datetime
    assignee_membership_id: int | None
    assignee_email: str | None
    # A wrap to the member's current key exists: the case view can open it.
    can_open: bool
    indicators: tuple[str, ...]


@dataclass(frozen=True)
class Page:
    rows: Sequence[Any]
    next_cursor: str | None
    first_page: bool


@dataclass(frozen=True)
class Submission:
    public_id: str
    status: CaseStatus
    created_at: datetime
    # (label, ciphertext sha256) as on the receipt page.
    hashes: tuple[tuple[str, str], ...] = field(default_factory=tuple)


# --- cursors -------------------------------------------------------------------

def _sort_columns(sort: Sort) -> tuple[tuple[Any, ...], bool]:
    """The sort key's columns and whether it runs descending (one direction for all,
    so that one row-value comparison starts the next page)."""
    if sort is Sort.NEWEST:
        return (Case.created_at, Case.id), True
    if sort is Sort.OLDEST:
        return (Case.created_at, Case.id), False
    if sort is Sort.PRIORITY:
        return (Case.priority, Case.created_at, Case.id), True
    raise ValueError("the status order is paged by _by_status")


def _key_of(sort: Sort, created_at: datetime, case_id: int, priority: int,
            status: CaseStatus) -> list[Any]:
    stamp = created_at.isoformat()
    if sort is Sort.PRIORITY:
        return [int(priority), stamp, case_id]
    if sort is Sort.STATUS:
        return [STATUS_ORDER.index(status), stamp, case_id]
    return [stamp, case_id]


def encode_cursor(sort: Sort, key: list[Any]) -> str:
    raw = json.dumps([sort.value, *key], separators=(",", ":")).encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, sort: Sort) -> list[Any]:
    """The sort key values in ``cursor``, typed for the query; BadCursor otherwise."""
    if len(cursor) > 200 or not cursor.isascii():
        raise BadCursor("too long")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw.decode("ascii"))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadCursor("not a cursor") from exc
    if not isinstance(data, list) or not data or data[0] != sort.value:
        raise BadCursor("written for another sort order")
    values = data[1:]
    expected = 2 if sort in {Sort.NEWEST, Sort.OLDEST} else 3
    if len(values) != expected:
        raise BadCursor("wrong length")
    *head, stamp, case_id = values
    if not _is_int(case_id) or not isinstance(stamp, str):
        raise BadCursor("wrong types")
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError as exc:
        raise BadCursor("not a date") from exc
    typed: list[Any] = []
    if head:
        if not _is_int(head[0]) or (sort is Sort.STATUS and head[0] >= len(STATUS_ORDER)):
            raise BadCursor("wrong types")
        typed.append(int(head[0]))
    return [*typed, when, int(case_id)]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31


def _after(sort: Sort, values: list[Any]) -> ColumnElement[bool]:
    columns, descending = _sort_columns(sort)
    types: list[Any] = [Integer()] * (len(columns) - 2) + [DateTime(timezone=True), Integer()]
    bound = tuple_(*(literal(value, type_) for value, type_ in zip(values, types, strict=True)))
    row = tuple_(*columns)
    return row < bound if descending else row > bound


def _order(sort: Sort) -> list[ColumnElement[Any]]:
    columns, descending = _sort_columns(sort)
    return [column.desc() if descending else column.asc() for column in columns]


# --- the queue ----------------------------------------------------------------

def _require_key_holder(membership: Membership) -> None:
    if not membership.active or membership.role not in KEY_HOLDERS:
        raise PermissionDenied("the queue is for reviewers and admins")


def _granted(key_id: int | None) -> ColumnElement[bool]:
    if key_id is None:
        return false()
    return exists(select(CaseKeyWrap.id).where(
        CaseKeyWrap.case_id == Case.id, CaseKeyWrap.member_key_id == key_id))


def _filtered(query: Rows, membership: Membership, filters: QueueFilter
              ) -> Rows:
    if filters.status is not None:
        query = query.where(Case.status == filters.status)
    if filters.sector is not None:
        query = query.where(Case.sector == filters.sector)
    if filters.priority is not None:
        query = query.where(Case.priority == int(filters.priority))
    if filters.indicators:
        query = query.where(exists(select(CaseIndicator.case_id).where(
            CaseIndicator.case_id == Case.id,
            CaseIndicator.indicator.in_(filters.indicators),
            CaseIndicator.present == PRESENT)))
    if filters.assignee is AssigneeFilter.ME:
        query = query.where(Case.assignee_membership_id == membership.id)
    elif filters.assignee is AssigneeFilter.NOBODY:
        query = query.where(Case.assignee_membership_id.is_(None))
    elif filters.assignee is AssigneeFilter.MEMBER:
        query = query.where(Case.assignee_membership_id == filters.assignee_id)
    return query


def queue_page(session: Session, membership: Membership, filters: QueueFilter,
               sort: Sort = Sort.NEWEST, cursor: str | None = None,
               per_page: int = PAGE_SIZE) -> Page:
    """One page of the member's queue: reviewers see the cases granted to them
    (wrapped to their current key), admins every case of the organisation,
    each marked with whether they can open it."""
    _require_key_holder(membership)
    key = membership.current_key
    key_id = key.id if key is not None else None
    can_open = _granted(key_id)
    query: Rows = select(
        Case.id, Case.public_id, Case.status, Case.sector, Case.priority, Case.created_at,
        Case.assignee_membership_id,
        (true() if membership.role is Role.REVIEWER else can_open).label("can_open"),
    ).where(Case.organisation_id == membership.organisation_id)
    if membership.role is Role.REVIEWER:
        query = query.where(can_open)
    query = _filtered(query, membership, filters)
    if sort is Sort.STATUS:
        found = _by_status(session, query, filters, cursor, per_page + 1)
    else:
        if cursor:
            query = query.where(_after(sort, decode_cursor(cursor, sort)))
        found = list(session.execute(query.order_by(*_order(sort)).limit(per_page + 1)))
    more = len(found) > per_page
    found = found[:per_page]
    ids = [row.id for row in found]
    present: dict[int, list[str]] = {}
    if ids:
        for case_id, indicator in session.execute(
                select(CaseIndicator.case_id, CaseIndicator.indicator).where(
                    CaseIndicator.case_id.in_(ids), CaseIndicator.present == PRESENT)
                .order_by(CaseIndicator.case_id, CaseIndicator.indicator)):
            present.setdefault(case_id, []).append(indicator)
    emails = _emails(session, membership.organisation_id,
                     {row.assignee_membership_id for row in found} - {None})
    rows = [QueueRow(row.public_id, CaseStatus(row.status), row.sector,
                     _priority(row.priority), row.created_at, row.assignee_membership_id,
                     emails.get(row.assignee_membership_id), bool(row.can_open),
                     tuple(present.get(row.id, ()))) for row in found]
    next_cursor = None
    if more and found:
        last = found[-1]
        next_cursor = encode_cursor(sort, _key_of(sort, last.created_at, last.id,
                                                  last.priority, CaseStatus(last.status)))
    return Page(rows, next_cursor, first_page=not cursor)


def _by_status(session: Session, query: Rows, filters: QueueFilter, cursor: str | None,
               limit: int) -> list[Any]:
    """Status in workflow order, oldest first within each: one index range scan
    per status, in order, until the page is full (a sort on the workflow rank
    itself could not use an index and would sort every row)."""
    start_rank, after = 0, None
    if cursor:
        start_rank, *after = decode_cursor(cursor, Sort.STATUS)
    found: list[Any] = []
    for rank, status in enumerate(STATUS_ORDER):
        if rank < start_rank or (filters.status is not None and status is not filters.status):
            continue
        part = query.where(Case.status == status)
        if after is not None and rank == start_rank:
            part = part.where(tuple_(Case.created_at, Case.id) > tuple_(
                literal(after[0], DateTime(timezone=True)), literal(after[1], Integer())))
        found.extend(session.execute(part.order_by(Case.created_at.asc(), Case.id.asc())
                                     .limit(limit - len(found))))
        if len(found) >= limit:
            break
    return found


def _priority(value: int) -> Priority:
    try:
        return Priority(value)
    except ValueError:
        return Priority.NORMAL


def _emails(session: Session, organisation_id: int, ids: set[Any]) -> dict[int, str]:
    if not ids:
        return {}
    return {membership_id: email for membership_id, email in session.execute(
        select(Membership.id, User.email).join(User, User.id == Membership.user_id).where(
            Membership.id.in_(ids), Membership.organisation_id == organisation_id))}


def key_holders(session: Session, organisation_id: int) -> list[tuple[int, str]]:
    """(membership id, e-mail) of the organisation's active reviewers and admins."""
    return [(membership_id, email) for membership_id, email in session.execute(
        select(Membership.id, User.email).join(User, User.id == Membership.user_id).where(
            Membership.organisation_id == organisation_id, Membership.active.is_(True),
            Membership.role.in_(KEY_HOLDERS)).order_by(User.email))]


# --- assignment and priority ---------------------------------------------------------

def case_for_member(session: Session, membership: Membership, public_id: str) -> Case:
    """The case if the member may act on it (admins: any of their organisation's;
    reviewers: those granted to them); NotFound otherwise, whether it exists or not."""
    _require_key_holder(membership)
    query = select(Case).where(Case.public_id == public_id,
                               Case.organisation_id == membership.organisation_id)
    if membership.role is Role.REVIEWER:
        key = membership.current_key
        query = query.where(_granted(key.id if key is not None else None))
    found = session.scalar(query)
    if found is None:
        raise NotFound(public_id)
    return found


def _holds_wrap(session: Session, case_id: int, membership: Membership) -> bool:
    key = membership.current_key
    return key is not None and session.scalar(select(CaseKeyWrap.id).where(
        CaseKeyWrap.case_id == case_id, CaseKeyWrap.member_key_id == key.id)) is not None


def assign(session: Session, actor: Membership, public_id: str,
           assignee_id: int | None) -> Case:
    """Give the case to ``assignee_id`` (None: to nobody).

    Admins assign any active reviewer or admin of the organisation who holds
    a wrap for the case; a reviewer may only take a case for themselves or
    release their own."""
    found = case_for_member(session, actor, public_id)
    if actor.role is not Role.ADMIN:
        taking = assignee_id == actor.id and found.assignee_membership_id is None
        releasing = assignee_id is None and found.assignee_membership_id in {None, actor.id}
        if not (taking or releasing):
            raise PermissionDenied("a reviewer takes or releases their own cases only")
    if assignee_id is not None:
        assignee = session.get(Membership, assignee_id)
        if (assignee is None or assignee.organisation_id != actor.organisation_id
                or not assignee.active or assignee.role not in KEY_HOLDERS):
            raise PermissionDenied("not a reviewer or admin of this organisation")
        if not _holds_wrap(session, found.id, assignee):
            raise PermissionDenied("the case is not granted to that member")
    previous = found.assignee_membership_id
    if previous != assignee_id:
        found.assignee_membership_id = assignee_id
        audit.record(session, audit.Action.CASE_ASSIGNED,
                     organisation_id=found.organisation_id, actor_user_id=actor.user_id,
                     target=found.public_id, from_membership_id=previous,
                     to_membership_id=assignee_id)
    session.flush()
    return found


def set_priority(session: Session, actor: Membership, public_id: str,
                 priority: Priority) -> Case:
    """Reviewers (on cases granted to them) and admins set a case's priority."""
    found = case_for_member(session, actor, public_id)
    previous = found.priority
    if previous != int(priority):
        found.priority = int(priority)
        audit.record(session, audit.Action.PRIORITY_CHANGED,
                     organisation_id=found.organisation_id, actor_user_id=actor.user_id,
                     target=found.public_id, from_priority=int(previous),
                     to_priority=int(priority))
    session.flush()
    return found


# --- the interviewer's own submissions --------------------------------------------

_ATTACHMENT_LABELS = {"audio": N_("Attachment (audio)"), "photo": N_("Attachment (photo)"),
                      "document": N_("Attachment (document)")}


def _label(obj: SealedObject) -> str:
    """The page translates these labels (app.i18n.N_)."""
    if obj.media_kind:
        return _ATTACHMENT_LABELS.get(obj.media_kind, f"Attachment ({obj.media_kind})")
    return N_("Narrative") if obj.kind.value == "narrative" else N_("Sealed fields")


def submissions_page(session: Session, membership: Membership, cursor: str | None = None,
                     per_page: int = PAGE_SIZE) -> Page:
    """What this interviewer membership filed, newest first: ids, dates, status and
    the ciphertext hashes of the receipt; never content."""
    if not membership.active or membership.role is not Role.INTERVIEWER:
        raise PermissionDenied("own submissions are for interviewers")
    query: Rows = select(Case.id, Case.public_id, Case.status, Case.created_at).where(
        Case.organisation_id == membership.organisation_id,
        Case.created_by_membership_id == membership.id)
    if cursor:
        query = query.where(_after(Sort.NEWEST, decode_cursor(cursor, Sort.NEWEST)))
    found = session.execute(query.order_by(*_order(Sort.NEWEST)).limit(per_page + 1)).all()
    more = len(found) > per_page
    found = found[:per_page]
    hashes: dict[int, list[tuple[int, str, str]]] = {}
    if found:
        order = {"narrative": 0, "fields": 1, "attachment": 2}
        for obj in session.scalars(select(SealedObject).where(
                SealedObject.case_id.in_([row.id for row in found]))):
            hashes.setdefault(obj.case_id, []).append(
                (order.get(obj.kind.value, 3), _label(obj), obj.sha256))
    rows = [Submission(row.public_id, CaseStatus(row.status), row.created_at,
                       tuple((label, digest) for _o, label, digest
                             in sorted(hashes.get(row.id, [])))) for row in found]
    next_cursor = None
    if more and found:
        last = found[-1]
        next_cursor = encode_cursor(Sort.NEWEST, _key_of(
            Sort.NEWEST, last.created_at, last.id, 0, CaseStatus(last.status)))
    return Page(rows, next_cursor, first_page=not cursor)
