"""Rewrite the cached figure marks of every article (after a restore or cache loss)."""

from django.core.management.base import BaseCommand

from quality.figure_links import article_figures_refresh, figure_cache
from quality.models import FigureProposal


class Command(BaseCommand):
    help = "重建文章页数据标注的缓存（恢复数据库或清空缓存目录后运行）。"

    def handle(self, *args, **options):
        figure_cache().clear()
        article_ids = (
            FigureProposal.objects.confirmed()
            .values_list("article_id", flat=True)
            .distinct()
            .order_by("article_id")
        )
        count = 0
        for article_id in article_ids:
            article_figures_refresh(article_id)
            count += 1
        self.stdout.write(f"已重建 {count} 篇文章的数据标注。")
