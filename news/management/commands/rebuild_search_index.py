"""Rebuild the full-text search index from the published articles."""

from django.core.management.base import BaseCommand

from news.search import rebuild_index


class Command(BaseCommand):
    help = "重建全文检索索引：清空后重新收录全部已发布文章（显示进度条）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=500, help="每批处理的文章数。"
        )

    def handle(self, *args, batch_size: int, **options):
        quiet = options["verbosity"] == 0
        width = 30

        def progress(done: int, total: int) -> None:
            if quiet:
                return
            filled = width * done // max(total, 1)
            bar = "#" * filled + "-" * (width - filled)
            self.stdout.write(f"\r[{bar}] {done}/{total}", ending="")
            self.stdout.flush()

        count = rebuild_index(batch_size=batch_size, progress=progress)
        if not quiet:
            self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"已收录 {count} 篇文章。"))
