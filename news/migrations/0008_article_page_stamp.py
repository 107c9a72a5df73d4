from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0007_draft_over_live"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="page_stamp",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="页面版本"
            ),
        ),
    ]
