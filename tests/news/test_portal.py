"""Issue #15 §1 and §4: the portal home, lists with thumbnails, the official footer
(站点设置), 往期回顾, 网站地图, favicon and absolute feed ids."""

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Permission
from django.core.cache import cache, caches
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from news import pagecache, search
from news.models import Article, ArticleDailyViews, AuditLog, SiteSettings
from tests.factories import ArticleFactory, ChannelFactory, TagFactory, UserFactory
from tests.news.test_body_images import library_image
from tests.quality.factories import (
    IndicatorFactory,
    ObservationFactory,
    StandardFactory,
)

BEIJING = ZoneInfo("Asia/Shanghai")


def clear_caches():
    cache.clear()
    caches["shared"].clear()
    caches["pages"].clear()


class SiteSettingsModelTests(TestCase):
    def test_formats_are_checked_with_chinese_messages(self):
        bad = {
            "icp_number": ("ICP12345", "ICP备案号的格式"),
            "police_number": ("鲁公网安备123号", "公安备案号的格式"),
            "site_code": ("37060000", "政府网站标识码为10位数字"),
            "contact_phone": ("call me", "电话号码只能含数字"),
            "contact_email": ("not-an-email", "合法的邮件地址"),
        }
        for field, (value, message) in bad.items():
            with self.subTest(field=field):
                settings = SiteSettings(**{field: value})
                with self.assertRaises(ValidationError) as caught:
                    settings.full_clean()
                self.assertIn(message, " ".join(caught.exception.message_dict[field]))
        good = SiteSettings(
            icp_number="鲁ICP备12345678号-1",
            police_number="鲁公网安备37060202000123号",
            site_code="3706000001",
            contact_phone="0535-1234567",
        )
        good.full_clean()
        self.assertEqual(
            good.police_registry_url,
            "https://beian.mps.gov.cn/#/query/webSearch?code=37060202000123",
        )
        self.assertEqual(good.icp_registry_url, "https://beian.miit.gov.cn/")

    def test_one_row_only(self):
        SiteSettings.objects.create(host_organisation="甲")
        SiteSettings(host_organisation="乙").save()  # the same row, pk forced
        self.assertEqual(SiteSettings.objects.count(), 1)
        self.assertEqual(SiteSettings.objects.current().host_organisation, "乙")
        with transaction.atomic(), self.assertRaises(IntegrityError):
            SiteSettings.objects.bulk_create([SiteSettings(id=2)])


class SiteSettingsAdminTests(TestCase):
    def setUp(self):
        self.superuser = UserFactory(username="root", is_staff=True, is_superuser=True)

    def test_add_is_refused_once_a_row_exists_and_the_list_opens_it(self):
        self.client.force_login(self.superuser)
        response = self.client.get("/admin/news/sitesettings/")
        self.assertRedirects(response, "/admin/news/sitesettings/add/")
        response = self.client.post(
            "/admin/news/sitesettings/add/",
            {"host_organisation": "品质烟台演示站点", "icp_number": ""},
        )
        self.assertEqual(response.status_code, 302)
        row = SiteSettings.objects.get()
        self.assertEqual(
            self.client.get("/admin/news/sitesettings/add/").status_code, 403
        )
        self.assertRedirects(
            self.client.get("/admin/news/sitesettings/"),
            f"/admin/news/sitesettings/{row.pk}/change/",
        )

    def test_bad_number_is_refused_with_a_chinese_message_and_nothing_saved(self):
        self.client.force_login(self.superuser)
        response = self.client.post(
            "/admin/news/sitesettings/add/",
            {"host_organisation": "甲", "icp_number": "ICP备123"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "ICP备案号的格式应为")
        self.assertFalse(SiteSettings.objects.exists())

    def test_only_a_superuser_or_the_permission_may_edit(self):
        SiteSettings.objects.create(host_organisation="甲")
        editor = UserFactory(username="editor", is_staff=True)
        self.client.force_login(editor)
        url = "/admin/news/sitesettings/1/change/"
        self.assertEqual(self.client.get(url).status_code, 403)
        response = self.client.post(url, {"host_organisation": "乙"})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(SiteSettings.objects.get().host_organisation, "甲")
        editor.user_permissions.add(
            Permission.objects.get(codename="change_sitesettings")
        )
        self.client.post(url, {"host_organisation": "乙"})
        self.assertEqual(SiteSettings.objects.get().host_organisation, "乙")
        # Who changed what is in 操作日志.
        entry = AuditLog.objects.get()
        self.assertEqual(
            (entry.user, entry.action, entry.summary),
            (editor, AuditLog.Action.EDIT, "主办单位"),
        )


class FooterTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory(title="计量检定站揭牌")

    def setUp(self):
        clear_caches()

    def test_unset_fields_are_left_out(self):
        html = self.client.get("/").content.decode()
        footer = html.split('<footer class="site-footer">', 1)[1]
        for label in ["主办单位", "承办单位", "ICP备", "公网安备", "政府网站标识码"]:
            self.assertNotIn(label, footer)
        self.assertIn('href="/news/archive/"', footer)
        self.assertIn('href="/sitemap/"', footer)

    def test_footer_on_every_public_page_and_a_change_reaches_cached_pages(self):
        urls = ["/", self.article.get_absolute_url(), "/quality/", "/news/archive/"]
        for url in urls:  # fills the page cache and the shared fragments
            self.client.get(url)
        with self.captureOnCommitCallbacks(execute=True):
            SiteSettings.objects.create(
                host_organisation="烟台市市场监督管理局",
                icp_number="鲁ICP备12345678号",
                police_number="鲁公网安备37060202000123号",
                site_code="3706000001",
            )
        for url in urls:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(response, "主办单位：烟台市市场监督管理局")
                self.assertContains(
                    response,
                    '<a href="https://beian.miit.gov.cn/" rel="noopener noreferrer">'
                    "鲁ICP备12345678号</a>",
                    html=True,
                )
                self.assertContains(
                    response,
                    "https://beian.mps.gov.cn/#/query/webSearch?code=37060202000123",
                )
                self.assertContains(response, "政府网站标识码：3706000001")
        with self.captureOnCommitCallbacks(execute=True):
            settings = SiteSettings.objects.get()
            settings.icp_number = ""
            settings.save()
        response = self.client.get(self.article.get_absolute_url())
        self.assertNotContains(response, "ICP备")

    def test_favicon(self):
        self.assertContains(self.client.get("/"), 'rel="icon"')
        response = self.client.get("/favicon.ico")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].endswith(".ico"))
        self.assertIn("favicon", response["Location"])


class HomeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        now = timezone.now()
        cls.channels = [
            ChannelFactory(name=f"频道{i}", slug=f"频道{i}") for i in range(3)
        ]
        cls.articles = []
        for n in range(24):
            cls.articles.append(
                ArticleFactory(
                    channel=cls.channels[n % 3],
                    title=f"第{n}篇",
                    published_at=now - timedelta(hours=n + 1),
                )
            )
        cls.image = library_image()
        Article.objects.filter(pk__in=[a.pk for a in cls.articles[:7]]).update(
            cover=cls.image
        )
        Article.objects.filter(pk=cls.articles[3].pk).update(is_featured=True)
        Article.objects.filter(pk=cls.articles[5].pk).update(is_featured=True)
        ArticleDailyViews.objects.create(
            article=cls.articles[10], day=timezone.localdate(), count=50
        )
        indicator = IndicatorFactory(
            code="national-standards", name="主导制修订国家标准"
        )
        ObservationFactory(indicator=indicator)

    def setUp(self):
        clear_caches()

    def test_lead_focus_channel_blocks_figures_and_most_read(self):
        response = self.client.get("/")
        context = response.context
        self.assertEqual(context["lead"].pk, self.articles[3].pk)  # featured, newest
        # 要闻: the other marked one, topped up with the newest.
        self.assertEqual(
            [a.pk for a in context["featured"]],
            [self.articles[i].pk for i in (5, 0, 1, 2)],
        )
        # 焦点图: the newest with covers, without the lead.
        self.assertEqual(
            [a.pk for a in context["focus"]],
            [a.pk for a in self.articles[:7] if a.pk != self.articles[3].pk][:5],
        )
        self.assertEqual([len(items) for _c, items in context["by_channel"]], [6, 6, 6])
        self.assertEqual(context["most_read"][0].pk, self.articles[10].pk)
        html = response.content.decode()
        self.assertIn('class="lead-story"', html)
        self.assertIn("<picture>", html.split('class="lead-story"', 1)[1])
        self.assertEqual(html.count('class="focus-slide"'), 5)
        self.assertIn('href="#focus-2"', html)  # works without JavaScript
        self.assertIn("focus-carousel.js", html)
        self.assertIn('href="/quality/indicators/national-standards/"', html)
        self.assertIn("604", html.split('class="home-figures"', 1)[1])

    def test_home_query_budget(self):
        """Count + page + menu and footer + the home blocks + 阅读排行 + the 数据
        block + the next article due or expiring, cold; the blocks come from the
        shared cache after."""
        with self.assertNumQueries(7):
            self.client.get("/")
        cache.clear()
        with self.assertNumQueries(2):  # count + page
            self.client.get("/")

    def test_no_js_carousel_has_no_inline_script_or_style(self):
        html = self.client.get("/").content.decode()
        self.assertNotRegex(
            html, r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)"
        )
        self.assertNotIn(" style=", html)


class MostReadTests(TestCase):
    """阅读排行: readings of the last 7 days, counted per day by the beacon."""

    UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"

    def beacon(self, article, address):
        return self.client.post(
            f"/news/{article.pk}/view", REMOTE_ADDR=address, HTTP_USER_AGENT=self.UA
        )

    def test_each_reader_adds_one_to_the_days_row(self):
        article = ArticleFactory()
        clear_caches()
        for address in ["203.0.113.1", "203.0.113.2", "203.0.113.2"]:
            self.assertEqual(self.beacon(article, address).status_code, 204)
        row = ArticleDailyViews.objects.get()
        self.assertEqual(
            (row.article_id, row.day, row.count), (article.pk, timezone.localdate(), 2)
        )
        self.assertEqual(Article.objects.get(pk=article.pk).view_count, 2)
        draft = ArticleFactory(status=Article.Status.DRAFT)
        self.beacon(draft, "203.0.113.3")
        self.assertFalse(ArticleDailyViews.objects.filter(article=draft).exists())

    def test_ranked_by_the_last_weeks_readings(self):
        today = timezone.localdate()
        old_but_read = ArticleFactory(
            title="旧文新读", published_at=timezone.now() - timedelta(days=400)
        )
        read_long_ago = ArticleFactory(title="早已冷却")
        steady = ArticleFactory(title="细水长流")
        withdrawn = ArticleFactory(title="已撤下", status=Article.Status.UNPUBLISHED)
        rows = [
            (old_but_read, 0, 30),
            (read_long_ago, 8, 1000),
            (read_long_ago, 6, 5),
            (steady, 0, 10),
            (steady, 3, 10),
            (steady, 6, 15),
            (withdrawn, 0, 500),
        ]
        for article, ago, count in rows:
            ArticleDailyViews.objects.create(
                article=article, day=today - timedelta(days=ago), count=count
            )
        with self.assertNumQueries(1):
            ranked = Article.objects.published().most_read(
                since=today - timedelta(days=6), limit=8
            )
        self.assertEqual(
            [(a.title, a.recent_views) for a in ranked],
            [("细水长流", 35), ("旧文新读", 30), ("早已冷却", 5)],
        )


class ListThumbnailTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tag = TagFactory(name="计量")
        cls.image = library_image()
        cls.with_cover = ArticleFactory(title="有封面的文章", summary="封面文章摘要")
        cls.with_cover.tags.add(cls.tag)
        Article.objects.filter(pk=cls.with_cover.pk).update(cover=cls.image)
        cls.plain = ArticleFactory(
            title="无图的文章", summary="", channel=cls.with_cover.channel
        )
        cls.plain.tags.add(cls.tag)
        search.rebuild_index()

    def setUp(self):
        clear_caches()

    def test_lists_show_cover_thumbnail_and_summary(self):
        urls = [
            self.with_cover.channel.get_absolute_url(),
            self.tag.get_absolute_url(),
            # The articles' own month (an hour old: at 00:30 on the 1st, last month's).
            f"/news/{timezone.localtime(self.with_cover.published_at):%Y/%m}/",
            "/search/?q=文章",
        ]
        for url in urls:
            with self.subTest(url=url):
                html = self.client.get(url).content.decode()
                items = re.findall(r"<li( class=\"has-thumb\")?>(.*?)</li>", html, re.S)
                by_title = {
                    ("有封面" in body): (thumb, body)
                    for thumb, body in items
                    if "有封面" in body or "无图" in body
                }
                thumb, body = by_title[True]
                self.assertTrue(thumb)
                self.assertIn("<picture>", body)
                self.assertIn("srcset=", body)
                if "search" not in url:
                    self.assertIn("封面文章摘要", body)
                thumb, body = by_title[False]
                self.assertFalse(thumb)
                self.assertNotIn("<picture>", body)

    def test_thumbnails_cost_no_query(self):
        url = self.tag.get_absolute_url()
        with self.assertNumQueries(5):  # with the next article due or expiring
            self.client.get(url)


class ArchiveTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        def at(y, m, d, h=12):
            return datetime(y, m, d, h, tzinfo=BEIJING)

        for when in [
            at(2021, 1, 5),
            at(2021, 1, 31, 23),
            at(2021, 3, 1, 0),
            at(2024, 12, 9),
        ]:
            ArticleFactory(published_at=when)
        # Beijing time: 2021-02-01 07:00 is still January in UTC, February here.
        ArticleFactory(published_at=at(2021, 2, 1, 7))
        ArticleFactory(published_at=at(2021, 5, 1), status=Article.Status.DRAFT)

    def setUp(self):
        clear_caches()

    def test_years_and_months_with_counts_link_to_the_month_pages(self):
        response = self.client.get("/news/archive/")
        self.assertEqual(response.status_code, 200)
        years = [
            (year, [(m.month, n) for m, n in months])
            for year, months in response.context["years"]
        ]
        self.assertEqual(years, [(2024, [(12, 1)]), (2021, [(3, 1), (2, 1), (1, 2)])])
        self.assertContains(response, 'href="/news/2021/01/"')
        self.assertContains(response, "2 篇")
        self.assertEqual(response.context["total"], 5)
        month = self.client.get("/news/2021/01/")
        self.assertEqual(len(month.context["articles"]), 2)
        # The month page steps over empty months (2021-03 → 2024-12, none between).
        march = self.client.get("/news/2021/03/").content.decode()
        self.assertIn('href="/news/2021/02/" rel="prev"', march)
        self.assertIn('href="/news/2024/12/" rel="next"', march)
        self.assertIn('href="/news/archive/"', march.split('class="breadcrumbs"')[1])

    def test_one_grouped_query_and_cached_after(self):
        # The menu and footer, the next article due or expiring, the months.
        with self.assertNumQueries(3):
            self.client.get("/news/archive/")
        with self.assertNumQueries(0):
            self.client.get("/news/archive/")

    def test_a_publication_shows_at_once(self):
        self.client.get("/news/archive/")
        with self.captureOnCommitCallbacks(execute=True):
            ArticleFactory(published_at=datetime(2019, 6, 1, tzinfo=BEIJING))
            pagecache.public_changed()
        self.assertContains(self.client.get("/news/archive/"), 'href="/news/2019/06/"')

    def test_english(self):
        response = self.client.get("/en/news/archive/")
        self.assertContains(response, 'href="/en/news/2021/01/"')
        self.assertContains(response, "Archive")


class ListIndexTests(TestCase):
    """The home page's lists and the month counts walk indexes, not the table."""

    def test_plans(self):
        ArticleFactory()
        if connection.vendor != "sqlite":
            self.skipTest("SQLite's plan text")
        published = Article.objects.published()
        newest = ("-published_at", "-id")
        plans = {
            "article_pub_idx": published.month_counts(),
            "article_featured_idx": published.filter(is_featured=True).order_by(
                *newest
            )[:5],
            "article_cover_idx": published.filter(cover__isnull=False).order_by(
                *newest
            )[:6],
        }
        for index, queryset in plans.items():
            with self.subTest(index=index):
                explained = queryset.explain()
                self.assertIn(index, explained)
                self.assertNotRegex(explained, r"SCAN news_article(?! USING)")
        # 阅读排行's own statement: the days' rows from their index, articles by id.
        with CaptureQueriesContext(connection) as captured:
            published.most_read(since=timezone.localdate() - timedelta(days=6), limit=8)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + captured[0]["sql"])
            plan = " | ".join(row[-1] for row in cursor.fetchall())
        self.assertIn("daily_views_day_idx", plan)
        self.assertNotRegex(plan, r"SCAN news_article(dailyviews)?(?! USING)")

    def test_lookups_by_channel_and_article_use_the_indexes_that_start_with_them(self):
        """Migration 0020 dropped the single-column indexes on the channel and on a
        byline's article: the composite indexes that start with them serve those
        look-ups, and the article's slug, never looked up, has none."""
        article = ArticleFactory()
        if connection.vendor != "sqlite":
            self.skipTest("SQLite's plan text")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index'"
                " AND tbl_name IN ('news_article', 'news_byline')"
            )
            names = {row[0] for row in cursor.fetchall()}
        self.assertFalse({n for n in names if "_slug_" in n or "channel_id" in n})
        self.assertNotIn("news_byline_article_id_2a0f5427", names)
        plans = {
            "article_channel_pub_idx": Article.objects.filter(channel=article.channel),
            "sqlite_autoindex_news_byline_1": article.bylines.all(),
        }
        for index, queryset in plans.items():
            with self.subTest(index=index):
                explained = queryset.explain()
                self.assertIn(index, explained)
                self.assertNotRegex(explained, r"SCAN news_(article|byline)(?! USING)")

    def test_latest_fragment_walks_the_publication_index(self):
        """最新文章's statement, under the planner statistics of the 20,000-article
        benchmark database (``ANALYZE``'s ``sqlite_stat1`` rows, copied): with the
        channel joined in the same statement SQLite chose to walk every channel's
        index and sort all the rows; the newest ids come from the publication
        index first."""
        if connection.vendor != "sqlite":
            self.skipTest("SQLite's plan text")
        for _ in range(3):
            ArticleFactory()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'news_article'")
            cursor.executemany(
                "INSERT INTO sqlite_stat1 VALUES ('news_article', %s, %s)",
                [
                    ("article_channel_pub_idx", "20000 2500 2500 1 1"),
                    ("article_pub_idx", "20000 20000 1 1"),
                    ("news_article_channel_id_2a0d924a", "20000 2500"),
                ],
            )
            cursor.execute("ANALYZE sqlite_schema")  # the statistics read again
        with CaptureQueriesContext(connection) as captured:
            variants, _until = pagecache._fragment_variants("latest")
        self.assertEqual(len(variants), 4)  # the whole list, and one without each
        [statement] = [q["sql"] for q in captured if "news_channel" in q["sql"]]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + statement)
            plan = " | ".join(row[-1] for row in cursor.fetchall())
        self.assertIn("article_pub_idx", plan)
        self.assertNotIn("article_channel_pub_idx", plan)
        self.assertNotRegex(plan, r"SCAN news_article(?! USING)")  # nor the next due


class SiteMapPageTests(TestCase):
    def test_lists_channels_and_data_pages_with_entries(self):
        channel = ChannelFactory(name="质量强市", slug="质量强市")
        StandardFactory()
        clear_caches()
        response = self.client.get("/sitemap/")
        self.assertContains(response, f'href="{channel.get_absolute_url()}"')
        for url in [
            "/quality/",
            "/quality/reports/",
            "/quality/standards/",
            "/sitemap.xml",
        ]:
            self.assertContains(response, f'href="{url}"')
        # An empty registry is left out, as from the data pages' menu.
        self.assertNotContains(response, 'href="/quality/sampling/"')
        self.assertEqual(self.client.get("/sitemap.xml").status_code, 200)


class FeedIdTests(TestCase):
    def test_rss_guid_and_atom_id_are_absolute(self):
        article = ArticleFactory()
        clear_caches()
        rss = ET.fromstring(self.client.get("/feeds/rss/").content)
        guid = rss.find("channel/item/guid")
        self.assertEqual(guid.text, f"http://testserver{article.get_absolute_url()}")
        self.assertNotEqual(guid.get("isPermaLink"), "false")
        atom = ET.fromstring(self.client.get("/en/feeds/atom/").content)
        ns = {"a": "http://www.w3.org/2005/Atom"}
        entry_id = atom.find("a:entry/a:id", ns).text
        self.assertEqual(entry_id, f"http://testserver/en/news/{article.pk}/")
