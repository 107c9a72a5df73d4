"""SQLite: the columns 上一篇/下一篇 and 相关新闻 read of each candidate article, in an
index by id (``news.related``, which names it with ``INDEXED BY``).

In ``news_article``'s rows ``status``, ``published_at`` and ``expires_at`` come after
``body`` and ``body_text``: reading them walked each candidate's overflow pages
(~20 KB of text), some 25 candidates on every cold article page. From this index
SQLite reads them, and the title, without the row.

Not on PostgreSQL: there the body lies in TOAST, outside the row, and the same
index (``INCLUDE``, index-only scans after a VACUUM) changed the statement's server
time by less than the noise of the measurement; each index costs every import.
"""

from django.db import migrations

INDEX = "article_related_idx"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON news_article"
            " (id, status, published_at, expires_at, title)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("news", "0016_article_search_document_trigger")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
