"""PostgreSQL: the title's words in a tsvector of their own, for 相关新闻.

The article page's 相关新闻 takes the most recent articles whose titles share a word
with the article's title. On PostgreSQL that read ``document`` (title and body), a
TOASTed value of ≈ 11 KB an article: walking the newest articles for 100 candidates
de-TOASTed and scanned every row it passed (at 20,000 articles 2,500–8,000 buffers
and 5–15 ms a page, the largest cost of a cold page there). ``title_document`` is
generated from ``title`` alone, short enough to be stored in the row, with a GIN
index for rare words (bench figures in docs/benchmarks.md).

A no-op on SQLite, whose FTS5 table has a title column already.
"""

from django.db import migrations

POSTGRESQL = [
    (
        "ALTER TABLE news_article_search ADD COLUMN title_document tsvector"
        " GENERATED ALWAYS AS (to_tsvector('simple', title)) STORED",
        "ALTER TABLE news_article_search DROP COLUMN title_document",
    ),
    (
        "CREATE INDEX news_article_search_title_gin"
        " ON news_article_search USING gin (title_document)",
        "DROP INDEX news_article_search_title_gin",
    ),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql, _reverse in POSTGRESQL:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for _sql, reverse in reversed(POSTGRESQL):
            schema_editor.execute(reverse)


class Migration(migrations.Migration):
    dependencies = [("news", "0014_article_fts_ascii_tokenizer")]

    operations = [migrations.RunPython(forwards, backwards)]
