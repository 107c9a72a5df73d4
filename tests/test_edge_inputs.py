"""No 500 from input, on SQLite and on PostgreSQL (issue #13 §1).

Text no database column can hold (NUL, lone surrogates) is refused by
``yantai.middleware.UnstorableTextMiddleware`` before any view runs (404 in a path,
400 in a query parameter); admin date filters refuse dates beyond the representable
range; the staff forms that used to fail on bad input show a message and write
nothing; and a hand-made list of edge values is sent to every parameter of every
public URL, every admin changelist's filters and search, and every API endpoint's
filters: no answer >= 500.
"""

import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, quote, unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory, TestCase, modify_settings, override_settings
from django.urls import Resolver404, URLResolver, get_resolver, resolve, reverse

from news.models import Article, AuditLog, PreviewLink
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    ChannelFactory,
    PersonFactory,
    TagFactory,
    UserFactory,
)

BAD_TEXT_MESSAGE = "请求中含有无法处理的字符"
GUARD = "yantai.middleware.UnstorableTextMiddleware"

NUL_PATHS = [
    "/news/channel/%00/",
    "/news/tag/%00/",
    "/news/person/%00/",
    "/feeds/channel/%00/rss/",
    "/feeds/channel/%00/atom/",
    "/news/channel/a%00b/",
]
NUL_QUERIES = [
    "/search/?q=%00",
    "/search/?q=a%00b",
    "/quality/standards/?q=%00",
    "/?page=%00",
]


class UnstorableTextTests(TestCase):
    """NUL in a path is a 404, in a query parameter a 400 with a Chinese message."""

    @classmethod
    def setUpTestData(cls):
        cls.admin = UserFactory(username="root", is_staff=True, is_superuser=True)
        cls.channel = ChannelFactory(name="质量强市", slug="质量强市")
        ArticleFactory(channel=cls.channel, title="质量强市建设稳步推进")
        TagFactory(name="标准化", slug="标准化")
        PersonFactory(name="刘海滨", slug="刘海滨")

    def get(self, url):
        self.client.raise_request_exception = False
        return self.client.get(url)

    def test_nul_in_a_path_is_a_404(self):
        for url in NUL_PATHS:
            with self.subTest(url=url):
                self.assertEqual(self.get(url).status_code, 404)

    def test_nul_in_a_path_is_a_404_without_the_middleware_too(self):
        """The URLs that turn a path segment into a query refuse NUL themselves."""
        for url in NUL_PATHS:
            with self.subTest(url=url), self.assertRaises(Resolver404):
                resolve(unquote(url))
        with modify_settings(MIDDLEWARE={"remove": [GUARD]}):
            for url in NUL_PATHS:
                with self.subTest(url=url):
                    self.assertEqual(self.get(url).status_code, 404)

    def test_nul_in_a_query_is_a_400_with_a_message(self):
        for url in NUL_QUERIES:
            with self.subTest(url=url):
                response = self.get(url)
                self.assertContains(response, BAD_TEXT_MESSAGE, status_code=400)

    def test_nul_in_the_image_picker_and_admin_search_is_a_400(self):
        self.client.force_login(self.admin)
        for url in [
            "/admin/news/image/picker/?q=%00",
            "/admin/news/article/?q=%00",
            "/admin/news/article/?channel__id__exact=%00",
        ]:
            with self.subTest(url=url):
                response = self.get(url)
                self.assertContains(response, BAD_TEXT_MESSAGE, status_code=400)

    def test_the_api_answers_json(self):
        for url, status in [
            ("/api/v1/articles/?q=%00", 400),
            ("/api/v1/channels/%00/", 404),
        ]:
            with self.subTest(url=url):
                response = self.get(url)
                self.assertEqual(response.status_code, status)
                self.assertEqual(response["Content-Type"], "application/json")
                self.assertIn(BAD_TEXT_MESSAGE, response.json()["detail"])

    def test_chinese_slugs_still_work(self):
        for url in [
            "/news/channel/质量强市/",
            "/news/tag/标准化/",
            "/news/person/刘海滨/",
            "/feeds/channel/质量强市/rss/",
            "/feeds/channel/质量强市/atom/",
            "/search/?q=质量强市",
        ]:
            with self.subTest(url=url):
                self.assertEqual(self.get(url).status_code, 200)

    def test_broken_utf8_is_not_rejected_but_answered(self):
        """Invalid UTF-8 (an encoded lone surrogate) never reaches a view as text
        Django cannot encode: the path keeps it percent-encoded (404), the query
        string decodes it to U+FFFD."""
        self.assertEqual(self.get("/news/channel/%ED%A0%80/").status_code, 404)
        self.assertEqual(self.get("/search/?q=%ED%A0%80").status_code, 200)


class AdminFarDateTests(TestCase):
    """Dates beyond what the database and time zone hold, in admin date filters and
    date hierarchies: the changelist's own "bad filter" answer, not a 500."""

    @classmethod
    def setUpTestData(cls):
        cls.admin = UserFactory(username="root", is_staff=True, is_superuser=True)
        ArticleFactory()

    def test_far_dates_in_filters_and_hierarchy(self):
        self.client.force_login(self.admin)
        self.client.raise_request_exception = False
        for url in [
            "/admin/news/auditlog/?created_at__lt=0001-01-01",
            "/admin/news/article/?published_at__gte=0001-01-01",
            "/admin/news/article/?published_at__lt=9999-12-31T23:59:59-12:00",
            "/admin/news/article/?published_at__year=9999",
            "/admin/news/article/?published_at__year=9999&published_at__month=12"
            "&published_at__day=31",
            "/admin/news/article/?published_at__year=1&published_at__month=1",
            "/admin/news/image/?created_at__year=1",
            "/admin/quality/period/?end_on__year=9999",
            f"/admin/axes/accesslog/?attempt_time__year={2**63 - 1}",
        ]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].endswith("?e=1"))

    def test_a_date_filters_yes_no_is_not_a_date(self):
        self.client.force_login(self.admin)
        for value in ["inf", "1.5", "质"]:
            with self.subTest(value=value):
                url = f"/admin/news/article/?published_at__isnull={value}"
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_ordinary_dates_still_filter(self):
        self.client.force_login(self.admin)
        year = Article.objects.get().published_at.year
        response = self.client.get(f"/admin/news/article/?published_at__year={year}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["cl"].result_count, 1)
        response = self.client.get(
            "/admin/news/article/", {"published_at__gte": "2000-01-01T00:00+08:00"}
        )
        self.assertEqual(response.context["cl"].result_count, 1)


class ShareRevokeTests(TestCase):
    """POST …/share/ with a ``revoke`` that is not a link id is a message, not a 500."""

    @classmethod
    def setUpTestData(cls):
        cls.admin = UserFactory(username="root", is_staff=True, is_superuser=True)
        cls.article = ArticleFactory()
        cls.url = f"/admin/news/article/{cls.article.pk}/share/"

    def setUp(self):
        self.client.force_login(self.admin)
        self.client.raise_request_exception = False

    def test_revoke_that_is_not_a_number(self):
        self.client.post(self.url, {"days": "3"})
        link = PreviewLink.objects.get()
        audit = AuditLog.objects.count()
        for value in ["abc", "1e400", "NaN", "-1", str(2**63), "\u202e1", "1.5"]:
            with self.subTest(revoke=value):
                response = self.client.post(self.url, {"revoke": value}, follow=True)
                self.assertLess(response.status_code, 500)
                self.assertIn(response.status_code, (200, 404))
                link.refresh_from_db()
                self.assertFalse(link.is_revoked)
                self.assertEqual(AuditLog.objects.count(), audit)

    def test_revoke_that_is_not_a_number_says_so(self):
        response = self.client.post(self.url, {"revoke": "abc"}, follow=True)
        self.assertContains(response, "没有这个预览链接")

    def test_a_real_revoke_still_works(self):
        self.client.post(self.url, {"days": "3"})
        link = PreviewLink.objects.get()
        response = self.client.post(self.url, {"revoke": str(link.pk)}, follow=True)
        self.assertContains(response, "预览链接已撤销")
        link.refresh_from_db()
        self.assertTrue(link.is_revoked)


class PageTextImportTitleTests(TestCase):
    """A pasted page whose title is over 200 characters: a form error on 标题."""

    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory(name="质量强市", slug="质量强市")
        cls.editor = UserFactory(username="editor", is_staff=True)
        cls.editor.user_permissions.add(
            *Permission.objects.filter(
                codename__in=["add_article", "change_article", "view_article"]
            )
        )

    def test_long_title_is_a_form_error_naming_the_field(self):
        self.client.force_login(self.editor)
        self.client.raise_request_exception = False
        text = "质" * 201 + "\n\n烟台日报 2021-01-07 10:36\n\n正文第一段。\n"
        before = (Article.objects.count(), AuditLog.objects.count())
        response = self.client.post(
            "/admin/news/article/import/", {"text": text, "channel": self.channel.pk}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "标题")
        self.assertContains(response, "200")
        self.assertEqual(response.context["form"].errors.keys(), {"text"})
        self.assertEqual((Article.objects.count(), AuditLog.objects.count()), before)


# --- the sweep ---------------------------------------------------------------------

LONE_SURROGATE = "\ud800"
# Hand-made, each for a reason: what databases refuse (NUL, lone surrogates), what
# overflows 64-bit columns or floats, what full-text engines parse as syntax, what
# bidi-renders misleadingly, what is merely big, and dates Python or the database
# cannot represent. A list value is sent as a repeated parameter.
EDGE_VALUES = [
    "\x00",
    "a\x00b",
    LONE_SURROGATE,
    "x\udfffy",
    str(2**63),
    str(-(2**63) - 1),
    str(2**63 - 1),
    "-1",
    "0",
    "1e400",
    "-1e400",
    "NaN",
    "inf",
    "1.5",
    "质" * 3414,  # 10 kB of UTF-8
    "a" * 10240,
    '"a" OR b*',
    "NEAR(",
    "title:* AND (",
    "%",
    "\\",
    "\u202eabc\u202c",
    "0001-01-01",
    "9999-12-31",
    "99999-01-01",
    "9999-12-31T23:59:59-12:00",
    "2021-02-30",
    "",
    " ",
    [str(n) for n in range(2000)],
]


def encode(value: str) -> str:
    """Percent-encode as a client would put it on the wire; a lone surrogate as the
    bytes a careless (CESU-8) encoder sends."""
    return quote(value, safe="", errors="surrogatepass")


def query(param: str, value) -> str:
    values = value if isinstance(value, list) else [value]
    return "&".join(f"{encode(param)}={encode(v)}" for v in values)


class Sweep:
    """Send edge values; remember every answer >= 500.

    Each query parameter gets ``per_param`` values, the next parameter the next ones
    in turn (every value still reaches every kind of page), so that the run stays
    under a minute per database; path parameters get every value.
    """

    def __init__(self, client, per_param: int):
        self.client = client
        self.per_param = per_param
        self.client.raise_request_exception = False
        self.next = 0
        self.sent = 0
        self.failures: list[str] = []

    def values(self):
        count = self.per_param
        picked = [EDGE_VALUES[(self.next + i) % len(EDGE_VALUES)] for i in range(count)]
        self.next = (self.next + count) % len(EDGE_VALUES)
        return picked

    def get(self, url: str, what: str, value) -> None:
        response = self.client.get(url)
        self.sent += 1
        if response.status_code >= 500:
            shown = value if isinstance(value, str) else f"[{len(value)} items]"
            self.failures.append(
                f"{response.status_code} GET {url[:120]} ({what}={shown[:40]!r})"
            )

    def params(self, path: str, params) -> None:
        separator = "&" if "?" in path else "?"
        for param in sorted(params):
            for value in self.values():
                self.get(f"{path}{separator}{query(param, value)}", param, value)

    def path_values(self, url_name: str, kwargs: dict) -> None:
        """Each path parameter in turn replaced by edge values its converter takes."""
        for name, sample in kwargs.items():
            placeholder = "987654321" if isinstance(sample, int) else "edge-marker"
            template = reverse(url_name, kwargs={**kwargs, name: placeholder})
            for value in EDGE_VALUES if isinstance(sample, str) else DIGITS:
                if isinstance(value, list):
                    continue
                url = template.replace(placeholder, encode(value))
                self.get(url, f"<{name}>", value)

    def assert_no_failures(self, test):
        test.assertEqual(self.failures, [], f"{len(self.failures)} of {self.sent}")


DIGITS = [str(2**63), str(2**64), "9" * 40, "0", "99999", "00001"]


def params_in_page(path: str, html: str) -> set[tuple[str, str]]:
    """(target path, parameter) a page offers: its GET forms' fields, its links' keys.

    A link's parameters belong to the page it leads to (the reading preferences in
    the header of every page are one URL's parameters, not every page's).
    """

    class Params(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found: set[tuple[str, str]] = set()
            self.form: str | None = None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "form":
                get = (attrs.get("method") or "get").lower() == "get"
                self.form = urljoin(path, attrs.get("action") or path) if get else None
            elif tag in ("input", "select", "textarea") and attrs.get("name"):
                if self.form and attrs["name"] != "csrfmiddlewaretoken":
                    self.found.add((urlsplit(self.form).path, attrs["name"]))
            elif tag == "a" and "?" in (attrs.get("href") or ""):
                link = urlsplit(urljoin(path, attrs["href"]))
                if not link.netloc:
                    self.found.update(
                        (link.path, name) for name in parse_qs(link.query, True)
                    )

        def handle_endtag(self, tag):
            if tag == "form":
                self.form = None

    parser = Params()
    parser.feed(html)
    return parser.found


def public_patterns(resolver=None, prefix=""):
    """(url name, route) of every URL pattern outside /admin/, /api/ and /i18n/."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(("admin/", "api/", "i18n/", "^media/")):
            continue
        if isinstance(pattern, URLResolver):
            namespace = pattern.namespace
            for name, sub in public_patterns(pattern, route):
                yield (f"{namespace}:{name}" if namespace else name), sub
        elif pattern.name:
            yield pattern.name, route


class EdgeValueSweepTests(TestCase):
    """Edge values to every parameter of every public URL, admin changelist and API
    filter: no answer >= 500 (issue #13 §1)."""

    @classmethod
    def setUpTestData(cls):
        from tests.quality import factories as q

        cls.admin = UserFactory(username="root", is_staff=True, is_superuser=True)
        cls.channel = ChannelFactory(name="质量强市", slug="质量强市")
        cls.tag = TagFactory(name="标准化", slug="标准化")
        cls.person = PersonFactory(name="刘海滨", slug="刘海滨")
        cls.article = ArticleFactory(channel=cls.channel, title="质量强市建设稳步推进")
        cls.article.tags.add(cls.tag)
        BylineFactory(article=cls.article, person=cls.person)
        ArticleFactory(channel=cls.channel)
        cls.indicator = q.IndicatorFactory(code="national_standards")
        q.ObservationFactory(indicator=cls.indicator)
        q.AwardFactory()
        q.StandardFactory()
        q.InspectionCentreFactory()
        q.SamplingCampaignFactory()
        cls.samples = {
            "pk": cls.article.pk,
            "year": cls.article.published_at.year,
            "month": cls.article.published_at.month,
            "revision_id": 1,
            "code": cls.indicator.code,
            "section": "articles",
            "signed": "not-a-link",
        }
        cls.slug_of = {
            "news:channel-detail": cls.channel.slug,
            "news:tag-detail": cls.tag.slug,
            "news:person-detail": cls.person.slug,
            "news:channel-rss": cls.channel.slug,
            "news:channel-atom": cls.channel.slug,
        }

    def setUp(self):
        self.sweep = Sweep(self.client, per_param=4)

    def kwargs_for(self, name: str, route: str) -> dict:
        kwargs = {}
        for kwarg in re.findall(r"<(?:\w+:)?(\w+)>", route):
            if kwarg == "slug":
                kwargs[kwarg] = self.slug_of[name]
            elif kwarg in self.samples:
                kwargs[kwarg] = self.samples[kwarg]
            else:
                self.fail(f"no sample value for <{kwarg}> of {name} ({route})")
        return kwargs

    def test_public_pages(self):
        urls = 0
        offered: set[tuple[str, str]] = set()
        for name, route in public_patterns():
            kwargs = self.kwargs_for(name, route)
            path = reverse(name, kwargs=kwargs)
            page = self.client.get(path)
            self.assertLess(page.status_code, 500, path)
            if page.get("Content-Type", "").startswith("text/html"):
                offered |= params_in_page(path, page.content.decode())
            offered |= {(path, param) for param in ("q", "page", "p", "format")}
            self.sweep.path_values(name, kwargs)
            urls += 1
        for path, param in sorted(offered):
            if not path.startswith(("/admin/", "/api/", "/i18n/", "/media/")):
                self.sweep.params(path, [param])
        self.assertGreater(urls, 20)
        self.sweep.assert_no_failures(self)

    def test_admin_changelists_filters_and_search(self):
        self.client.force_login(self.admin)
        self.sweep.per_param = 2
        factory = RequestFactory()
        changelists = 0
        for model, model_admin in admin.site._registry.items():
            opts = model._meta
            path = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            request = factory.get(path)
            request.user = self.admin
            changelist = model_admin.get_changelist_instance(request)
            params = {"o", "p", "all"}
            if model_admin.get_search_fields(request):
                params.add("q")
            for spec in changelist.filter_specs:
                params.update(spec.expected_parameters())
            hierarchy = model_admin.date_hierarchy
            if hierarchy:
                params.update(
                    f"{hierarchy}__{part}" for part in ("year", "month", "day")
                )
            self.sweep.params(path, params)
            changelists += 1
        self.assertGreater(changelists, 10)
        self.sweep.assert_no_failures(self)

    @override_settings(
        REST_FRAMEWORK={
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "user": "100000/min"},
        }
    )
    def test_api_filters_from_the_schema(self):
        self.sweep.per_param = 6
        schema = self.client.get("/api/schema/", {"format": "json"}).json()
        endpoints = 0
        for route, operations in schema["paths"].items():
            operation = operations.get("get")
            if operation is None:
                continue
            path_params = {
                p["name"] for p in operation.get("parameters", []) if p["in"] == "path"
            }
            if path_params:
                # A detail endpoint: edge values as its id or code.
                for name in path_params:
                    for value in EDGE_VALUES:
                        if isinstance(value, list):
                            continue
                        url = route.replace(f"{{{name}}}", encode(value))
                        for other in path_params - {name}:
                            url = url.replace(f"{{{other}}}", "1")
                        self.sweep.get(url, f"{{{name}}}", value)
                continue
            params = {
                p["name"] for p in operation.get("parameters", []) if p["in"] == "query"
            }
            self.sweep.params(route, params | {"format"})
            endpoints += 1
        self.assertGreater(endpoints, 10)
        self.sweep.assert_no_failures(self)
