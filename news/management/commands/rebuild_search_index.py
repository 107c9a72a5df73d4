"""Rebuild the full-text search index from the published articles."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from news.search import rebuild_index
from yantai.batches import default_jobs


class Command(BaseCommand):
    help = (
        "重建全文检索索引：清空后重新收录全部已发布文章（在终端上显示进度条）。"
        "重建在一个事务里完成，完成前搜索照常使用旧索引。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=500, help="每批处理的文章数。"
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=default_jobs(),
            metavar="N",
            help="用 N 个进程并行分词（默认：本机的 CPU 核数）；写数据库始终在主进程。",
        )
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="不显示进度条（不在终端上运行时本来就不显示）。",
        )

    def handle(self, *args, batch_size: int, jobs: int, **options):
        if batch_size < 1:
            raise CommandError(_("--batch-size 须是正整数。"))
        if jobs < 1:
            raise CommandError(_("--jobs 须是正整数。"))
        started = time.perf_counter()
        bar = None
        # The command's own stderr (call_command may redirect it), unwrapped:
        # OutputWrapper would end each of tqdm's carriage-return updates with a newline.
        stderr = self.stderr._out
        if not options["no_progress"] and options["verbosity"] and stderr.isatty():
            from tqdm import tqdm

            bar = tqdm(unit=_("篇"), desc=_("收录"), file=stderr)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        try:
            count = rebuild_index(
                batch_size=batch_size,
                progress=progress if bar is not None else None,
                jobs=jobs,
            )
        finally:
            if bar is not None:
                bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                _("已收录 %(n)d 篇文章，用时 %(s).1f 秒。")
                % {"n": count, "s": time.perf_counter() - started}
            )
        )
