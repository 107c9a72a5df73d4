"""Indexes no query reads, dropped: each was one more write for every article saved.

- ``news_article.slug``: an article's address is its id; the slug is never looked up
  (its btree, and on PostgreSQL its ``_like`` twin for ``LIKE`` prefixes).
- ``news_article.channel_id``: ``article_channel_pub_idx`` starts with the channel,
  so every look-up by channel (its lists, ``PROTECT`` on deleting a channel) reads it.
- ``news_byline.article_id``: ``byline_unique_role`` starts with the article.
- PostgreSQL: ``news_article.import_key``'s ``_like`` index (``varchar_pattern_ops``,
  which Django adds beside a unique varchar's own index): the key is only ever
  compared whole, which the unique index serves.

The state changes are ``AlterField``s, but the database is told only to drop the
indexes: SQLite would otherwise copy the whole article table to alter a column,
losing what earlier migrations made by SQL (``article_related_idx``, the search
triggers). The names are Django's own, the same on both engines.
"""

from django.db import migrations, models
import django.db.models.deletion

# (table, column, Django's index name, PostgreSQL only: the ``_like`` pattern index)
INDEXES = [
    ("news_article", "slug", "news_article_slug_5328fdc5", False),
    ("news_article", "slug", "news_article_slug_5328fdc5_like", True),
    ("news_article", "channel_id", "news_article_channel_id_2a0d924a", False),
    ("news_byline", "article_id", "news_byline_article_id_2a0f5427", False),
    ("news_article", "import_key", "news_article_import_key_82df66ed_like", True),
]


def _drop(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for _table, _column, name, like in INDEXES:
        if postgresql or not like:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def _create(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for table, column, name, like in INDEXES:
        if like and postgresql:
            schema_editor.execute(
                f"CREATE INDEX {name} ON {table} ({column} varchar_pattern_ops)"
            )
        elif not like:
            schema_editor.execute(f"CREATE INDEX {name} ON {table} ({column})")


class Migration(migrations.Migration):
    dependencies = [("news", "0019_article_fts_automerge")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(_drop, _create)],
            state_operations=[
                migrations.AlterField(
                    model_name="article",
                    name="channel",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="articles",
                        to="news.channel",
                        verbose_name="栏目",
                    ),
                ),
                migrations.AlterField(
                    model_name="article",
                    name="slug",
                    field=models.SlugField(
                        allow_unicode=True,
                        blank=True,
                        db_index=False,
                        help_text="留空则由标题生成；文章网址以编号为准，改标题不会使旧链接失效。",
                        max_length=120,
                        verbose_name="网址名",
                    ),
                ),
                migrations.AlterField(
                    model_name="byline",
                    name="article",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="bylines",
                        to="news.article",
                        verbose_name="文章",
                    ),
                ),
            ],
        )
    ]
