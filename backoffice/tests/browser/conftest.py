"""Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

The live server serves static files through Django's finders, so no collectstatic is needed.
Playwright's sync API runs an event loop in this thread, which makes Django refuse ORM calls
as "async unsafe" unless told this thread is fine.
"""

import os
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
PASSWORD = "demo-password"


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    path = Path(os.environ.get("SCREENSHOT_DIR", "artifacts/screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def csp_violations():
    """What the Content-Security-Policy blocked on the pages a test opened (see `page`)."""
    return []


@pytest.fixture
def page(browser, live_server, csp_violations):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and csp_violations.append(f"{page.url}: {message.text}")
        ),
    )
    yield page
    context.close()
    # Every browser test doubles as a CSP test: a page that needs something the policy
    # refuses is broken in production.
    assert csp_violations == []


@pytest.fixture
def login(page, screenshot_dir):
    def _login(email: str):
        page.goto("/admin/login/")
        page.fill("#id_username", email)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("#dashboard")
        return page

    return _login


@pytest.fixture
def shot(page, screenshot_dir):
    def _shot(name: str, full_page: bool = True):
        page.screenshot(path=str(screenshot_dir / f"{name}.png"), full_page=full_page)

    return _shot
