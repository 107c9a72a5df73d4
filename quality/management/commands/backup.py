"""Back up the SQLite database and the media files into a new directory.

``./run manage backup DIR``: safe while the site serves and writes
(``quality.backup``; docs/operations.md, "Backup and restore").
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from quality.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "把 SQLite 数据库（在线备份，网站运行时也可进行）和媒体文件备份到一个新目录，"
        "并写入清单 manifest.json。缓存与搜索索引不备份，恢复后重建。"
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="备份目录：不存在或为空的目录。")

    def handle(self, *args, directory: str, **options):
        try:
            result = backup_create(directory=Path(directory))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("已备份到 %(path)s：%(files)d 个文件，共 %(size)d 字节。")
                % {"path": result.directory, "files": result.files, "size": result.size}
            )
        )
