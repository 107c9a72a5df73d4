"""Publish the drafts 终审 scheduled over live articles whose time has come."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from news.workflow import scheduled_drafts_publish


class Command(BaseCommand):
    help = (
        "发布到时的定时修改稿（终审已批准、定时替换线上版本的修改稿）。"
        "由定时器每分钟运行一次；可重复运行，多台服务器同时运行也只发布一次。"
    )

    def handle(self, *args, **options):
        result = scheduled_drafts_publish()
        for article in result.published:
            if options["verbosity"] >= 1:
                self.stdout.write(
                    _("已发布定时修改稿：%(title)s → %(url)s")
                    % {"title": article.title, "url": article.get_absolute_url()}
                )
        for article, why in result.failed:
            self.stderr.write(
                _("定时修改稿未能发布：%(title)s（编号 %(pk)d）：%(why)s")
                % {"title": article.title, "pk": article.pk, "why": why}
            )
        if result.failed:
            raise CommandError(
                _("%(n)d 篇定时修改稿未能发布，下次运行时会再试。")
                % {"n": len(result.failed)}
            )
