"""``import_observations FILE``: a CSV, XLSX or XLS file of observations, all or nothing
(rows with an ``id``, as the admin exports them, update that observation)."""

from __future__ import annotations

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from quality.bulk_import import BATCH_SIZE, observations_import

PERM_ADD = "quality.add_observation"


class Command(BaseCommand):
    help = _(
        "从 CSV、XLSX 或 XLS 文件批量导入观测值：逐行校验，任何一行有错则整个文件不写入，"
        "并列出每个错误的行号、列和原因。有 id 的行（后台导出的文件）修改该观测值的"
        "状态、备注或首选值；同一文件再导入一次不会改变任何数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")
        parser.add_argument(
            "--as",
            dest="as_user",
            metavar="USERNAME",
            help=_("以此账号的名义导入（须有“添加观测值”权限；记入操作日志）。"),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("只校验，不写入。"),
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, metavar="N")
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help=_("不显示进度条（不在终端上运行时本来就不显示）。"),
        )

    def handle(self, *args, **options):
        user = None
        if options["as_user"]:
            User = get_user_model()
            try:
                user = User.objects.get(username=options["as_user"], is_active=True)
            except User.DoesNotExist:
                raise CommandError(
                    _("没有账号名为“%(name)s”的有效账号。")
                    % {"name": options["as_user"]}
                ) from None
            if not user.has_perm(PERM_ADD):
                raise CommandError(
                    _("账号“%(name)s”没有“添加观测值”权限。")
                    % {"name": user.get_username()}
                )
        if options["batch_size"] < 1:
            raise CommandError(_("--batch-size 须是正整数。"))
        path = options["file"]
        bar = None
        if not options["no_progress"] and sys.stderr.isatty():
            from tqdm import tqdm

            bar = tqdm(
                unit=_("行"), desc=_("导入"), file=sys.stderr, dynamic_ncols=True
            )
        try:
            with open(path, "rb") as file:
                result = observations_import(
                    file,
                    name=path,
                    by=user,
                    dry_run=options["dry_run"],
                    batch_size=options["batch_size"],
                    on_progress=bar.update if bar is not None else None,
                )
        except OSError as error:
            raise CommandError(
                _("无法打开文件“%(path)s”：%(error)s")
                % {"path": path, "error": error.strerror or error}
            ) from None
        finally:
            if bar is not None:
                bar.close()
        for error in result.errors:
            if not error.row:  # the file as a whole (unreadable, busy database)
                self.stderr.write(error.message)
                continue
            self.stderr.write(
                _("第 %(row)d 行%(column)s：%(message)s")
                % {
                    "row": error.row,
                    "column": f"（{error.column}）" if error.column else "",
                    "message": error.message,
                }
            )
        if result.more_errors:
            self.stderr.write(
                _("另有 %(n)d 个错误未列出。") % {"n": result.more_errors}
            )
        values = {
            "read": result.read,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "periods": result.periods_created,
            "errors": result.error_count,
            "seconds": result.seconds,
        }
        if not result.ok:
            summary = _(
                "读取 %(read)d 行，%(errors)d 个错误，未写入任何数据；"
                "用时 %(seconds).1f 秒。"
            )
        elif result.dry_run:
            summary = _(
                "试运行：读取 %(read)d 行，可新增 %(created)d 条、更新 %(updated)d 条，"
                "未变 %(unchanged)d 条，新建统计期间 %(periods)d 个，未写入；"
                "用时 %(seconds).1f 秒。"
            )
        elif not result.changed:
            summary = _(
                "读取 %(read)d 行，与已有数据相同，未写入任何数据（未变 %(unchanged)d "
                "条）；用时 %(seconds).1f 秒。"
            )
        else:
            summary = _(
                "读取 %(read)d 行，新增 %(created)d 条，更新 %(updated)d 条，"
                "未变 %(unchanged)d 条，新建统计期间 %(periods)d 个；"
                "用时 %(seconds).1f 秒。"
            )
        self.stdout.write(summary % values)
        if not result.ok:
            raise CommandError(
                _("%(n)d 个错误，未导入。") % {"n": result.error_count}, returncode=1
            )
