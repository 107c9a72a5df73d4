"""Audit log: ``snapshot``, what a deletion took away.

A superuser's deletion of an article that was ever published keeps its last
published content (title, body, source, bylines, 发布时间…), who deleted it and
when in the entry (``news.services.articles_delete``): the article's revisions and
timeline go with it. Empty for every other entry; no data to move.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0021_search_fullwidth_words"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditlog",
            name="snapshot",
            field=models.JSONField(
                blank=True,
                help_text="删除发布过的文章时，保留其最后发布的内容。",
                null=True,
                verbose_name="删除前的内容",
            ),
        ),
    ]
