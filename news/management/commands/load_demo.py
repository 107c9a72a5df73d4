"""Load the demo content: channels and the seed article, through the import path."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from news.models import Channel

CHANNELS = [
    ("烟台新闻", "烟台市的综合新闻。"),
    ("质量强市", "质量强市示范城市创建、品质品牌战略。"),
    ("标准化", "标准制修订、标准化试点示范。"),
    ("品牌建设", "山东名牌、服务名牌、质量标杆。"),
    ("计量", "社会公用计量标准、计量测试中心。"),
    ("检验检测", "国家级、省级质检中心与检验检测服务。"),
    ("市场监管", "抽检、执法与市场秩序。"),
    ("政策解读", "质量政策文件与解读。"),
]
BUNDLED_SEEDS = Path(settings.BASE_DIR) / "news" / "fixtures" / "pages"


class Command(BaseCommand):
    help = "载入演示内容（栏目和种子文章）；可重复执行，不会产生重复数据。"

    def handle(self, *args, **options):
        for order, (name, description) in enumerate(CHANNELS):
            Channel.objects.update_or_create(
                slug=name,
                defaults={"name": name, "order": order, "description": description},
            )
        pages = sorted(BUNDLED_SEEDS.glob("*.txt"))
        if pages:
            call_command(
                "import_article",
                *map(str, pages),
                publish=True,
                channel="质量强市",
                stdout=self.stdout,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"演示内容已就绪：{len(CHANNELS)} 个栏目，{len(pages)} 篇文章。"
            )
        )
