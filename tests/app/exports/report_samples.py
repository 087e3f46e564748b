"""Sample report content for the PDF renderer tests (invented, no real testimony)."""

from __future__ import annotations

from datetime import UTC, datetime

from app.exports.pdf import ReportChart, ReportContent, ReportQuote, ReportTable

GENERATED_AT = datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC)
KOREAN_QUOTE = "여권은 도착한 날 감독관이 가져갔습니다. [NAME-1]은 돌려받지 못했습니다."
RUSSIAN_QUOTE = "Бригадир [NAME-2] забирал зарплату, нам оставляли только на еду."
CHART_CATEGORY = "Retention of identity documents"
CHART_SERIES = "Construction"
SUPPRESSED_CELL = "–"
TABLE_CELL = "35 (40.0%)"

SECTORS = ("Construction", "Logging", "Fishing", "Textiles")
INDICATORS = (
    CHART_CATEGORY,
    "Withholding of wages",
    "Restriction of movement",
    "Excessive overtime",
    "Intimidation and threats",
)


def sample_table(index: int = 1) -> ReportTable:
    return ReportTable(
        title=f"ILO forced-labour indicators by sector ({index})",
        row_header="Indicator",
        column_headers=SECTORS,
        rows=[
            (CHART_CATEGORY, (TABLE_CELL, "12 (52.2%)", SUPPRESSED_CELL, "9 (45.0%)")),
            ("Withholding of wages", ("61 (69.3%)", "15 (65.2%)", SUPPRESSED_CELL, "11")),
            ("Restriction of movement", ("47", "8", SUPPRESSED_CELL, "6")),
        ],
        note="– : suppressed to protect small groups (fewer than 5 testimonies)",
    )


def sample_chart(index: int = 1) -> ReportChart:
    return ReportChart(
        title=f"Indicators reported, by sector ({index})",
        categories=INDICATORS,
        series={
            CHART_SERIES: (35, 61, 47, 30, 22),
            "Logging": (12, 15, 8, None, 6),
            "Fishing": (None, None, None, None, None),
        },
        alt_text=(
            "Grouped bar chart of five ILO indicators for three sectors. Construction has "
            "the most testimonies for every indicator; Fishing counts are all suppressed."
        ),
    )


def sample_quotes(count: int) -> list[ReportQuote]:
    base = [
        ReportQuote("WB-2024-0001", KOREAN_QUOTE),
        ReportQuote("WB-2024-0002", RUSSIAN_QUOTE),
        ReportQuote(
            "WB-2024-0003",
            "We worked from six in the morning until midnight.\nOn Sundays too.",
        ),
    ]
    return [
        base[i % len(base)] if i < len(base) else ReportQuote(
            f"WB-2024-{i + 1:04d}", f"{base[i % len(base)].text} (excerpt {i + 1})"
        )
        for i in range(count)
    ]


def sample_content(
    *,
    generated_at: datetime = GENERATED_AT,
    tables: int = 2,
    charts: int = 1,
    quotes: int = 3,
    extra_quotes: tuple[ReportQuote, ...] = (),
) -> ReportContent:
    return ReportContent(
        title="Forced labour of DPRK workers in Russia: indicators 2019–2024",
        organisation="Example Human Rights Documentation Centre",
        purpose=(
            "Submission to the UN Special Rapporteur on the situation of human rights in the DPRK"
        ),
        generated_at=generated_at,
        summary=[
            "This report covers 128 testimonies recorded between 2019 and 2024.",
            "Excluded: 14 testimonies without consent to share and 3 under review.",
        ],
        tables=[sample_table(i + 1) for i in range(tables)],
        charts=[sample_chart(i + 1) for i in range(charts)],
        quotes=[*sample_quotes(quotes), *extra_quotes],
        software_version="0.1.0",
    )
