"""The demo content: the quality data, and the first-run loader of the whole site.

``load_into_empty_database()`` (the ``load_demo`` command, which ``./run`` runs at
every start) loads the news demo (``news.demo``) and the quality demo in one
transaction, and only into a database without content: once staff have the site, a
start never creates, updates or re-publishes anything. ``load()`` is the quality
part alone (``load_quality_demo``, into empty quality tables). It only creates what
is missing by natural key and never updates a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_noop

from news import demo as news_demo
from news.models import Article

from .figure_review import figure_proposals_link_observations
from .models import (
    Award,
    FigureProposal,
    Indicator,
    InspectionCentre,
    MeasurementStandard,
    Observation,
    Organisation,
    Period,
    Region,
    Report,
    ReportChapter,
    ReportItem,
    SamplingCampaign,
    Scheme,
    Standard,
    StandardParticipation,
    Topic,
    Unit,
)
from .services import observation_create, period_get_or_create

SEED_TITLE = "烟台市向高质量发展进军取得显著成效 参与制修订六百余项国家标准"
SEED_SOURCE = "烟台日报"
SEED_PUBLISHED_ON = date(2021, 1, 7)

# GB/T 2260 codes of Shandong, Yantai and Yantai's county-level divisions
# (蓬莱区 since the 2020 merger of 蓬莱市 and 长岛县).
REGIONS = [
    ("370000", gettext_noop("山东省"), "province", None),
    ("370600", gettext_noop("烟台市"), "city", "370000"),
    ("370602", gettext_noop("芝罘区"), "county", "370600"),
    ("370611", gettext_noop("福山区"), "county", "370600"),
    ("370612", gettext_noop("牟平区"), "county", "370600"),
    ("370613", gettext_noop("莱山区"), "county", "370600"),
    ("370614", gettext_noop("蓬莱区"), "county", "370600"),
    ("370681", gettext_noop("龙口市"), "county", "370600"),
    ("370682", gettext_noop("莱阳市"), "county", "370600"),
    ("370683", gettext_noop("莱州市"), "county", "370600"),
    ("370685", gettext_noop("招远市"), "county", "370600"),
    ("370686", gettext_noop("栖霞市"), "county", "370600"),
    ("370687", gettext_noop("海阳市"), "county", "370600"),
]
UNITS = [
    ("项", "项"),
    ("个", "个"),
    ("家", "家"),
    ("名", "名"),
    ("批次", "批次"),
    ("%", "百分比"),
    ("万元", "万元"),
]
TOPICS = [
    (gettext_noop("标准化"), "standardisation"),
    (gettext_noop("品牌建设"), "brands"),
    (gettext_noop("计量"), "metrology"),
    (gettext_noop("检验检测"), "testing"),
    (gettext_noop("认证认可"), "certification"),
    (gettext_noop("质量监管"), "supervision"),
    (gettext_noop("服务业标准化"), "service-standardisation"),
]

CUMULATIVE = Indicator.Nature.CUMULATIVE
STOCK = Indicator.Nature.STOCK
FLOW = Indicator.Nature.FLOW
RATE = Indicator.Nature.RATE

# code, name, name_en, topic, unit, nature, definition, headline
INDICATORS = [
    ("standards_national", "参与制修订国家标准", "National standards drafted or revised with Yantai participation", "标准化", "项", CUMULATIVE, "烟台市单位参与制定或修订的国家标准项数，历年累计。", True),
    ("standards_industry", "参与制修订行业标准", "Industry standards drafted or revised with Yantai participation", "标准化", "项", CUMULATIVE, "烟台市单位参与制定或修订的行业标准项数，历年累计。", True),
    ("standards_provincial_local", "参与制修订省地方标准", "Shandong local standards drafted or revised with Yantai participation", "标准化", "项", CUMULATIVE, "烟台市单位参与制定或修订的山东省地方标准项数，历年累计。", True),
    ("shandong_brand_products", "山东名牌产品", "Shandong brand products", "品牌建设", "个", STOCK, "烟台市企业获评且仍在有效期内的山东名牌产品个数。", True),
    ("national_quality_benchmarks", "全国质量标杆", "National quality benchmarks", "品牌建设", "个", STOCK, "烟台市获评全国质量标杆的个数。", True),
    ("measurement_standards", "市级社会公用计量标准", "Municipal public measurement standards", "计量", "项", STOCK, "烟台市建立的市级社会公用计量标准总数。", True),
    ("inspection_centres_national", "国家级质检中心", "National inspection and testing centres", "检验检测", "个", STOCK, "落户烟台市的国家级产品质量检验检测中心个数。", True),
    ("inspection_centres_provincial", "省级质检中心", "Provincial inspection and testing centres", "检验检测", "个", STOCK, "烟台市已建成的省级产品质量检验检测中心个数。", False),
    ("service_brands", "山东省服务名牌", "Shandong service brands", "服务业标准化", "个", STOCK, "烟台市服务业领域拥有的山东省服务名牌个数。", True),
    ("service_pilots_national", "国家级服务标准化试点项目", "National service-standardisation pilot projects", "服务业标准化", "个", CUMULATIVE, "烟台市创建的国家级服务业标准化试点项目个数。", False),
    ("service_pilots_provincial", "省级服务标准化试点项目", "Provincial service-standardisation pilot projects", "服务业标准化", "个", CUMULATIVE, "烟台市创建的省级服务业标准化试点项目个数。", False),
    ("tourism_benchmark_pilots", "全国旅游服务质量标杆培育试点单位", "National tourism service quality benchmark pilot units", "品牌建设", "家", CUMULATIVE, "烟台市培育的全国旅游服务质量标杆培育试点单位家数。", False),
    ("industrial_pass_rate", "工业产品质量合格率", "Pass rate of industrial product quality inspections", "质量监管", "%", RATE, "监督抽查中合格的工业产品批次占抽查批次的百分比。", True),
    ("sampling_food_batches", "食品抽检批次", "Food batches sampled", "质量监管", "批次", FLOW, "期间内完成的食品安全抽检批次。", False),
    ("sampling_goods_batches", "商品抽检批次（成品油、农资、服装等）", "Goods batches sampled (fuel, farm inputs, clothing …)", "质量监管", "批次", FLOW, "期间内完成的成品油、农资、服装等商品质量抽检批次。", False),
    ("sampling_special_programmes", "专项抽样个数", "Special sampling programmes", "质量监管", "个", FLOW, "期间内开展的中药饮片等专项抽样个数。", False),
    ("sampling_special_batches", "专项抽样批次（中药饮片等）", "Batches sampled in special programmes", "质量监管", "批次", FLOW, "期间内中药饮片等专项抽样的批次。", False),
    ("sampling_health_cosmetics_batches", "市级保健品和化妆品抽样批次", "Health-food and cosmetics batches sampled by the city", "质量监管", "批次", FLOW, "期间内市级组织的保健品和化妆品抽样批次。", False),
    ("shandong_brand_products_new", "当年认定山东名牌产品", "Shandong brand products awarded in the year", "品牌建设", "个", FLOW, "烟台市企业当年新认定为山东名牌的产品个数。", False),
    ("service_brands_new", "当年认定山东省服务名牌", "Shandong service brands awarded in the year", "服务业标准化", "个", FLOW, "烟台市当年新认定为山东省服务名牌的服务项目个数。", False),
    ("standards_all_levels", "主导或参与完成国家、行业和地方标准", "National, industry and local standards led or co-drafted", "标准化", "项", CUMULATIVE, "烟台市单位主导或参与完成的国家标准、行业标准和地方标准（含市地方标准）总数，历年累计。与“参与制修订国家标准”等三项的口径不同，不能相加比较。", False),
    ("standards_international", "牵头或参与完成国际标准", "International standards led or co-drafted", "标准化", "项", CUMULATIVE, "烟台市企业牵头或参与完成的国际标准项数，历年累计。", False),
    ("standardisation_pilots", "国家、省级标准化试点示范项目", "National and provincial standardisation pilot and demonstration projects", "标准化", "项", CUMULATIVE, "烟台市承担的国家级、省级标准化试点示范项目数，历年累计。", False),
]  # fmt: skip
SCOPE = "市市场监管局统计，烟台市全域（含各区市）。"

Q_STANDARDS = "截至目前,烟台市共参与制修订604项国家标准、650项行业标准和350项省地方标准,培育山东名牌产品181个,全国质量标杆3个,涌现出以万华、张裕、鲁花、南山、龙大等一大批驰名中外的名牌产品和品牌企业,成为全国首批“百城千业万企对标达标提升专项行动”试点城市。"
Q_MEASUREMENT = "截至目前,烟台市市级社会公用计量标准总数已经达到242项。"
Q_CENTRES = "烟台市加快构建与经济社会发展相适应的检验检测平台体系,目前已建成3个国家级、5个省级质检中心,为烟台市葡萄酒、黄金产业的发展提供了有力支撑。"
Q_SERVICE = "大力实施品牌引领,目前服务业领域,拥有山东省服务名牌79个,创建6个国家级、75个省级服务标准化试点项目。"
Q_TOURISM = "创建了全国海滨度假旅游产业知名品牌创建示范区,培育了1家全国旅游服务质量标杆培育试点单位,社会协同、公众参与的共建共享格局开始形成。"
Q_SUPERVISION = "近两年来,烟台市坚持强化监督与优化服务相结合,建立健全了“双随机、一公开”监管模式,工业产品质量合格率始终保持在97%以上,去年上半年又完成食品抽检1700批次,成品油、农资、服装等商品抽检878批次,中药饮片等5个专项抽样307批次,市级保健品和化妆品抽样181批次,有力净化了市场环境。"
Q_HEADING_PASS_RATE = "工业产品质量合格率超97%"
Q_HEADING_CENTRES = "3个国家级质检中心落户烟台"

NOW = "now"  # 截至目前: an instant at the publication date
H1_2020 = "h1"  # 去年上半年
LAST_TWO_YEARS = "two"  # 近两年来: 2019 and 2020


@dataclass(frozen=True)
class Figure:
    indicator: str
    value: str
    raw_text: str
    quote: str
    period: str
    comparator: str = "="
    lower: str | None = None
    upper: str | None = None
    preferred: bool = True
    note: str = ""


FIGURES = [
    Figure("standards_national", "604", "604项", Q_STANDARDS, NOW),
    Figure(
        "standards_national", "600", "六百余项", SEED_TITLE, NOW, ">", "600", "700",
        preferred=False, note="标题中的约数，与正文“604项”为同一数字。",
    ),
    Figure("standards_industry", "650", "650项", Q_STANDARDS, NOW),
    Figure("standards_provincial_local", "350", "350项", Q_STANDARDS, NOW),
    Figure("shandong_brand_products", "181", "181个", Q_STANDARDS, NOW),
    Figure("national_quality_benchmarks", "3", "3个", Q_STANDARDS, NOW),
    Figure("measurement_standards", "242", "242项", Q_MEASUREMENT, NOW),
    Figure("inspection_centres_national", "3", "3个", Q_CENTRES, NOW),
    Figure(
        "inspection_centres_national", "3", "3个", Q_HEADING_CENTRES, NOW,
        preferred=False, note="小标题，与正文为同一数字。",
    ),
    Figure("inspection_centres_provincial", "5", "5个", Q_CENTRES, NOW),
    Figure("service_brands", "79", "79个", Q_SERVICE, NOW),
    Figure("service_pilots_national", "6", "6个", Q_SERVICE, NOW),
    Figure("service_pilots_provincial", "75", "75个", Q_SERVICE, NOW),
    Figure("tourism_benchmark_pilots", "1", "1家", Q_TOURISM, NOW),
    Figure(
        "industrial_pass_rate", "97", "97%以上", Q_SUPERVISION, LAST_TWO_YEARS,
        ">=", "97", None, note="原文：“始终保持在97%以上”。",
    ),
    Figure(
        "industrial_pass_rate", "97", "超97%", Q_HEADING_PASS_RATE, LAST_TWO_YEARS,
        ">", "97", None, preferred=False, note="小标题的写法。",
    ),
    Figure("sampling_food_batches", "1700", "1700批次", Q_SUPERVISION, H1_2020),
    Figure("sampling_goods_batches", "878", "878批次", Q_SUPERVISION, H1_2020),
    Figure("sampling_special_programmes", "5", "5个", Q_SUPERVISION, H1_2020),
    Figure("sampling_special_batches", "307", "307批次", Q_SUPERVISION, H1_2020),
    Figure(
        "sampling_health_cosmetics_batches", "181", "181批次", Q_SUPERVISION, H1_2020
    ),
]  # fmt: skip

# Figures published elsewhere (found with their publisher, title, date and the
# address where the text was read), so that some indicators have more than one
# period. Only figures printed in these sources; none is derived or estimated.
# Each quotes its sentence, which the public pages and the API show; the paragraph
# it is taken from is kept in quality/fixtures/sources/ (one file per source, with
# its address), so that tests/quality/test_demo_provenance.py can check it.
SRC_BRANDS_2017 = (
    "质检报刊社",
    "山东烟台品牌建设又获新突破",
    date(2018, 1, 16),
    "http://www.mingyangdiannao.com/html/.hpdfxwsd......zjxwdfzjxwdfftpxw201801t20180116_511321.html",
)
SRC_STANDARDS_2021 = (
    "中国市场监管报",
    "“烟台标准”打造企业升级之路 以农业标准化全力助推产业发展",
    date(2021, 10, 29),
    "http://svs3.cn/scjd/20211029/69573.html",
)


@dataclass(frozen=True)
class Published:
    indicator: str
    value: str
    raw_text: str
    period: str  # a period code (Period.bounds_from_code)
    source: tuple[str, str, date, str]
    quote: str


Q_BRANDS_2017_STOCK = "截至2017年底,烟台市共有180个山东名牌产品,位列全省排第三;53个服务名牌,位列全省第二。"
Q_BRANDS_2017_NEW = "日前,山东省质量强省及名牌战略推进工作领导小组公告了2017年度山东名牌产品和山东省服务名牌认定结果,烟台市20个产品被认定为2017年度山东名牌,12个服务项目被认定为2017年度山东省服务名牌。"
Q_STANDARDS_2021 = "10月26日,记者从山东省烟台市市场监管局获悉,截至目前,山东省烟台市的国家、省级标准化试点示范项目达到160项,主导或参与完成的国家、行业和地方标准总数达到2065项,7家企业牵头或参与完成了14项国际标准。"

PUBLISHED = [
    Published("shandong_brand_products", "180", "180个", "@2017-12-31", SRC_BRANDS_2017, Q_BRANDS_2017_STOCK),
    Published("service_brands", "53", "53个", "@2017-12-31", SRC_BRANDS_2017, Q_BRANDS_2017_STOCK),
    Published("shandong_brand_products_new", "20", "20个", "2017", SRC_BRANDS_2017, Q_BRANDS_2017_NEW),
    Published("service_brands_new", "12", "12个", "2017", SRC_BRANDS_2017, Q_BRANDS_2017_NEW),
    Published("standardisation_pilots", "160", "160项", "@2021-10-26", SRC_STANDARDS_2021, Q_STANDARDS_2021),
    Published("standards_all_levels", "2065", "2065项", "@2021-10-26", SRC_STANDARDS_2021, Q_STANDARDS_2021),
    Published("standards_international", "14", "14项", "@2021-10-26", SRC_STANDARDS_2021, Q_STANDARDS_2021),
]  # fmt: skip

# name, category, level, programmes, batches
CAMPAIGNS = [
    ("食品抽检", SamplingCampaign.Category.FOOD, "municipal", None, 1700),
    ("成品油、农资、服装等商品抽检", SamplingCampaign.Category.GOODS, "municipal", None, 878),
    ("中药饮片等专项抽样", SamplingCampaign.Category.SPECIAL, "municipal", 5, 307),
    ("市级保健品和化妆品抽样", SamplingCampaign.Category.HEALTH_COSMETICS, "municipal", None, 181),
]  # fmt: skip

# No Organisation rows: the seed article names its brand enterprises only by short
# name (万华、张裕、鲁花、南山、龙大); their full names and seats appear in no source
# kept here for an Organisation's 来源 to cite. Every registry row loaded (schemes,
# campaigns) cites its source and quotes its sentence.
SRC_SEED = (SEED_SOURCE, SEED_TITLE, SEED_PUBLISHED_ON, "")


def cited(source: tuple[str, str, date, str], quote: str) -> dict:
    """A source and its sentence as a registry row cites them (``Sourced``)."""
    publisher, title, published_on, url = source
    return {
        "source_publisher": publisher,
        "source_title": title,
        "source_on": published_on,
        "source_url": url,
        "quote": quote,
    }


@dataclass(frozen=True)
class SchemeRow:
    """An honour list the sources name, with the sentence that names it.

    The issuer is the one that sentence prints, or empty when no source names it.
    """

    name: str
    level: str
    issuer: str
    indicator: str  # counting its awards in Yantai
    source: tuple[str, str, date, str]
    quote: str

    @property
    def cited(self) -> dict:
        return cited(self.source, self.quote)


# As Q_BRANDS_2017_NEW prints it (no source here gives a later name).
ISSUER_BRANDS = "山东省质量强省及名牌战略推进工作领导小组"
SCHEMES = [
    SchemeRow("山东名牌产品", "provincial", ISSUER_BRANDS, "shandong_brand_products", SRC_BRANDS_2017, Q_BRANDS_2017_NEW),
    SchemeRow("全国质量标杆", "national", "", "national_quality_benchmarks", SRC_SEED, Q_STANDARDS),
    SchemeRow("山东省服务名牌", "provincial", ISSUER_BRANDS, "service_brands", SRC_BRANDS_2017, Q_BRANDS_2017_NEW),
]  # fmt: skip


# The default 年度质量发展报告 (quality.reports): 2020, with the figures the demo
# holds. 数据截至 is the seed article's date: its “截至目前” figures are the year-end
# figures a report written in January prints. Intros carry no figure of their own.
REPORT_YEAR = 2020
REPORT_TITLE = "2020年烟台市质量发展状况报告"
REPORT_NOTES = (
    "<p>本报告的数字均取自公开发布的文章和文件，按原文写法照录（含“余”“以上”等约数），"
    "每个数字注明统计期间和资料来源编号。</p>"
    "<p>同比只在期间长度和统计口径相同的数字之间计算；约数和自定义期间的数字不计算同比。</p>"
)
HEADLINE, TABLE, LINE = (
    ReportItem.Display.HEADLINE,
    ReportItem.Display.TABLE,
    ReportItem.Display.LINE,
)
# title, intro, [(indicator, display, years)]
REPORT_CHAPTERS = [
    ("标准化", "<p>标准化工作的主要数字：烟台市单位参与制修订的国家、行业和省地方标准。</p>", [
        ("standards_national", HEADLINE, 1),
        ("standards_industry", HEADLINE, 1),
        ("standards_provincial_local", HEADLINE, 1),
    ]),
    ("品牌建设", "<p>山东名牌产品、全国质量标杆和旅游服务质量标杆培育试点的情况。</p>", [
        ("shandong_brand_products", LINE, 5),
        ("national_quality_benchmarks", HEADLINE, 1),
        ("tourism_benchmark_pilots", HEADLINE, 1),
    ]),
    ("计量", "<p>市级社会公用计量标准的建设情况。</p>", [
        ("measurement_standards", HEADLINE, 1),
    ]),
    ("检验检测", "<p>落户烟台的国家级和省级产品质量检验检测中心。</p>", [
        ("inspection_centres_national", HEADLINE, 1),
        ("inspection_centres_provincial", HEADLINE, 1),
    ]),
    ("服务业标准化", "<p>山东省服务名牌和服务业标准化试点项目。</p>", [
        ("service_brands", TABLE, 5),
        ("service_pilots_national", HEADLINE, 1),
        ("service_pilots_provincial", HEADLINE, 1),
    ]),
    ("质量监管", "<p>工业产品质量监督抽查和食品、商品抽检的情况。</p>", [
        ("industrial_pass_rate", HEADLINE, 1),
        ("sampling_food_batches", TABLE, 1),
        ("sampling_goods_batches", TABLE, 1),
        ("sampling_special_batches", TABLE, 1),
        ("sampling_health_cosmetics_batches", TABLE, 1),
    ]),
]  # fmt: skip


def load_report(region: Region) -> bool:
    """Create the default report definition unless one for its year exists."""
    if Report.objects.filter(year=REPORT_YEAR).exists():
        return False
    report = Report(
        year=REPORT_YEAR,
        title=REPORT_TITLE,
        region=region,
        data_until=SEED_PUBLISHED_ON,
        closing_notes=REPORT_NOTES,
    )
    report.full_clean()
    report.save()
    indicators = Indicator.objects.in_bulk(
        [code for _t, _i, items in REPORT_CHAPTERS for code, _d, _y in items],
        field_name="code",
    )
    for order, (title, intro, items) in enumerate(REPORT_CHAPTERS):
        chapter = ReportChapter.objects.create(
            report=report, order=order, title=title, intro=intro
        )
        for position, (code, display, years) in enumerate(items):
            ReportItem.objects.create(
                chapter=chapter,
                order=position,
                indicator=indicators[code],
                display=display,
                years=years,
            )
    return True


# Every table of quality data staff keep (no migration fills any of them).
CONTENT_MODELS = (
    Region,
    Unit,
    Topic,
    Indicator,
    Period,
    Observation,
    FigureProposal,
    Organisation,
    Scheme,
    Award,
    Standard,
    StandardParticipation,
    InspectionCentre,
    MeasurementStandard,
    SamplingCampaign,
)


def seed_article() -> Article | None:
    return Article.objects.filter(title=SEED_TITLE).order_by("id").first()


def has_content() -> bool:
    """Whether the database holds any quality data (a region, indicator, registry …)."""
    return any(model.objects.exists() for model in CONTENT_MODELS)


@transaction.atomic
def load_into_empty_database() -> dict[str, int] | None:
    """Load the news and the quality demo if the database holds no content.

    Return how many rows of each kind were created, or ``None`` when any news or
    quality content exists (a later start, or a site with its own content): then
    nothing is written, so what staff withdrew, edited, renamed or deleted stays so.
    The check and the load are one transaction, so a load that fails leaves the
    database empty and the next start tries again.
    """
    if news_demo.has_content() or has_content():
        return None
    articles = news_demo.load()
    return {
        "channels": len(news_demo.CHANNELS),
        "articles": len(articles),
        **load(),
    }


@transaction.atomic
def load() -> dict[str, int]:
    """Load the quality demo; return how many rows of each kind were created.

    Meant for empty quality tables (``load_quality_demo`` checks ``has_content()``).
    Rows are looked up by natural key and only created when missing, never updated.
    """
    created = {
        "regions": 0,
        "indicators": 0,
        "observations": 0,
        "campaigns": 0,
        "figure_links": 0,
        "reports": 0,
    }
    regions: dict[str, Region] = {}
    for code, name, level, parent in REGIONS:
        region, made = Region.objects.get_or_create(
            code=code,
            defaults={"name": name, "level": level, "parent": regions.get(parent)},
        )
        regions[code] = region
        created["regions"] += made
    units = {
        symbol: Unit.objects.get_or_create(symbol=symbol, defaults={"name": name})[0]
        for symbol, name in UNITS
    }
    topics = {
        name: Topic.objects.get_or_create(
            name=name, defaults={"slug": slug, "order": order}
        )[0]
        for order, (name, slug) in enumerate(TOPICS)
    }
    indicators: dict[str, Indicator] = {}
    for order, row in enumerate(INDICATORS):
        code, name, name_en, topic, unit, nature, definition, headline = row
        indicator, made = Indicator.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "topic": topics[topic],
                "unit": units[unit],
                "nature": nature,
                "definition": definition,
                "scope": SCOPE,
                "decimals": 0,
                "higher_is_better": True,
                "is_headline": headline,
                "order": order,
            },
        )
        indicators[code] = indicator
        created["indicators"] += made

    periods = {
        NOW: period_get_or_create(kind="instant", end_on=SEED_PUBLISHED_ON),
        H1_2020: period_get_or_create(
            kind="half", start_on=date(2020, 1, 1), end_on=date(2020, 6, 30)
        ),
        LAST_TWO_YEARS: period_get_or_create(
            kind="custom", start_on=date(2019, 1, 1), end_on=date(2020, 12, 31)
        ),
    }
    yantai = regions["370600"]
    article = seed_article()
    source = (
        {"article": article}
        if article
        else {
            "source_publisher": SEED_SOURCE,
            "source_title": SEED_TITLE,
            "source_on": SEED_PUBLISHED_ON,
        }
    )
    for figure in FIGURES:
        indicator = indicators[figure.indicator]
        period = periods[figure.period]
        if Observation.objects.filter(
            indicator=indicator,
            region=yantai,
            period=period,
            raw_text=figure.raw_text,
            quote=figure.quote,
        ).exists():
            continue
        observation_create(
            indicator=indicator,
            region=yantai,
            period=period,
            value=Decimal(figure.value),
            comparator=figure.comparator,
            lower=None if figure.lower is None else Decimal(figure.lower),
            upper=None if figure.upper is None else Decimal(figure.upper),
            raw_text=figure.raw_text,
            quote=figure.quote,
            note=figure.note,
            is_preferred=figure.preferred,
            # As the article printed them: final figures, not 初步数.
            status=Observation.Status.CONFIRMED,
            **source,
        )
        created["observations"] += 1
    for figure in PUBLISHED:
        publisher, title, published_on, url = figure.source
        indicator = indicators[figure.indicator]
        if Observation.objects.filter(
            indicator=indicator,
            region=yantai,
            period__code=figure.period,
            raw_text=figure.raw_text,
            source_title=title,
        ).exists():
            continue
        observation_create(
            indicator=indicator,
            region=yantai,
            period=figure.period,
            value=Decimal(figure.value),
            raw_text=figure.raw_text,
            source_publisher=publisher,
            source_title=title,
            source_on=published_on,
            source_url=url,
            quote=figure.quote,
            status=Observation.Status.CONFIRMED,
        )
        created["observations"] += 1

    # The seed article, or its printed source when the article is not loaded.
    campaign_source = (
        {"article": article, "quote": Q_SUPERVISION}
        if article
        else cited(SRC_SEED, Q_SUPERVISION)
    )
    for name, category, level, programmes, batches in CAMPAIGNS:
        _campaign, made = SamplingCampaign.objects.get_or_create(
            name=name,
            period=periods[H1_2020],
            region=yantai,
            defaults={
                "category": category,
                "level": level,
                "programme_count": programmes,
                "batches_sampled": batches,
                **campaign_source,
            },
        )
        created["campaigns"] += made

    if article is not None:
        # So that the article page marks its figures, as if staff had confirmed them.
        created["figure_links"] = len(
            figure_proposals_link_observations(article=article)
        )

    for scheme in SCHEMES:
        Scheme.objects.get_or_create(
            name=scheme.name,
            defaults={
                "kind": Scheme.Kind.HONOUR,
                "level": scheme.level,
                "issuer": scheme.issuer,
                "indicator": indicators[scheme.indicator],
                **scheme.cited,
            },
        )
    created["reports"] = int(load_report(yantai))
    return created
