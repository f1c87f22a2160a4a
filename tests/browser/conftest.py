"""Browser tests: Playwright driving Debian's Chromium (Playwright's own download does not work
here). On a laptop without Chromium they are skipped with a message; in CI (CI=true) a missing
browser is a failure."""

import contextlib
import os
import re
import shutil

import pytest
from django.db import connections
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

# Nothing leaves the machine: a request elsewhere (map tiles) fails, as with no network.
NOT_THIS_SERVER = re.compile(r"^https?://(?!127\.0\.0\.1[:/]|localhost[:/])")
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser(django_db_setup):
    if not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM}: install it with 'apt-get install chromium' (or set CHROMIUM_PATH)."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests make
    # to set up data are still synchronous and safe there.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # Once Playwright's loop runs in this thread, Django hands out new connection objects, which
    # lack the copy of the migrated database that serialized_rollback restores after each test:
    # carry it over, or the first browser test would flush the reference data for good.
    serialized = {c.alias: getattr(c, "_test_serialized_contents", None) for c in connections.all()}
    with sync_playwright() as playwright:
        for alias, contents in serialized.items():
            if contents is not None:
                connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-CA", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    settle(page)
    context.close()


# The two screens every daily path is walked on (issue 15): a desktop as the 211's staff have
# (1366 px, the most common laptop width) and a phone (390 px, the width of the phones most of the
# public and the organisations use).
SCREENS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=list(SCREENS))
def screen(request, browser, live_server):
    """A page at each screen size in turn, in French (Québec), failing the test on a JavaScript
    error. ``screen.screen_name`` says which ("desktop" or "phone")."""
    context = browser.new_context(locale="fr-CA", viewport=SCREENS[request.param])
    context.route(NOT_THIS_SERVER, lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.screen_name = request.param
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    yield page
    settle(page)
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def shoot(request):
    """``shoot(page, "what-it-shows")`` saves a full-page PNG when ``SCREENSHOTS_DIR`` is set (``make
    screenshots``), and does nothing otherwise: the browser tests are the screenshot walk, so the
    pictures show the paths exactly as they are tested. Files are named after the test, the screen
    and the step, e.g. ``test_record_a_verification[phone]--02-saved.png``."""
    folder = os.environ.get("SCREENSHOTS_DIR", "")
    count = [0]

    def take(page, step: str) -> None:
        if not folder:
            return
        count[0] += 1
        os.makedirs(folder, exist_ok=True)
        name = re.sub(r"[^\w\[\].-]+", "-", request.node.name)
        page.screenshot(
            path=os.path.join(folder, f"{name}--{count[0]:02d}-{step}.png"), full_page=True
        )

    return take


@pytest.fixture
def desktop(browser, live_server):
    """A desktop browser (the admin is used on desktops) that fails the test on a JavaScript
    error. Nothing leaves the machine: map tiles fail to load, as with no network, and the maps
    must work without them."""
    context = browser.new_context(locale="fr-CA", viewport={"width": 1280, "height": 900})
    context.route(NOT_THIS_SERVER, lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    yield page
    settle(page)
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def settle(page) -> None:
    """Let the page finish what it is loading, and leave it quietly, before the test ends.

    The live server shares the test database's connection (in-memory SQLite): a request still
    being served while the next test restores the database fails ("SQL statements in progress").
    Leaving an admin edit page sends a beacon that releases the editing session: it is dropped
    here, so that nothing reaches the server once the test is over."""
    # A page that keeps polling never goes idle: closing the context ends it.
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_load_state("networkidle", timeout=5_000)
    page.route("**/*", lambda route: route.abort())
    page.goto("about:blank")
    _wait_for_the_server_to_finish()


def _wait_for_the_server_to_finish(timeout: float = 5.0) -> None:
    """A request sent before the page was left (an editing-session ping of the admin) may still
    be served, on the connection the live server shares with the test: wait until it has ended
    its transaction, or the database restore that follows fails."""
    import time

    from django.db import connection

    time.sleep(0.1)  # a request just accepted has not begun its transaction yet
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        raw = connection.connection
        if raw is None or not getattr(raw, "in_transaction", False):  # SQLite only
            return
        time.sleep(0.05)
