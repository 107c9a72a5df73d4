"""SEO markup: canonical URLs, titles, descriptions, Open Graph, JSON-LD."""

import json
import re
from datetime import timedelta

from django.core.cache import cache
from django.templatetags.static import static
from django.test import SimpleTestCase, TestCase
from django.utils import timezone
from django.utils.text import Truncator

from news.models import Image
from news.views import description
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    ChannelFactory,
    TagFactory,
    png_file,
)


def head(html: str) -> str:
    return html.split("</head>", 1)[0]


def json_ld(html: str) -> list[dict]:
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', html, re.S
    )
    return [json.loads(b) for b in blocks]


class SeoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory(
            name="计量", slug="计量", description="计量工作动态"
        )
        cls.tag = TagFactory(name="山东名牌")
        cls.article = ArticleFactory(
            channel=cls.channel,
            title='计量检定站揭牌</script><script>alert("x")</script>',
            summary="全市新增社会公用计量标准12项 & 更多",
            published_at=timezone.now() - timedelta(hours=2),
        )
        cls.article.tags.add(cls.tag)
        cls.person = BylineFactory(article=cls.article, person__name="孙洪安").person

    def setUp(self):
        cache.clear()

    def pages(self):
        return [
            "/",
            "/?page=1",
            self.channel.get_absolute_url(),
            self.tag.get_absolute_url(),
            self.person.get_absolute_url(),
            self.article.get_absolute_url(),
            "/search/?q=计量",
            "/news/2021/01/",
        ]

    def test_titles_and_descriptions_are_unique_per_page(self):
        titles, descriptions = {}, {}
        for url in self.pages()[1:]:
            html = self.client.get(url).content.decode()
            titles[url] = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
            descriptions[url] = re.search(
                r'<meta name="description" content="(.*?)">', html, re.S
            ).group(1)
        self.assertEqual(len(set(titles.values())), len(titles), titles)
        self.assertGreaterEqual(len(set(descriptions.values())), len(titles) - 2)

    def test_canonical_url_on_every_page(self):
        for url in self.pages():
            with self.subTest(url=url):
                html = head(self.client.get(url).content.decode())
                self.assertEqual(html.count('<link rel="canonical"'), 1)
        html = self.client.get(self.channel.get_absolute_url() + "?utm=x").content
        self.assertIn(
            b'<link rel="canonical" href="http://testserver/news/channel/'
            b'%E8%AE%A1%E9%87%8F/">',
            html,
        )

    def test_open_graph_tags_on_the_article(self):
        html = head(self.client.get(self.article.get_absolute_url()).content.decode())
        self.assertIn('<meta property="og:type" content="article">', html)
        self.assertIn(
            '<meta property="og:title" content="计量检定站揭牌&lt;/script&gt;', html
        )
        self.assertIn(
            f'<meta property="og:url" content="http://testserver/news/{self.article.pk}/">',
            html,
        )
        self.assertIn('<meta property="og:site_name" content="品质烟台">', html)

    def test_json_ld_news_article_parses_and_cannot_break_out(self):
        html = self.client.get(self.article.get_absolute_url()).content.decode()
        self.assertNotIn('</script><script>alert("x")', html)
        (data,) = json_ld(html)
        self.assertEqual(data["@type"], "NewsArticle")
        self.assertEqual(data["headline"], self.article.title)
        self.assertEqual(data["author"], [{"@type": "Person", "name": "孙洪安"}])
        self.assertEqual(data["publisher"]["name"], "品质烟台")
        self.assertTrue(data["datePublished"].endswith("+08:00"))
        self.assertIn("dateModified", data)
        self.assertEqual(data["keywords"], ["山东名牌"])

    def test_json_ld_names_the_site_as_og_site_name_does_in_each_language(self):
        """The publisher (and the author of an article with no byline or source)
        is the site by the name the page gives it: Quality Yantai on /en/."""
        anonymous = ArticleFactory(channel=self.channel, source="")
        for prefix in ("", "/en"):
            for article in (self.article, anonymous):
                url = prefix + article.get_absolute_url().removeprefix("/en")
                with self.subTest(url=url):
                    html = self.client.get(url).content.decode()
                    site = re.search(
                        r'<meta property="og:site_name" content="([^"]*)">', html
                    )[1]
                    (data,) = json_ld(html)
                    self.assertEqual(data["publisher"]["name"], site)
                    if article is anonymous:
                        self.assertEqual(data["author"][0]["name"], site)
        self.assertEqual(site, "Quality Yantai")

    def test_without_a_cover_the_image_is_the_site_logo(self):
        html = self.client.get(self.article.get_absolute_url()).content.decode()
        (data,) = json_ld(html)
        logo = "http://testserver" + static("img/logo.png")
        self.assertEqual(data["image"], [logo])
        self.assertIn(f'<meta property="og:image" content="{logo}">', head(html))

    def test_json_ld_image_is_the_cover(self):
        cover = Image.objects.create(file=png_file(), title="揭牌", alt_text="揭牌仪式")
        article = ArticleFactory(cover=cover)
        html = self.client.get(article.get_absolute_url()).content.decode()
        (data,) = json_ld(html)
        self.assertTrue(data["image"][0].startswith("http://testserver/media/"))
        self.assertIn(
            f'<meta property="og:image" content="{data["image"][0]}">', head(html)
        )


class DescriptionTests(SimpleTestCase):
    def test_same_as_truncatechars(self):
        """``news.views.description``: the ``truncatechars:120`` filter's text, its
        loop over the characters skipped for a text no longer than the limit."""
        for summary in (
            "",
            "质量强市",
            "质" * 119,
            "质" * 120,
            "质" * 121,
            "质" * 300,
            "e\u0301" * 100,  # NFC: 100 characters (é), not 200
            "e\u0301" * 130,
            "a\u0308\u0323" * 60 + "质" * 70,  # combining marks NFC keeps apart
        ):
            with self.subTest(length=len(summary)):
                self.assertEqual(description(summary), Truncator(summary).chars(120))
        self.assertTrue(description("质" * 121).startswith("质" * 100))
        self.assertNotEqual(description("质" * 121), "质" * 121)


class PagedListTests(TestCase):
    """Page 2 of a list is a page of its own: its canonical URL and its hreflang
    alternates name page 2 (in either language), not page 1."""

    @classmethod
    def setUpTestData(cls):
        from tests.quality.factories import StandardFactory

        channel = ChannelFactory(name="计量", slug="计量")
        cls.tag = TagFactory(name="山东名牌")
        person = BylineFactory(person__name="孙洪安").person
        published = timezone.now().replace(day=15) - timedelta(days=40)
        for n in range(45):
            article = ArticleFactory(
                channel=channel, published_at=published - timedelta(minutes=n)
            )
            article.tags.add(cls.tag)
            BylineFactory(article=article, person=person)
        for _n in range(55):
            StandardFactory()
        cls.lists = [
            "/",
            channel.get_absolute_url(),
            cls.tag.get_absolute_url(),
            person.get_absolute_url(),
            published.strftime("/news/%Y/%m/"),
            "/quality/standards/",
        ]

    def links(self, url):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        html = head(response.content.decode())
        canonical = re.findall(r'<link rel="canonical" href="([^"]*)">', html)
        alternates = dict(
            re.findall(
                r'<link rel="alternate" hreflang="([^"]*)" href="([^"]*)">', html
            )
        )
        return canonical, alternates

    def test_page_two_names_itself(self):
        for path in self.lists:
            with self.subTest(path=path):
                canonical, alternates = self.links(path + "?page=2")
                self.assertEqual(canonical, [f"http://testserver{path}?page=2"])
                self.assertEqual(
                    alternates,
                    {
                        "zh-Hans": f"http://testserver{path}?page=2",
                        "x-default": f"http://testserver{path}?page=2",
                        "en": f"http://testserver/en{path}?page=2",
                    },
                )
                # and the English page 2 points back at the same pages
                canonical, alternates_en = self.links(f"/en{path}?page=2")
                self.assertEqual(canonical, [f"http://testserver/en{path}?page=2"])
                self.assertEqual(alternates_en, alternates)

    def test_page_one_has_no_page_in_its_links(self):
        for path in self.lists:
            with self.subTest(path=path):
                canonical, alternates = self.links(path + "?page=1")
                self.assertEqual(canonical, [f"http://testserver{path}"])
                self.assertEqual(alternates["en"], f"http://testserver/en{path}")

    def test_search_links_name_the_search_page(self):
        from news import search

        search.rebuild_index()  # page 2 exists (a page beyond the results is 404)
        canonical, alternates = self.links("/search/?q=烟台&page=2")
        self.assertEqual(canonical, ["http://testserver/search/"])
        self.assertEqual(alternates["en"], "http://testserver/en/search/")
