"""What changes by the clock alone: a scheduled article becoming due, a public one
reaching its 下线时间. No write announces those moments, so no cache may keep a page
that they change past them: the server's shared entries (the home page's blocks,
往期回顾, the sitemaps) and the public caches (``Cache-Control`` of the lists, of an
article page whose 上一篇/下一篇 change then, of the 404 of an article not yet due).
"""

import re
import time
from datetime import timedelta

from django.core.cache import cache, caches
from django.test import TestCase
from django.utils import timezone

from news import pagecache
from news.models import Article
from tests.factories import ArticleFactory, ChannelFactory, TagFactory
from tests.news.test_fastpath import FastClient
from tests.test_httpcache import lifetimes_of

DEFAULTS = {"max-age": 60, "s-maxage": 300, "stale-while-revalidate": 600}


def in_seconds(seconds: float):
    return timezone.now() + timedelta(seconds=seconds)


# Lifetimes are whole seconds counted down from the moment: a slow machine's requests
# may take a few of them between the article's saving and the header.
SLACK = 5


class CacheClearedTestCase(TestCase):
    def setUp(self):
        cache.clear()
        caches["pages"].clear()
        caches["shared"].clear()

    def assertLifetime(self, got: int, seconds_left: int):
        """``got`` is the seconds left before a moment ``seconds_left`` ahead when
        the test made it, less the time taken since."""
        self.assertLessEqual(got, seconds_left)
        self.assertGreaterEqual(got, seconds_left - SLACK)


class NextChangeTests(CacheClearedTestCase):
    def test_the_first_of_a_due_time_and_a_takedown_time_among_published(self):
        now = timezone.now()
        self.assertIsNone(Article.objects.next_change_at(now))
        ArticleFactory(expires_at=now - timedelta(minutes=1))  # already gone
        ArticleFactory(published_at=now - timedelta(minutes=1))  # already due
        ArticleFactory(status=Article.Status.DRAFT, published_at=now + timedelta(1))
        self.assertIsNone(Article.objects.next_change_at(now))
        due = ArticleFactory(published_at=now + timedelta(hours=3)).published_at
        self.assertEqual(Article.objects.next_change_at(now), due)
        ends = ArticleFactory(expires_at=now + timedelta(hours=2)).expires_at
        with self.assertNumQueries(1):
            self.assertEqual(Article.objects.next_change_at(now), ends)
        # Taken down already: its 下线时间 changes nothing any more.
        Article.objects.filter(expires_at=ends).update(
            status=Article.Status.UNPUBLISHED
        )
        self.assertEqual(Article.objects.next_change_at(now), due)

    def test_kept_for_the_site_until_a_publication_or_the_moment(self):
        ArticleFactory(published_at=in_seconds(1.5))
        moment = pagecache.next_change()
        self.assertAlmostEqual(moment, time.time() + 1.5, delta=1)
        with self.assertNumQueries(0):
            self.assertEqual(pagecache.next_change(), moment)
        with self.captureOnCommitCallbacks(execute=True):
            pagecache.public_changed()  # a publication: a new public token
        with self.assertNumQueries(1):
            self.assertEqual(pagecache.next_change(), moment)
        time.sleep(max(0, moment - time.time()) + 0.05)
        with self.assertNumQueries(1):  # passed: worked out again
            self.assertIsNone(pagecache.next_change())


class ListLifetimeTests(CacheClearedTestCase):
    """Every news page but an article's (lists, search, feeds, archives) ends its
    lifetimes by the next article due or expiring anywhere, so that a copy a CDN
    keeps shows it, or drops it, from that moment on. The data home page does not
    (the data pages citing articles: tests/quality/test_cached_quotes_and_status)."""

    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory(name="计量", slug="计量")
        cls.tag = TagFactory(name="标准", slug="标准")
        cls.article = ArticleFactory(channel=cls.channel)
        cls.article.tags.add(cls.tag)

    def urls(self):
        return [
            "/",
            "/en/",
            "/news/channel/计量/",
            "/news/tag/标准/",
            "/news/archive/",
            f"/news/{self.article.published_at:%Y/%m}/",
            "/feeds/rss/",
            "/search/?q=质量",
        ]

    def lifetimes(self, url: str) -> dict[str, int]:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        self.assertIn("public", response["Cache-Control"], url)
        return lifetimes_of(response["Cache-Control"])

    def test_without_such_a_moment_the_settings(self):
        for url in self.urls():
            with self.subTest(url=url):
                self.assertEqual(self.lifetimes(url), DEFAULTS)

    def test_an_article_due_in_200_s_ends_every_shared_lifetime_then(self):
        ArticleFactory(channel=ChannelFactory(), published_at=in_seconds(200))
        self.assertEqual(self.lifetimes("/quality/"), DEFAULTS)
        for url in self.urls():
            with self.subTest(url=url):
                got = self.lifetimes(url)
                self.assertEqual(got["max-age"], 60)
                self.assertLifetime(got["s-maxage"], 200)
                self.assertEqual(got["stale-while-revalidate"], 0)

    def test_an_article_taken_down_in_30_s_ends_even_the_browsers(self):
        ArticleFactory(channel=ChannelFactory(), expires_at=in_seconds(30))
        ArticleFactory(published_at=in_seconds(3600))  # later: not the one
        for url in self.urls():
            with self.subTest(url=url):
                got = self.lifetimes(url)
                self.assertLifetime(got["max-age"], 30)
                self.assertLifetime(got["s-maxage"], 30)
                self.assertEqual(got["stale-while-revalidate"], 0)

    def test_the_404_of_an_article_not_yet_due_ends_when_it_is_due(self):
        scheduled = ArticleFactory(published_at=in_seconds(20))
        response = self.client.get(scheduled.get_absolute_url())
        self.assertEqual(response.status_code, 404)
        got = lifetimes_of(response["Cache-Control"])
        self.assertLifetime(got["max-age"], 20)
        self.assertLifetime(got["s-maxage"], 20)
        other = self.client.get("/news/999999/")
        self.assertLifetime(lifetimes_of(other["Cache-Control"])["max-age"], 20)


class ArticleNeighboursLifetimeTests(CacheClearedTestCase):
    """An article's page is right until its 上一篇/下一篇 or 相关新闻 change by the
    clock: the public caches keep it no longer, on Django's answer and the fast
    path's alike."""

    client_class = FastClient

    def setUp(self):
        super().setUp()
        self.channel = ChannelFactory()
        self.article = ArticleFactory(channel=self.channel)
        self.url = self.article.get_absolute_url()

    def test_a_next_article_due_in_200_s(self):
        ArticleFactory(channel=self.channel, published_at=in_seconds(200))
        ArticleFactory(published_at=in_seconds(100))  # another channel's: no change
        first = self.client.get(self.url)
        self.assertFalse(first.served_fast)
        second = self.client.get(self.url)
        self.assertTrue(second.served_fast)
        for response in (first, second):
            got = lifetimes_of(response["Cache-Control"])
            self.assertLifetime(got["s-maxage"], 200)
            self.assertEqual(got["stale-while-revalidate"], 0)

    def test_an_earlier_article_taken_down_in_90_s(self):
        earlier = ArticleFactory(
            channel=self.channel,
            published_at=self.article.published_at - timedelta(hours=1),
            expires_at=in_seconds(90),
        )
        response = self.client.get(self.url)
        self.assertContains(response, earlier.get_absolute_url())  # 上一篇
        got = lifetimes_of(response["Cache-Control"])
        self.assertEqual(got["max-age"], 60)
        self.assertLifetime(got["s-maxage"], 90)
        self.assertEqual(got["stale-while-revalidate"], 0)

    def test_nothing_due_the_settings(self):
        ArticleFactory(published_at=in_seconds(100))  # another channel's
        for _ in range(2):
            response = self.client.get(self.url)
            self.assertEqual(lifetimes_of(response["Cache-Control"]), DEFAULTS)


class SharedEntriesTests(CacheClearedTestCase):
    """The home page's blocks, 往期回顾 and the sitemaps, kept in the shared cache
    until a publication, show an article due a moment later from that moment on,
    and drop one that reaches its 下线时间, with no write in between."""

    def test_an_article_becoming_due_and_one_taken_down(self):
        old = ArticleFactory(
            title="即将下线的旧闻",
            published_at=timezone.now() - timedelta(days=400),
            expires_at=in_seconds(6),
        )
        new = ArticleFactory(title="定时发布的新闻", published_at=in_seconds(3))
        month_of_old = f'href="/news/{timezone.localtime(old.published_at):%Y/%m}/"'
        pages = {
            "/": ("定时发布的新闻", "即将下线的旧闻"),
            "/news/archive/": (None, month_of_old),
            "/sitemap-news.xml": (new.get_absolute_url(), None),
            "/sitemap-articles.xml": (new.get_absolute_url(), old.get_absolute_url()),
        }

        def check(due: bool, gone: bool):
            for url, (new_text, old_text) in pages.items():
                with self.subTest(url=url, due=due, gone=gone):
                    content = self.client.get(url).content.decode()
                    if new_text:
                        self.assertEqual(new_text in content, due)
                    if old_text:
                        self.assertEqual(old_text in content, not gone)

        check(due=False, gone=False)
        with self.assertNumQueries(0):  # all kept: the next requests are cached
            self.client.get("/sitemap-news.xml")
        time.sleep(max(0, new.published_at.timestamp() - time.time()) + 0.05)
        check(due=True, gone=False)
        time.sleep(max(0, old.expires_at.timestamp() - time.time()) + 0.05)
        check(due=True, gone=True)


class LatestFragmentTests(CacheClearedTestCase):
    """最新文章 (the fragment every article page shows, filled in on each answer, the
    fast path's too) shows an article from the moment it is due, and no longer shows
    one past its 下线时间, with no write in between."""

    client_class = FastClient

    def latest(self, url: str, *, fast: bool | None = None) -> str:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        if fast is not None:
            self.assertEqual(response.served_fast, fast)
        found = re.search(r'<section class="latest">.*?</section>', response.text, re.S)
        return found[0] if found else ""

    def test_an_article_becoming_due_and_one_taken_down(self):
        page = ArticleFactory(published_at=timezone.now() - timedelta(days=1))
        ArticleFactory(title="即将下线的近闻", expires_at=in_seconds(6))
        new = ArticleFactory(title="定时发布的新闻", published_at=in_seconds(3))
        url = page.get_absolute_url()
        self.assertIn("即将下线的近闻", self.latest(url, fast=False))
        latest = self.latest(url, fast=True)
        self.assertIn("即将下线的近闻", latest)
        self.assertNotIn("定时发布的新闻", latest)
        time.sleep(max(0, new.published_at.timestamp() - time.time()) + 0.05)
        latest = self.latest(url)
        self.assertIn("定时发布的新闻", latest)
        self.assertIn("即将下线的近闻", latest)
        self.assertIn("定时发布的新闻", self.latest(url, fast=True))
        ends = Article.objects.get(title="即将下线的近闻").expires_at.timestamp()
        time.sleep(max(0, ends - time.time()) + 0.05)
        self.assertNotIn("即将下线的近闻", self.latest(url))
        self.assertNotIn("即将下线的近闻", self.latest(url, fast=True))
