"""Import newspaper page text (like the seed article) as articles, at archive scale.

Files, directories (recursively), zips of page-text files and JSON lines (one article
a line); parsed in parallel, written in batches by ``news.bulk`` under the rules of
the admin. One summary line always; a progress bar on a terminal.
"""

import json
import sys

from django.contrib.auth import get_user_model
from django.core import checks
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError
from django.utils.translation import gettext as _

from news.bulk import (
    BATCH_SIZE,
    CREATED,
    DRAFTED,
    FAILED,
    REFUSED,
    UNCHANGED,
    UPDATED,
    Outcome,
    count_sources,
    import_sources,
    outcome_verb,
    where,
)
from news.models import Article, Channel
from news.workflow import PERM_PUBLISH
from yantai.batches import default_jobs
from yantai.locks import busy_message, is_busy, wait_seconds, waiting_at_most

DEFAULT_CHANNEL = {"name": "烟台新闻", "slug": "烟台新闻"}


def article_summary(article: Article, page) -> dict:
    """The ``--json`` record of one imported file."""
    return {
        "id": article.pk,
        "url": article.get_absolute_url(),
        "title": article.title,
        "source": article.source,
        "published_at": article.published_at.astimezone(
            page.published_at.tzinfo
        ).isoformat(),
        "headings": page.headings(),
        "people": page.people(),
        "paragraphs": sum(1 for block in page.blocks if block.type == "paragraph"),
    }


class Command(BaseCommand):
    help = (
        "把新闻网页文本导入为文章：可给文件、目录（含子目录）、网页文本的 zip 压缩包"
        "或 JSON Lines 文件（每行一篇）。重复导入同一文章会更新原文章而不会重复。"
    )
    # The models' checks only: all of them load the URLconf, and with it every view
    # and admin module (yantai.admin_app), ~0.3 s of the import's serial start.
    requires_system_checks = [checks.Tags.models]

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="导入后直接发布（须用 --as 指明有“终审发布”权限的账号）。",
        )
        parser.add_argument(
            "--as",
            dest="as_user",
            metavar="USERNAME",
            help="以此账号的名义导入（记入操作日志和修订记录）。",
        )
        parser.add_argument(
            "--channel", metavar="SLUG", help="栏目网址名（默认：烟台新闻）。"
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="最后一行输出 JSON（多个文件时为列表）。",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=default_jobs(),
            metavar="N",
            help="并行解析的进程数（默认：CPU 核数）；写入数据库始终在主进程。",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            metavar="N",
            help=f"每批写入的文章数（默认 {BATCH_SIZE}）。",
        )
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="不显示进度条（不在终端上运行时本来就不显示）。",
        )

    def handle(self, *args, **options):
        user = self.get_user(options["as_user"])
        if options["publish"] and user is None:
            raise CommandError("--publish 须配合 --as 账号名使用：发布要记下是谁。")
        if options["publish"] and not user.has_perm(PERM_PUBLISH):
            raise CommandError(f"账号“{user.get_username()}”没有“终审发布”权限。")
        if options["jobs"] < 1 or options["batch_size"] < 1:
            raise CommandError(_("--jobs 和 --batch-size 须是正整数。"))
        channel = self.get_channel(options["channel"])
        records: list[dict] = []
        verbosity = options["verbosity"]
        show_bar = not options["no_progress"] and sys.stderr.isatty()
        bar = None
        if show_bar:
            from tqdm import tqdm

            # The inputs counted first (the zips' listings, the JSON files' lines:
            # 0.2–0.5 s for 20,000 articles), for the bar's share done and time left.
            bar = tqdm(
                total=count_sources(options["files"]),
                unit=_("篇"),
                desc=_("导入"),
                file=sys.stderr,
                dynamic_ncols=True,
            )

        def warn(line: str) -> None:
            """A line on stderr, above the progress bar if there is one."""
            if bar is not None:
                bar.write(line, file=sys.stderr)
            else:
                self.stderr.write(line)

        def on_outcome(outcome: Outcome) -> None:
            if bar is not None:
                bar.update(1)
            if outcome.status in (FAILED, REFUSED):
                warn(f"{outcome.where}：{outcome.message}")
                return
            for number, text in outcome.page.unplaced if outcome.page else ():
                # Reported, never silently kept: the body goes on without it.
                warn(
                    _("%(where)s：未能识别，未放入正文：%(text)s")
                    % {"where": where(outcome.name, number), "text": text}
                )
            if outcome.held:
                # Asked to publish, not published: said whatever the verbosity.
                warn(
                    _(
                        "%(where)s：有编辑未审的修改稿，未发布，线上版本不变"
                        "（修改稿请走审核流程）"
                    )
                    % {"where": outcome.where}
                )
            if outcome.withdrawn:
                warn(
                    _(
                        "%(where)s：文章已撤下，未重新发布"
                        "（如需重新上线，请走审核流程由终审发布）"
                    )
                    % {"where": outcome.where}
                )
            if options["json"] and outcome.article is not None:
                records.append(article_summary(outcome.article, outcome.page))
            elif verbosity >= 2 and outcome.article is not None:
                self.stdout.write(
                    f"{outcome_verb(outcome)}：{outcome.article.title} → "
                    f"{outcome.article.get_absolute_url()}"
                )
            elif verbosity >= 2:
                self.stdout.write(f"{outcome_verb(outcome)}：{outcome.where}")

        try:
            totals = import_sources(
                options["files"],
                channel=channel,
                publish=options["publish"],
                by=user,
                jobs=options["jobs"],
                batch_size=options["batch_size"],
                on_outcome=on_outcome,
            )
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        finally:
            if bar is not None:
                bar.close()
        counts = totals.counts
        summary = _(
            "读取 %(read)d 个：新建 %(created)d 篇，更新 %(updated)d 篇，"
            "生成待审草稿 %(drafted)d 篇，内容未变 %(unchanged)d 篇，"
            "拒绝 %(refused)d 个，失败 %(failed)d 个；用时 %(seconds).1f 秒。"
        ) % {
            "read": totals.read,
            "created": counts[CREATED],
            "updated": counts[UPDATED],
            "drafted": counts[DRAFTED],
            "unchanged": counts[UNCHANGED],
            "refused": counts[REFUSED],
            "failed": counts[FAILED],
            "seconds": totals.seconds,
        }
        if verbosity >= 1 or options["json"]:
            self.stdout.write(summary)
        if options["json"]:
            one = len(options["files"]) == 1 and totals.read == 1 and records
            self.stdout.write(
                json.dumps(records[0] if one else records, ensure_ascii=False)
            )
        if totals.busy:
            raise CommandError(
                _(
                    "另一个批量导入占用数据库超过 %(seconds)d 秒，导入在此停止：正在"
                    "写入的一批及其后的文件均未写入，之前各批已完整写入。请等它完成"
                    "后再运行同一命令（已导入的文章会显示为内容未变）。"
                )
                % {"seconds": wait_seconds()},
                returncode=1,
            )
        if totals.failed:
            raise CommandError(
                _("%(n)d 个未能导入。") % {"n": totals.failed}, returncode=1
            )

    def get_user(self, username: str | None):
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"没有账号名为“{username}”的有效账号。") from None

    def get_channel(self, slug: str | None) -> Channel:
        if slug:
            try:
                return Channel.objects.get(slug=slug)
            except Channel.DoesNotExist:
                raise CommandError(f"没有网址名为“{slug}”的栏目。") from None
        channel = Channel.objects.filter(slug=DEFAULT_CHANNEL["slug"]).first()
        if channel is not None:
            return channel
        # The first import ever makes the channel: a write, which waits for another
        # bulk import as long as the import itself would, then stops as it would.
        try:
            with waiting_at_most(wait_seconds()):
                channel, _created = Channel.objects.get_or_create(
                    slug=DEFAULT_CHANNEL["slug"],
                    defaults={"name": DEFAULT_CHANNEL["name"]},
                )
        except OperationalError as error:
            if not is_busy(error):
                raise
            raise CommandError(busy_message(), returncode=1) from None
        return channel
