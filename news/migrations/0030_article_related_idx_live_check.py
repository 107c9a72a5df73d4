"""SQLite: ``article_related_idx`` (migration 0017) also holds ``updated_at`` and
``page_stamp``, so that the fast path's check of a kept page against its live row
(``news.pagecache._live_row_sql``, which names the index) reads the index alone.

Like ``status``, ``published_at`` and ``expires_at``, those two columns lie past
``body`` and ``body_text`` in ``news_article``'s rows: the check, run on every
answer of the fast path, walked the row's overflow pages (~20 KB of text, about
five page reads from the file at 20,000 articles). Not on PostgreSQL, for 0017's
reasons.
"""

from django.db import migrations

INDEX = "article_related_idx"
BEFORE = "(id, status, published_at, expires_at, title)"
AFTER = "(id, status, published_at, expires_at, title, updated_at, page_stamp)"


def _recreate(schema_editor, columns: str) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        schema_editor.execute(f"CREATE INDEX {INDEX} ON news_article {columns}")


def forwards(apps, schema_editor):
    _recreate(schema_editor, AFTER)


def backwards(apps, schema_editor):
    _recreate(schema_editor, BEFORE)


class Migration(migrations.Migration):
    dependencies = [("news", "0029_draft_go_live_at")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
