import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.cache import cache, caches
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from news.models import Article, Byline
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    ChannelFactory,
    PersonFactory,
    TagFactory,
)

SEED = (
    Path(settings.BASE_DIR) / "news" / "fixtures" / "pages" / "000_b5b21bbd38acca12.txt"
)
CHROME = [
    "大字",
    "新闻推荐",
    "相关推荐",
    "烟台业达综合金融服务平台上线",
    "弘扬社会正气",
    "光阴流水",
]


def without_figure_marks(html: str) -> str:
    """``html`` with each marked figure (quality.figure_links.figure_markup) back to
    its number: the seed's confirmed figures are marked, headings included."""
    return re.sub(
        r'<span class="figure-ref"><a class="figure"[^>]*>([^<]*)</a>.*?'
        r'<span class="arrow"[^>]*>[^<]*</span></span></span></span>',
        r"\1",
        html,
        flags=re.S,
    )


def article_element(html: str) -> str:
    match = re.search(r"<article\b.*?</article>", html, re.S)
    assert match, "page has no <article> element"
    assert html.count("<article") == 1, "page has more than one <article>"
    return match.group(0)


class SeedArticlePageTests(TestCase):
    """The seed, imported through the real import path, reads like a newspaper page."""

    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=StringIO())
        cls.article = Article.objects.get()

    def setUp(self):
        cache.clear()

    def test_article_page_shows_newspaper_furniture(self):
        response = self.client.get(self.article.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        article = article_element(html)
        self.assertIn("烟台市向高质量发展进军取得显著成效", article)
        self.assertIn("来源：烟台日报", article)
        self.assertIn("2021-01-07 10:36", article)
        for heading in [
            "科学规划顶层设计“基准线”",
            "3个国家级质检中心落户烟台",
            "工业产品质量合格率超97%",
        ]:
            self.assertIn(f"<h2>{heading}</h2>", without_figure_marks(article))
        self.assertRegex(
            article, r"YMG全媒体记者 <a [^>]+>逄苗</a> 通讯员 <a [^>]+>孙洪安</a>"
        )
        self.assertIn(
            f'<link rel="canonical" href="http://testserver/news/{self.article.pk}/">',
            html,
        )

    def test_source_page_chrome_never_inside_article(self):
        article = article_element(
            self.client.get(self.article.get_absolute_url()).content.decode()
        )
        for chrome in CHROME:
            with self.subTest(chrome=chrome):
                self.assertNotIn(chrome, article)

    def test_article_page_query_budget_cold_and_warm(self):
        """At most 6 queries with every cache empty (4: the row with its tags and
        bylines, the lists, 最新文章, the channel menu); 1 from the page cache."""
        url = self.article.get_absolute_url()
        with self.assertNumQueries(4):
            self.client.get(url)
        with self.assertNumQueries(1):
            self.client.get(url)

    def test_a_cold_page_takes_the_shared_fragments_from_the_cache(self):
        """No page of the article cached, 最新文章 and the channel menu cached (by
        another article's page): the article row with its tags and bylines, and
        上一篇/下一篇 with 相关新闻 — 2 queries."""
        ArticleFactory(title="另一篇")
        self.client.get(
            Article.objects.exclude(pk=self.article.pk).get().get_absolute_url()
        )
        with self.assertNumQueries(2):
            response = self.client.get(self.article.get_absolute_url())
        self.assertContains(response, "另一篇")  # in 最新文章, from the fragment

    @override_settings(ARTICLE_PAGE_CACHE_SECONDS=0)
    def test_article_page_query_budget_without_page_cache(self):
        """Warm side-list caches, no page cache: 2 queries."""
        url = self.article.get_absolute_url()
        self.client.get(url)
        with self.assertNumQueries(2):
            self.client.get(url)


class ArticlePageTests(TestCase):
    def setUp(self):
        cache.clear()

    def test_drafts_scheduled_and_expired_articles_are_not_found(self):
        now = timezone.now()
        hidden = [
            ArticleFactory(status=Article.Status.DRAFT),
            ArticleFactory(published_at=now + timedelta(hours=1)),
            ArticleFactory(
                published_at=now - timedelta(days=2), expires_at=now - timedelta(days=1)
            ),
        ]
        for article in hidden:
            with self.subTest(article=article.pk):
                self.assertEqual(
                    self.client.get(article.get_absolute_url()).status_code, 404
                )

    def test_query_count_does_not_grow_with_tags_bylines_and_related(self):
        channel = ChannelFactory()
        tags = [TagFactory() for _ in range(5)]
        article = ArticleFactory(channel=channel)
        article.tags.set(tags)
        for _ in range(4):
            BylineFactory(article=article)
        for n in range(8):
            other = ArticleFactory(
                channel=channel, published_at=timezone.now() - timedelta(hours=n + 2)
            )
            other.tags.set(tags[: n % 5 + 1])
        article.related_articles.add(other)
        with self.assertNumQueries(4):
            response = self.client.get(article.get_absolute_url())
        related = response.context["related"]
        self.assertEqual(len(related), 5)
        self.assertEqual(related[0], other, "editor's pick comes first")
        self.assertEqual(
            response.context["neighbours"]["previous"].channel_id, channel.pk
        )
        self.assertIsNone(response.context["neighbours"]["next"])

    def test_previous_and_next_follow_publication_order_in_channel(self):
        channel = ChannelFactory()
        now = timezone.now()
        old, mid, new = (
            ArticleFactory(channel=channel, published_at=now - timedelta(hours=h))
            for h in (3, 2, 1)
        )
        ArticleFactory(
            published_at=now - timedelta(hours=2, minutes=30)
        )  # other channel
        neighbours = self.client.get(mid.get_absolute_url()).context["neighbours"]
        self.assertEqual((neighbours["previous"], neighbours["next"]), (old, new))


class ListPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory(name="质量强市", slug="质量强市")
        cls.tag = TagFactory(name="食品抽检")
        cls.person = BylineFactory(article__channel=cls.channel).person
        for n in range(25):
            article = ArticleFactory(
                channel=cls.channel,
                published_at=timezone.now() - timedelta(hours=n + 1),
            )
            article.tags.add(cls.tag)
        cls.draft = ArticleFactory(
            channel=cls.channel, status=Article.Status.DRAFT, title="未发布草稿"
        )

    def setUp(self):
        cache.clear()

    def test_list_pages_paginate_and_hide_drafts(self):
        for url in ["/", "/news/channel/质量强市/", f"/news/tag/{self.tag.slug}/"]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(len(response.context["articles"]), 20)
                self.assertNotContains(response, "未发布草稿")
                self.assertContains(response, 'rel="next"')
                self.assertEqual(self.client.get(url + "?page=2").status_code, 200)

    def test_person_page_lists_their_articles(self):
        response = self.client.get(self.person.get_absolute_url())
        self.assertEqual(len(response.context["articles"]), 1)

    def test_person_page_lists_an_article_once_whatever_their_roles_in_it(self):
        """记者 and 摄影 of the same article: one entry, counted once; newest first,
        drafts left out, as every list."""
        person = PersonFactory()
        older, newer = (
            ArticleFactory(published_at=timezone.now() - timedelta(days=d))
            for d in (2, 1)
        )
        for role in (Byline.Role.REPORTER, Byline.Role.PHOTOGRAPHER):
            BylineFactory(article=newer, person=person, role=role)
        BylineFactory(article=older, person=person)
        BylineFactory(article=self.draft, person=person)
        response = self.client.get(person.get_absolute_url())
        self.assertEqual(list(response.context["articles"]), [newer, older])
        self.assertEqual(response.context["paginator"].count, 2)

    def test_list_query_budget(self):
        """Count + page (+ the channel, tag or person) + the channel menu + the
        next article due or expiring (once for the site), whatever the page size."""
        budget = {
            # + 头条, 焦点图 and channel blocks in one query, 阅读排行, the 数据 block
            "/": 7,
            "/news/channel/质量强市/": 5,
            f"/news/tag/{self.tag.slug}/": 5,
            self.person.get_absolute_url(): 5,
        }
        for url, queries in budget.items():
            cache.clear()
            caches["shared"].clear()  # the channel menu
            with self.subTest(url=url), self.assertNumQueries(queries):
                self.client.get(url)

    def test_person_page_queries_do_not_grow_with_their_articles(self):
        url = self.person.get_absolute_url()
        with self.assertNumQueries(5):
            self.client.get(url)
        for n in range(30):
            article = ArticleFactory(
                channel=ChannelFactory(),
                published_at=timezone.now() - timedelta(minutes=n + 1),
            )
            article.tags.add(self.tag)
            BylineFactory(article=article, person=self.person)
            BylineFactory(article=article)  # a co-author
        cache.clear()
        caches["shared"].clear()
        with self.assertNumQueries(5):
            response = self.client.get(url)
        self.assertEqual(response.context["paginator"].count, 31)

    def test_unknown_channel_and_bad_page_are_404(self):
        self.assertEqual(self.client.get("/news/channel/不存在/").status_code, 404)
        self.assertEqual(self.client.get("/?page=999").status_code, 404)
        self.assertEqual(self.client.get("/?page=abc").status_code, 404)


class ReprintAttributionTests(TestCase):
    """An article first published by another outlet says where it comes from."""

    def setUp(self):
        cache.clear()

    def reprint(self, article) -> str:
        html = article_element(
            self.client.get(article.get_absolute_url()).content.decode()
        )
        match = re.search(r'<p class="reprint">(.*?)</p>', html, re.S)
        return match.group(1) if match else ""

    def test_source_with_url_is_linked(self):
        article = ArticleFactory(
            source="大众日报", source_url="https://dzrb.dzng.com/articleContent/1"
        )
        self.assertEqual(
            self.reprint(article),
            '转载自 <a href="https://dzrb.dzng.com/articleContent/1" '
            'rel="nofollow noopener">大众日报</a>',
        )

    def test_source_without_url_is_named(self):
        article = ArticleFactory(source="大众日报", source_url="")
        self.assertEqual(self.reprint(article), "转载自 大众日报")

    def test_own_articles_carry_no_attribution(self):
        article = ArticleFactory(source="烟台日报", source_url="")
        self.assertEqual(self.reprint(article), "")


class ChannelLinksTests(TestCase):
    """按栏目浏览 on the 404 page and an empty search: the channels one after the
    other, with the language's separator (、 in Chinese, a comma in English)."""

    @classmethod
    def setUpTestData(cls):
        ChannelFactory(name="计量", slug="jiliang")
        ChannelFactory(name="标准化", slug="biaozhun")

    def line(self, url) -> str:
        html = self.client.get(url).content.decode()
        (line,) = re.findall(r"(?:按栏目浏览：|Browse by channel).*", html)
        return re.sub(r"<[^>]+>", "", line)

    def test_chinese_and_english(self):
        for url in ("/不存在/", "/search/?q=没有这个词"):
            with self.subTest(url=url):
                self.assertIn("按栏目浏览：计量、标准化", self.line(url))
                self.assertIn("Browse by channel: 计量, 标准化", self.line("/en" + url))
