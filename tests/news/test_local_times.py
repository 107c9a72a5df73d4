"""Every time a reader, an editor or a client sees or enters is Beijing time
(``TIME_ZONE`` Asia/Shanghai), whatever UTC's day or month is."""

import re
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from django.core.cache import cache, caches
from django.test import TestCase
from django.utils import timezone

from news import search
from news import sitemaps as news_sitemaps
from news.models import Article, Channel, Tag
from news.workflow import article_unpublish
from tests.factories import ArticleFactory, ChannelFactory, TagFactory, staff_in_group
from tests.quality.factories import ObservationFactory

# 2026-03-31 23:30 in Beijing: still March there, already the 31st's evening in UTC.
MARCH_END = datetime(2026, 3, 31, 15, 30, tzinfo=UTC)
# 2026-04-01 00:30 in Beijing: April there, still March 31st in UTC.
APRIL_START = datetime(2026, 3, 31, 16, 30, tzinfo=UTC)


class CacheCleared(TestCase):
    def setUp(self):
        cache.clear()
        caches["pages"].clear()
        caches["shared"].clear()


class MonthOfBeijingTest(CacheCleared):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory(name="质量强市", slug="zlqs")
        cls.march = ArticleFactory(
            title="三月最后一晚的报道", channel=cls.channel, published_at=MARCH_END
        )
        cls.april = ArticleFactory(
            title="四月第一天凌晨的报道", channel=cls.channel, published_at=APRIL_START
        )

    def titles(self, url: str) -> list[str]:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        text = response.content.decode()
        return [t for t in (self.march.title, self.april.title) if t in text]

    def test_month_pages(self):
        self.assertEqual(self.titles("/news/2026/03/"), [self.march.title])
        self.assertEqual(self.titles("/news/2026/04/"), [self.april.title])

    def test_archive_index_counts_each_in_its_month(self):
        response = self.client.get("/news/archive/")
        self.assertEqual(
            response.context["years"],
            [
                (
                    2026,
                    [
                        (datetime(2026, 4, 1).date(), 1),
                        (datetime(2026, 3, 1).date(), 1),
                    ],
                )
            ],
        )
        self.assertContains(response, 'href="/news/2026/04/"')
        self.assertContains(response, 'href="/news/2026/03/"')

    def test_article_page_times(self):
        response = self.client.get(self.march.get_absolute_url())
        text = response.content.decode()
        self.assertIn("2026-03-31 23:30", text)
        self.assertIn('"datePublished": "2026-03-31T23:30:00+08:00"', text)
        self.assertIn('href="/news/2026/03/"', text)
        self.assertRegex(
            response["Last-Modified"], r"^\w{3}, \d\d \w{3} \d{4} [\d:]{8} GMT$"
        )
        response = self.client.get(self.april.get_absolute_url())
        text = response.content.decode()
        self.assertIn("2026-04-01 00:30", text)
        self.assertIn('href="/news/2026/04/"', text)

    def test_channel_list_shows_beijing_day(self):
        response = self.client.get(self.channel.get_absolute_url())
        text = response.content.decode()
        self.assertIn("2026-04-01", text)
        self.assertIn("2026-03-31", text)

    def test_feeds(self):
        rss = self.client.get("/feeds/rss/").content.decode()
        self.assertIn("Tue, 31 Mar 2026 23:30:00 +0800", rss)
        self.assertIn("Wed, 01 Apr 2026 00:30:00 +0800", rss)
        self.assertRegex(rss, r"<lastBuildDate>[^<]+ \+0800</lastBuildDate>")
        channel_rss = self.client.get(f"/feeds/channel/{self.channel.slug}/rss/")
        self.assertContains(channel_rss, "Wed, 01 Apr 2026 00:30:00 +0800")
        atom = self.client.get("/feeds/atom/").content.decode()
        self.assertIn("<published>2026-04-01T00:30:00+08:00</published>", atom)
        self.assertNotIn("+00:00<", atom)

    def test_sitemap_lastmod_is_the_beijing_day(self):
        Article.objects.filter(pk=self.march.pk).update(updated_at=MARCH_END)
        Article.objects.filter(pk=self.april.pk).update(updated_at=APRIL_START)
        xml = self.client.get("/sitemap-articles.xml").content.decode()
        self.assertEqual(
            re.findall(r"<loc>[^<]*/news/(\d+)/</loc><lastmod>([^<]+)<", xml),
            [(str(self.april.pk), "2026-04-01"), (str(self.march.pk), "2026-03-31")],
        )

    def test_api_datetimes_carry_the_offset(self):
        data = self.client.get(f"/api/v1/articles/{self.april.pk}/").json()
        self.assertEqual(data["published_at"], "2026-04-01T00:30:00+08:00")

    def api_titles(self, query: str) -> list[str]:
        response = self.client.get("/api/v1/articles/" + query)
        self.assertEqual(response.status_code, 200, response.content)
        return sorted(a["title"] for a in response.json()["results"])

    def test_api_date_filters_are_beijing_days(self):
        self.assertEqual(
            self.api_titles("?published_after=2026-04-01"), [self.april.title]
        )
        self.assertEqual(
            self.api_titles("?published_before=2026-04-01"), [self.march.title]
        )
        self.assertEqual(
            self.api_titles("?published_after=2026-04-01T00:00:00"), [self.april.title]
        )
        self.assertEqual(
            self.api_titles("?published_after=" + quote("2026-03-31T16:00:00+00:00")),
            [self.april.title],
        )


# Seconds between a test's set-up and the moment it waits for: time enough for
# the checks before it (15 requests) on a loaded machine.
WINDOW = 8


def wait_until(moment: datetime) -> None:
    time.sleep(max(0.0, (moment - timezone.now()).total_seconds()) + 0.2)


class AtItsMomentTest(CacheCleared):
    """A scheduled article appears, and one reaching its 下线时间 disappears, at that
    moment on every surface, with no write: the caches warmed before keep nothing
    past it."""

    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory(name="计量", slug="jiliang")
        cls.tag = TagFactory(name="标准", slug="biaozhun")
        cls.other = ArticleFactory(channel=cls.channel, title="一直在线的旧闻报道")
        cls.other.tags.add(cls.tag)

    def surfaces(self, article) -> dict[str, str]:
        local = timezone.localtime(article.published_at)
        return {
            "page": article.get_absolute_url(),
            "other page (最新文章)": self.other.get_absolute_url(),
            "home": "/",
            "channel": self.channel.get_absolute_url(),
            "tag": self.tag.get_absolute_url(),
            "month": f"/news/{local:%Y/%m}/",
            "archive": "/news/archive/",
            "rss": "/feeds/rss/",
            "atom": "/feeds/atom/",
            "channel rss": f"/feeds/channel/{self.channel.slug}/rss/",
            "sitemap": "/sitemap-articles.xml",
            "news sitemap": "/sitemap-news.xml",
            "search": "/search/?q=" + quote("氢能"),
            "api list": "/api/v1/articles/",
            "api detail": f"/api/v1/articles/{article.pk}/",
        }

    def shows(self, url: str, article) -> bool:
        response = self.client.get(url)
        if response.status_code == 404:
            return False
        self.assertEqual(response.status_code, 200, url)
        if url == "/news/archive/":
            return response.context["total"] == 2
        if "sitemap" in url:
            return f"/news/{article.pk}/</loc>" in response.content.decode()
        if url.startswith("/search/"):
            return article in response.context["results"]
        return article.title in response.content.decode()

    def assertBeforeTheMoment(self, moment: datetime) -> None:
        # The checks before the moment must all have run before it, or what they
        # saw proves nothing; a machine too slow for the window says so here
        # instead of failing a surface by surface.
        self.assertLess(
            timezone.now(),
            moment,
            f"the checks before the moment took longer than the {WINDOW} s window",
        )

    def test_a_scheduled_article_appears_at_its_moment(self):
        article = ArticleFactory(
            channel=self.channel,
            title="氢能计量站建成的报道",
            published_at=timezone.now() + timedelta(seconds=WINDOW),
        )
        article.tags.add(self.tag)
        search.rebuild_index()
        surfaces = self.surfaces(article)
        for name, url in surfaces.items():
            with self.subTest(before=name):
                self.assertFalse(self.shows(url, article))
        self.assertBeforeTheMoment(article.published_at)
        wait_until(article.published_at)
        for name, url in surfaces.items():
            with self.subTest(after=name):
                self.assertTrue(self.shows(url, article))

    def test_an_article_disappears_at_its_expiry(self):
        article = ArticleFactory(
            channel=self.channel,
            title="氢能计量站建成的报道",
            expires_at=timezone.now() + timedelta(seconds=WINDOW),
        )
        article.tags.add(self.tag)
        search.rebuild_index()
        surfaces = self.surfaces(article)
        for name, url in surfaces.items():
            with self.subTest(before=name):
                self.assertTrue(self.shows(url, article))
        self.assertBeforeTheMoment(article.expires_at)
        wait_until(article.expires_at)
        for name, url in surfaces.items():
            with self.subTest(after=name):
                self.assertFalse(self.shows(url, article))


def form_data(article, **overrides):
    local = timezone.localtime(article.published_at)
    data = {
        "kicker": "",
        "title": article.title,
        "subtitle": "",
        "summary": article.summary,
        "body": article.body,
        "source": article.source,
        "source_url": "",
        "channel": article.channel_id,
        "published_at_0": local.strftime("%Y-%m-%d"),
        "published_at_1": local.strftime("%H:%M:%S"),
        "expires_at_0": "",
        "expires_at_1": "",
        "slug": article.slug,
        "expected_version": article.version,
        "bylines-TOTAL_FORMS": "0",
        "bylines-INITIAL_FORMS": "0",
        "bylines-MIN_NUM_FORMS": "0",
        "bylines-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


class AdminTimesTest(CacheCleared):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory(name="品牌", slug="pinpai")
        cls.editor = staff_in_group("editor", "编辑")
        cls.reviewer = staff_in_group("reviewer", "审核")
        cls.publisher = staff_in_group("publisher", "终审发布")

    def test_a_time_typed_in_the_admin_is_beijing_time(self):
        """定时发布 and 下线时间 typed as 2026-04-01 00:30 and 2026-04-02 08:00 are
        those Beijing moments, and the form shows them back so."""
        self.client.force_login(self.editor)
        title = "四月一日零点半的稿件"
        data = form_data(
            Article(title=title, channel=self.channel, published_at=APRIL_START),
            published_at_0="2026-04-01",
            published_at_1="00:30:00",
            expires_at_0="2026-04-02",
            expires_at_1="08:00:00",
            slug="",
        )
        del data["expected_version"]
        response = self.client.post("/admin/news/article/add/", data)
        self.assertEqual(response.status_code, 302)
        created = Article.objects.get(title=title)
        self.assertEqual(created.published_at, APRIL_START)
        self.assertEqual(created.expires_at, datetime(2026, 4, 2, 0, 0, tzinfo=UTC))
        page = self.client.get(f"/admin/news/article/{created.pk}/change/")
        self.assertContains(page, 'name="published_at_0" value="2026/04/01"')
        self.assertContains(page, 'value="00:30:00"')
        self.assertContains(page, 'value="08:00:00"')

    def test_an_expiry_moved_earlier_by_an_edit_takes_effect(self):
        """A live article's 下线时间 brought forward in a draft, published through
        the workflow: the article leaves every surface at the new moment."""
        article = ArticleFactory(
            channel=self.channel,
            title="提前下线的品牌报道",
            expires_at=timezone.now() + timedelta(days=1),
        )
        soon = timezone.localtime() + timedelta(seconds=6)
        self.client.force_login(self.editor)
        response = self.client.post(
            f"/admin/news/article/{article.pk}/change/",
            form_data(
                article,
                expires_at_0=soon.strftime("%Y-%m-%d"),
                expires_at_1=soon.strftime("%H:%M:%S"),
            ),
        )
        self.assertEqual(response.status_code, 302)
        transition = f"/admin/news/article/{article.pk}/transition/"
        for user, action in [
            (self.editor, "submit"),
            (self.reviewer, "approve"),
            (self.reviewer, "approve"),
            (self.publisher, "publish"),
        ]:
            self.client.force_login(user)
            with self.captureOnCommitCallbacks(execute=True):
                self.client.post(transition, {"action": action})
        article.refresh_from_db()
        self.assertEqual(article.expires_at, soon.replace(microsecond=0))
        self.client.logout()
        urls = [
            article.get_absolute_url(),
            "/",
            self.channel.get_absolute_url(),
            "/feeds/rss/",
            "/api/v1/articles/",
        ]
        for url in urls:
            with self.subTest(before=url):
                self.assertContains(self.client.get(url), article.title)
        wait_until(article.expires_at)
        self.assertEqual(self.client.get(urls[0]).status_code, 404)
        for url in urls[1:]:
            with self.subTest(after=url):
                self.assertNotContains(self.client.get(url), article.title)


class DataSourceDateTest(CacheCleared):
    def test_a_figure_cites_its_article_on_its_beijing_day(self):
        article = ArticleFactory(
            title="四月一日凌晨发布的统计", published_at=APRIL_START
        )
        observation = ObservationFactory(
            indicator__code="standards_national",
            article=article,
            source_publisher="",
            source_title="",
        )
        response = self.client.get(f"/quality/indicators/{observation.indicator.code}/")
        self.assertContains(response, '<span class="date">2026-04-01</span>')
        self.assertNotContains(response, "2026-03-31")


class SitemapDatesTest(CacheCleared):
    def test_a_scheduled_article_dates_the_sitemaps_by_its_appearance(self):
        """Written two days before it is due: its entry, its channel's and its
        tag's lastmod are the day it appeared, when those pages changed."""
        channel = ChannelFactory(name="认证", slug="renzheng")
        tag = TagFactory(name="检测", slug="jiance")
        article = ArticleFactory(
            channel=channel, published_at=timezone.now() + timedelta(seconds=2)
        )
        article.tags.add(tag)
        Article.objects.update(updated_at=timezone.now() - timedelta(days=2))
        wait_until(article.published_at)
        day = timezone.localdate(article.published_at).isoformat()
        for section, path in [
            ("articles", article.get_absolute_url()),
            ("channels", channel.get_absolute_url()),
            ("tags", tag.get_absolute_url()),
        ]:
            xml = self.client.get(f"/sitemap-{section}.xml").content.decode()
            with self.subTest(section=section):
                self.assertIn(f"{path}</loc><lastmod>{day}</lastmod>", xml)

    def leaving_and_staying(self, **leaving):
        """A channel and a tag, each with two articles published and last edited
        two days ago: ``leaving`` (with these fields) and ``staying``, which keeps
        both listed. The channel's and the tag's sitemap entries (section, path)."""
        channel = ChannelFactory(name="认证", slug="renzheng")
        tag = TagFactory(name="检测", slug="jiance")
        self.days_ago = timezone.now() - timedelta(days=2)
        self.leaving = ArticleFactory(
            channel=channel, published_at=self.days_ago, **leaving
        )
        self.staying = ArticleFactory(channel=channel, published_at=self.days_ago)
        for article in (self.leaving, self.staying):
            article.tags.add(tag)
        Article.objects.update(updated_at=self.days_ago)
        return [
            ("channels", channel.get_absolute_url()),
            ("tags", tag.get_absolute_url()),
        ]

    def assert_lastmod_day(self, pages, day: str, **label):
        for section, path in pages:
            xml = self.client.get(f"/sitemap-{section}.xml").content.decode()
            with self.subTest(section=section, **label):
                self.assertIn(f"{path}</loc><lastmod>{day}</lastmod>", xml)

    def assert_channel_and_tag_lastmod(self, moment):
        sitemaps = (news_sitemaps.ChannelSitemap(), news_sitemaps.TagSitemap())
        for sitemap in sitemaps:
            with self.subTest(sitemap=type(sitemap).__name__):
                (item,) = sitemap.items()
                self.assertEqual(sitemap.lastmod(item), moment)

    def test_an_expiry_moves_its_channels_and_tags_lastmod_at_its_moment(self):
        """An article reaching its 下线时间 changes its channel's and tag's pages:
        their lastmod becomes that moment, with no write (the channel and tag
        stay listed by their other, still public, article)."""
        pages = self.leaving_and_staying(
            expires_at=timezone.now() + timedelta(seconds=2)
        )
        leaving = self.leaving
        before = timezone.localdate(self.days_ago).isoformat()
        after = timezone.localdate(leaving.expires_at).isoformat()
        self.assert_lastmod_day(pages, before, expired=False)
        wait_until(leaving.expires_at)
        self.assert_lastmod_day(pages, after, expired=True)
        self.assert_channel_and_tag_lastmod(leaving.expires_at)

    def test_a_withdrawal_moves_its_channels_and_tags_lastmod(self):
        """撤下 takes the article off its channel's and tag's pages: their lastmod
        becomes that moment (the channel and tag stay listed by their other,
        still public, article); the article leaves the articles' section."""
        pages = self.leaving_and_staying()
        leaving = self.leaving
        before = timezone.localdate(self.days_ago).isoformat()
        self.assert_lastmod_day(pages, before, withdrawn=False)
        with self.captureOnCommitCallbacks(execute=True):
            article_unpublish(article=leaving, by=staff_in_group("chief", "终审发布"))
        leaving.refresh_from_db()
        self.assertGreater(leaving.updated_at, self.days_ago)
        today = timezone.localdate(leaving.updated_at).isoformat()
        self.assert_lastmod_day(pages, today, withdrawn=True)
        xml = self.client.get("/sitemap-articles.xml").content.decode()
        self.assertNotIn(leaving.get_absolute_url(), xml)
        self.assertIn(self.staying.get_absolute_url(), xml)
        self.assert_channel_and_tag_lastmod(leaving.updated_at)

    def test_an_article_withdrawn_before_its_time_never_dates_its_channel(self):
        """Scheduled, then withdrawn before it was due: it was never on its
        channel's page, and its time passing changes nothing there."""
        channel = ChannelFactory(name="认证", slug="renzheng")
        days_ago = timezone.now() - timedelta(days=2)
        ArticleFactory(channel=channel, published_at=days_ago)
        never = ArticleFactory(
            channel=channel, published_at=timezone.now() + timedelta(seconds=2)
        )
        Article.objects.update(updated_at=days_ago)
        with self.captureOnCommitCallbacks(execute=True):
            article_unpublish(article=never, by=staff_in_group("chief", "终审发布"))
        wait_until(never.published_at)
        (item,) = news_sitemaps.with_lastmod(Channel.objects.all())
        self.assertEqual(item.last, days_ago)

    def test_a_channel_of_withdrawn_articles_only_leaves_the_sitemap(self):
        channel = ChannelFactory(name="认证", slug="renzheng")
        article = ArticleFactory(channel=channel)
        path = channel.get_absolute_url()
        self.assertIn(path, self.client.get("/sitemap-channels.xml").content.decode())
        with self.captureOnCommitCallbacks(execute=True):
            article_unpublish(article=article, by=staff_in_group("chief", "终审发布"))
        xml = self.client.get("/sitemap-channels.xml").content.decode()
        self.assertNotIn(path, xml)

    def test_the_channel_and_tag_sitemaps_read_one_aggregate_each(self):
        for n in range(3):
            article = ArticleFactory(
                channel=ChannelFactory(),
                expires_at=timezone.now() + timedelta(days=1) if n else None,
            )
            article.tags.add(TagFactory())
        for section in ("channels", "tags"):
            cache.clear()
            caches["pages"].clear()
            caches["shared"].clear()
            # The next change due (the cache's end), the count of the items and
            # the items with their lastmod: as many whatever the number.
            with self.subTest(section=section), self.assertNumQueries(3):
                self.client.get(f"/sitemap-{section}.xml")

    def test_the_aggregate_agrees_with_article_changed(self):
        """``with_lastmod`` ↔ ``article_changed``: a channel's and a tag's lastmod
        is the latest ``article_changed`` of their articles readers have seen."""
        now = timezone.now()
        tag = TagFactory()
        days = [now - timedelta(days=n) for n in range(6)]
        rows = [  # published, updated, expires
            (days[5], days[4], None),  # public, edited since
            (days[5], days[5], days[1]),  # expired: left the lists days[1]
            (days[3], days[3], now + timedelta(days=1)),  # public, expires later
            (days[2], days[2], now - timedelta(seconds=1)),  # just expired
            # withdrawn (撤下 wrote updated_at): left the lists then …
            (days[4], days[3], None, days[3]),
            # … or at its 下线时间, if that came first
            (days[4], days[1], days[2], days[2]),
            (days[4], days[2], days[1], days[2]),
        ]
        for n, (published, updated, expires, *left) in enumerate(rows):
            channel = ChannelFactory()
            ArticleFactory(channel=channel, published_at=days[5])  # keeps it listed
            article = ArticleFactory(
                channel=channel, published_at=published, expires_at=expires
            )
            Article.objects.filter(pk=article.pk).update(
                updated_at=updated,
                status=Article.Status.UNPUBLISHED if left else Article.Status.PUBLISHED,
            )
            Article.objects.filter(channel=channel).exclude(pk=article.pk).update(
                updated_at=days[5]
            )
            article.tags.add(tag)
            with self.subTest(row=n):
                (item,) = news_sitemaps.with_lastmod(
                    Channel.objects.filter(pk=channel.pk), now
                )
                self.assertEqual(
                    item.last,
                    max(
                        news_sitemaps.article_changed(a, now)
                        for a in Article.objects.filter(channel=channel)
                    ),
                )
                if left:
                    self.assertEqual(item.last, left[0])
        (item,) = news_sitemaps.with_lastmod(Tag.objects.all(), now)
        self.assertEqual(
            item.last,
            max(news_sitemaps.article_changed(a, now) for a in tag.articles.all()),
        )
        self.assertEqual(item.last, now - timedelta(seconds=1))
