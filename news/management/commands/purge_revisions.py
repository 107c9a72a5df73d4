"""Delete old article revisions, keeping the live and the newest ones."""

from django.core.management.base import BaseCommand, CommandError

from news.revisions import revisions_purge


class Command(BaseCommand):
    help = (
        "删除早于 N 天的文章历史版本，每篇文章至少保留最新的若干版；"
        "线上（已发布）版本和最新版本永不删除。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-days",
            type=int,
            required=True,
            help="只删除早于这么多天的版本。",
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=10,
            help="每篇文章至少保留的最新版本数（至少 1）。",
        )

    def handle(self, *args, **options):
        days, keep = options["older_than_days"], options["keep"]
        if days < 0 or keep < 0:
            raise CommandError("--older-than-days 和 --keep 不能为负数。")
        deleted = revisions_purge(older_than_days=days, keep=keep)
        self.stdout.write(f"已删除 {deleted} 个历史版本。")
