"""After a publication, correction or withdrawal the app asks each nginx host to
refresh the pages it made stale (news/frontcache.py; FRONTEND_CACHE_URLS), then
purges them from the caches further out (FRONTEND_CACHE_PURGE_URLS) and from a
cloud CDN through its API (FRONTEND_CACHE_CDN, news/cdn.py).

The nginx and CDN sides are real HTTP servers here that record what they are asked
for (the real nginx and Varnish in front of a real gunicorn: tests/test_nginx.py,
tests/test_varnish.py); the clouds' APIs are stood in for by one that answers as
their documentation says, called through the vendors' real SDKs. The publication
goes through ``news.workflow`` as the admin's does.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlsplit

from django.test import TestCase, override_settings
from django.utils import timezone

from news import cdn, frontcache, pagecache
from news.models import Article
from news.services import article_update
from news.workflow import article_publish_content, article_unpublish
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    ChannelFactory,
    PersonFactory,
    TagFactory,
    UserFactory,
)
from tests.test_deploy_settings import clean_env, python
from tests.test_health import closed_port


class LocalServer(http.server.ThreadingHTTPServer):
    """Serves ``handler`` on a free loopback port, in a thread of its own."""

    def __init__(self, handler):
        super().__init__(("127.0.0.1", 0), handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class QuietHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass


class Recorder(LocalServer):
    """Answers every GET and PURGE (404 for paths in ``gone``, ``status`` for any
    other) and records it; ``log``, if given, records (method, path) of every
    recorder that shares it, in the order they came (each before its answer)."""

    def __init__(self, log: list | None = None):
        self.requests: list[tuple[str, str, str]] = []
        self.methods: set[str] = set()
        self.keys: set[str | None] = set()
        self.gone: set[str] = set()
        self.moved: dict[str, str] = {}
        self.status = 200
        self.log = log if log is not None else []
        recorder = self

        class Handler(QuietHandler):
            def do_GET(self):
                recorder.requests.append(
                    (
                        unquote(self.path),
                        self.headers["Host"],
                        self.headers["X-Yantai-Scheme"],
                    )
                )
                recorder.methods.add(self.command)
                recorder.keys.add(self.headers["Fastly-Key"])
                path = unquote(self.path)
                # Logged before the answer: once answered, the client may call the
                # next server, whose entry must come after this one.
                recorder.log.append((self.command, path))
                if path in recorder.moved:
                    self.send_response(301)
                    self.send_header("Location", recorder.moved[path])
                else:
                    self.send_response(
                        404 if path in recorder.gone else recorder.status
                    )
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_PURGE = do_GET

        super().__init__(Handler)

    def paths(self) -> set[str]:
        return {path for path, _host, _scheme in self.requests}


class CloudAPI(LocalServer):
    """Stands in for 腾讯云's ``PurgeUrlsCache`` and 阿里云's ``RefreshObjectCaches``
    (of files), and for the whole-site purges, 腾讯云's ``PurgePathCache`` and 阿里云's
    ``RefreshObjectCaches`` of a directory: records each call as (action, urls, key
    id), what it purges in ``kinds`` (``File``/``Directory``, ``FlushType``), and
    appends ("CDN", path) of each address to ``log``; answers as the APIs document,
    or with their error when ``error`` is set."""

    def __init__(self, log: list):
        self.calls: list[tuple[str, list[str], str]] = []
        self.kinds: list[str] = []
        self.raw: list[bytes] = []
        self.error = False
        api = self

        class Handler(QuietHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                api.raw.append(self.path.encode() + bytes(self.headers) + body)
                query = parse_qs(urlsplit(self.path).query)
                if "X-TC-Action" in self.headers:  # 腾讯云: JSON, TC3 signature
                    action = self.headers["X-TC-Action"]
                    asked = json.loads(body)
                    urls = asked["Urls"] if "Urls" in asked else asked["Paths"]
                    api.kinds.append(asked.get("FlushType", "File"))
                    key = self.headers["Authorization"].split("Credential=")[1]
                    key = key.split("/")[0]
                    status, answer = 200, {"Response": {"TaskId": "t-1"}}
                    if api.error:
                        error = {
                            "Code": "AuthFailure.SecretIdNotFound",
                            "Message": "SecretId 不存在，请输入正确的密钥。",
                        }
                        status = 200  # 腾讯云 answers its errors with 200
                        answer = {"Response": {"Error": error, "RequestId": "r"}}
                else:  # 阿里云: RPC, the parameters in the signed query string
                    action = query["Action"][0]
                    urls = query["ObjectPath"][0].split("\n")
                    key = query["AccessKeyId"][0]
                    kind = query["ObjectType"][0]
                    assert kind in ("File", "Directory") and query["Signature"]
                    api.kinds.append(kind)
                    status, answer = 200, {"RefreshTaskId": "7042", "RequestId": "r"}
                    if api.error:
                        status = 404
                        answer = {
                            "Code": "InvalidAccessKeyId.NotFound",
                            "Message": "Specified access key is not found.",
                            "RequestId": "r",
                        }
                api.calls.append((action, urls, key))
                log.extend(("CDN", urlsplit(url).path) for url in urls)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        super().__init__(Handler)


def serving(test: TestCase, *servers):
    """``servers``, shut down when ``test`` ends."""
    for server in servers:
        test.addCleanup(server.server_close)
        test.addCleanup(server.shutdown)
    return servers


def article_to_withdraw(test: TestCase) -> None:
    """A live article in its channel, and the editor who may take it down."""
    test.channel = ChannelFactory(name="质量强市", slug="质量强市")
    test.article = ArticleFactory(
        title="烟台新增山东名牌产品181个", channel=test.channel
    )
    test.editor = UserFactory(is_staff=True, is_superuser=True)


class FrontendRefreshTests(TestCase):
    def setUp(self):
        self.recorder = Recorder()
        self.addCleanup(self.recorder.server_close)
        self.addCleanup(self.recorder.shutdown)
        self.other = Recorder()  # a second nginx host
        self.addCleanup(self.other.server_close)
        self.addCleanup(self.other.shutdown)
        overridden = override_settings(
            FRONTEND_CACHE_URLS=[self.recorder.url, self.other.url + "/"],
            SITE_URL="https://quality.example.gov.cn",
        )
        overridden.enable()
        self.addCleanup(overridden.disable)
        now = timezone.now()
        self.channel = ChannelFactory(name="质量强市", slug="质量强市")
        self.older = ArticleFactory(
            title="较早的一篇",
            channel=self.channel,
            published_at=now - timedelta(hours=3),
        )
        self.unrelated = ArticleFactory(
            title="别的栏目的一篇",
            channel=ChannelFactory(name="品牌建设", slug="品牌建设"),
            published_at=now - timedelta(hours=5),
        )
        self.editor = UserFactory(is_staff=True, is_superuser=True)

    def publish_new(self) -> Article:
        draft = ArticleFactory(
            title="烟台新增山东名牌产品181个",
            channel=self.channel,
            published_at=None,
            status=Article.Status.REVIEW_3,
        )
        draft.tags.add(TagFactory(name="品牌建设", slug="品牌建设"))
        BylineFactory(article=draft, person=PersonFactory(name="逄苗", slug="逄苗"))
        with self.captureOnCommitCallbacks(execute=True):
            article = article_publish_content(article=draft, by=self.editor)
        frontcache.wait(30)
        return article

    def test_a_publication_refreshes_its_page_its_neighbour_and_its_lists(self):
        new = self.publish_new()
        when = timezone.localtime(new.published_at)
        month = f"/news/{when.year}/{when.month}/"
        expected = {
            f"/news/{new.pk}/",
            f"/en/news/{new.pk}/",
            f"/news/{self.older.pk}/",  # its 下一篇 is the new one now
            f"/en/news/{self.older.pk}/",
            "/",
            "/en/",
            "/news/archive/",
            month,
            f"/en{month}",
            "/news/channel/质量强市/",
            "/en/news/channel/质量强市/",
            "/feeds/channel/质量强市/rss/",
            "/news/tag/品牌建设/",
            "/en/news/tag/品牌建设/",
            "/news/person/逄苗/",
            "/feeds/rss/",
            "/feeds/atom/",
            "/en/feeds/rss/",
            "/sitemap.xml",
            "/sitemap-news.xml",
        }
        self.assertLessEqual(expected, self.recorder.paths())
        self.assertNotIn(f"/news/{self.unrelated.pk}/", self.recorder.paths())
        self.assertNotIn("/news/channel/品牌建设/", self.recorder.paths())
        # Each path once, to every nginx host, under the public host and scheme.
        paths = [path for path, _, _ in self.recorder.requests]
        self.assertEqual(len(paths), len(set(paths)))
        self.assertEqual(self.other.paths(), self.recorder.paths())
        self.assertEqual(
            {(host, scheme) for _, host, scheme in self.recorder.requests},
            {("quality.example.gov.cn", "https")},
        )

    def test_a_withdrawal_refreshes_its_page_whose_404_is_no_failure(self):
        self.recorder.gone = {f"/news/{self.older.pk}/", f"/en/news/{self.older.pk}/"}
        with self.assertNoLogs("news.frontcache", "WARNING"):
            with self.captureOnCommitCallbacks(execute=True):
                article_unpublish(article=self.older, by=self.editor)
            frontcache.wait(30)
        self.assertLessEqual(
            {f"/news/{self.older.pk}/", "/", "/news/channel/质量强市/"},
            self.recorder.paths(),
        )

    def test_a_bulk_run_refreshes_the_lists_once_at_its_end(self):
        """An import commits batch after batch; nginx's lists are refreshed once,
        when it ends (news.bulk runs inside fragments_rendered_at_end)."""
        with pagecache.fragments_rendered_at_end():
            for _batch in range(3):
                with self.captureOnCommitCallbacks(execute=True):
                    pagecache.public_changed()
            frontcache.wait(30)
            self.assertEqual(self.recorder.requests, [])
        frontcache.wait(30)
        paths = [path for path, _, _ in self.recorder.requests]
        self.assertLessEqual(
            {
                "/",
                "/en/",
                "/news/archive/",
                "/news/channel/质量强市/",
                "/news/channel/品牌建设/",
                "/en/news/channel/品牌建设/",
                "/feeds/rss/",
                "/sitemap.xml",
                "/sitemap-news.xml",
            },
            set(paths),
        )
        self.assertEqual(len(paths), len(set(paths)))

    def test_a_redirect_is_an_answer_not_followed(self):
        self.recorder.moved = {"/news/archive/": "https://quality.example.gov.cn/x/"}
        with self.assertNoLogs("news.frontcache", "WARNING"):
            frontcache.refresh(["/news/archive/"]).join(30)
        self.assertEqual(self.recorder.paths(), {"/news/archive/"})

    def test_a_draft_saved_over_a_live_article_refreshes_nothing(self):
        with self.captureOnCommitCallbacks(execute=True):
            article_update(
                article=self.older, by=self.editor, values={"title": "改过的标题"}
            )
        frontcache.wait(30)
        self.assertEqual(self.recorder.requests, [])

    def test_a_refresh_that_fails_is_logged_and_the_publication_stands(self):
        with (
            override_settings(
                FRONTEND_CACHE_URLS=[f"http://127.0.0.1:{closed_port()}"]
            ),
            self.assertLogs("news.frontcache", "WARNING") as logs,
        ):
            new = self.publish_new()
        self.assertIn("front-end cache refreshes failed", logs.output[0])
        self.assertEqual(
            Article.objects.get(pk=new.pk).status, Article.Status.PUBLISHED
        )

    def test_without_frontend_cache_urls_nothing_is_sent_nor_queried(self):
        with override_settings(FRONTEND_CACHE_URLS=[]):
            draft = ArticleFactory(
                channel=self.channel, published_at=None, status=Article.Status.REVIEW_3
            )
            with self.captureOnCommitCallbacks(execute=True):
                article_publish_content(article=draft, by=self.editor)
            # The pages' stamps in one UPDATE, as before there was a front end.
            with self.assertNumQueries(1):
                pagecache.article_neighbours_touch(self.older)
        frontcache.wait(30)
        self.assertEqual(self.recorder.requests, [])


class PurgeTests(TestCase):
    """FRONTEND_CACHE_PURGE_URLS: Varnish or a CDN further out than nginx."""

    def setUp(self):
        self.log: list[tuple[str, str]] = []
        self.nginx, self.cdn = serving(self, Recorder(self.log), Recorder(self.log))
        overridden = override_settings(
            FRONTEND_CACHE_URLS=[self.nginx.url],
            FRONTEND_CACHE_PURGE_URLS=[self.cdn.url + "/"],
            FRONTEND_CACHE_PURGE_HEADER="Fastly-Key: k-123",
            SITE_URL="https://quality.example.gov.cn",
        )
        overridden.enable()
        self.addCleanup(overridden.disable)
        article_to_withdraw(self)

    def test_a_withdrawal_is_purged_after_nginx_has_refreshed(self):
        """The CDN is purged of the same pages, once nginx has its new copies (a CDN
        in front of nginx would otherwise fetch nginx's old one), under the public
        host and scheme, with the CDN's key; a purge of a page it did not hold
        (Squid's 404) is no failure."""
        self.cdn.gone = {"/news/archive/"}
        with self.assertNoLogs("news.frontcache", "WARNING"):
            with self.captureOnCommitCallbacks(execute=True):
                article_unpublish(article=self.article, by=self.editor)
            frontcache.wait(30)
        page = f"/news/{self.article.pk}/"
        self.assertLessEqual(
            {page, f"/en{page}", "/", "/news/archive/", "/news/channel/质量强市/"},
            self.cdn.paths(),
        )
        self.assertEqual(self.cdn.paths(), self.nginx.paths())
        self.assertEqual((self.nginx.methods, self.cdn.methods), ({"GET"}, {"PURGE"}))
        methods = [method for method, _path in self.log]
        self.assertEqual(methods, sorted(methods))  # every GET before any PURGE
        self.assertEqual(self.cdn.keys, {"k-123"})
        self.assertEqual(self.nginx.keys, {None})  # the key goes to the CDN only
        self.assertEqual(
            {(host, scheme) for _, host, scheme in self.cdn.requests},
            {("quality.example.gov.cn", "https")},
        )

    def test_a_purge_refused_is_logged_and_the_withdrawal_stands(self):
        self.cdn.status = 403  # an address the cache does not let purge
        with self.assertLogs("news.frontcache", "WARNING") as logs:
            with self.captureOnCommitCallbacks(execute=True):
                article_unpublish(article=self.article, by=self.editor)
            frontcache.wait(30)
        self.assertIn("front-end cache refreshes failed", logs.output[0])
        self.assertIn("e.g. PURGE http://127.0.0.1:", logs.output[0])
        self.assertIn("HTTP 403", logs.output[0])
        self.assertEqual(
            Article.objects.get(pk=self.article.pk).status, Article.Status.UNPUBLISHED
        )

    def test_purges_alone_without_nginx(self):
        with override_settings(FRONTEND_CACHE_URLS=[]):
            with self.captureOnCommitCallbacks(execute=True):
                article_unpublish(article=self.article, by=self.editor)
            frontcache.wait(30)
        self.assertEqual(self.nginx.requests, [])
        self.assertIn(f"/news/{self.article.pk}/", self.cdn.paths())


class CloudCDNTests(TestCase):
    """FRONTEND_CACHE_CDN: 阿里云 CDN or 腾讯云 CDN, purged through their APIs."""

    def setUp(self):
        self.log: list[tuple[str, str]] = []
        self.nginx, self.api = serving(self, Recorder(self.log), CloudAPI(self.log))
        article_to_withdraw(self)

    def cloud(self, kind: str):
        return override_settings(
            FRONTEND_CACHE_URLS=[self.nginx.url],
            FRONTEND_CACHE_CDN=kind,
            FRONTEND_CACHE_CDN_ENDPOINT=self.api.url,
            FRONTEND_CACHE_CDN_KEY_ID="AKID-yantai",
            FRONTEND_CACHE_CDN_SECRET="s3cret-never-sent",
            SITE_URL="https://quality.example.gov.cn",
        )

    def withdraw(self):
        with self.captureOnCommitCallbacks(execute=True):
            article_unpublish(article=self.article, by=self.editor)
        frontcache.wait(60)

    def test_a_withdrawal_is_purged_through_each_clouds_api(self):
        """The same pages as nginx refreshed, as the public addresses, in one call
        signed with the key (the secret itself never sent), after nginx has its new
        copies."""
        for kind, action in (
            ("tencent", "PurgeUrlsCache"),
            ("aliyun", "RefreshObjectCaches"),
        ):
            with self.subTest(kind), self.cloud(kind):
                self.log.clear()
                self.nginx.requests.clear()
                self.api.calls.clear()
                self.article.refresh_from_db()
                if self.article.status != Article.Status.PUBLISHED:
                    Article.objects.filter(pk=self.article.pk).update(
                        status=Article.Status.PUBLISHED
                    )
                    self.article.refresh_from_db()
                with self.assertNoLogs("news.frontcache", "WARNING"):
                    self.withdraw()
                self.assertEqual(len(self.api.calls), 1)
                called, urls, key = self.api.calls[0]
                self.assertEqual((called, key), (action, "AKID-yantai"))
                page = f"https://quality.example.gov.cn/news/{self.article.pk}/"
                self.assertIn(page, urls)
                self.assertIn(page.replace("/news/", "/en/news/"), urls)
                self.assertEqual(
                    {unquote(urlsplit(url).path) for url in urls}, self.nginx.paths()
                )
                self.assertEqual(
                    {urlsplit(url)[:2] for url in urls},
                    {("https", "quality.example.gov.cn")},
                )
                kinds = [what for what, _path in self.log]
                self.assertEqual(kinds[-len(urls) :], ["CDN"] * len(urls))
                self.assertNotIn("CDN", kinds[: -len(urls)])  # nginx first
                self.assertFalse(any(b"s3cret" in raw for raw in self.api.raw))

    def test_many_pages_go_in_calls_of_the_batch_size(self):
        paths = [f"/news/{pk}/" for pk in range(1, 2 * cdn.BATCH + 2)]
        with self.cloud("tencent"):
            frontcache.refresh(paths)
            frontcache.wait(60)
        self.assertEqual(  # sent at once: in any order
            sorted(len(urls) for _action, urls, _key in self.api.calls),
            [1, cdn.BATCH, cdn.BATCH],
        )
        called = [url for _action, urls, _key in self.api.calls for url in urls]
        self.assertEqual(
            sorted(called), sorted(f"https://quality.example.gov.cn{p}" for p in paths)
        )

    def test_a_purge_refused_is_logged_and_the_withdrawal_stands(self):
        self.api.error = True
        for kind, code in (
            ("tencent", "AuthFailure.SecretIdNotFound"),
            ("aliyun", "InvalidAccessKeyId.NotFound"),
        ):
            with self.subTest(kind), self.cloud(kind):
                Article.objects.filter(pk=self.article.pk).update(
                    status=Article.Status.PUBLISHED
                )
                self.article.refresh_from_db()
                with self.assertLogs("news.frontcache", "WARNING") as logs:
                    self.withdraw()
                self.assertIn("1 of ", logs.output[0])
                self.assertIn("https://quality.example.gov.cn/", logs.output[0])
                self.assertIn(code, logs.output[0])
                self.assertEqual(
                    Article.objects.get(pk=self.article.pk).status,
                    Article.Status.UNPUBLISHED,
                )

    def test_an_api_out_of_reach_is_logged_once_and_the_withdrawal_stands(self):
        """Logged at once (a command's exit waits for its purges), the withdrawal
        standing."""
        for kind in ("tencent", "aliyun"):
            with (
                self.subTest(kind),
                self.cloud(kind),
                override_settings(
                    FRONTEND_CACHE_CDN_ENDPOINT=f"http://127.0.0.1:{closed_port()}"
                ),
            ):
                Article.objects.filter(pk=self.article.pk).update(
                    status=Article.Status.PUBLISHED
                )
                self.article.refresh_from_db()
                started = time.monotonic()
                with self.assertLogs("news.frontcache", "WARNING") as logs:
                    self.withdraw()
                self.assertLess(time.monotonic() - started, 10)
                self.assertIn(f"1 of {len(self.nginx.requests) + 1} ", logs.output[0])
                self.assertIn("Connection refused", logs.output[0])
                self.nginx.requests.clear()
                self.assertEqual(
                    Article.objects.get(pk=self.article.pk).status,
                    Article.Status.UNPUBLISHED,
                )


class SettingTests(TestCase):
    def test_a_frontend_cache_url_without_its_scheme_is_refused(self):
        result = python(
            "import yantai.settings",
            clean_env(
                DJANGO_DEBUG="1",
                FRONTEND_CACHE_URLS="10.0.0.11:8081",
                SITE_URL="https://quality.example.gov.cn",
            ),
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("FRONTEND_CACHE_URLS 的每一项都必须以 http://", result.stderr)

    def test_frontend_cache_urls_without_site_url_is_refused(self):
        """Refreshed under another host than readers use, nginx's copies would stay."""
        variables = {
            "DJANGO_DEBUG": "1",
            "FRONTEND_CACHE_URLS": "http://10.0.0.11:8081",
        }
        result = python("import yantai.settings", clean_env(**variables))
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("设置了 FRONTEND_CACHE_URLS 就必须设置 SITE_URL", result.stderr)
        result = python(
            "import yantai.settings",
            clean_env(**variables, SITE_URL="https://quality.example.gov.cn"),
        )
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_purge_urls_and_header_are_checked(self):
        site = {"DJANGO_DEBUG": "1", "SITE_URL": "https://quality.example.gov.cn"}
        for variables, message in (
            (
                {
                    "DJANGO_DEBUG": "1",
                    "FRONTEND_CACHE_PURGE_URLS": "http://10.0.0.5:6081",
                },
                "设置了 FRONTEND_CACHE_PURGE_URLS 就必须设置 SITE_URL",
            ),
            (
                {**site, "FRONTEND_CACHE_PURGE_URLS": "10.0.0.5:6081"},
                "FRONTEND_CACHE_PURGE_URLS 的每一项都必须以 http://",
            ),
            (
                {**site, "FRONTEND_CACHE_PURGE_HEADER": "Fastly-Key k-123"},
                "FRONTEND_CACHE_PURGE_HEADER 的格式应为“名称: 值”",
            ),
        ):
            result = python("import yantai.settings", clean_env(**variables))
            self.assertNotEqual(result.returncode, 0, variables)
            self.assertIn(message, result.stderr)
        result = python(
            "import yantai.settings",
            clean_env(
                **site,
                FRONTEND_CACHE_PURGE_URLS="http://10.0.0.5:6081",
                FRONTEND_CACHE_PURGE_HEADER="Fastly-Key: k-123",
            ),
        )
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_the_cloud_cdn_settings_are_checked(self):
        site = {"DJANGO_DEBUG": "1", "SITE_URL": "https://quality.example.gov.cn"}
        keys = {"TENCENTCLOUD_SECRET_ID": "AKID", "TENCENTCLOUD_SECRET_KEY": "s"}
        for variables, message in (
            (
                {"DJANGO_DEBUG": "1", "FRONTEND_CACHE_CDN": "tencent", **keys},
                "设置了 FRONTEND_CACHE_CDN 就必须设置 SITE_URL",
            ),
            (
                {**site, "FRONTEND_CACHE_CDN": "cloudflare"},
                "FRONTEND_CACHE_CDN 只能是 aliyun（阿里云 CDN）或 tencent",
            ),
            (
                {**site, "FRONTEND_CACHE_CDN": "aliyun", **keys},
                "需要在环境变量 ALIBABA_CLOUD_ACCESS_KEY_ID 和"
                " ALIBABA_CLOUD_ACCESS_KEY_SECRET 中给出",
            ),
            (
                {
                    **site,
                    **keys,
                    "FRONTEND_CACHE_CDN": "tencent",
                    "FRONTEND_CACHE_CDN_ENDPOINT": "cdn.example.gov.cn",
                },
                "FRONTEND_CACHE_CDN_ENDPOINT 应为 http:// 或 https:// 加主机名",
            ),
        ):
            result = python("import yantai.settings", clean_env(**variables))
            self.assertNotEqual(result.returncode, 0, variables)
            self.assertIn(message, result.stderr)
        result = python(
            "from django.conf import settings as s; import django; django.setup();"
            " from news import cdn; print(type(cdn.purger()).__name__,"
            " s.FRONTEND_CACHE_CDN_KEY_ID)",
            clean_env(
                **site,
                **keys,
                FRONTEND_CACHE_CDN="Tencent",
                FRONTEND_CACHE_CDN_ENDPOINT="https://cdn.example.gov.cn",
            ),
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.split(), ["TencentPurger", "AKID"])
