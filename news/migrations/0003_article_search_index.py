"""Full-text search index (see news/search.py).

``ArticleSearch`` holds each published article's segmented words; the engine-specific
parts are created with SQL for the database in use — each statement list only runs on
its vendor, so on PostgreSQL the FTS5 part is a no-op and vice versa.
"""

import django.db.models.deletion
from django.db import migrations, models

ENGINE_SQL = {
    "sqlite": [
        # External content: the FTS5 table stores only its inverted index; the words
        # live once, in news_article_search. Triggers keep the two in step.
        (
            "CREATE VIRTUAL TABLE news_article_fts USING fts5("
            " title, body, content='news_article_search', content_rowid='article_id',"
            " tokenize='unicode61')",
            "DROP TABLE news_article_fts",
        ),
        (
            "CREATE TRIGGER news_article_search_ai AFTER INSERT ON news_article_search"
            " BEGIN INSERT INTO news_article_fts(rowid, title, body)"
            " VALUES (new.article_id, new.title, new.body); END",
            "DROP TRIGGER news_article_search_ai",
        ),
        (
            "CREATE TRIGGER news_article_search_ad AFTER DELETE ON news_article_search"
            " BEGIN INSERT INTO news_article_fts(news_article_fts, rowid, title, body)"
            " VALUES ('delete', old.article_id, old.title, old.body); END",
            "DROP TRIGGER news_article_search_ad",
        ),
        (
            "CREATE TRIGGER news_article_search_au AFTER UPDATE ON news_article_search"
            " BEGIN INSERT INTO news_article_fts(news_article_fts, rowid, title, body)"
            " VALUES ('delete', old.article_id, old.title, old.body);"
            " INSERT INTO news_article_fts(rowid, title, body)"
            " VALUES (new.article_id, new.title, new.body); END",
            "DROP TRIGGER news_article_search_au",
        ),
    ],
    "postgresql": [
        (
            "ALTER TABLE news_article_search ADD COLUMN document tsvector"
            " GENERATED ALWAYS AS ("
            " setweight(to_tsvector('simple', title), 'A')"
            " || setweight(to_tsvector('simple', body), 'B')) STORED",
            "ALTER TABLE news_article_search DROP COLUMN document",
        ),
        (
            "CREATE INDEX news_article_search_document_gin"
            " ON news_article_search USING gin (document)",
            "DROP INDEX news_article_search_document_gin",
        ),
    ],
}


def forwards(apps, schema_editor):
    for sql, _reverse in ENGINE_SQL.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    for _sql, reverse in reversed(ENGINE_SQL.get(schema_editor.connection.vendor, [])):
        schema_editor.execute(reverse)


class Migration(migrations.Migration):
    dependencies = [("news", "0002_initial")]

    operations = [
        migrations.CreateModel(
            name="ArticleSearch",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="news.article",
                        verbose_name="文章",
                    ),
                ),
                ("title", models.TextField(default="", verbose_name="标题分词")),
                ("body", models.TextField(default="", verbose_name="正文分词")),
            ],
            options={
                "verbose_name": "搜索索引",
                "verbose_name_plural": "搜索索引",
                "db_table": "news_article_search",
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
