"""Render the published article pages into the page cache before readers ask.

The way a newsroom CMS publishes static pages: after a big import or a restart on an
empty cache, every article is served from the cache from its first reader on. Each
page goes through the whole request path (middleware, view, template) as a reader's
request would, for the default reading preferences. ``--jobs N`` renders in N
processes (the page cache is shared by processes: on disk, or in Redis); a progress
bar on a terminal, one summary line always.
"""

import multiprocessing
import sys
import time

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.test import Client
from django.utils.translation import gettext as _

from news.models import Article

CHUNK = 50
_client: Client | None = None


# The parent's database connections, as a forked worker inherited them: kept (never
# closed, which would end the parent's session) and replaced by the worker's own.
_inherited: list = []


def _start(host: str, https: bool, forked: bool = False) -> None:
    global _client
    if forked:
        for connection in connections.all(initialized_only=True):
            if connection.vendor == "sqlite" and connection.is_in_memory_db():
                continue  # a copy of the parent's (the test database): read it
            _inherited.append(connection.connection)
            connection.connection = None
    _client = Client(HTTP_HOST=host, secure=https)


def _render(ids: list[int]) -> tuple[int, int]:
    """Render pages ``ids``; return (rendered, failed)."""
    done = failed = 0
    for pk in ids:
        if _client.get(f"/news/{pk}/").status_code == 200:
            done += 1
        else:
            failed += 1
    return done, failed


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
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            metavar="N",
            help="用 N 个进程并行生成（默认 1）。",
        )
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="不显示进度条（不在终端上运行时本来就不显示）。",
        )

    def handle(self, *args, host: str, https: bool, shard: str, jobs: int, **options):
        try:
            part, parts = (int(x) for x in shard.split("/"))
        except ValueError:
            raise CommandError("--shard 的格式是 K/N，例如 0/2。") from None
        if not 0 <= part < parts:
            raise CommandError("--shard 须满足 0 ≤ K < N。")
        if jobs < 1:
            raise CommandError(_("--jobs 须是正整数。"))
        if jobs > 1 and isinstance(caches["pages"], LocMemCache):
            raise CommandError(
                _(
                    "页面缓存只在本进程内存里，多个进程生成的缓存无法共享：请用 --jobs 1。"
                )
            )
        started = time.perf_counter()
        ids = [
            pk
            for pk in Article.objects.published()
            .order_by("id")
            .values_list("id", flat=True)
            .iterator()
            if pk % parts == part
        ]
        chunks = [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
        bar = None
        if not options["no_progress"] and sys.stderr.isatty():
            from tqdm import tqdm

            bar = tqdm(total=len(ids), unit=_("页"), desc=_("生成"), file=sys.stderr)
        done = failed = 0
        try:
            if jobs == 1 or len(chunks) < 2:
                _start(host, https)
                results = map(_render, chunks)
                pool = None
            else:
                pool = multiprocessing.get_context("fork").Pool(
                    jobs, initializer=_start, initargs=(host, https, True)
                )
                results = pool.imap_unordered(_render, chunks)
            for rendered, bad in results:
                done += rendered
                failed += bad
                if bar is not None:
                    bar.update(rendered + bad)
            if pool is not None:
                pool.close()
                pool.join()
        finally:
            if bar is not None:
                bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                _("已生成 %(done)d 个文章页缓存，失败 %(failed)d 个；用时 %(s).1f 秒。")
                % {"done": done, "failed": failed, "s": time.perf_counter() - started}
            )
        )
        if failed:
            raise CommandError(f"{failed} 篇文章的页面未能生成。")
