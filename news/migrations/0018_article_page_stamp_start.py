# The first page stamp is 2 (news.models.PAGE_STAMP_START): a default the ORM applies
# when it makes a row, so the database is not altered. Django would otherwise rebuild
# the article table on SQLite for it (copying every row, and losing the index that
# 0017 adds outside the model's state); on PostgreSQL it is a no-op anyway.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0017_article_related_idx"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="article",
                    name="page_stamp",
                    field=models.PositiveIntegerField(
                        default=2, editable=False, verbose_name="页面版本"
                    ),
                ),
            ],
        ),
    ]
