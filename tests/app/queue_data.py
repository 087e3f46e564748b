"""Many cases fast, without sealing: coded columns, indicator rows and dummy
key wraps, for the queue's tests and ``bench/queue.py``.

Nothing here can be decrypted (the wraps hold no key): the queue never
decrypts, which is exactly what these rows let the tests show.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.intake.schema import ILO_INDICATORS, SECTORS
from app.models import Case, CaseIndicator, CaseKeyWrap, CaseStatus, Priority, WrapPurpose

INDICATORS = tuple(code for code, _label in ILO_INDICATORS)
SECTOR_CODES = tuple(code for code, _label in SECTORS)
START = datetime(2026, 1, 1, tzinfo=UTC)
# Most cases wait at the start of the workflow; few are archived.
STATUS_WEIGHTS = {CaseStatus.SUBMITTED: 40, CaseStatus.IN_REVIEW: 25,
                  CaseStatus.IN_REDACTION: 15, CaseStatus.AWAITING_APPROVAL: 8,
                  CaseStatus.APPROVED: 8, CaseStatus.ARCHIVED: 4}
PRIORITY_WEIGHTS = {Priority.LOW: 20, Priority.NORMAL: 60, Priority.HIGH: 15,
                    Priority.URGENT: 5}
# Indicators answered per case, and how often an answer is "yes".
ANSWERED, PRESENT_SHARE = (2, 7), 0.55
PRESENCE_OTHER = ("no", "unknown", "declined")
DUMMY_RECIPIENT = "age1" + "q" * 58


@dataclass(frozen=True)
class SeededCase:
    index: int
    public_id: str
    status: CaseStatus
    sector: str
    priority: Priority
    created_at: datetime
    # (indicator, presence) answers; presence "yes" means present.
    answers: tuple[tuple[str, str], ...]

    @property
    def present(self) -> frozenset[str]:
        return frozenset(code for code, presence in self.answers if presence == "yes")


def generate(count: int, *, seed: int = 0, start: datetime = START,
             step: timedelta = timedelta(minutes=7), same_instant_every: int = 1
             ) -> Iterator[SeededCase]:
    """``count`` plausible cases, reproducibly. ``same_instant_every=k`` files
    k cases at each instant, so that keyset pages must break ties by id."""
    rng = random.Random(seed)
    statuses, status_weights = zip(*STATUS_WEIGHTS.items(), strict=True)
    priorities, priority_weights = zip(*PRIORITY_WEIGHTS.items(), strict=True)
    for index in range(count):
        answered = rng.sample(INDICATORS, rng.randint(*ANSWERED))
        answers = tuple((code, "yes" if rng.random() < PRESENT_SHARE
                         else rng.choice(PRESENCE_OTHER)) for code in sorted(answered))
        yield SeededCase(
            index=index, public_id=f"{rng.getrandbits(128):032x}",
            status=rng.choices(statuses, status_weights)[0],
            sector=rng.choice(SECTOR_CODES),
            priority=rng.choices(priorities, priority_weights)[0],
            created_at=start + step * (index // same_instant_every),
            answers=answers)


def insert_cases(db: Session, organisation_id: int, cases: Sequence[SeededCase], *,
                 wrap_to: Sequence[int] = (), filed_by: int | None = None) -> dict[str, int]:
    """Insert ``cases`` with their indicator rows and a dummy wrap to each member
    key id in ``wrap_to``; commits. Returns database ids by public id."""
    ids: dict[str, int] = {}
    for chunk_start in range(0, len(cases), 2000):
        chunk = cases[chunk_start:chunk_start + 2000]
        rows = db.execute(insert(Case).returning(Case.id, Case.public_id), [{
            "public_id": case.public_id, "organisation_id": organisation_id,
            "created_by_membership_id": filed_by, "status": case.status,
            "priority": int(case.priority), "case_recipient": DUMMY_RECIPIENT,
            "sector": case.sector, "recontact_allowed": False, "consent_scopes": [],
            "conditions": {}, "created_at": case.created_at, "updated_at": case.created_at,
        } for case in chunk]).all()
        chunk_ids = {public_id: case_id for case_id, public_id in rows}
        ids.update(chunk_ids)
        indicator_rows = [{"case_id": chunk_ids[case.public_id], "indicator": code,
                           "present": presence}
                          for case in chunk for code, presence in case.answers]
        if indicator_rows:
            db.execute(insert(CaseIndicator), indicator_rows)
        wraps = [{"case_id": chunk_ids[case.public_id], "member_key_id": key_id,
                  "purpose": WrapPurpose.MEMBER, "recipient": f"dummy-{key_id}",
                  "wrapped_key": b"not a key", "created_at": case.created_at}
                 for case in chunk for key_id in wrap_to]
        if wraps:
            db.execute(insert(CaseKeyWrap), wraps)
    db.commit()
    return ids
