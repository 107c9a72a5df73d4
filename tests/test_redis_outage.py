"""A Redis outage slows the site, it does not take it down (yantai.caching.RedisCache).

Redis holds nothing that must be right, so while it cannot be reached the caches
miss, writes are not made and pages come from the database; a process that saw a
call fail leaves Redis alone for a while; the writes that must not be lost (the
tokens that make lists and fragments out of date, a ``clear()``) are made when it
answers again. The Redis is real (tests/redis_server.py); the outage is a real
TCP forwarder in front of it that the test cuts (tests/tcp_proxy.py), so the server
keeps its data, as through a network partition.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.core.cache import caches
from django.test import SimpleTestCase, TestCase, override_settings
from django.utils import timezone

from news import pagecache
from news.models import Article
from news.workflow import article_publish_content
from tests.factories import ArticleFactory, ChannelFactory, UserFactory
from tests.redis_server import redis_url
from tests.tcp_proxy import Proxy
from yantai import caching
from yantai.caching import RedisCache, get_together

RETRY = 0.4  # the breaker's period in these tests (RETRY_SECONDS, default 5)


def proxied_redis(test) -> tuple[Proxy, str]:
    """A forwarder to the test Redis, and the URL (same database) through it."""
    url = urlsplit(redis_url())
    proxy = Proxy(url.hostname, url.port or 6379)
    test.addCleanup(proxy.close)
    # Breakers are per process and server: none left by an earlier test's port.
    caching._breakers.clear()
    test.addCleanup(caching._breakers.clear)
    return proxy, f"redis://127.0.0.1:{proxy.port}{url.path or '/0'}"


def cache_settings(url: str, prefix: str, timeout: int | None = 60) -> dict:
    return {
        "BACKEND": "yantai.caching.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": prefix,
        "TIMEOUT": timeout,
        "OPTIONS": {
            "socket_connect_timeout": 0.3,
            "socket_timeout": 0.3,
            "RETRY_SECONDS": RETRY,
        },
    }


def wait_out_the_breaker() -> None:
    time.sleep(RETRY + 0.05)


class BreakerTests(SimpleTestCase):
    def setUp(self):
        self.proxy, self.url = proxied_redis(self)
        self.prefix = f"outage{uuid.uuid4().hex[:8]}"
        params = cache_settings(self.url, self.prefix)
        self.cache = RedisCache(self.url, params)
        # The same server without the forwarder: what Redis really holds.
        self.direct = RedisCache(redis_url(), {**params, "OPTIONS": {}})
        self.addCleanup(self.direct.clear)

    def test_reads_miss_and_writes_are_skipped_while_redis_is_cut_off(self):
        cache = self.cache
        cache.set("kept", "值")
        cache.set("counter", 1)
        self.proxy.cut("refuse")
        with self.assertLogs("yantai.caching", "WARNING") as logs:
            self.assertIsNone(cache.get("kept"))
            self.assertEqual(cache.get("kept", "默认"), "默认")
            self.assertEqual(cache.get_many(["kept", "x"]), {})
            self.assertFalse(cache.has_key("kept"))
            self.assertFalse(cache.add("new", 1))
            self.assertIsNone(cache.set("new", 1))
            self.assertEqual(cache.set_many({"a": 1, "b": 2}), ["a", "b"])
            self.assertFalse(cache.touch("kept"))
            self.assertFalse(cache.delete("kept"))
            self.assertIsNone(cache.delete_many(["kept"]))
            with self.assertRaisesMessage(ValueError, "Redis unreachable"):
                cache.incr("counter")
        # One warning for the whole outage, in Chinese and English.
        self.assertEqual(len(logs.records), 1)
        self.assertIn("Redis 无法访问", logs.output[0])
        self.assertIn("Redis unreachable", logs.output[0])
        # Nothing was written through the cut: Redis holds what it held.
        self.assertEqual(self.direct.get("kept"), "值")
        self.assertIsNone(self.direct.get("new"))
        self.assertIsNone(self.direct.get("a"))

        self.proxy.restore()
        wait_out_the_breaker()
        with self.assertLogs("yantai.caching", "WARNING") as logs:
            self.assertEqual(cache.get("kept"), "值")
        self.assertIn("Redis 恢复访问", logs.output[0])
        self.assertEqual(cache.incr("counter"), 2)

    def test_a_silent_redis_costs_one_timeout_per_period_not_one_per_read(self):
        self.cache.set("kept", "值")
        self.proxy.cut("silent")
        before = self.proxy.accepted
        with self.assertLogs("yantai.caching", "WARNING"):
            self.assertIsNone(self.cache.get("kept"))  # waits its socket timeout
        tried = self.proxy.accepted
        self.assertEqual(tried, before + 1)
        for _ in range(50):
            self.assertIsNone(self.cache.get("kept"))
        self.assertEqual(self.proxy.accepted, tried)  # no connection was even tried
        # A second cache of the same server in this process (another alias, another
        # thread's instance) shares the breaker.
        other = RedisCache(self.url, cache_settings(self.url, self.prefix + "b"))
        self.assertIsNone(other.get("x"))
        self.assertEqual(self.proxy.accepted, tried)
        # After the period, one call tries again (and waits again while it is silent).
        wait_out_the_breaker()
        self.assertIsNone(self.cache.get("kept"))
        self.assertEqual(self.proxy.accepted, tried + 1)

    def test_writes_without_expiry_and_clears_are_made_when_redis_answers_again(self):
        cache = self.cache
        cache.set("token", "旧", None)
        cache.set("page", "旧页面")
        self.proxy.cut("refuse")
        with self.assertLogs("yantai.caching", "WARNING"):
            cache.set("token", "中间", None)
        cache.set("token", "新", None)  # the last write of a key is the one made
        cache.set("page", "新页面")  # expiring: a cache entry, not made again
        self.assertEqual(self.direct.get("token"), "旧")

        self.proxy.restore()
        wait_out_the_breaker()
        with self.assertLogs("yantai.caching", "WARNING") as logs:
            cache.get("anything")  # the first call that succeeds makes them
        self.assertIn("补写了 1 项", logs.output[0])
        self.assertEqual(self.direct.get("token"), "新")
        self.assertEqual(self.direct.get("page"), "旧页面")

        self.proxy.cut("refuse")
        with self.assertLogs("yantai.caching", "WARNING"):
            self.assertFalse(cache.clear())
        self.assertEqual(self.direct.get("page"), "旧页面")
        self.proxy.restore()
        wait_out_the_breaker()
        with self.assertLogs("yantai.caching", "WARNING"):
            cache.get("anything")
        self.assertIsNone(self.direct.get("page"))
        self.assertIsNone(self.direct.get("token"))


class FastPathReadTests(SimpleTestCase):
    def setUp(self):
        self.proxy, url = proxied_redis(self)
        prefix = f"outage{uuid.uuid4().hex[:8]}"
        caches_setting = {
            **settings.CACHES,
            "pages": cache_settings(url, prefix + ".pages"),
            "shared": cache_settings(url, prefix + ".shared"),
        }
        overridden = override_settings(CACHES=caches_setting)
        overridden.enable()
        self.addCleanup(overridden.disable)
        self.addCleanup(lambda: caches["pages"].clear())

    def test_the_fast_paths_read_trips_the_breaker_and_then_is_not_sent(self):
        items = (("pages", "page"), ("shared", "token"))
        caches["pages"].set("page", "页面")
        self.assertEqual(get_together(*items), ["页面", None])
        self.proxy.cut("silent")
        # The connection the fast path kept is gone: that read fails (the fast path
        # lets Django answer) without tripping the breaker, as when Redis closes an
        # idle connection; the next read tries a new connection, which waits its
        # socket timeout and trips it.
        with self.assertRaises(redis.exceptions.ConnectionError):
            get_together(*items)
        self.assertFalse(caches["pages"].breaker.down)
        with (
            self.assertLogs("yantai.caching", "WARNING"),
            self.assertRaises(redis.exceptions.TimeoutError),
        ):
            get_together(*items)
        tried = self.proxy.accepted
        self.assertIsNone(caching.send_together(*items))
        self.assertEqual(get_together(*items), [None, None])
        self.assertEqual(self.proxy.accepted, tried)
        self.proxy.restore()
        wait_out_the_breaker()
        with self.assertLogs("yantai.caching", "WARNING"):
            self.assertEqual(get_together(*items), ["页面", None])
        self.assertEqual(caching.send_together(*items).read(), ["页面", None])


class SiteDuringOutageTests(TestCase):
    """The public site, the API and /healthz while Redis is cut off, and the lists
    right after it answers again."""

    def setUp(self):
        self.proxy, url = proxied_redis(self)
        prefix = f"outage{uuid.uuid4().hex[:8]}"
        caches_setting = {
            **settings.CACHES,
            "default": cache_settings(url, prefix + ".default", 300),
            "pages": cache_settings(url, prefix + ".pages"),
            "shared": cache_settings(url, prefix + ".shared", 3600),
        }
        overridden = override_settings(
            CACHES=caches_setting, ARTICLE_PAGE_CACHE_SECONDS=120
        )
        overridden.enable()
        self.addCleanup(overridden.disable)
        for alias in ("default", "pages", "shared"):
            self.addCleanup(lambda alias=alias: caches[alias].clear())
        self.channel = ChannelFactory(name="质量强市", slug="质量强市")
        self.article = ArticleFactory(
            title="烟台参与制定国家标准604项",
            channel=self.channel,
            published_at=timezone.now() - timedelta(hours=2),
        )
        self.editor = UserFactory(is_staff=True, is_superuser=True)

    def latest(self, html: str) -> str:
        return html.split('<section class="latest">')[1].split("</section>")[0]

    def test_pages_api_and_healthz_answer_and_a_publication_shows_after_it(self):
        url = self.article.get_absolute_url()
        self.assertEqual(self.client.get(url).status_code, 200)  # cached, fragments too
        self.assertEqual(self.client.get("/healthz").json(), {"status": "ok"})

        self.proxy.cut("refuse")
        with self.assertLogs("yantai.caching", "WARNING"):
            response = self.client.get(url)
        self.assertContains(response, "烟台参与制定国家标准604项")
        for path in ("/", "/quality/", "/api/v1/articles/", "/sitemap.xml"):
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path).status_code, 200)
        health = self.client.get("/healthz")
        self.assertEqual(health.status_code, 200)
        self.assertEqual(
            health.json(), {"status": "degraded", "shared_cache": "unreachable"}
        )

        # 终审 publishes during the outage: readers see it at once (no cache)…
        draft = ArticleFactory(
            title="烟台新增山东名牌产品181个",
            channel=self.channel,
            published_at=None,
            status=Article.Status.REVIEW_3,
        )
        with self.captureOnCommitCallbacks(execute=True):
            new = article_publish_content(article=draft, by=self.editor)
        self.assertIn(
            "烟台新增山东名牌产品181个",
            self.latest(self.client.get(url).content.decode()),
        )

        # …and still when Redis answers again: its fragments and lists from before
        # the outage are out of date, because the new token is written then.
        self.proxy.restore()
        wait_out_the_breaker()
        with self.assertLogs("yantai.caching", "WARNING") as logs:
            page = self.client.get(url).content.decode()
        self.assertIn("Redis 恢复访问", "\n".join(logs.output))
        self.assertIn(
            f'<a href="{new.get_absolute_url()}">烟台新增山东名牌产品181个</a>',
            self.latest(page),
        )
        self.assertEqual(self.client.get("/healthz").json(), {"status": "ok"})

    def test_without_the_token_written_again_the_latest_list_would_be_stale(self):
        """The case the kept writes are for: the fragment of before the outage is
        still in Redis under the token of before, for FRAGMENT_SECONDS."""
        url = self.article.get_absolute_url()
        self.client.get(url)
        token = pagecache.public_token()
        self.proxy.cut("refuse")
        with self.assertLogs("yantai.caching", "WARNING"):
            pagecache.new_public_token()
        self.proxy.restore()
        wait_out_the_breaker()
        with self.assertLogs("yantai.caching", "WARNING"):
            self.assertNotEqual(pagecache.public_token(), token)
