"""REDIS_URL puts the page, shared and default caches in Redis (issue #14 §3).

The settings cases run ``yantai.settings`` in a subprocess with a clean environment;
the cache cases talk to a real Redis server (tests/redis_server.py says which).
"""

from __future__ import annotations

import json
import threading
import time
import uuid

import redis
from django.conf import settings
from django.core.cache import caches
from django.test import SimpleTestCase, TestCase, override_settings

from tests.redis_server import redis_url
from tests.test_deploy_settings import clean_env, python
from tests.test_health import closed_port
from yantai import caching
from yantai.caching import RedisCache, get_together
from yantai.settings import _redis_cache as redis_cache_settings

SHOW_CACHES = (
    "import json, yantai.settings as s; print(json.dumps({a: [c['BACKEND'], "
    "c.get('KEY_PREFIX', ''), c.get('LOCATION', '')] for a, c in s.CACHES.items()}))"
)


def caches_with(**variables: str) -> dict:
    result = python(SHOW_CACHES, clean_env(DJANGO_DEBUG="1", **variables))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


class SettingsTests(SimpleTestCase):
    def test_without_redis_url_the_caches_stay_on_this_host(self):
        caches = caches_with()
        self.assertEqual(caches["pages"][0], "yantai.caching.FileBasedCache")
        self.assertEqual(caches["shared"][0], "yantai.caching.FileBasedCache")
        self.assertEqual(
            caches["default"][0], "django.core.cache.backends.locmem.LocMemCache"
        )

    def test_redis_url_puts_pages_shared_and_default_in_redis_each_under_its_prefix(
        self,
    ):
        url = "redis://10.0.0.5:6379/2"
        caches = caches_with(REDIS_URL=url, REDIS_KEY_PREFIX="site1")
        for alias in ("pages", "shared", "default"):
            self.assertEqual(
                caches[alias], ["yantai.caching.RedisCache", f"site1.{alias}", url]
            )
        # The figure marks are data that must be right: never in Redis.
        if "figures" in caches:
            self.assertNotIn("Redis", caches["figures"][0])

    def test_shared_cache_can_stay_in_the_database_beside_redis(self):
        caches = caches_with(
            REDIS_URL="redis://127.0.0.1:6379/0", SHARED_CACHE="database"
        )
        self.assertEqual(
            caches["shared"][0], "django.core.cache.backends.db.DatabaseCache"
        )
        self.assertEqual(caches["pages"][0], "yantai.caching.RedisCache")

    def test_a_malformed_redis_url_stops_the_start_with_a_clear_message(self):
        result = python(
            SHOW_CACHES, clean_env(DJANGO_DEBUG="1", REDIS_URL="127.0.0.1:6379")
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("REDIS_URL 必须以 redis://", result.stderr)

    def test_shared_cache_redis_without_redis_url_is_refused(self):
        result = python(SHOW_CACHES, clean_env(DJANGO_DEBUG="1", SHARED_CACHE="redis"))
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SHARED_CACHE=redis 需要设置 REDIS_URL", result.stderr)


def redis_cache(url: str, prefix: str) -> RedisCache:
    return RedisCache(url, {"KEY_PREFIX": prefix, "TIMEOUT": 60})


class RedisCacheTests(SimpleTestCase):
    def setUp(self):
        self.url = redis_url()
        self.run_id = uuid.uuid4().hex[:8]

    def test_two_clients_see_one_store(self):
        """As two app servers would: a write through one is read through the other."""
        one = redis_cache(self.url, f"t{self.run_id}.pages")
        other = redis_cache(self.url, f"t{self.run_id}.pages")
        self.addCleanup(one.clear)
        one.set("page", "<html>新</html>")
        self.assertEqual(other.get("page"), "<html>新</html>")
        one.delete("page")
        self.assertIsNone(other.get("page"))

    def test_clear_deletes_its_own_prefix_only(self):
        pages = redis_cache(self.url, f"t{self.run_id}.pages")
        shared = redis_cache(self.url, f"t{self.run_id}.shared")
        starred = redis_cache(self.url, f"t{self.run_id}.pa*")  # glob characters
        self.addCleanup(shared.clear)
        pages.set_many({f"page:{i}": i for i in range(2500)})  # more than one batch
        shared.set("throttle:1.2.3.4", [1, 2, 3])
        starred.set("x", 1)

        starred.clear()  # "pa*" literally: not the pages
        self.assertIsNone(starred.get("x"))
        self.assertEqual(pages.get("page:7"), 7)

        self.assertTrue(pages.clear())
        self.assertEqual(pages.get_many([f"page:{i}" for i in range(2500)]), {})
        self.assertEqual(shared.get("throttle:1.2.3.4"), [1, 2, 3])

    def test_one_redis_client_serves_every_operation(self):
        """Django's builds a redis-py client for each operation (~0.2 ms of
        response-callback table); ours keeps one per connection pool."""
        cache = redis_cache(self.url, f"t{self.run_id}.c")
        self.addCleanup(cache.clear)
        cache.set("k", "值")
        client = cache._cache.get_client(None, write=True)
        self.assertIs(cache._cache.get_client("k"), client)  # one server: one pool
        self.assertEqual(cache.get("k"), "值")
        self.assertEqual(cache.get_many(["k", "missing"]), {"k": "值"})
        self.assertIs(cache._cache.get_client(None, write=True), client)

    def test_values_of_two_caches_in_one_round_trip(self):
        """The fast path reads a page and the fragments' token together: one MGET
        when both caches are in one Redis server, one GET each otherwise; the
        values (and the missing ones) are what each cache's own get() gives."""
        prefix = f"t{self.run_id}"
        redis_caches = {
            "pages": redis_cache_settings("pages", 60) | {"LOCATION": self.url},
            "shared": redis_cache_settings("shared", 60) | {"LOCATION": self.url},
        }
        redis_caches["pages"]["KEY_PREFIX"] = f"{prefix}.pages"
        redis_caches["shared"]["KEY_PREFIX"] = f"{prefix}.shared"
        with override_settings(CACHES={**settings.CACHES, **redis_caches}):
            pages, shared = caches["pages"], caches["shared"]
            self.addCleanup(pages.clear)
            self.addCleanup(shared.clear)
            pages.set("page", ("页面", b"<html>"))
            shared.set("token", "t1")
            shared.set("page", "another cache's key of the same name")
            items = (("pages", "page"), ("shared", "token"), ("shared", "none"))
            client = pages._cache.get_client(None)
            get_together(*items)  # the kept connection made before counting
            port = caching._kept.conn[2]._sock.getsockname()[1]

            # What the server ran for that connection, read with MONITOR: the
            # server's command counts are its whole traffic, other tests' and
            # other suites' on the same server included.
            with client.monitor() as monitor:
                values = get_together(*items)
                marker = f"end-{uuid.uuid4()}"
                client.echo(marker)
                ran = []
                while marker not in (command := monitor.next_command())["command"]:
                    if command["client_port"] == str(port):
                        ran.append(command["command"].split()[0].upper())
            self.assertEqual(values, [("页面", b"<html>"), "t1", None])
            self.assertEqual(ran, ["MGET"])
            # The server drops the kept connection: that read fails (the fast path
            # then leaves the request to Django), the next is on a new connection.
            kept = caching._kept.conn[2]
            kept.send_command("CLIENT", "ID")
            client.client_kill_filter(_id=kept.read_response())
            with self.assertRaises(redis.exceptions.ConnectionError):
                get_together(*items)
            self.assertEqual(get_together(*items), values)
            self.assertIsNot(caching._kept.conn[2], kept)
            # Another thread reads on a connection of its own.
            found = []
            thread = threading.Thread(target=lambda: found.append(get_together(*items)))
            thread.start()
            thread.join()
            self.assertEqual(found, [values])
        # A cache elsewhere (here: the file cache of the test settings): each read
        # by its own cache, the same values.
        caches["pages"].set("page", "文件")
        self.addCleanup(caches["pages"].delete, "page")
        self.assertEqual(
            get_together(("pages", "page"), ("pages", "x")), ["文件", None]
        )
        # The same aliases as in Redis above, now the file caches': read from them
        # (what get_together kept of the Redis caches went with the setting).
        caches["shared"].set("token", "文件 token")
        self.addCleanup(caches["shared"].delete, "token")
        self.assertEqual(get_together(*items), ["文件", "文件 token", None])

    def test_hiredis_parses_the_replies(self):
        from redis.connection import _HiredisParser

        cache = redis_cache(self.url, f"t{self.run_id}.p")
        cache.set("k", 1)
        self.addCleanup(cache.clear)
        pool = cache._cache.get_client(None, write=True).connection_pool
        self.assertIs(pool.connection_kwargs["parser_class"], _HiredisParser)


class RedisOutageTests(TestCase):
    def test_healthz_names_an_unreachable_redis_within_seconds(self):
        """No Redis on the port: /healthz says so in about the socket timeout (1 s),
        with 200: the site serves without Redis (tests/test_redis_outage.py), and
        every app server shares it, so a 503 would take them all out at once."""
        self.addCleanup(caching._breakers.clear)
        # The settings' own Redis entry (its socket timeouts), on a closed port.
        shared = {
            **redis_cache_settings("shared", 60),
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
        with override_settings(CACHES={**settings.CACHES, "shared": shared}):
            start = time.monotonic()
            with self.assertLogs("yantai.caching", "WARNING"):
                response = self.client.get("/healthz")
            elapsed = time.monotonic() - start
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json(), {"status": "degraded", "shared_cache": "unreachable"}
        )
        self.assertLess(elapsed, 5)
