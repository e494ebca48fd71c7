"""The pages' tests: the earning town, a live threaded server of the test app, and screenshots."""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.earning import town
from tests.support.supermarket import fresh_code, resident, supermarket

__all__ = ["fresh_code", "resident", "supermarket", "town"]

REPO = Path(__file__).resolve().parents[3]
# Not committed (.gitignore); POINTSBANK_SCREENSHOTS moves it.
SCREENSHOTS = Path(os.environ.get("POINTSBANK_SCREENSHOTS", REPO / "screenshots"))
_written: list[Path] = []


@pytest.fixture(scope="session")
def live_server(app):
    """The test app served on 127.0.0.1 at a free port, one thread per request."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, headless, one per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser):
    """new_page(width=360) -> a page in a browser context of its own (its own cookies)."""
    contexts = []

    def make(width=360, locale="zh-CN"):
        context = browser.new_context(locale=locale, viewport={"width": width, "height": 800})
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A Chinese-speaking phone's browser at 360 px."""
    return new_page()


@pytest.fixture(scope="session")
def screenshots():
    """shoot(page, name): the page at 360 px and 1280 px wide, saved under SCREENSHOTS."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shoot(page, name):
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            path = SCREENSHOTS / f"{name}-{width}.png"
            page.screenshot(path=str(path), full_page=True)
            _written.append(path)

    return shoot


def pytest_terminal_summary(terminalreporter):
    if _written:
        terminalreporter.write_line(f"page screenshots ({len(_written)}) written to {SCREENSHOTS}")
