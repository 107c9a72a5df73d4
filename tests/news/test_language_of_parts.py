"""/en/ pages: the site's words are English, and the Chinese content they show
(titles, bodies, names, summaries) is marked lang="zh-Hans", so that a screen
reader reads it in a Chinese voice (WCAG 2.1, 3.1.2 Language of Parts)."""

import re
from datetime import timedelta
from html.parser import HTMLParser

from django.test import TestCase
from django.utils import timezone

from news import search
from news.models import Byline
from tests.factories import ArticleFactory, BylineFactory, ChannelFactory, TagFactory

CHINESE = re.compile("[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
VOID = {"br", "img", "input", "link", "meta", "hr", "source", "wbr", "col"}


class _Unmarked(HTMLParser):
    """Chinese text of <body> outside any element with lang="zh-…"."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []
        self.found: list[str] = []
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self.in_body = True
        if tag not in VOID:
            lang = (dict(attrs).get("lang") or "").lower()
            self.stack.append(lang.startswith("zh"))

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.in_body and not any(self.stack) and CHINESE.search(data):
            self.found.append(data.strip())


def unmarked_chinese(html: str) -> list[str]:
    parser = _Unmarked()
    parser.feed(html)
    return parser.found


class LanguageOfPartsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory(
            name="计量", slug="jiliang", description="计量动态"
        )
        cls.tag = TagFactory(name="山东名牌")
        articles = []
        for n in range(3):
            article = ArticleFactory(
                channel=cls.channel,
                kicker="引题",
                subtitle="副题",
                source="烟台日报",
                is_featured=n == 0,
                published_at=timezone.now() - timedelta(hours=n + 1),
            )
            article.tags.add(cls.tag)
            articles.append(article)
        cls.article = articles[1]
        cls.person = BylineFactory(article=cls.article, person__name="孙洪安").person
        BylineFactory(article=cls.article, role=Byline.Role.EDITOR)
        search.rebuild_index()  # on-commit indexing never fires in a test

    def assert_marked(self, path):
        response = self.client.get("/en" + path)
        self.assertEqual(response.status_code, 200, path)
        html = response.content.decode()
        self.assertIn('<html lang="en">', html)
        self.assertEqual(unmarked_chinese(html), [], path)

    def test_article_page(self):
        self.assert_marked(self.article.get_absolute_url().removeprefix("/en"))

    def test_list_pages(self):
        month = self.article.published_at.astimezone(timezone.get_current_timezone())
        for path in (
            "/",
            "/news/channel/jiliang/",
            self.tag.get_absolute_url(),
            self.person.get_absolute_url(),
            month.strftime("/news/%Y/%m/"),
            "/news/archive/",
            "/sitemap/",
        ):
            with self.subTest(path=path):
                self.assert_marked(path)

    def test_search_results(self):
        response = self.client.get("/en/search/", {"q": "国家标准"})
        self.assertTrue(response.context["results"])
        found = unmarked_chinese(response.content.decode())
        # the reader's own words, echoed back, are theirs (any language)
        self.assertEqual([text for text in found if "国家标准" not in text], [])

    def test_chinese_pages_print_no_more(self):
        for path in (self.article.get_absolute_url(), "/", "/news/channel/jiliang/"):
            with self.subTest(path=path):
                html = self.client.get(path).content.decode()
                marks = re.findall(r'\slang="zh-Hans"', html)
                self.assertEqual(len(marks), 1)  # <html lang="zh-Hans"> alone
