"""Restore a backup made by ``backup``, then rebuild what was not backed up.

``./run manage restore DIR [--force]`` (``quality.backup``; docs/operations.md,
"Backup and restore"). The manifest is checked before anything is written.
"""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from news.frontcache import SitePurgeError, manual_site_purges, purge_site
from quality.backup import (
    REBUILD_COMMANDS,
    BackupError,
    backup_restore,
    backup_verify,
    site_has_content,
)


class Command(BaseCommand):
    help = (
        "从 backup 命令生成的目录恢复数据库和媒体文件：先核对清单，"
        "再写回，最后重建数据标注缓存和搜索索引。"
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="backup 命令生成的备份目录。")
        parser.add_argument(
            "--force",
            action="store_true",
            help="数据库或媒体目录已有内容时也恢复（现有内容会被覆盖）。",
        )

    def handle(self, *args, directory: str, force: bool, **options):
        path = Path(directory)
        try:
            manifest = backup_verify(directory=path)
            if not force and site_has_content():
                raise BackupError(
                    _(
                        "当前数据库或媒体目录中已有内容，恢复会覆盖它们。"
                        "确认要覆盖，请加 --force 再运行。"
                    )
                )
            backup_restore(directory=path, manifest=manifest)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("已恢复 %(time)s 的备份。") % {"time": manifest["created_at"]}
        )
        # A backup of older code gets this code's later migrations.
        call_command("migrate", interactive=False, verbosity=0)
        for command in REBUILD_COMMANDS:
            call_command(command, stdout=self.stdout, verbosity=0)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "恢复完成。请重启网站；如需预先生成文章页缓存，"
                    "运行 warm_article_pages。"
                )
            )
        )
        self.front_end_caches()

    def front_end_caches(self) -> None:
        """Every page may differ now: the copies nginx, Varnish and the CDN keep
        too. The CDN is purged here unless a cache behind it must be cleared by
        hand first (it would fetch that cache's old copies)."""
        steps = manual_site_purges()
        if steps:
            self.stdout.write(_("前端缓存中仍是恢复前的页面，请依次："))
            for number, step in enumerate(steps, 1):
                self.stdout.write(f"{number}. {step}")
            if settings.FRONTEND_CACHE_CDN:
                self.stdout.write(
                    f"{len(steps) + 1}. "
                    + _("然后运行 ./run manage purge_site 刷新 CDN 的整站缓存。")
                )
            return
        if not settings.FRONTEND_CACHE_CDN:
            return
        try:
            url = purge_site()
        except SitePurgeError as error:
            self.stderr.write(
                self.style.WARNING(
                    str(error)
                    + _("CDN 中仍是恢复前的页面：请稍后运行 ./run manage purge_site。")
                )
            )
            return
        self.stdout.write(_("已请 CDN 刷新 %(url)s 下的全部缓存。") % {"url": url})
