"""Statistical disclosure control for the aggregate tables of an export.

The organisation's publication rules, applied by `protect`:

1. Primary suppression. Every cell of every table (interior cells, row and column
   margins, the grand total) whose TRUE count is under `threshold` (5) is
   suppressed; under `quasi_threshold` (10) when the table crosses a
   quasi-identifier (its row or column variable is one). Zero is a small count
   like any other: a zero tells that everyone in a group gave the other answer.
2. A table whose row and column are both quasi-identifiers is refused
   (ValueError).
3. Secondary suppression, so that no suppressed cell can be recovered from the
   published cells of this table or of any other table of the same export. All
   tables are views of the same microdata, so a cell is identified by what it
   counts (e.g. "sector = logging"), not by the table it sits in: the logging
   margin of "sector x deception" and of "sector x year_band" is one cell, and
   if it is suppressed it is suppressed in both. Every table's grand total is
   the same cell too, so its threshold is the strictest of all tables.
4. Published counts are rounded to the nearest multiple of `rounding_base`.
   Suppression is decided on the true counts. Ties (only possible with an even
   base) round up; with the default base 5 an integer count is never halfway.
5. Percentages are computed from the ROUNDED published values (so they cannot
   undo the rounding), to one decimal (Python's `round(x, 1)`), and only where
   the cell and its denominator are both published and the denominator's
   published (rounded) value is 10 or more. The decision uses the published
   denominator rather than the true one on purpose: deciding on the true count
   would tell a reader that a published "10" hides an 8 or a 9. Denominators:
   an interior cell and a column margin are shares of their row total; a row
   margin (the "Total" column) and the cells of a one-way table are shares of
   the grand total; the grand total has no percentage.
6. The grand total is known to every reader: the bundle states how many cases
   it holds. It is always published and counts as published in the model, so
   the protection holds against a reader who knows it. A cell whose count
   equals the grand total (every record in one category) is shown as
   suppressed if it is small, but cannot be shielded from the total: it is
   known whenever the total is, and it is not allowed to drag every other
   cell into suppression.
7. Every suppressed cell of every table gets a log entry with a reason. Neither
   the log nor the published cells carry the true count of a suppressed cell.
8. Only aggregate cells leave this module, never records.

Missing values: a record without a variable (key absent, None or "") counts in
the category "unknown" (`MISSING`). A table that should not show it can list its
categories explicitly; a record whose value is outside explicitly given
categories raises ValueError rather than silently vanishing from the table
(its margins would otherwise no longer add up to the grand total).

How secondary suppression works (in the spirit of Statistics Norway's
GaussSuppression, Langsrud 2024):

* The model: one row per distinct combination of the export's variables seen in
  the records, plus "phantom" combinations for cells whose count is zero (a
  zero cell has no records, so without a phantom it would be an empty column:
  trivially recoverable as 0). A phantom is the most frequent combination of
  the zero cell's row (or column) with the cell's other category swapped in. The
  0/1 incidence matrix has one column per distinct cell of all tables. This
  model is a restriction of the full joint distribution of all variables (the
  other combinations are fixed at zero), so whatever it cannot recover, an
  attacker who only knows the joint distribution is non-negative cannot either.
* Gaussian elimination, greedy: cells are offered for publication in priority
  order (grand total, then one-variable cells such as margins and one-way cells,
  larger counts first, then interior cells, larger counts first). A cell is
  published unless publishing it would put a suppressed cell's column into the
  linear span of the published columns; otherwise it is suppressed (secondary).
  So small interior cells are the first to be suppressed and totals the last.
* Non-negativity: linear independence is not enough once counts are known to
  be non-negative (a + b = 0 pins both). The cells of a polytope
  {n >= 0, published cells fixed} that are constant on it are exactly those
  whose column lies in the span of the published columns after removing the
  model rows that are zero in EVERY feasible solution. One LP
  (scipy.optimize.linprog, HiGHS) finds those rows; observed combinations have
  positive counts, so only phantoms can be among them. The elimination is then
  repeated without those rows; a suppressed cell left with no rows at all gets
  the published cells that pin its rows suppressed. Suppressing more only
  shrinks the set of forced-zero rows, so the result is safe once the forced-zero
  rows of the final publication are among those the last elimination removed.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import linprog

TOTAL = "Total"
MISSING = "unknown"

PRIMARY = "primary"
SECONDARY = "secondary"

# Sorted (variable, category) pairs; () is the grand total.
CellKey = tuple[tuple[str, str], ...]

# cos^2 above this counts as parallel, a squared residual below this (relative)
# as zero. Both err on the side of suppressing: a false "parallel" suppresses a
# cell too many, a false "independent" could leak.
_PARALLEL_TOLERANCE = 1e-7
_ZERO_TOLERANCE = 1e-9
# Candidates reduced against the published basis at once (one matrix product).
_BLOCK = 48


@dataclass(frozen=True)
class TableSpec:
    """A one- or two-way frequency table of the export."""

    name: str
    title: str
    row: str
    column: str | None = None
    # Fixed order, may include categories with no records; default: sorted seen values.
    row_categories: Sequence[str] | None = None
    column_categories: Sequence[str] | None = None

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a table needs a name")
        if self.column is not None and self.column == self.row:
            raise ValueError(f"table {self.name}: row and column are the same variable")
        if self.column is None and self.column_categories is not None:
            raise ValueError(f"table {self.name}: column categories without a column variable")

    @property
    def variables(self) -> tuple[str, ...]:
        return (self.row,) if self.column is None else (self.row, self.column)


@dataclass(frozen=True)
class PublishedCell:
    row: str  # a category or "Total"
    column: str  # a category or "Total" (always "Total" in a one-way table)
    count: int | None  # rounded; None when suppressed
    percent: float | None
    suppressed: str | None  # None, "primary" or "secondary"


@dataclass(frozen=True)
class PublishedTable:
    spec: TableSpec
    cells: tuple[PublishedCell, ...]

    def rows(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(cell.row for cell in self.cells))

    def columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(cell.column for cell in self.cells))

    def cell(self, row: str, column: str = TOTAL) -> PublishedCell:
        for cell in self.cells:
            if cell.row == row and cell.column == column:
                return cell
        raise KeyError(f"table {self.spec.name} has no cell {row}/{column}")


@dataclass(frozen=True)
class Suppression:
    table: str
    row: str
    column: str
    kind: str  # "primary" or "secondary"
    reason: str


@dataclass(frozen=True)
class Publication:
    tables: tuple[PublishedTable, ...]
    log: tuple[Suppression, ...]


@dataclass(frozen=True)
class _TableCell:
    table: TableSpec
    row: str
    column: str
    key: CellKey


@dataclass(frozen=True)
class _Decision:
    kind: str
    reason: str


def cell_key(spec: TableSpec, row: str, column: str = TOTAL) -> CellKey:
    """What a cell of `spec` counts, independent of the table it sits in."""
    pairs = []
    if row != TOTAL:
        pairs.append((spec.row, row))
    if spec.column is not None and column != TOTAL:
        pairs.append((spec.column, column))
    return tuple(sorted(pairs))


def round_to_base(count: int, base: int) -> int:
    """Nearest multiple of `base`; a tie (even bases only) rounds up."""
    quotient, remainder = divmod(count, base)
    return (quotient + (1 if 2 * remainder >= base else 0)) * base


def value_of(record: Mapping[str, str], variable: str) -> str:
    value = record.get(variable)
    return value if value else MISSING


def protect(
    records: Sequence[Mapping[str, str]],
    specs: Sequence[TableSpec],
    *,
    quasi_identifiers: Collection[str],
    threshold: int = 5,
    quasi_threshold: int = 10,
    rounding_base: int = 5,
) -> Publication:
    """The tables of one export with primary and secondary suppression applied."""
    if threshold < 1 or quasi_threshold < 1 or rounding_base < 1:
        raise ValueError("thresholds and the rounding base must be positive")
    _check_specs(specs, quasi_identifiers)
    qi = frozenset(quasi_identifiers)
    variables = sorted({variable for spec in specs for variable in spec.variables})
    layouts = [_layout(spec, records) for spec in specs]
    table_cells = [cell for layout in layouts for cell in _cells_of(layout)]

    keys = list(dict.fromkeys(cell.key for cell in table_cells))
    key_index = {key: index for index, key in enumerate(keys)}
    categories = _categories(variables, layouts, records)
    combos, weights = _combinations(records, variables)
    observed = len(combos)
    seen_counts = _incidence(combos, variables, keys).T.astype(np.int64) @ np.array(
        weights, dtype=np.int64).reshape(-1)
    empty = [key for key, count in zip(keys, seen_counts, strict=True) if count == 0]
    combos += _phantoms(combos, weights, empty, variables, categories)
    incidence = _incidence(combos, variables, keys)
    true_counts = np.zeros(len(combos), dtype=np.int64)
    true_counts[:observed] = weights
    counts = incidence.T.astype(np.int64) @ true_counts

    decisions = _primary(table_cells, key_index, counts, qi, threshold, quasi_threshold)
    _secondary(decisions, incidence, true_counts, observed, keys, counts, table_cells, key_index)

    tables = tuple(
        _publish(layout, key_index, counts, decisions, rounding_base) for layout in layouts
    )
    log = tuple(
        Suppression(cell.table.name, cell.row, cell.column, decision.kind, decision.reason)
        for cell in table_cells
        if (decision := decisions.get(key_index[cell.key])) is not None
    )
    return Publication(tables=tables, log=log)


def statistics_csv(publication: Publication) -> str:
    """One line per cell; a suppressed cell has an empty count and percentage."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["table", "row", "column", "count", "percent", "status"])
    for table in publication.tables:
        for cell in table.cells:
            writer.writerow([
                table.spec.name,
                cell.row,
                cell.column,
                "" if cell.count is None else cell.count,
                "" if cell.percent is None else f"{cell.percent:.1f}",
                "published" if cell.suppressed is None else "suppressed",
            ])
    return out.getvalue()


def suppression_log_csv(publication: Publication) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["table", "row", "column", "kind", "reason"])
    for entry in publication.log:
        writer.writerow([entry.table, entry.row, entry.column, entry.kind, entry.reason])
    return out.getvalue()


# --- building the tables ---------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    spec: TableSpec
    rows: tuple[str, ...]
    columns: tuple[str, ...] | None


def _check_specs(specs: Sequence[TableSpec], quasi_identifiers: Collection[str]) -> None:
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise ValueError("two tables of an export share a name")
    for spec in specs:
        if spec.column is not None and spec.row in quasi_identifiers \
                and spec.column in quasi_identifiers:
            raise ValueError(
                f"table {spec.name} crosses two quasi-identifiers ({spec.row} and "
                f"{spec.column}); the publication rules never allow that"
            )


def _layout(spec: TableSpec, records: Sequence[Mapping[str, str]]) -> _Layout:
    def order(variable: str, given: Sequence[str] | None, label: str) -> tuple[str, ...]:
        seen = {value_of(record, variable) for record in records}
        if given is None:
            chosen = tuple(sorted(seen))
        else:
            chosen = tuple(given)
            if len(set(chosen)) != len(chosen):
                raise ValueError(f"table {spec.name}: repeated {label} categories")
            if seen - set(chosen):
                raise ValueError(
                    f"table {spec.name}: some records have a {variable} value not in its "
                    f"{label} categories"
                )
        if TOTAL in chosen:
            raise ValueError(f"table {spec.name}: {TOTAL!r} is reserved for margins")
        return chosen

    rows = order(spec.row, spec.row_categories, "row")
    columns = None if spec.column is None else order(spec.column, spec.column_categories, "column")
    return _Layout(spec, rows, columns)


def _cells_of(layout: _Layout) -> list[_TableCell]:
    spec = layout.spec
    row_labels = (*layout.rows, TOTAL)
    column_labels = (TOTAL,) if layout.columns is None else (*layout.columns, TOTAL)
    return [
        _TableCell(spec, row, column, cell_key(spec, row, column))
        for row in row_labels
        for column in column_labels
    ]


def _categories(
    variables: Sequence[str], layouts: Sequence[_Layout], records: Sequence[Mapping[str, str]]
) -> dict[str, list[str]]:
    found: dict[str, dict[str, None]] = {variable: {} for variable in variables}
    for layout in layouts:
        found[layout.spec.row].update(dict.fromkeys(layout.rows))
        if layout.spec.column is not None and layout.columns is not None:
            found[layout.spec.column].update(dict.fromkeys(layout.columns))
    for record in records:
        for variable in variables:
            found[variable][value_of(record, variable)] = None
    return {variable: list(values) for variable, values in found.items()}


def _combinations(
    records: Sequence[Mapping[str, str]], variables: Sequence[str]
) -> tuple[list[tuple[str, ...]], list[int]]:
    tally = Counter(tuple(value_of(record, v) for v in variables) for record in records)
    combos = sorted(tally)
    return combos, [tally[combo] for combo in combos]


def _phantoms(
    combos: Sequence[tuple[str, ...]],
    weights: Sequence[int],
    empty_keys: Sequence[CellKey],
    variables: Sequence[str],
    categories: Mapping[str, Sequence[str]],
) -> list[tuple[str, ...]]:
    """Zero-count combinations that give every zero cell a row of the model."""
    position = {variable: index for index, variable in enumerate(variables)}
    default = tuple((categories[variable] or [MISSING])[0] for variable in variables)
    # The most frequent combination with a given category: swapping one category
    # of it moves a unit between cells of the fewest tables.
    by_weight = sorted(range(len(combos)), key=lambda index: -weights[index])
    commonest: dict[tuple[str, str], tuple[str, ...]] = {}
    for index in by_weight:
        for variable, value in zip(variables, combos[index], strict=True):
            commonest.setdefault((variable, value), combos[index])
    observed = set(combos)

    phantoms: dict[tuple[str, ...], None] = {}
    for key in empty_keys:
        bases = [commonest[pair] for pair in key if pair in commonest] or \
            [combos[by_weight[0]] if combos else default]
        for base in bases:
            phantom = list(base)
            for variable, value in key:
                phantom[position[variable]] = value
            candidate = tuple(phantom)
            if candidate not in observed:
                phantoms[candidate] = None
    return list(phantoms)


def _incidence(
    combos: Sequence[tuple[str, ...]], variables: Sequence[str], keys: Sequence[CellKey]
) -> npt.NDArray[np.bool_]:
    """Combinations x cells: True where the combination counts in the cell."""
    position = {variable: index for index, variable in enumerate(variables)}
    values = np.array(combos, dtype=object).reshape(len(combos), len(variables))
    matrix = np.ones((len(combos), len(keys)), dtype=np.bool_)
    for column, key in enumerate(keys):
        for variable, value in key:
            matrix[:, column] &= values[:, position[variable]] == value
    return matrix


# --- suppression -------------------------------------------------------------------------


def _primary(
    table_cells: Sequence[_TableCell],
    key_index: Mapping[CellKey, int],
    counts: npt.NDArray[np.int64],
    quasi_identifiers: frozenset[str],
    threshold: int,
    quasi_threshold: int,
) -> dict[int, _Decision]:
    strictest: dict[int, tuple[int, TableSpec]] = {}
    for cell in table_cells:
        crosses = bool(quasi_identifiers & set(cell.table.variables))
        limit = quasi_threshold if crosses else threshold
        index = key_index[cell.key]
        if index not in strictest or limit > strictest[index][0]:
            strictest[index] = (limit, cell.table)
    decisions: dict[int, _Decision] = {}
    for index, (limit, table) in strictest.items():
        if index == key_index.get((), -1):
            continue  # the grand total is stated by the bundle: always published
        if counts[index] < limit:
            crosses = bool(quasi_identifiers & set(table.variables))
            why = f"primary: count under {limit}"
            if crosses:
                why += f" (table {table.name} crosses a quasi-identifier)"
            decisions[index] = _Decision(PRIMARY, why)
    return decisions


def _secondary(
    decisions: dict[int, _Decision],
    incidence: npt.NDArray[np.bool_],
    true_counts: npt.NDArray[np.int64],
    observed: int,
    keys: Sequence[CellKey],
    counts: npt.NDArray[np.int64],
    table_cells: Sequence[_TableCell],
    key_index: Mapping[CellKey, int],
) -> None:
    """Add secondary suppressions to `decisions` until no suppressed cell is pinned."""
    if not decisions:
        return
    label = _labels(table_cells, key_index)
    # Publication priority: grand total first, then one-variable cells, then
    # interior cells; larger counts first. The last offered are suppressed first.
    order = sorted(range(len(keys)), key=lambda index: (len(keys[index]), -counts[index], index))
    phantom_rows = np.arange(observed, incidence.shape[0])
    forced_zero: npt.NDArray[np.int64] = np.array([], dtype=np.int64)
    total = key_index[()]
    if counts[total] == 0:
        return  # no records: every cell is zero, as the published total (0) says

    for _ in range(len(keys) + 3):
        live = np.setdiff1d(np.arange(incidence.shape[0]), forced_zero)
        model = incidence[live].astype(np.float64)
        pinned = [index for index in decisions if not model[:, index].any()]
        if pinned:
            before = len(decisions)
            for index in pinned:
                rows = incidence[:, index]
                for other in order:
                    if other != total and other not in decisions \
                            and incidence[rows, other].any():
                        decisions[other] = _Decision(
                            SECONDARY,
                            f"secondary: protects a suppressed cell ({label[index]}) from "
                            "being pinned by non-negative counts",
                        )
            if len(decisions) == before:
                # Pinned through the stated grand total by cells that do not touch
                # it (total minus what they fix is zero): suppress the published
                # cell offered last, and look again. With everything but the total
                # suppressed nothing is pinned (the total can sit on any row).
                last = next(index for index in reversed(order)
                            if index != total and index not in decisions)
                decisions[last] = _Decision(
                    SECONDARY,
                    f"secondary: protects a suppressed cell ({label[pinned[0]]}) from "
                    "being pinned by non-negative counts and the stated total")
        else:
            candidates = [index for index in order if index not in decisions]
            # A cell equal to the (published) grand total cannot be shielded from it.
            everything = model[:, total]
            protected = [index for index in decisions
                         if not np.array_equal(model[:, index], everything)]
            for index, shielded in _eliminate(model, protected, candidates).items():
                decisions[index] = _Decision(
                    SECONDARY,
                    f"secondary: protects a suppressed cell ({label[shielded]}) from subtraction",
                )
        published = [index for index in range(len(keys)) if index not in decisions]
        now_forced = _forced_zero_rows(incidence, true_counts, published, phantom_rows)
        if not pinned and np.isin(now_forced, forced_zero).all():
            return
        forced_zero = now_forced
    raise RuntimeError("secondary suppression did not settle")  # pragma: no cover


def _labels(table_cells: Sequence[_TableCell], key_index: Mapping[CellKey, int]) -> dict[int, str]:
    label: dict[int, str] = {}
    for cell in table_cells:
        label.setdefault(key_index[cell.key], f"{cell.table.name} {cell.row}/{cell.column}")
    return label


def _eliminate(
    model: npt.NDArray[np.float64], protected: Sequence[int], candidates: Sequence[int]
) -> dict[int, int]:
    """Greedy Gaussian elimination: candidate -> the protected cell it had to shield.

    Candidates are offered in order; one is published unless its column, reduced
    against the published columns, is parallel to the reduced column of a
    protected (suppressed) cell: publishing it would make that cell a linear
    combination of published cells.

    Reduction is orthogonal projection onto an orthonormal basis of the published
    columns (Gram-Schmidt, twice for stability). For speed, candidates are reduced
    against the basis in blocks (one matrix product) and only against the block's
    own new directions one by one; a protected cell's residual is never formed:
    with v orthogonal to the basis, <residual(s), v> = <s, v>, and
    |residual(s)|^2 = |s|^2 - |basis^T s|^2.
    """
    rows = model.shape[0]
    basis = np.empty((rows, min(rows, len(candidates)) + 1), dtype=np.float64)
    size = 0
    shielded_columns = sparse.csc_matrix(model[:, list(protected)])
    shielded_transposed = shielded_columns.T.tocsr()
    shielded_norms = np.asarray(shielded_columns.multiply(shielded_columns).sum(axis=0)).ravel()
    shields: dict[int, int] = {}
    for start in range(0, len(candidates), _BLOCK):
        block = list(candidates[start:start + _BLOCK])
        reduced_block = model[:, block].copy()
        residual_norms = shielded_norms
        if size:
            active = basis[:, :size]
            for _ in range(2):
                reduced_block -= active @ (active.T @ reduced_block)
            projections = shielded_transposed @ active
            residual_norms = shielded_norms - np.einsum("ij,ij->i", projections, projections)
        block_start = size
        for position, candidate in enumerate(block):
            reduced = reduced_block[:, position]
            if size > block_start:
                local = basis[:, block_start:size]
                for _ in range(2):
                    reduced = reduced - local @ (local.T @ reduced)
            norm = float(reduced @ reduced)
            weight = float(model[:, candidate] @ model[:, candidate])
            if norm <= _ZERO_TOLERANCE * max(1.0, weight):
                continue  # already a combination of published cells: publishing adds nothing
            dots = shielded_transposed @ reduced
            # A residual norm at or below zero (rounding) counts as parallel: suppress.
            parallel = dots * dots >= (1.0 - _PARALLEL_TOLERANCE) * residual_norms * norm
            if parallel.any():
                shields[candidate] = protected[int(np.argmax(parallel))]
                continue
            basis[:, size] = reduced / math.sqrt(norm)
            size += 1
            residual_norms = residual_norms - dots * dots / norm
    return shields


def _forced_zero_rows(
    incidence: npt.NDArray[np.bool_],
    true_counts: npt.NDArray[np.int64],
    published: Sequence[int],
    phantom_rows: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """Phantom rows that are zero in every non-negative solution of the published cells.

    Homogenised LP: maximise sum(t) over A y = b * s, y >= t (phantoms),
    0 <= t <= 1, y >= 0, s >= 1. A row that is positive in some solution can be
    scaled to y >= 1, and the sum of such solutions is one, so t = 1 exactly on
    the rows that are not forced to zero.
    """
    if phantom_rows.size == 0 or not published:
        return np.array([], dtype=np.int64)
    rows = incidence.shape[0]
    phantoms = phantom_rows.size
    cells = sparse.csr_matrix(incidence[:, list(published)].T.astype(np.float64))
    totals = cells @ true_counts.astype(np.float64)
    equalities = sparse.hstack([
        cells,
        sparse.csr_matrix((len(published), phantoms)),
        sparse.csr_matrix(-totals.reshape(-1, 1)),
    ]).tocsr()
    pick = sparse.csr_matrix(
        (np.ones(phantoms), (np.arange(phantoms), phantom_rows)), shape=(phantoms, rows)
    )
    inequalities = sparse.hstack([-pick, sparse.identity(phantoms), sparse.csr_matrix(
        (phantoms, 1))]).tocsr()
    objective = np.concatenate([np.zeros(rows), -np.ones(phantoms), np.zeros(1)])
    bounds = [(0.0, None)] * rows + [(0.0, 1.0)] * phantoms + [(1.0, None)]
    result = linprog(
        objective,
        A_ub=inequalities,
        b_ub=np.zeros(phantoms),
        A_eq=equalities,
        b_eq=np.zeros(len(published)),
        bounds=bounds,
        method="highs",
    )
    if result.status != 0:  # pragma: no cover - the true counts are always a solution
        raise RuntimeError(f"forced-zero LP failed: {result.message}")
    reachable = result.x[rows:rows + phantoms]
    return np.sort(phantom_rows[reachable < 0.5])


# --- publishing ----------------------------------------------------------------------------


def _publish(
    layout: _Layout,
    key_index: Mapping[CellKey, int],
    counts: npt.NDArray[np.int64],
    decisions: Mapping[int, _Decision],
    rounding_base: int,
) -> PublishedTable:
    spec = layout.spec

    def published(row: str, column: str) -> int | None:
        index = key_index[cell_key(spec, row, column)]
        if index in decisions:
            return None
        return round_to_base(int(counts[index]), rounding_base)

    cells = []
    for cell in _cells_of(layout):
        count = published(cell.row, cell.column)
        if cell.column != TOTAL:
            denominator = published(cell.row, TOTAL)
        elif cell.row != TOTAL:
            denominator = published(TOTAL, TOTAL)
        else:
            denominator = None
        percent = None
        if count is not None and denominator is not None and denominator >= 10:
            percent = round(100.0 * count / denominator, 1)
        decision = decisions.get(key_index[cell.key])
        cells.append(PublishedCell(
            row=cell.row,
            column=cell.column,
            count=count,
            percent=percent,
            suppressed=None if decision is None else decision.kind,
        ))
    return PublishedTable(spec=spec, cells=tuple(cells))
