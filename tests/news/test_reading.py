"""The public reading experience: home, archives, article furniture, preferences."""

import xml.etree.ElementTree as ET
from datetime import timedelta
from io import StringIO
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache, caches
from django.core.management import call_command
from django.template.loader import get_template
from django.test import TestCase
from django.utils import timezone, translation

from news import search
from news.models import Article, ArticleDailyViews
from tests.factories import ArticleFactory, ChannelFactory, TagFactory

BROWSER_UA = (
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"
)


class HomePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        now = timezone.now()
        cls.channels = [ChannelFactory(name=f"栏目{i}", slug=f"c{i}") for i in range(3)]
        for i, channel in enumerate(cls.channels):
            for n in range(7):
                ArticleFactory(
                    channel=channel,
                    title=f"{channel.name}第{n}篇",
                    published_at=now - timedelta(hours=i * 10 + n + 1),
                    view_count=n * 10 + i,
                )
        cls.headline = ArticleFactory(
            channel=cls.channels[0], title="头条新闻", is_featured=True
        )
        cls.hidden_featured = ArticleFactory(
            channel=cls.channels[0],
            title="未发布的头条",
            is_featured=True,
            status=Article.Status.DRAFT,
            view_count=10_000,
        )
        cls.old_popular = ArticleFactory(
            channel=cls.channels[1],
            title="很久以前的热门",
            published_at=now - timedelta(days=90),
            view_count=99_999,
        )
        # 阅读排行 counts the readings of the last week (read long ago: not ranked).
        today = timezone.localdate()
        for article in Article.objects.filter(view_count__gt=0):
            day = today - timedelta(days=60) if article == cls.old_popular else today
            ArticleDailyViews.objects.create(
                article=article, day=day, count=article.view_count
            )

    def setUp(self):
        cache.clear()

    def test_headlines_channel_blocks_and_most_read(self):
        response = self.client.get("/")
        context = response.context
        self.assertEqual(context["lead"], self.headline)  # 头条: the one marked
        self.assertNotIn(self.headline, context["featured"])  # 要闻: the others
        self.assertEqual(
            [c for c, _ in context["by_channel"]], self.channels
        )  # channel order
        for _, articles in context["by_channel"]:
            self.assertEqual(len(articles), 6)  # HOME_PER_CHANNEL
            self.assertEqual(
                articles, sorted(articles, key=lambda a: a.published_at, reverse=True)
            )
        most_read = [a.title for a in context["most_read"]]
        self.assertEqual(most_read[0], "栏目2第6篇")
        self.assertEqual(len(most_read), 8)
        self.assertNotIn("很久以前的热门", most_read)
        self.assertNotIn("未发布的头条", response.content.decode())
        self.assertContains(response, "阅读排行")

    def test_home_query_budget_cold_and_warm(self):
        # count, page, menu with footer, the home blocks, 阅读排行, the 数据 block,
        # the next article due or expiring (once for the site)
        with self.assertNumQueries(7):
            self.client.get("/")
        with self.assertNumQueries(2):  # count + page; menu and blocks cached
            self.client.get("/")
        with self.assertNumQueries(2):  # page 2 has no blocks
            self.client.get("/?page=2")


class MonthArchiveTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        tz = timezone.get_current_timezone()
        # 00:30 on 1 February in Beijing is still January in UTC: the month is local.
        cls.feb = ArticleFactory(
            title="二月一日凌晨",
            published_at=timezone.datetime(2021, 2, 1, 0, 30, tzinfo=tz),
        )
        cls.jan = [
            ArticleFactory(
                title=f"一月第{d}天",
                published_at=timezone.datetime(2021, 1, d, 9, tzinfo=tz),
            )
            for d in range(1, 24)
        ]
        ArticleFactory(
            title="一月的草稿",
            status=Article.Status.DRAFT,
            published_at=timezone.datetime(2021, 1, 5, tzinfo=tz),
        )

    def setUp(self):
        cache.clear()

    def test_month_lists_its_published_articles_paginated(self):
        response = self.client.get("/news/2021/01/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["paginator"].count, 23)
        self.assertNotContains(response, "二月一日凌晨")
        self.assertNotContains(response, "一月的草稿")
        self.assertContains(response, "2021年1月的文章")
        # The neighbouring months with articles; none before January 2021.
        self.assertNotContains(response, 'rel="prev"')
        self.assertContains(response, 'href="/news/2021/02/" rel="next"')
        self.assertEqual(
            len(self.client.get("/news/2021/01/?page=2").context["articles"]), 3
        )
        feb = self.client.get("/news/2021/02/")
        self.assertEqual([a.title for a in feb.context["articles"]], ["二月一日凌晨"])

    def test_bad_months_are_404(self):
        for url in ["/news/2021/13/", "/news/2021/00/", "/news/0001/01/"]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_query_budget(self):
        # menu, count, page, the months with articles, the next article due or
        # expiring (once for the site)
        with self.assertNumQueries(5):
            self.client.get("/news/2021/01/")

    def test_article_date_links_to_its_month(self):
        html = self.client.get(self.feb.get_absolute_url()).content.decode()
        meta = html.split('<p class="meta">', 1)[1].split("</p>", 1)[0]
        self.assertRegex(
            meta,
            r'<a class="archive-link" href="/news/2021/02/"[^>]*>'
            r"<time [^>]+>2021-02-01 00:30</time></a>",
        )

    def test_footer_links_to_the_archive_index(self):
        for url in ["/", self.feb.get_absolute_url(), "/news/2021/01/"]:
            with self.subTest(url=url):
                html = self.client.get(url).content.decode()
                footer = html.split('<footer class="site-footer">', 1)[1]
                self.assertIn('<a href="/news/archive/">往期回顾</a>', footer)


class ArticleFurnitureTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=StringIO())
        cls.article = Article.objects.get()
        Article.objects.filter(pk=cls.article.pk).update(view_count=1234)

    def setUp(self):
        cache.clear()

    def test_meta_line_has_source_time_authors_and_views(self):
        response = self.client.get(self.article.get_absolute_url())
        html = response.content.decode()
        meta = html.split('<p class="meta">', 1)[1].split("</p>", 1)[0]
        self.assertIn("来源：烟台日报", meta)
        self.assertIn("2021-01-07 10:36", meta)
        # Names with their roles, never a role-less 作者： list (issue #15).
        self.assertRegex(
            meta, r"YMG全媒体记者 <a [^>]+>逄苗</a> 通讯员 <a [^>]+>孙洪安"
        )
        self.assertNotIn("作者：", meta)
        self.assertIn('浏览次数：<span class="view-count">1234</span>', meta)

    def test_share_block_has_url_copy_button_and_qr(self):
        response = self.client.get(self.article.get_absolute_url())
        url = f"http://testserver/news/{self.article.pk}/"
        self.assertContains(response, f'<span class="url">{url}</span>')
        self.assertContains(response, f'data-url="{url}"')
        self.assertContains(response, f'src="/news/{self.article.pk}/qr.svg"')

    def test_reading_tools_are_plain_links(self):
        response = self.client.get(self.article.get_absolute_url())
        self.assertContains(
            response,
            f'href="/reading/?fontsize=large&amp;next=%2Fnews%2F{self.article.pk}%2F"',
        )
        self.assertContains(response, "关怀版")

    def test_page_stays_within_budget(self):
        with self.assertNumQueries(4):
            self.client.get(self.article.get_absolute_url())


class RelatedByChineseTermsTests(TestCase):
    """With few tags, 相关新闻 is filled with articles sharing words with the title."""

    @classmethod
    def setUpTestData(cls):
        now = timezone.now()
        channel = ChannelFactory()
        cls.article = ArticleFactory(
            channel=channel, title="烟台新增山东名牌产品36个", published_at=now
        )
        cls.pick = ArticleFactory(title="编辑指定的文章")
        cls.article.related_articles.add(cls.pick)
        tag = TagFactory(name="品牌建设")
        cls.article.tags.add(tag)
        cls.by_tag = ArticleFactory(title="品牌建设研讨会")
        cls.by_tag.tags.add(tag)
        cls.similar = ArticleFactory(
            title="山东名牌评选结果公布", published_at=now - timedelta(days=3)
        )
        cls.unrelated = ArticleFactory(title="区块链大会开幕")
        search.rebuild_index()

    def setUp(self):
        cache.clear()

    def test_picks_then_tags_then_shared_terms(self):
        with self.assertNumQueries(4):
            response = self.client.get(self.article.get_absolute_url())
        self.assertEqual(
            response.context["related"], [self.pick, self.by_tag, self.similar]
        )


class ViewBeaconTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()
        cls.draft = ArticleFactory(status=Article.Status.DRAFT)

    def beacon(self, article, ua=BROWSER_UA):
        return self.client.post(f"/news/{article.pk}/view", HTTP_USER_AGENT=ua)

    def test_a_reader_counts_once_in_two_statements(self):
        """The article's count and the day's row for 阅读排行 (one upsert)."""
        with self.assertNumQueries(2):
            response = self.beacon(self.article)
        self.assertEqual(response.status_code, 204)
        # Once per reader per period (tests/news/test_view_beacon.py).
        self.beacon(self.article)
        self.article.refresh_from_db()
        self.assertEqual(self.article.view_count, 1)

    def test_bots_scripts_and_empty_agents_do_not_count(self):
        for ua in [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; Baiduspider/2.0)",
            "Sogou web spider/4.0",
            "python-requests/2.31",
            "curl/8.0",
            "Mozilla/5.0 HeadlessChrome/120.0",
            "",
        ]:
            with self.subTest(ua=ua):
                self.assertEqual(self.beacon(self.article, ua).status_code, 204)
        self.article.refresh_from_db()
        self.assertEqual(self.article.view_count, 0)

    def test_unpublished_articles_and_gets_do_not_count(self):
        self.beacon(self.draft)
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.view_count, 0)
        response = self.client.get(f"/news/{self.article.pk}/view")
        self.assertEqual(response.status_code, 405)
        self.article.refresh_from_db()
        self.assertEqual(self.article.view_count, 0)

    def test_beacon_needs_no_csrf_token(self):
        self.client = self.client_class(enforce_csrf_checks=True)
        self.assertEqual(self.beacon(self.article).status_code, 204)


class QrCodeTests(TestCase):
    def setUp(self):
        cache.clear()

    def test_svg_qr_code_of_the_article_url_is_cached(self):
        article = ArticleFactory()
        url = f"/news/{article.pk}/qr.svg"
        with self.assertNumQueries(1):
            response = self.client.get(url)
        self.assertEqual(response["Content-Type"], "image/svg+xml")
        self.assertIn("max-age=86400", response["Cache-Control"])
        root = ET.fromstring(response.content)
        self.assertTrue(root.tag.endswith("svg"))
        self.assertTrue(root.findall(".//{http://www.w3.org/2000/svg}path"))
        # Only whether the article is still published is asked again.
        with self.assertNumQueries(1):
            self.assertEqual(self.client.get(url).content, response.content)

    def test_no_qr_code_for_unpublished_articles(self):
        draft = ArticleFactory(status=Article.Status.DRAFT)
        self.assertEqual(self.client.get(f"/news/{draft.pk}/qr.svg").status_code, 404)


class ReadingPreferenceTests(TestCase):
    """字号 and 关怀版 are applied in the browser: every reader gets the same page."""

    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()

    def setUp(self):
        cache.clear()

    def stylesheet(self) -> str:
        return self.client.get("/reading.css").content.decode()

    def test_font_size_link_sets_a_cookie_and_returns(self):
        next_url = self.article.get_absolute_url()
        response = self.client.get("/reading/", {"fontsize": "large", "next": next_url})
        self.assertRedirects(response, next_url, fetch_redirect_response=False)
        self.assertEqual(response.cookies["fontsize"].value, "large")
        self.assertGreater(int(response.cookies["fontsize"]["max-age"]), 86400 * 300)
        self.assertIn("no-store", response["Cache-Control"])
        # Without JavaScript the <noscript> stylesheet applies it on every page.
        self.assertEqual(self.stylesheet(), "html { --fs-l: ; --fs-m: initial; }\n")

    def test_care_mode_is_site_wide_and_can_be_left(self):
        self.client.get("/reading/", {"care": "1", "fontsize": "small"})
        self.assertEqual(
            self.stylesheet(),
            "html { --fs-s: ; --fs-m: initial; --care: ; --no-care: initial; }\n",
        )
        self.client.get("/reading/", {"care": "0"})
        self.assertNotIn("--care", self.stylesheet())

    def test_bad_values_and_foreign_next_are_ignored(self):
        response = self.client.get(
            "/reading/",
            {"fontsize": "huge", "care": "2", "next": "https://evil.example/"},
        )
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertNotIn("fontsize", response.cookies)
        self.assertNotIn("care", response.cookies)
        self.client.cookies["fontsize"] = "<script>"
        self.client.cookies["care"] = "</style>"
        self.assertEqual(self.stylesheet(), "")

    def test_the_links_carry_a_query_back_but_not_a_crafted_one(self):
        """字号/关怀版 and the language links come back to the page with its query
        (a search, a filter, a page number); an address of kilobytes, which no
        form of the site makes, is not repeated in each of them."""
        response = self.client.get("/search/", {"q": "质量", "x": "1"})
        self.assertContains(response, "next=%2Fsearch%2F%3Fq%3D%25E8%25B4%25A8")
        self.assertContains(response, "/en/search/?q=%E8%B4%A8%E9%87%8F&amp;x=1")
        response = self.client.get("/search/", {"x": "Z" * 5000})
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Z" * 100)
        self.assertContains(
            response, 'href="/reading/?fontsize=large&amp;next=%2Fsearch%2F"'
        )

    def test_every_reader_gets_the_same_bytes(self):
        """Whatever 字号 and 关怀版 the cookies hold, a page is the same HTML."""
        urls = ["/", self.article.get_absolute_url(), "/search/?q=烟台", "/quality/"]
        plain = {url: self.client.get(url).content for url in urls}
        for cookies in ({"fontsize": "large", "care": "1"}, {"fontsize": "small"}):
            for name, value in cookies.items():
                self.client.cookies[name] = value
            for url in urls:
                with self.subTest(url=url, cookies=cookies):
                    self.assertEqual(self.client.get(url).content, plain[url])
        page = plain[self.article.get_absolute_url()].decode()
        self.assertIn('<script src="/static/js/reading-prefs.js"></script>', page)
        self.assertIn(
            '<noscript><link rel="stylesheet" href="/reading.css"></noscript>', page
        )
        self.assertNotIn("aria-current", page.split('class="reading-tools"')[1][:900])

    def test_the_stylesheet_is_private_tiny_and_needs_no_query(self):
        self.client.cookies["fontsize"] = "large"
        with self.assertNumQueries(0):
            response = self.client.get("/reading.css")
        self.assertEqual(response["Content-Type"], "text/css; charset=utf-8")
        self.assertIn("private", response["Cache-Control"])
        self.assertIn("no-cache", response["Cache-Control"])
        self.assertIn("Cookie", response["Vary"])
        again = self.client.get("/reading.css", HTTP_IF_NONE_MATCH=response["ETag"])
        self.assertEqual(again.status_code, 304)
        self.client.cookies["fontsize"] = "small"
        changed = self.client.get("/reading.css", HTTP_IF_NONE_MATCH=response["ETag"])
        self.assertEqual(changed.status_code, 200)
        self.assertIn("--fs-s: ;", changed.content.decode())


class ErrorPageTests(TestCase):
    def test_404_is_chinese_with_a_way_back(self):
        ChannelFactory(name="计量")
        response = self.client.get("/no-such-page/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "抱歉，您访问的页面不存在", status_code=404)
        self.assertContains(response, 'href="/"', status_code=404)
        self.assertContains(response, "计量", status_code=404)
        self.assertContains(response, 'role="search"', status_code=404)

    def test_404_query_budget_does_not_grow(self):
        """The channel menu only (then cached), however many channels and articles."""
        ChannelFactory(name="计量")
        cache.clear()
        caches["shared"].clear()  # the channel menu
        with self.assertNumQueries(1):
            self.client.get("/no-such-page/")
        for n in range(10):
            ArticleFactory(channel=ChannelFactory(name=f"栏目{n}", slug=f"c{n}"))
        cache.clear()
        caches["shared"].clear()
        with self.assertNumQueries(1):
            response = self.client.get("/no-such-page/")
        self.assertContains(response, "栏目9", status_code=404)
        with self.assertNumQueries(0):  # the next one: the menu comes from the cache
            self.client.get("/no-such-page/either/")

    def test_500_page_renders_without_context_or_database(self):
        with self.assertNumQueries(0):
            html = get_template("500.html").render()
        self.assertIn("服务器暂时出了点问题", html)
        self.assertIn('<a href="/">', html)


class LanguageTests(TestCase):
    """The language is in the URL: Chinese at /…, English at /en/…, for everyone."""

    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()

    def setUp(self):
        # The test client leaves the last request's language active in this thread.
        self.addCleanup(translation.activate, settings.LANGUAGE_CODE)

    def test_unprefixed_pages_are_chinese_whatever_the_browser_asks(self):
        self.client.cookies["django_language"] = "en"
        url = f"/news/{self.article.pk}/"
        for path in ["/", url, "/search/?q=x", "/quality/"]:
            with self.subTest(path=path):
                response = self.client.get(path, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
                self.assertContains(response, '<html lang="zh-Hans">')
                self.assertContains(response, "跳到正文")
                self.assertEqual(response["Content-Language"], "zh-hans")
                self.assertNotIn("Accept-Language", response.get("Vary", ""))

    def test_english_pages_live_under_en(self):
        response = self.client.get("/en/", HTTP_ACCEPT_LANGUAGE="zh-CN")
        english = response.content.decode()
        self.assertIn('<html lang="en">', english)
        self.assertIn("Skip to content", english)
        self.assertIn("Latest articles", english)
        self.assertEqual(response["Content-Language"], "en")
        self.assertNotIn("Accept-Language", response.get("Vary", ""))
        # Links of an English page stay English.
        self.assertIn(f'href="/en/news/{self.article.pk}/"', english)
        search = self.client.get("/en/search/", {"q": "区块链"}).content.decode()
        self.assertIn("No articles found about “区块链”.", search)

    def test_switch_links_to_the_same_page_in_the_other_language(self):
        pk = self.article.pk
        chinese = self.client.get(f"/news/{pk}/")
        self.assertContains(
            chinese, f'<a href="/en/news/{pk}/" lang="en" hreflang="en">'
        )
        self.assertNotContains(chinese, "csrfmiddlewaretoken")  # cacheable page
        english = self.client.get(f"/en/news/{pk}/")
        self.assertContains(
            english, f'<a href="/news/{pk}/" lang="zh-hans" hreflang="zh-hans">'
        )
        # Chinese slugs and the query string come along.
        slug = quote(self.article.channel.slug)
        channel = self.client.get(f"/news/channel/{slug}/?page=1")
        self.assertContains(
            channel, f'<a href="/en/news/channel/{slug}/?page=1" lang="en"'
        )
        # A page that does not exist in either: the other language's home page.
        missing = self.client.get("/en/no-such-page/")
        self.assertContains(missing, 'href="/" lang="zh-hans"', status_code=404)

    def test_canonical_and_hreflang_name_each_language(self):
        pk = self.article.pk
        for prefix in ["", "/en"]:
            with self.subTest(prefix=prefix):
                html = self.client.get(f"{prefix}/news/{pk}/").content.decode()
                self.assertIn(
                    f'<link rel="canonical" href="http://testserver{prefix}/news/{pk}/">',
                    html,
                )
                for hreflang, path in [
                    ("zh-Hans", f"/news/{pk}/"),
                    ("x-default", f"/news/{pk}/"),
                    ("en", f"/en/news/{pk}/"),
                ]:
                    self.assertIn(
                        f'<link rel="alternate" hreflang="{hreflang}" '
                        f'href="http://testserver{path}">',
                        html,
                    )

    def test_old_language_links_go_to_the_url_and_set_no_cookie(self):
        next_url = f"/news/{self.article.pk}/"
        response = self.client.get("/reading/", {"lang": "en", "next": next_url})
        self.assertRedirects(response, f"/en{next_url}", fetch_redirect_response=False)
        self.assertNotIn("django_language", response.cookies)
        response = self.client.get("/reading/", {"lang": "xx", "next": "/"})
        self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_admin_and_api_stay_unprefixed(self):
        self.assertEqual(self.client.get("/en/admin/").status_code, 404)
        self.assertEqual(self.client.get("/en/api/v1/articles/").status_code, 404)
        self.assertEqual(self.client.get("/api/v1/articles/").status_code, 200)

    def test_catalogs_are_complete(self):
        """Every message of the English catalog is translated, none is fuzzy."""
        po = (Path(settings.BASE_DIR) / "locale/en/LC_MESSAGES/django.po").read_text()
        entries = po.split("\n\n")[1:]
        self.assertGreater(len(entries), 100)
        untranslated = [
            e for e in entries if e.rstrip().endswith('msgstr ""') or "#, fuzzy" in e
        ]
        self.assertEqual(untranslated, [])
