import re
from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.core.management import call_command
from django.test import TestCase

from news.models import ArticleFigures
from quality import demo
from quality.figure_links import mark_figures
from quality.figure_review import (
    figure_proposal_confirm,
    figure_proposal_reject,
    figure_proposals_extract,
    figure_proposals_link_observations,
)
from quality.models import FigureProposal, Observation
from tests.factories import ArticleFactory, UserFactory
from tests.quality.factories import (
    IndicatorFactory,
    ObservationFactory,
    PeriodFactory,
    RegionFactory,
    UnitFactory,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BODY = (
    "<h2>标准&amp;计量</h2>"
    "<p>截至目前，烟台市共参与制修订604项国家标准。</p>"
    '<p>去年上半年又完成食品抽检1700批次，<a href="/x/">抽检1700批次</a>。</p>'
)


class FigureLinkTestCase(TestCase):
    def setUp(self):
        cache.clear()


class ArticlePageFigureTests(FigureLinkTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.region = RegionFactory()
        cls.staff = UserFactory(username="reviewer", is_staff=True)
        cls.national = IndicatorFactory(code="standards_national", name="国家标准")
        cls.sampling = IndicatorFactory(
            code="food_sampling", name="食品抽检", unit=UnitFactory(symbol="批次")
        )
        ObservationFactory(
            indicator=cls.national,
            region=cls.region,
            period=PeriodFactory(end_on=date(2019, 12, 31)),
            value=Decimal("500"),
        )

    def setUp(self):
        super().setUp()
        self.article = ArticleFactory(
            body=BODY, published_at=datetime(2021, 1, 7, 10, 36, tzinfo=SHANGHAI)
        )
        figure_proposals_extract(article=self.article)

    def confirm(self, raw_text: str, indicator) -> Observation:
        proposal = FigureProposal.objects.filter(
            article=self.article, raw_text=raw_text
        ).earliest("start")
        return figure_proposal_confirm(
            proposal=proposal, indicator=indicator, region=self.region, by=self.staff
        )

    def test_confirmed_figures_link_to_their_indicator(self):
        self.confirm("604项", self.national)
        response = self.client.get(self.article.get_absolute_url())
        self.assertContains(
            response,
            '烟台市共参与制修订<span class="figure-ref"><a class="figure" '
            'href="/quality/indicators/standards_national/" '
            'data-indicator="standards_national" data-value="604.0000" '
            f'data-card="figure-{self.article.pk}-0">604项</a>',
            html=False,
        )
        self.assertContains(response, 'class="figure"', count=1)

    def test_card_shows_latest_preferred_value_and_trend(self):
        self.confirm("604项", self.national)
        response = self.client.get(self.article.get_absolute_url())
        card = f'id="figure-{self.article.pk}-0" role="note" hidden'
        self.assertContains(response, card)
        self.assertContains(response, f'aria-controls="figure-{self.article.pk}-0"')
        self.assertContains(
            response, "<strong>604项</strong>（截至2021年1月7日，烟台市）"
        )
        self.assertContains(response, 'data-direction="up"')
        self.assertContains(response, "500项")

    def test_unconfirmed_and_rejected_figures_are_not_marked(self):
        figure_proposal_reject(
            proposal=FigureProposal.objects.get(raw_text="604项"), by=self.staff
        )
        response = self.client.get(self.article.get_absolute_url())
        self.assertNotContains(response, 'class="figure"')
        self.assertContains(response, "烟台市共参与制修订604项国家标准")

    def test_text_inside_links_is_left_alone_and_entities_stay_escaped(self):
        self.confirm("1700批次", self.sampling)
        response = self.client.get(self.article.get_absolute_url())
        content = response.content.decode()
        self.assertIn('rel="noopener noreferrer">抽检1700批次</a>', content)
        self.assertIn("又完成食品抽检<span", content)
        self.assertIn("<h2>标准&amp;计量</h2>", content)

    def test_cold_article_page_stays_within_six_queries(self):
        self.confirm("604项", self.national)
        self.confirm("1700批次", self.sampling)
        cache.clear()
        with self.assertNumQueries(4):
            response = self.client.get(self.article.get_absolute_url())
        self.assertContains(response, 'class="figure"', count=2)

    def test_changed_observation_refreshes_the_card(self):
        observation = self.confirm("604项", self.national)
        ObservationFactory(
            indicator=self.national,
            region=self.region,
            period=PeriodFactory(end_on=date(2021, 6, 30)),
            value=Decimal("650"),
        )
        response = self.client.get(self.article.get_absolute_url())
        self.assertContains(response, "<strong>650项</strong>")
        self.assertTrue(observation.is_preferred)

    def test_indicator_page_lists_the_article_with_the_quote(self):
        self.confirm("604项", self.national)
        response = self.client.get(self.national.get_absolute_url())
        self.assertContains(
            response,
            "<blockquote>截至目前，烟台市共参与制修订604项国家标准。</blockquote>",
        )
        self.assertContains(
            response,
            f'<a href="{self.article.get_absolute_url()}">{self.article.source}'
            f"《{self.article.title}》</a>",
        )


class MarkFiguresTests(TestCase):
    MARK = {
        "quote": "共有<b>5</b>家企业",
        "number": "5",
        "url": "/quality/indicators/x/",
        "indicator": "<script>名</script>",
        "indicator_code": "x",
        "region": "烟台市",
        "value": "5",
        "trend": [{"period": "2020年", "value": "5家", "number": "5"}],
        "direction": "",
    }

    def test_everything_written_is_escaped(self):
        html = "<p>共有&lt;b&gt;5&lt;/b&gt;家企业</p>"
        marked = mark_figures(html, [self.MARK])
        self.assertIn("共有&lt;b&gt;<span", marked)
        self.assertIn("&lt;/b&gt;家企业</p>", marked)
        self.assertIn("&lt;script&gt;名&lt;/script&gt;", marked)
        self.assertNotIn("<script>", marked)
        self.assertNotIn("<b>", marked)

    def test_attributes_with_angle_brackets_are_not_text(self):
        html = '<p><img alt="共有<b>5</b>家企业" src="/a.png">其他</p>'
        self.assertEqual(mark_figures(html, [self.MARK]), html)

    def test_body_without_the_quote_is_unchanged(self):
        html = "<p>今年共有6家企业。</p>"
        self.assertEqual(mark_figures(html, [self.MARK]), html)


class RebuildFigureLinksCommandTests(FigureLinkTestCase):
    def test_rebuild_restores_lost_marks(self):
        region = RegionFactory()
        indicator = IndicatorFactory(code="standards_national", name="国家标准")
        article = ArticleFactory(body="<p>烟台市共参与制修订604项国家标准。</p>")
        figure_proposals_extract(article=article)
        figure_proposal_confirm(
            proposal=FigureProposal.objects.get(),
            indicator=indicator,
            region=region,
            by=UserFactory(username="r", is_staff=True),
        )
        ArticleFigures.objects.all().delete()  # e.g. lost, or written by older code
        stale = ArticleFigures.objects.create(
            article=ArticleFactory(), marks=[{"quote": "x"}], digest="x"
        )
        self.assertNotContains(
            self.client.get(article.get_absolute_url()), 'class="figure"'
        )
        out = StringIO()
        call_command("rebuild_figure_links", stdout=out)
        self.assertIn("已重建 1 篇文章的数据标注。", out.getvalue())
        self.assertContains(
            self.client.get(article.get_absolute_url()), 'class="figure"', count=1
        )
        self.assertFalse(ArticleFigures.objects.filter(pk=stale.pk).exists())


class SeedArticleFigureTests(FigureLinkTestCase):
    """The demo's seed figures are marked on the seed article page, as if confirmed."""

    def test_seed_article_page_marks_its_figures_after_the_demo_loads(self):
        call_command("load_demo", stdout=StringIO())
        article = demo.seed_article()
        confirmed = FigureProposal.objects.confirmed().filter(article=article)
        # Every figure of the body (the headline's 六百余项 is not in the body).
        in_body = Observation.objects.filter(article=article).exclude(
            raw_text="六百余项"
        )
        self.assertEqual(confirmed.count(), in_body.count())
        self.assertEqual(
            set(confirmed.values_list("observation", flat=True)),
            set(in_body.values_list("pk", flat=True)),
        )
        self.assertFalse(
            FigureProposal.objects.filter(
                article=article, status=FigureProposal.Status.PROPOSED
            ).exists()
        )

        response = self.client.get(article.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        content = response.content.decode()
        # Every confirmed figure outside a heading (headings are never marked).
        headings = re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", article.body, re.S)
        in_text = [p for p in confirmed if not any(p.quote in h for h in headings)]
        self.assertEqual(len(in_text), confirmed.count() - 2)
        self.assertEqual(content.count('<a class="figure" '), len(in_text))
        for code, number in [
            ("standards_national", "604项"),
            ("measurement_standards", "242项"),
            ("industrial_pass_rate", "97%以上"),
            ("sampling_food_batches", "1700批次"),
        ]:
            with self.subTest(code=code):
                self.assertRegex(
                    content,
                    rf'<a class="figure" href="/quality/indicators/{code}/"'
                    rf' data-indicator="{code}"[^>]*>{number}</a>',
                )

    def test_loading_again_links_nothing_twice_and_nothing_is_proposed_again(self):
        call_command("load_demo", stdout=StringIO())
        article = demo.seed_article()
        before = list(
            FigureProposal.objects.order_by("pk").values_list(
                "pk", "status", "observation", "indicator"
            )
        )
        for command in ("load_demo", "load_quality_demo"):
            call_command(command, stdout=StringIO())
        # The links themselves, run again on loaded data, add nothing either.
        self.assertEqual(figure_proposals_link_observations(article=article), [])
        after = list(
            FigureProposal.objects.order_by("pk").values_list(
                "pk", "status", "observation", "indicator"
            )
        )
        self.assertEqual(after, before)
        # The 提取数据 review finds nothing new to propose on the seed article.
        self.assertEqual(figure_proposals_extract(article=article), [])
