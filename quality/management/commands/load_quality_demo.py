"""Load the demo quality data (regions, indicators, the seed article's figures)."""

from django.core.management.base import BaseCommand

from quality import demo


class Command(BaseCommand):
    help = "载入质量数据演示内容（行政区、指标、种子文章中的全部数字）；可重复执行。"

    def handle(self, *args, **options):
        created = demo.load()
        article = demo.seed_article()
        self.stdout.write(
            self.style.SUCCESS(
                "质量数据已就绪：新增行政区 {regions} 个、指标 {indicators} 个、"
                "观测值 {observations} 条、抽检记录 {campaigns} 条、"
                "文中数据标注 {figure_links} 处。".format(**created)
            )
        )
        if article is None:
            self.stdout.write("未找到种子文章，观测值的来源记为外部文件（烟台日报）。")
