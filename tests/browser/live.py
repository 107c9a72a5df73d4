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
