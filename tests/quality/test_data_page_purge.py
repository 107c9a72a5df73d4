"""The data pages that show an article — its source label, link or quoted sentence
(an indicator's page and its downloads, the whole dataset, the 抽检 list) — are
refreshed in nginx and purged from the CDN with the article's own pages when the
article is published, corrected or withdrawn; and an observation's own change
refreshes the pages that show it (quality/frontcache.py, news/frontcache.py).

The nginx and CDN sides are the recording stand-ins of tests/news/test_frontcache.py
(an HTTP server, and the cloud API called through 腾讯云's real SDK)."""

from __future__ import annotations

from datetime import date
from urllib.parse import unquote, urlsplit

from django.test import TestCase, override_settings
from django.urls import reverse

from news import frontcache
from news.models import Article
from news.services import article_update
from news.workflow import article_publish_content, article_unpublish
from quality.models import Observation, Period
from tests.api import token_for, user_with_perms
from tests.factories import ArticleFactory, ChannelFactory, UserFactory
from tests.news.test_frontcache import CloudAPI, Recorder, serving

from .factories import (
    IndicatorFactory,
    ObservationFactory,
    PeriodFactory,
    RegionFactory,
    SamplingCampaignFactory,
    SchemeFactory,
)

SITE = "https://quality.example.gov.cn"
QUOTE = "全市新增山东名牌产品181个"


def both_languages(*paths: str) -> set[str]:
    return {address for path in paths for address in (path, f"/en{path}")}


def indicator_pages(code: str) -> set[str]:
    base = f"/quality/indicators/{code}"
    return both_languages(
        f"{base}/", f"{base}.csv", f"{base}.json", f"{base}.xlsx", f"{base}.svg"
    )


def data_pages(paths) -> set[str]:
    return {p for p in paths if p.startswith(("/quality/", "/en/quality/"))}


class PurgeStandIns(TestCase):
    """nginx and 腾讯云 CDN stand-ins, named in the settings."""

    def setUp(self):
        self.log: list[tuple[str, str]] = []
        self.nginx, self.api = serving(self, Recorder(self.log), CloudAPI(self.log))
        overridden = override_settings(
            FRONTEND_CACHE_URLS=[self.nginx.url],
            FRONTEND_CACHE_CDN="tencent",
            FRONTEND_CACHE_CDN_ENDPOINT=self.api.url,
            FRONTEND_CACHE_CDN_KEY_ID="AKID-yantai",
            FRONTEND_CACHE_CDN_SECRET="s3cret",
            SITE_URL=SITE,
        )
        overridden.enable()
        self.addCleanup(overridden.disable)

    def purged(self) -> set[str]:
        """The data pages nginx refreshed, checked to be the ones the CDN purged."""
        frontcache.wait(60)
        cdn = {
            unquote(urlsplit(url).path)
            + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")
            for _action, urls, _key in self.api.calls
            for url in urls
        }
        self.assertEqual(cdn, self.nginx.paths())
        return data_pages(self.nginx.paths())


class ArticleChangePurgesDataPagesTests(PurgeStandIns):
    @classmethod
    def setUpTestData(cls):
        cls.editor = UserFactory(is_staff=True, is_superuser=True)
        channel = ChannelFactory(name="质量强市", slug="质量强市")
        cls.article = ArticleFactory(
            title="烟台新增山东名牌产品181个",
            channel=channel,
            body=f"<p>{QUOTE}。</p>",
        )
        region = RegionFactory()
        cited = {"article": cls.article, "quote": QUOTE}
        cited |= {"source_publisher": "", "source_title": ""}
        # Two public indicators show the article: one by its preferred value, one
        # by another wording (listed with its source, never charted).
        ObservationFactory(
            indicator=IndicatorFactory(code="brands"), region=region, **cited
        )
        ObservationFactory(
            indicator=IndicatorFactory(code="brands_other"),
            region=region,
            is_preferred=False,
            **cited,
        )
        # A hidden indicator's pages are 404 whatever the article does.
        ObservationFactory(
            indicator=IndicatorFactory(code="hidden", is_public=False),
            region=region,
            **cited,
        )
        # An unrelated indicator, from an external source.
        ObservationFactory(indicator=IndicatorFactory(code="unrelated"), region=region)
        # The 抽检 list, 50 a page, newest period first: the campaign citing the
        # article is the 51st, on page 2.
        later = PeriodFactory(
            code="2024",
            kind=Period.Kind.YEAR,
            end_on=date(2024, 12, 31),
            start_on=date(2024, 1, 1),
        )
        for _n in range(50):
            SamplingCampaignFactory(period=later)
        SamplingCampaignFactory(article=cls.article, quote=QUOTE)

    def expected(self) -> set[str]:
        return (
            indicator_pages("brands")
            | indicator_pages("brands_other")
            | both_languages(
                "/quality/data.csv", "/quality/data.xlsx", "/quality/sampling/?page=2"
            )
        )

    def test_a_withdrawal_purges_the_data_pages_citing_the_article(self):
        with self.assertNoLogs("news.frontcache", "WARNING"):
            with self.captureOnCommitCallbacks(execute=True):
                article_unpublish(article=self.article, by=self.editor)
            self.assertEqual(self.purged(), self.expected())
        # With the article's own page, in the same calls of the batch size.
        self.assertIn(f"/news/{self.article.pk}/", self.nginx.paths())
        self.assertEqual(len(self.api.calls), 1)

    def test_a_publication_and_a_correction_purge_them_too(self):
        Article.objects.filter(pk=self.article.pk).update(
            status=Article.Status.REVIEW_3
        )
        self.article.refresh_from_db()
        with self.captureOnCommitCallbacks(execute=True):
            article_publish_content(article=self.article, by=self.editor)
        self.assertEqual(self.purged(), self.expected())
        self.nginx.requests.clear()
        self.api.calls.clear()
        # A correction: a draft over the live article, published.
        article_update(
            article=self.article,
            by=self.editor,
            values={"title": "烟台新增山东名牌产品181个（更正）"},
        )
        with self.captureOnCommitCallbacks(execute=True):
            article_publish_content(
                article=self.article, by=self.editor, reviewed=False
            )
        self.assertEqual(self.purged(), self.expected())

    def test_an_article_no_value_cites_purges_no_data_page(self):
        other = ArticleFactory(channel=self.article.channel)
        with self.captureOnCommitCallbacks(execute=True):
            article_unpublish(article=other, by=self.editor)
        self.assertEqual(self.purged(), set())
        self.assertIn(f"/news/{other.pk}/", self.nginx.paths())


class ObservationChangePurgesDataPagesTests(PurgeStandIns):
    @classmethod
    def setUpTestData(cls):
        cls.indicator = IndicatorFactory(code="brands")
        SchemeFactory(indicator=cls.indicator)  # the honours list reports it
        RegionFactory()
        IndicatorFactory(code="unrelated")
        cls.observation = ObservationFactory(indicator=cls.indicator)

    def expected(self) -> set[str]:
        return indicator_pages("brands") | both_languages(
            "/quality/",
            "/quality/data.csv",
            "/quality/data.xlsx",
            "/quality/honours/",
        )

    def test_one_added_through_the_api_purges_its_pages(self):
        staff = user_with_perms(
            "data", "quality.add_observation", "quality.view_observation"
        )
        self.client.defaults["HTTP_AUTHORIZATION"] = f"Token {token_for(staff)}"
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                "/api/v1/observations/",
                {
                    "indicator": "brands",
                    "region": "370600",
                    "period": "2021",
                    "value": "181",
                    "raw_text": "181个",
                    "source_publisher": "烟台市市场监督管理局",
                    "source_title": "烟台市质量发展统计",
                },
                content_type="application/json",
            )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(self.purged(), self.expected())

    def test_one_deleted_in_the_admin_purges_its_pages(self):
        self.client.force_login(UserFactory(is_staff=True, is_superuser=True))
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("admin:quality_observation_delete", args=[self.observation.pk]),
                {"post": "yes"},
            )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Observation.objects.filter(pk=self.observation.pk).exists())
        self.assertEqual(self.purged(), self.expected())

    def test_nothing_is_sent_without_a_front_end_cache(self):
        with (
            override_settings(FRONTEND_CACHE_URLS=[], FRONTEND_CACHE_CDN=""),
            self.captureOnCommitCallbacks(execute=True),
        ):
            self.observation.note = "改备注"
            self.observation.save(update_fields=["note"])
        frontcache.wait(60)
        self.assertEqual(self.nginx.requests, [])
        self.assertEqual(self.api.calls, [])
