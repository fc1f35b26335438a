"""Browser tests: Debian's Chromium, driven by Playwright for Python, against a real ``trustone serve``.

Each test module gets its own server on SQLite with the demo data loaded (``trustone init``, then
``trustone demo``, as the README's first command does), so the journeys of one module cannot change
what another sees. The browser is ``/usr/bin/chromium`` (``.ci/run`` installs it; Playwright's own
browser download is not used and cannot work here).

``shoot`` takes a screenshot of the page at desktop and phone width, in Dutch and in English, under
``test-output/screenshots/`` (not committed), and runs axe-core (vendored) on each: any violation of
impact serious or critical fails the test.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.faults.server import Server

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
CHROMIUM = os.environ.get("TRUSTONE_CHROMIUM", "/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LANGUAGES = ("nl", "en")


@dataclass
class DemoServer:
    server: Server
    data_dir: Path
    logins: dict[str, dict[str, str]]

    @property
    def url(self) -> str:
        return self.server.url


def _trustone(data_dir: Path, *args: str) -> str:
    env = {**os.environ, "TRUSTONE_DATA_DIR": str(data_dir)}
    env.pop("TRUSTONE_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "trustone.cli", *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """One demo server per test module. A journey's tests share it and build on each other, so a
    module's tests run in one worker, in order (``--dist loadfile``, scripts/test.sh)."""
    data_dir = tmp_path_factory.mktemp("browser") / "data"
    _trustone(data_dir, "init")
    _trustone(data_dir, "demo")
    logins = json.loads((data_dir / "demo-logins.json").read_text())
    server = Server(data_dir, workers=1).start()
    try:
        server.wait_for_follower()
        yield DemoServer(server, data_dir, logins)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (scripts/test.sh does it when run as root)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


def new_context(browser: Browser, demo_server: DemoServer, language: str = "nl", **options) -> BrowserContext:
    """A fresh browser profile (no cookies) whose Accept-Language prefers ``language``.
    ``bypass_csp``: axe-core is injected as a script, which the pages' CSP (rightly) refuses."""
    context = browser.new_context(
        base_url=demo_server.url,
        locale={"nl": "nl-NL", "en": "en-GB"}.get(language, language),
        viewport=DESKTOP,
        bypass_csp=True,
        **options,
    )
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def context(browser: Browser, demo_server: DemoServer) -> Iterator[BrowserContext]:
    context = new_context(browser, demo_server)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def log_in(page: Page, demo_server: DemoServer, role: str) -> None:
    """Through the login form, as a person does: login, password and, where the role needs one, the code."""
    entry = demo_server.logins[role]
    page.goto("/login")
    page.fill("#field-login", entry["login"])
    page.fill("#field-password", entry["password"])
    if "totp_secret" in entry:
        page.fill("#field-code", pyotp.TOTP(entry["totp_secret"]).now())
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, page.locator("main").inner_text()


def log_out(page: Page) -> None:
    page.locator("form.logout button").click()
    page.wait_for_url("**/login?out=1")


def set_language(page: Page, language: str) -> None:
    """As the language switch does: the choice is a cookie of the site."""
    if not page.url.startswith("http"):
        page.goto("/")
    site = "/".join(page.url.split("/", 3)[:3]) + "/"  # path=/ as the switch sets it: one cookie, not one per folder
    page.context.add_cookies([{"name": "trustone_lang", "value": language, "url": site}])


@functools.cache
def _axe_source() -> str:
    return AXE.read_text()


def check_accessibility(page: Page) -> None:
    """axe-core on the page as it is: no violation of impact serious or critical."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=_axe_source())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{page.url}: " + "; ".join(bad)


def no_stack_trace(page: Page) -> None:
    text = page.content()
    for sign in ("Traceback (most recent call last)", 'File "/', "jinja2.exceptions", "UndefinedError"):
        assert sign not in text, f"{page.url} shows a stack trace"


def shoot(page: Page, name: str, path: str | None = None, languages: tuple[str, ...] = LANGUAGES) -> None:
    """Screenshots of ``path`` (default: the current page) in each language, desktop and phone width.
    Each language's page is checked with axe-core once, at desktop width (the rules axe checks do not
    change with the width; the phone's layout is the same page, reflowed). Leaves the page in the
    first language at desktop width."""
    target = path or page.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for language in languages:
        set_language(page, language)
        page.set_viewport_size(DESKTOP)
        page.goto(target)
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == language, f"{target} is not in {language}"
        no_stack_trace(page)
        check_accessibility(page)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{language}-desktop.png"), full_page=True)
        page.set_viewport_size(PHONE)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{language}-phone.png"), full_page=True)
    set_language(page, languages[0])
    page.set_viewport_size(DESKTOP)
    page.goto(target)


def stored_text(data_dir: Path) -> str:
    """What an attacker holding the data directory's database files reads: their raw bytes, the
    write-ahead logs and free pages included (the keyring is not a database file and is left out)."""
    return "\n".join(path.read_bytes().decode("utf-8", "replace") for path in sorted(data_dir.glob("*.sqlite3*")))


def assert_not_stored(demo_server: DemoServer, *secrets: str) -> None:
    """None of ``secrets`` (typed in the browser: a reporter's name, a case's words, a supplier) is
    in the database files in clear."""
    text = stored_text(demo_server.data_dir)
    assert text, "no database file found"
    found = [secret for secret in secrets if secret in text]
    assert not found, f"in clear in the database files: {found}"
