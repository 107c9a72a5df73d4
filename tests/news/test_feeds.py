"""Feeds, sitemaps and robots.txt, read by real parsers."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import feedparser
from django.core.cache import cache, caches
from django.test import TestCase
from django.utils import timezone

from news.models import Article
from tests.factories import ArticleFactory, BylineFactory, ChannelFactory, TagFactory
from tests.quality.factories import (
    AwardFactory,
    IndicatorFactory,
    ObservationFactory,
    PeriodFactory,
    StandardFactory,
)

ATOM = "{http://www.w3.org/2005/Atom}"
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

    def test_english_atom_entries_say_they_are_chinese(self):
        """/en/ feeds: the feed's own words are English (xml:lang="en"), each entry
        — a Chinese article — says xml:lang="zh-Hans"; the Chinese feed says zh."""
        lang = "{http://www.w3.org/XML/1998/namespace}lang"
        for url, feed_lang, entry_lang in [
            ("/en/feeds/atom/", "en", "zh-Hans"),
            ("/en/feeds/channel/计量/atom/", "en", "zh-Hans"),
            ("/feeds/atom/", "zh-hans", None),
        ]:
            with self.subTest(url=url):
                root = ET.fromstring(self.client.get(url).content)
                self.assertEqual(root.get(lang), feed_lang)
                if feed_lang == "en":
                    self.assertIn("Quality Yantai", root.findtext(ATOM + "title"))
                entries = root.findall(ATOM + "entry")
                self.assertTrue(entries)
                self.assertEqual({e.get(lang) for e in entries}, {entry_lang})
        _, feed = self.parse("/en/feeds/rss/")
        self.assertEqual(feed.feed.language, "en")

    def test_every_atom_entry_has_an_author_with_a_name(self):
        """Atom requires an author per entry or for the feed: an article with no
        byline and no source is the site's, not <author><name/></author>."""
        ArticleFactory(channel=self.channel, source="", title="无署名")
        for url in ("/feeds/atom/", "/en/feeds/atom/"):
            with self.subTest(url=url):
                root = ET.fromstring(self.client.get(url).content)
                names = [n.text for n in root.iter(ATOM + "name")]
                self.assertTrue(all(names), names)
                feed_author = root.find(ATOM + "author")
                for entry in root.findall(ATOM + "entry"):
                    self.assertIsNotNone(
                        entry.find(ATOM + "author") or feed_author,
                        entry.findtext(ATOM + "title"),
                    )

    def test_feed_query_budget(self):
        """Articles with channels + bylines, whatever the number of items, and the
        next article due or expiring (its lifetime in shared caches; then cached)."""
        with self.assertNumQueries(3):
            self.client.get("/feeds/rss/")
        with self.assertNumQueries(3):  # + the channel, the next change cached
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

    def test_article_page_advertises_the_channel_rss_and_atom_feeds(self):
        html = self.client.get(self.new.get_absolute_url()).content.decode()
        head = html.split("</head>", 1)[0]
        for kind, label in [("rss", "RSS"), ("atom", "Atom")]:
            with self.subTest(kind=kind):
                self.assertIn(
                    f'<link rel="alternate" type="application/{kind}+xml" '
                    f'title="计量 ({label})" '
                    f'href="/feeds/channel/%E8%AE%A1%E9%87%8F/{kind}/">',
                    head,
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
                "http://testserver/sitemap-data.xml",
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

    def test_data_section_lists_dashboard_public_indicators_and_registries(self):
        reported = ObservationFactory(indicator__code="standards_national").indicator
        IndicatorFactory(code="no_figures_yet")
        IndicatorFactory(code="internal_only", is_public=False)
        StandardFactory()
        urls = {
            u.find("sm:loc", SITEMAP_NS).text: u.find("sm:lastmod", SITEMAP_NS)
            for u in self.xml("/sitemap-data.xml").findall("sm:url", SITEMAP_NS)
        }
        base = "http://testserver/quality/"
        self.assertEqual(
            list(urls),
            [
                base,
                f"{base}indicators/no_figures_yet/",  # same topic: by code
                f"{base}indicators/standards_national/",
                f"{base}standards/",  # the one registry that holds an entry
            ],
        )
        # lastmod: the newest observation of the indicator (and of all, for the
        # dashboard); none where nothing dates the page.
        created = reported.observations.get().created_at
        day = timezone.localdate(created).isoformat()
        self.assertEqual(urls[base].text, day)
        self.assertEqual(urls[f"{base}indicators/standards_national/"].text, day)
        self.assertIsNone(urls[f"{base}indicators/no_figures_yet/"])
        self.assertIsNone(urls[f"{base}standards/"])

    def test_news_sitemap_holds_the_last_two_days(self):
        root = self.xml("/sitemap-news.xml")
        urls = root.findall("sm:url", SITEMAP_NS)
        self.assertEqual(len(urls), 1)
        news = urls[0].find("news:news", SITEMAP_NS)
        self.assertEqual(news.find("news:title", SITEMAP_NS).text, self.new.title)
        self.assertTrue(
            news.find("news:publication_date", SITEMAP_NS).text.endswith("+08:00")
        )

    def assert_queries_do_not_grow(self, expected: dict[str, int]):
        """``expected`` queries per URL, before and after many more rows."""

        def check():
            for url, count in expected.items():
                cache.clear()
                caches["shared"].clear()  # the sitemaps are cached
                with self.subTest(url=url), self.assertNumQueries(count):
                    self.assertEqual(self.client.get(url).status_code, 200)

        check()
        now = timezone.now()
        for n in range(3):
            channel = ChannelFactory(name=f"栏目{n}", slug=f"栏目{n}")
            article = ArticleFactory(channel=channel, published_at=now)
            article.tags.add(TagFactory(name=f"标签{n}"))
            BylineFactory(article=article)
            for year in (2019, 2020):
                ObservationFactory(
                    indicator__code=f"indicator_extra_{n}",
                    period=PeriodFactory(end_on=date(year, 12, 31)),
                )
            AwardFactory()
        check()

    def test_sitemap_query_budget(self):
        self.assert_queries_do_not_grow(
            {
                # Each section: its items (with lastmod) + the page count, for the
                # latest lastmod; the data section, one query for everything and one for
                # the registries that hold entries. And, cold, the next article due
                # or expiring: the cached sitemap is kept until then.
                "/sitemap.xml": 9,
                "/sitemap-articles.xml": 3,  # count + page
                "/sitemap-channels.xml": 3,
                "/sitemap-tags.xml": 3,
                "/sitemap-news.xml": 3,
                "/sitemap-data.xml": 3,  # and the registries that hold entries
                "/robots.txt": 0,
            }
        )

    def test_robots_names_the_sitemaps(self):
        response = self.client.get("/robots.txt")
        self.assertEqual(response["Content-Type"], "text/plain")
        text = response.content.decode()
        self.assertIn("Sitemap: http://testserver/sitemap.xml", text)
        self.assertIn("Sitemap: http://testserver/sitemap-news.xml", text)
        self.assertIn("Disallow: /admin/", text)
        # Both languages' search results and preference links (/…, /en/…).
        for path in ["/search/", "/reading/", "/en/search/", "/en/reading/"]:
            self.assertIn(f"Disallow: {path}\n", text)
