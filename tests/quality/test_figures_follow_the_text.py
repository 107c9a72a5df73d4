"""An article's figure marks follow its live text: a new version published without
a figure's sentence drops the mark (page, 本文数据 box, API); one that has it again
brings it back."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.test import TestCase

from news.services import article_update
from news.workflow import article_publish_content
from quality.figure_review import figure_proposal_confirm, figure_proposals_extract
from quality.models import FigureProposal, Period
from tests.factories import ArticleFactory, UserFactory
from tests.quality.factories import (
    IndicatorFactory,
    ObservationFactory,
    PeriodFactory,
    RegionFactory,
)
from tests.quality.test_derived_figures import BODY, stored_marks

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Base(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.region = RegionFactory()
        cls.staff = UserFactory(username="reviewer", is_staff=True)
        cls.indicator = IndicatorFactory(code="standards_national", name="国家标准")

    def setUp(self):
        cache.clear()
        # test_derived_figures.confirmed_article's, at the seed article's time: the
        # figure's 截至目前 is then a value of 2021, beside the card test's periods.
        self.article = ArticleFactory(
            body=BODY, published_at=datetime(2021, 1, 7, 10, 36, tzinfo=SHANGHAI)
        )
        figure_proposals_extract(article=self.article)
        figure_proposal_confirm(
            proposal=FigureProposal.objects.get(article=self.article),
            indicator=self.indicator,
            region=self.region,
            by=self.staff,
        )


class NewVersionWithoutTheQuoteTests(Base):
    WITHOUT = "<p>烟台市持续推进标准化工作。</p>"

    def publish(self, body: str) -> None:
        """A new version of the live article: a draft, then 终审 publishes it."""
        article_update(
            article=self.article, by=None, check_permission=False, values={"body": body}
        )
        article_publish_content(article=self.article, by=None, reviewed=False)

    def test_marks_follow_the_live_body_after_a_new_version_is_published(self):
        self.assertEqual(len(stored_marks(self.article)), 1)
        self.publish(self.WITHOUT)
        self.article.refresh_from_db()
        self.assertNotIn("604项", self.article.body_text)
        # No mark may point at text the live body no longer has.
        self.assertEqual(stored_marks(self.article), [])

    def test_api_figures_follow_the_live_body(self):
        self.publish(self.WITHOUT)
        response = self.client.get(f"/api/v1/articles/{self.article.pk}/")
        self.assertEqual(response.status_code, 200, response.content[:300])
        self.assertEqual(response.json()["figures"], [])

    def test_a_version_with_the_sentence_again_brings_the_mark_back(self):
        self.publish(self.WITHOUT)
        self.publish(BODY)
        self.assertEqual(len(stored_marks(self.article)), 1)
        page = self.client.get(self.article.get_absolute_url())
        self.assertContains(page, "standards_national")


class CardAgreesWithIndicatorPageTests(Base):
    def test_the_cards_latest_is_the_indicator_pages(self):
        """Two preferred values of the city for periods ending the same day (H2
        entered before the year): the article's card and the indicator page show
        the same latest value."""
        h2 = PeriodFactory(
            kind=Period.Kind.HALF, start_on=date(2021, 7, 1), end_on=date(2021, 12, 31)
        )
        year = PeriodFactory(
            kind=Period.Kind.YEAR, start_on=date(2021, 1, 1), end_on=date(2021, 12, 31)
        )
        for period, value in ((h2, "650"), (year, "700")):
            ObservationFactory(
                indicator=self.indicator,
                region=self.region,
                period=period,
                value=Decimal(value),
                raw_text=f"{value}项",
            )
        (mark,) = stored_marks(self.article)
        page = self.client.get(self.indicator.get_absolute_url())
        self.assertEqual(mark["trend"][-1]["number"], str(page.context["latest"].value))
