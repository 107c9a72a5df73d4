"""The figure marks of an article are stored with it, written with their cause.

They live in ``news.ArticleFigures`` (not a cache on one host's disk), are rewritten
in the transaction of the observation, figure or confirmation change that causes
them (a rollback takes them back with it), once per article for a change of many
rows, and another process reading the same database sees them.
"""

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal

import tablib
from django.conf import settings
from django.db import connection, transaction
from django.test import TestCase, TransactionTestCase
from django.test.utils import CaptureQueriesContext

from news.extensions import figure_marks
from news.models import Article, ArticleFigures
from quality.figure_links import figure_marks_batch
from quality.figure_review import figure_proposal_confirm, figure_proposals_extract
from quality.models import FigureProposal, Observation, Period
from quality.resources import ObservationResource
from quality.services import observation_correct, observation_create
from tests.factories import ArticleFactory, UserFactory
from tests.processes import shared_database_url
from tests.quality.factories import (
    IndicatorFactory,
    ObservationFactory,
    PeriodFactory,
    RegionFactory,
)

BODY = "<p>截至目前，烟台市共参与制修订604项国家标准。</p>"


class Rollback(Exception):
    pass


def stored_marks(article: Article) -> list[dict]:
    """The marks as the article page reads them: with the article, from the row."""
    return figure_marks(Article.objects.for_detail_row().get(pk=article.pk))


def confirmed_article(indicator, region, staff) -> Article:
    article = ArticleFactory(body=BODY)
    figure_proposals_extract(article=article)
    figure_proposal_confirm(
        proposal=FigureProposal.objects.get(article=article),
        indicator=indicator,
        region=region,
        by=staff,
    )
    return article


def figure_writes(queries) -> int:
    """Statements that write stored marks (one per article whose marks changed)."""
    return sum(
        1
        for q in queries
        if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
        and "news_articlefigures" in q["sql"]
    )


class FigureMarksFollowTheirCauseTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.region = RegionFactory()
        cls.staff = UserFactory(username="reviewer", is_staff=True)
        cls.indicator = IndicatorFactory(code="standards_national", name="国家标准")

    def setUp(self):
        self.article = ArticleFactory(body=BODY)
        figure_proposals_extract(article=self.article)
        self.proposal = FigureProposal.objects.get(article=self.article)

    def confirm(self) -> Observation:
        return figure_proposal_confirm(
            proposal=self.proposal,
            indicator=self.indicator,
            region=self.region,
            by=self.staff,
        )

    def test_confirmation_writes_the_marks_in_its_transaction(self):
        """Inside the confirming transaction the marks are already stored."""
        with transaction.atomic():
            self.confirm()
            marks = stored_marks(self.article)
            self.assertEqual([m["number"] for m in marks], ["604项"])
            self.assertEqual(marks[0]["indicator_code"], "standards_national")
        self.assertEqual(ArticleFigures.objects.get(article=self.article).marks, marks)

    def test_a_rolled_back_confirmation_leaves_no_marks(self):
        with self.assertRaises(Rollback), transaction.atomic():
            self.confirm()
            self.assertTrue(stored_marks(self.article))
            raise Rollback
        self.assertEqual(stored_marks(self.article), [])
        self.assertFalse(ArticleFigures.objects.filter(article=self.article).exists())

    def test_a_rolled_back_observation_edit_leaves_the_marks_as_they_were(self):
        observation = self.confirm()
        before = stored_marks(self.article)
        with self.assertRaises(Rollback), transaction.atomic():
            observation_correct(
                observation=observation, reason="据年报更正", value=Decimal("605")
            )
            self.assertEqual(
                stored_marks(self.article)[0]["trend"][-1]["number"], "605.0000"
            )
            raise Rollback
        self.assertEqual(stored_marks(self.article), before)

    def test_a_correction_shows_in_the_card_at_once(self):
        observation = self.confirm()
        observation_correct(
            observation=observation, reason="据年报更正", value=Decimal("605")
        )
        (mark,) = stored_marks(self.article)
        self.assertEqual(mark["trend"][-1]["number"], "605.0000")
        self.assertEqual(mark["value"], "604.0000")  # the article still says 604

    def test_withdrawing_the_indicator_or_the_figure_removes_the_marks(self):
        self.confirm()
        self.indicator.is_public = False
        self.indicator.save()
        self.assertEqual(stored_marks(self.article), [])
        self.indicator.is_public = True
        self.indicator.save()
        self.assertEqual(len(stored_marks(self.article)), 1)
        FigureProposal.objects.get(pk=self.proposal.pk).delete()
        self.assertEqual(stored_marks(self.article), [])

    def test_renaming_a_region_or_a_unit_rewrites_the_cards(self):
        self.confirm()
        self.region.name = "烟台"
        self.region.save()
        (mark,) = stored_marks(self.article)
        self.assertEqual(mark["region"], "烟台")
        unit = self.indicator.unit
        unit.symbol = "件"
        unit.save()
        (mark,) = stored_marks(self.article)
        self.assertEqual(mark["trend"][-1]["value"], "604件")

    def test_the_page_shows_the_stored_marks_without_a_query_of_their_own(self):
        self.confirm()
        article = Article.objects.published().for_detail_row().get(pk=self.article.pk)
        with self.assertNumQueries(0):
            self.assertEqual(len(figure_marks(article)), 1)
        self.assertContains(
            self.client.get(self.article.get_absolute_url()), 'class="figure"', count=1
        )


class RollbackOnBothDatabasesTests(TransactionTestCase):
    """A real rollback (not a test's savepoint) on SQLite and on PostgreSQL."""

    def test_an_observation_that_fails_leaves_marks_and_periods_as_they_were(self):
        region = RegionFactory()
        indicator = IndicatorFactory(code="standards_national", name="国家标准")
        article = confirmed_article(
            indicator, region, UserFactory(username="r", is_staff=True)
        )
        before = stored_marks(article)
        periods = Period.objects.count()
        try:
            with transaction.atomic():
                observation_create(
                    indicator=indicator,
                    region=region,
                    period="2031",
                    value=Decimal("700"),
                    raw_text="700项",
                    source_publisher="甲",
                    source_title="乙",
                    is_preferred=True,
                )
                self.assertNotEqual(stored_marks(article), before)
                raise Rollback
        except Rollback:
            pass
        self.assertEqual(stored_marks(article), before)
        self.assertEqual(Period.objects.count(), periods)

    def test_an_invalid_observation_writes_no_period(self):
        """The Period a code names is made in the observation's own transaction."""
        region = RegionFactory()
        indicator = IndicatorFactory()
        with self.assertRaises(Exception) as caught:
            observation_create(
                indicator=indicator,
                region=region,
                period="2032",
                value=Decimal("5"),
                raw_text="5项",
                source_publisher="",  # no source at all: invalid
                source_title="",
            )
        self.assertIn("来源只能二选一", str(caught.exception))
        self.assertFalse(Period.objects.filter(code="2032").exists())


class ImportRewritesEachArticleOnceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.region = RegionFactory()
        staff = UserFactory(username="reviewer", is_staff=True)
        cls.indicator = IndicatorFactory(code="standards_national", name="国家标准")
        cls.articles = [
            confirmed_article(cls.indicator, cls.region, staff) for _ in range(2)
        ]

    def dataset(self, years) -> tablib.Dataset:
        dataset = tablib.Dataset(
            headers=[
                "indicator",
                "region",
                "period",
                "value",
                "raw_text",
                "source_publisher",
                "source_title",
                "is_preferred",
            ]
        )
        for year in years:
            dataset.append(
                [
                    "standards_national",
                    "370600",
                    str(year),
                    str(500 + year % 100),
                    f"{500 + year % 100}项",
                    "烟台市市场监督管理局",
                    "质量工作统计",
                    "1",
                ]
            )
        return dataset

    def test_an_import_of_many_rows_rewrites_each_article_once(self):
        with CaptureQueriesContext(connection) as queries:
            result = ObservationResource().import_data(
                self.dataset(range(2000, 2020)),
                dry_run=False,
                rollback_on_validation_errors=True,
            )
        self.assertFalse(result.has_errors() or result.has_validation_errors())
        self.assertEqual(
            Observation.objects.filter(indicator=self.indicator).count(), 22
        )
        # Twenty rows, two articles with a figure of the indicator: two rewrites.
        self.assertEqual(figure_writes(queries.captured_queries), 2)
        for article in self.articles:
            trend = stored_marks(article)[0]["trend"]
            self.assertEqual(
                [p["number"] for p in trend],
                ["516.0000", "517.0000", "518.0000", "519.0000", "604.0000"],
            )

    def test_a_dry_run_changes_no_marks(self):
        before = [stored_marks(a) for a in self.articles]
        with CaptureQueriesContext(connection) as queries:
            ObservationResource().import_data(
                self.dataset(range(2000, 2010)), dry_run=True
            )
        self.assertEqual(figure_writes(queries.captured_queries), 0)
        self.assertEqual([stored_marks(a) for a in self.articles], before)
        self.assertFalse(Period.objects.filter(code="2000").exists())

    def test_outside_a_batch_every_change_rewrites(self):
        """What the batch saves: the same rows saved one by one."""
        with CaptureQueriesContext(connection) as queries:
            for year in (2000, 2001, 2002):
                ObservationFactory(
                    indicator=self.indicator,
                    region=self.region,
                    period=PeriodFactory(end_on=date(year, 12, 31)),
                )
        self.assertEqual(figure_writes(queries.captured_queries), 6)
        with CaptureQueriesContext(connection) as queries, figure_marks_batch():
            for year in (2003, 2004, 2005):
                ObservationFactory(
                    indicator=self.indicator,
                    region=self.region,
                    period=PeriodFactory(end_on=date(year, 12, 31)),
                )
        self.assertEqual(figure_writes(queries.captured_queries), 2)


class AnotherProcessSeesTheMarksTests(TransactionTestCase):
    """Another app server shares the database, not a directory: it reads the marks
    the first one wrote."""

    def test_another_process_reads_the_marks(self):
        url = shared_database_url()
        article = confirmed_article(
            IndicatorFactory(code="standards_national", name="国家标准"),
            RegionFactory(),
            UserFactory(username="r", is_staff=True),
        )
        script = (
            "import django; django.setup()\n"
            "from django.test import Client\n"
            "from news.extensions import figure_marks\n"
            "from news.models import Article\n"
            f"a = Article.objects.for_detail_row().get(pk={article.pk})\n"
            "assert [m['number'] for m in figure_marks(a)] == ['604项'], a\n"
            "page = Client().get(a.get_absolute_url()).content.decode()\n"
            "assert page.count('class=\"figure\"') == 1, page\n"
        )
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": url,
        }
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
