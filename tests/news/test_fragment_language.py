"""The shared fragments of the public pages (channel menu, 新闻推荐, footer:
``news.pagecache.FRAGMENTS``) are kept per language: whichever language's page
fills them first, the other language's pages get their own. The sitemaps, outside
the language prefix, are Chinese whatever the first client's Accept-Language."""

from django.core.cache import cache, caches
from django.test import TestCase
from django.utils import translation

from tests.factories import ArticleFactory, ChannelFactory


class FragmentLanguageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory(name="质量强市", slug="zlqs")
        cls.first = ArticleFactory(title="第一篇", channel=cls.channel)
        cls.second = ArticleFactory(title="第二篇", channel=cls.channel)

    def setUp(self):
        cache.clear()
        for alias in ("pages", "shared"):
            caches[alias].clear()
            self.addCleanup(caches[alias].clear)

    def english_url(self, article) -> str:
        with translation.override("en"):
            return article.get_absolute_url()

    def assertChinese(self, response, latest: bool = True) -> None:
        self.assertEqual(response.status_code, 200)
        if latest:
            self.assertContains(response, "<h2>新闻推荐</h2>")
        self.assertContains(response, '<li><a href="/news/channel/zlqs/">')
        self.assertNotContains(response, "Recommended")
        self.assertNotContains(response, 'href="/en/news/channel/')

    def assertEnglish(self, response, latest: bool = True) -> None:
        self.assertEqual(response.status_code, 200)
        if latest:
            self.assertContains(response, "Recommended")
        self.assertContains(response, '<a href="/en/news/channel/zlqs/">')
        self.assertNotContains(response, "<h2>新闻推荐</h2>")
        self.assertNotContains(response, '<li><a href="/news/channel/')

    def test_filled_first_by_an_english_page(self):
        self.assertEnglish(self.client.get(self.english_url(self.first)))
        self.assertChinese(self.client.get(self.second.get_absolute_url()))
        self.assertChinese(self.client.get("/"), latest=False)

    def test_filled_first_by_a_chinese_page(self):
        self.assertChinese(self.client.get(self.first.get_absolute_url()))
        self.assertEnglish(self.client.get(self.english_url(self.second)))
        self.assertEnglish(self.client.get("/en/"), latest=False)

    def test_sitemaps_first_asked_in_english_are_chinese(self):
        for path in ("/sitemap.xml", "/sitemap-articles.xml", "/sitemap-news.xml"):
            with self.subTest(path=path):
                english = self.client.get(path, HTTP_ACCEPT_LANGUAGE="en")
                chinese = self.client.get(path)
                self.assertEqual(english.status_code, 200)
                self.assertEqual(english.content, chinese.content)
                self.assertNotIn(b"/en/", chinese.content)
