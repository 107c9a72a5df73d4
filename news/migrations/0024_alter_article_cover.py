"""Article.cover: PROTECT, not SET_NULL.

Deleting an image used as a cover emptied the cover of published articles without
a publication. Django applies ``on_delete`` itself: no SQL changes.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('news', '0023_search_letter_digit_words'),
    ]

    operations = [
        migrations.AlterField(
            model_name='article',
            name='cover',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='news.image', verbose_name='封面图'),
        ),
    ]
