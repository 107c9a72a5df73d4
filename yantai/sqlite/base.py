"""Django's SQLite backend, keeping the query planner's statistics up to date, and
asking whether JSON works without taking the write lock (``DatabaseFeatures``).

Without statistics (``sqlite_stat1``) SQLite guesses that ``status = 'published'``
picks a handful of rows and reads 20,000 index entries to find 20 articles by id
(search results: 11 ms instead of 3). SQLite's advice for long-lived databases is
``PRAGMA optimize`` as each connection closes: usually a no-op, it runs ``ANALYZE``
on the tables whose indexes this connection used and that were never analysed or
have grown 25-fold since. ``yantai.database.refresh_statistics`` analyses at once,
after bulk writes.

No ``analysis_limit``: sampled statistics (1,000 rows) told the planner that every
status picks 1,000 rows, and it read all published articles again to find the few
hidden ones. A full ``ANALYZE`` takes 0.12 s at 20,000 articles and runs only as a
table grows 25-fold.

Each statement's ``%s`` placeholders are turned into SQLite's ``?`` once, not on
every run (``SQLiteCursorWrapper``).
"""

from __future__ import annotations

import contextlib
import functools

from django.db import OperationalError
from django.db.backends.sqlite3 import base, features
from django.utils.functional import cached_property


class DatabaseFeatures(features.DatabaseFeatures):
    @cached_property
    def supports_json_field(self):
        # Django asks once per connection, inside transaction.atomic(): with this
        # project's IMMEDIATE transactions that takes the write lock, so the first
        # JSON query of every new connection (the site chrome on every page) waited
        # for a bulk import to commit and then failed with "database is locked". A
        # failed SELECT leaves an open transaction usable on SQLite: no savepoint.
        with self.connection.cursor() as cursor:
            try:
                cursor.execute('SELECT JSON(\'{"a": "b"}\')')
            except OperationalError:
                return False
        return True


# Statements longer than this (an ``IN`` list of thousands of ids) are converted
# every time rather than kept: the hot ones, run on every page, are a few kB.
CONVERTED_MAX_CHARS = 10_000


@functools.lru_cache(maxsize=512)
def qmark(query: str) -> str:
    """``query`` with Django's ``%s`` placeholders in SQLite's ``?`` style, as
    Django's cursor converts it (``%%`` a literal ``%``), remembered."""
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    """Django's cursor, remembering each statement in SQLite's placeholder style.

    Django converts ``%s`` to ``?`` with a look-behind regex over the whole
    statement on every execution; for the article page's statements (2-3 kB each)
    that scan cost more than a cold page's cheaper queries themselves."""

    def convert_query(self, query, *, param_names=None):
        if param_names is None and len(query) <= CONVERTED_MAX_CHARS:
            return qmark(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=SQLiteCursorWrapper)

    def _close(self):
        if self.connection is not None and not self.is_in_memory_db():
            # A locked or read-only database must not stop the connection closing.
            with contextlib.suppress(base.Database.Error):
                self.connection.execute("PRAGMA optimize")
        super()._close()
