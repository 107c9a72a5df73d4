"""Render the published article pages into the page cache before readers ask.

The way a newsroom CMS publishes static pages: after a big import or a restart on an
empty cache, every article is served from the cache from its first reader on. Each
page goes through the whole request path (middleware, view, template) as a reader's
request would, for the default reading preferences.
"""

from django.core.management.base import BaseCommand, CommandError
from django.test import Client

from news.models import Article


class Command(BaseCommand):
    help = "预先生成文章页缓存：逐篇按读者请求的完整流程渲染已发布文章。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--host",
            default="127.0.0.1:8000",
            help="读者访问网站所用的主机名和端口（页面里的绝对网址随之而定）。",
        )
        parser.add_argument("--https", action="store_true", help="读者经 HTTPS 访问。")
        parser.add_argument(
            "--shard",
            default="0/1",
            help="只处理第 K 份（共 N 份，K/N），以便多个进程并行。",
        )

    def handle(self, *args, host: str, https: bool, shard: str, **options):
        try:
            part, parts = (int(x) for x in shard.split("/"))
        except ValueError:
            raise CommandError("--shard 的格式是 K/N，例如 0/2。") from None
        if not 0 <= part < parts:
            raise CommandError("--shard 须满足 0 ≤ K < N。")
        client = Client(HTTP_HOST=host, secure=https)
        ids = Article.objects.published().order_by("id").values_list("id", flat=True)
        done = failed = 0
        for pk in ids.iterator():
            if pk % parts != part:
                continue
            response = client.get(f"/news/{pk}/")
            if response.status_code == 200:
                done += 1
            else:
                failed += 1
        self.stdout.write(self.style.SUCCESS(f"已生成 {done} 个文章页缓存。"))
        if failed:
            raise CommandError(f"{failed} 篇文章的页面未能生成。")
