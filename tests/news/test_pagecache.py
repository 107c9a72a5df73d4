"""The article page cache: one query per hit, never a stale article or another
reader's preferences."""

import time
from datetime import timedelta
from io import StringIO

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache, caches
from django.core.management import CommandError, call_command
from django.test import RequestFactory, TestCase, override_settings
from django.utils import timezone, translation
from django.utils.http import parse_http_date

from news import pagecache
from news.models import Article
from news.workflow import article_publish_content
from quality.figure_review import figure_proposal_confirm, figure_proposals_extract
from quality.models import FigureProposal
from tests.factories import ArticleFactory, UserFactory
from tests.quality.factories import IndicatorFactory, RegionFactory


class ArticlePageCacheTests(TestCase):
    def setUp(self):
        cache.clear()
        for alias in ("pages", "shared"):
            caches[alias].clear()
            self.addCleanup(caches[alias].clear)
        self.article = ArticleFactory(
            title="第一版标题", body="<p>共参与制修订604项国家标准。</p>"
        )
        self.url = self.article.get_absolute_url()

    def test_second_reading_is_one_query_and_the_same_page(self):
        first = self.client.get(self.url)
        with self.assertNumQueries(1):
            second = self.client.get(self.url)
        self.assertEqual(second.status_code, 200)
        self.assertEqual(first.content, second.content)
        self.assertEqual(second["Content-Type"], "text/html; charset=utf-8")

    def test_an_edit_shows_at_once(self):
        self.client.get(self.url)
        self.article.title = "第二版标题"
        self.article.save()
        self.assertContains(self.client.get(self.url), "第二版标题")

    def test_unpublished_and_expired_articles_are_gone_at_once(self):
        self.client.get(self.url)
        Article.objects.filter(pk=self.article.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        self.assertEqual(self.client.get(self.url).status_code, 404)
        Article.objects.filter(pk=self.article.pk).update(
            expires_at=None, status=Article.Status.UNPUBLISHED
        )
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_every_reader_gets_the_one_cached_page(self):
        """字号 and 关怀版 are applied in the browser: one cached page for all."""
        first = self.client.get(self.url)
        self.client.cookies["fontsize"] = "large"
        self.client.cookies["care"] = "1"
        with self.assertNumQueries(1):  # a hit, as for the first reader
            second = self.client.get(self.url)
        self.assertEqual(second.content, first.content)

    def test_each_language_has_its_own_page(self):
        """/en/… is English; /… stays Chinese whatever the language cookie says."""
        self.client.get(self.url)
        self.addCleanup(translation.activate, settings.LANGUAGE_CODE)
        self.assertContains(self.client.get(f"/en{self.url}"), "Skip to content")
        self.client.cookies["django_language"] = "en"
        self.assertContains(self.client.get(self.url), "跳到正文")

    def test_the_page_holds_no_per_user_token(self):
        response = self.client.get(self.url)
        self.assertNotContains(response, "csrfmiddlewaretoken")
        self.assertNotIn("csrftoken", response.cookies)

    def test_logged_in_staff_are_not_cached(self):
        self.client.get(self.url)
        self.client.force_login(UserFactory(is_staff=True))
        with self.assertNumQueries(4):  # session, user, then the full page
            self.client.get(self.url)

    def test_a_shared_link_query_string_reads_the_same_cached_page(self):
        """WeChat adds ?from=timeline&isappinstalled=0 to every shared link: the
        page is the one without it, from the cache, its links coming back to the
        article alone (not to the query)."""
        plain = self.client.get(self.url)
        for query in ("?from=timeline&isappinstalled=0", "?utm_source=weibo"):
            with self.subTest(query=query):
                with self.assertNumQueries(1):
                    shared = self.client.get(self.url + query)
                self.assertEqual(shared.content, plain.content)
                self.assertEqual(shared["ETag"], plain["ETag"])
                self.assertNotIn(b"isappinstalled", shared.content)
                self.assertNotIn(b"utm_source", shared.content)
        self.article.summary = "改过的摘要"
        self.article.save()  # a new version: rendered once, for a shared link too
        rendered = self.client.get(self.url + "?from=timeline")
        self.assertContains(rendered, "改过的摘要")
        with self.assertNumQueries(1):
            self.assertEqual(self.client.get(self.url).content, rendered.content)
        self.assertNotContains(rendered, "timeline")

    def test_a_newly_confirmed_figure_shows_at_once(self):
        self.client.get(self.url)
        figure_proposals_extract(article=self.article)
        figure_proposal_confirm(
            proposal=FigureProposal.objects.get(raw_text="604项"),
            indicator=IndicatorFactory(code="standards_national", name="国家标准"),
            region=RegionFactory(),
            by=UserFactory(username="reviewer", is_staff=True),
        )
        self.assertContains(self.client.get(self.url), 'class="figure"')

    def test_side_lists_follow_a_new_article_at_once(self):
        self.client.get(self.url)
        newer = ArticleFactory(
            title="同栏目新稿",
            channel=self.article.channel,
            status=Article.Status.DRAFT,
        )
        with self.captureOnCommitCallbacks(execute=True):
            article_publish_content(article=newer, by=None)
        page = self.client.get(self.url).content.decode()
        self.assertIn(f'<a href="{newer.get_absolute_url()}" rel="next">', page)

    def test_last_modified_is_kept_with_the_page(self):
        """When the page was made (not older than its row's last write), the same
        whether it is rendered or read from the cache."""
        rendered = self.client.get(self.url)["Last-Modified"]
        self.assertGreaterEqual(
            parse_http_date(rendered), int(self.article.updated_at.timestamp())
        )
        time.sleep(1.1)
        self.assertEqual(self.client.get(self.url)["Last-Modified"], rendered)

    def test_pages_are_shared_by_worker_processes(self):
        """Stored in the ``pages`` cache (files, or Redis), not in one process's
        memory: another instance of the backend, as another worker has, finds it."""
        self.client.get(self.url)
        other = caches.create_connection("pages")
        self.assertIsNot(other, caches["pages"])
        request = RequestFactory().get(self.url)
        request.user = AnonymousUser()
        article = Article.objects.for_detail_row().get(pk=self.article.pk)
        self.assertIsNotNone(other.get(pagecache.page_key(request, article)))

    @override_settings(ARTICLE_PAGE_CACHE_SECONDS=0)
    def test_zero_seconds_turns_the_cache_off(self):
        self.client.get(self.url)
        with self.assertNumQueries(2):
            self.client.get(self.url)


class WarmCommandTests(TestCase):
    def setUp(self):
        for alias in ("default", "pages", "shared"):
            caches[alias].clear()
            self.addCleanup(caches[alias].clear)

    def test_every_published_page_is_served_from_the_cache_after(self):
        articles = [ArticleFactory(), ArticleFactory()]
        ArticleFactory(status=Article.Status.DRAFT)
        out = StringIO()
        call_command("warm_article_pages", "--host", "testserver", stdout=out)
        self.assertIn("已生成 2 个文章页缓存", out.getvalue())
        for article in articles:
            with self.assertNumQueries(1):
                response = self.client.get(article.get_absolute_url())
            self.assertContains(response, article.title)

    def test_shards_split_the_work(self):
        ArticleFactory(), ArticleFactory(), ArticleFactory()
        counts = []
        for shard in ("0/2", "1/2"):
            out = StringIO()
            call_command("warm_article_pages", "--shard", shard, stdout=out)
            counts.append(int(out.getvalue().split("已生成 ")[1].split(" ")[0]))
        self.assertEqual(sum(counts), 3)

    def test_bad_shard_is_a_clear_error(self):
        for shard in ("x", "2/2", "1/0"):
            with self.subTest(shard), self.assertRaisesMessage(CommandError, "--shard"):
                call_command("warm_article_pages", "--shard", shard)
