"""Fill news.ArticleFigures from the confirmed figures (they were kept in a file cache).

The marks are what ``quality.figure_links.article_figure_marks`` computes today: a
migration cannot rebuild them from historical models without a second copy of that
code, so it calls it, and only when there is something to fill (a new or test
database has no confirmed figure and never runs today's code against an older
schema). ``manage.py rebuild_figure_links`` does the same at any later time.
"""

from django.db import migrations


def fill(apps, schema_editor):
    proposals = apps.get_model("quality", "FigureProposal")
    if not proposals.objects.filter(status="confirmed").exists():
        return
    from quality.figure_links import article_figures_refresh

    article_ids = set(
        proposals.objects.filter(status="confirmed").values_list(
            "article_id", flat=True
        )
    )
    for article_id in sorted(article_ids):
        article_figures_refresh(article_id)


def empty(apps, schema_editor):
    apps.get_model("news", "ArticleFigures").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0005_data_editor_group"),
        ("news", "0009_article_figures"),
    ]

    operations = [migrations.RunPython(fill, empty)]
