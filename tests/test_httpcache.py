"""What a public response carries for shared caches (yantai/httpcache.py)."""

import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpResponse
from django.test import SimpleTestCase, TestCase, override_settings
from django.urls import include, path
from django.utils import timezone, translation
from django.utils.http import http_date, parse_http_date

from news.workflow import article_unpublish
from tests.factories import ArticleFactory, UserFactory
from tests.test_deploy_settings import clean_env, python


def _sets_a_cookie(request):
    response = HttpResponse("ok")
    response.set_cookie("seen", "1")
    return response


# A public (``news``) URL whose view sets a cookie, for the test that needs one.
urlpatterns = [
    path("", include(([path("cookie/", _sets_a_cookie)], "news"))),
]


class PublicPageHeadersTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()
        cls.urls = [
            "/",
            f"/news/{cls.article.pk}/",
            f"/en/news/{cls.article.pk}/",
            "/search/?q=烟台",
            "/quality/",
            "/feeds/rss/",
        ]

    def setUp(self):
        cache.clear()
        caches["pages"].clear()
        self.addCleanup(translation.activate, settings.LANGUAGE_CODE)

    def test_anonymous_pages_are_public_with_an_etag_and_no_vary(self):
        for url in self.urls:
            with self.subTest(url=url):
                response = self.client.get(url, HTTP_ACCEPT_LANGUAGE="en")
                self.assertEqual(response.status_code, 200)
                self.assertEqual(
                    sorted(response["Cache-Control"].split(", ")),
                    [
                        "max-age=60",
                        "public",
                        "s-maxage=300",
                        "stale-while-revalidate=600",
                    ],
                )
                self.assertTrue(response["ETag"])
                vary = response.get("Vary", "")
                self.assertNotIn("Cookie", vary)
                self.assertNotIn("Accept-Language", vary)
                self.assertNotIn("Set-Cookie", response)

    def test_reader_cookies_change_nothing(self):
        """字号, 关怀版 and a language cookie: the same bytes, public, same ETag."""
        url = f"/news/{self.article.pk}/"
        plain = self.client.get(url)
        self.client.cookies["fontsize"] = "large"
        self.client.cookies["care"] = "1"
        self.client.cookies["django_language"] = "en"
        other = self.client.get(url)
        self.assertEqual(other.content, plain.content)
        self.assertEqual(other["ETag"], plain["ETag"])
        self.assertIn("public", other["Cache-Control"])

    def test_a_matching_conditional_get_is_304(self):
        for url in self.urls:
            with self.subTest(url=url):
                first = self.client.get(url)
                again = self.client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
                self.assertEqual(again.status_code, 304)
                self.assertEqual(again.content, b"")
                self.assertIn("public", again["Cache-Control"])
                stale = self.client.get(url, HTTP_IF_NONE_MATCH='"something-else"')
                self.assertEqual(stale.status_code, 200)

    def test_the_article_page_answers_if_modified_since(self):
        url = f"/news/{self.article.pk}/"
        response = self.client.get(url)
        modified = parse_http_date(response["Last-Modified"])
        self.assertGreaterEqual(modified, int(self.article.updated_at.timestamp()))
        self.assertLessEqual(modified, time.time())
        again = self.client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again["Last-Modified"], response["Last-Modified"])
        older = http_date(modified - 3600)
        self.assertEqual(
            self.client.get(url, HTTP_IF_MODIFIED_SINCE=older).status_code, 200
        )

    def test_if_modified_since_alone_is_200_once_the_page_changed(self):
        """A neighbour's withdrawal changes the page (上一篇/下一篇, 最新文章), not
        the article's row: its Last-Modified is the page's, not the row's."""
        article = ArticleFactory(published_at=timezone.now() - timedelta(hours=2))
        other = ArticleFactory(channel=article.channel, title="将被撤下的相邻文章")
        url = article.get_absolute_url()
        first = self.client.get(url)
        self.assertContains(first, other.title)
        time.sleep(1.1)  # HTTP dates are whole seconds
        with self.captureOnCommitCallbacks(execute=True):
            article_unpublish(article=other, by=UserFactory(is_superuser=True))
        again = self.client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        self.assertEqual(again.status_code, 200)
        self.assertNotContains(again, other.title)
        self.assertGreater(
            parse_http_date(again["Last-Modified"]),
            parse_http_date(first["Last-Modified"]),
        )
        same = self.client.get(url, HTTP_IF_MODIFIED_SINCE=again["Last-Modified"])
        self.assertEqual(same.status_code, 304)

    def test_lists_feeds_and_sitemaps_send_no_last_modified(self):
        """Their newest entry's time goes back when it is withdrawn: the ETag only."""
        for url in ("/", "/feeds/rss/", "/feeds/atom/", "/sitemap-articles.xml"):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertNotIn("Last-Modified", response)
                self.assertTrue(response["ETag"])

    def test_the_sitemaps_are_public_with_an_etag_and_304(self):
        for url in ("/sitemap.xml", "/sitemap-articles.xml", "/sitemap-news.xml"):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertIn("public", response["Cache-Control"])
                self.assertIn("s-maxage=", response["Cache-Control"])
                again = self.client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
                self.assertEqual(again.status_code, 304)

    def test_an_invalid_share_link_is_private(self):
        response = self.client.get("/preview/not-a-valid-link/")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response["Cache-Control"], "private, no-store")

    def test_head_requests_get_the_same_headers(self):
        response = self.client.head(f"/news/{self.article.pk}/")
        self.assertEqual(response.status_code, 200)
        self.assertIn("public", response["Cache-Control"])

    def test_head_gets_the_gets_etag_and_304_through_django(self):
        for url in self.urls:
            with self.subTest(url=url):
                get = self.client.get(url)
                head = self.client.head(url)
                self.assertEqual(head.status_code, 200)
                self.assertEqual(head.content, b"")
                self.assertEqual(head["ETag"], get["ETag"])
                again = self.client.head(url, HTTP_IF_NONE_MATCH=get["ETag"])
                self.assertEqual(again.status_code, 304)

    @override_settings(
        HTTP_CACHE_MAX_AGE=5, HTTP_CACHE_S_MAXAGE=7, HTTP_CACHE_STALE_WHILE_REVALIDATE=9
    )
    def test_lifetimes_come_from_the_settings(self):
        cache_control = self.client.get("/")["Cache-Control"]
        for part in ["max-age=5", "s-maxage=7", "stale-while-revalidate=9"]:
            self.assertIn(part, cache_control)


def lifetimes_of(cache_control: str) -> dict[str, int]:
    """The numeric directives of a Cache-Control header."""
    parts = (part.split("=") for part in cache_control.split(", ") if "=" in part)
    return {name: int(value) for name, value in parts}


class TakedownTimeTests(TestCase):
    """An article's 下线时间 ends the page's lifetime in every cache: a browser
    (max-age), nginx or a CDN (s-maxage), and stale-while-revalidate after them."""

    def setUp(self):
        cache.clear()
        caches["pages"].clear()

    def lifetimes(self, seconds_left: int) -> dict[str, int]:
        article = ArticleFactory(
            expires_at=timezone.now() + timedelta(seconds=seconds_left)
        )
        response = self.client.get(article.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        self.assertIn("public", response["Cache-Control"])
        return lifetimes_of(response["Cache-Control"])

    def assertLifetimes(self, got: dict, max_age, s_maxage, stale):
        # The clock moves between the article's saving and its page: a second less.
        for name, want in (
            ("max-age", max_age),
            ("s-maxage", s_maxage),
            ("stale-while-revalidate", stale),
        ):
            self.assertIn(got[name], (want, want - 1), (name, got))

    def test_every_lifetime_ends_by_the_takedown_time(self):
        self.assertLifetimes(self.lifetimes(30), 30, 30, 0)
        self.assertLifetimes(self.lifetimes(200), 60, 200, 0)
        self.assertLifetimes(self.lifetimes(400), 60, 300, 100)
        self.assertLifetimes(self.lifetimes(86400), 60, 300, 600)
        for seconds in (30, 200, 400, 86400):
            with self.subTest(seconds=seconds):
                got = self.lifetimes(seconds)
                shared = got["s-maxage"] + got["stale-while-revalidate"]
                self.assertLessEqual(shared, seconds)
                self.assertLessEqual(
                    got["max-age"] + got["stale-while-revalidate"], seconds
                )

    def test_without_one_the_lifetimes_are_the_settings(self):
        response = self.client.get(ArticleFactory(expires_at=None).get_absolute_url())
        self.assertEqual(
            lifetimes_of(response["Cache-Control"]),
            {"max-age": 60, "s-maxage": 300, "stale-while-revalidate": 600},
        )


class PrivateResponsesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()
        cls.staff = UserFactory(is_staff=True, is_superuser=True)

    def setUp(self):
        cache.clear()

    def assertPrivate(self, response):
        self.assertEqual(response.status_code, 200)
        self.assertIn("private", response["Cache-Control"])
        self.assertNotIn("public", response["Cache-Control"])

    def test_logged_in_staff_get_private_pages(self):
        self.client.force_login(self.staff)
        for url in ["/", f"/news/{self.article.pk}/", "/quality/"]:
            with self.subTest(url=url):
                self.assertPrivate(self.client.get(url))

    def test_a_session_or_pending_messages_make_a_page_private(self):
        for cookie in [settings.SESSION_COOKIE_NAME, "messages"]:
            with self.subTest(cookie=cookie):
                self.client.cookies.clear()
                self.client.cookies[cookie] = "x"
                self.assertPrivate(self.client.get("/"))

    @override_settings(ROOT_URLCONF=__name__)
    def test_a_response_that_sets_a_cookie_is_private(self):
        response = self.client.get("/cookie/")
        self.assertPrivate(response)
        self.assertIn("seen", response.cookies)

    def test_previews_admin_and_api_keep_their_own_headers(self):
        self.client.force_login(self.staff)
        preview = self.client.get(f"/news/{self.article.pk}/preview/")
        self.assertEqual(preview["Cache-Control"], "private, no-store")
        admin = self.client.get("/admin/")
        self.assertIn("no-store", admin["Cache-Control"])
        self.client.logout()
        api = self.client.get(f"/api/v1/articles/{self.article.pk}/")
        self.assertNotIn("public", api.get("Cache-Control", ""))
        # The API's own conditional GET (api.conditional) still answers.
        again = self.client.get(
            f"/api/v1/articles/{self.article.pk}/", HTTP_IF_NONE_MATCH=api["ETag"]
        )
        self.assertEqual(again.status_code, 304)

    def test_redirects_are_not_made_public(self):
        reading = self.client.get("/reading/", {"fontsize": "large"})
        self.assertIn("no-store", reading["Cache-Control"])

    @override_settings(HTTP_CACHE_NOT_FOUND_SECONDS=45)
    def test_a_page_gone_is_public_briefly_so_that_it_replaces_a_shared_copy(self):
        """nginx keeps serving its stale copy of a withdrawn article for all of
        stale-while-revalidate when the 404 it gets back cannot be stored
        (tests/test_nginx.py shows both)."""
        for url in ["/news/999999/", "/en/news/999999/", "/news/tag/没有这个标签/"]:
            with self.subTest(url=url):
                missing = self.client.get(url)
                self.assertEqual(missing.status_code, 404)
                self.assertEqual(
                    missing["Cache-Control"], "public, max-age=45, s-maxage=45"
                )
                self.assertNotIn("Vary", missing)
        # Not for staff, nor outside the public site.
        self.client.force_login(self.staff)
        self.assertNotIn(
            "public", self.client.get("/news/999999/").get("Cache-Control", "")
        )
        self.client.logout()
        api = self.client.get("/api/v1/articles/999999/")
        self.assertEqual(api.status_code, 404)
        self.assertNotIn("public", api.get("Cache-Control", ""))

    def test_the_admin_still_speaks_the_editors_language(self):
        self.addCleanup(translation.activate, settings.LANGUAGE_CODE)
        self.client.force_login(self.staff)
        response = self.client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response["Content-Language"], "en")
        self.assertIn("Accept-Language", response["Vary"])


class LifetimeSettingsTests(SimpleTestCase):
    LOAD = "import yantai.settings as s; print(s.HTTP_CACHE_S_MAXAGE)"

    def test_a_bad_lifetime_refuses_to_start_with_a_clear_message(self):
        for value in ["abc", "-5", "1.5", "60s"]:
            with self.subTest(value=value):
                env = clean_env(DJANGO_DEBUG="1", HTTP_CACHE_S_MAXAGE=value)
                result = python(self.LOAD, env)
                self.assertNotEqual(result.returncode, 0)
                self.assertIn("ImproperlyConfigured", result.stderr)
                self.assertIn(
                    "HTTP_CACHE_S_MAXAGE 必须是不小于 0 的整数秒数", result.stderr
                )

    def test_a_number_or_nothing_is_taken(self):
        for value, expected in [("120", "120"), ("0", "0"), ("", "300")]:
            with self.subTest(value=value):
                env = clean_env(DJANGO_DEBUG="1", HTTP_CACHE_S_MAXAGE=value)
                result = python(self.LOAD, env)
                self.assertEqual(result.stdout.strip(), expected, result.stderr)
