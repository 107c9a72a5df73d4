"""The schema documents the error responses, and real errors match it.

Each operation lists the errors a client can meet (400, 401, 403, 404, 412/428
with If-Match, 413 with a body, 429), all with the one ``Error`` component; here a
real erroneous request of each kind, on a few endpoints, gets a status the
operation documents and a body valid against the documented schema (jsonschema).
"""

import json

import jsonschema
from django.conf import settings
from django.test import override_settings

from news.models import Article
from tests.api import ApiTestCase, token_for, user_with_perms
from tests.api.test_auth import EDITOR_PERMS
from tests.factories import ArticleFactory, ChannelFactory

DRAFTS = "/api/v1/drafts/"
THROTTLED = {
    **settings.REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "1/min", "user": "1/min"},
}


class ErrorResponseTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory(name="质量强市")
        cls.editor = user_with_perms("editor", *EDITOR_PERMS)
        cls.reader = user_with_perms("reader", "news.view_article")
        cls.draft = ArticleFactory(status=Article.Status.DRAFT, channel=cls.channel)

    def setUp(self):
        super().setUp()
        self.schema = self.client.get("/api/schema/", {"format": "json"}).json()

    def assert_documented(self, response, path: str, method: str, status: int):
        self.assertEqual(response.status_code, status, response.content[:200])
        responses = self.schema["paths"][path][method]["responses"]
        self.assertIn(str(status), responses, f"{method} {path}: {status}")
        documented = responses[str(status)]
        self.assertRegex(documented["description"], r"[\u4e00-\u9fff]")
        body_schema = documented["content"]["application/json"]["schema"]
        validator = jsonschema.Draft202012Validator(
            {**body_schema, "components": self.schema["components"]}
        )
        validator.validate(response.json())

    def test_400(self):
        for query in ("bogus=1", "ordering=nope", "format=xml", "limit=5&page=2"):
            with self.subTest(query):
                response = self.client.get(f"/api/v1/articles/?{query}")
                self.assert_documented(response, "/api/v1/articles/", "get", 400)
        self.auth(token_for(self.editor))
        response = self.client.post(DRAFTS, {"channel": "没有", "title": ""})
        self.assert_documented(response, "/api/v1/drafts/", "post", 400)

    def test_401(self):
        self.client.credentials(HTTP_AUTHORIZATION="Token nope")
        response = self.client.get("/api/v1/articles/")
        self.assert_documented(response, "/api/v1/articles/", "get", 401)
        self.client.credentials()
        response = self.client.post(DRAFTS, {}, format="json")
        self.assert_documented(response, "/api/v1/drafts/", "post", 401)

    def test_403(self):
        self.auth(token_for(self.reader))
        response = self.client.post("/api/v1/observations/", {}, format="json")
        self.assert_documented(response, "/api/v1/observations/", "post", 403)

    def test_404(self):
        response = self.client.get("/api/v1/articles/999999/")
        self.assert_documented(response, "/api/v1/articles/{id}/", "get", 404)
        response = self.client.get("/api/v1/channels/?page=99")
        self.assert_documented(response, "/api/v1/channels/", "get", 404)

    def test_412_and_428(self):
        self.auth(token_for(self.editor))
        url = f"{DRAFTS}{self.draft.pk}/"
        path = "/api/v1/drafts/{id}/"
        missing = self.client.patch(url, {"title": "改"}, format="json")
        self.assert_documented(missing, path, "patch", 428)
        stale = self.client.patch(
            url, {"title": "改"}, format="json", HTTP_IF_MATCH='"0-0-0"'
        )
        self.assert_documented(stale, path, "patch", 412)
        submit = self.client.post(f"{url}submit/", {}, format="json")
        self.assert_documented(submit, "/api/v1/drafts/{id}/submit/", "post", 428)

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
    def test_413(self):
        self.auth(token_for(self.editor))
        body = json.dumps({"title": "x" * 2000})
        response = self.client.generic(
            "POST", DRAFTS, body, content_type="application/json"
        )
        self.assert_documented(response, "/api/v1/drafts/", "post", 413)

    def test_429(self):
        with override_settings(REST_FRAMEWORK=THROTTLED):
            self.client.get("/api/v1/tags/")
            response = self.client.get("/api/v1/tags/")
        self.assert_documented(response, "/api/v1/tags/", "get", 429)
        headers = self.schema["paths"]["/api/v1/tags/"]["get"]["responses"]["429"]
        self.assertIn("Retry-After", headers["headers"])

    def test_404_of_an_address_no_endpoint_matches(self):
        # An id the router's pattern does not take ("1e-5": found by schemathesis)
        # matched no URL and got the site's HTML 404 page.
        for url in ("/api/v1/observations/2.8e-89/", "/api/v1/observations/1/x/"):
            with self.subTest(url):
                response = self.client.get(url)
                self.assertEqual(response["Content-Type"], "application/json")
                self.assert_documented(
                    response, "/api/v1/observations/{id}/", "get", 404
                )
                self.assertEqual(response.json(), {"detail": "未找到。"})
        self.assertIn("<html", self.client.get("/no-such-page/").content.decode())

    def test_405_is_not_an_operation_but_is_described(self):
        # OpenAPI lists responses per method; a method a path lacks has no
        # operation to list 405 under, so the Error component says it.
        response = self.client.delete("/api/v1/articles/")
        self.assertEqual(response.status_code, 405)
        error = self.schema["components"]["schemas"]["Error"]
        self.assertIn("405", error["description"])
        jsonschema.Draft202012Validator(error).validate(response.json())
