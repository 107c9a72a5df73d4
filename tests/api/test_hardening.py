"""DRF's defaults made safe: no Basic auth, capped paginators, throttles that cannot be
dodged, no 500 for any value of any parameter, and If-Match against lost updates."""

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

from django.conf import settings
from django.core.cache import caches
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test import LiveServerTestCase, override_settings
from django.test.testcases import LiveServerThread
from rest_framework import permissions
from rest_framework.authentication import BasicAuthentication
from rest_framework.settings import api_settings

from api.pagination import MAX_PAGE_SIZE
from news.models import Article
from tests.api import ApiTestCase, token_for, user_with_perms
from tests.factories import ArticleFactory, BylineFactory, ChannelFactory, TagFactory
from tests.processes import run_in_another_process
from tests.quality.factories import (
    AwardFactory,
    ObservationFactory,
    SamplingCampaignFactory,
    StandardFactory,
)
from yantai.api_urls import router

NO_THROTTLE = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {}}

# Values that have crashed django-filter/DRF stacks, or fuzzers tend to miss.
# Already percent-encoded: NUL, a lone surrogate (U+D800 as UTF-8), broken UTF-8.
RAW_VALUES = ["%00", "a%00b", "%ED%A0%80", "%F0%9F", "%FF", "%"]
EDGE_VALUES = [
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999",
    "1e400",
    "-1e400",
    "NaN",
    "inf",
    "",
    "-1",
    "0",
    "0.5",
    "x" * 10240,
    '" * NEAR(',
    "a OR b AND NOT c",
    "' OR 1=1 --",
    "质量 NEAR/3 标准*",
    ",".join(str(i) for i in range(2000)),
    "1,2,x",
    ",,,",
    "9999-12-31T23:59:59-12:00",
    "0001-01-01T00:00:00+14:00",
    "0001-01-01",
    "9999-12-31",
    "2021-02-30",
    "2021-09-01T25:00:00",
    "-id",
    "__all__",
    "../../etc/passwd",
    "true",
]


def list_endpoints() -> list[tuple[str, type]]:
    """(URL, viewset) of every list endpoint of the router."""
    return [
        (f"/api/v1/{prefix}/", viewset)
        for prefix, viewset, _basename in router.registry
        if hasattr(viewset, "list")
    ]


def endpoint_params(viewset) -> list[str]:
    """Every query parameter the endpoint documents: FilterSet, paging, ordering."""
    params = ["page", "page_size", "limit", "offset", "ordering", "format"]
    filterset = getattr(viewset, "filterset_class", None)
    if filterset is not None:
        params += list(filterset.base_filters)
    return params


class SafeDefaultsTests(ApiTestCase):
    """Settings and every viewset refuse DRF's unsafe defaults."""

    def test_no_basic_auth_and_no_allow_any_by_default(self):
        self.assertNotIn(
            BasicAuthentication, api_settings.DEFAULT_AUTHENTICATION_CLASSES
        )
        self.assertNotIn(permissions.AllowAny, api_settings.DEFAULT_PERMISSION_CLASSES)
        for prefix, viewset, _ in router.registry:
            with self.subTest(prefix):
                self.assertNotIn(BasicAuthentication, viewset.authentication_classes)
                self.assertNotIn(permissions.AllowAny, viewset.permission_classes)
        self.assertIsNotNone(api_settings.NUM_PROXIES)

    def test_every_paginator_is_capped(self):
        for prefix, viewset, _ in router.registry:
            with self.subTest(prefix):
                paginator = viewset.pagination_class()
                self.assertLessEqual(paginator.max_page_size, MAX_PAGE_SIZE)
                self.assertLessEqual(paginator.limit_offset.max_limit, MAX_PAGE_SIZE)

    def test_huge_limit_and_page_size_return_at_most_100(self):
        TagFactory.create_batch(MAX_PAGE_SIZE + 5)
        for query in ("limit=100000000", "page_size=100000000", "limit=101&offset=0"):
            with self.subTest(query):
                response = self.client.get(f"/api/v1/tags/?{query}")
                self.assertEqual(response.status_code, 200)
                self.assertEqual(len(response.json()["results"]), MAX_PAGE_SIZE)


class ThrottleTests(ApiTestCase):
    """Limits hold per client; rotating X-Forwarded-For does not reset them."""

    def rates(self, anon="3/min", user="4/min", proxies=0):
        return override_settings(
            REST_FRAMEWORK={
                **settings.REST_FRAMEWORK,
                "DEFAULT_THROTTLE_RATES": {"anon": anon, "user": user},
                "NUM_PROXIES": proxies,
            }
        )

    def get(self, n: int, **extra):
        return self.client.get("/api/v1/tags/", REMOTE_ADDR="203.0.113.7", **extra)

    def test_rotating_forwarded_for_does_not_dodge_without_proxies(self):
        with self.rates():
            codes = [
                self.get(i, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code
                for i in range(5)
            ]
        self.assertEqual(codes, [200, 200, 200, 429, 429])

    def test_rotating_forwarded_for_does_not_dodge_behind_a_proxy(self):
        # The trusted proxy appends the address it saw; the client forges the rest.
        with self.rates(proxies=1):
            codes = [
                self.client.get(
                    "/api/v1/tags/",
                    REMOTE_ADDR="10.0.0.1",
                    HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 203.0.113.7",
                ).status_code
                for i in range(5)
            ]
            other = self.client.get(
                "/api/v1/tags/",
                REMOTE_ADDR="10.0.0.1",
                HTTP_X_FORWARDED_FOR="203.0.113.8",
            )
        self.assertEqual(codes, [200, 200, 200, 429, 429])
        self.assertEqual(other.status_code, 200)

    def test_429_names_the_wait(self):
        with self.rates(anon="1/min"):
            self.get(0)
            response = self.get(1)
        self.assertEqual(response.status_code, 429)
        self.assertIn("Retry-After", response)

    def test_users_have_their_own_rate(self):
        user = user_with_perms("reader", "news.view_article")
        self.auth(token_for(user))
        with self.rates(anon="1/min", user="4/min"):
            codes = [self.get(i).status_code for i in range(5)]
        self.assertEqual(codes, [200, 200, 200, 200, 429])

    def test_counters_are_shared_by_worker_processes(self):
        """Two requests counted by another process leave this one a single one."""
        script = (
            "import django; django.setup()\n"
            "from django.contrib.auth.models import AnonymousUser\n"
            "from django.test import RequestFactory\n"
            "from django.test.utils import override_settings\n"
            "from django.conf import settings\n"
            "from api.throttling import ApiAnonRateThrottle\n"
            "rates = {**settings.REST_FRAMEWORK,\n"
            "         'DEFAULT_THROTTLE_RATES': {'anon': '3/min', 'user': '4/min'},\n"
            "         'NUM_PROXIES': 0}\n"
            "with override_settings(REST_FRAMEWORK=rates):\n"
            "    request = RequestFactory().get('/api/v1/tags/',\n"
            "                                   REMOTE_ADDR='203.0.113.7')\n"
            "    request.user = AnonymousUser()\n"
            "    for _ in range(2):\n"
            "        assert ApiAnonRateThrottle().allow_request(request, None)\n"
        )
        run_in_another_process(script)
        with self.rates():
            codes = [self.get(i).status_code for i in range(2)]
        self.assertEqual(codes, [200, 429])

    def test_rates_come_from_the_environment(self):
        self.assertEqual(
            set(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]), {"anon", "user"}
        )


@override_settings(REST_FRAMEWORK=NO_THROTTLE)
class KnownCrashTests(ApiTestCase):
    """Values that crash django-filter on SQLite are a 400 naming the parameter."""

    def assert_400(self, query: str, param: str):
        response = self.client.get("/api/v1/articles/?" + query)
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn(param, response.json())

    def test_date_times_that_overflow_in_utc(self):
        for value in ("9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"):
            for param in ("published_after", "published_before"):
                with self.subTest(value=value, param=param):
                    self.assert_400(f"{param}={quote(value)}", param)

    def test_extreme_but_valid_date_times_are_fine(self):
        response = self.client.get(
            "/api/v1/articles/?published_after=" + quote("9999-12-31T23:59:59+08:00")
        )
        self.assertEqual(response.status_code, 200)

    def test_in_lists(self):
        for value in (
            "99999999999999999999",
            "1,99999999999999999999",
            "1,2,x",
            "1,,2",
        ):
            with self.subTest(value):
                self.assert_400(f"id__in={quote(value)}", "id__in")
        self.assert_400("id__in=" + ",".join(map(str, range(1, 200))), "id__in")


@override_settings(REST_FRAMEWORK=NO_THROTTLE)
class EdgeValueTests(ApiTestCase):
    """Every hand-made edge value, sent to every parameter of every list endpoint,
    gets an answer below 500 (on SQLite and on PostgreSQL)."""

    @classmethod
    def setUpTestData(cls):
        article = ArticleFactory()
        article.tags.add(TagFactory())
        BylineFactory(article=article)
        ChannelFactory()
        ObservationFactory(article=article, source_publisher="", source_title="")
        AwardFactory()
        SamplingCampaignFactory()
        StandardFactory()

    def test_no_server_errors(self):
        values = [quote(v, safe="") for v in EDGE_VALUES] + RAW_VALUES
        failures = []
        checked = 0
        for url, viewset in list_endpoints():
            for param in endpoint_params(viewset):
                for value in values:
                    response = self.client.get(f"{url}?{param}={value}")
                    checked += 1
                    if response.status_code >= 500:
                        failures.append((url, param, value[:40], response.status_code))
        self.assertEqual(failures, [])
        self.assertGreater(checked, 500)

    def test_edge_values_in_the_path(self):
        for value in ("9223372036854775808", "99999999999999999999", "-1", "x", "%00"):
            for url, _viewset in list_endpoints():
                with self.subTest(url=url, value=value):
                    response = self.client.get(f"{url}{value}/")
                    self.assertIn(response.status_code, (401, 404))


class SerialisedWSGIServer(ThreadedWSGIServer):
    """One request at a time, for the in-memory SQLite test database.

    The live server shares the test's single in-memory connection between its
    threads; interleaved transactions on one connection would corrupt each other.
    The lock is per request (not per connection, which keep-alive holds open).
    SQLite runs one writer at a time anyway; on PostgreSQL requests run in parallel.
    """

    lock = threading.Lock()

    def set_app(self, application):
        def serialised(environ, start_response):
            with self.lock:
                return application(environ, start_response)

        super().set_app(serialised)


class SerialisedLiveServerThread(LiveServerThread):
    server_class = SerialisedWSGIServer


class ConcurrentWriteTests(LiveServerTestCase):
    """Of 100 concurrent PATCHes carrying the same ETag, exactly one succeeds."""

    @classmethod
    def setUpClass(cls):
        if connection.vendor == "sqlite":
            cls.server_thread_class = SerialisedLiveServerThread
        super().setUpClass()

    def request(self, method: str, path: str, secret: str, body=None, etag=None):
        headers = {
            "Authorization": f"Token {secret}",
            "Content-Type": "application/json",
        }
        if etag:
            headers["If-Match"] = etag
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            self.live_server_url + path, data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(req, timeout=60) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def test_one_of_100_concurrent_patches_wins(self):
        caches["shared"].clear()
        editor = user_with_perms(
            "editor", "news.view_article", "news.change_article", "news.add_article"
        )
        secret = token_for(editor)
        article = ArticleFactory(status=Article.Status.DRAFT, title="原标题")
        path = f"/api/v1/drafts/{article.pk}/"
        status, headers, _ = self.request("GET", path, secret)
        self.assertEqual(status, 200)
        etag = headers["ETag"]

        def patch(i):
            return self.request("PATCH", path, secret, {"title": f"标题{i}"}, etag)[0]

        with (
            override_settings(REST_FRAMEWORK=NO_THROTTLE),
            ThreadPoolExecutor(max_workers=20) as pool,
        ):
            codes = list(pool.map(patch, range(100)))
        self.assertEqual(codes.count(200), 1, codes)
        self.assertEqual(codes.count(412), 99, codes)
        article.refresh_from_db()
        self.assertEqual(article.version, 2)
        winner = codes.index(200)
        self.assertEqual(article.title, f"标题{winner}")
