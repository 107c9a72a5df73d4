"""No 500 from input, on SQLite and on PostgreSQL (issue #13 §1).

Text no database column can hold (NUL, lone surrogates) is answered 400 by
``yantai.middleware.UnstorableTextMiddleware`` before any view runs; the staff forms
that used to fail on bad input show a form error and write nothing; and a hand-made
list of edge values is sent to every parameter of every public URL, every admin
changelist's filters and search, and every API endpoint's filters: no answer >= 500.
"""

from django.contrib.auth.models import Permission
from django.test import TestCase

from news.models import Article, AuditLog, PreviewLink
from tests.factories import (
    ArticleFactory,
    ChannelFactory,
    PersonFactory,
    TagFactory,
    UserFactory,
)

BAD_TEXT_MESSAGE = "请求中含有无法处理的字符"

NUL_URLS = [
    "/news/channel/%00/",
    "/news/tag/%00/",
    "/news/person/%00/",
    "/feeds/channel/%00/rss/",
    "/feeds/channel/%00/atom/",
    "/search/?q=%00",
    "/search/?q=a%00b",
    "/api/v1/articles/?q=%00",
    "/api/v1/channels/%00/",
]


class UnstorableTextTests(TestCase):
    """NUL in a path or a query parameter is a 400 with a Chinese message."""

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

    def test_nul_in_public_paths_and_queries_is_a_400(self):
        for url in NUL_URLS:
            with self.subTest(url=url):
                response = self.get(url)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, BAD_TEXT_MESSAGE, status_code=400)

    def test_nul_in_the_image_picker_search_is_a_400(self):
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
        response = self.get("/api/v1/articles/?q=%00")
        self.assertEqual(response.status_code, 400)
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
        response = self.client.get("/admin/news/article/?published_at__gte=2000-01-01")
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
