"""Load the demo content: channels and the seed article, through the import service."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from news.models import Channel
from news.parsing import parse_page_text
from news.services import article_import_page

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
        channel = Channel.objects.get(slug="质量强市")
        for path in pages:
            # The operator's own content, published without an account (the import
            # command's --publish needs one with the 终审发布 permission).
            article, created = article_import_page(
                page=parse_page_text(path.read_bytes()), channel=channel, publish=True
            )
            verb = "已导入" if created else "已有"
            self.stdout.write(f"{verb}：{article.title} → {article.get_absolute_url()}")
        self.stdout.write(
            self.style.SUCCESS(
                f"演示内容已就绪：{len(CHANNELS)} 个栏目，{len(pages)} 篇文章。"
            )
        )
