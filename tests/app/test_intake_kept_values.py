"""A form sent back after a failed check keeps everything typed, says what to fix at
the top with links to the questions, and names the files that must be attached again."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

import pytest
from intake_data import attachment, full_form, minimal_form, submit
from media_samples import wav_bytes
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.intake import schema
from app.models import Case

pytestmark = pytest.mark.usefixtures("demo_org")

MARKER = "KeptQx41"


def field_value(page: str, name: str) -> str | None:
    """The value the page offers again for an input or textarea named ``name``."""
    textarea = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\r?\n?(.*?)</textarea>', page, re.S)
    if textarea:
        return html_lib.unescape(textarea.group(1))
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    if tag is None:
        return None
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return html_lib.unescape(value.group(1)) if value else None


def test_every_value_is_kept_after_a_failed_check(interviewer: Any, db: Session) -> None:
    data = full_form(MARKER)
    del data["sector"]  # the one thing missing
    data["narrative"] = f"Line one {MARKER}.\nLine <two> & \"three\"."
    data["daily_hours"] = "18"
    response = submit(interviewer, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert db.scalar(select(func.count()).select_from(Case)) == 0

    assert field_value(page, "narrative") == data["narrative"]
    for spec in schema.FIELDS:
        if spec.kind in {schema.Kind.TEXT, schema.Kind.LONG_TEXT, schema.Kind.DATE,
                         schema.Kind.NUMBER} and spec.name in data:
            # Sealed fields too: nothing typed is dropped because it is secret.
            assert field_value(page, spec.name) == data[spec.name], spec.name
    assert 'name="recontact_allowed"' in page
    for name in ("recontact_allowed", "phone_ban"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
        assert tag, name
        assert "checked" in tag.group(0), name
    ticked = re.findall(r'<input[^>]*name="consent_scopes"[^>]*>', page)
    assert sorted(re.search(r'value="([^"]+)"', t).group(1)  # type: ignore[union-attr]
                  for t in ticked if "checked" in t) == ["aggregate_stats", "internal_only"]
    for name, code in (("source_connection", "experienced"), ("recruitment", "state_assigned"),
                       ("passport_held_by", "security_official"),
                       ("ilo_excessive_overtime_present", "yes"),
                       ("ilo_excessive_overtime_frequency", "constant")):
        block = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
        assert block, name
        chosen = re.findall(r'<option[^>]*selected[^>]*value="([^"]*)"|'
                            r'<option[^>]*value="([^"]*)"[^>]*selected', block.group(1))
        assert [a or b for a, b in chosen] == [code], name


def test_the_summary_at_the_top_links_to_each_question_in_error(interviewer: Any) -> None:
    data = {k: v for k, v in minimal_form(daily_hours="25").items()
            if k not in {"sector", "consent_scopes"}}
    page = submit(interviewer, data).get_data(as_text=True)
    summary = page[page.index('class="error-summary"'):page.index('class="intro"')]
    assert "The interview is not stored yet" in summary
    assert "Everything you typed is still in the form below" in summary
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    # In the order of the page, each naming its question.
    assert [anchor for anchor, _text in links] == ["consent_scopes", "sector", "daily_hours"]
    assert all(f'id="{anchor}"' in page for anchor, _text in links)
    assert "Kind of work" in links[1][1]
    # The question itself says what is wrong, and is marked for screen readers.
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="sector-error"' in page
    # A part holding an error opens by itself.
    assert re.search(r'<details class="part" id="part-conditions" open>', page)


def test_files_that_could_not_be_kept_are_named_where_they_were(interviewer: Any) -> None:
    data = {k: v for k, v in minimal_form().items() if k != "sector"}
    files = {**attachment("audio", wav_bytes(), "interview.m4a", 0),
             **attachment("document", b"%PDF-1.4 x", "field-notes/contract <1>.pdf", 2)}
    page = submit(interviewer, {**data, **files}).get_data(as_text=True)
    assert "Attach again:" in page
    assert page.count("interview.m4a") == 2  # in the summary, and beside its own file input
    # Only the file's own name (no folders), escaped.
    assert "contract &lt;1&gt;.pdf" in page
    assert "field-notes" not in page
    assert 'aria-describedby="attachment_2-error"' in page
    # The kind chosen for each file is chosen again.
    kind = re.search(r'<select name="attachment_2_kind"[^>]*>(.*?)</select>', page, re.S)
    assert kind
    assert '<option value="document" selected>' in kind.group(1)
    assert "not stored yet" in page.lower()


def test_a_refused_file_names_the_others_to_attach_again(interviewer: Any) -> None:
    broken_png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + b"x" * 5
    page = submit(interviewer, {**minimal_form(),
                                **attachment("audio", wav_bytes(), "first.wav", 0),
                                **attachment("photo", broken_png, "broken.png", 1)}
                  ).get_data(as_text=True)
    assert "could not be accepted" in page
    assert "first.wav" in page
    assert "broken.png" in page
    # The typed narrative is kept even though the form itself was valid.
    assert "We worked from six in the morning" in page


def test_a_fresh_form_puts_the_narrative_first_and_tall(interviewer: Any) -> None:
    page = interviewer.client.get("/intake/").get_data(as_text=True)
    assert page.index('name="narrative"') < page.index('name="interview_date"')
    assert re.search(r'<textarea[^>]*name="narrative"[^>]*rows="18"', page)
    # The tiers are explained once, in words; each question carries a worded badge.
    assert page.count("never type names here") == 1
    assert page.count('class="badge badge-coded">readable<') > 10
    # Parts with required questions start open; the others can be opened.
    assert '<details class="part" id="part-case" open>' in page
    assert '<details class="part" id="part-witness">' in page
    assert "novalidate" in page
    # Collapsing needs no script: the one script is the in-browser sealing module.
    assert page.count("<script") == 1
    assert 'src="/static/intake-seal.js"' in page
    assert "style=" not in page
