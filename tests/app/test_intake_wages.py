"""Exact personal wage figures are quasi-identifiers (brief): sealed, with only
a band in the coded tier (issue 7: `loyalty_fee_per_month: 837` was plaintext)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from intake_data import full_form, submit
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cases import service as cases
from app.intake import schema
from app.models import Case, Role


def test_exact_wage_figures_are_sealed_and_only_their_band_is_coded(
        interviewer: Any, db: Session, demo_org: Any) -> None:
    data = {**full_form("Wages"), "loyalty_fee_per_month": "837", "withheld_per_month": "4321"}
    response = submit(interviewer, data)
    assert response.status_code == 303, response.get_data(as_text=True)
    case = db.scalars(select(Case)).one()
    coded = json.dumps(case.conditions)
    assert "837" not in coded
    assert "4321" not in coded
    assert case.conditions["loyalty_fee_per_month_band"] == "500-999"
    assert case.conditions["withheld_per_month_band"] == "2000+"
    key = cases.unlock_case_key(db, demo_org.members[Role.REVIEWER], case,
                                demo_org.identities[Role.REVIEWER])
    sealed = cases.read_sealed_fields(case, key)
    assert (sealed["loyalty_fee_per_month"], sealed["withheld_per_month"]) == (837, 4321)


@pytest.mark.parametrize(("value", "expected"), [
    (0, "0-49"), (49, "0-49"), (50, "50-99"), (999, "500-999"), (1000, "1000-1999"),
    (250000, "2000+")])
def test_wage_bands_cover_every_value(value: int, expected: str) -> None:
    assert schema.band(schema.BY_NAME["loyalty_fee_per_month"], value) == expected


def test_no_coded_field_holds_a_personal_amount() -> None:
    # Every amount of money a person was paid or had taken is sealed.
    for name in ("loyalty_fee_per_month", "withheld_per_month"):
        spec = schema.BY_NAME[name]
        assert spec.tier.sealed
        assert spec.bands
