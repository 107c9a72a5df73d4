"""The schema documents the response headers the API sends: ``RateLimit-Policy``
and ``RateLimit`` on every response of an operation a throttle counts, ``ETag``
where a view sets one."""

from unittest import mock

from django.test import override_settings

from news.api import TagViewSet
from tests.api import ApiTestCase, token_for, user_with_perms
from tests.api.test_auth import EDITOR_PERMS
from tests.api.test_hardening import NO_THROTTLE
from tests.api.test_schema import not_chinese, not_english
from tests.factories import ArticleFactory, TagFactory

RATE_LIMIT = ("RateLimit-Policy", "RateLimit")

# The operations whose success response carries the row's ETag (set by the view:
# a draft written answers with the ETag the next write's If-Match needs).
WRITES_WITH_ETAG = {
    ("post", "/api/v1/drafts/", "201"),
    ("put", "/api/v1/drafts/{id}/", "200"),
    ("patch", "/api/v1/drafts/{id}/", "200"),
    ("post", "/api/v1/drafts/{id}/submit/", "200"),
}


def responses(schema: dict):
    """(method, path, code, response) of every response in ``schema``."""
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                yield method, path, code, response


class ResponseHeadersSchemaTests(ApiTestCase):
    def schema(self, **extra) -> dict:
        response = self.client.get("/api/schema/", {"format": "json", **extra})
        self.assertEqual(response.status_code, 200)
        return response.json()

    def test_every_response_of_a_throttled_operation_has_the_rate_limit_headers(self):
        missing = [
            (method, path, code)
            for method, path, code, response in responses(self.schema())
            if not set(RATE_LIMIT) <= set(response.get("headers", {}))
        ]
        self.assertEqual(missing, [])

    def test_the_429_keeps_retry_after(self):
        for method, path, code, response in responses(self.schema()):
            if code == "429":
                self.assertIn("Retry-After", response["headers"], (method, path))

    def test_a_view_without_throttles_documents_none(self):
        with mock.patch.object(TagViewSet, "throttle_classes", []):
            schema = self.schema()
        for method, path, code, response in responses(schema):
            headers = set(response.get("headers", {}))
            with self.subTest(method=method, path=path, code=code):
                if path.startswith("/api/v1/tags/"):
                    self.assertFalse(headers & set(RATE_LIMIT))
                else:
                    self.assertLessEqual(set(RATE_LIMIT), headers)

    @override_settings(REST_FRAMEWORK=NO_THROTTLE)
    def test_without_rates_nothing_is_counted_and_none_documented(self):
        for method, path, _code, response in responses(self.schema()):
            self.assertFalse(
                set(response.get("headers", {})) & set(RATE_LIMIT), (method, path)
            )

    def test_etag_where_the_api_sends_one(self):
        """On every GET's 200 (``api.conditional.ConditionalGetMixin``) and the
        drafts' writes; no view sends Last-Modified, and none is documented."""
        for method, path, code, response in responses(self.schema()):
            headers = response.get("headers", {})
            with self.subTest(method=method, path=path, code=code):
                sends = (method == "get" and code == "200") or (
                    (method, path, code) in WRITES_WITH_ETAG
                )
                self.assertEqual("ETag" in headers, sends)
                self.assertNotIn("Last-Modified", headers)

    def test_the_api_sends_what_the_schema_says(self):
        article = ArticleFactory()
        TagFactory()
        for url in (
            "/api/v1/tags/",
            f"/api/v1/articles/{article.pk}/",
            "/api/v1/indicators/",
        ):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            self.assertTrue(response["ETag"], url)
            self.assertNotIn("Last-Modified", response, url)
            for header in RATE_LIMIT:
                self.assertIn(header, response, url)
        self.auth(token_for(user_with_perms("editor", *EDITOR_PERMS)))
        created = self.client.post(
            "/api/v1/drafts/",
            {"title": "接口新建的草稿", "channel": article.channel.slug},
            format="json",
        )
        self.assertEqual(created.status_code, 201, created.content)
        self.assertTrue(created["ETag"])

    def test_header_descriptions_in_either_language(self):
        for lang, wrong in (("zh-hans", not_chinese), ("en", not_english)):
            schema = self.schema(lang=lang)
            for method, path, code, response in responses(schema):
                for name, header in response.get("headers", {}).items():
                    with self.subTest(lang=lang, where=(method, path, code, name)):
                        self.assertTrue(header["description"])
                        self.assertFalse(wrong(header["description"]))
        headers = self.schema()["paths"]["/api/v1/tags/"]["get"]["responses"]["200"][
            "headers"
        ]
        self.assertIn("剩余", headers["RateLimit"]["description"])
        self.assertIn("If-None-Match", headers["ETag"]["description"])
        self.assertIn("304", headers["ETag"]["description"])
