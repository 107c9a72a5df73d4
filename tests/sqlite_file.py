"""The test database as a file, for tests of SQLite's own waiting.

The SQLite test database lives in memory with a shared cache, where a second writer
is refused at once ("database table is locked") instead of waiting for the busy
timeout as on a real database file. :func:`on_a_file` copies the test database
(schema and rows) into a file and points every connection opened in the block — the
test's and its worker threads' — at it, with the project's connection options
(WAL, ``IMMEDIATE`` transactions, the busy timeout). PostgreSQL needs nothing.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection


@contextmanager
def on_a_file() -> Iterator[None]:
    if connection.vendor != "sqlite":
        yield
        return
    settings = connection.settings_dict  # shared by every thread's connection
    memory = settings["NAME"]
    with tempfile.TemporaryDirectory(prefix="yantai-busy-") as folder:
        path = str(Path(folder) / "db.sqlite3")
        connection.ensure_connection()
        # Keeps the in-memory database alive while no Django connection holds it.
        keeper = sqlite3.connect(memory, uri=True)
        try:
            with sqlite3.connect(path) as copy:
                connection.connection.backup(copy)
            copy.close()
            settings["NAME"] = path
            connection.close()  # really closed: the name is no longer in memory
            try:
                yield
            finally:
                connection.close()
                settings["NAME"] = memory
                connection.ensure_connection()
        finally:
            keeper.close()
