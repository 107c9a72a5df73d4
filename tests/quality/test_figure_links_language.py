"""The stored figure marks are the same whatever language their write ran in.

The marks (``news`` ``ArticleFigures.marks``) hold the indicator page's Chinese
address; each page puts its own language's in when it renders them
(``quality_tags``). A write may run in English — an editor whose browser asks for
English works in an English admin, an API client may send ``Accept-Language: en``,
a command may run inside ``translation.override("en")`` — and must still store the
Chinese address, or Chinese pages would link to English ones.
"""

from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from news.models import ArticleFigures
from quality.figure_review import figure_proposal_confirm, figure_proposals_extract
from quality.models import FigureProposal
from tests.api import ApiTestCase, token_for, user_with_perms
from tests.factories import ArticleFactory, UserFactory
from tests.quality.factories import (
    IndicatorFactory,
    ObservationFactory,
    PeriodFactory,
    RegionFactory,
)
from tests.quality.test_figure_review import REVIEWER_PERMISSIONS, messages_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
BODY = "<p>截至目前，烟台市共参与制修订604项国家标准。</p>"
CHINESE = "/quality/indicators/standards_national/"
ENGLISH = "/en/quality/indicators/standards_national/"


class StoredMarksLanguageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.region = RegionFactory()
        cls.indicator = IndicatorFactory(code="standards_national", name="国家标准")
        cls.staff = UserFactory(username="reviewer", is_staff=True)
        cls.staff.user_permissions.add(*Permission.objects.filter(REVIEWER_PERMISSIONS))
        cls.article = ArticleFactory(
            body=BODY, published_at=datetime(2021, 1, 7, 10, 36, tzinfo=SHANGHAI)
        )
        figure_proposals_extract(article=cls.article)

    def setUp(self):
        cache.clear()

    def confirm(self) -> None:
        figure_proposal_confirm(
            proposal=FigureProposal.objects.get(raw_text="604项"),
            indicator=self.indicator,
            region=self.region,
            by=self.staff,
        )

    def assertChineseMarks(self) -> None:
        marks = ArticleFigures.objects.get(article=self.article).marks
        self.assertEqual([m["url"] for m in marks], [CHINESE])
        # Each page links its own language's indicator page.
        chinese = self.client.get(self.article.get_absolute_url())
        self.assertContains(chinese, f'class="figure" href="{CHINESE}"')
        self.assertNotContains(chinese, ENGLISH)
        with translation.override("en"):
            english_url = self.article.get_absolute_url()
        self.assertTrue(english_url.startswith("/en/"))
        english = self.client.get(english_url)
        self.assertContains(english, f'class="figure" href="{ENGLISH}"')

    def test_confirmed_in_an_english_admin(self):
        self.client.force_login(self.staff)
        url = reverse("admin:quality_figureproposal_extract", args=[self.article.pk])
        response = self.client.post(
            url,
            {
                "proposal": FigureProposal.objects.get(raw_text="604项").pk,
                "action": "confirm",
                "indicator": self.indicator.pk,
                "region": self.region.pk,
            },
            follow=True,
            HTTP_ACCEPT_LANGUAGE="en",
        )
        self.assertEqual(response.status_code, 200)
        # The request was an English one.
        self.assertTrue(messages_of(response)[0].startswith("Confirmed"))
        self.client.logout()
        self.assertChineseMarks()

    def test_confirmed_by_a_service_called_in_english(self):
        with translation.override("en"):
            self.confirm()
        self.assertChineseMarks()

    def test_an_observation_added_in_english_refreshes_them_in_chinese(self):
        self.confirm()
        with translation.override("en"):
            ObservationFactory(
                indicator=self.indicator,
                region=self.region,
                period=PeriodFactory(end_on=date(2021, 6, 30)),
                value=Decimal("650"),
            )
        marks = ArticleFigures.objects.get(article=self.article).marks
        self.assertEqual(Decimal(marks[0]["trend"][-1]["number"]), 650)
        self.assertChineseMarks()

    def test_rebuild_figure_links_run_in_english(self):
        self.confirm()
        ArticleFigures.objects.all().delete()
        with translation.override("en"):
            call_command("rebuild_figure_links", stdout=StringIO())
        self.assertChineseMarks()


class StoredMarksApiLanguageTests(ApiTestCase):
    def test_an_observation_added_through_an_english_api_request(self):
        region = RegionFactory()
        indicator = IndicatorFactory(code="standards_national", name="国家标准")
        article = ArticleFactory(
            body=BODY, published_at=datetime(2021, 1, 7, 10, 36, tzinfo=SHANGHAI)
        )
        figure_proposals_extract(article=article)
        figure_proposal_confirm(
            proposal=FigureProposal.objects.get(raw_text="604项"),
            indicator=indicator,
            region=region,
            by=UserFactory(username="reviewer", is_staff=True),
        )
        staff = user_with_perms(
            "data", "quality.add_observation", "quality.view_observation"
        )
        self.auth(token_for(staff))
        response = self.client.post(
            "/api/v1/observations/",
            {
                "indicator": "standards_national",
                "region": "370600",
                "period": "@2021-06-30",
                "value": "650",
                "raw_text": "650项",
                "source_publisher": "烟台市市场监督管理局",
                "source_title": "烟台市质量发展统计",
            },
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response["Content-Language"], "en")
        marks = ArticleFigures.objects.get(article=article).marks
        self.assertEqual(Decimal(marks[0]["trend"][-1]["number"]), 650)
        self.assertEqual([m["url"] for m in marks], [CHINESE])
        # And the API's figures of the article give the Chinese page's address.
        figures = self.client.get(f"/api/v1/articles/{article.pk}/").json()["figures"]
        self.assertEqual([f["url"] for f in figures], [f"http://testserver{CHINESE}"])
