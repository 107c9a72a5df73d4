"""Rows as they could be written before a database check was added: for the tests of
the migrations that repair such rows before adding the check."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection


@contextmanager
def checks_lifted(*checks: tuple[str, str]):
    """The check constraints ``checks`` ((table, constraint name) each) lifted for
    the block. SQLite: all checks ignored; PostgreSQL: dropped inside the test's
    transaction, which the test's rollback brings back."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = ON")
            try:
                yield
            finally:
                cursor.execute("PRAGMA ignore_check_constraints = OFF")
        else:
            # The rows inserted in this transaction are checked first (their
            # deferred foreign keys): a table with pending checks cannot be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, constraint in checks:
                cursor.execute(
                    f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {constraint}"
                )
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            yield
