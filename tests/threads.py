"""A thread with its own database connection, for tests of two writers at once."""

from __future__ import annotations

import threading

from django.db import connection


class Worker(threading.Thread):
    """Runs ``target`` on its own database connection; keeps its result or error."""

    def __init__(self, target):
        super().__init__(daemon=True)
        self.target = target
        self.result = self.error = None

    def run(self):
        try:
            self.result = self.target()
        except BaseException as error:  # reported by the test
            self.error = error
        finally:
            connection.close()

    def outcome(self, timeout=60):
        self.join(timeout)
        assert not self.is_alive(), "worker still running"
        if self.error is not None:
            raise self.error
        return self.result
