"""Import newspaper page text (like the seed article) as articles."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from news.models import Article, Channel
from news.parsing import PageTextError, parse_page_text
from news.services import article_import
from news.workflow import PERM_PUBLISH

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
    help = "把新闻网页文本文件导入为文章；重复导入同一文件会更新原文章而不会重复。"

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

    def handle(self, *args, **options):
        user = self.get_user(options["as_user"])
        if options["publish"] and user is None:
            raise CommandError("--publish 须配合 --as 账号名使用：发布要记下是谁。")
        if options["publish"] and not user.has_perm(PERM_PUBLISH):
            raise CommandError(f"账号“{user.get_username()}”没有“终审发布”权限。")
        channel = self.get_channel(options["channel"])
        records, failures = [], 0
        for name in options["files"]:
            try:
                page = parse_page_text(Path(name).read_bytes())
                result = article_import(
                    page=page, channel=channel, publish=options["publish"], by=user
                )
                article = result.article
            except OSError as error:
                failures += 1
                self.stderr.write(f"{name}：无法读取文件（{error.strerror}）")
                continue
            except PageTextError as error:
                failures += 1
                self.stderr.write(f"{name}：{error}")
                continue
            except PermissionDenied as error:
                failures += 1
                self.stderr.write(f"{name}：{error}")
                continue
            except ValidationError as error:
                failures += 1
                if hasattr(error, "error_dict"):
                    messages = "；".join(
                        "，".join(v) if k == "__all__" else f"{k}: {'，'.join(v)}"
                        for k, v in error.message_dict.items()
                    )
                else:
                    messages = "；".join(error.messages)
                self.stderr.write(f"{name}：内容不合要求：{messages}")
                continue
            records.append(article_summary(article, page))
            if not options["json"]:
                if result.created:
                    verb = "已导入并发布" if result.published else "已导入"
                elif not result.changed:
                    verb = "内容未变"
                elif result.published:
                    verb = "已更新并发布"
                elif result.drafted:
                    verb = "已生成待审草稿，线上版本不变"
                else:
                    verb = "已更新"
                self.stdout.write(
                    f"{verb}：{article.title} → {article.get_absolute_url()}"
                )
        if options["json"]:
            payload = records[0] if len(options["files"]) == 1 and records else records
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
        if failures:
            raise CommandError(f"{failures} 个文件未能导入。", returncode=1)

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
        channel, _ = Channel.objects.get_or_create(
            slug=DEFAULT_CHANNEL["slug"], defaults={"name": DEFAULT_CHANNEL["name"]}
        )
        return channel
