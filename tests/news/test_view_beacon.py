"""The view beacon counts a reader once per article per period, and is throttled.

Before: 100 anonymous POSTs to /news/<id>/view were 100 views, so 阅读排行 could be
pushed by anyone with curl and a browser User-Agent.
"""

import time

from django.conf import settings
from django.test import TestCase, override_settings

from news.models import Article
from tests.factories import ArticleFactory

BROWSER_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36"
)
OTHER_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Safari/604.1"


class ViewBeaconAbuseTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()
        cls.other = ArticleFactory()

    def beacon(self, article=None, address="203.0.113.7", ua=BROWSER_UA, **extra):
        article = article or self.article
        return self.client.post(
            f"/news/{article.pk}/view",
            REMOTE_ADDR=address,
            HTTP_USER_AGENT=ua,
            **extra,
        )

    def views(self, article=None) -> int:
        return Article.objects.get(pk=(article or self.article).pk).view_count

    def test_production_values(self):
        self.assertEqual(settings.VIEW_COUNT_PERIOD_SECONDS, 1800)
        self.assertEqual(settings.VIEW_BEACON_RATE, "60/min")

    def test_a_hundred_posts_from_one_client_are_one_view(self):
        codes = [self.beacon().status_code for _ in range(100)]
        self.assertEqual(self.views(), 1)
        # The first 60 in a minute are answered (counted once), the rest throttled.
        self.assertEqual(codes, [204] * 60 + [429] * 40)

    def test_throttled_beyond_the_rate_with_retry_after(self):
        with override_settings(VIEW_BEACON_RATE="3/min"):
            codes = [self.beacon().status_code for _ in range(3)]
            response = self.beacon(self.other)
        self.assertEqual(codes, [204, 204, 204])
        self.assertEqual(response.status_code, 429)
        self.assertGreater(int(response["Retry-After"]), 0)
        self.assertIn("请求过于频繁，请稍后再试。", response.content.decode())
        # A throttled beacon counts nothing.
        self.assertEqual(self.views(self.other), 0)
        # Another client is not throttled.
        with override_settings(VIEW_BEACON_RATE="3/min"):
            self.assertEqual(self.beacon(address="203.0.113.8").status_code, 204)

    def test_two_clients_are_two_views(self):
        for _ in range(5):
            self.beacon(address="203.0.113.7")
            self.beacon(address="203.0.113.8")
        self.assertEqual(self.views(), 2)

    def test_two_browsers_behind_one_address_are_two_views(self):
        for _ in range(5):
            self.beacon(ua=BROWSER_UA)
            self.beacon(ua=OTHER_UA)
        self.assertEqual(self.views(), 2)

    def test_each_article_counts_once_for_the_same_client(self):
        for _ in range(3):
            self.beacon(self.article)
            self.beacon(self.other)
        self.assertEqual(self.views(), 1)
        self.assertEqual(self.views(self.other), 1)

    def test_after_the_period_the_client_counts_again(self):
        with override_settings(VIEW_COUNT_PERIOD_SECONDS=1):
            self.beacon()
            self.beacon()
            self.assertEqual(self.views(), 1)
            time.sleep(1.1)
            self.beacon()
        self.assertEqual(self.views(), 2)

    def test_forged_forwarded_for_does_not_make_new_readers(self):
        for i in range(10):
            self.beacon(HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
        self.assertEqual(self.views(), 1)

    def test_behind_a_proxy_readers_are_told_apart_by_the_forwarded_address(self):
        proxied = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
        with override_settings(REST_FRAMEWORK=proxied):
            for i in range(2):
                for forged in range(3):
                    self.beacon(
                        address="10.0.0.1",
                        HTTP_X_FORWARDED_FOR=f"6.6.6.{forged}, 198.51.100.{i}",
                    )
        self.assertEqual(self.views(), 2)
