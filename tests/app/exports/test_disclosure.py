"""Statistical disclosure control: thresholds, rounding, percentages, and an LP attacker
who knows every published cell exactly and tries to pin each suppressed one."""

from __future__ import annotations

import csv
import io
import itertools
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pytest
from scipy.optimize import linprog

from app.exports.disclosure import (
    MISSING,
    TOTAL,
    Publication,
    PublishedCell,
    PublishedTable,
    TableSpec,
    protect,
    statistics_csv,
    suppression_log_csv,
)

Record = Mapping[str, str]
Key = tuple[tuple[str, str], ...]
# Bound, not the tuple itself: dict keys are invariant and literals infer fixed lengths.
Combo = TypeVar("Combo", bound=tuple[str, ...])

SECTOR_BY_DECEPTION = TableSpec("sector_by_deception", "Deception, by sector", "sector",
                                "ind_deception")
SECTOR_BY_YEAR = TableSpec("sector_by_year", "Year of arrival, by sector", "sector", "year_band")


def records_from(counts: Mapping[Combo, int], variables: Sequence[str]) -> list[Record]:
    return [
        dict(zip(variables, combo, strict=True))
        for combo, count in counts.items()
        for _ in range(count)
    ]


def key_of(spec: TableSpec, row: str, column: str) -> Key:
    pairs = []
    if row != TOTAL:
        pairs.append((spec.row, row))
    if spec.column is not None and column != TOTAL:
        pairs.append((spec.column, column))
    return tuple(sorted(pairs))


def true_count(records: Sequence[Record], key: Key) -> int:
    return sum(all(record.get(v) == value for v, value in key) for record in records)


# --- the attacker -------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    low: float
    high: float

    @property
    def width(self) -> float:
        return self.high - self.low


def attack(records: Sequence[Record], publication: Publication) -> dict[Key, Interval]:
    """Bounds on every suppressed cell for an attacker who knows the TRUE count of every
    published cell of every table, and that the joint distribution of all the export's
    variables is non-negative. Unknowns: the cells of that joint distribution."""
    categories: dict[str, set[str]] = {}
    for table in publication.tables:
        spec = table.spec
        categories.setdefault(spec.row, set()).update(r for r in table.rows() if r != TOTAL)
        if spec.column is not None:
            categories.setdefault(spec.column, set()).update(
                c for c in table.columns() if c != TOTAL)
    variables = sorted(categories)
    joint = list(itertools.product(*(sorted(categories[v]) for v in variables)))
    position = {v: i for i, v in enumerate(variables)}

    def column_of(key: Key) -> list[float]:
        return [float(all(combo[position[v]] == value for v, value in key)) for combo in joint]

    known: dict[Key, int] = {}
    hidden: set[Key] = set()
    for table in publication.tables:
        for cell in table.cells:
            key = key_of(table.spec, cell.row, cell.column)
            if cell.suppressed is None:
                known[key] = true_count(records, key)
            else:
                hidden.add(key)
    assert not hidden & set(known), "a cell is published in one table and hidden in another"
    equalities = np.array([column_of(key) for key in known]) if known else None
    values = np.array(list(known.values()), dtype=float) if known else None

    intervals: dict[Key, Interval] = {}
    for key in sorted(hidden):
        objective = np.array(column_of(key))
        if objective.all():
            # The only category of its variable: it IS the grand total, which the
            # bundle states. Known by construction, so not counted as a failure.
            continue
        low = linprog(objective, A_eq=equalities, b_eq=values, bounds=(0, None),
                      method="highs")
        assert low.status == 0, low.message
        high = linprog(-objective, A_eq=equalities, b_eq=values, bounds=(0, None),
                       method="highs")
        assert high.status in (0, 3), high.message  # 3: unbounded, far from pinned
        intervals[key] = Interval(low=low.fun, high=np.inf if high.status == 3 else -high.fun)
    return intervals


def pinned_cells(records: Sequence[Record], publication: Publication) -> list[Key]:
    return [key for key, interval in attack(records, publication).items()
            if interval.width < 1 - 1e-6]


# --- random table sets -------------------------------------------------------------------


VARIABLE_POOL: dict[str, list[str]] = {
    "sector": ["logging", "fishing", "construction", "farming", "textiles"],
    "ind_deception": ["yes", "no"],
    "ind_wages": ["paid", "partly", "withheld"],
    "country": ["russia"],  # a single category: one-row / one-column tables
    "year_band": ["early", "middle", "late", "recent"],
    "sex": ["female", "male"],
}
QUASI_IDENTIFIERS = frozenset({"year_band", "sex"})


@dataclass(frozen=True)
class Scenario:
    records: list[Record]
    specs: list[TableSpec]


def random_scenario(seed: int) -> Scenario:
    rng = random.Random(seed)
    variables = rng.sample(sorted(VARIABLE_POOL), k=rng.choice([1, 2, 2, 3, 3, 3]))
    cats = {v: VARIABLE_POOL[v][: rng.randint(1, len(VARIABLE_POOL[v]))] for v in variables}
    size = rng.choice([0, 1, 3, 8, 15, 25, 40, 60, 90])
    fixed_categories = size == 0 or rng.random() < 0.4
    shape = rng.choice(["uniform", "dominant", "singletons", "skewed"])
    combos = list(itertools.product(*(cats[v] for v in variables)))
    if shape == "uniform":
        chosen = [rng.choice(combos) for _ in range(size)]
    elif shape == "dominant":
        top = rng.choice(combos)
        chosen = [top if rng.random() < 0.85 else rng.choice(combos) for _ in range(size)]
    elif shape == "singletons":
        chosen = rng.sample(combos, k=min(size, len(combos)))
    else:
        weights = [rng.random() ** 4 for _ in combos]
        chosen = rng.choices(combos, weights=weights, k=size)
    records: list[Record] = [dict(zip(variables, combo, strict=True)) for combo in chosen]

    specs: list[TableSpec] = []
    # Tables share variables, so they share margins: every pair of this list is linked
    # through its first variable when there are two tables or more.
    anchor = variables[0]
    others = variables[1:]
    for index in range(rng.randint(1, 3)):
        column = rng.choice([*others, None]) if others else None
        row = anchor
        if column is not None and rng.random() < 0.3:
            row, column = column, row
        if column is not None and row in QUASI_IDENTIFIERS and column in QUASI_IDENTIFIERS:
            column = None
        # Fixed categories include unseen ones: zero rows. Without records the seen
        # categories are none at all, and an empty table says there is nobody.
        fixed = fixed_categories or rng.random() < 0.4
        specs.append(TableSpec(
            name=f"t{index}",
            title=f"table {index}",
            row=row,
            column=column,
            row_categories=cats[row] if fixed else None,
            column_categories=cats[column] if fixed and column is not None else None,
        ))
    return Scenario(records, specs)


ATTACK_SEEDS = range(240)


@pytest.mark.parametrize("chunk", range(4), ids=lambda c: f"seeds-{c * 60}-{c * 60 + 59}")
def test_lp_attacker_cannot_pin_any_suppressed_cell(chunk: int) -> None:
    failures = []
    suppressed_seen = 0
    for seed in ATTACK_SEEDS[chunk * 60:(chunk + 1) * 60]:
        scenario = random_scenario(seed)
        publication = protect(scenario.records, scenario.specs,
                              quasi_identifiers=QUASI_IDENTIFIERS)
        if not scenario.records:
            # An empty export: its stated total (0) says every cell is 0, of nobody.
            continue
        intervals = attack(scenario.records, publication)
        suppressed_seen += len(intervals)
        failures += [(seed, key, interval) for key, interval in intervals.items()
                     if interval.width < 1 - 1e-6]
    assert not failures
    assert suppressed_seen > 100  # the scenarios do exercise suppression


def test_attacker_pins_cells_when_only_primary_suppression_is_applied() -> None:
    # The attacker is not toothless: with the secondary suppressions put back it
    # recovers hidden cells by subtraction and by non-negativity.
    counts = {("logging", "yes"): 12, ("logging", "no"): 3, ("fishing", "yes"): 9,
              ("fishing", "no"): 7}
    records = records_from(counts, ["sector", "ind_deception"])
    full = protect(records, [SECTOR_BY_DECEPTION], quasi_identifiers=())
    (table,) = full.tables
    primary_only = PublishedTable(table.spec, tuple(
        cell if cell.suppressed != "secondary" else
        PublishedCell(cell.row, cell.column, 0, None, None) for cell in table.cells))
    assert any(cell.suppressed == "secondary" for cell in table.cells)
    naive = Publication((primary_only,), ())
    assert pinned_cells(records, naive) == [(("ind_deception", "no"), ("sector", "logging"))]
    assert pinned_cells(records, full) == []


# --- primary suppression -----------------------------------------------------------------


def test_cells_under_five_are_suppressed_and_five_is_published() -> None:
    counts = {("logging", "yes"): 4, ("logging", "no"): 30, ("fishing", "yes"): 5,
              ("fishing", "no"): 30, ("construction", "yes"): 20, ("construction", "no"): 20}
    publication = protect(records_from(counts, ["sector", "ind_deception"]),
                          [SECTOR_BY_DECEPTION], quasi_identifiers={"year_band"})
    (table,) = publication.tables
    assert table.cell("logging", "yes").suppressed == "primary"
    assert table.cell("logging", "yes").count is None
    assert table.cell("fishing", "yes").suppressed != "primary"


def test_cells_under_ten_are_suppressed_when_the_table_crosses_a_quasi_identifier() -> None:
    counts = {("logging", "early"): 9, ("logging", "late"): 30, ("fishing", "early"): 10,
              ("fishing", "late"): 30, ("construction", "early"): 25,
              ("construction", "late"): 25}
    records = records_from(counts, ["sector", "year_band"])
    publication = protect(records, [SECTOR_BY_YEAR], quasi_identifiers={"year_band"})
    (table,) = publication.tables
    assert table.cell("logging", "early").suppressed == "primary"
    assert table.cell("fishing", "early").suppressed != "primary"
    # The same data with year_band not declared a quasi-identifier: 9 is publishable.
    relaxed = protect(records, [SECTOR_BY_YEAR], quasi_identifiers=())
    assert relaxed.tables[0].cell("logging", "early").suppressed is None


def test_one_way_table_of_a_quasi_identifier_uses_the_higher_threshold() -> None:
    counts = {("early",): 7, ("late",): 40, ("middle",): 30}
    publication = protect(records_from(counts, ["year_band"]),
                          [TableSpec("years", "Years", "year_band")],
                          quasi_identifiers={"year_band"})
    assert publication.tables[0].cell("early").suppressed == "primary"


def test_zero_cells_and_unseen_categories_are_suppressed() -> None:
    counts = {("logging", "yes"): 40, ("logging", "no"): 0, ("fishing", "yes"): 20,
              ("fishing", "no"): 25}
    spec = TableSpec("sector_by_deception", "Deception", "sector", "ind_deception",
                     row_categories=["logging", "fishing", "textiles"])
    publication = protect(records_from(counts, ["sector", "ind_deception"]), [spec],
                          quasi_identifiers=())
    (table,) = publication.tables
    assert table.cell("logging", "no").suppressed == "primary"
    for column in ("yes", "no", TOTAL):
        assert table.cell("textiles", column).suppressed == "primary"
    assert table.rows() == ("logging", "fishing", "textiles", TOTAL)


def test_a_margin_shared_by_two_tables_takes_the_strictest_threshold_in_both() -> None:
    # The fishing margin (8) is one cell: under 10 in the table with year_band, so it
    # is hidden in the deception table too, or that table would give it away.
    counts = {("fishing", "yes", "early"): 8, ("logging", "yes", "early"): 20,
              ("logging", "no", "late"): 20, ("construction", "no", "late"): 20,
              ("construction", "yes", "early"): 20}
    records = records_from(counts, ["sector", "ind_deception", "year_band"])
    publication = protect(records, [SECTOR_BY_DECEPTION, SECTOR_BY_YEAR],
                          quasi_identifiers={"year_band"})
    deception, years = publication.tables
    assert deception.cell("fishing", TOTAL).suppressed == "primary"
    assert years.cell("fishing", TOTAL).suppressed == "primary"
    reasons = {(e.table, e.row, e.column): e.reason for e in publication.log}
    assert "sector_by_year crosses a quasi-identifier" in \
        reasons[("sector_by_deception", "fishing", TOTAL)]


def test_crossing_two_quasi_identifiers_is_refused() -> None:
    spec = TableSpec("sex_by_year", "Sex by year", "sex", "year_band")
    with pytest.raises(ValueError, match="crosses two quasi-identifiers"):
        protect([{"sex": "female", "year_band": "early"}], [spec],
                quasi_identifiers={"sex", "year_band"})


def test_a_value_outside_the_given_categories_is_refused() -> None:
    spec = TableSpec("sectors", "Sectors", "sector", row_categories=["logging"])
    with pytest.raises(ValueError, match="not in its row categories"):
        protect([{"sector": "fishing"}], [spec], quasi_identifiers=())


def test_missing_values_count_as_unknown() -> None:
    records = [{"sector": "logging"}] * 20 + [{"other": "x"}] * 12 + [{"sector": ""}] * 3
    publication = protect(records, [TableSpec("sectors", "Sectors", "sector")],
                          quasi_identifiers=())
    (table,) = publication.tables
    assert table.rows() == ("logging", MISSING, TOTAL)
    assert table.cell(MISSING).count == 15


# --- rounding and percentages ------------------------------------------------------------


def test_published_counts_are_rounded_to_the_nearest_multiple_of_five() -> None:
    counts = {("a",): 12, ("b",): 13, ("c",): 27, ("d",): 5, ("e",): 9}
    publication = protect(records_from(counts, ["sector"]),
                          [TableSpec("sectors", "Sectors", "sector")], quasi_identifiers=())
    (table,) = publication.tables
    assert [table.cell(r).count for r in "abcde"] == [10, 15, 25, 5, 10]
    assert table.cell(TOTAL).count == 65  # 66 rounded, not the sum of rounded cells
    assert all(cell.count % 5 == 0 for cell in table.cells if cell.count is not None)


def test_rounding_base_ties_round_up() -> None:
    counts = {("a",): 15, ("b",): 25, ("c",): 14}
    publication = protect(records_from(counts, ["sector"]),
                          [TableSpec("sectors", "Sectors", "sector")], quasi_identifiers=(),
                          rounding_base=10)
    (table,) = publication.tables
    assert [table.cell(r).count for r in "abc"] == [20, 30, 10]


def test_percentages_use_rounded_values_and_need_a_denominator_of_ten() -> None:
    counts = {("logging", "yes"): 6, ("logging", "no"): 6, ("fishing", "yes"): 7,
              ("fishing", "no"): 19, ("construction", "yes"): 6, ("construction", "no"): 0}
    spec = TableSpec("sector_by_deception", "Deception", "sector", "ind_deception")
    publication = protect(records_from(counts, ["sector", "ind_deception"]), [spec],
                          quasi_identifiers=())
    (table,) = publication.tables
    fishing_yes = table.cell("fishing", "yes")
    fishing_total = table.cell("fishing", TOTAL)
    assert fishing_yes.count == 5
    assert fishing_total.count == 25
    assert fishing_yes.percent == 20.0  # 5 of 25 published, not 7 of 26 (26.9)
    # Every percentage shown has a published denominator of at least 10.
    for cell in table.cells:
        if cell.percent is None:
            continue
        denominator = table.cell(cell.row, TOTAL) if cell.column != TOTAL else \
            table.cell(TOTAL, TOTAL)
        assert cell.count is not None
        assert denominator.count is not None
        assert denominator.count >= 10
        assert cell.percent == round(100 * cell.count / denominator.count, 1)
    assert table.cell(TOTAL, TOTAL).percent is None


def test_no_percentage_when_the_denominator_rounds_below_ten() -> None:
    counts = {("a",): 6, ("b",): 1}
    publication = protect(records_from(counts, ["sector"]),
                          [TableSpec("sectors", "Sectors", "sector")], quasi_identifiers=())
    (table,) = publication.tables
    assert table.cell(TOTAL).count == 5
    assert all(cell.percent is None for cell in table.cells)


# --- what leaves the module -------------------------------------------------------------


def rich_scenario() -> tuple[list[Record], list[TableSpec]]:
    rng = random.Random(7)
    records: list[Record] = [
        {"sector": rng.choice(["logging", "fishing", "construction", "textiles"]),
         "ind_deception": rng.choice(["yes", "yes", "no"]),
         "year_band": rng.choice(["early", "late", "recent"])}
        for _ in range(70)
    ]
    specs = [SECTOR_BY_DECEPTION, SECTOR_BY_YEAR,
             TableSpec("deception", "Deception", "ind_deception")]
    return records, specs


def test_suppressed_cells_show_no_count_or_percent_in_the_csv() -> None:
    records, specs = rich_scenario()
    publication = protect(records, specs, quasi_identifiers={"year_band"})
    lines = list(csv.DictReader(io.StringIO(statistics_csv(publication))))
    assert len(lines) == sum(len(table.cells) for table in publication.tables)
    suppressed = [line for line in lines if line["status"] == "suppressed"]
    assert suppressed, "the scenario should suppress something"
    for line in suppressed:
        assert line["count"] == ""
        assert line["percent"] == ""
    for line in lines:
        if line["status"] == "published":
            assert int(line["count"]) % 5 == 0


LOG_REASONS = re.compile(
    r"primary: count under (5|10)( \(table \w+ crosses a quasi-identifier\))?"
    r"|secondary: protects a suppressed cell \(\w+ [\w-]+/[\w-]+\) from "
    r"(subtraction|being pinned by non-negative counts)"
)


def test_every_suppressed_cell_has_one_logged_reason_without_its_count() -> None:
    records, specs = rich_scenario()
    publication = protect(records, specs, quasi_identifiers={"year_band"})
    suppressed = {(table.spec.name, cell.row, cell.column): cell.suppressed
                  for table in publication.tables for cell in table.cells if cell.suppressed}
    logged = {(entry.table, entry.row, entry.column): entry.kind for entry in publication.log}
    assert logged == suppressed
    assert len(publication.log) == len(logged)
    assert {entry.kind for entry in publication.log} == {"primary", "secondary"}
    for entry in publication.log:
        # The reason follows a fixed template: the only numbers it may hold are the
        # thresholds, never a count.
        assert LOG_REASONS.fullmatch(entry.reason), entry.reason
    log_lines = list(csv.reader(io.StringIO(suppression_log_csv(publication))))
    assert log_lines[0] == ["table", "row", "column", "kind", "reason"]
    assert len(log_lines) == len(publication.log) + 1


def test_a_cell_shared_by_tables_is_suppressed_in_all_of_them() -> None:
    records, specs = rich_scenario()
    publication = protect(records, specs, quasi_identifiers={"year_band"})
    status: dict[Key, set[bool]] = {}
    for table in publication.tables:
        for cell in table.cells:
            key = key_of(table.spec, cell.row, cell.column)
            status.setdefault(key, set()).add(cell.suppressed is None)
    assert all(len(flags) == 1 for flags in status.values())
    assert pinned_cells(records, publication) == []


def test_a_cell_recoverable_through_another_table_is_protected() -> None:
    # Sector x year_band (crosses a quasi-identifier) hides logging/early (3) and, to
    # protect it, the logging margin. Sector x deception alone (threshold 5) would
    # publish the logging margin (14): logging/early = 14 - logging/late. Protected
    # together, the logging margin is one cell and stays hidden in both tables.
    counts = {("logging", "yes", "late"): 7, ("fishing", "yes", "late"): 6,
              ("construction", "no", "late"): 6, ("logging", "no", "late"): 4,
              ("construction", "no", "early"): 4, ("construction", "yes", "late"): 4,
              ("construction", "yes", "early"): 4, ("logging", "yes", "early"): 2,
              ("fishing", "yes", "early"): 1, ("fishing", "no", "late"): 1,
              ("logging", "no", "early"): 1}
    records = records_from(counts, ["sector", "ind_deception", "year_band"])
    specs = [SECTOR_BY_DECEPTION, SECTOR_BY_YEAR]
    qi = {"year_band"}

    apart = Publication(protect(records, specs[:1], quasi_identifiers=qi).tables
                        + protect(records, specs[1:], quasi_identifiers=qi).tables, ())
    assert apart.tables[0].cell("logging", TOTAL).suppressed is None
    assert apart.tables[1].cell("logging", TOTAL).suppressed == "secondary"
    # An attacker reading both separately protected tables recovers the primary cell.
    logging_early = (("sector", "logging"), ("year_band", "early"))
    assert logging_early in pinned_cells(records, merge_published(apart))

    together = protect(records, specs, quasi_identifiers=qi)
    for table in together.tables:
        assert table.cell("logging", TOTAL).suppressed is not None
    assert together.tables[1].cell("logging", "early").suppressed == "primary"
    assert pinned_cells(records, together) == []


def merge_published(publication: Publication) -> Publication:
    """A cell is known to the attacker if any table publishes it."""
    known = {key_of(t.spec, c.row, c.column)
             for t in publication.tables for c in t.cells if c.suppressed is None}
    tables = tuple(
        PublishedTable(t.spec, tuple(
            c if key_of(t.spec, c.row, c.column) not in known
            else PublishedCell(c.row, c.column, c.count, c.percent, None)
            for c in t.cells))
        for t in publication.tables)
    return Publication(tables, ())


def test_the_grand_total_is_always_published_because_the_bundle_states_it() -> None:
    records = records_from({("logging", "yes"): 2, ("fishing", "no"): 1},
                           ["sector", "ind_deception"])
    (table,) = protect(records, [SECTOR_BY_DECEPTION], quasi_identifiers=()).tables
    assert table.cell(TOTAL, TOTAL).suppressed is None
    assert table.cell(TOTAL, TOTAL).count == 5  # 3, rounded
    assert all(cell.suppressed for cell in table.cells
               if (cell.row, cell.column) != (TOTAL, TOTAL))
