"""What the site asks of its database beyond the ORM."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper


def refresh_statistics() -> None:
    """Give the query planner fresh statistics, after a bulk write.

    SQLite keeps none until asked (``yantai.sqlite.base``); PostgreSQL's autovacuum
    would catch up later, but the first searches after a rebuild would not wait.
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def hot_cursor(using: str = DEFAULT_DB_ALIAS):
    """A cursor for the statements every article request runs with the same text
    (the fast path's live-row check, the article page's compiled queries).

    PostgreSQL plans each statement Django sends, and for these the planning costs
    several times the execution (``EXPLAIN ANALYZE`` of the article row: 0.7 ms
    planning, 0.13 ms execution; the fast path's check: 0.16 and 0.03) — server CPU
    on every request. Django's cursors bind parameters on the client, into the SQL
    text, so nothing can be prepared. This one binds them on the server (Django's
    own ``ServerBindingCursor``), so psycopg prepares a statement once it has run
    ``prepare_threshold`` times on a connection (``yantai/settings.py``) and
    PostgreSQL then reuses its plan. Django's client-side cursors are never
    prepared, whatever the threshold. It is wrapped as ``connection.cursor()``
    wraps its own, so tests and debug logging count its queries.

    Other engines: ``connections[using].cursor()``.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import (
        TIMESTAMPTZ_OID,
        Format,
        ServerBindingCursor,
        register_tzloader,
    )

    connection.ensure_connection()
    cursor = ServerBindingCursor(connection.connection)
    # As DatabaseWrapper.create_cursor does for its cursors.
    loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    if connection.timezone != loader.timezone:
        register_tzloader(connection.timezone, cursor)
    connection.validate_thread_sharing()
    if connection.queries_logged:
        return _LoggedHotCursor(cursor, connection)
    return connection.make_cursor(cursor)


class _LoggedHotCursor(CursorDebugWrapper):
    """A hot cursor under DEBUG or a test's query capture: logged with its values
    put in, as Django logs a statement it bound on the server (Django's own
    wrapper asks psycopg, which keeps no text of a server-bound statement)."""

    def execute(self, sql, params=None):
        shown = sql if params is None else self.db.ops.compose_sql(sql, params)
        with self.debug_sql(shown):
            return CursorWrapper.execute(self, sql, params)
