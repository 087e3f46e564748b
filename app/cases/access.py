"""Whether a member holds a wrap of a case's key for their current key.

A question about rows only (nothing is decrypted): used to decide what a
member may link, list or grant. Opening a case still goes through
app.cases.service.unlock_case_key, which needs the identity as well.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import CaseKeyWrap, Membership


def wrap_of(session: Session, membership: Membership, case_id: int) -> CaseKeyWrap | None:
    key = membership.current_key if membership.active else None
    if key is None:
        return None
    return session.scalar(select(CaseKeyWrap).where(
        CaseKeyWrap.case_id == case_id, CaseKeyWrap.member_key_id == key.id))


def readable_case_ids(session: Session, membership: Membership,
                      case_ids: Iterable[int]) -> set[int]:
    """Those of ``case_ids`` whose key is wrapped to the member's current key."""
    key = membership.current_key if membership.active else None
    ids = list(case_ids)
    if key is None or not ids:
        return set()
    return set(session.scalars(select(CaseKeyWrap.case_id).where(
        CaseKeyWrap.case_id.in_(ids), CaseKeyWrap.member_key_id == key.id)))
