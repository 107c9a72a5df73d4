"""Every error of the API is a JSON body with a Chinese message, whatever went
wrong: an id that does not exist, a body the parser cannot read, a body too big."""

import json
import re

from django.test import override_settings
from rest_framework.test import APIClient

from tests.api import ApiTestCase, token_for, user_with_perms
from tests.factories import ArticleFactory
from tests.quality.factories import ObservationFactory

CHINESE = re.compile(r"[\u4e00-\u9fff]")


class NotFoundTests(ApiTestCase):
    """A detail URL of an id that does not exist: 404 with a Chinese ``detail``
    (Django's "No Observation matches the given query." reached the client)."""

    def test_every_detail_404_is_in_chinese(self):
        ArticleFactory()
        ObservationFactory()
        self.auth(token_for(user_with_perms("editor", "news.view_article")))
        for path in (
            "/api/v1/articles/999/",
            "/api/v1/observations/999/",
            "/api/v1/drafts/999/",
            "/api/v1/standards/999/",
            "/api/v1/regions/999/",
        ):
            with self.subTest(path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 404)
                detail = response.json()["detail"]
                self.assertRegex(detail, CHINESE)
                self.assertNotIn("matches the given query", detail)


class UnreadableBodyTests(ApiTestCase):
    """A body that is not a JSON object: 400, ``detail`` in Chinese (DRF answered
    "JSON parse error - Expecting property name …" and, for ``null``, "No data
    provided")."""

    def setUp(self):
        super().setUp()
        self.auth(token_for(user_with_perms("staff", "quality.add_observation")))

    def post(self, body: str):
        return self.client.generic(
            "POST", "/api/v1/observations/", body, content_type="application/json"
        )

    def test_malformed_json_names_the_place_in_chinese(self):
        response = self.post('{"value": 1,\n "raw_text" 2}')
        self.assertEqual(response.status_code, 400)
        detail = response.json()["detail"]
        self.assertRegex(detail, CHINESE)
        self.assertIn("第 2 行", detail)
        self.assertNotIn("parse error", detail)

    def test_non_standard_numbers_are_refused_in_chinese(self):
        for body in ('{"value": NaN}', '{"value": Infinity}'):
            with self.subTest(body):
                response = self.post(body)
                self.assertEqual(response.status_code, 400)
                self.assertRegex(response.json()["detail"], CHINESE)

    def test_a_body_that_is_not_an_object_is_one_chinese_message(self):
        for body in ("null", "[1, 2]", "3", '"text"', "true"):
            with self.subTest(body):
                response = self.post(body)
                self.assertEqual(response.status_code, 400)
                detail = response.json()["detail"]
                self.assertIn("JSON 对象", detail)


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000, DATA_UPLOAD_MAX_NUMBER_FIELDS=10)
class OversizedBodyTests(ApiTestCase):
    """A body past Django's limits: a JSON error in Chinese (it was Django's HTML
    400 page), 413 for too many bytes."""

    def setUp(self):
        super().setUp()
        self.auth(token_for(user_with_perms("staff", "quality.add_observation")))

    def test_too_many_bytes_is_a_json_413(self):
        body = json.dumps({"raw_text": "x" * 2000})
        response = self.client.generic(
            "POST", "/api/v1/observations/", body, content_type="application/json"
        )
        self.assertEqual(response.status_code, 413)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertRegex(response.json()["detail"], CHINESE)

    def test_too_many_form_fields_is_a_json_400(self):
        body = "&".join(f"f{i}=1" for i in range(20))
        response = self.client.generic(
            "POST",
            "/api/v1/observations/",
            body,
            content_type="application/x-www-form-urlencoded",
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertRegex(response.json()["detail"], CHINESE)


class CsrfTests(ApiTestCase):
    """A signed-in browser's write without a CSRF token: 403 in Chinese (DRF
    answered "CSRF Failed: CSRF cookie not set.")."""

    def test_missing_csrf_token_is_refused_in_chinese(self):
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(user_with_perms("staff", "quality.add_observation"))
        response = client.post("/api/v1/observations/", {}, format="json")
        self.assertEqual(response.status_code, 403)
        detail = response.json()["detail"]
        self.assertRegex(detail, CHINESE)
        self.assertIn("CSRF", detail)
        self.assertNotIn("Failed", detail)
