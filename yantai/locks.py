"""One bulk writer of a kind at a time.

Two bulk imports running at once would each read what is saved and then write: the
same observation inserted twice, a preferred flag moved by one and moved back by the
other's stale read, an article created twice. :func:`bulk_write_lock`, called first
in the import's transaction, makes the second import wait until the first commits,
so that everything it reads afterwards includes the first one's rows.

- **PostgreSQL**: ``pg_advisory_xact_lock`` on a 64-bit key made from the lock's
  name, released when the transaction ends (commit or rollback, also when the
  process dies). The second import waits at most ``timeout`` seconds
  (``lock_timeout``, for this one statement), then :class:`BulkWriteBusy` is raised
  with a Chinese message; its transaction has written nothing.
- **SQLite** serialises writers by itself: the project's transactions are
  ``IMMEDIATE`` (yantai/settings.py), so a writer takes the database's one write lock
  at ``BEGIN`` and holds it to ``COMMIT``; a second writer waits at ``BEGIN`` for the
  busy timeout (20 s) and then fails with "database is locked", which
  :func:`is_busy` recognises. There is nothing for the helper to do.
"""

from __future__ import annotations

import hashlib

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction
from django.db.transaction import TransactionManagementError
from django.utils.translation import gettext as _

#: How long a second bulk import waits for the first one on PostgreSQL (seconds):
#: longer than the 100,000-row observation import takes.
WAIT_SECONDS = 120.0


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


def _key(name: str) -> int:
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def bulk_write_lock(
    name: str, *, timeout: float = WAIT_SECONDS, using: str = DEFAULT_DB_ALIAS
) -> None:
    """Hold the bulk-write lock ``name`` until the current transaction ends.

    Call it first inside the import's ``transaction.atomic()``. On PostgreSQL it
    waits up to ``timeout`` seconds for another holder, then raises
    :class:`BulkWriteBusy`; on SQLite the transaction already holds the write lock.
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        raise TransactionManagementError(
            "bulk_write_lock() must be called inside a transaction."
        )
    if connection.vendor != "postgresql":
        return
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
                    [f"{max(1, round(timeout * 1000))}ms"],
                )
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
        except OperationalError as error:
            raise BulkWriteBusy from error
        finally:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
