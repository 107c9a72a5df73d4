"""The tag links by tag and article: 相关新闻 counts shared tags among the newest
articles of each tag (``news.related.TAG_CANDIDATES``), an index range per tag
instead of every link of the tag. On the table Django makes for ``Article.tags``,
hence SQL (the same on SQLite and PostgreSQL)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("news", "0012_home_indexes")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS news_article_tags_tag_article"
            " ON news_article_tags (tag_id, article_id)",
            "DROP INDEX IF EXISTS news_article_tags_tag_article",
        ),
    ]
