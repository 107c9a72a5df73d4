"""Public data pages under /quality/: content, query budgets, downloads."""

import csv
import io
import json
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from news.models import Article
from quality import demo
from quality.models import Award, MeasurementStandard, Observation, Scheme
from quality.services import observation_create, period_from_code
from tests.factories import UserFactory

from .factories import (
    AwardFactory,
    InspectionCentreFactory,
    SamplingCampaignFactory,
    StandardFactory,
)

SEED_PAGE = (
    Path(settings.BASE_DIR)
    / "tests"
    / "news"
    / "pages"
    / "seed_000_b5b21bbd38acca12.txt"
)


def clear_caches() -> None:
    """Empty the per-process cache and the shared one (the channel menu and the
    other side-list fragments live there)."""
    for alias in ("default", "shared"):
        caches[alias].clear()


class QualityPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command(
            "import_article",
            str(SEED_PAGE),
            publish=True,
            as_user=UserFactory(username="publisher", is_superuser=True).username,
            stdout=StringIO(),
        )
        call_command("load_quality_demo", stdout=StringIO())
        cls.article = Article.objects.get(title=demo.SEED_TITLE)

    def setUp(self):
        clear_caches()

    def get(self, url, queries):
        """GET ``url`` with cold caches in exactly ``queries`` queries (after one
        request that is not counted: what a connection checks once, such as the
        database's JSON support, is not the page's cost). The pages that cite
        articles (``yantai.httpcache.CITING_DATA``) count one statement more with cold
        caches: ``next_change()``, which ends their public lifetime and is then kept
        in the shared cache for every page."""
        self.client.get(url)
        clear_caches()
        with self.assertNumQueries(queries):
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return response

    def test_dashboard_headlines_written_the_chinese_way(self):
        response = self.get(reverse("quality:dashboard"), 4)
        self.assertContains(
            response, '<span class="card-value">604项</span>', html=True
        )
        self.assertContains(
            response, '<span class="card-value">97%以上</span>', html=True
        )
        self.assertContains(response, "截至2021年1月7日")
        self.assertContains(response, "vendor/echarts/echarts.min.js")
        # The standards chart has its table alternative.
        self.assertContains(response, "<caption>标准化</caption>", html=True)

    def test_indicator_page(self):
        url = reverse("quality:indicator-detail", kwargs={"code": "standards_national"})
        response = self.get(url, 5)
        self.assertContains(response, "参与制修订国家标准")
        self.assertContains(response, "历年累计")  # definition
        self.assertContains(response, "统计口径")
        self.assertContains(response, "截至2021年1月7日，600余项")  # hedged headline
        self.assertContains(response, "截至2021年1月7日，604项")
        self.assertContains(response, "原文“六百余项”")
        self.assertContains(response, self.article.get_absolute_url())
        self.assertContains(response, 'id="indicator-chart-data"')
        self.assertContains(
            response, reverse("quality:indicator-csv", args=["standards_national"])
        )

    def test_unknown_indicator_is_404(self):
        response = self.client.get(
            reverse("quality:indicator-detail", kwargs={"code": "nope"})
        )
        self.assertEqual(response.status_code, 404)

    def test_csv_download_parses_back(self):
        url = reverse("quality:indicator-csv", kwargs={"code": "industrial_pass_rate"})
        response = self.get(url, 3)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        text = response.content.decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        self.assertEqual(len(rows), 2)
        preferred = next(r for r in rows if r["is_preferred"] == "True")
        self.assertEqual(
            (
                preferred["value"],
                preferred["comparator"],
                preferred["lower"],
                preferred["display"],
            ),
            ("97", ">=", "97", "97%以上"),
        )
        self.assertEqual(preferred["period"], "2019-01-01..2020-12-31")
        self.assertEqual(
            preferred["source_url"],
            f"http://testserver{self.article.get_absolute_url()}",
        )
        self.assertIn("始终保持在97%以上", preferred["quote"])

    def test_json_download_parses_back(self):
        url = reverse("quality:indicator-json", kwargs={"code": "standards_national"})
        response = self.get(url, 3)
        payload = json.loads(response.content)
        self.assertEqual(payload["code"], "standards_national")
        self.assertEqual(payload["unit"], "项")
        by_raw = {row["raw_text"]: row for row in payload["observations"]}
        self.assertEqual(set(by_raw), {"604项", "六百余项"})
        self.assertEqual(by_raw["六百余项"]["upper"], "700")
        self.assertFalse(by_raw["六百余项"]["is_preferred"])
        self.assertEqual(by_raw["604项"]["period_label"], "截至2021年1月7日")

    def test_honours_report_coverage(self):
        scheme = Scheme.objects.get(name="山东名牌产品")
        AwardFactory(scheme=scheme, subject="张裕葡萄酒")
        AwardFactory(scheme=scheme, subject="鲁花花生油")
        response = self.get(reverse("quality:honour-list"), 8)
        self.assertContains(response, "报道 181个（截至2021年1月7日） · 已收录 2 个")
        self.assertContains(response, "张裕葡萄酒")

    def test_honours_coverage_counts_only_awards_in_force_on_the_report_date(self):
        """The report says 181 as of 2021-01-07: count what was valid that day."""
        scheme = Scheme.objects.get(name="山东名牌产品")
        AwardFactory(scheme=scheme, subject="在期", valid_to=date(2021, 12, 31))
        AwardFactory(scheme=scheme, subject="撤销", status=Award.Status.WITHDRAWN)
        AwardFactory(scheme=scheme, subject="到期", valid_to=date(2020, 12, 31))
        AwardFactory(scheme=scheme, subject="后授", valid_from=date(2021, 6, 1))
        response = self.get(reverse("quality:honour-list"), 8)
        self.assertContains(response, "报道 181个（截至2021年1月7日） · 已收录 1 个")
        for subject in ("在期", "撤销", "到期", "后授"):
            self.assertContains(response, subject)  # all listed, one counted

    def test_honours_search_and_filter(self):
        scheme = Scheme.objects.get(name="山东名牌产品")
        AwardFactory(scheme=scheme, subject="张裕葡萄酒")
        AwardFactory(scheme=scheme, subject="鲁花花生油")
        response = self.client.get(
            reverse("quality:honour-list"), {"q": "花生", "scheme": scheme.pk}
        )
        self.assertContains(response, "鲁花花生油")
        self.assertNotContains(response, "张裕葡萄酒")

    def test_certifications_list_excludes_honours(self):
        AwardFactory(subject="张裕葡萄酒")
        response = self.get(reverse("quality:certification-list"), 4)
        self.assertNotContains(response, "张裕葡萄酒")
        # No certification yet: the page says so kindly, without a table.
        self.assertContains(response, "尚未收录公开条目")
        self.assertNotContains(response, '<table class="registry">')

    def test_standards_list(self):
        for n in range(3):
            StandardFactory(code=f"GB/T {40000 + n}-2020", title=f"葡萄酒标准{n}")
        StandardFactory(code="DB37/T 1234-2020", kind="local", title="地方标准样例")
        # Yantai's own local standards are not among the report's 350 省地方标准.
        StandardFactory(code="DB3706/T 12-2021", kind="local", title="市地方标准一")
        StandardFactory(code="DB3706/T 13-2021", kind="local", title="市地方标准二")
        response = self.get(reverse("quality:standard-list"), 6)
        self.assertContains(response, "报道 604项（截至2021年1月7日） · 已收录 3 个")
        self.assertContains(response, "报道 350项（截至2021年1月7日） · 已收录 1 个")
        self.assertContains(response, "省地方标准")
        self.assertContains(response, "市地方标准二")
        filtered = self.client.get(reverse("quality:standard-list"), {"kind": "local"})
        self.assertContains(filtered, "地方标准样例")
        self.assertNotContains(filtered, "葡萄酒标准0")

    def test_inspection_centres_list(self):
        InspectionCentreFactory(name="国家葡萄酒质量检验检测中心（测试）")
        response = self.get(reverse("quality:inspection-centre-list"), 6)
        self.assertContains(response, "报道 3个（截至2021年1月7日） · 已收录 1 个")
        self.assertContains(response, "报道 5个（截至2021年1月7日） · 已收录 0 个")

    def test_sampling_list_shows_unknown_pass_rate_as_unpublished(self):
        response = self.get(reverse("quality:sampling-list"), 5)
        self.assertContains(response, "食品抽检")
        self.assertContains(response, "（5个专项）")
        self.assertContains(response, "2020年上半年")
        self.assertContains(response, "未公布")
        self.assertNotContains(response, "0.00%")

    def test_sampling_list_keyword_search(self):
        SamplingCampaignFactory(name="成品油专项抽检")
        SamplingCampaignFactory(name="服装专项抽检")
        response = self.client.get(reverse("quality:sampling-list"), {"q": "成品油"})
        self.assertContains(response, 'name="q"')
        self.assertContains(response, 'value="成品油"')
        self.assertContains(response, "成品油专项抽检")
        self.assertContains(response, "成品油、农资、服装等商品抽检")
        self.assertNotContains(response, "服装专项抽检")
        self.assertNotContains(response, "（5个专项）")  # the seed's 食品抽检 row

    def test_list_query_count_does_not_grow_with_rows(self):
        scheme = Scheme.objects.get(name="山东名牌产品")
        for n in range(12):
            AwardFactory(scheme=scheme, subject=f"产品{n}")
            SamplingCampaignFactory(batches_failed=n)
        self.get(reverse("quality:honour-list"), 8)
        self.get(reverse("quality:sampling-list"), 5)

    def test_dashboard_trend_chart_when_a_headline_has_several_periods(self):
        """A second period of a headline indicator adds a trend chart with its table."""
        earlier = Observation.objects.preferred().get(
            indicator__code="standards_national"
        )
        self.assertNotContains(
            self.client.get(reverse("quality:dashboard")),
            f'id="trend-chart-{earlier.indicator.pk}-data"',
        )
        observation_create(
            indicator=earlier.indicator,
            region=earlier.region,
            period=period_from_code("@2019-12-31"),
            value=Decimal("580"),
            raw_text="580项",
            source_publisher="烟台市市场监督管理局",
            source_title="2019年质量工作总结",
        )
        response = self.get(reverse("quality:dashboard"), 4)
        self.assertContains(response, "变化趋势")
        self.assertContains(response, f'id="trend-chart-{earlier.indicator.pk}-data"')
        self.assertContains(
            response,
            '<tr><th scope="row" class="date">截至2019年底</th><td class="num">580项</td></tr>',
            html=True,
        )

    def test_measurement_standards_list(self):
        MeasurementStandard.objects.create(
            name="出租汽车计价器检定装置", level="municipal"
        )
        MeasurementStandard.objects.create(name="压力表标准装置", level="municipal")
        response = self.get(reverse("quality:measurement-standard-list"), 6)
        self.assertContains(response, "报道 242项（截至2021年1月7日） · 已收录 2 个")
        filtered = self.client.get(
            reverse("quality:measurement-standard-list"), {"q": "压力"}
        )
        self.assertContains(filtered, "压力表标准装置")
        self.assertNotContains(filtered, "出租汽车计价器检定装置")

    def test_pages_have_their_own_title_and_description(self):
        """Dashboard, two indicator pages and the registries: no two alike."""
        urls = [
            reverse("quality:dashboard"),
            reverse("quality:indicator-detail", args=["standards_national"]),
            reverse("quality:indicator-detail", args=["industrial_pass_rate"]),
            reverse("quality:honour-list"),
            reverse("quality:certification-list"),
            reverse("quality:standard-list"),
            reverse("quality:inspection-centre-list"),
            reverse("quality:measurement-standard-list"),
            reverse("quality:sampling-list"),
        ]
        heads = {url: head_of(self.client.get(url)) for url in urls}
        for field in ("title", "description", "og:title"):
            with self.subTest(field=field):
                values = [head[field] for head in heads.values()]
                self.assertEqual(len(set(values)), len(values), values)
        national = heads[urls[1]]
        self.assertEqual(national["title"], "参与制修订国家标准 · 质量数据 · 品质烟台")
        self.assertEqual(national["og:title"], "参与制修订国家标准：604项")
        self.assertTrue(
            national["description"].startswith(
                "烟台市参与制修订国家标准：截至2021年1月7日，604项。"
            ),
            national["description"],
        )
        self.assertIn("97%以上", heads[urls[2]]["description"])
        self.assertEqual(heads[urls[3]]["title"], "荣誉与品牌 · 品质烟台")
        self.assertIn("山东名牌产品", heads[urls[3]]["description"])

    def test_nav_link_in_base(self):
        response = self.client.get(reverse("quality:dashboard"))
        self.assertContains(response, f'href="{reverse("quality:dashboard")}"')


def head_of(response) -> dict[str, str]:
    """The <title>, meta description and og:title of a page, unescaped."""
    import html
    import re

    text = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", text, re.S).group(1)
    description = re.search(r'<meta name="description" content="([^"]*)"', text)
    og_title = re.search(r'<meta property="og:title" content="([^"]*)"', text)
    return {
        "title": html.unescape(title.strip()),
        "description": html.unescape(description.group(1)),
        "og:title": html.unescape(og_title.group(1)),
    }
