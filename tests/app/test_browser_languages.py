"""The same journey in Korean, Russian and English in a real headless Chromium.

The browser asks for the language (Accept-Language, as a Korean or Russian
laptop does): an interviewer signs in and files an interview, a reviewer signs
in with TOTP, unlocks the key, finds the case in the queue and opens it; then
the reviewer switches the language with the switcher, with JavaScript off.
Every page is screenshotted at 1366×768 into test-artifacts/languages-<lang>/
for people to look at, checked with axe-core, checked for a page wider than
the window (a Russian label that does not wrap), for English words left on a
Korean or Russian page, and for glyphs the machine cannot draw (a CJK font is
installed by scripts/install-system-deps.sh).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    CHROMIUM,
    IN_CI,
    VIEWPORT,
    Watch,
    axe_violations,
    chromium_browser,
    screenshot,
)
from live_server import LiveServer, serving
from web_support import PASSPHRASE, PASSWORD, OrgFixture, TotpRegistry

from app.config import Settings
from app.models import Role

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None and not IN_CI, reason="Debian chromium is not installed"),
]

LOCALES = {"ko": "ko-KR", "ru": "ru-RU", "en": "en-GB"}
NARRATIVE = {
    "ko": "작업반장이 블라디보스토크에 도착하자마자 우리 여권을 가져갔습니다.\n"
          "겨울 내내 일하고 받은 돈은 300달러뿐이었습니다.",
    "ru": "Бригадир забрал наши паспорта, как только мы прилетели во Владивосток.\n"
          "За всю зиму нам заплатили 300 долларов.",
    "en": "The foreman took our passports when we landed in Vladivostok.\n"
          "We were paid 300 dollars for the whole winter.",
}
# Words a Korean or Russian page may show in Latin letters: the product,
# time zone, hash names, the demo organisation and people's e-mail addresses.
LATIN_ALLOWED = re.compile(
    r"^(Witnessbox|UTC|SHA|age\w*|Aegis|FreeOTP|Google|Authenticator|Ctrl|Mac|English|"
    r"[\w.+-]+@[\w.-]+|[0-9A-Fa-f-]{6,}|alpha\w*|Alpha\w*|IT|UN|ILO|QR|MB|PDF|JPEG|PNG|WAV|"
    r"MP4|Debian|minisign|coreutils|NGO|USD|SHA-256|WB-[\w-]+)$")

OVERFLOW = """() => {
  const wide = document.documentElement.scrollWidth > window.innerWidth + 1;
  // Text cut off where it is meant to be read (visually hidden labels are clipped on purpose).
  const clipped = [...document.querySelectorAll('label, button, th, legend, h1, h2, a, option')]
    .filter(el => el.offsetParent !== null && !el.closest('.visually-hidden')
                  && el.scrollWidth > el.clientWidth + 2
                  && getComputedStyle(el).overflow !== 'visible')
    .map(el => el.tagName + ': ' + el.innerText.slice(0, 40));
  return {wide, clipped};
}"""

def hangul_fonts() -> list[str]:
    """Font families fontconfig has for Korean (Chromium draws Hangul with one)."""
    found = subprocess.run(["fc-list", ":lang=ko", "family"], capture_output=True, text=True,
                           check=False) if shutil.which("fc-list") else None
    return [line for line in (found.stdout.splitlines() if found else []) if line.strip()]


@dataclass
class Tour:
    language: str
    watch: Watch
    problems: list[str] = field(default_factory=list)
    shots: list[Path] = field(default_factory=list)

    def look(self, page: Any, name: str) -> None:
        page.wait_for_load_state("load")
        shot = screenshot(page, f"languages-{self.language}", f"{len(self.shots) + 1:02d}-{name}")
        self.shots.append(shot)
        lang = page.get_attribute("html", "lang")
        if lang != self.language:
            self.problems.append(f"{name}: <html lang={lang}>")
        self.problems += [f"{name}: axe {line}" for line in axe_violations(page)]
        layout = page.evaluate(OVERFLOW)
        if layout["wide"]:
            self.problems.append(f"{name}: wider than the window")
        self.problems += [f"{name}: clipped {item}" for item in layout["clipped"]]
        if self.language != "en":
            self.problems += [f"{name}: English left: {word}" for word in self.leftovers(page)]

    @staticmethod
    def leftovers(page: Any) -> list[str]:
        # The testimony and the answers are the witness's words, not the interface's.
        text = page.evaluate("""() => {
          const copy = document.body.cloneNode(true);
          copy.querySelectorAll("option").forEach(el => {
            el.textContent = ` ${el.textContent} `;
          });
          copy.querySelectorAll('#narrative, .narrative, pre, code, textarea, .answers dd,'
            + ' .case-id, .secret, .recovery-codes, [lang="en"]')
            .forEach(el => el.remove());
          return copy.innerText;
        }""")
        words = re.findall(r"[A-Za-z][\w.@+-]*[A-Za-z0-9]", text)
        return sorted({word for word in words if len(word) > 2 and not LATIN_ALLOWED.match(word)})


def new_page(browser: Any, tour: Tour, *, javascript: bool = True) -> Any:
    page = browser.new_page(viewport=VIEWPORT, java_script_enabled=javascript,
                            locale=LOCALES[tour.language])
    tour.watch.attach(page)
    page.set_default_timeout(90_000)  # the worker warms the detector on first use
    return page


def submit(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def sign_in(page: Any, tour: Tour, url: str, email: str, totp: TotpRegistry | None,
            prefix: str) -> None:
    page.goto(f"{url}/login")
    tour.look(page, f"{prefix}-login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    submit(page, "form.narrow button[type=submit]")
    if totp is not None:
        tour.look(page, f"{prefix}-code")
        page.fill("input[name=code]", totp.next_code(email))
        submit(page, "form.narrow button[type=submit]")
        page.goto(f"{url}/key")
        tour.look(page, f"{prefix}-key")
        page.fill("input[name=passphrase]", PASSPHRASE)
        submit(page, "form.narrow button[type=submit]")
        tour.look(page, f"{prefix}-unlocked")


@pytest.fixture
def server(settings: Settings, tmp_path: Path, demo_org: Any) -> Iterator[LiveServer]:
    with serving(settings, tmp_path, workers=1) as live:
        yield live


def file_interview(page: Any, tour: Tour, url: str) -> str:
    page.goto(f"{url}/intake/")
    page.fill("input[name=interview_date]", "2024-02-10")
    page.check("input[name=consent_scopes][value=internal_only]")
    page.select_option("select[name=source_connection]", "experienced")
    page.select_option("select[name=sector]", "logging")
    page.click("#part-indicators summary")  # a collapsed part, opened as a person would
    page.select_option("select[name=ilo_retention_of_documents_present]", "yes")
    page.fill("textarea[name=narrative]", NARRATIVE[tour.language])
    tour.look(page, "intake-form")
    page.locator("textarea[name=narrative]").scroll_into_view_if_needed()
    submit(page, "main form[enctype] button[type=submit] >> nth=-1")
    tour.look(page, "intake-receipt")
    return str(page.locator(".case-id").first.inner_text())


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize("language", ["ko", "ru", "en"])
def test_a_case_from_intake_to_the_queue_in_each_language(
        server: LiveServer, demo_org: OrgFixture, totp_registry: TotpRegistry,
        language: str) -> None:
    url = server.url
    tour = Tour(language, Watch(url))
    with chromium_browser() as browser:
        page = new_page(browser, tour)
        sign_in(page, tour, url, demo_org.email(Role.INTERVIEWER), None, "interviewer")
        tour.look(page, "interviewer-home")
        if language == "ko":
            assert hangul_fonts(), "no Korean font: scripts/install-system-deps.sh installs one"
        case_id = file_interview(page, tour, url)
        page.goto(f"{url}/intake/mine")
        tour.look(page, "my-submissions")
        page.context.close()

        page = new_page(browser, tour)
        sign_in(page, tour, url, demo_org.email(Role.REVIEWER), totp_registry, "reviewer")
        page.goto(f"{url}/queue")
        tour.look(page, "queue")
        submit(page, f"a.case-id:text-is('{case_id}')")
        assert NARRATIVE[language].split("\n")[0] in page.inner_text("#narrative")
        tour.look(page, "case")
        page.goto(f"{url}/account")
        tour.look(page, "account")
        page.context.close()

        # The switcher without JavaScript: a plain form post, kept on the account.
        page = new_page(browser, tour, javascript=False)
        other = "ru" if language != "ru" else "ko"
        sign_in_plain(page, url, demo_org.email(Role.REVIEWER), totp_registry)
        page.select_option("#language-choice", other)
        submit(page, "form.language-switcher button[type=submit]")
        assert page.get_attribute("html", "lang") == other
        page.context.close()

    # Kept beside the screenshots, for whoever looks at them.
    (tour.shots[0].parent / "problems.txt").write_text("\n".join(tour.problems) + "\n")
    assert tour.problems == []
    assert tour.watch.console_errors == []
    assert tour.watch.outside_requests == []


def sign_in_plain(page: Any, url: str, email: str, totp: TotpRegistry) -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    submit(page, "form.narrow button[type=submit]")
    page.fill("input[name=code]", totp.next_code(email))
    submit(page, "form.narrow button[type=submit]")
    page.goto(f"{url}/account")
