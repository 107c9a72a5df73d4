"""load_quality_demo: every figure of the seed article, into empty quality tables."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import TestCase

from news.models import Article
from quality import demo
from quality.models import (
    Indicator,
    Observation,
    Organisation,
    Region,
    SamplingCampaign,
    Scheme,
)
from tests.factories import UserFactory

SEED_PAGE = (
    Path(settings.BASE_DIR)
    / "tests"
    / "news"
    / "pages"
    / "seed_000_b5b21bbd38acca12.txt"
)


def snapshot():
    """Everything the command writes, as comparable tuples."""
    return {
        "regions": list(Region.objects.values_list("code", "name", "parent__code")),
        "indicators": list(
            Indicator.objects.values_list("code", "name", "unit__symbol")
        ),
        "observations": list(
            Observation.objects.order_by("pk").values_list(
                "pk",
                "indicator__code",
                "value",
                "comparator",
                "lower",
                "upper",
                "raw_text",
                "is_preferred",
                "article_id",
                "source_title",
            )
        ),
        "campaigns": list(
            SamplingCampaign.objects.order_by("pk").values_list("pk", "batches_sampled")
        ),
        "organisations": list(Organisation.objects.values_list("name", "aliases")),
    }


class LoadQualityDemoWithArticleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command(
            "import_article",
            str(SEED_PAGE),
            publish=True,
            as_user=UserFactory(username="publisher", is_superuser=True).username,
            stdout=StringIO(),
        )
        cls.article = Article.objects.get(title=demo.SEED_TITLE)
        call_command("load_quality_demo", stdout=StringIO())

    def preferred(self, code):
        return Observation.objects.preferred().get(
            indicator__code=code, article=self.article
        )

    def test_every_figure_of_the_article(self):
        expected = {
            "standards_national": ("604", "604项"),
            "standards_industry": ("650", "650项"),
            "standards_provincial_local": ("350", "350项"),
            "shandong_brand_products": ("181", "181个"),
            "national_quality_benchmarks": ("3", "3个"),
            "measurement_standards": ("242", "242项"),
            "inspection_centres_national": ("3", "3个"),
            "inspection_centres_provincial": ("5", "5个"),
            "service_brands": ("79", "79个"),
            "service_pilots_national": ("6", "6个"),
            "service_pilots_provincial": ("75", "75个"),
            "tourism_benchmark_pilots": ("1", "1家"),
            "industrial_pass_rate": ("97", "97%以上"),
            "sampling_food_batches": ("1700", "1700批次"),
            "sampling_goods_batches": ("878", "878批次"),
            "sampling_special_programmes": ("5", "5个"),
            "sampling_special_batches": ("307", "307批次"),
            "sampling_health_cosmetics_batches": ("181", "181批次"),
        }
        for code, (value, display) in expected.items():
            with self.subTest(code=code):
                observation = self.preferred(code)
                self.assertEqual(observation.value, Decimal(value))
                self.assertEqual(observation.display, display)
                self.assertEqual(observation.region.code, "370600")
                self.assertEqual(observation.article, self.article)

    def test_quotes_are_exact_substrings_of_the_article(self):
        text = f"{self.article.title}\n{self.article.body_text}"
        for observation in Observation.objects.filter(article=self.article):
            with self.subTest(raw=observation.raw_text, pk=observation.pk):
                self.assertIn(observation.quote, text)
                self.assertIn(observation.raw_text, observation.quote)

    def test_headline_is_a_hedged_unpreferred_observation_of_the_same_cell(self):
        preferred = self.preferred("standards_national")
        hedged = Observation.objects.get(
            indicator__code="standards_national", raw_text="六百余项"
        )
        self.assertFalse(hedged.is_preferred)
        self.assertEqual(
            (hedged.comparator, hedged.lower, hedged.upper),
            (">", Decimal("600"), Decimal("700")),
        )
        self.assertEqual(
            (hedged.region, hedged.period), (preferred.region, preferred.period)
        )
        self.assertEqual(hedged.display, "600余项")
        self.assertEqual(hedged.quote, demo.SEED_TITLE)

    def test_pass_rate_is_at_least_97(self):
        observation = self.preferred("industrial_pass_rate")
        self.assertEqual(
            (observation.comparator, observation.lower), (">=", Decimal("97"))
        )
        self.assertEqual(observation.raw_text, "97%以上")
        self.assertEqual(observation.period.label, "2019年至2020年")

    def test_periods(self):
        self.assertEqual(
            self.preferred("standards_national").period.label, "截至2021年1月7日"
        )
        self.assertEqual(
            self.preferred("sampling_food_batches").period.label, "2020年上半年"
        )

    def test_sampling_campaigns(self):
        rows = set(
            SamplingCampaign.objects.values_list(
                "category",
                "batches_sampled",
                "batches_failed",
                "programme_count",
                "period__code",
            )
        )
        self.assertEqual(
            rows,
            {
                ("food", 1700, None, None, "2020H1"),
                ("goods", 878, None, None, "2020H1"),
                ("special", 307, None, 5, "2020H1"),
                ("health_cosmetics", 181, None, None, "2020H1"),
            },
        )
        self.assertTrue(
            all(c.pass_rate is None for c in SamplingCampaign.objects.all())
        )

    def test_regions_and_organisations(self):
        self.assertEqual(Region.objects.get(code="370614").name, "蓬莱区")
        self.assertEqual(Region.objects.get(code="370600").parent.code, "370000")
        self.assertEqual(Region.objects.filter(parent__code="370600").count(), 11)
        # The article names its brand enterprises by short name only: no source
        # kept here gives their full names or seats, so none is loaded.
        self.assertFalse(Organisation.objects.exists())
        self.assertEqual(
            Scheme.objects.get(name="山东名牌产品").indicator.code,
            "shandong_brand_products",
        )

    def test_figures_published_elsewhere_cite_their_source(self):
        """Each figure of another publication is stored with its publisher, title,
        date and address, as published (confirmed), never derived."""
        for figure in demo.PUBLISHED:
            with self.subTest(indicator=figure.indicator, period=figure.period):
                observation = Observation.objects.get(
                    indicator__code=figure.indicator, period__code=figure.period
                )
                publisher, title, published_on, url = figure.source
                self.assertEqual(
                    (
                        observation.source_publisher,
                        observation.source_title,
                        observation.source_on,
                        observation.source_url,
                    ),
                    (publisher, title, published_on, url),
                )
                self.assertIsNone(observation.article)
                self.assertEqual(observation.value, Decimal(figure.value))
                self.assertEqual(observation.raw_text, figure.raw_text)
                self.assertEqual(observation.status, Observation.Status.CONFIRMED)
        # The 山东名牌 series now has two periods: 截至2017年底 and the article's.
        self.assertEqual(
            list(
                Observation.objects.preferred()
                .filter(indicator__code="shandong_brand_products")
                .order_by("period_end_on")
                .values_list("value", flat=True)
            ),
            [Decimal("180"), Decimal("181")],
        )

    def test_second_run_changes_nothing(self):
        before = snapshot()
        out = StringIO()
        call_command("load_quality_demo", stdout=out)
        self.assertEqual(snapshot(), before)
        self.assertIn("数据库中已有质量数据，未载入质量数据演示内容。", out.getvalue())


class LoadQualityDemoWithoutArticleTests(TestCase):
    def test_loads_with_external_source_and_a_later_run_changes_nothing(self):
        """Without the article the figures cite 烟台日报; a later run leaves them so.

        Pointing them at an article imported since would be an update of data
        staff may have edited: that is for staff, through the admin.
        """
        out = StringIO()
        call_command("load_quality_demo", stdout=out)
        self.assertIn("未找到种子文章", out.getvalue())
        self.assertEqual(
            Observation.objects.count(), len(demo.FIGURES) + len(demo.PUBLISHED)
        )
        self.assertFalse(Observation.objects.filter(article__isnull=False).exists())
        self.assertEqual(
            set(Observation.objects.values_list("source_publisher", flat=True)),
            {"烟台日报"} | {figure.source[0] for figure in demo.PUBLISHED},
        )
        before = snapshot()
        call_command(
            "import_article",
            str(SEED_PAGE),
            publish=True,
            as_user=UserFactory(username="publisher", is_superuser=True).username,
            stdout=StringIO(),
        )
        call_command("load_quality_demo", stdout=StringIO())
        self.assertEqual(snapshot(), before)
