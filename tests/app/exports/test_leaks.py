"""The leak check's matching: words after normalisation, never substrings of words."""

from __future__ import annotations

import pytest

from app.exports.leaks import MaskedIndex


def _index(*masked: str) -> MaskedIndex:
    index = MaskedIndex()
    for number, text in enumerate(masked):
        index.add(f"C{number:05d}", "PERSON", text)
    return index


@pytest.mark.parametrize("output", [
    "Kim Chol-su worked there", "KIM   CHOL-SU", "kim\nchol su", "(kim chol su)",
    "Ｋｉｍ Ｃｈｏｌ-ｓｕ",  # full-width letters normalise (NFKC) to the masked ones
], ids=["same", "capitals-spaces", "across-lines", "punctuation", "full-width"])
def test_a_masked_name_is_found_however_it_is_written(output: str) -> None:
    leak = _index("Kim Chol-su").scan("cases.csv", output.splitlines())
    assert leak is not None
    assert (leak.case_reference, leak.category, leak.file) == ("C00000", "PERSON", "cases.csv")


def test_a_short_masked_name_does_not_match_inside_other_words() -> None:
    index = _index("Ho")
    assert index.scan("report.pdf", ["They took a shower at the hostel"]) is None
    assert index.scan("report.pdf", ["Ho said the brigade left"]) is not None


def test_a_masked_hangul_name_matches_with_a_particle_attached() -> None:
    index = _index("김철수")
    assert index.scan("cases.json", ["그때 김철수가 말했다"]) is not None
    assert index.scan("cases.json", ["그때 철수가 말했다"]) is None


def test_cyrillic_is_compared_case_insensitively() -> None:
    assert _index("Рём Гван Сон").scan("cases.csv", ["свидетель РЁМ ГВАН СОН"]) is not None


def test_the_failure_names_the_first_case_that_masked_the_string_never_the_string() -> None:
    index = MaskedIndex()
    index.add("C00007", "PHONE", "+7 914 555 0101")
    index.add("C00009", "PHONE", "+7 914 555 0101")
    leak = index.scan("statistics.csv", ["call 7 914 555 0101"])
    assert leak is not None
    assert leak.case_reference == "C00007"
    assert "914" not in repr(leak)


def test_nothing_masked_means_nothing_to_find() -> None:
    index = _index("", "  ", "—")
    assert len(index) == 0
    assert index.scan("cases.csv", ["anything at all"]) is None


def test_a_masked_string_planted_in_a_chart_label_is_found_in_the_pdf_text() -> None:
    from datetime import UTC, datetime

    from app.exports.pdf import ReportChart, ReportContent, pdf_text, render_pdf

    chart = ReportChart(title="Indicators", categories=["Deception", "Brigade of Pak Yong-ho"],
                        series={"Cases": [10, 15]}, alt_text="Indicators: two bars")
    pdf = render_pdf(ReportContent(
        title="Report", organisation="NGO", purpose="test",
        generated_at=datetime(2026, 12, 4, tzinfo=UTC), summary=["One chart."], tables=[],
        charts=[chart], quotes=[], software_version="test"))
    leak = _index("Pak Yong-ho").scan("report.pdf", pdf_text(pdf).splitlines())
    assert leak is not None
    assert leak.file == "report.pdf"
    assert _index("Ri Song-il").scan("report.pdf", pdf_text(pdf).splitlines()) is None
