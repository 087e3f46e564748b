"""Coded answers a reviewer sets after intake: the ILO indicator rows and the
reliability of the testimony, validated against the schema's choices.

The coded tier is plaintext (app.intake.schema), but only members granted
the case change it, and the audit names the fields, never their values.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.cases import service as cases
from app.intake import schema
from app.models import Case, CaseIndicator, Membership

# Coded fields a reviewer may change after intake.
INDICATOR_PARTS = ("present", "basis", "frequency")


def update_coded(session: Session, membership: Membership, case: Case,
                 indicators: dict[str, dict[str, str | None]], reliability: str | None
                 ) -> list[str]:
    """Set the ILO indicator answers and the reliability; returns the names of
    the fields that changed (audited by name and count, never by value).

    Only members granted the case (a wrap to their key) may change it.
    """
    cases.require_editor(session, membership, case)
    valid = dict(schema.ILO_INDICATORS)
    rows = {row.indicator: row for row in case.indicators}
    changed: list[str] = []
    for name, answer in indicators.items():
        if name not in valid:
            raise ValueError(f"unknown indicator {name}")
        _check(answer)
        row = rows.get(name)
        if row is None:
            row = CaseIndicator(indicator=name, present="unknown")
            case.indicators.append(row)
            rows[name] = row
            changed.append(f"ilo_{name}_present")
        for part in INDICATOR_PARTS:
            value = answer.get(part) or (None if part != "present" else "unknown")
            if getattr(row, part) != value:
                setattr(row, part, value)
                name_of = f"ilo_{name}_{part}"
                if name_of not in changed:
                    changed.append(name_of)
    if reliability is not None and reliability not in dict(schema.RELIABILITY):
        raise ValueError("unknown reliability")
    if case.reliability != reliability:
        case.reliability = reliability
        changed.append("reliability")
    session.flush()
    if changed:
        audit.record(session, audit.Action.CODED_CHANGED, organisation_id=case.organisation_id,
                     actor_user_id=membership.user_id, target=case.public_id,
                     fields=",".join(changed)[:500], count=len(changed))
    return changed


def _check(answer: dict[str, str | None]) -> None:
    for part, choices in (("present", schema.PRESENCE), ("basis", schema.BASIS),
                          ("frequency", schema.FREQUENCY)):
        value = answer.get(part)
        if value and value not in dict(choices):
            raise ValueError(f"unknown {part} answer")
