"""What the data pages show may change without a write to the data: a quoted source
article withdrawn or published (``Observation.public_quote``), the same article
becoming due or reaching its 下线时间, and a certificate passing its 有效期止
(``Award.status_on``). No cache — the server's, the API's ETag, a browser's or a
CDN's — may show the old state past what docs/architecture.md allows ("What may
lag, and for how long")."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from unittest import mock

from django.core.cache import cache, caches
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from news.models import Article
from news.workflow import article_publish, article_unpublish
from quality.services import observation_create
from tests.factories import ArticleFactory, UserFactory
from tests.news.test_clock_changes import SLACK, in_seconds
from tests.test_httpcache import lifetimes_of
from yantai import httpcache

from .factories import AwardFactory, IndicatorFactory, RegionFactory
from .test_unpublished_sources import response_text

QUOTE = "全市本季度抽检共发现不合格产品600项"


class CitedArticleTestCase(TestCase):
    def setUp(self):
        cache.clear()
        caches["pages"].clear()
        caches["shared"].clear()
        self.indicator = IndicatorFactory(code="cited", is_public=True)

    def cite(self, article: Article):
        return observation_create(
            indicator=self.indicator,
            region=RegionFactory(),
            period="2021",
            value=Decimal("600"),
            raw_text="600项",
            quote=QUOTE,
            article=article,
        )


class QuoteFollowsTheArticleTests(CitedArticleTestCase):
    """Withdrawal and publication are events: the next request, and a client
    revalidating the copy it holds, get the new state."""

    def test_withdrawn_then_published_again_on_the_next_request(self):
        chief = UserFactory(is_superuser=True)
        article = ArticleFactory(body=f"<p>{QUOTE}。</p>")
        observation = self.cite(article)
        urls = [
            reverse("quality:indicator-detail", args=["cited"]),
            reverse("quality:indicator-csv", args=["cited"]),
            reverse("quality:indicator-json", args=["cited"]),
            reverse("quality:dataset-csv"),
            "/api/v1/observations/?indicator=cited",
            f"/api/v1/observations/{observation.pk}/",
        ]
        before = {}
        for url in urls:
            response = self.client.get(url)
            self.assertIn(QUOTE, response_text(response), url)
            before[url] = response.get("ETag")
        with self.captureOnCommitCallbacks(execute=True):
            article_unpublish(article=article, by=chief)
        for url in urls:
            with self.subTest(url=url, after="withdrawn"):
                response = self.client.get(url, HTTP_IF_NONE_MATCH=before[url] or "")
                self.assertEqual(response.status_code, 200)
                self.assertNotIn(QUOTE, response_text(response))
        with self.captureOnCommitCallbacks(execute=True):
            article_publish(article=Article.objects.get(pk=article.pk), by=chief)
        for url in urls:
            with self.subTest(url=url, after="published"):
                self.assertIn(QUOTE, response_text(self.client.get(url)))


class QuoteByTheClockLifetimeTests(CitedArticleTestCase):
    """An article becoming due or reaching its 下线时间 shows or hides its quote
    (and its title and link) on the data pages and downloads with no write: their
    lifetimes in browsers, nginx and CDNs end then, as the news pages' do."""

    citing = [
        ("quality:indicator-detail", ["cited"]),
        ("quality:indicator-csv", ["cited"]),
        ("quality:indicator-json", ["cited"]),
        ("quality:indicator-xlsx", ["cited"]),
        ("quality:dataset-csv", []),
        ("quality:dataset-xlsx", []),
        ("quality:sampling-list", []),
    ]

    def lifetimes(self, name, args) -> dict[str, int]:
        response = self.client.get(reverse(name, args=args))
        self.assertEqual(response.status_code, 200, name)
        self.assertIn("public", response["Cache-Control"], name)
        return lifetimes_of(response["Cache-Control"])

    def test_a_quoted_article_taken_down_in_30_s(self):
        self.cite(ArticleFactory(body=f"<p>{QUOTE}。</p>", expires_at=in_seconds(30)))
        page = self.client.get(reverse("quality:indicator-detail", args=["cited"]))
        self.assertContains(page, QUOTE)
        for name, args in self.citing:
            with self.subTest(url=name):
                got = self.lifetimes(name, args)
                self.assertLessEqual(got["max-age"], 30)
                self.assertGreaterEqual(got["s-maxage"], 30 - SLACK)
                self.assertLessEqual(got["s-maxage"], 30)
                self.assertEqual(got["stale-while-revalidate"], 0)

    def test_an_article_due_in_200_s(self):
        self.cite(ArticleFactory(body=f"<p>{QUOTE}。</p>"))
        ArticleFactory(published_at=in_seconds(200))
        for name, args in self.citing:
            with self.subTest(url=name):
                got = self.lifetimes(name, args)
                self.assertEqual(got["max-age"], 60)
                self.assertLessEqual(got["s-maxage"], 200)
                self.assertEqual(got["stale-while-revalidate"], 0)


def shanghai(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=timezone.get_current_timezone())


class CertificateExpiryLifetimeTests(TestCase):
    """A certificate is 有效 through its 有效期止 and 过期 from the next day
    (``Award.status_on``, Asia/Shanghai), with no write: the lists' lifetimes end at
    the next midnight, so that no copy made on the last day is shown the day after."""

    @classmethod
    def setUpTestData(cls):
        cls.last_day = date(2031, 5, 31)
        AwardFactory(subject="到期的葡萄酒", valid_to=cls.last_day)

    def setUp(self):
        cache.clear()

    def at(self, moment: datetime):
        """The clock at ``moment``: Django's (dates, statuses) and the headers'."""
        return (
            mock.patch.object(timezone, "now", return_value=moment),
            mock.patch.object(httpcache.time, "time", return_value=moment.timestamp()),
        )

    def get(self, url: str, moment: datetime):
        now, clock = self.at(moment)
        with now, clock:
            return self.client.get(url)

    def test_a_list_made_on_the_last_day_ends_at_midnight(self):
        late = shanghai(self.last_day, time(23, 59, 30))
        for url in ["/quality/honours/", "/api/v1/honours/"]:
            response = self.get(url, late)
            self.assertIn(
                "有效" if url.startswith("/quality") else "active",
                response.content.decode(),
            )
        response = self.get("/quality/honours/", late)
        got = lifetimes_of(response["Cache-Control"])
        self.assertLessEqual(got["max-age"], 30)
        self.assertLessEqual(got["s-maxage"], 30)
        self.assertEqual(got["stale-while-revalidate"], 0)
        next_day = shanghai(self.last_day + timedelta(days=1), time(0, 0, 1))
        again = self.get("/quality/honours/", next_day)
        self.assertEqual(again.status_code, 200)
        html = again.content.decode()
        row = html[html.index("到期的葡萄酒") :].split("</tr>", 1)[0]
        self.assertIn("过期", row)
        api = self.get("/api/v1/honours/", next_day).json()["results"]
        self.assertEqual([r["status"] for r in api], ["expired"])

    def test_earlier_in_the_day_the_settings_or_midnight(self):
        noon = shanghai(self.last_day, time(12))
        got = lifetimes_of(self.get("/quality/honours/", noon)["Cache-Control"])
        self.assertEqual(
            got, {"max-age": 60, "s-maxage": 300, "stale-while-revalidate": 600}
        )
