"""Report PDF renderer: already-redacted report content in, tagged and reproducible A4 PDF out.

This module is a pure renderer (no Flask, no SQLAlchemy, no network): the export
service computes and redacts the content, this module only lays it out.

Why WeasyPrint (HTML/CSS to PDF) with matplotlib charts as SVG:

* Tagging. WeasyPrint's ``pdf_variant="pdf/ua-1"`` writes a structure tree from the
  HTML semantics: ``h1``/``h2`` become H1/H2, ``table`` with ``th scope=col|row``
  becomes Table/TH/TD with the header cells linked to the data cells, ``img alt``
  becomes a Figure with Alt text, ``caption``/``figcaption`` become Caption, and
  ``<html lang>`` becomes the catalog's /Lang. It also writes XMP metadata and
  sets MarkInfo/Marked and DisplayDocTitle. reportlab's open source edition writes
  no structure tree at all, and fpdf2's tagging is limited (no tables with header
  cells), so both would leave the report inaccessible to screen-reader users.
* Reproducibility. WeasyPrint takes the document dates from
  ``<meta name="dcterms.created|modified">``; we fill them with the export time,
  so no clock is read. Its object order, font subset names and /ID (an MD5 over
  the objects) depend only on the input. The tests render twice, and in two
  processes with different hash seeds, and compare bytes.
* Scripts and fonts. Text shaping goes through the system pango/HarfBuzz, which
  handles Hangul and Cyrillic; "Noto Sans CJK KR" from the Debian package
  ``fonts-noto-cjk`` (see scripts/install-system-deps.sh) covers Latin, Cyrillic
  and Hangul and is embedded as a subset.
* Charts. matplotlib draws the grouped bar charts to SVG with
  ``svg.fonttype = "none"``, so every label stays a ``<text>`` element; WeasyPrint
  draws SVG text with the same font machinery, so chart labels are real,
  extractable text in the PDF (the export's leak check reads them with
  :func:`pdf_text`). ``svg.hashsalt``, ``metadata={"Date": None}`` and figure
  sizes computed only from the input make the SVG deterministic.
* Safety. All content is untrusted testimony text. The template is rendered by
  Jinja2 with autoescape forced on, so ``<script>`` or ``</td>`` in a quote is
  literal text. matplotlib escapes SVG text itself, and mathtext is switched off
  (``text.parse_math``) so a ``$`` in a label is not parsed as TeX. WeasyPrint
  fetches only through :class:`EmbeddedResourceFetcher`, which serves our own
  chart SVGs under a private URL scheme and refuses (and records) every other
  URL, so nothing in the content can make the renderer touch the network or
  the file system.
"""

from __future__ import annotations

import io
import re
import subprocess
import textwrap
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

FONT_FAMILY = "Noto Sans CJK KR"
# Chart SVGs are served to WeasyPrint under this scheme only; nothing else is fetched.
RESOURCE_SCHEME = "witnessbox-resource"
_TEMPLATE_DIRECTORY = Path(__file__).parent / "templates"
_TEMPLATE_NAME = "report_pdf.html"
# BCP 47 shape (language, optional subtags): the value lands in <html lang> and /Lang.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
_SERIES_COLOURS = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
)
_SUPPRESSED_LABEL = "suppressed"
# matplotlib's rcParams are process-global: rc_context is not thread-safe on its own.
_MATPLOTLIB_LOCK = threading.Lock()
_CHART_WIDTH_INCHES = 6.3
_GROUP_HEIGHT = 0.8  # of the 1.0 between category centres; the rest separates groups
_CHART_RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "witnessbox-report-chart",
    "font.family": FONT_FAMILY,
    "font.size": 8.5,
    "text.parse_math": False,
    "text.usetex": False,
    "axes.unicode_minus": False,
}


class ReportRenderError(Exception):
    """The report could not be rendered."""


class FontUnavailable(ReportRenderError):
    """The report font is not installed (run scripts/install-system-deps.sh)."""


class ForbiddenFetch(ReportRenderError):
    """The renderer was asked to load a URL other than its own embedded resources.

    The URLs are kept on the fetcher, not in the message: they may contain content.
    """


@dataclass(frozen=True)
class ReportTable:
    """A table of counts; cells are preformatted ("15", "–" when suppressed, "35 (40.0%)")."""

    title: str
    column_headers: Sequence[str]  # headers of the value columns (not the row-label column)
    rows: Sequence[tuple[str, Sequence[str]]]  # (row label, one cell text per value column)
    note: str = ""  # e.g. "– : suppressed to protect small groups"
    row_header: str = ""  # header of the row-label column, e.g. "Sector"

    def __post_init__(self) -> None:
        for _, cells in self.rows:
            if len(cells) != len(self.column_headers):
                raise ValueError(
                    f"table {self.title!r}: a row has {len(cells)} cells "
                    f"for {len(self.column_headers)} column headers"
                )


@dataclass(frozen=True)
class ReportChart:
    """A grouped horizontal bar chart: one group per category, one bar per series.

    ``None`` is a suppressed count: it is drawn as a gap labelled "suppressed", never as 0.
    """

    title: str
    categories: Sequence[str]
    series: Mapping[str, Sequence[int | None]]  # series name -> one value per category
    alt_text: str
    value_axis_label: str = "Number of testimonies"

    def __post_init__(self) -> None:
        if not self.alt_text.strip():
            raise ValueError(f"chart {self.title!r} needs alt text")
        if not self.categories or not self.series:
            # An empty chart says nothing; the export should leave it out (or say so in text).
            raise ValueError(f"chart {self.title!r} needs at least one category and one series")
        for name, values in self.series.items():
            if len(values) != len(self.categories):
                raise ValueError(
                    f"chart {self.title!r}: series {name!r} has {len(values)} values "
                    f"for {len(self.categories)} categories"
                )
            if any(value is not None and value < 0 for value in values):
                raise ValueError(f"chart {self.title!r}: series {name!r} has a negative count")

    @property
    def has_suppressed_values(self) -> bool:
        return any(value is None for values in self.series.values() for value in values)


@dataclass(frozen=True)
class ReportQuote:
    """An already-redacted excerpt; may contain [NAME-1] pseudonyms, Korean, Russian."""

    case_reference: str
    text: str


@dataclass(frozen=True)
class ReportContent:
    """Everything the PDF shows; computed and redacted by the export service."""

    title: str
    organisation: str
    purpose: str
    generated_at: datetime  # the export time (timezone-aware); the PDF's only date
    summary: Sequence[str]  # paragraphs: scope, counts included/excluded and why
    tables: Sequence[ReportTable]
    charts: Sequence[ReportChart]
    quotes: Sequence[ReportQuote]
    software_version: str
    language: str = "en"

    def __post_init__(self) -> None:
        if self.generated_at.tzinfo is None or self.generated_at.utcoffset() is None:
            raise ValueError("generated_at must be timezone-aware")
        if not _LANGUAGE_TAG.fullmatch(self.language):
            raise ValueError(f"language {self.language!r} is not a BCP 47 language tag")


@dataclass(frozen=True)
class EmbeddedResource:
    body: bytes
    media_type: str


@dataclass(frozen=True)
class RenderedReport:
    pdf: bytes
    fetched_urls: tuple[str, ...]  # every URL WeasyPrint asked for (all our own resources)


class EmbeddedResourceFetcher(URLFetcher):
    """Serves our own chart SVGs; refuses and records every other URL.

    ``fail_on_errors=True`` turns a refusal into a fatal error instead of a
    warning and a missing image, so a template bug cannot go unnoticed.
    """

    def __init__(self, resources: Mapping[str, EmbeddedResource]) -> None:
        super().__init__(allowed_protocols=[RESOURCE_SCHEME], fail_on_errors=True)
        self._resources = dict(resources)
        self.fetched: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> Any:
        resource = self._resources.get(url)
        if resource is None:
            self.refused.append(url)
            raise PermissionError("the report renderer loads only its embedded resources")
        self.fetched.append(url)
        return URLFetcherResponse(
            url, body=resource.body, headers={"Content-Type": resource.media_type}
        )


def render_pdf(content: ReportContent) -> bytes:
    """Render the report to PDF bytes (the same content always gives the same bytes)."""
    return render_report(content).pdf


def render_report(content: ReportContent) -> RenderedReport:
    """Render the report and say which URLs the renderer loaded (for tests and audits)."""
    _require_font()
    resources: dict[str, EmbeddedResource] = {}
    chart_urls: list[str] = []
    for index, chart in enumerate(content.charts, start=1):
        url = f"{RESOURCE_SCHEME}:chart-{index}.svg"
        resources[url] = EmbeddedResource(chart_svg(chart), "image/svg+xml")
        chart_urls.append(url)
    html = _report_html(content, chart_urls)
    return html_to_pdf(html, resources)


def html_to_pdf(html: str, resources: Mapping[str, EmbeddedResource]) -> RenderedReport:
    """Lay out an HTML document as tagged PDF/UA-1, loading only ``resources``."""
    fetcher = EmbeddedResourceFetcher(resources)
    try:
        pdf = HTML(string=html, url_fetcher=fetcher).write_pdf(
            pdf_variant="pdf/ua-1",
            # /ID from an MD5 of the document's objects: stable for the same input.
            pdf_identifier=True,
            # Subset, not whole fonts: the CJK collection is tens of megabytes.
            full_fonts=False,
        )
    except FatalURLFetchingError:
        # "from None": WeasyPrint's error names the URL, which could carry content.
        raise ForbiddenFetch(
            f"the report asked for {len(fetcher.refused)} URL(s) outside its resources"
        ) from None
    if fetcher.refused:
        # Defence in depth: a refusal should already have been fatal.
        raise ForbiddenFetch(f"the report asked for {len(fetcher.refused)} refused URL(s)")
    assert isinstance(pdf, bytes)
    return RenderedReport(pdf=pdf, fetched_urls=tuple(fetcher.fetched))


def pdf_text(pdf: bytes) -> str:
    """The PDF's extracted text (poppler's pdftotext), for the export's leak check."""
    completed = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],  # noqa: S607 - poppler-utils, a system dep
        input=pdf,
        capture_output=True,
        check=True,
        timeout=120,
    )
    return completed.stdout.decode("utf-8")


def _require_font() -> None:
    try:
        font_manager.findfont(
            font_manager.FontProperties(family=FONT_FAMILY), fallback_to_default=False
        )
    except ValueError as error:
        raise FontUnavailable(
            f"font {FONT_FAMILY!r} is not installed: install the Debian package fonts-noto-cjk"
        ) from error


def _template_environment() -> jinja2.Environment:
    # autoescape=True for every template name: all content is untrusted testimony text.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATE_DIRECTORY),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _report_html(content: ReportContent, chart_urls: Sequence[str]) -> str:
    generated_utc = content.generated_at.astimezone(UTC)
    template = _template_environment().get_template(_TEMPLATE_NAME)
    return template.render(
        content=content,
        font_family=FONT_FAMILY,
        generated_w3c=generated_utc.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        generated_human=generated_utc.strftime("%d %B %Y, %H:%M UTC"),
        charts=list(zip(content.charts, chart_urls, strict=True)),
        quotes=[(quote, _dominant_script_language(quote.text)) for quote in content.quotes],
        suppressed_label=_SUPPRESSED_LABEL,
    )


def _dominant_script_language(text: str) -> str | None:
    """"ko" or "ru" when Hangul or Cyrillic letters dominate, so readers pick the right voice."""
    hangul = cyrillic = latin = 0
    for character in text:
        code = ord(character)
        if 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
            hangul += 1
        elif 0x0400 <= code <= 0x04FF:
            cyrillic += 1
        elif character.isascii() and character.isalpha():
            latin += 1
    # Hangul syllables carry about three Latin letters' worth of text each.
    weighted = {"ko": hangul * 3, "ru": cyrillic, None: latin}
    language = max(weighted, key=lambda key: weighted[key])
    return language if weighted[language] > 0 else None


def _bar_positions(category_count: int, series_count: int) -> list[list[float]]:
    """Centre of each bar, per series: category ``c`` spans ``c - 0.4 .. c + 0.4``."""
    bar_height = _GROUP_HEIGHT / max(series_count, 1)
    return [
        [category - _GROUP_HEIGHT / 2 + bar_height * (series_index + 0.5)
         for category in range(category_count)]
        for series_index in range(series_count)
    ]


def chart_svg(chart: ReportChart) -> bytes:
    """A grouped horizontal bar chart as SVG whose labels stay text (deterministic)."""
    series = list(chart.series.items())
    bar_positions = _bar_positions(len(chart.categories), len(series))
    bar_height = _GROUP_HEIGHT / max(len(series), 1)
    # Height follows the number of bars only, so equal input gives an equal figure.
    height = 1.0 + len(chart.categories) * (0.15 * max(len(series), 1) + 0.18)
    largest = max(
        (value for _, values in series for value in values if value is not None), default=0
    )
    with _MATPLOTLIB_LOCK, matplotlib.rc_context(_CHART_RC):
        figure = Figure(figsize=(_CHART_WIDTH_INCHES, height), dpi=72, layout="constrained")
        FigureCanvasSVG(figure)
        axes = figure.add_subplot()
        for series_index, (name, values) in enumerate(series):
            colour = _SERIES_COLOURS[series_index % len(_SERIES_COLOURS)]
            positions = bar_positions[series_index]
            shown = [(y, value) for y, value in zip(positions, values, strict=True)
                     if value is not None]
            if shown:
                bars = axes.barh(
                    [y for y, _ in shown], [value for _, value in shown],
                    height=bar_height * 0.9, color=colour, label=name,
                )
                axes.bar_label(bars, labels=[str(value) for _, value in shown],
                               padding=2, fontsize=7.5)
            for y, value in zip(positions, values, strict=True):
                if value is None:
                    # A gap with a label: a suppressed count must never look like zero.
                    # The tick in the series colour says whose count is hidden.
                    axes.plot([0], [y], marker="|", markersize=8, color=colour,
                              markeredgewidth=2.5)
                    axes.annotate(_SUPPRESSED_LABEL, (0, y), xytext=(4, 0),
                                  textcoords="offset points", va="center", ha="left",
                                  fontsize=7, fontstyle="italic", color="#555555")
        axes.set_yticks(
            range(len(chart.categories)),
            [textwrap.fill(category, 34) for category in chart.categories],
        )
        axes.set_ylim(len(chart.categories) - 0.5, -0.5)
        # Room on the right for value labels and the "suppressed" labels.
        axes.set_xlim(0, max(largest * 1.18, 4))
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel(chart.value_axis_label)
        axes.grid(axis="x", color="#dddddd", linewidth=0.6)
        axes.set_axisbelow(True)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.tick_params(axis="y", length=0)
        handles = [
            Patch(facecolor=_SERIES_COLOURS[index % len(_SERIES_COLOURS)], label=name)
            for index, (name, _) in enumerate(series)
        ]
        if handles:
            figure.legend(handles=handles, loc="outside lower center",
                          ncols=min(len(handles), 4), frameon=False)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
