"""The report PDF renderer: tagged, reproducible, real text, embedded fonts, no fetches."""

from __future__ import annotations

import hashlib
import io
import os
import re
import socket
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pikepdf
import pytest
from report_samples import (
    CHART_CATEGORY,
    CHART_SERIES,
    GENERATED_AT,
    KOREAN_QUOTE,
    RUSSIAN_QUOTE,
    SECTORS,
    TABLE_CELL,
    sample_chart,
    sample_content,
)

from app.exports.pdf import (
    RESOURCE_SCHEME,
    EmbeddedResource,
    EmbeddedResourceFetcher,
    ForbiddenFetch,
    RenderedReport,
    ReportChart,
    ReportContent,
    ReportQuote,
    ReportTable,
    chart_svg,
    html_to_pdf,
    pdf_text,
    render_pdf,
    render_report,
)

REPOSITORY_ROOT = Path(__file__).resolve().parents[3]
SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def sample_pdf() -> bytes:
    return render_pdf(sample_content())


@pytest.fixture(scope="module")
def sample_text(sample_pdf: bytes) -> str:
    return pdf_text(sample_pdf)


def _write(tmp_path: Path, pdf: bytes) -> Path:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return path


def _structure_elements(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Object]:
    pending: list[pikepdf.Object] = [pdf.Root.StructTreeRoot]
    while pending:
        element = pending.pop()
        if "/S" in element:
            yield element
        kids = element.get("/K")
        if isinstance(kids, pikepdf.Array):
            pending.extend(kid for kid in kids if isinstance(kid, pikepdf.Dictionary))
        elif isinstance(kids, pikepdf.Dictionary):
            pending.append(kids)


def _squash_whitespace(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# Reproducibility and dates


def test_same_content_renders_to_identical_bytes(sample_pdf: bytes) -> None:
    assert render_pdf(sample_content()) == sample_pdf


@pytest.mark.slow
def test_two_processes_with_different_hash_seeds_render_identical_bytes() -> None:
    # Set and dict order under hash randomisation must not leak into the PDF.
    script = textwrap.dedent(
        """
        import hashlib, sys
        sys.path.insert(0, "tests/app/exports")
        from report_samples import sample_content
        from app.exports.pdf import render_pdf
        print(hashlib.sha256(render_pdf(sample_content())).hexdigest())
        """
    )
    digests = set()
    for seed in ("1", "4242"):
        completed = subprocess.run(
            [sys.executable, "-c", script],
            cwd=REPOSITORY_ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        digests.add(completed.stdout.strip())
    assert digests == {hashlib.sha256(render_pdf(sample_content())).hexdigest()}


def test_info_and_xmp_dates_are_the_export_time(sample_pdf: bytes) -> None:
    later = GENERATED_AT + timedelta(days=40, hours=3, seconds=7)
    later_pdf = render_pdf(sample_content(generated_at=later))
    assert later_pdf != sample_pdf
    for export_time, pdf_bytes in ((GENERATED_AT, sample_pdf), (later, later_pdf)):
        with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
            expected_info = export_time.strftime("D:%Y%m%d%H%M%S+00'00")
            assert str(pdf.docinfo["/CreationDate"]) == expected_info
            assert str(pdf.docinfo["/ModDate"]) == expected_info
            xmp = pdf.open_metadata()
            expected_xmp = export_time.strftime("%Y-%m-%dT%H:%M:%S+00:00")
            assert xmp["xmp:CreateDate"] == expected_xmp
            assert xmp["xmp:ModifyDate"] == expected_xmp


def test_export_time_in_another_zone_is_written_as_utc() -> None:
    seoul = timezone(timedelta(hours=9))
    pdf_bytes = render_pdf(sample_content(generated_at=GENERATED_AT.astimezone(seoul)))
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        assert str(pdf.docinfo["/CreationDate"]) == "D:20250314092653+00'00"
    assert "14 March 2025, 09:26 UTC" in pdf_text(pdf_bytes)


# Text the leak check must see


def test_extracted_text_has_quotes_table_cells_and_chart_labels(sample_text: str) -> None:
    assert KOREAN_QUOTE in sample_text
    assert RUSSIAN_QUOTE in sample_text
    assert TABLE_CELL in sample_text
    for sector in SECTORS:
        assert sector in sample_text
    # Chart labels are drawn as SVG text, not paths: the leak check can read them.
    chart_only_label = "Number of testimonies"  # the value axis label appears nowhere else
    assert chart_only_label in sample_text
    assert CHART_CATEGORY in sample_text
    assert "suppressed" in sample_text


def test_every_page_has_a_footer_with_page_number_and_version(sample_text: str) -> None:
    pages = sample_text.split("\f")[:-1]  # pdftotext ends every page with a form feed
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Generated by Witnessbox 0.1.0" in page


# Accessibility


def test_pdf_is_tagged_and_declares_its_language(sample_pdf: bytes, tmp_path: Path) -> None:
    info = subprocess.run(
        ["pdfinfo", str(_write(tmp_path, sample_pdf))],
        capture_output=True, text=True, check=True,
    ).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE)
    with pikepdf.open(io.BytesIO(sample_pdf)) as pdf:
        assert str(pdf.Root.Lang) == "en"
        assert bool(pdf.Root.MarkInfo.Marked)
        roles = Counter(str(element.S) for element in _structure_elements(pdf))
        assert roles["/H1"] == 1
        assert roles["/H2"] >= 3
        assert roles["/Table"] == 2
        assert roles["/Caption"] >= 3  # two table captions and a figure caption
        # 2 tables x (1 header row of 5 + 3 row headers).
        assert roles["/TH"] == 2 * (len(SECTORS) + 1 + 3)
        figures = [e for e in _structure_elements(pdf) if e.S == "/Figure"]
        assert [str(figure.Alt) for figure in figures] == [sample_chart(1).alt_text]


def test_table_data_cells_point_at_their_row_and_column_headers(sample_pdf: bytes) -> None:
    with pikepdf.open(io.BytesIO(sample_pdf)) as pdf:
        header_ids = {
            str(element.ID) for element in _structure_elements(pdf) if element.S == "/TH"
        }
        data_cells = [e for e in _structure_elements(pdf) if e.S == "/TD"]
        assert data_cells
        for cell in data_cells:
            headers = [str(header) for header in cell.A.Headers]
            assert len(headers) == 2  # its row header and its column header
            assert set(headers) <= header_ids


def test_language_of_the_report_is_declared() -> None:
    content = sample_content()
    korean = ReportContent(**{**content.__dict__, "language": "ko"})
    with pikepdf.open(io.BytesIO(render_pdf(korean))) as pdf:
        assert str(pdf.Root.Lang) == "ko"


# Fonts


def test_fonts_are_embedded_noto_sans_cjk_subsets(sample_pdf: bytes, tmp_path: Path) -> None:
    listing = subprocess.run(
        ["pdffonts", str(_write(tmp_path, sample_pdf))],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    fonts = listing[2:]  # after the header and the dashes
    assert fonts
    for row in fonts:
        name, emb_sub_uni = row.split()[0], row.split()[-5:-2]
        assert "Noto-Sans-CJK-KR" in name, row
        assert emb_sub_uni == ["yes", "yes", "yes"], row


# Untrusted content


@pytest.fixture
def listening_socket() -> Iterator[socket.socket]:
    """A local port that counts as "the network": a fetch would show as a connection."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.setblocking(False)
    yield server
    server.close()


def _connection_attempted(server: socket.socket) -> bool:
    try:
        connection, _ = server.accept()
    except BlockingIOError:
        return False
    connection.close()
    return True


def test_markup_in_content_is_literal_text_and_fetches_nothing(
    listening_socket: socket.socket,
) -> None:
    port = listening_socket.getsockname()[1]
    hostile = (
        f'<script>alert(1)</script> <img src="http://127.0.0.1:{port}/x.png"> '
        f"</td></tr></table> {{{{ 7*7 }}}} "
        f"<style>@import url(http://127.0.0.1:{port}/a.css);</style> "
        f'<link rel="stylesheet" href="file:///etc/passwd"> $x^2$ & &amp;'
    )
    content = sample_content(extra_quotes=(ReportQuote("WB<b>9</b>", hostile),))
    content = ReportContent(**{
        **content.__dict__,
        "title": 'Title <svg onload="x">',
        "tables": [ReportTable(
            title="</caption><h1>x</h1>",
            column_headers=["<th>A</th>"],
            rows=[("<td>row</td>", ["<i>1</i>"])],
        )],
        "charts": [ReportChart(
            title="<figcaption>",
            categories=["<text>$5 a day$</text>"],
            series={"</g><image href='http://127.0.0.1/'/>": [3]},
            alt_text='" onerror="x',
        )],
    })
    rendered = render_report(content)
    text = _squash_whitespace(pdf_text(rendered.pdf))
    for literal in (
        "<script>alert(1)</script>",
        f'<img src="http://127.0.0.1:{port}/x.png">',
        "</td></tr></table> {{ 7*7 }}",
        f"@import url(http://127.0.0.1:{port}/a.css);",
        "$x^2$ & &amp;",
        "Case WB<b>9</b>",
        'Title <svg onload="x">',
        "</caption><h1>x</h1>",
        "<th>A</th>",
        "<td>row</td>",
        "<i>1</i>",
        "<text>$5 a day$</text>",  # chart label: not mathtext, not markup
        "</g><image href='http://127.0.0.1/'/>",  # legend entry
    ):
        assert literal in text
    assert rendered.fetched_urls == (f"{RESOURCE_SCHEME}:chart-1.svg",)
    assert not _connection_attempted(listening_socket)
    with pikepdf.open(io.BytesIO(rendered.pdf)) as pdf:
        figure = next(e for e in _structure_elements(pdf) if e.S == "/Figure")
        assert str(figure.Alt) == '" onerror="x'


@pytest.mark.parametrize(
    "markup",
    [
        '<img alt="chart" src="http://127.0.0.1:{port}/x.png">',
        '<link rel="stylesheet" href="http://127.0.0.1:{port}/a.css">',
        "<style>@import url(http://127.0.0.1:{port}/b.css);</style>",
        '<p style="background: url(file:///etc/passwd)">x</p>',
        '<img alt="chart" src="data:image/svg+xml,%3Csvg%20xmlns=%22http://www.w3.org/2000/svg%22/%3E">',
    ],
)
def test_renderer_refuses_any_url_outside_its_resources(
    markup: str, listening_socket: socket.socket
) -> None:
    port = listening_socket.getsockname()[1]
    html = f'<!DOCTYPE html><html lang="en"><title>t</title>{markup.format(port=port)}</html>'
    with pytest.raises(ForbiddenFetch):
        html_to_pdf(html, {})
    assert not _connection_attempted(listening_socket)


def test_fetcher_serves_its_resources_and_records_refusals() -> None:
    fetcher = EmbeddedResourceFetcher(
        {f"{RESOURCE_SCHEME}:a.svg": EmbeddedResource(b"<svg/>", "image/svg+xml")}
    )
    response = fetcher.fetch(f"{RESOURCE_SCHEME}:a.svg")
    assert response.read() == b"<svg/>"
    assert response.content_type == "image/svg+xml"
    with pytest.raises(PermissionError):
        fetcher.fetch("file:///etc/passwd")
    assert fetcher.fetched == [f"{RESOURCE_SCHEME}:a.svg"]
    assert fetcher.refused == ["file:///etc/passwd"]


def test_rendering_html_with_only_own_resources_reports_them() -> None:
    svg = chart_svg(sample_chart())
    url = f"{RESOURCE_SCHEME}:c.svg"
    html = f'<!DOCTYPE html><html lang="en"><title>t</title><img alt="a" src="{url}"></html>'
    rendered = html_to_pdf(html, {url: EmbeddedResource(svg, "image/svg+xml")})
    assert isinstance(rendered, RenderedReport)
    assert rendered.fetched_urls == (url,)
    assert CHART_CATEGORY in pdf_text(rendered.pdf)


# Charts


def _svg_texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)  # noqa: S314 - our own matplotlib output, not untrusted XML
    return ["".join(node.itertext()) for node in root.iter(f"{SVG_NAMESPACE}text")]


def test_chart_svg_is_deterministic_and_keeps_labels_as_text() -> None:
    chart = sample_chart()
    first = chart_svg(chart)
    assert chart_svg(chart) == first
    texts = _svg_texts(first)
    assert CHART_CATEGORY in texts
    assert CHART_SERIES in texts
    assert "<path" in first.decode()
    assert b"<dc:date>" not in first  # metadata={"Date": None}


def test_suppressed_values_are_labelled_gaps_never_zero_bars() -> None:
    chart = ReportChart(
        title="t",
        categories=["A", "B", "C"],
        # 13 and 27 are not axis ticks, so their text can only be a bar's value label.
        series={"One": [13, None, 0], "Two": [None, None, 27]},
        alt_text="alt",
    )
    texts = _svg_texts(chart_svg(chart))
    assert texts.count("suppressed") == 3  # one per None
    # Value labels: the real zero is labelled "0"; the suppressed values get none.
    value_labels = [text for text in texts if text in {"0", "13", "27"}]
    axis_tick_zero = "0"
    assert Counter(value_labels) == Counter(["13", "27", "0", axis_tick_zero])


def test_chart_with_every_value_suppressed_still_renders() -> None:
    chart = ReportChart(
        title="t", categories=["A"], series={"One": [None]}, alt_text="all suppressed"
    )
    texts = _svg_texts(chart_svg(chart))
    assert "suppressed" in texts
    assert "One" in texts  # the legend still names the series


# Validation


def test_naive_export_time_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ReportContent(**{**sample_content().__dict__, "generated_at": datetime(2025, 1, 1)})


@pytest.mark.parametrize("language", ["", "english language", 'en" onload="x', "e"])
def test_language_that_is_not_a_language_tag_is_rejected(language: str) -> None:
    with pytest.raises(ValueError, match="language"):
        ReportContent(**{**sample_content().__dict__, "language": language})


def test_table_row_with_wrong_number_of_cells_is_rejected() -> None:
    with pytest.raises(ValueError, match="cells"):
        ReportTable(title="t", column_headers=["a", "b"], rows=[("r", ["1"])])


def test_chart_series_with_wrong_number_of_values_is_rejected() -> None:
    with pytest.raises(ValueError, match="values"):
        ReportChart(title="t", categories=["a", "b"], series={"s": [1]}, alt_text="x")


@pytest.mark.parametrize(
    ("categories", "series"), [([], {}), (["a"], {}), ([], {"s": []})]
)
def test_chart_without_categories_or_series_is_rejected(
    categories: list[str], series: dict[str, list[int | None]]
) -> None:
    with pytest.raises(ValueError, match="at least one category and one series"):
        ReportChart(title="t", categories=categories, series=series, alt_text="x")


def test_long_unbroken_quote_wraps_and_keeps_all_its_text() -> None:
    unbroken = "가" * 1500 + "Ж" * 1500
    pdf_bytes = render_pdf(sample_content(
        tables=0, charts=0, quotes=0, extra_quotes=(ReportQuote("WB-1", unbroken),)
    ))
    text = pdf_text(pdf_bytes)
    assert text.count("가") == 1500
    assert text.count("Ж") == 1500


def test_chart_without_alt_text_is_rejected() -> None:
    with pytest.raises(ValueError, match="alt text"):
        ReportChart(title="t", categories=["a"], series={"s": [1]}, alt_text=" ")


# Size


@pytest.mark.slow
def test_large_report_renders_every_quote() -> None:
    content = sample_content(tables=10, charts=5, quotes=300)
    rendered = render_report(content)
    assert len(rendered.fetched_urls) == 5
    text = pdf_text(rendered.pdf)
    assert "(excerpt 300)" in text
    assert text.count("Case WB-2024-") == 300

