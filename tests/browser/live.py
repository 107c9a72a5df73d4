"""The live-server base class of the browser tests.

On SQLite the test database lives in memory and the live server's request threads
share its connection. Closing the browser cancels its requests on the client side
only: a request still being served (the presence heartbeat, a beacon, the picker's
window) may hold a read on a table when the test's flush deletes its rows, and
SQLite answers "database table is locked" — seen on CI as an error of a test that
had passed. The flush is retried while that request finishes (it takes
milliseconds); any other error, or a lock that outlasts five seconds, is raised.
"""

import time

from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core.management.base import CommandError
from django.db import OperationalError
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright

from tests.factories import PASSWORD

FLUSH_WAIT_SECONDS = 5.0


class BrowserTestCase(StaticLiveServerTestCase):
    def _fixture_teardown(self):
        deadline = time.monotonic() + FLUSH_WAIT_SECONDS
        while True:
            try:
                return super()._fixture_teardown()
            except (OperationalError, CommandError) as error:
                # flush reports the lock as a CommandError raised from it.
                cause = (
                    error if isinstance(error, OperationalError) else error.__cause__
                )
                locked = isinstance(cause, OperationalError) and "locked" in str(cause)
                if not locked or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


# Chromium as the environment notes start it: no sandbox (root), and none of the
# background connections a closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


class ChromiumTestCase(BrowserTestCase):
    """A live server and one headless Debian Chromium (Playwright) per test class."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()

    def log_in(self, page, username: str, greeting: str | None = None) -> None:
        """Log ``page`` in as ``username`` through the admin's login form, and wait
        for the admin's user tools: greeting ``greeting`` if given."""
        page.goto(f"{self.live_server_url}/admin/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        tools = page.locator("#user-tools")
        if greeting is None:
            expect(tools).to_be_visible()
        else:
            expect(tools).to_contain_text(greeting)


def click_and_close(window, locator):
    """Click a control that closes its own window (the picker's 插入此图, 【关闭】).

    The window may close before Chromium acknowledges the click; Playwright then
    raises its TargetClosedError ("Target page, context or browser has been closed")
    from the click although the click did its work (seen on CI). The close is the
    outcome the test wants, so that error is accepted; any other error, or a window
    left open, fails the test.
    """
    with window.expect_event("close"):
        try:
            locator.click()
        except PlaywrightError as error:
            if "has been closed" not in str(error):
                raise
    assert window.is_closed(), "the window did not close after the click"
