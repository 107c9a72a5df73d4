"""SQLite: the FTS5 index merges its segments 16 at a time instead of 4.

Every commit that writes index rows adds a segment to the FTS5 index, and FTS5 merges
segments of one level once there are ``automerge`` of them (4 by default), rewriting
what they hold each time. The bulk import commits a batch of 250 articles at a time:
at 20,000 articles the index's writes took 13.0 s of CPU with 4, 9.9 s with 16
(``bench/fts_merge.py``, docs/benchmarks.md), the import's largest single step. A
search reads a few more segments; four counting searches over the 20,000 took the same
time either way. A setting of the table (kept in ``news_article_fts_config``), so a
rebuild keeps it. A no-op on PostgreSQL.
"""

from django.db import migrations


def _automerge(n: int):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(
                "INSERT INTO news_article_fts(news_article_fts, rank)"
                f" VALUES ('automerge', {n})"
            )

    return apply


class Migration(migrations.Migration):
    dependencies = [("news", "0018_article_page_stamp_start")]

    operations = [migrations.RunPython(_automerge(16), _automerge(4))]
