"""Feeds, sitemaps and robots.txt, read by real parsers."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import feedparser
from django.core.cache import cache
from django.test import TestCase
from django.utils import timezone

from news.models import Article
from tests.factories import ArticleFactory, BylineFactory, ChannelFactory, TagFactory

SITEMAP_NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


class FeedFixture:
    @classmethod
    def setUpTestData(cls):
        now = timezone.now()
        cls.channel = ChannelFactory(name="计量", slug="计量")
        cls.other = ChannelFactory(name="品牌", slug="品牌")
        cls.new = ArticleFactory(
            channel=cls.channel,
            title="计量检定站揭牌 <新>",
            summary="全市新增社会公用计量标准12项。",
            published_at=now - timedelta(hours=3),
        )
        BylineFactory(article=cls.new, person__name="孙洪安")
        cls.old = ArticleFactory(
            channel=cls.other,
            title="新增山东名牌产品36个",
            published_at=now - timedelta(days=10),
        )
        cls.old.tags.add(TagFactory(name="山东名牌"))
        cls.draft = ArticleFactory(
            channel=cls.channel, title="草稿不出现", status=Article.Status.DRAFT
        )
        cls.scheduled = ArticleFactory(
            channel=cls.channel,
            title="定时不出现",
            published_at=now + timedelta(days=1),
        )

    def setUp(self):
        cache.clear()


class FeedTests(FeedFixture, TestCase):
    def parse(self, url):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        feed = feedparser.parse(response.content)
        self.assertFalse(feed.bozo, feed.get("bozo_exception"))
        return response, feed

    def test_site_rss_and_atom_list_published_articles_newest_first(self):
        for url, version in [("/feeds/rss/", "rss20"), ("/feeds/atom/", "atom10")]:
            with self.subTest(url=url):
                response, feed = self.parse(url)
                self.assertEqual(feed.version, version)
                self.assertEqual(
                    [e.title for e in feed.entries], [self.new.title, self.old.title]
                )
                entry = feed.entries[0]
                self.assertEqual(
                    entry.link, f"http://testserver{self.new.get_absolute_url()}"
                )
                self.assertIn("社会公用计量标准", entry.summary)
                self.assertEqual(entry.author, "孙洪安")
                self.assertEqual(entry.tags[0].term, "计量")
                self.assertIn("品质烟台", feed.feed.title)

    def test_channel_feeds_only_hold_the_channel(self):
        for url in ["/feeds/channel/计量/rss/", "/feeds/channel/计量/atom/"]:
            with self.subTest(url=url):
                _, feed = self.parse(url)
                self.assertEqual([e.title for e in feed.entries], [self.new.title])
                self.assertIn("计量", feed.feed.title)
        self.assertEqual(self.client.get("/feeds/channel/无/rss/").status_code, 404)

    def test_feed_query_budget(self):
        """Articles with channels + bylines, whatever the number of items."""
        with self.assertNumQueries(2):
            self.client.get("/feeds/rss/")
        with self.assertNumQueries(3):  # + the channel
            self.client.get("/feeds/channel/计量/rss/")

    def test_every_page_advertises_the_feeds(self):
        for url in [
            "/",
            "/news/channel/计量/",
            self.new.get_absolute_url(),
            "/search/",
        ]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(
                    response,
                    '<link rel="alternate" type="application/rss+xml"',
                )
                self.assertContains(
                    response,
                    '<link rel="alternate" type="application/atom+xml"',
                )
        self.assertContains(
            self.client.get("/news/channel/计量/"),
            'href="/feeds/channel/%E8%AE%A1%E9%87%8F/rss/"',
        )


class SitemapTests(FeedFixture, TestCase):
    def xml(self, url):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return ET.fromstring(response.content)

    def test_index_lists_the_sections(self):
        root = self.xml("/sitemap.xml")
        locs = [e.text for e in root.findall("sm:sitemap/sm:loc", SITEMAP_NS)]
        self.assertEqual(
            locs,
            [
                "http://testserver/sitemap-articles.xml",
                "http://testserver/sitemap-channels.xml",
                "http://testserver/sitemap-tags.xml",
            ],
        )

    def test_sections_list_public_pages_with_lastmod(self):
        articles = self.xml("/sitemap-articles.xml").findall("sm:url", SITEMAP_NS)
        self.assertEqual(
            [u.find("sm:loc", SITEMAP_NS).text for u in articles],
            [
                f"http://testserver{self.new.get_absolute_url()}",
                f"http://testserver{self.old.get_absolute_url()}",
            ],
        )
        for url in articles:
            self.assertIsNotNone(url.find("sm:lastmod", SITEMAP_NS))
        channels = self.xml("/sitemap-channels.xml").findall("sm:url", SITEMAP_NS)
        self.assertEqual(len(channels), 2)
        self.assertIsNotNone(channels[0].find("sm:lastmod", SITEMAP_NS))
        tags = self.xml("/sitemap-tags.xml").findall("sm:url/sm:loc", SITEMAP_NS)
        self.assertEqual(len(tags), 1)
        self.assertIn("/news/tag/", tags[0].text)

    def test_news_sitemap_holds_the_last_two_days(self):
        root = self.xml("/sitemap-news.xml")
        urls = root.findall("sm:url", SITEMAP_NS)
        self.assertEqual(len(urls), 1)
        news = urls[0].find("news:news", SITEMAP_NS)
        self.assertEqual(news.find("news:title", SITEMAP_NS).text, self.new.title)
        self.assertTrue(
            news.find("news:publication_date", SITEMAP_NS).text.endswith("+08:00")
        )

    def test_sitemap_query_budget(self):
        with self.assertNumQueries(2):  # count + page
            self.client.get("/sitemap-articles.xml")
        with self.assertNumQueries(2):
            self.client.get("/sitemap-channels.xml")

    def test_robots_names_the_sitemaps(self):
        response = self.client.get("/robots.txt")
        self.assertEqual(response["Content-Type"], "text/plain")
        text = response.content.decode()
        self.assertIn("Sitemap: http://testserver/sitemap.xml", text)
        self.assertIn("Sitemap: http://testserver/sitemap-news.xml", text)
        self.assertIn("Disallow: /admin/", text)
