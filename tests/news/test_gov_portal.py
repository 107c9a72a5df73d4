"""The public pages against a Chinese government portal's conventions
(《政府网站发展指引》, 国办发〔2017〕47号, and its page metadata): the article page's
``<title>`` "文章标题_栏目_站点名" and metadata tags, the footer's 党政机关网站标识
and 版权声明/隐私声明 links — each shown only from data staff entered."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.cache import cache, caches
from django.test import TestCase
from django.utils import translation

from tests.factories import ArticleFactory, ChannelFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def clear_caches():
    cache.clear()
    caches["shared"].clear()
    caches["pages"].clear()


def head(html: str) -> str:
    return html.split("</head>", 1)[0]


def meta(html: str, name: str) -> str | None:
    """The content of ``<meta name="name">`` in the page's head, None without one."""
    found = re.findall(rf'<meta name="{name}" content="([^"]*)">', head(html))
    assert len(found) <= 1, f"{name} more than once"
    return found[0] if found else None


class PageTestCase(TestCase):
    def setUp(self):
        translation.activate("zh-hans")
        self.addCleanup(translation.deactivate)
        clear_caches()

    def page(self, url: str) -> str:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()


class ArticleHeadTests(PageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory(name="质量监管")
        # 02:36 UTC is 10:36 in Beijing: the PubDate is Beijing time.
        cls.article = ArticleFactory(
            channel=cls.channel,
            title="计量检定站揭牌 <新>",
            source="烟台日报",
            published_at=datetime(2021, 1, 7, 2, 36, tzinfo=ZoneInfo("UTC")),
        )

    def test_title_is_article_channel_site(self):
        html = self.page(self.article.get_absolute_url())
        self.assertIn(
            "<title>计量检定站揭牌 &lt;新&gt;_质量监管_品质烟台</title>", html
        )
        english = self.page("/en" + self.article.get_absolute_url())
        self.assertIn(
            "<title>计量检定站揭牌 &lt;新&gt;_质量监管_Quality Yantai</title>", english
        )

    def test_government_metadata_from_the_article(self):
        html = self.page(self.article.get_absolute_url())
        self.assertEqual(meta(html, "SiteName"), "品质烟台")
        self.assertEqual(meta(html, "ColumnName"), "质量监管")
        self.assertEqual(meta(html, "ArticleTitle"), "计量检定站揭牌 &lt;新&gt;")
        self.assertEqual(meta(html, "PubDate"), "2021-01-07 10:36")
        self.assertEqual(meta(html, "ContentSource"), "烟台日报")
        english = self.page("/en" + self.article.get_absolute_url())
        self.assertEqual(meta(english, "SiteName"), "Quality Yantai")
        self.assertEqual(meta(english, "ColumnName"), "质量监管")
        self.assertEqual(meta(english, "PubDate"), "2021-01-07 10:36")

    def test_no_source_no_content_source(self):
        """An article without a 来源 gets no ContentSource (none is made up)."""
        own = ArticleFactory(channel=self.channel, source="")
        html = self.page(own.get_absolute_url())
        self.assertIsNone(meta(html, "ContentSource"))
        self.assertEqual(meta(html, "ArticleTitle"), own.title)

    def test_other_pages_carry_the_site_name_and_a_channel_its_column(self):
        home = self.page("/")
        self.assertEqual(meta(home, "SiteName"), "品质烟台")
        self.assertIsNone(meta(home, "ColumnName"))
        self.assertIsNone(meta(home, "ArticleTitle"))
        channel = self.page(self.channel.get_absolute_url())
        self.assertEqual(meta(channel, "ColumnName"), "质量监管")
        self.assertIsNone(meta(channel, "PubDate"))

    def test_query_count_unchanged(self):
        """The tags come from what the page already has: cold caches, the same
        statements as before (the budget is 6)."""
        with self.assertNumQueries(4):
            self.client.get(self.article.get_absolute_url())
