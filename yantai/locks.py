"""One bulk writer of a kind at a time.

Two bulk imports running at once would each read what is saved and then write: the
same observation inserted twice, a preferred flag moved by one and moved back by the
other's stale read, an article created twice. :func:`bulk_write` opens the import's
transaction holding the lock, so a second import waits until the first commits and
everything it reads afterwards includes the first one's rows. When it has waited
``timeout`` seconds (``settings.BULK_IMPORT_WAIT_SECONDS`` unless the caller says),
:class:`BulkWriteBusy` is raised with a Chinese message: its transaction has
written nothing, and the import holding the lock goes on unharmed.

- **PostgreSQL**: ``pg_advisory_xact_lock`` on a 64-bit key made from the lock's
  name, released when the transaction ends (commit or rollback, also when the
  process dies), waited for under ``lock_timeout`` (for this one statement).
- **SQLite** serialises writers by itself: the project's transactions are
  ``IMMEDIATE`` (yantai/settings.py), so a writer takes the database's one write
  lock at ``BEGIN`` and holds it to ``COMMIT``. The second import waits at ``BEGIN``
  for ``timeout`` (the connection's busy timeout, set for that statement only: 20 s
  otherwise) and SQLite's "database is locked" becomes :class:`BulkWriteBusy`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction
from django.db.transaction import TransactionManagementError
from django.utils.translation import gettext as _

#: How long a second bulk import waits for the first one by default (seconds):
#: longer than the 100,000-row observation import takes.
WAIT_SECONDS = 120.0


def wait_seconds() -> float:
    """The wait of a bulk import that names none (``BULK_IMPORT_WAIT_SECONDS``)."""
    return float(getattr(settings, "BULK_IMPORT_WAIT_SECONDS", WAIT_SECONDS))


def busy_message() -> str:
    return _("另一个批量导入正在写入数据库，本次导入未写入任何数据；请等它完成后再试。")


class BulkWriteBusy(Exception):
    """Another bulk writer of the same kind kept the lock past the wait."""

    def __init__(self, message: str | None = None):
        super().__init__(message or busy_message())


def is_busy(error: Exception) -> bool:
    """Whether ``error`` says another writer holds the database (SQLite's
    "database is locked", or "database table is locked" in shared-cache mode)."""
    return isinstance(error, OperationalError) and "locked" in str(error)


@contextmanager
def bulk_write(
    name: str, *, timeout: float | None = None, using: str = DEFAULT_DB_ALIAS
) -> Iterator[None]:
    """The transaction of one bulk import, holding the bulk-write lock ``name``.

    Waits up to ``timeout`` seconds (default :func:`wait_seconds`) for another
    holder, then raises :class:`BulkWriteBusy` having written nothing. Inside an
    outer transaction (a test's) it is a savepoint and SQLite has nothing to wait
    for: the outer transaction already holds the write lock.
    """
    seconds = wait_seconds() if timeout is None else timeout
    connection = connections[using]
    with ExitStack() as stack:
        try:
            with _busy_timeout(connection, seconds):
                stack.enter_context(transaction.atomic(using=using))
        except OperationalError as error:
            if not is_busy(error):
                raise
            raise BulkWriteBusy from error
        bulk_write_lock(name, timeout=seconds, using=using)
        yield


@contextmanager
def _busy_timeout(connection, seconds: float) -> Iterator[None]:
    """SQLite, outside a transaction: wait ``seconds`` at the coming ``BEGIN
    IMMEDIATE`` for another writer (the connection's own busy timeout after)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA busy_timeout = {max(1, round(seconds * 1000))}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(previous)}")


@contextmanager
def waiting_at_most(seconds: float, *, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """A small write that may be dropped rather than wait for a bulk import.

    SQLite: the block's transaction waits at most ``seconds`` for the write lock
    (instead of the busy timeout, 20 s), then ``OperationalError`` ("database is
    locked", :func:`is_busy`). A bulk import holds the lock for its whole file or
    batch; a request waiting 20 s for it holds an app server worker meanwhile.
    PostgreSQL: a plain transaction (bulk imports take no lock other writes wait for).
    """
    connection = connections[using]
    with (
        _busy_timeout(connection, seconds),
        transaction.atomic(using=using, savepoint=False),
    ):
        yield


def _key(name: str) -> int:
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def bulk_write_lock(
    name: str, *, timeout: float | None = None, using: str = DEFAULT_DB_ALIAS
) -> None:
    """Hold the bulk-write lock ``name`` until the current transaction ends.

    :func:`bulk_write` calls it first in the transaction it opens. On PostgreSQL it
    waits up to ``timeout`` seconds (default :func:`wait_seconds`) for another
    holder, then raises :class:`BulkWriteBusy`; on SQLite the transaction already
    holds the write lock.
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        raise TransactionManagementError(
            "bulk_write_lock() must be called inside a transaction."
        )
    if connection.vendor != "postgresql":
        return
    seconds = wait_seconds() if timeout is None else timeout
    key = _key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [key])
        if cursor.fetchone()[0]:
            return
        cursor.execute("SELECT current_setting('lock_timeout')")
        (previous,) = cursor.fetchone()
        try:
            # In a savepoint: a timeout aborts only it, and the caller's transaction
            # can still roll back cleanly (or go on, in a test's outer transaction).
            with transaction.atomic(using=using):
                cursor.execute(
                    "SELECT set_config('lock_timeout', %s, true)",
                    [f"{max(1, round(seconds * 1000))}ms"],
                )
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
        except OperationalError as error:
            raise BulkWriteBusy from error
        finally:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
