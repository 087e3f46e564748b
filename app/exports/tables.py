"""The export's statistical tables: ILO indicators by sector and by year band.

Each case contributes one record of coded values (and the dispatch year
band, a generalised quasi-identifier). app.exports.disclosure decides what
of each table may be published; this module only says which tables there
are and turns the published cells into the report's tables and charts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.exports import disclosure
from app.exports.pdf import ReportChart, ReportTable
from app.intake import schema

SECTOR = "sector"
YEAR_BAND = "dispatch_year_band"
UNKNOWN = "unknown"
# Generalised quasi-identifiers among the variables: crossing one with
# anything raises the threshold; two are never crossed.
QUASI_IDENTIFIERS = frozenset({YEAR_BAND})

SECTOR_LABELS = dict(schema.SECTORS) | {UNKNOWN: "Not recorded"}
INDICATOR_LABELS = dict(schema.ILO_INDICATORS)
PRESENCE_LABELS = {"yes": "Yes", "no": "No", UNKNOWN: "Not known or declined"}
SUPPRESSED = "–"


def indicator_variable(indicator: str) -> str:
    return f"indicator_{indicator}"


# Three columns per indicator, not five: "not known", "declined" and no
# answer are one column, so that fewer cells are small and suppressed.
PRESENCE_COLUMNS = ("yes", "no", UNKNOWN)


def record(case_sector: str | None, indicators: Mapping[str, str],
           year_band: str | None) -> dict[str, str]:
    """One case's coded values for the tables (missing answers are "unknown")."""
    values = {SECTOR: case_sector or UNKNOWN, YEAR_BAND: year_band or UNKNOWN}
    for name, _label in schema.ILO_INDICATORS:
        answer = indicators.get(name)
        values[indicator_variable(name)] = answer if answer in ("yes", "no") else UNKNOWN
    return values


def specs(records: Sequence[Mapping[str, str]]) -> list[disclosure.TableSpec]:
    """Every table of an export. Sectors and year bands are the ones the
    export's cases have (in the codebook's order): a row of zeros for every
    sector nobody came from would be suppressed and drag its neighbours with
    it, and "nobody from fishing" says nothing about a person."""
    seen_sectors = {r[SECTOR] for r in records}
    sectors = [value for value, _label in schema.SECTORS if value in seen_sectors]
    sectors += [UNKNOWN] if UNKNOWN in seen_sectors else []
    seen_bands = {r[YEAR_BAND] for r in records}
    bands = sorted(seen_bands - {UNKNOWN}) + ([UNKNOWN] if UNKNOWN in seen_bands else [])
    presence = list(PRESENCE_COLUMNS)
    out = [
        disclosure.TableSpec("cases_by_sector", "Cases by sector", SECTOR, None,
                             row_categories=sectors),
        disclosure.TableSpec("cases_by_year_band", "Cases by dispatch year band", YEAR_BAND,
                             None, row_categories=bands),
    ]
    for name, label in schema.ILO_INDICATORS:
        variable = indicator_variable(name)
        out.append(disclosure.TableSpec(f"{name}_by_sector", f"{label}, by sector", SECTOR,
                                        variable, row_categories=sectors,
                                        column_categories=presence))
        out.append(disclosure.TableSpec(f"{name}_by_year_band",
                                        f"{label}, by dispatch year band", YEAR_BAND, variable,
                                        row_categories=bands, column_categories=presence))
    return out


def _label(variable: str, value: str) -> str:
    if value == disclosure.TOTAL:
        return "Total"
    if variable == SECTOR:
        return SECTOR_LABELS.get(value, value)
    if variable.startswith("indicator_"):
        return PRESENCE_LABELS.get(value, value)
    return "Not recorded" if value == UNKNOWN else value


def _cell_text(cell: disclosure.PublishedCell) -> str:
    if cell.count is None:
        return SUPPRESSED
    if cell.percent is not None:
        return f"{cell.count} ({cell.percent:g}%)"
    return str(cell.count)


ROW_HEADERS = {SECTOR: "Sector", YEAR_BAND: "Dispatch years"}


def report_table(table: disclosure.PublishedTable) -> ReportTable:
    spec = table.spec
    columns = table.columns()
    rows = [(_label(spec.row, row), [_cell_text(table.cell(row, column)) for column in columns])
            for row in table.rows()]
    headers = [_label(spec.column, column) if spec.column else "Cases" for column in columns]
    return ReportTable(spec.title, headers, rows, row_header=ROW_HEADERS.get(spec.row, ""),
                       note=f"{SUPPRESSED} : suppressed to protect small groups. "
                            "Counts rounded to the nearest 5.")


def indicator_chart(publication: disclosure.Publication, by: str,
                    title: str) -> ReportChart | None:
    """Cases with each ILO indicator present, one bar group per indicator and
    one series per category of ``by`` (from the ``<indicator>_by_<by>``
    tables); with ``by=""`` one series, the totals. Suppressed cells stay
    gaps (None), never zeros."""
    tables = {t.spec.name: t for t in publication.tables}
    suffix = by or "sector"
    found = [tables.get(f"{name}_by_{suffix}") for name, _label in schema.ILO_INDICATORS]
    if any(table is None for table in found):
        return None
    indicator_tables = [table for table in found if table is not None]
    rows = [disclosure.TOTAL] if not by else [
        row for row in indicator_tables[0].rows() if row != disclosure.TOTAL]
    if not rows:
        return None  # no cases, or no year band among them: nothing to draw
    series = {("Cases" if row == disclosure.TOTAL else _label(indicator_tables[0].spec.row, row)):
              [table.cell(row, "yes").count for table in indicator_tables] for row in rows}
    categories = [label for _name, label in schema.ILO_INDICATORS]
    alt = "; ".join(f"{name}: " + ", ".join(
        f"{category} {SUPPRESSED if value is None else value}"
        for category, value in zip(categories, values, strict=True))
        for name, values in series.items())
    return ReportChart(title=title, categories=categories, series=series,
                       alt_text=f"{title}. {alt}")
