"""Rewrite the stored figure marks of every article (after a restore, or to check
that the stored marks are what the confirmed figures give)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from news.models import ArticleFigures
from quality.figure_links import article_figures_refresh
from quality.models import FigureProposal


class Command(BaseCommand):
    help = "重建文章页的数据标注（恢复数据库后运行）。"

    @transaction.atomic
    def handle(self, *args, **options):
        article_ids = set(
            FigureProposal.objects.confirmed().values_list("article_id", flat=True)
        )
        # Articles whose marks are stored but no longer have a confirmed figure.
        stale = ArticleFigures.objects.exclude(article_id__in=article_ids)
        stale.delete()
        for article_id in sorted(article_ids):
            article_figures_refresh(article_id)
        self.stdout.write(f"已重建 {len(article_ids)} 篇文章的数据标注。")
