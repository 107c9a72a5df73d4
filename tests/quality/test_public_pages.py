"""The public data pages as a statistics bulletin shows them: 同比 only between
comparable figures, each figure's source, 初步数 only where one is, no staff wording;
the chart and data downloads; the whole dataset; the registries' menu and filters."""

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

from django.conf import settings
from django.core.cache import caches
from django.test import RequestFactory, TestCase
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from quality import views
from quality.models import Observation
from quality.services import observation_create
from tests.factories import ArticleFactory
from tests.news.test_language_of_parts import unmarked_chinese

from .factories import IndicatorFactory, RegionFactory, StandardFactory, UnitFactory

SVG = "{http://www.w3.org/2000/svg}"


def clear_caches():
    for alias in ("default", "shared"):
        caches[alias].clear()


def add(indicator, period, value, *, comparator="=", lower=None, **extra):
    year = int(period.lstrip("@")[:4])
    source = {
        "source_publisher": "烟台市统计局",
        "source_title": f"烟台市{year}年国民经济和社会发展统计公报",
        "source_on": date(year + 1, 3, 20),
        "source_url": f"https://example.org/{period}.html",
    }
    source.update(extra.pop("source", {}))
    return observation_create(
        indicator=indicator,
        region=RegionFactory(),
        period=period,
        value=Decimal(value),
        comparator=comparator,
        lower=lower,
        raw_text=f"{value}{indicator.unit.symbol}",
        status=extra.pop("status", Observation.Status.CONFIRMED),
        **source,
        **extra,
    )


class _EnglishText(HTMLParser):
    """The text of a page outside its lang="zh-Hans" elements."""

    VOID = {"br", "img", "input", "link", "meta", "hr", "source", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[bool] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(dict(attrs).get("lang") == "zh-Hans")

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not any(self.stack):
            self.parts.append(data)


def english_text(html: str) -> str:
    parser = _EnglishText()
    parser.feed(html)
    return "".join(parser.parts)


class IndicatorPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.count = IndicatorFactory(
            code="brands_new",
            name="当年认定名牌产品",
            name_en="Brand products awarded",
            scope="市市场监管局统计，含各区市。",
            unit=UnitFactory(symbol="个"),
        )
        add(cls.count, "2018", "20")
        add(cls.count, "2019", "25")
        add(cls.count, "2020", "20", status=Observation.Status.PROVISIONAL)
        add(cls.count, "2021-01-01..2021-06-30", "9")  # a custom half: no 同比
        cls.rate = IndicatorFactory(
            code="pass_rate",
            name="抽查合格率",
            unit=UnitFactory(symbol="%"),
            decimals=1,
        )
        add(cls.rate, "2019", "96.5")
        add(cls.rate, "2020", "97", comparator=">=", lower=Decimal("97"))
        add(cls.rate, "2021", "97.4")
        add(cls.rate, "@2020-12-31", "96.8", note="待年报核实")

    def setUp(self):
        clear_caches()

    def page(self, code):
        response = self.client.get(reverse("quality:indicator-detail", args=[code]))
        self.assertEqual(response.status_code, 200)
        return response

    def rows(self, response):
        """The figures table as lists of cell texts."""
        table = re.search(
            r'<table class="data-table">.*?<tbody>(.*?)</tbody>',
            response.content.decode(),
            re.S,
        ).group(1)
        return [
            [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(
                r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S
            )]
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
        ]  # fmt: skip

    def test_year_on_year_only_between_comparable_figures(self):
        rows = self.rows(self.page("brands_new"))
        by_period = {row[0]: row for row in rows}
        self.assertEqual(by_period["2018年"][2], "—")  # no 2017 figure
        self.assertEqual(by_period["2019年"][2], "增长25.0%")
        self.assertEqual(by_period["2020年"][2], "下降20.0%")
        # A custom period has no year-earlier twin.
        self.assertEqual(by_period["2021年1月至2021年6月"][2], "—")

    def test_rates_change_in_percentage_points_and_hedged_figures_have_none(self):
        response = self.page("pass_rate")
        by_period = {row[0]: row for row in self.rows(response)}
        # 2020 is "97%以上": not a number to subtract, neither for 2020 nor 2021,
        # and no other pair is comparable: the table has no 同比 column at all.
        self.assertEqual(by_period["2020年"][1], "97.0%以上")
        self.assertNotContains(response, ">同比<")
        change = add(self.rate, "2022", "97.9")
        rows = self.rows(self.page("pass_rate"))
        self.assertIn(["2022年", "97.9%", "提高0.5个百分点"], [r[:3] for r in rows])
        self.assertIn(["2021年", "97.4%", "—"], [r[:3] for r in rows])
        self.assertEqual(change.period.code, "2022")

    def test_instants_a_year_apart_are_comparable(self):
        add(self.rate, "@2021-12-31", "96.8")
        rows = self.rows(self.page("pass_rate"))
        self.assertIn(["截至2021年底", "96.8%", "持平"], [r[:3] for r in rows])

    def test_each_figure_with_its_source_publisher_scope_and_update_date(self):
        response = self.page("brands_new")
        rows = self.rows(response)
        self.assertIn(
            "烟台市统计局《烟台市2019年国民经济和社会发展统计公报》 2020-03-20",
            [row[3] for row in rows],
        )
        self.assertContains(response, 'href="https://example.org/2019.html"')
        self.assertContains(
            response, "<dt>发布机关</dt><dd>烟台市统计局</dd>", html=True
        )
        self.assertContains(response, "统计口径：市市场监管局统计，含各区市。")
        self.assertContains(response, "数据更新于")
        self.assertContains(response, "<caption", count=1)

    def test_provisional_only_where_a_figure_is_and_explained(self):
        response = self.page("brands_new")
        rows = self.rows(response)
        flagged = [row[0] for row in rows if "初步数" in row[1]]
        self.assertEqual(flagged, ["2020年"])
        self.assertContains(response, 'id="note-provisional"')
        rate = self.page("pass_rate")
        self.assertNotContains(rate, "初步数")

    def test_public_wording_only(self):
        for code in ("brands_new", "pass_rate"):
            response = self.page(code)
            with self.subTest(code=code):
                self.assertNotContains(response, "首选值")
                self.assertNotContains(response, "待年报核实")  # a staff note
                self.assertNotContains(response, "Brand products awarded")
                self.assertNotContains(response, "确认")
                self.assertNotContains(response, "存量")

    def test_chart_data_carries_each_points_source_and_change(self):
        response = self.page("brands_new")
        data = response.context["chart"]
        self.assertEqual(data["type"], "line")
        series = data["series"][0]
        self.assertEqual(series["labels"][:3], ["20个", "25个", "20个"])
        self.assertEqual(series["changes"][:3], ["", "增长25.0%", "下降20.0%"])
        self.assertIn(
            "《烟台市2019年国民经济和社会发展统计公报》", series["sources"][1]
        )

    def test_chart_as_svg(self):
        response = self.client.get(
            reverse("quality:indicator-svg", args=["brands_new"])
        )
        self.assertEqual(response["Content-Type"], "image/svg+xml; charset=utf-8")
        root = ET.fromstring(response.content)
        self.assertEqual(root.tag, f"{SVG}svg")
        values = [p.get("data-value") for p in root.iter() if p.get("class") == "point"]
        self.assertEqual(values, ["20", "25", "20", "9"])
        texts = [t.text for t in root.iter(f"{SVG}text")]
        self.assertIn("当年认定名牌产品", texts)
        self.assertIn("2019年", texts)
        self.assertTrue(any(t.startswith("资料来源：烟台市统计局") for t in texts))
        self.assertTrue(any(t.startswith("统计口径：") for t in texts))
        self.assertTrue(any(t.startswith("数据更新于") for t in texts))

    def test_svg_of_an_indicator_without_figures_or_unknown_is_404(self):
        empty = IndicatorFactory(code="no_figures")
        for code in (empty.code, "nope"):
            with self.subTest(code=code):
                url = reverse("quality:indicator-svg", args=[code])
                self.assertEqual(self.client.get(url).status_code, 404)
        self.assertContains(self.page("no_figures"), "该指标尚未发布数据。")

    def test_indicator_xlsx_matches_the_csv_and_guards_formulas(self):
        add(
            self.count,
            "2017",
            "18",
            source={"source_title": '=HYPERLINK("http://x.example","点我")'},
        )
        response = self.client.get(
            reverse("quality:indicator-xlsx", args=["brands_new"])
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("brands_new.xlsx", response["Content-Disposition"])
        workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        sheet = workbook.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(list(rows[0]), views.FIELDNAMES)
        header = rows[0]
        data = [dict(zip(header, row, strict=True)) for row in rows[1:]]
        self.assertEqual(len(data), 5)
        values = sorted(row["value"] for row in data)
        self.assertEqual(values, [9, 18, 20, 20, 25])  # number cells
        guarded = next(row for row in data if row["period"] == "2017")
        self.assertTrue(guarded["source"].startswith("烟台市统计局《=HYPERLINK"))
        for row in sheet.iter_rows():
            for cell in row:
                self.assertNotEqual(cell.data_type, "f", cell.value)
        indicator_sheet = list(workbook.worksheets[1].iter_rows(values_only=True))
        self.assertEqual(indicator_sheet[1][0], "brands_new")
        self.assertEqual(indicator_sheet[1][7], "市市场监管局统计，含各区市。")


class DatasetDownloadTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.shown = IndicatorFactory(code="shown", scope="全市")
        cls.hidden = IndicatorFactory(code="hidden", is_public=False)
        for year in range(2010, 2020):
            add(cls.shown, str(year), str(year - 2000))
        add(cls.hidden, "2019", "1")
        add(
            cls.shown,
            "2020",
            "5",
            source={"source_publisher": "@SUM(A1)", "source_title": "-2+3"},
        )

    def test_csv_is_streamed_with_every_public_observation_and_its_scope(self):
        # The validator's cited articles (quality.views.dataset_validators); then
        # indicators, regions, periods, cited articles, one cursor of rows; and
        # next_change() for its public lifetime (cold caches: kept once worked out).
        with self.assertNumQueries(7):
            response = self.client.get(reverse("quality:dataset-csv"))
            body = b"".join(response.streaming_content).decode("utf-8-sig")
        self.assertTrue(response.streaming)
        self.assertIn("yantai-quality-data.csv", response["Content-Disposition"])
        rows = list(csv.DictReader(io.StringIO(body)))
        self.assertEqual(list(rows[0]), views.DATASET_FIELDS)
        self.assertEqual(len(rows), 11)
        self.assertEqual({row["indicator"] for row in rows}, {"shown"})
        self.assertEqual({row["scope"] for row in rows}, {"全市"})
        self.assertEqual(
            [row["period"] for row in rows], [str(y) for y in range(2010, 2021)]
        )
        last = rows[-1]
        self.assertEqual(last["source"], "'@SUM(A1)《-2+3》")
        self.assertTrue(last["source_url"].startswith("https://example.org/"))

    def test_rows_are_the_indicator_downloads_rows_plus_the_scope(self):
        """The whole dataset writes each row from tuples; it must say exactly what
        the indicator downloads say of the same observation."""
        article = ArticleFactory(
            source="烟台日报",
            title="一篇报道",
            body="<p>烟台市参与制修订六百余项国家标准。</p>",
        )
        observation_create(
            indicator=self.shown,
            region=RegionFactory(),
            period="2021",
            value=Decimal("600"),
            comparator=">",
            lower=Decimal("600"),
            upper=Decimal("700"),
            raw_text="六百余项",
            quote="六百余项",
            article=article,
        )
        request = RequestFactory().get("/quality/data.csv")
        rows = list(views.dataset_rows(request))
        expected = []
        for observation in Observation.objects.filter(
            indicator__is_public=True
        ).order_by("period_end_on", "id"):
            row = views.observation_row(observation, request)
            row["scope"] = observation.indicator.scope
            expected.append(row)
        self.assertEqual(len(rows), 12)
        self.assertEqual(rows, expected)
        self.assertEqual(rows[-1]["source"], "烟台日报《一篇报道》")
        self.assertEqual(
            rows[-1]["source_url"], f"http://testserver{article.get_absolute_url()}"
        )

    def test_xlsx_holds_the_same_rows_and_the_indicators(self):
        response = self.client.get(reverse("quality:dataset-xlsx"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], views.XLSX_TYPE)
        workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        data, indicators = workbook.worksheets
        rows = list(data.iter_rows(values_only=True))
        self.assertEqual(list(rows[0]), views.DATASET_FIELDS)
        self.assertEqual(len(rows) - 1, 11)
        self.assertEqual(
            [row[0] for row in indicators.iter_rows(values_only=True)][1:], ["shown"]
        )

    def test_dashboard_links_the_downloads(self):
        response = self.client.get(reverse("quality:dashboard"))
        self.assertContains(response, reverse("quality:dataset-csv"))
        self.assertContains(response, reverse("quality:dataset-xlsx"))


class RegistryMenuTests(TestCase):
    def setUp(self):
        clear_caches()

    def menu(self):
        response = self.client.get(reverse("quality:dashboard"))
        nav = re.search(
            r'<nav class="quality-nav".*?</nav>', response.content.decode(), re.S
        ).group(0)
        return re.findall(r'<a href="([^"]+)"', nav)

    def test_an_empty_registry_is_not_in_the_menu_until_it_holds_an_entry(self):
        standards = reverse("quality:standard-list")
        self.assertEqual(self.menu(), [reverse("quality:dashboard")])
        response = self.client.get(standards)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "尚未收录公开条目")
        self.assertNotContains(response, "<table")
        StandardFactory(code="GB/T 1-2020", title="标准样例")
        self.assertEqual(self.menu(), [reverse("quality:dashboard"), standards])
        response = self.client.get(standards)
        self.assertContains(response, "标准样例")
        self.assertNotContains(response, "尚未收录公开条目")

    def test_filters_have_chinese_empty_labels_and_tolerate_bad_input(self):
        StandardFactory(code="GB/T 2-2020", title="标准样例二")
        response = self.client.get(
            reverse("quality:standard-list"), {"kind": "<script>", "status": "x" * 500}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<option value="">全部类型</option>', html=True)
        self.assertContains(response, '<option value="">全部状态</option>', html=True)
        self.assertNotContains(response, "---------")
        self.assertContains(response, 'class="button button-primary"')
        self.assertNotContains(response, "<script>", html=False)

    def test_query_count_is_bounded_by_the_menu_probe(self):
        """One query tells which of the six registries hold entries."""
        StandardFactory()
        self.client.get(reverse("quality:dashboard"))
        clear_caches()
        with self.assertNumQueries(1):
            self.assertEqual(views.registries_with_entries(), {"standards"})


class IndicatorEnglishPageTests(TestCase):
    """/en/quality/…: figures, periods and names in English (the labels come from
    the catalogue; these come from quality.formatting and the indicator's name_en)."""

    def setUp(self):
        # A request to /en/ leaves English active in this thread (the middleware
        # activates the URL's language and nothing resets it): give the next test
        # back the site's language.
        self.addCleanup(translation.activate, settings.LANGUAGE_CODE)

    @classmethod
    def setUpTestData(cls):
        cls.indicator = IndicatorFactory(
            code="english",
            name="当年认定名牌产品",
            name_en="Brand products awarded in the year",
            unit=UnitFactory(symbol="批次"),
        )
        add(cls.indicator, "2019", "1600")
        add(cls.indicator, "2020", "1700", comparator="~")
        add(cls.indicator, "@2021-01-07", "600", comparator=">", lower=Decimal("600"))

    def test_english_page_writes_figures_and_periods_in_english(self):
        response = self.client.get(f"/en/quality/indicators/{self.indicator.code}/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<html lang="en"')
        self.assertContains(
            response,
            '<h1 class="page-title">Brand products awarded in the year</h1>',
            html=True,
        )
        text = response.content.decode()
        for english in ("1,600 batches", "about 1,700 batches", "as of 7 January 2021",
                        "more than 600 batches"):  # fmt: skip
            self.assertIn(english, text)
        for chinese in (
            "当年认定名牌产品",
            "约1700批次",
            "截至2021年1月7日",
            "600余批次",
        ):
            self.assertNotIn(chinese, text)
        self.assertContains(response, '<dd lang="zh-Hans">')  # Chinese data says so
        chart = response.context["chart"]
        self.assertEqual(chart["categories"], ["2019", "2020", "as of 7 January 2021"])
        self.assertEqual(chart["unit"], "batches")

    def test_english_page_has_no_chinese_punctuation_of_its_own(self):
        """The page's own words and marks are English (Source: …, not 来源：…);
        Chinese data stays Chinese, marked lang="zh-Hans"."""
        add(
            self.indicator,
            "2020",
            "1700",
            comparator="~",
            source={"source_publisher": "烟台市市场监督管理局"},
            is_preferred=False,
        )
        html = self.client.get(f"/en/quality/indicators/{self.indicator.code}/")
        html = html.content.decode()
        text = english_text(html.split("<main", 1)[1])
        for mark in "：，、；（）。":
            self.assertNotIn(mark, text)
        og_title = re.search(r'property="og:title" content="([^"]*)"', html)[1]
        self.assertEqual(
            og_title, "Brand products awarded in the year: more than 600 batches"
        )
        description = re.search(r'name="description" content="([^"]*)"', html)[1]
        self.assertNotRegex(description, "[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")

    def test_english_page_marks_every_chinese_wording(self):
        """同一数据的其他表述 quotes the source's wording (1700批次): Chinese, marked
        lang="zh-Hans" like the preferred figure's quote and source."""
        add(
            self.indicator,
            "2020",
            "1700",
            comparator="~",
            source={"source_publisher": "烟台市市场监督管理局"},
            is_preferred=False,
        )
        html = self.client.get(f"/en/quality/indicators/{self.indicator.code}/")
        main = html.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
        self.assertEqual(unmarked_chinese("<body><main" + main), [])
        self.assertIn('As printed: “<span lang="zh-Hans">1700批次</span>”', main)

    def test_english_svg(self):
        response = self.client.get(f"/en/quality/indicators/{self.indicator.code}.svg")
        root = ET.fromstring(response.content)
        texts = [t.text for t in root.iter(f"{SVG}text")]
        self.assertIn("Brand products awarded in the year", texts)
        self.assertIn("about 1,700 batches", texts)
        self.assertNotIn("约1700批次", texts)
