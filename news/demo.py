"""The demo news content: the channels and the bundled seed article.

``load()`` fills empty news tables; the site's first-run loader (``load_demo``, in
``quality.demo``) calls it only when ``has_content()`` is false, so nothing staff
made or changed is ever touched by it.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction

from .models import Article, Channel, Image, Person, Tag
from .parsing import parse_page_text
from .services import article_import_page

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
SEED_CHANNEL = "质量强市"
BUNDLED_SEEDS = Path(settings.BASE_DIR) / "news" / "fixtures" / "pages"

# What staff write and keep. Not the 错敏字 list (seeded by a migration) nor derived
# rows (search index, revisions, audit log), which never exist without these.
CONTENT_MODELS = (Channel, Article, Tag, Person, Image)


def has_content() -> bool:
    """Whether the database holds any news content (a channel, article, tag …)."""
    return any(model.objects.exists() for model in CONTENT_MODELS)


@transaction.atomic
def load() -> list[Article]:
    """Create the channels and publish the seed articles; return the articles.

    For empty news tables only (callers check ``has_content()``): re-importing a seed
    page would update its article and publish it again. Each page goes through the
    editors' importer, so the article has its revision and audit entries.
    """
    for order, (name, description) in enumerate(CHANNELS):
        Channel.objects.create(
            name=name, slug=name, order=order, description=description
        )
    channel = Channel.objects.get(slug=SEED_CHANNEL)
    articles = []
    for path in sorted(BUNDLED_SEEDS.glob("*.txt")):
        # The operator's own content, published without an account (the import
        # command's --publish needs one with the 终审发布 permission).
        article, _created = article_import_page(
            page=parse_page_text(path.read_bytes()), channel=channel, publish=True
        )
        articles.append(article)
    return articles
