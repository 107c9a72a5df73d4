"""The fast path in front of Django (yantai.fastpath) serves an article page only
while the page cache would: every page-cache and invalidation test runs again here
with the fast path in front, plus what is its own (304, HEAD, cookies, headers).

``FastClient`` is Django's test client with ``FastPathApplication``'s own methods
around the handler (what ``__call__`` does around Django's WSGI handler); the last
test calls the WSGI application itself.
"""

import io
import time
import unittest
import uuid
from datetime import timedelta

import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.core.management import call_command
from django.core.signals import request_started
from django.db import close_old_connections, connection
from django.db.models import F
from django.http import HttpResponse
from django.test import (
    Client,
    SimpleTestCase,
    TestCase,
    TransactionTestCase,
    override_settings,
)
from django.test.client import ClientHandler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from news import pagecache
from news.models import Article
from news.workflow import article_publish_content, article_unpublish
from tests.factories import ArticleFactory, TagFactory, UserFactory
from tests.news import test_pagecache, test_pagecache_invalidation
from tests.redis_server import redis_url
from tests.test_httpcache import lifetimes_of
from yantai import caching
from yantai.fastpath import FastPathApplication
from yantai.settings import _redis_cache as redis_cache_settings


class FastPathClientHandler(ClientHandler):
    """The test client's handler with the fast path in front, as the WSGI
    application has it (``FastPathApplication.__call__``)."""

    def __call__(self, environ):
        seen = {}

        def start_response(status, headers, exc_info=None):
            seen.update(status=status, headers=headers)

        body = FastPathApplication.try_serve(environ, start_response)
        if body is None:
            response = super().__call__(environ)
            response.served_fast = False
            return response
        response = HttpResponse(b"".join(body), status=int(seen["status"][:3]))
        for name, value in seen["headers"]:
            response[name] = value
        response.served_fast = True
        response.wsgi_request = WSGIRequest(environ)  # the test client reads it
        return response


class FastClient(Client):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.handler = FastPathClientHandler(self.handler.enforce_csrf_checks)


class FastArticlePageCacheTests(test_pagecache.ArticlePageCacheTests):
    client_class = FastClient


class FastPageInvalidationTests(test_pagecache_invalidation.PageInvalidationTests):
    client_class = FastClient

    def assert_served_from_cache(self, article):
        """Served by the fast path: its one statement, nothing rendered."""
        with CaptureQueriesContext(connection) as queries:
            response = self.read(article)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.served_fast)
        self.assertEqual(len(queries), 1)
        self.assertTrue(queries[0]["sql"].startswith("SELECT 1 FROM"))
        return response.content.decode()


class FastPathTests(TestCase):
    client_class = FastClient

    def setUp(self):
        cache.clear()
        for alias in ("pages", "shared"):
            caches[alias].clear()
            self.addCleanup(caches[alias].clear)
        self.article = ArticleFactory(title="快速路径", body="<p>共参与604项。</p>")
        self.url = self.article.get_absolute_url()

    def test_the_second_reading_is_served_fast_with_the_same_bytes_and_headers(self):
        first = self.client.get(self.url)
        second = self.client.get(self.url)
        self.assertFalse(first.served_fast)
        self.assertTrue(second.served_fast)
        self.assertEqual(first.content, second.content)
        self.assertEqual(first["ETag"], second["ETag"])
        for header in (
            "Cache-Control",
            "Content-Type",
            "Content-Language",
            "Last-Modified",
            "Content-Security-Policy",
            "X-Frame-Options",
        ):
            self.assertEqual(first[header], second[header], header)
        self.assertEqual(int(second["Content-Length"]), len(second.content))

    def test_a_conditional_get_is_a_304_and_head_has_no_body(self):
        etag = self.client.get(self.url)["ETag"]
        again = self.client.get(self.url, headers={"if-none-match": etag})
        self.assertTrue(again.served_fast)
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again.content, b"")
        self.assertEqual(again["ETag"], etag)
        since = self.client.get(
            self.url, headers={"if-modified-since": again["Last-Modified"]}
        )
        self.assertTrue(since.served_fast)
        self.assertEqual(since.status_code, 304)
        other = self.client.get(self.url, headers={"if-none-match": '"other"'})
        self.assertEqual(other.status_code, 200)
        head = self.client.head(self.url)
        self.assertTrue(head.served_fast)
        self.assertEqual(head.content, b"")
        self.assertEqual(head["ETag"], etag)

    def test_a_session_or_a_precondition_goes_through_django(self):
        self.client.get(self.url)
        self.assertTrue(self.client.get(self.url).served_fast)
        # A shared link's query string: the same page, served fast.
        shared = self.client.get(self.url, {"from": "timeline", "isappinstalled": 0})
        self.assertTrue(shared.served_fast)
        self.assertEqual(shared.content, self.client.get(self.url).content)
        # Another page's query string goes through Django (none is kept here).
        self.assertFalse(self.client.get("/search/", {"q": "质量"}).served_fast)
        self.assertFalse(
            self.client.get(self.url, headers={"if-match": "*"}).served_fast
        )
        staff = UserFactory(is_staff=True)
        self.client.force_login(staff)
        response = self.client.get(self.url)
        self.assertFalse(response.served_fast)
        self.assertIn("private", response["Cache-Control"])

    def test_a_staff_response_is_never_kept_for_readers(self):
        self.client.force_login(UserFactory(is_staff=True))
        self.client.get(self.url)
        self.client.logout()
        self.assertFalse(self.client.get(self.url).served_fast)

    def test_a_withdrawn_or_expired_article_is_gone_from_the_fast_path(self):
        self.client.get(self.url)
        Article.objects.filter(pk=self.article.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )  # no event marks an expiry: the statement compares with now
        self.assertEqual(self.client.get(self.url).status_code, 404)
        Article.objects.filter(pk=self.article.pk).update(expires_at=None)
        self.client.get(self.url)
        self.assertTrue(self.client.get(self.url).served_fast)
        with self.captureOnCommitCallbacks(execute=True):
            article_unpublish(article=self.article, by=UserFactory(is_superuser=True))
        response = self.client.get(self.url)
        self.assertFalse(response.served_fast)
        self.assertEqual(response.status_code, 404)

    def test_a_page_with_a_takedown_time_is_kept_no_longer_by_any_cache(self):
        """Its Cache-Control is worked out on every fast answer, not replayed: the
        lifetimes shrink as its 下线时间 nears."""
        Article.objects.filter(pk=self.article.pk).update(
            expires_at=timezone.now() + timedelta(seconds=120)
        )
        first = self.client.get(self.url)
        time.sleep(1.1)
        second = self.client.get(self.url)
        self.assertTrue(second.served_fast)
        lifetimes = [
            lifetimes_of(response["Cache-Control"]) for response in (first, second)
        ]
        self.assertIn(lifetimes[0]["s-maxage"], (119, 120))
        self.assertLessEqual(lifetimes[1]["s-maxage"], lifetimes[0]["s-maxage"] - 1)
        self.assertEqual(lifetimes[1]["stale-while-revalidate"], 0)
        head = self.client.head(self.url)
        self.assertTrue(head.served_fast)
        self.assertLessEqual(lifetimes_of(head["Cache-Control"])["s-maxage"], 119)

    def test_missing_fragments_go_through_django_which_fills_them(self):
        self.client.get(self.url)
        caches["shared"].clear()
        self.assertFalse(self.client.get(self.url).served_fast)
        self.assertTrue(self.client.get(self.url).served_fast)

    def test_warming_the_page_cache_fills_the_fast_path_too(self):
        call_command("warm_article_pages", host="testserver", stdout=io.StringIO())
        first = self.client.get(self.url)
        self.assertTrue(first.served_fast)
        self.assertContains(first, "快速路径")

    def test_the_etag_changes_with_the_fragments_as_the_bytes_do(self):
        """The ETag is a digest of the page's and the fragments' digests, not of the
        bytes served: a new article in 最新文章 changes the bytes of this page, whose
        own row is unchanged, and so its ETag; a reader's old ETag gets the new page,
        the new one a 304, from either path."""
        first = self.client.get(self.url)
        etag = first["ETag"]
        newer = ArticleFactory(title="最新文章里的新稿", status=Article.Status.DRAFT)
        with self.captureOnCommitCallbacks(execute=True):
            article_publish_content(article=newer, by=None)
        after = self.client.get(self.url, headers={"if-none-match": etag})
        self.assertTrue(after.served_fast)
        self.assertEqual(after.status_code, 200)
        self.assertIn("最新文章里的新稿", after.content.decode())
        self.assertNotIn("最新文章里的新稿", first.content.decode())
        self.assertNotEqual(after["ETag"], etag)
        again = self.client.get(self.url, headers={"if-none-match": after["ETag"]})
        self.assertTrue(again.served_fast)
        self.assertEqual(again.status_code, 304)
        # Django's path gives the same bytes the same ETag.
        caches["pages"].clear()
        through_django = self.client.get(self.url)
        self.assertFalse(through_django.served_fast)
        self.assertEqual(through_django.content, after.content)
        self.assertEqual(through_django["ETag"], after["ETag"])

    def test_the_live_rows_check_reads_the_index_alone_on_sqlite(self):
        """Every column the check compares lies past the body in SQLite's row: it is
        read from ``article_related_idx`` (migration 0030), not from the row's
        overflow pages; and the index's answer is the row's."""
        if connection.vendor != "sqlite":
            self.skipTest("SQLite's plan")
        self.client.get(self.url)
        with CaptureQueriesContext(connection) as queries:
            self.assertTrue(self.client.get(self.url).served_fast)
        (check,) = [q["sql"] for q in queries.captured_queries]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + check)
            steps = [row[-1] for row in cursor.fetchall()]
        self.assertIn("SEARCH a USING COVERING INDEX article_related_idx", steps[0])
        Article.objects.filter(pk=self.article.pk).update(
            page_stamp=F("page_stamp") + 1
        )
        self.assertFalse(self.client.get(self.url).served_fast)

    @override_settings(PAGE_FAST_PATH=False)
    def test_the_setting_turns_it_off(self):
        self.client.get(self.url)
        self.assertFalse(self.client.get(self.url).served_fast)


def wsgi_environ(path: str) -> dict:
    """A GET of ``path`` as gunicorn gives it to the WSGI application."""
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
    }


class WSGIApplicationTests(TestCase):
    """The WSGI application itself, as gunicorn calls it."""

    def setUp(self):
        for alias in ("pages", "shared"):
            caches[alias].clear()
            self.addCleanup(caches[alias].clear)
        # As Django's test client does: the test's transaction must stay open.
        request_started.disconnect(close_old_connections)
        self.addCleanup(request_started.connect, close_old_connections)

    def call(self, application, path):
        environ = wsgi_environ(path)
        seen = {}

        def start_response(status, headers, exc_info=None):
            seen.update(status=status, headers=dict(headers))

        body = b"".join(application(environ, start_response))
        return seen["status"], seen["headers"], body

    def test_a_chinese_path_goes_through_to_django_unchanged(self):
        """The fast path reads the path without changing the environ Django reads
        (a tag page's Chinese slug once answered 500 here)."""
        article = ArticleFactory(title="标签页")
        article.tags.add(TagFactory(name="山东名牌", slug="山东名牌"))
        application = FastPathApplication(WSGIHandler())
        wsgi_path = "/news/tag/山东名牌/".encode().decode("iso-8859-1")  # as PEP 3333
        status, _headers, body = self.call(application, wsgi_path)
        self.assertEqual(status, "200 OK")
        self.assertIn("标签页", body.decode())

    def test_gunicorns_call_is_answered_fast_the_second_time(self):
        article = ArticleFactory(title="WSGI 测试")
        django = WSGIHandler()
        application = FastPathApplication(django)
        first = self.call(application, article.get_absolute_url())
        with CaptureQueriesContext(connection) as queries:
            second = self.call(application, article.get_absolute_url())
        self.assertEqual(first[0], "200 OK")
        self.assertEqual(second[0], "200 OK")
        self.assertEqual(first[2], second[2])
        self.assertEqual(first[1]["ETag"], second[1]["ETag"])
        self.assertEqual([q["sql"][:13] for q in queries], ["SELECT 1 FROM"])

    def test_the_fragments_are_in_the_pages_language_whatever_was_served_before(self):
        """The fast path runs outside Django's request cycle, where the active
        language is what the thread's last request left: a Chinese page served after
        an English one once got the English 新闻推荐 block."""
        self.addCleanup(translation.activate, settings.LANGUAGE_CODE)
        chinese = ArticleFactory(title="中文页")
        english = ArticleFactory(title="英文页")
        application = FastPathApplication(WSGIHandler())
        chinese_url = chinese.get_absolute_url()
        first = self.call(application, chinese_url)
        with translation.override("en"):
            english_url = english.get_absolute_url()
        self.assertTrue(english_url.startswith("/en/"))
        english_page = self.call(application, english_url)
        self.assertIn("Recommended", english_page[2].decode())
        self.assertEqual(translation.get_language(), "en")  # what the thread has now
        with CaptureQueriesContext(connection) as queries:
            again = self.call(application, chinese_url)
        self.assertEqual([q["sql"][:13] for q in queries], ["SELECT 1 FROM"])  # fast
        self.assertEqual(again[2], first[2])
        self.assertIn("新闻推荐", again[2].decode())
        self.assertNotIn("Recommended", again[2].decode())

    def test_turning_the_page_cache_off_turns_off_pages_kept_before(self):
        article = ArticleFactory(title="缓存关闭")
        application = FastPathApplication(WSGIHandler())
        self.call(application, article.get_absolute_url())  # kept
        with (
            self.settings(ARTICLE_PAGE_CACHE_SECONDS=0),
            CaptureQueriesContext(connection) as queries,
        ):
            status, _headers, _body = self.call(application, article.get_absolute_url())
        self.assertEqual(status, "200 OK")
        self.assertNotEqual([q["sql"][:13] for q in queries], ["SELECT 1 FROM"])


class SplitPageTests(SimpleTestCase):
    """``split_page`` and the join of ``fill``: the bytes of replacing each marker
    by its fragment, markers repeated or absent included."""

    def test_the_join_gives_what_replacing_gives(self):
        markers = {
            name: pagecache.marker(name).encode() for name in pagecache.FRAGMENTS
        }
        fragments = {name: f"<nav>{name}·栏目</nav>".encode() for name in markers}
        pages = [
            b"",
            "<p>没有标记的页面</p>".encode(),
            markers["latest"],
            b"<body>"
            + markers["channels"]
            + b"<main>"
            + markers["latest"]
            + b"</main>"
            + markers["footer"]
            + markers["channels"]
            + b"</body>",
        ]
        for html in pages:
            expected = html
            for name, marker in markers.items():
                expected = expected.replace(marker, fragments[name])
            parts = pagecache.split_page(html)
            joined = b"".join(
                p if isinstance(p, bytes) else fragments[p] for p in parts
            )
            self.assertEqual(joined, expected)


@unittest.skipUnless(connection.vendor == "postgresql", "the check sent: libpq")
class CheckSentWithTheMgetTests(TransactionTestCase):
    """On PostgreSQL + Redis, outside a transaction (as gunicorn serves), the live
    row's check is sent while the MGET is on its way: the same answers as the check
    run after it, and the connections ready after every outcome."""

    def setUp(self):
        url = redis_url()
        prefix = f"t{uuid.uuid4().hex[:8]}"
        redis_caches = {
            alias: redis_cache_settings(alias, 60)
            | {"LOCATION": url, "KEY_PREFIX": f"{prefix}.{alias}"}
            for alias in ("pages", "shared")
        }
        self.enterContext(override_settings(CACHES={**settings.CACHES, **redis_caches}))
        for alias in ("pages", "shared"):
            self.addCleanup(caches[alias].clear)
        self.application = FastPathApplication(WSGIHandler())

    def fast(self, path) -> bytes | None:
        """The fast path's body, or None when it leaves the request to Django."""
        body = FastPathApplication.try_serve(wsgi_environ(path), lambda *a: None)
        return None if body is None else b"".join(body)

    def django(self, path) -> bytes:
        return b"".join(self.application(wsgi_environ(path), lambda *a: None))

    def test_served_while_the_row_is_the_pages_and_not_after_it_changes(self):
        article = ArticleFactory(title="流水线检查")
        url = article.get_absolute_url()
        self.assertIsNone(self.fast(url))  # not kept yet
        page = self.django(url)  # rendered and kept
        self.assertEqual(self.fast(url), page)
        self.assertEqual(self.fast(url), page)
        # It was the check sent with the MGET (the row's values asked), not the one
        # run after it (SELECT 1 … with the page's values bound).
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = " | ".join(row[0] for row in cursor.fetchall())
        self.assertIn("EXTRACT(EPOCH FROM", prepared)
        self.assertNotIn("SELECT 1 FROM", prepared)
        # A neighbour published beside it (the page's 上一篇/下一篇 change).
        Article.objects.filter(pk=article.pk).update(page_stamp=F("page_stamp") + 1)
        self.assertIsNone(self.fast(url))
        self.assertEqual(Article.objects.get(pk=article.pk).title, "流水线检查")
        again = self.django(url)
        self.assertEqual(self.fast(url), again)
        # Taken off the site.
        article_unpublish(article=article, by=UserFactory(is_superuser=True))
        self.assertIsNone(self.fast(url))
        self.assertEqual(Article.objects.filter(pk=article.pk).count(), 1)

    def test_a_lost_redis_connection_leaves_both_connections_ready(self):
        article = ArticleFactory(title="连接断开")
        url = article.get_absolute_url()
        page = self.django(url)
        self.assertEqual(self.fast(url), page)
        # The server drops the connection the thread keeps: the MGET's reply cannot
        # be read after the check was sent; the check's answer is still read, and
        # the next answer goes out on new connections.
        kept = caching._kept.conn[2]
        kept.send_command("CLIENT", "ID")
        killer = redis.Redis.from_url(redis_url())
        killer.client_kill_filter(_id=kept.read_response())
        self.assertIsNone(self.fast(url))
        self.assertEqual(Article.objects.filter(pk=article.pk).count(), 1)
        self.assertEqual(self.fast(url), page)
