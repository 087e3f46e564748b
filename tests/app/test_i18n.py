"""Three interface languages (Flask-Babel): catalogs complete, the locale chosen
per request, the switcher without JavaScript, dates and numbers per locale."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask import Flask
from sqlalchemy.orm import Session

from app.models import Role, User
from app.web.language import format_day, format_number, format_when

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None,
            "lazy_gettext": None, "N_": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
TRANSLATED = ("ko", "ru")


def _ids(message_id: str | tuple[str, ...]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def _extracted() -> set[str]:
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    return {_ids(message) for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS) if message}


def _catalog(language: str | None) -> Any:
    path = TRANSLATIONS / ("messages.pot" if language is None
                           else f"{language}/LC_MESSAGES/messages.po")
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def test_messages_pot_holds_exactly_the_strings_of_the_code_and_templates() -> None:
    """A string wrapped but not extracted (run `make extract-messages`), or one
    left in the .pot after its code was removed, fails here."""
    in_pot = {_ids(message.id) for message in _catalog(None) if message.id}
    extracted = _extracted()
    assert sorted(extracted - in_pot) == [], "run `make extract-messages` and translate"
    assert sorted(in_pot - extracted) == [], "stale strings in messages.pot"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_string_is_translated_without_fuzzy_entries(language: str) -> None:
    pot = {message.id for message in _catalog(None) if message.id}
    catalog = _catalog(language)
    entries = {message.id: message for message in catalog if message.id}
    assert sorted(map(_ids, pot - set(entries))) == [], f"{language}: not in the .po"
    untranslated, fuzzy, broken = [], [], []
    for message_id in pot:
        message = entries[message_id]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(_ids(message_id))
        if message.fuzzy:
            fuzzy.append(_ids(message_id))
        # Every placeholder of the English text, and no other, in each form.
        english = message_id if isinstance(message_id, tuple) else (message_id,)
        wanted = set(PLACEHOLDER.findall(" ".join(english)))
        if any(set(PLACEHOLDER.findall(text)) - wanted or
               (not isinstance(message_id, tuple) and set(PLACEHOLDER.findall(text)) != wanted)
               for text in strings):
            broken.append(_ids(message_id))
    assert untranslated == []
    assert fuzzy == []
    assert broken == [], "placeholders differ from the English"
    assert catalog.num_plurals == {"ko": 1, "ru": 3}[language]


# Text that stays as it is in every language: the product's name, commands
# and file names shown in <pre>/<code>, units and abbreviations.
UNTRANSLATED_WORDS = {"Witnessbox", "UTC", "SHA", "TOTP"}
_JINJA = re.compile(r"{%\s*trans\b.*?{%\s*endtrans\s*%}|{#.*?#}|{{.*?}}|{%.*?%}", re.S)
_VERBATIM = re.compile(r"<(pre|code|script|style)\b[^>]*>.*?</\1>", re.S)
_ATTRIBUTE_TEXT = re.compile(r'\b(?:alt|title|aria-label|placeholder)="([^"]*)"')


def _bare_text(template: str) -> list[str]:
    """English words of ``template`` outside {% trans %}, {{ _() }} and code."""
    stripped = _VERBATIM.sub(" ", _JINJA.sub(" ", template))
    words = [text for text in _ATTRIBUTE_TEXT.findall(stripped) if text.strip()]
    words += re.sub(r"<[^>]*>", " ", stripped).split()
    return [word for word in words
            if re.search(r"[A-Za-z]{2}", word) and word.strip(".,:;()—") not in UNTRANSLATED_WORDS]


@pytest.mark.parametrize("template", sorted(
    str(path.relative_to(ROOT)) for path in (ROOT / "templates").rglob("*.html")))
def test_no_template_shows_text_outside_the_catalogs(template: str) -> None:
    """Every word a person reads in a template goes through gettext: a bare
    English word here would be shown untranslated in Korean and Russian."""
    assert _bare_text((ROOT / template).read_text()) == []


def test_the_bare_text_check_sees_bare_text() -> None:
    page = ('<h1>{{ _("Queue") }}</h1><p>{% trans %}Fine{% endtrans %}</p>'
            '<p>Left out</p><img alt="A photo"><pre>tar -xf x</pre>')
    assert _bare_text(page) == ["A photo", "Left", "out"]


# --- the locale of a request -------------------------------------------------

def _lang(page: str) -> str:
    found = re.search(r'<html lang="([^"]+)">', page)
    assert found, "no <html lang>"
    return found.group(1)


@pytest.mark.parametrize(("header", "language", "heading"), [
    (None, "en", "Sign in"),
    ("ko-KR,ko;q=0.9,en;q=0.5", "ko", "로그인"),
    ("ru-RU,ru;q=0.9", "ru", "Войти"),
    ("de-DE,de;q=0.9,ru;q=0.4", "ru", "Войти"),
    ("de-DE,fr;q=0.8", "en", "Sign in"),
])
def test_the_browser_language_chooses_among_the_three(
        client: Any, header: str | None, language: str, heading: str) -> None:
    headers = {"Accept-Language": header} if header else {}
    page = client.get("/login", headers=headers).get_data(as_text=True)
    assert _lang(page) == language
    assert f"<h1>{heading}</h1>" in page
    # The switcher names each language in itself, the current one selected.
    assert f'<option value="{language}" lang="{language}" selected>' in page


def _switch(web: Any, language: str, back: str, headers: dict[str, str],
            form_page: str | None = None) -> Any:
    token = web.csrf_token(form_page or back)
    return web.client.post("/language", data={
        "language": language, "next": back, "csrf_token": token}, headers=headers)


def test_a_signed_out_visitor_switches_with_a_plain_form(web: Any) -> None:
    korean = {"Accept-Language": "ko"}
    response = _switch(web, "ru", "/login", korean)
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    page = web.client.get("/login", headers=korean).get_data(as_text=True)
    assert _lang(page) == "ru"


def test_the_member_setting_overrides_the_browser_and_is_kept(
        web: Any, demo_org: Any, db: Session) -> None:
    korean = {"Accept-Language": "ko-KR,ko"}
    web.sign_in(demo_org.email(Role.REVIEWER))
    page = web.client.get("/account", headers=korean).get_data(as_text=True)
    assert _lang(page) == "ko"
    assert "<h1>계정</h1>" in page
    response = _switch(web, "ru", "/account", korean)
    assert response.status_code == 303
    db.expire_all()
    member = db.get(User, demo_org.members[Role.REVIEWER].user_id)
    assert member is not None
    assert member.language == "ru"
    page = web.client.get("/account", headers=korean).get_data(as_text=True)
    assert _lang(page) == "ru"
    assert "<h1>Учётная запись</h1>" in page
    # Kept on the account, not in this browser: a new browser gets it too.
    web.client.delete_cookie("language")
    assert _lang(web.client.get("/account", headers=korean).get_data(as_text=True)) == "ru"


@pytest.mark.parametrize("language", ["xx", "", "ko'><script>"])
def test_an_unknown_language_changes_nothing(web: Any, language: str) -> None:
    response = _switch(web, language, "/login", {})
    assert response.status_code == 303
    assert "language=" not in response.headers.get("Set-Cookie", "")
    assert _lang(web.client.get("/login").get_data(as_text=True)) == "en"


def test_the_switcher_returns_only_to_this_site(web: Any) -> None:
    response = _switch(web, "ko", "https://evil.example/", {}, form_page="/login")
    assert response.headers["Location"] == "/"


def test_the_switcher_needs_the_csrf_token(client: Any) -> None:
    response = client.post("/language", data={"language": "ru", "next": "/login"})
    assert response.status_code == 400


def test_flash_messages_and_form_errors_follow_the_locale(web: Any) -> None:
    russian = {"Accept-Language": "ru"}
    token = web.csrf_token("/login")
    page = web.client.post("/login", data={"email": "nobody@example.org", "password": "x",
                                           "csrf_token": token}, headers=russian,
                           follow_redirects=True).get_data(as_text=True)
    assert "Неверный адрес электронной почты или пароль" in page


def test_nav_and_roles_are_translated(web: Any, demo_org: Any) -> None:
    web.sign_in(demo_org.email(Role.ADMIN))
    page = web.client.get("/", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert '<nav aria-label="주 메뉴">' in page
    assert ">대기열</a>" in page
    assert "— 관리자." in page


# --- the in-browser sealing script's messages ------------------------------------


def test_the_sealing_script_falls_back_to_the_same_english() -> None:
    """web/src/messages.js keeps an English copy for an id the page did not
    send; it must be the catalogs' English, id for id."""
    import json

    from app.intake.seal_messages import SEAL_MESSAGES
    source = (ROOT / "web" / "src" / "messages.js").read_text()
    body = source.split("const ENGLISH = {", 1)[1].split("\n};", 1)[0]
    english = dict(re.findall(r'^  (\w+): ("(?:[^"\\]|\\.)*"),$', body, re.M))
    assert {key: json.loads(text) for key, text in english.items()} == SEAL_MESSAGES


def test_the_intake_page_gives_the_script_its_messages_in_the_locale(
        web: Any, demo_org: Any) -> None:
    import html
    import json
    web.sign_in(demo_org.email(Role.INTERVIEWER))
    page = web.client.get("/intake/", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    found = re.search(r"data-messages='([^']*)'", page)
    assert found is not None
    messages = json.loads(html.unescape(found.group(1)))
    assert messages["queue_heading"] == "이 기기의 사례"
    assert messages["fingerprint"].count("%(fingerprint)s") == 1


# --- dates and numbers ---------------------------------------------------------

WHEN = datetime(2026, 12, 6, 20, 45, 9, tzinfo=UTC)


@pytest.mark.parametrize(("language", "when", "day", "number"), [
    ("en", "Dec 6, 2026, 20:45", "Dec 6, 2026", "1,234,567"),
    ("ko", "2026년 12월 6일 20:45", "2026년 12월 6일", "1,234,567"),
    # CLDR keeps "г." to its year with a narrow no-break space, digits with a no-break one.
    ("ru", "6 дек. 2026\u202fг., 20:45", "6 дек. 2026\u202fг.", "1\xa0234\xa0567"),
])
def test_dates_and_numbers_are_formatted_per_locale(
        app: Flask, language: str, when: str, day: str, number: str) -> None:
    with app.test_request_context("/", headers={"Accept-Language": language}):
        assert format_when(WHEN) == when
        assert format_when(WHEN, seconds=True) == when.replace("20:45", "20:45:09")
        assert format_day(WHEN) == day
        assert format_number(1234567) == number
        # Stored datetimes without a zone are UTC.
        assert format_when(WHEN.replace(tzinfo=None)) == when
