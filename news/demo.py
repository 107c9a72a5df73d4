"""The demo news content: the channels and the bundled seed article.

``load()`` fills empty news tables; the site's first-run loader (``load_demo``, in
``quality.demo``) calls it only when ``has_content()`` is false, so nothing staff
made or changed is ever touched by it.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .images import image_create
from .models import Article, Channel, Image, Person, Tag
from .parsing import parse_page_text
from .services import article_import_page, article_update
from .workflow import article_publish_content

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
            page=parse_page_text(path.read_bytes()), channel=channel
        )
        extra = SEED_EXTRAS.get(path.stem)
        if extra is not None:
            # The editors' tags, and a cover drawn from the article's own figures,
            # on the draft before it is published (as staff would add them).
            article_update(
                article=article,
                by=None,
                values={"cover": _cover(extra), "tags": _tags(extra["tags"])},
                summary=str(_("添加题图和标签")),
                check_permission=False,  # the operator, as the import above
            )
        article_publish_content(
            article=article, by=None, via=str(_("导入并发布")), reviewed=False
        )
        article.refresh_from_db()
        articles.append(article)
    return articles


# Per seed page: its tags and its cover (a chart drawn by this site from figures the
# article prints, credited as such: no photograph is invented).
SEED_EXTRAS = {
    "000_b5b21bbd38acca12": {
        "tags": ["标准化", "山东名牌", "质量强市", "检验检测"],
        "cover": "seed-cover-604.png",
        "title": "烟台市参与制修订604项国家标准（制图）",
        "alt": _(
            "数据图：烟台市参与制修订604项国家标准，另有650项行业标准、"
            "350项省地方标准。"
        ),
        "caption": _("烟台市参与制修订的标准。"),
        "credit": _(
            "品质烟台制图，数据：烟台市市场监管局（据《烟台日报》2021年1月7日）"
        ),
    },
}
BUNDLED_IMAGES = Path(settings.BASE_DIR) / "news" / "fixtures" / "images"


def _cover(extra: dict) -> Image:
    path = BUNDLED_IMAGES / extra["cover"]
    upload = SimpleUploadedFile(path.name, path.read_bytes(), "image/png")
    return image_create(
        file=upload,
        title=extra["title"],
        alt_text=str(extra["alt"]),
        caption=str(extra["caption"]),
        credit=str(extra["credit"]),
    )


def _tags(names: list[str]) -> list[Tag]:
    return [
        Tag.objects.get_or_create(name=name, defaults={"slug": name})[0]
        for name in names
    ]
