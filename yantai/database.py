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


def row_exists(sql: str, params, db=None) -> bool:
    """Whether ``sql`` (``%s`` placeholders, a statement of fixed text) returns a
    row on connection ``db`` (the default one if not given): the fast path's check
    of a cached page against its live row, run on every answer it gives.

    Through a cursor (``hot_cursor``), the check cost 85 µs of CPU on PostgreSQL
    where the statement itself, prepared once and run on the driver's connection,
    costs 35 µs (the rest: the cursor, psycopg's execution generator, Django's
    wrappers; docs/benchmarks.md): so on PostgreSQL, outside a transaction, it is
    prepared once per connection and run with libpq's ``exec_prepared``; on SQLite
    it runs on the ``sqlite3`` connection with ``?`` placeholders. An error is
    raised as Django's and marks the connection, as Django's own cursors do
    (``errors_occurred``), so that Django checks it before its next use. Under DEBUG
    or a test's query capture, and in a transaction on PostgreSQL (where a failed
    statement would abort it), ``hot_cursor`` runs it, so the statement is logged
    and counted as before.
    """
    connection = db or connections[DEFAULT_DB_ALIAS]
    if not connection.queries_logged and connection.vendor in ("postgresql", "sqlite"):
        connection.ensure_connection()
        raw = connection.connection
        # Django's wrapper: the driver's errors raised as Django's, the connection
        # marked (``errors_occurred``), as by Django's own cursors.
        with connection.wrap_database_errors:
            if connection.vendor == "sqlite":
                from yantai.sqlite.base import qmark  # the cursor's own conversion

                return raw.execute(qmark(sql), params).fetchone() is not None
            found = _exists_prepared(raw, sql, params)
        if found is not None:
            return found
    with hot_cursor(connection.alias) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


def _prepared_state(raw) -> dict:
    from psycopg.adapt import Transformer

    state = getattr(raw, "_yantai_prepared", None)
    if state is None:
        state = raw._yantai_prepared = {"tx": Transformer(raw), "names": {}, "n": 0}
    return state


def _prepared_name(raw, state: dict, sql: str) -> bytes:
    """The name of ``sql`` prepared on ``raw`` (prepared now if it is not)."""
    from psycopg import pq

    name = state["names"].get(sql)
    if name is None:
        # Never a name used before: another statement's may still exist.
        state["n"] += 1
        name = f"yantai_{state['n']}".encode()
        numbered = iter(range(1, sql.count("%s") + 1))
        text = "".join(
            part if i == 0 else f"${next(numbered)}{part}"
            for i, part in enumerate(sql.split("%s"))
        )
        prepared = raw.pgconn.prepare(name, text.encode())
        if prepared.status != pq.ExecStatus.COMMAND_OK:
            raise raw.DatabaseError(_message(prepared))
        state["names"][sql] = name
    return name


def _exists_prepared(raw, sql: str, params) -> bool | None:
    """``row_exists`` on psycopg connection ``raw``; None in a transaction."""
    from psycopg import pq
    from psycopg.adapt import PyFormat

    pgconn = raw.pgconn
    if pgconn.transaction_status != pq.TransactionStatus.IDLE:
        return None
    state = _prepared_state(raw)
    values = state["tx"].dump_sequence(params, [PyFormat.TEXT] * len(params))
    for _attempt in range(2):
        result = pgconn.exec_prepared(_prepared_name(raw, state, sql), values)
        if result.status == pq.ExecStatus.TUPLES_OK:
            return result.ntuples > 0
        # psycopg deallocates every prepared statement of its connection after a
        # ROLLBACK (``DEALLOCATE ALL``, its own included): prepare it again.
        if result.error_field(pq.DiagnosticField.SQLSTATE) != b"26000":
            break
        del state["names"][sql]
    raise raw.DatabaseError(_message(result))


def send_row(sql: str, params, db=None):
    """Send ``sql`` (``%s`` placeholders, a statement of fixed text) to run on
    connection ``db`` without waiting for its answer, so that the caller can wait
    for something else meanwhile (the fast path: its MGET): a ``SentRow`` whose
    ``read()`` gives the first row (its values as the server's text, ``bytes``) or
    None. Only on PostgreSQL outside a transaction, without query logging, as
    ``row_exists``' prepared statement; else None (the caller runs it as usual).

    ``read()`` must be called before the connection's next use: it reads the whole
    answer, leaving the connection ready."""
    from psycopg import pq
    from psycopg.adapt import PyFormat

    connection = db or connections[DEFAULT_DB_ALIAS]
    if (
        connection.queries_logged
        or connection.vendor != "postgresql"
        or connection.in_atomic_block  # psycopg would BEGIN before the next one
    ):
        return None
    connection.ensure_connection()
    raw = connection.connection
    pgconn = raw.pgconn
    if not raw.autocommit or pgconn.transaction_status != pq.TransactionStatus.IDLE:
        return None
    with connection.wrap_database_errors:
        state = _prepared_state(raw)
        name = _prepared_name(raw, state, sql)
        values = state["tx"].dump_sequence(params, [PyFormat.TEXT] * len(params))
        pgconn.send_query_prepared(name, values)  # raises psycopg's error
        pgconn.flush()  # the rest, if any, is sent by get_result()
    return SentRow(connection, raw, sql)


class SentRow:
    __slots__ = ("connection", "raw", "sql")

    def __init__(self, connection, raw, sql: str):
        self.connection, self.raw, self.sql = connection, raw, sql

    def read(self) -> tuple | None:
        """The first row's values (``bytes``, None for NULL), or None without one.
        An error is raised as Django's (the connection marked, as by its cursors);
        a statement psycopg deallocated (after a ROLLBACK) is prepared again on the
        next use."""
        from psycopg import pq

        pgconn = self.raw.pgconn
        with self.connection.wrap_database_errors:
            result = pgconn.get_result()
            while pgconn.get_result() is not None:  # the command's end
                pass
            if result is None:
                raise self.raw.OperationalError(_message(pgconn))
            if result.status == pq.ExecStatus.TUPLES_OK:
                if not result.ntuples:
                    return None
                return tuple(result.get_value(0, i) for i in range(result.nfields))
            if result.error_field(pq.DiagnosticField.SQLSTATE) == b"26000":
                _prepared_state(self.raw)["names"].pop(self.sql, None)
            raise self.raw.DatabaseError(_message(result))


def _message(failed) -> str:
    """The error message of a libpq result or connection (both have one)."""
    return (failed.error_message or b"").decode("utf-8", "replace")
