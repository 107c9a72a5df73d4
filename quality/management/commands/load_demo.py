"""Load the demo content into an empty database: what ``./run`` does at every start.

It lives in ``quality`` because it loads both apps (``news`` never imports
``quality``); ``quality.demo.load_into_empty_database`` does the work.
"""

from django.core.management.base import BaseCommand

from quality import demo


class Command(BaseCommand):
    help = (
        "数据库为空（首次启动）时，在一个事务中载入演示内容：栏目、种子文章和质量数据；"
        "已有任何内容时什么都不改。"
    )

    def handle(self, *args, **options):
        created = demo.load_into_empty_database()
        if created is None:
            self.stdout.write(
                "数据库中已有内容，未载入演示内容（演示内容只在数据库为空时载入）。"
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                "演示内容已载入：栏目 {channels} 个、文章 {articles} 篇、"
                "行政区 {regions} 个、指标 {indicators} 个、观测值 {observations} 条、"
                "抽检记录 {campaigns} 条、文中数据标注 {figure_links} 处。".format(
                    **created
                )
            )
        )
