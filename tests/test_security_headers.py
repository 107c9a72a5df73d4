"""Content-Security-Policy and Permissions-Policy on every kind of response.

The policy itself is exercised in a real browser by tests/browser/test_csp.py; here
each response type is checked for the headers, and the public pages, which are cached
whole (news.pagecache), for carrying no nonce that a later response could not match.
"""

import re

from csp import middleware as csp_middleware
from csp.exceptions import CSPNonceError
from django.http import HttpResponse
from django.test import RequestFactory, SimpleTestCase, TestCase, override_settings
from django.urls import path, reverse

from tests.factories import ArticleFactory, ChannelFactory, UserFactory
from yantai.security import CSPMiddleware, permissions_policy_header

CSP = "Content-Security-Policy"
PP = "Permissions-Policy"


def boom(request):
    raise RuntimeError("a bug")


# ROOT_URLCONF of test_server_error: a view that fails.
urlpatterns = [path("boom/", boom)]


def directives(response) -> dict[str, list[str]]:
    policy = {}
    for part in response[CSP].split(";"):
        name, *values = part.split()
        policy[name] = values
    return policy


class SecurityHeadersTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory(name="质量强市", slug="质量强市")
        cls.article = ArticleFactory(channel=cls.channel)
        cls.admin = UserFactory(username="boss", is_staff=True, is_superuser=True)

    def assert_headers(self, response):
        self.assertIn(CSP, response.headers)
        policy = directives(response)
        self.assertEqual(policy["default-src"], ["'self'"])
        self.assertEqual(policy["script-src"][0], "'self'")
        self.assertEqual(policy["style-src"][0], "'self'")
        self.assertEqual(policy["object-src"], ["'none'"])
        self.assertEqual(policy["frame-ancestors"], ["'none'"])
        self.assertEqual(policy["base-uri"], ["'self'"])
        self.assertEqual(policy["form-action"], ["'self'"])
        self.assertNotIn("'unsafe-inline'", response[CSP])
        self.assertNotIn("'unsafe-eval'", response[CSP])
        self.assertIn(PP, response.headers)
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            self.assertIn(f"{feature}=()", response[PP])

    def test_public_pages(self):
        for url in (
            reverse("news:home"),
            self.article.get_absolute_url(),
            reverse("news:channel-detail", args=[self.channel.slug]),
            reverse("news:search") + "?q=质量",
            reverse("quality:dashboard"),
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assert_headers(response)

    def test_feed_sitemap_and_robots(self):
        for url in (
            reverse("news:feed-rss"),
            reverse("news:feed-atom"),
            "/sitemap.xml",
            "/robots.txt",
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assert_headers(response)

    def test_api_json(self):
        response = self.client.get("/api/v1/articles/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assert_headers(response)

    def test_api_docs_page(self):
        response = self.client.get(reverse("api-docs"))
        self.assertEqual(response.status_code, 200)
        self.assert_headers(response)
        self.assertNotRegex(response.content.decode(), r"<script>|<style>")

    def test_admin_pages(self):
        self.client.force_login(self.admin)
        for url in (
            reverse("admin:index"),
            reverse("admin:news_article_change", args=[self.article.pk]),
            reverse("admin:news_article_changelist"),
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assert_headers(response)

    def test_admin_login_page(self):
        response = self.client.get(reverse("admin:login"))
        self.assertEqual(response.status_code, 200)
        self.assert_headers(response)

    def test_not_found(self):
        for url in ("/no-such-page/", "/news/999999/", "/api/v1/articles/999999/"):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 404)
                self.assert_headers(response)

    def test_bad_request(self):
        """The 400 page for text no column can hold (NUL) needs no inline style."""
        response = self.client.get("/search/?q=%00")
        self.assertEqual(response.status_code, 400)
        self.assert_headers(response)
        self.assertNotIn("<style", response.content.decode())

    def test_redirect(self):
        response = self.client.get("/admin/")
        self.assertEqual(response.status_code, 302)
        self.assert_headers(response)

    def test_server_error(self):
        """The 500 page (no context, no database) needs no inline style either."""
        self.client.raise_request_exception = False
        with override_settings(ROOT_URLCONF=__name__):
            response = self.client.get("/boom/")
        self.assertEqual(response.status_code, 500)
        self.assert_headers(response)
        self.assertNotIn("<style", response.content.decode())

    def test_cached_public_page_holds_no_nonce(self):
        """A page served from the page cache must not carry an earlier nonce."""
        url = self.article.get_absolute_url()
        first = self.client.get(url)
        second = self.client.get(url)
        for response in (first, second):
            self.assertNotIn("nonce", response.content.decode())
            self.assertNotIn("'nonce-", response[CSP])

    def test_nonce_in_page_matches_header(self):
        """Where a template does use the nonce, the header names the same one."""
        self.client.force_login(self.admin)
        response = self.client.get(
            reverse("admin:news_article_change", args=[self.article.pk])
        )
        used = set(re.findall(r'nonce="([^"]+)"', response.content.decode()))
        allowed = set(re.findall(r"'nonce-([^']+)'", response[CSP]))
        self.assertLessEqual(used, allowed)


class PermissionsPolicyHeaderTests(TestCase):
    def test_format(self):
        self.assertEqual(
            permissions_policy_header({"camera": [], "fullscreen": ["self"]}),
            "camera=(), fullscreen=(self)",
        )


class CSPMiddlewareTests(SimpleTestCase):
    """yantai.security.CSPMiddleware, which builds an unchanged policy once, sets the
    headers django-csp's own middleware sets, on every kind of response."""

    def setUp(self):
        # One of each for the whole test, as in a process: what ours built for one
        # response must not be given to the next when it should differ.
        self.ours = CSPMiddleware(lambda request: self.view(request))
        self.theirs = csp_middleware.CSPMiddleware(lambda request: self.view(request))

    def headers(self, middleware, *, path="/", response=None, use_nonce=False):
        """The CSP headers ``middleware`` gives, with the nonce written as N."""

        def view(request):
            if use_nonce:
                str(request.csp_nonce)
            return response() if response else HttpResponse("ok")

        self.view = view
        request = RequestFactory().get(path)
        result = middleware(request)
        nonce = getattr(request, "_csp_nonce", None)
        found = {}
        for name in (CSP, CSP + "-Report-Only"):
            if name in result:
                value = result[name]
                found[name] = value.replace(nonce, "N") if nonce else value
        return found, request

    def assert_same(self, **kwargs):
        ours, request = self.headers(self.ours, **kwargs)
        theirs, _ = self.headers(self.theirs, **kwargs)
        self.assertEqual(ours, theirs)
        return ours, request

    def test_an_unchanged_policy(self):
        found, request = self.assert_same()
        self.assertIn("default-src 'self'", found[CSP])
        self.assertNotIn("nonce", found[CSP])
        # No nonce was used; one asked for after the header is written is an error.
        with self.assertRaises(CSPNonceError):
            str(request.csp_nonce)
        self.assertEqual(self.assert_same()[0], found)  # the second response alike

    def test_a_used_nonce(self):
        found, _ = self.assert_same(use_nonce=True)
        self.assertIn("'nonce-N'", found[CSP])

    def test_a_views_changes_and_exemption(self):
        def updated():
            response = HttpResponse("ok")
            response._csp_update = {"img-src": ["https://example.org"]}
            return response

        def exempt():
            response = HttpResponse("ok")
            response._csp_exempt = True
            return response

        self.assertIn("https://example.org", self.assert_same(response=updated)[0][CSP])
        self.assertEqual(self.assert_same(response=exempt)[0], {})

    def test_changed_settings(self):
        """A policy changed in the settings, a report-only policy, an excluded path,
        and DEBUG's error pages."""
        self.assert_same()
        with override_settings(
            CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}},
            CONTENT_SECURITY_POLICY_REPORT_ONLY={
                "EXCLUDE_URL_PREFIXES": ["/skip/"],
                "DIRECTIVES": {"script-src": ["'self'"]},
            },
        ):
            found, _ = self.assert_same()
            self.assertEqual(found[CSP], "default-src 'none'")
            self.assertIn("script-src 'self'", found[CSP + "-Report-Only"])
            found, _ = self.assert_same(path="/skip/")
            self.assertNotIn(CSP + "-Report-Only", found)
        self.assertIn("default-src 'self'", self.assert_same()[0][CSP])
        with override_settings(DEBUG=True):
            found, _ = self.assert_same(response=lambda: HttpResponse(status=404))
            self.assertEqual(found, {})
