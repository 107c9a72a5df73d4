"""What the site asks of its database beyond the ORM."""

from __future__ import annotations

from django.db import connection


def refresh_statistics() -> None:
    """Give the query planner fresh statistics, after a bulk write.

    SQLite keeps none until asked (``yantai.sqlite.base``); PostgreSQL's autovacuum
    would catch up later, but the first searches after a rebuild would not wait.
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
