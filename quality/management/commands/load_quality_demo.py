"""Load the demo quality data (regions, indicators, the seed article's figures).

Only into a database without quality data: it never changes or re-creates what
staff keep. ``./run`` loads it with the news demo through ``load_demo``.
"""

from django.core.management.base import BaseCommand

from quality import demo


class Command(BaseCommand):
    help = (
        "还没有质量数据时，载入质量数据演示内容（行政区、指标、种子文章中的全部数字）；"
        "已有质量数据时什么都不改。"
    )

    def handle(self, *args, **options):
        if demo.has_content():
            self.stdout.write("数据库中已有质量数据，未载入质量数据演示内容。")
            return
        created = demo.load()
        self.stdout.write(
            self.style.SUCCESS(
                "质量数据已载入：行政区 {regions} 个、指标 {indicators} 个、"
                "观测值 {observations} 条、抽检记录 {campaigns} 条、"
                "文中数据标注 {figure_links} 处。".format(**created)
            )
        )
        if demo.seed_article() is None:
            self.stdout.write("未找到种子文章，观测值的来源记为外部文件（烟台日报）。")
